"""The compare window on two real takes of the same script: both videos in step, the
verdicts in two columns with what changed; the library's Compare and Name and note; and
`acting-mirror review TAKE [TAKE2]` opening them."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt

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
    assert [i.row() for i in window.table.selectionModel().selectedRows()] == [1]
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
    assert signal.args == [list(two_takes)]  # the older first: the reference
    (named / "take.json").unlink()


PROBE = """
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from acting_mirror.commands import review
opened = []
def on_window(window):
    opened.extend([type(window).__name__, window])
    QTimer.singleShot(0, window.close)
args = type("Args", (), {"take": Path(sys.argv[1]), "others": [Path(a) for a in sys.argv[2:]]})()
code = review.run(args, on_window=on_window)
print(code, opened[0], len(getattr(opened[1], "videos", [])))
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
    assert done.stdout.split() == ["0", "CompareWindow", "2"]
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


def _pixels(image) -> np.ndarray:
    image = image.convertToFormat(image.Format.Format_BGR888)
    h, w = image.height(), image.width()
    raw = np.frombuffer(image.constBits(), np.uint8).reshape(h, image.bytesPerLine())
    return raw[:, : w * 3].astype(np.float32)


OTHER_SCRIPT = "0:00-0:04 sad  Another scene altogether.\n"


@pytest.fixture(scope="module")
def more_takes(tmp_path_factory, make_clip, _photos):
    """Three takes of SCRIPT (the astronaut; the astronaut then Grace Hopper; Grace Hopper)
    and one of another script, in a takes folder of their own."""
    astronaut, hopper = _square(_photos["astronaut"]), _square(_photos["grace_hopper"])
    root = tmp_path_factory.mktemp("compare_more")
    made = []
    for name, frames, text in (("take-1", [astronaut] * 40, SCRIPT),
                               ("take-2", [astronaut] * 20 + [hopper] * 20, SCRIPT),
                               ("take-3", [hopper] * 40, SCRIPT),
                               ("other", [hopper] * 40, OTHER_SCRIPT)):
        clip = make_clip(root / f"{name}.avi", [f.copy() for f in frames], FPS)
        folder = process_to_take(str(clip), out_dir=root / "takes" / name, takes_root=root).folder
        script = parse_script(text, name="scene.txt" if text == SCRIPT else "other.txt")
        report_for_take(folder, script)
        write_take_script(folder, script, original_text=text)
        made.append(folder)
    return made


def test_three_takes_stand_in_three_columns_in_step_with_take_a(qtbot, more_takes):
    window = CompareWindow(*more_takes[:3])
    qtbot.addWidget(window)
    window.show()
    assert len(window.videos) == 3 and window.table.columnCount() == 5
    headers = [window.table.horizontalHeaderItem(c).text() for c in range(5)]
    assert headers == ["Line", "Take A", "Take B", "Take C", "What changed"]
    line1 = window.table.item(0, 4).text()
    assert line1.startswith("line 1: hit → hit → ") and not line1.endswith("(same)")
    assert window.table.item(1, 4).text().startswith("line 2: miss → ")
    assert "best B" in window.headline.text()
    window.seek(30)  # 3 s: line 2; the astronaut in A, Grace Hopper in B and C
    assert window.now_label.text().count(" s") == 3 and "line 2" in window.now_label.text()
    images = [_pixels(v.image) for v in window.videos]
    a_b, b_c = np.abs(images[0] - images[1]).mean(), np.abs(images[1] - images[2]).mean()
    assert b_c < a_b / 3  # B and C show the same face, A another
    # one emotion at a time: only its curves (one per take) stay
    window.show_emotion("happy")
    shown = [e for e, curves in window.curves.items() if any(c.isVisible() for c in curves)]
    assert shown == ["happy"] and len(window.curves["happy"]) == 3
    assert window.emotion_combo.currentText() == "happy"
    window.show_emotion(None)
    assert all(c.isVisible() for curves in window.curves.values() for c in curves)
    # playing follows the wall clock: a second after Play, take A's frame 10 (10 fps) is
    # due, whatever the frames in between took to show; at the end it stops
    window.seek(0)
    window.toggle_playing()
    assert window.play_timer.isActive()
    started = window._play_from[0]
    assert window.frame_due(started + 1.0) == FPS and window.frame_due(started + 0.05) == 0
    window._play_from = (started - 1.0, 0)  # as if a second went by
    window._tick()
    assert window.slider.value() >= FPS
    window._play_from = (started - 60.0, 0)  # past the end
    window._tick()
    assert not window.play_timer.isActive() and window.slider.value() == 39
    # another take as the clock: it becomes take A, the others keep their order
    old = window.controller
    window.set_reference(2)
    assert window.folders == [more_takes[2], more_takes[0], more_takes[1]]
    assert window.controller is not old and window.controller.a.folder == more_takes[2]
    assert "take-3" in window.label_a.text() and window.reference_combo.currentIndex() == 0
    assert window.table.item(0, 4).text().startswith("line 1: ") and window.slider.value() == 0
    window.close()


def test_the_library_compares_up_to_four_takes_and_says_why_not(qtbot, more_takes):
    library = TakesLibrary(more_takes[0].parent)
    qtbot.addWidget(library)
    library.show()
    by_folder = {item.data(0, Qt.ItemDataRole.UserRole): item for item in library.take_items()}
    scene = [by_folder[str(f)] for f in more_takes[:3]]
    for item in scene:
        item.setSelected(True)
    assert library.compare_button.isEnabled() and library.compare_button.text() == "Compare 3"
    assert not library.selection_label.isVisible()
    with qtbot.waitSignal(library.compareRequested) as signal:
        library.compare_button.click()
    assert signal.args == [list(more_takes[:3])]  # oldest first
    by_folder[str(more_takes[3])].setSelected(True)  # a take of another script joins
    assert not library.compare_button.isEnabled()
    assert library.selection_label.isVisible()
    assert "different scripts" in library.selection_label.text()
    library.tree.clearSelection()
    assert not library.selection_label.isVisible()
    library.close()


def test_review_command_compares_three_takes_and_refuses_other_scripts(more_takes, capsys):
    import os
    import subprocess
    import sys

    from acting_mirror.cli import main
    from acting_mirror.commands.review import MAX_TAKES
    from acting_mirror.controllers.compare import MAX_TAKES as CONTROLLER_MAX

    assert MAX_TAKES == CONTROLLER_MAX
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", PROBE, *map(str, more_takes[:3])],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "CompareWindow", "3"]
    assert main(["review", *map(str, more_takes), str(more_takes[0])]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["acting-mirror: Compare up to 4 takes at a time (5 were given)."]
    env_err = subprocess.run([sys.executable, "-m", "acting_mirror", "review",
                              *map(str, more_takes)], env=env, capture_output=True, text=True,
                             timeout=120)
    assert env_err.returncode == 2
    lines = env_err.stderr.strip().splitlines()
    assert len(lines) == 1 and "not acted to the same script" in lines[0], env_err.stderr
