"""Reviewing a real take (made by app.process_to_take from real photos): video, curves,
script shading and report in sync; seeking, stepping, clicking the plot; scoring a take
that has no report yet."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from acting_mirror.app import process_to_take
from acting_mirror.core.calibration import ProfileStore, calibrate
from acting_mirror.core.palette import emotion_color_hex
from acting_mirror.core.report import report_for_take
from acting_mirror.core.script import parse_script
from acting_mirror.core.timeline import read_timeline
from acting_mirror.core.types import EMOTIONS
from acting_mirror.controllers.review import open_take
from acting_mirror.gui.review import ReviewWindow
from acting_mirror.core.take_script import write_take_script

FPS = 10
SCRIPT = """\
# astronaut smiles for 2 s, then Grace Hopper looks on calmly for 2 s
0:00-0:02 happy    Look at that view!
0:02-0:04 neutral  The numbers don't add up.
"""


def _square(image: np.ndarray, size: int = 320) -> np.ndarray:
    h, w = image.shape[:2]
    side = min(h, w)
    y, x = (h - side) // 2, (w - side) // 2
    return cv2.resize(image[y : y + side, x : x + side], (size, size), interpolation=cv2.INTER_AREA)


@pytest.fixture(scope="module")
def take_dir(tmp_path_factory, make_clip, _photos):
    """A take of 40 frames at 10 fps: 2 s of the smiling astronaut, 2 s of Grace Hopper;
    a bright bar along the bottom moves every frame, so every frame looks different."""
    astronaut, hopper = _square(_photos["astronaut"]), _square(_photos["grace_hopper"])
    frames = []
    for i in range(4 * FPS):
        frame = (astronaut if i < 2 * FPS else hopper).copy()
        x = (i * 8) % 300
        frame[-10:, x : x + 20] = 255
        frames.append(frame)
    root = tmp_path_factory.mktemp("review")
    clip = make_clip(root / "scene.avi", frames, FPS)
    outcome = process_to_take(str(clip), out_dir=root / "take", takes_root=root)
    assert outcome.frames == 40
    return outcome.folder


@pytest.fixture
def review(qtbot, take_dir, tmp_path):
    def open_review(folder=take_dir, **kwargs):
        window = ReviewWindow(folder, **kwargs)
        qtbot.addWidget(window)
        window.show()
        return window

    yield open_review
    # windows close (timer stopped, video released) via qtbot; make sure of the reader
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, ReviewWindow):
            widget.shutdown()


def _decoded_frames(path) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, image = cap.read()
        if not ok:
            break
        frames.append(image)
    cap.release()
    return frames


def _shown(window) -> np.ndarray:
    image = window.video.image.convertToFormat(window.video.image.Format.Format_BGR888)
    w, h = image.width(), image.height()
    data = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.bytesPerLine() * h)
    return data.reshape(h, image.bytesPerLine())[:, : w * 3].reshape(h, w, 3).copy()


@pytest.fixture(scope="module")
def scored_take(take_dir, tmp_path_factory):
    """The same take, copied and scored against SCRIPT (report.json, script.txt)."""
    import shutil

    folder = tmp_path_factory.mktemp("scored") / "take"
    shutil.copytree(take_dir, folder)
    script = parse_script(SCRIPT, name="scene.txt")
    report_for_take(folder, script)
    write_take_script(folder, script, original_text=SCRIPT)
    return folder


def test_seeking_shows_that_frame_and_moves_the_cursor_to_its_time(review, scored_take, qtbot):
    window = review(scored_take)
    frames = _decoded_frames(scored_take / "output.avi")
    table = read_timeline(scored_take / "timeline.csv")
    assert window.take.n_frames == len(frames) == 40
    assert window.current == 0 and np.array_equal(_shown(window), frames[0])

    for k in (17, 3, 39, 25):
        window.seek(k)
        assert window.current == k
        assert np.array_equal(_shown(window), frames[k])
        assert not np.array_equal(frames[k], frames[k - 1])  # the frames really differ
        time_ms = int(table.time_ms[table.frame == k][0])
        assert window.cursor_time_ms == pytest.approx(time_ms, abs=0.5)
        assert window.slider.value() == k
        assert f"frame {k + 1}/40" in window.time_label.text()

    # frame by frame: buttons and the , and . keys
    window.seek(10)
    qtbot.mouseClick(window.forward_button, Qt.MouseButton.LeftButton)
    assert window.current == 11 and np.array_equal(_shown(window), frames[11])
    qtbot.mouseClick(window.back_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.back_button, Qt.MouseButton.LeftButton)
    assert window.current == 9 and np.array_equal(_shown(window), frames[9])
    window.windowHandle().requestActivate()  # the keys are window shortcuts
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_Period)
    qtbot.keyClick(window, Qt.Key.Key_Period)
    assert window.current == 11
    qtbot.keyClick(window, Qt.Key.Key_Comma)
    assert window.current == 10 and np.array_equal(_shown(window), frames[10])

    # the slider seeks too
    window.slider.setValue(30)
    assert window.current == 30 and np.array_equal(_shown(window), frames[30])


def test_a_click_on_the_curves_seeks_there(review, scored_take, qtbot):
    window = review(scored_take)
    window.resize(1200, 800)
    qtbot.waitExposed(window)
    target_ms = 2500.0
    point = window.plot_point_for(target_ms)
    qtbot.mouseClick(window.plot.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert abs(window.current_time_ms - target_ms) <= 1000 / FPS
    assert window.current == 25 or abs(window.current - 25) <= 1
    assert window.cursor_time_ms == pytest.approx(window.current_time_ms)


def test_playing_moves_on_by_itself_and_stops_at_the_end(review, scored_take, qtbot):
    window = review(scored_take)
    window.seek(35)
    qtbot.mouseClick(window.play_button, Qt.MouseButton.LeftButton)
    assert window.playing and "Pause" in window.play_button.text()
    qtbot.waitUntil(lambda: window.current == 39 and not window.playing, timeout=5000)
    assert "Play" in window.play_button.text()


def test_the_report_and_the_script_are_shown_beside_the_take(review, scored_take):
    window = review(scored_take)
    assert window.side.currentWidget() is window._report_page
    view = window.report_view
    assert view.verdicts() == ["hit", "hit"]  # the astronaut smiles, Grace Hopper is calm
    assert view.cell_text(0, "Line") == "Look at that view!"
    assert view.cell_text(0, "Verdict") == "hit"
    assert "66%" in view.disclaimer_label.text() and "rehearsal aid" in view.disclaimer_label.text()
    assert window.regions.regions() == [(0.0, 2.0), (2.0, 4.0)]
    assert window.regions.region_colors() == [emotion_color_hex("happy").lower(),
                                              emotion_color_hex("neutral").lower()]
    window.seek(5)
    assert "Line 1" in window.now_label.text() and "happy" in window.now_label.text()
    # double-clicking a line of the report jumps to it
    window.report_view.lineActivated.emit(1)
    assert window.current_time_ms == pytest.approx(2000, abs=1000 / FPS)
    # the curves show the whole take
    x, y = window.curves[EMOTIONS.index("happy")].getData()
    assert x.min() == pytest.approx(0.0) and x.max() == pytest.approx(3.9, abs=0.01)


def test_a_take_without_a_report_can_be_scored_from_the_review(review, take_dir, tmp_path):
    import shutil

    folder = tmp_path / "take"
    shutil.copytree(take_dir, folder)
    script_file = tmp_path / "scene.txt"
    script_file.write_text(SCRIPT, encoding="utf-8")
    window = review(folder, script_chooser=lambda: script_file)
    assert window.side.currentWidget() is window._empty_page
    assert not window.score_own_button.isVisible()
    assert window.regions.regions() == []

    window.score_button.click()
    assert window.side.currentWidget() is window._report_page
    assert window.report_view.verdicts() == ["hit", "hit"]
    assert (folder / "report.json").is_file() and (folder / "report.html").is_file()
    assert (folder / "script.txt").is_file()
    assert len(window.regions.regions()) == 2
    assert open_take(folder).report.score == pytest.approx(window.report.score, abs=1e-4)


def test_the_calibrated_switch_rescores_the_take_for_comparison(review, scored_take, tmp_path):
    # an actor whose relaxed face reads mostly neutral-and-happy: calibrating against it
    # makes the astronaut's smile count less, so the view changes (the file does not)
    store = ProfileStore(tmp_path / "data")
    rows = np.tile(np.array([0.02, 0.01, 0.02, 0.45, 0.02, 0.03, 0.45]), (10, 1))
    store.save(calibrate(rows, actor="Ada"))
    window = review(scored_take, profiles=store)
    saved = window.report
    assert not saved.calibrated and window.actor_combo.count() == 2
    window.set_calibrated(True, actor="Ada")
    assert window.calibration is not None and window.report.calibrated
    assert "calibration" in window.report_note.text()
    happy = EMOTIONS.index("happy")
    _, y_cal = window.curves[happy].getData()
    window.set_calibrated(False)
    _, y_raw = window.curves[happy].getData()
    assert np.nanmean(y_cal) < np.nanmean(y_raw)
    assert window.report is saved and not window.report_note.isVisible()


def test_the_face_detail_follows_the_frame_shown(review, tmp_path_factory, make_clip, _photos, qtbot):
    from acting_mirror.config import AnalysisSettings

    astronaut, hopper = _square(_photos["astronaut"]), _square(_photos["grace_hopper"])
    root = tmp_path_factory.mktemp("detail")
    clip = make_clip(root / "two.avi", [astronaut] * 10 + [hopper] * 10, FPS)
    outcome = process_to_take(str(clip), out_dir=root / "take", takes_root=root,
                              settings=AnalysisSettings(face_detail=True))
    window = review(outcome.folder)
    window.seek(3)
    smile_astronaut = dict(dict(window.face_detail.rows)["mouth"]).get("smile", 0)
    window.seek(17)
    smile_hopper = dict(dict(window.face_detail.rows)["mouth"]).get("smile", 0)
    assert smile_astronaut > 0.5 > smile_hopper


def test_a_take_without_the_mesh_says_so_in_the_face_detail(review, take_dir):
    window = review(take_dir)
    window.seek(3)
    assert window.face_detail.rows == []


@pytest.mark.tools
def test_why_this_reading_shows_a_grad_cam_over_the_main_face(review, take_dir, qtbot):
    window = review(take_dir)
    window.seek(5)  # the smiling astronaut
    job = window.explain_frame()
    assert job is not None and not window.explain_button.isEnabled()
    qtbot.waitUntil(lambda: getattr(window, "explanation", None) is not None
                    or "Cannot explain" in window.now_label.text(), timeout=120000)
    job.thread.join(10)
    assert window.explanation is not None, window.now_label.text()
    picture = window.explanation.picture
    assert picture.ndim == 3 and picture.std() > 5  # a real heat map, not a flat colour
    assert window.explain_button.isEnabled()
    window.explanation.close()
