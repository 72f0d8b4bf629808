"""The main window as a user meets it: no camera here, the demo clip, live curves,
detector switching, takes, bad links, and closing."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtCore import Qt

from acting_mirror.config import demo_clip
from acting_mirror.core.timeline import read_timeline
from acting_mirror.gui.preferences import Preferences
from acting_mirror.gui.worker import StartRecording

FRAMES_TIMEOUT_MS = 20000


def _wait_frames(qtbot, window, n: int) -> None:
    start = window.video.frames_shown
    qtbot.waitUntil(lambda: window.video.frames_shown >= start + n, timeout=FRAMES_TIMEOUT_MS)


def test_opens_titled_acting_mirror_with_the_no_camera_state(make_window):
    window = make_window()
    window.start()
    assert window.windowTitle() == "Acting Mirror"
    assert window.showing_empty_state
    assert window.empty_state.isVisible()
    assert "No camera" in window.empty_state.title.text()
    assert window.empty_state.demo_button.isVisible()
    assert window.empty_state.file_button.isVisible()
    assert window.empty_state.url_edit.isVisible()
    assert not window.camera_combo.isEnabled()
    assert window.camera_combo.currentText() == "No camera found"
    assert not window.play_button.isEnabled() and not window.record_button.isEnabled()


def test_demo_shows_frames_counts_faces_and_moves_the_curves(make_window, qtbot):
    window = make_window()
    window.start()
    qtbot.mouseClick(window.empty_state.demo_button, Qt.MouseButton.LeftButton)
    _wait_frames(qtbot, window, 5)
    assert not window.showing_empty_state
    assert window.source_info.loop and window.source_info.name == demo_clip().name
    assert not window.mirror_button.isEnabled()  # mirroring is for cameras, not films
    # the 960x540 film, made at the view's size by the worker (never larger than itself)
    image = window.video.image
    view_w, view_h = window.video.device_size()
    assert image.width() <= 960 and image.height() <= 540
    assert image.width() / image.height() == pytest.approx(960 / 540, abs=0.01)
    assert abs(image.width() - min(960, view_w)) <= 1 or abs(image.height() - min(540, view_h)) <= 1

    qtbot.waitUntil(lambda: window.plots.curve_data("happy")[0].size >= 3, timeout=FRAMES_TIMEOUT_MS)
    x1, y1 = window.plots.curve_data("happy")
    _wait_frames(qtbot, window, 5)
    qtbot.waitUntil(lambda: window.plots.curve_data("happy")[0].size > x1.size, timeout=FRAMES_TIMEOUT_MS)
    x2, y2 = window.plots.curve_data("happy")
    assert x2.size > x1.size  # the curve moved on
    assert x2.max() == 0.0 and x2.min() >= -window.plots.window_s - 0.5  # newest point at "now"
    # the astronaut smiles: the happy curve is high, and the bars show this frame
    assert np.nanmax(y2) > 0.5
    assert window.plots.bar_heights().sum() == pytest.approx(1.0, abs=0.02)
    qtbot.waitUntil(lambda: window.faces_label.text() == "Faces 1", timeout=5000)
    assert window.analysed_label.text().startswith("Analysed ")


def test_space_pauses_and_resumes(make_window, qtbot):
    window = make_window(source="demo")
    window.start()
    _wait_frames(qtbot, window, 2)
    qtbot.waitUntil(lambda: window.playing, timeout=5000)
    assert window.play_button.text().endswith("Pause")

    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not window.playing, timeout=5000)
    assert window.play_button.text().endswith("Play") and window.video.note == "Paused"
    shown = window.video.frames_shown
    qtbot.wait(300)
    assert window.video.frames_shown <= shown + 1  # at most the frame already on its way

    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.playing, timeout=5000)
    _wait_frames(qtbot, window, 2)
    assert window.video.note is None


def test_detector_switches_live(make_window, qtbot):
    window = make_window(source="demo", detector="haar")
    window.start()
    _wait_frames(qtbot, window, 3)
    assert window.detector_label.text() == "Detector: Haar"

    index = window.detector_combo.findData("mtcnn")
    window.detector_combo.setCurrentIndex(index)
    window.detector_combo.activated.emit(index)  # what a user's pick emits
    qtbot.waitUntil(lambda: window.detector_label.text() == "Detector: MTCNN", timeout=10000)
    assert window.detector == "mtcnn"
    assert Preferences().detector == "mtcnn"  # remembered for next time
    # frames keep coming, analysed by the new detector, and the face is still found
    _wait_frames(qtbot, window, 3)
    qtbot.waitUntil(lambda: window.stats.faces >= 1, timeout=10000)


def test_a_recorded_take_plays_back_with_every_frame(count_frames, make_window, qtbot, tmp_path):
    window = make_window()
    window.prefs.takes_dir = tmp_path / "takes"
    window.open_source(str(demo_clip()))  # the demo as a plain file: paced, every frame
    _wait_frames(qtbot, window, 2)

    library = window.rehearsal.show_library()  # open beside the window while recording
    assert sum(len(g.takes) for g in library.groups) == 0
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.recording_folder is not None, timeout=5000)
    assert window.elapsed_label.isVisible()
    assert window.record_button.text().endswith("Stop")
    qtbot.waitUntil(lambda: window.recorded_frames >= 8, timeout=FRAMES_TIMEOUT_MS)
    window.stop_recording()
    qtbot.waitUntil(lambda: window.last_take is not None, timeout=10000)

    take = window.last_take
    assert take.error is None and take.frames >= 8
    assert take.folder.parent == tmp_path / "takes"
    assert [t.folder for g in library.groups for t in g.takes] == [take.folder]  # listed at once
    library.close()
    assert {p.name for p in take.folder.iterdir()} >= {"output.avi", "timeline.csv", "summary.json"}
    table = read_timeline(take.folder / "timeline.csv")
    frames = np.unique(table.frame)
    assert count_frames(take.folder / "output.avi") == take.frames
    assert frames.size == take.frames  # a face in every frame of the astronaut's part
    assert np.array_equal(frames, np.arange(frames[0], frames[0] + take.frames))  # none dropped
    assert take.summary["frames"] == take.frames
    assert "Take saved" in window.banner.text and window.banner.action_button.isVisible()
    assert window.banner.action_button.text() == "Review this take"
    assert window.banner.second_button.text() == "Open folder"
    assert window.banner.second_button.isVisible()
    assert not window.elapsed_label.isVisible()
    window.banner.action_button.click()  # the unscripted take opens in the review
    review = window.rehearsal.reviews[-1]
    assert review.isVisible() and review.folder == take.folder
    review.close()
    review.shutdown()

    # a second take never reuses the first one's folder
    window.start_recording()
    qtbot.waitUntil(lambda: window.recording_folder is not None, timeout=5000)
    second = window.recording_folder
    qtbot.waitUntil(lambda: window.recorded_frames >= 2, timeout=FRAMES_TIMEOUT_MS)
    window.stop_recording()
    qtbot.waitUntil(lambda: window.last_take.folder == second, timeout=10000)
    assert second != take.folder and (take.folder / "output.avi").is_file()


def test_a_file_recorded_from_its_first_frame_to_its_end_keeps_every_frame(
    count_frames, make_window, qtbot, tmp_path, face_clip
):
    window = make_window()
    window.open_source(str(face_clip))
    window.worker.send(StartRecording(tmp_path / "takes"))  # before the first frame
    qtbot.waitUntil(lambda: window.last_take is not None, timeout=FRAMES_TIMEOUT_MS)
    take = window.last_take
    assert take.frames == 15  # the end of the file finalised the take
    assert count_frames(take.folder / "output.avi") == 15
    assert np.array_equal(np.unique(read_timeline(take.folder / "timeline.csv").frame), np.arange(15))
    qtbot.waitUntil(lambda: window.video.note is not None and not window.playing, timeout=5000)
    assert window.video.note.startswith("End of the video")
    assert "Play" in window.play_button.text()


def test_a_bad_link_shows_a_message_and_the_app_carries_on(make_window, qtbot):
    window = make_window()
    window.start()
    window.empty_state.url_edit.setText("http://127.0.0.1:9/x.mp4")
    qtbot.mouseClick(window.empty_state.url_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "127.0.0.1:9" in window.empty_state.message.text(), timeout=30000)
    assert window.showing_empty_state  # nothing else was playing
    # said once, where the user looks: not again in a banner and the status bar
    assert not window.banner.isVisible()
    assert "127.0.0.1:9" not in window.statusBar().currentMessage()

    window.play_demo()
    _wait_frames(qtbot, window, 3)
    assert not window.showing_empty_state
    assert not window.banner.isVisible()  # the error went away with a working source


def test_a_camera_that_is_not_there_is_explained_in_the_window(make_window, qtbot):
    window = make_window(source="camera:7")
    window.start()
    qtbot.waitUntil(lambda: "camera" in window.empty_state.message.text().lower(), timeout=10000)
    assert window.showing_empty_state and window.empty_state.demo_button.isVisible()
    assert not window.banner.isVisible()


def test_an_unwritable_takes_folder_is_reported_and_playing_goes_on(make_window, qtbot, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the takes folder should be")
    window = make_window(source="demo")
    window.prefs.takes_dir = blocker / "takes"
    window.start()
    _wait_frames(qtbot, window, 2)
    window.start_recording()
    qtbot.waitUntil(lambda: window.banner.level == "error", timeout=10000)
    assert "Cannot record" in window.banner.text
    assert window.recording_folder is None and window.record_button.isEnabled()
    _wait_frames(qtbot, window, 3)  # still playing


def _recording_the_demo(make_window, qtbot, tmp_path):
    """A window playing the demo and recording it, three frames in."""
    window = make_window(source="demo")
    window.prefs.takes_dir = tmp_path / "takes"
    window.start()
    _wait_frames(qtbot, window, 2)
    window.start_recording()
    qtbot.waitUntil(lambda: window.recorded_frames >= 3, timeout=FRAMES_TIMEOUT_MS)
    return window


def test_switching_source_finalises_the_take(make_window, qtbot, tmp_path, face_clip):
    window = _recording_the_demo(make_window, qtbot, tmp_path)
    window.open_source(str(face_clip))
    qtbot.waitUntil(lambda: window.last_take is not None, timeout=10000)
    assert window.last_take.frames >= 3
    assert (window.last_take.folder / "summary.json").is_file()
    qtbot.waitUntil(lambda: window.source_info.name == face_clip.name, timeout=10000)


def test_closing_while_recording_finalises_the_take_and_stops_every_thread(
    count_frames, make_window, qtbot, tmp_path
):
    window = make_window(source="demo")
    window.prefs.takes_dir = tmp_path / "takes"
    window.start()
    _wait_frames(qtbot, window, 2)
    window.start_recording()
    qtbot.waitUntil(lambda: window.recorded_frames >= 3, timeout=FRAMES_TIMEOUT_MS)
    folder = window.recording_folder
    window.close()

    assert not window.worker.running
    assert not any(t.isActive() for t in (window.plot_timer, window.status_timer,
                                          window.elapsed_timer, window.stats_timer))
    names = [t.name for t in threading.enumerate() if not isinstance(t, threading._DummyThread)]
    assert names == ["MainThread"]
    assert (folder / "summary.json").is_file()
    assert count_frames(folder / "output.avi") == len(np.unique(read_timeline(folder / "timeline.csv").frame))


def test_preferences_persist_between_runs(make_window, qtbot, tmp_path):
    window = make_window()
    window.set_mirror(False)
    window.set_plot_window(30)
    window.set_bars_visible(False)
    window.prefs.takes_dir = tmp_path / "my takes"
    window.open_source("demo", loop=True)
    qtbot.waitUntil(lambda: window.source_info is not None, timeout=10000)
    window.close()

    prefs = Preferences()
    assert (prefs.mirror, prefs.plot_seconds, prefs.show_bars) == (False, 30, False)
    assert prefs.takes_dir == tmp_path / "my takes"
    assert prefs.last_source == "demo" and prefs.recent_sources[0] == "demo"

    again = make_window()
    assert not again.mirror_action.isChecked() and not again.mirror_button.isChecked()
    assert again.plot_window_actions[30].isChecked() and again.plots.window_s == 30
    assert not again.bars_action.isChecked()
    assert [a.text() for a in again.recent_menu.actions()][0] == "Demo clip"


def test_about_names_the_model_its_accuracy_and_limits(make_window):
    text = make_window().about_text()
    assert "emotion_mini_xception.tflite" in text
    assert "66%" in text and "FER2013" in text
    assert "never as a" in text and "judge" in text
    assert "never leaves" in text


def test_the_calibrated_switch_is_kept_with_the_windows_own_preferences(make_window, tmp_path):
    from PySide6.QtCore import QSettings

    ini = str(tmp_path / "own.ini")
    window = make_window(prefs=Preferences(QSettings(ini, QSettings.Format.IniFormat)))
    window.rehearsal.panel.calibrated_check.setChecked(True)
    assert Preferences(QSettings(ini, QSettings.Format.IniFormat)).calibrated
    assert not Preferences().calibrated  # the injected settings, not the user's


def test_pictures_are_made_for_the_largest_view_showing_them(make_window, qtbot):
    """The worker scales pictures to the video view; while the calibration is open with a
    larger view of its own, to that one, so neither is upscaled; on closing, back."""
    window = make_window()
    worker = window.worker.worker
    assert worker.display_fit == window.video.device_size()
    dialog = window.rehearsal.calibrate()
    qtbot.waitUntil(lambda: dialog.isVisible(), timeout=5000)
    main = window.video.device_size()
    dialog.video.setMinimumSize(main[0] + 40, main[1] + 40)
    dialog.resize(main[0] + 400, main[1] + 300)
    qtbot.waitUntil(lambda: worker.display_fit == dialog.video.device_size(), timeout=5000)
    assert worker.display_fit[0] * worker.display_fit[1] > main[0] * main[1]
    dialog.reject()
    qtbot.waitUntil(lambda: worker.display_fit == window.video.device_size(), timeout=5000)
