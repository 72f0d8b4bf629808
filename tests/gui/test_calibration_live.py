"""The routine in the real window, fed by the real session: the dialog shows the live
picture, turns the face detail on when it was off, and records the main face's
blendshapes from the face mesh (every analysed frame, through the worker's points)."""

from __future__ import annotations

import pytest

TIMEOUT_MS = 30000


@pytest.fixture(scope="module")
def long_scene(make_scene):
    return make_scene(seconds=9, switch_s=9, fps=10)  # the astronaut, longer than a step


def test_the_routine_records_the_live_main_face_with_face_detail(make_window, qtbot, long_scene):
    window = make_window(detector="haar")
    window.menus.detail_action.setChecked(False)  # the user had switched the mesh off
    assert not window.prefs.face_detail
    window.open_source(str(long_scene))
    qtbot.waitUntil(lambda: window.video.frames_shown >= 2, timeout=TIMEOUT_MS)
    dialog = window.rehearsal.calibrate()
    assert window.rehearsal.calibration_dialog is dialog
    assert "turns it on" in dialog.detail_label.text()
    qtbot.waitUntil(lambda: dialog.video.frames_shown >= 2, timeout=TIMEOUT_MS)  # live picture
    dialog.actor_edit.setCurrentText("Ann")
    dialog.countdown.set_interval(20)
    dialog.start_button.click()
    assert window.prefs.face_detail and window.menus.detail_action.isChecked()
    qtbot.waitUntil(lambda: dialog.phase == "check", timeout=TIMEOUT_MS)
    rec = dialog.controller.recording
    assert rec.face_share > 0.8 and rec.detail_share > 0.5
    assert dialog.controller.check().ok, dialog.check_label.text()
    assert "Neutral recorded" in dialog.check_label.text()
    shown = dialog.video.frames_shown
    qtbot.waitUntil(lambda: dialog.video.frames_shown > shown, timeout=TIMEOUT_MS)  # still live
    dialog.reject()
    qtbot.waitUntil(lambda: window.rehearsal.calibration_dialog is None, timeout=5000)
    assert dialog.show_picture not in window.picture_observers
    assert window.rehearsal.profiles.list() == []


def test_with_the_mesh_detector_the_routine_needs_no_switch(make_window, qtbot):
    window = make_window()  # the mesh detector, the app's first
    assert window.detector == "mesh" and not window.prefs.face_detail
    dialog = window.rehearsal.calibrate()
    assert dialog.face_detail_on and "turns it on" not in dialog.detail_label.text()
    dialog.reject()
    qtbot.waitUntil(lambda: window.rehearsal.calibration_dialog is None, timeout=5000)
