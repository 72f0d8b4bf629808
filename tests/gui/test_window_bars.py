"""On a 1366x768 screen the main window's bars show every field's whole text (what does
not fit goes on a second row, nothing is squeezed or overlaps), the bar chart's labels
fit their bars beside the script panel, and the banner after a take floats over the
video instead of pushing it down.

The screen is a real offscreen 1366x768 screen: the probe (tests/gui/bars_probe.py) runs
in its own process with Qt's offscreen platform configured to that one screen."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QRect

from acting_mirror.config import DETECTORS
from acting_mirror.gui.window_bars import DETECTOR_LABELS

EXAMPLE = Path(__file__).resolve().parents[2] / "assets" / "example_script.txt"


@pytest.fixture(scope="module")
def probed(tmp_path_factory):
    root = tmp_path_factory.mktemp("bars")
    script = root / "Hamlet act 3 scene 1 - to be or not to be.txt"  # a long name
    script.write_text(EXAMPLE.read_text())
    config = root / "screen.json"
    config.write_text(json.dumps({"screens": [{"name": "laptop", "x": 0, "y": 0, "width": 1366,
                                               "height": 768, "logicalDpi": 96, "dpr": 1}]}))
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}",
               ACTING_MIRROR_SETTINGS=str(root / "settings.ini"),
               ACTING_MIRROR_HOME=str(root / "home"))
    probe = Path(__file__).with_name("bars_probe.py")
    done = subprocess.run([sys.executable, str(probe), str(script)], env=env,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_no_bar_widget_is_narrower_than_its_text_at_1366(probed):
    window = QRect(*probed["window"])
    assert QRect(0, 0, 1366, 768).contains(window)
    for name, widgets in probed["bars"].items():
        assert len(widgets) >= 5, name
        for w in widgets:
            assert w["width"] >= w["needs"], (name, w)
        rects = [QRect(*w["rect"]) for w in widgets]
        for i, a in enumerate(rects):  # nothing overlaps, nothing leaves the window
            assert 0 <= a.x() and a.right() < window.width(), (name, widgets[i])
            for j, b in enumerate(rects[i + 1:], i + 1):
                assert not a.intersects(b), (name, widgets[i]["text"], widgets[j]["text"])
    texts = " ".join(w["text"] for w in probed["bars"]["source"])
    assert "Hamlet act 3 scene 1 - to be or not to be.txt" in texts  # whole, on a second row
    tops = sorted(w["rect"][1] for w in probed["bars"]["source"])
    rows = 1 + sum(1 for a, b in zip(tops, tops[1:]) if b - a > 8)
    assert rows == 2  # the script panel takes width: the bar wraps, once


def test_the_banner_after_a_take_floats_over_the_video_and_moves_nothing(probed):
    assert probed["banner_visible"]
    assert probed["video_with_banner"] == probed["video_without_banner"]
    video, banner = QRect(*probed["video_with_banner"]), QRect(*probed["banner_rect"])
    assert video.contains(banner)  # over the picture's top, inside its column
    assert banner.y() - video.y() < 20 and banner.height() >= 30


def test_the_bar_charts_labels_fit_beside_the_script_panel(probed):
    bars = probed["bar_labels"]
    assert all(width < bars["slot"] for width in bars["widths"]), bars  # no "angrydisgust"


def test_detector_labels_are_short_and_every_detector_has_one():
    assert set(DETECTOR_LABELS) == set(DETECTORS)
    assert all(len(label) <= 20 for label in DETECTOR_LABELS.values())
