"""Windows fit a 1366x768 screen, remember their size and close with Esc.

The 1366x768 screen is a real offscreen screen: the probe (tests/gui/fit_probe.py) runs in
its own process with Qt's offscreen platform configured to that one screen."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication

from acting_mirror.app import process_to_take
from acting_mirror.core.report import report_for_take
from acting_mirror.core.script import parse_script
from acting_mirror.core.take_script import write_take_script
from acting_mirror.gui.review import ReviewWindow
from acting_mirror.gui.takes_library import TakesLibrary
from acting_mirror.gui.window_memory import fit_rect

SCRIPT = """\
0:00-0:01 happy    Look at that view!
0:01-0:02 neutral  The numbers don't add up, and they never did, not once.
"""


@pytest.fixture(scope="module")
def scored_take(tmp_path_factory, make_clip, _photos):
    import cv2

    face = cv2.resize(_photos["astronaut"], (240, 240))
    root = tmp_path_factory.mktemp("fit")
    clip = make_clip(root / "scene.avi", [face.copy() for _ in range(20)], 10)
    folder = process_to_take(str(clip), out_dir=root / "takes" / "take", takes_root=root).folder
    script = parse_script(SCRIPT, name="scene.txt")
    report_for_take(folder, script)
    write_take_script(folder, script, original_text=SCRIPT)
    return folder


def test_every_window_and_its_controls_fit_a_1366x768_screen(scored_take, tmp_path):
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{"name": "laptop", "x": 0, "y": 0, "width": 1366,
                                               "height": 768, "logicalDpi": 96, "dpr": 1}]}))
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}",
               ACTING_MIRROR_SETTINGS=str(tmp_path / "settings.ini"))
    probe = Path(__file__).with_name("fit_probe.py")
    done = subprocess.run([sys.executable, str(probe), str(scored_take)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["screen"] == [1366, 768]
    screen = QRect(0, 0, 1366, 768)
    for name, (x, y, w, h) in out["windows"].items():
        assert screen.contains(QRect(x, y, w, h)), (name, (x, y, w, h))
    assert out["windows"]["review"][2] < 1366  # no longer 1400 wide
    assert all(out["controls_on_screen"].values()), out["controls_on_screen"]
    assert out["review_reopened"] == [1100, 650]


def test_the_library_remembers_its_size_and_stays_on_the_screen(qtbot, scored_take):
    first = TakesLibrary(Path(scored_take).parent)
    qtbot.addWidget(first)
    first.show()
    first.resize(700, 500)
    qtbot.waitUntil(lambda: first.size().width() == 700)
    first.close()
    again = TakesLibrary(Path(scored_take).parent)
    qtbot.addWidget(again)
    again.show()
    assert (again.width(), again.height()) == (700, 500)
    assert again.screen().availableGeometry().contains(again.geometry())
    again.close()


def test_esc_closes_the_review_and_the_library(qtbot, scored_take):
    review = ReviewWindow(scored_take)
    library = TakesLibrary(Path(scored_take).parent)
    for window in (review, library):
        qtbot.addWidget(window)
        window.show()
        window.activateWindow()
        qtbot.waitExposed(window)
        qtbot.waitUntil(window.isActiveWindow)
        qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda w=window: not w.isVisible())
    review.shutdown()


@given(st.integers(-3000, 3000), st.integers(-3000, 3000), st.integers(1, 4000),
       st.integers(1, 4000))
def test_a_remembered_rect_is_pulled_inside_the_screen(x, y, w, h):
    screen = QRect(0, 0, 1366, 768)
    fitted = fit_rect(QRect(x, y, w, h), screen)
    assert screen.contains(fitted)
    assert fitted.width() == min(w, 1366) and fitted.height() == min(h, 768)
    if screen.contains(QRect(x, y, w, h)):
        assert fitted == QRect(x, y, w, h)
