"""Scripted takes in the main window, as a user makes them: load a script, Start take,
3-2-1, the take records with the script's clock from its first frame, the panel follows
the lines, the take ends by itself and its report opens; teleprompter takes move on
with Space; the lines are shaded on the live curves."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from acting_mirror.core.calibration import ProfileStore, calibrate
from acting_mirror.core.timeline import read_timeline
from acting_mirror.core.take_script import read_take_script

FPS = 10
TIMED = """\
# the clip: 2 s of the smiling astronaut, then 2 s of Grace Hopper
0:00-0:02 happy    Look at that view!
0:02-0:04 neutral  The numbers don't add up.
"""
TELEPROMPTER = """\
happy    Look at that view!
neutral  The numbers don't add up.
"""
TIMEOUT_MS = 30000


@pytest.fixture(scope="module")
def scene_clip(make_scene):
    return make_scene(seconds=4, switch_s=2, fps=FPS)


@pytest.fixture
def window_with_script(make_window, qtbot, tmp_path, scene_clip):
    def make(text: str, **kwargs):
        script_file = tmp_path / "scene.txt"
        script_file.write_text(text, encoding="utf-8")
        window = make_window(script=script_file, **kwargs)
        window.prefs.takes_dir = tmp_path / "takes"
        window.rehearsal.countdown.set_interval(30)
        window.open_source(str(scene_clip))
        qtbot.waitUntil(lambda: window.video.frames_shown >= 2, timeout=TIMEOUT_MS)
        return window

    return make


def _report_dialog(qtbot, window):
    qtbot.waitUntil(lambda: window.rehearsal.last_report_dialog is not None, timeout=TIMEOUT_MS)
    return window.rehearsal.last_report_dialog


def test_a_timed_take_counts_down_records_from_the_first_frame_and_opens_its_report(
        window_with_script, qtbot):
    window = window_with_script(TIMED)
    rehearsal, panel = window.rehearsal, window.rehearsal.panel
    assert rehearsal.dock.isVisible() and panel.script.source == "scene.txt"
    assert "scene.txt" in window.script_label.text()
    assert panel.line_label.text() == "Look at that view!"

    ticks = []
    rehearsal.countdown.tick.connect(ticks.append)
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    assert rehearsal.overlay.isVisible() and "Look at that view!" in rehearsal.overlay.caption
    qtbot.waitUntil(lambda: window.recording_folder is not None, timeout=TIMEOUT_MS)
    assert ticks == [3, 2, 1]
    assert "Stop take" in panel.start_button.text()
    # the script cannot be swapped under the take, from the panel or the menus
    assert not rehearsal.open_script_action.isEnabled()
    assert not rehearsal.calibrate_action.isEnabled()
    folder = window.recording_folder

    # the panel follows the lines while the take runs; the lines are shaded on the curves
    qtbot.waitUntil(lambda: panel.state is not None and panel.state.cue is not None
                    and panel.state.cue.index == 1, timeout=TIMEOUT_MS)
    assert panel.line_label.text() == "The numbers don't add up."
    assert "NEUTRAL" in panel.target_label.text()
    qtbot.waitUntil(lambda: len(rehearsal.regions.regions()) == 2, timeout=5000)
    x0, x1 = rehearsal.regions.regions()[0]
    assert x1 - x0 == pytest.approx(2.0) and x0 < -1.0  # line 1, sliding into the past

    dialog = _report_dialog(qtbot, window)  # the clip ends with the script: the take ends
    take = window.last_take
    assert take.folder == folder and take.scripted and take.frames == 40
    assert dialog.view.verdicts() == ["hit", "hit"]
    assert "66%" in dialog.view.disclaimer_label.text()
    assert dialog.html_button.isEnabled()
    assert {p.name for p in folder.iterdir()} >= {
        "output.avi", "timeline.csv", "summary.json", "script.txt", "script.json",
        "report.json", "report.html"}
    # take time 0 is the video's first frame (the video restarted with the take)
    table = read_timeline(folder / "timeline.csv")
    assert table.frame.min() == 0 and table.time_ms.min() == 0
    assert table.frame.max() == 39 and np.unique(table.frame).size >= 36  # a face in (nearly) all
    assert (folder / "script.txt").read_text() == TIMED  # kept as written
    assert panel.phase == "idle" and "Start take" in panel.start_button.text()
    assert rehearsal.open_script_action.isEnabled()

    # Review take: the review window opens on this take
    dialog.review_button.click()
    assert len(rehearsal.reviews) == 1 and rehearsal.reviews[0].folder == folder
    assert rehearsal.reviews[0].report_view.verdicts() == ["hit", "hit"]
    rehearsal.reviews[0].close()


def test_a_teleprompter_take_moves_on_with_space_and_stores_its_times(
        window_with_script, qtbot, tmp_path):
    store = ProfileStore(tmp_path / "home")  # the app's profiles (ACTING_MIRROR_HOME)
    store.save(calibrate(np.tile([0.02, 0.01, 0.02, 0.05, 0.3, 0.05, 0.55], (10, 1)), "Ada"))
    window = window_with_script(TELEPROMPTER)
    rehearsal, panel = window.rehearsal, window.rehearsal.panel
    rehearsal._refresh_actors("Ada")
    panel.calibrated_check.setChecked(True)  # sends the calibration to the worker
    window.windowHandle().requestActivate()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)

    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)  # Ctrl+R: a scripted take
    qtbot.waitUntil(lambda: window.recording_folder is not None, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: window.recorded_frames >= 21, timeout=TIMEOUT_MS)  # Grace Hopper now
    assert panel.line_label.text() == "Look at that view!"
    qtbot.keyClick(window, Qt.Key.Key_Space)  # next line, not pause
    qtbot.waitUntil(lambda: panel.state is not None and panel.state.cue is not None
                    and panel.state.cue.index == 1, timeout=TIMEOUT_MS)
    assert window.playing
    qtbot.waitUntil(lambda: window.recorded_frames >= 34, timeout=TIMEOUT_MS)
    qtbot.keyClick(window, Qt.Key.Key_Right)  # past the last line: the scene is complete
    dialog = _report_dialog(qtbot, window)
    folder = window.last_take.folder
    assert window.last_take.frames < 40  # it ended with the script, not with the video

    stored = read_take_script(folder)
    assert not stored.timed and stored.actor == "Ada" and stored.calibrated
    spans = [(c.start_ms, c.end_ms) for c in stored.script.cues]
    assert spans[0][0] == 0 and spans[0][1] == spans[1][0] and spans[0][1] >= 2000
    assert [c.text for c in stored.script.cues] == ["Look at that view!", "The numbers don't add up."]
    report = json.loads((folder / "report.json").read_text())
    assert report["calibrated"] and [line["verdict"] for line in report["lines"]] == ["hit", "hit"]
    assert dialog.view.calibration_label.text().startswith("Readings corrected")

    # Try again: another countdown, another take of the same script
    dialog.again_button.click()
    assert rehearsal.phase == "countdown"
    rehearsal.cancel_countdown()
    assert rehearsal.phase == "idle" and not rehearsal.overlay.isVisible()


PARTNER_SCENE = """\
0:00-0:01.5  @THEO: You came back.
0:01.5-0:03  happy    I never left.
0:03-0:04  [She turns to the window]
"""


def test_partner_lines_directions_and_line_learning_in_the_panel(window_with_script, qtbot):
    from acting_mirror.core.line_learning import LineDisplay

    window = window_with_script(PARTNER_SCENE)
    rehearsal, panel = window.rehearsal, window.rehearsal.panel
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.state is not None and panel.state.cue is not None, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: panel.line_label.text() == "THEO: You came back.", timeout=TIMEOUT_MS)
    assert "listen to THEO" in panel.target_label.text() and not panel.meter.isEnabled()
    qtbot.waitUntil(lambda: panel.state.cue is not None and panel.state.cue.index == 1,
                    timeout=TIMEOUT_MS)
    panel.set_line_display(LineDisplay.INITIALS)
    assert panel.line_label.text() == "I n l."
    panel.set_line_display(LineDisplay.HIDDEN)
    assert "press H" in panel.line_label.text()
    panel.reveal()
    assert panel.line_label.text() == "I never left."
    qtbot.waitUntil(lambda: panel.state.cue is not None and panel.state.cue.index == 2,
                    timeout=TIMEOUT_MS)
    assert panel.line_label.text() == "[She turns to the window]"


def test_a_looped_passage_at_a_faster_pace_records_take_after_take(window_with_script, qtbot, tmp_path):
    window = window_with_script(TIMED)
    rehearsal = window.rehearsal
    assert rehearsal.set_rehearsal(passage=(0, 0), loop=True, pace=1.5)
    assert len(rehearsal.script.cues) == 1 and rehearsal.script.cues[0].end_ms == 1333
    assert rehearsal.pace_actions[1.5].isChecked()
    qtbot.mouseClick(rehearsal.panel.start_button, Qt.MouseButton.LeftButton)
    takes = tmp_path / "takes"
    qtbot.waitUntil(lambda: takes.is_dir() and sum(1 for t in takes.iterdir()
                                                   if (t / "report.json").exists()) >= 2,
                    timeout=60000)
    rehearsal.stop_take()
    # the take running then (the loop's next) ends, and no other starts after it
    qtbot.waitUntil(lambda: window.recording_folder is None and not rehearsal.phase.running,
                    timeout=10000)


def test_the_partner_speaks_with_the_chosen_voice_and_rate_or_not_at_all(
        make_window, qtbot, tmp_path, scene_clip):
    import dataclasses

    from acting_mirror.app import app_services

    made = []

    class Voice:
        available, message = True, ""

        def __init__(self, script, rate=None, voice=None):
            self.rate, self.voice, self.said = rate, voice, []
            made.append(self)

        def follow(self, cue):
            if cue is not None and cue.partner and cue.index not in self.said:
                self.said.append(cue.index)

        def rewind(self):
            self.said = []

        def stop(self):
            pass

        def close(self):
            pass

    base = app_services()
    services = dataclasses.replace(base, parts=dataclasses.replace(base.parts, partner_voice=Voice))
    script_file = tmp_path / "scene.txt"
    script_file.write_text(PARTNER_SCENE, encoding="utf-8")
    window = make_window(script=script_file, services=services)
    window.prefs.takes_dir = tmp_path / "takes"
    rehearsal = window.rehearsal
    rehearsal.countdown.set_interval(30)
    rehearsal._partner_changed(rate=190, voice="en+f3")
    qtbot.waitUntil(lambda: made and made[-1].rate == 190, timeout=TIMEOUT_MS)
    assert made[-1].voice == "en+f3"
    window.open_source(str(scene_clip))
    qtbot.waitUntil(lambda: window.video.frames_shown >= 2, timeout=TIMEOUT_MS)
    qtbot.mouseClick(rehearsal.panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: made[-1].said == [0], timeout=TIMEOUT_MS)  # THEO's line, once

    rehearsal.stop_take()
    qtbot.waitUntil(lambda: window.recording_folder is None, timeout=TIMEOUT_MS)
    rehearsal.partner_speaks_action.setChecked(False)
    qtbot.waitUntil(lambda: window.banner.isVisible() and "voice is off" in window.banner.text,
                    timeout=TIMEOUT_MS)


def test_the_live_cue_speaks_in_face_actions(window_with_script, qtbot):
    """The smiling astronaut on a surprise line: the cue names what the face should do
    ("brows up", "let the jaw drop"...), one instruction, not an emotion."""
    window = window_with_script("0:00-0:02 surprise  Wait, who's that?\n0:02-0:04 neutral  Oh.\n")
    rehearsal, panel = window.rehearsal, window.rehearsal.panel
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.state is not None and panel.state.coach is not None,
                    timeout=TIMEOUT_MS)
    cue = panel.hint_label.text().lower()
    assert "surprise" not in cue and any(w in cue for w in ("brow", "jaw", "eye", "smile", "mouth"))
    assert "," not in cue and ";" not in cue  # one instruction
