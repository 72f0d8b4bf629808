"""The compare window on two real takes of the same script: both videos in step, the
verdicts in two columns with what changed; the library's Compare and Name and note; and
`acting-mirror review TAKE [TAKE2]` opening them."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from acting_mirror.app import process_to_take
from acting_mirror.core.report import report_for_take
from acting_mirror.core.script import parse_script
from acting_mirror.core.take_catalog import TakeMeta, read_take_meta
from acting_mirror.core.take_script import write_take_script
from acting_mirror.gui.compare import CompareWindow
from acting_mirror.gui.takes_library import TakesLibrary

FPS = 10
SCRIPT = """\
0:00-0:02 happy    Look at that view!
0:02-0:04 neutral  The numbers don't add up.
"""


def _square(image, size=240):
    h, w = image.shape[:2]
    side = min(h, w)
    y, x = (h - side) // 2, (w - side) // 2
    return cv2.resize(image[y:y + side, x:x + side], (size, size), interpolation=cv2.INTER_AREA)


@pytest.fixture(scope="module")
def two_takes(tmp_path_factory, make_clip, _photos):
    astronaut, hopper = _square(_photos["astronaut"]), _square(_photos["grace_hopper"])
    root = tmp_path_factory.mktemp("compare_gui")
    made = []
    for name, frames in (("take-1", [astronaut] * 40), ("take-2", [astronaut] * 20 + [hopper] * 20)):
        clip = make_clip(root / f"{name}.avi", [f.copy() for f in frames], FPS)
        folder = process_to_take(str(clip), out_dir=root / "takes" / name, takes_root=root).folder
        script = parse_script(SCRIPT, name="scene.txt")
        report_for_take(folder, script)
        write_take_script(folder, script, original_text=SCRIPT)
        made.append(folder)
    return made


def test_the_compare_window_shows_both_takes_in_step_and_what_changed(qtbot, two_takes):
    window = CompareWindow(*two_takes)
    qtbot.addWidget(window)
    window.show()
    assert window.table.rowCount() == 2
    assert window.table.item(1, 3).text().startswith("line 2: miss → ")
    assert window.table.item(0, 3).text() == "line 1: hit (same)"
    window.seek(30)  # 3 s: line 2, Grace Hopper in take B, the astronaut in A
    assert "line 2" in window.now_label.text()
    a = window.video_a.image.convertToFormat(window.video_a.image.Format.Format_BGR888)
    b = window.video_b.image.convertToFormat(window.video_b.image.Format.Format_BGR888)
    assert a.size() == b.size() and a != b  # different faces at the same script moment
    window.seek_line(0)
    assert window.slider.value() == 0
    window.close()
    assert window._closed


def test_the_library_compares_two_takes_of_a_script_and_names_them(qtbot, two_takes):
    library = TakesLibrary(two_takes[0].parent, ask_meta=lambda meta: TakeMeta("Warm-up", "rushed"))
    qtbot.addWidget(library)
    library.show()
    items = library.take_items()
    assert len(items) == 2 and not library.compare_button.isEnabled()
    library.tree.setCurrentItem(items[0])
    named = library.selected_folder()
    assert library.rename_selected() == TakeMeta("Warm-up", "rushed")
    assert read_take_meta(library.selected_folder()).note == "rushed"
    assert "Warm-up" in [i.text(0) for i in library.take_items()]  # the library shows the name
    for item in library.take_items():
        item.setSelected(True)
    assert library.compare_button.isEnabled() and not library.rename_button.isEnabled()
    with qtbot.waitSignal(library.compareRequested) as signal:
        library.compare_button.click()
    assert sorted(signal.args) == sorted(two_takes)
    (named / "take.json").unlink()


PROBE = """
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from acting_mirror.commands import review
opened = []
def on_window(window):
    opened.append(type(window).__name__)
    QTimer.singleShot(0, window.close)
args = type("Args", (), {"take": Path(sys.argv[1]), "other": Path(sys.argv[2])})()
code = review.run(args, on_window=on_window)
print(code, opened[0])
"""


def test_review_command_opens_the_comparison_and_refuses_a_non_take(two_takes, tmp_path, capsys):
    import os
    import subprocess
    import sys

    from acting_mirror.cli import main

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", PROBE, str(two_takes[0]), str(two_takes[1])],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "CompareWindow"]
    assert main(["review", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is not a take folder" in err[0]
    assert main(["review", str(two_takes[0]), str(two_takes[0])]) == 2
    assert "two different takes" in capsys.readouterr().err


def test_a_review_can_be_compared_with_another_take(qtbot, two_takes, tmp_path):
    from acting_mirror.gui.review import ReviewWindow

    review = ReviewWindow(two_takes[1])
    qtbot.addWidget(review)
    review.show()
    assert review.compare_with(two_takes[1]) is None  # itself: said in the window
    assert "two different takes" in review.report_note.text()
    window = review.compare_with(two_takes[0])
    assert isinstance(window, CompareWindow) and window.isVisible()
    window.close()
    review.close()
    review.shutdown()
