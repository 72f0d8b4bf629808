"""Quitting while a scripted take runs asks what to do with it: Stop and save (kept,
marked incomplete, lines never reached are "not reached"), Discard (gone), or Cancel
(the take goes on). No report pops up after the window has gone."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from acting_mirror.controllers.mirror import QuitChoice

FPS = 10
TIMED = """\
0:00-0:02 happy    Look at that view!
0:02-0:04 neutral  The numbers don't add up.
0:30-0:32 sad      (a line long after the clip's end)
"""
TIMEOUT_MS = 30000


@pytest.fixture(scope="module")
def scene_clip(make_scene):
    return make_scene(seconds=4, switch_s=2, fps=FPS)


def _window_in_a_take(make_window, qtbot, tmp_path, scene_clip, choice):
    asked = []

    def confirm():
        asked.append(True)
        return choice

    script_file = tmp_path / "scene.txt"
    script_file.write_text(TIMED, encoding="utf-8")
    window = make_window(script=script_file, confirm_quit=confirm)
    window.prefs.takes_dir = tmp_path / "takes"
    window.rehearsal.countdown.set_interval(30)
    window.open_source(str(scene_clip), loop=True)
    qtbot.waitUntil(lambda: window.video.frames_shown >= 2, timeout=TIMEOUT_MS)
    qtbot.mouseClick(window.rehearsal.panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.recording_folder is not None, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: window.recorded_frames >= 5, timeout=TIMEOUT_MS)
    return window, asked


def test_stop_and_save_keeps_the_take_incomplete_and_no_report_pops_up(
        make_window, qtbot, tmp_path, scene_clip):
    window, asked = _window_in_a_take(make_window, qtbot, tmp_path, scene_clip, QuitChoice.SAVE)
    folder = window.recording_folder
    with qtbot.waitSignal(window.closed, timeout=TIMEOUT_MS):
        window.close()
    assert asked == [True]
    QApplication.processEvents()
    assert window.rehearsal.last_report_dialog is None  # nothing pops up on its own
    assert not [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    assert summary["complete"] is False and report["complete"] is False
    verdicts = [line["verdict"] for line in report["lines"]]
    assert verdicts[-1] == "not_reached"
    unreached = window.last_take.report.lines[-1]
    assert unreached.verdict == "not_reached" and "out of view" not in unreached.tip


def test_discard_deletes_the_take(make_window, qtbot, tmp_path, scene_clip):
    window, asked = _window_in_a_take(make_window, qtbot, tmp_path, scene_clip,
                                      QuitChoice.DISCARD)
    folder = window.recording_folder
    with qtbot.waitSignal(window.closed, timeout=TIMEOUT_MS):
        window.close()
    assert asked == [True] and not folder.exists()


def test_cancel_keeps_the_window_and_the_take_going(make_window, qtbot, tmp_path, scene_clip):
    window, asked = _window_in_a_take(make_window, qtbot, tmp_path, scene_clip,
                                      QuitChoice.CANCEL)
    folder = window.recording_folder
    window.close()
    assert asked == [True] and window.isVisible() and window.recording_folder == folder
    frames = window.recorded_frames
    qtbot.waitUntil(lambda: window.recorded_frames > frames, timeout=TIMEOUT_MS)
    window.confirm_quit = lambda: QuitChoice.SAVE  # let the fixture close it


def test_a_signal_quits_without_asking_and_keeps_the_take(make_window, qtbot, tmp_path,
                                                         scene_clip):
    window, asked = _window_in_a_take(make_window, qtbot, tmp_path, scene_clip,
                                      QuitChoice.CANCEL)
    folder = window.recording_folder
    with qtbot.waitSignal(window.closed, timeout=TIMEOUT_MS):
        window.quit_now()  # what SIGTERM, SIGHUP and Ctrl+C do
    assert asked == []
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["complete"] is False


def test_a_take_that_ends_while_the_quit_question_is_open_takes_the_question_away(
        make_window, qtbot, tmp_path, scene_clip):
    """The real question (no confirm_quit hook): the script ends while it is open, so
    there is no take left to ask about; the question goes, the window stays and the
    take's report shows (found trying the app: the report covered the question)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMessageBox

    script_file = tmp_path / "short.txt"
    script_file.write_text("0:00-0:01.5 happy  Look at that view!\n", encoding="utf-8")
    window = make_window(script=script_file, confirm_quit=None)
    window.prefs.takes_dir = tmp_path / "takes"
    window.rehearsal.countdown.set_interval(30)
    window.open_source(str(scene_clip), loop=True)
    qtbot.waitUntil(lambda: window.video.frames_shown >= 2, timeout=TIMEOUT_MS)
    qtbot.mouseClick(window.rehearsal.panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.recording_folder is not None, timeout=TIMEOUT_MS)
    seen, forced = [], []

    def force_answer():  # without the fix the question would stay open for ever
        for box in [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]:
            if box.isVisible():
                forced.append(box.text())
                box.reject()

    guard = QTimer(window)
    guard.setSingleShot(True)
    guard.timeout.connect(force_answer)
    guard.start(TIMEOUT_MS // 2)
    QTimer.singleShot(0, lambda: seen.append(window.close()))  # asks, modally
    qtbot.waitUntil(lambda: bool(seen), timeout=TIMEOUT_MS)  # the question was answered
    guard.stop()
    assert forced == []  # the window took the question away itself
    assert seen == [False]  # not closed: the take ended, nothing was chosen
    assert window.isVisible() and window.quit_question is None
    assert not [w for w in QApplication.topLevelWidgets()
                if isinstance(w, QMessageBox) and w.isVisible()]
    take = window.last_take
    assert take is not None and take.complete and take.folder.is_dir()
    assert window.rehearsal.last_report_dialog is not None
    window.confirm_quit = lambda: QuitChoice.SAVE  # let the fixture close it
