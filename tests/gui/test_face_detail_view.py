"""The live window reads the main face in muscle terms too: the face detail view, the
"Mesh (detail)" detector, and a source that ends early says so."""

from __future__ import annotations

import pytest

from acting_mirror.config import DETECTORS
from acting_mirror.gui.window_bars import DETECTOR_LABELS

TIMEOUT_MS = 30000


def test_the_face_detail_view_shows_the_smiling_astronaut(make_window, qtbot, face_clip):
    window = make_window()  # the app starts with the mesh detector
    assert window.detector == "mesh"
    window.open_source(str(face_clip), loop=True)
    qtbot.waitUntil(lambda: bool(window.face_detail.rows), timeout=TIMEOUT_MS)
    regions = dict(window.face_detail.rows)
    assert list(regions) == ["brows", "eyes", "cheeks", "nose", "mouth", "jaw"]
    mouth = dict(regions["mouth"])
    assert mouth.get("smile", 0) > 0.4  # the astronaut smiles


def test_mesh_is_offered_and_reads_every_face(make_window, qtbot, face_clip):
    assert "mesh" in DETECTORS and DETECTOR_LABELS["mesh"] == "Mesh (detail)"
    window = make_window(detector="mesh")
    window.open_source(str(face_clip), loop=True)
    qtbot.waitUntil(lambda: bool(window.face_detail.rows), timeout=TIMEOUT_MS)
    assert window.detector_combo.currentData() == "mesh"


def test_a_truncated_file_says_it_ended_early(make_window, qtbot, tmp_path, face_clip):
    data = face_clip.read_bytes()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    window = make_window()
    window.open_source(str(cut))
    qtbot.waitUntil(lambda: window.banner.isVisible() and "truncated" in window.banner.text,
                    timeout=TIMEOUT_MS)
    assert window.banner.level == "warning"


def test_a_dark_picture_gets_a_steady_note_to_fix_the_light(make_window, qtbot, tmp_path,
                                                            make_clip, astronaut_bgr):
    dark = (astronaut_bgr * 0.2).astype("uint8")  # still found, but too dark to read well
    clip = make_clip(tmp_path / "dark.avi", [dark] * 40, 10)
    window = make_window()
    window.open_source(str(clip), loop=True)
    qtbot.waitUntil(lambda: window.video.note is not None and "light" in window.video.note,
                    timeout=TIMEOUT_MS)


def test_drawing_the_face_mesh_is_a_view_setting_kept_off_by_default(make_window, qtbot, face_clip):
    window = make_window(detector="mesh")
    assert not window.prefs.draw_mesh and not window.menus.mesh_action.isChecked()
    window.open_source(str(face_clip), loop=True)
    qtbot.waitUntil(lambda: bool(window.face_detail.rows), timeout=TIMEOUT_MS)
    window.menus.mesh_action.setChecked(True)
    assert window.prefs.draw_mesh
    shown = window.video.frames_shown
    qtbot.waitUntil(lambda: window.video.frames_shown > shown + 3, timeout=TIMEOUT_MS)


def test_with_haar_face_detail_is_a_switch_off_by_default(make_window, qtbot, face_clip):
    """Haar is the fast choice: the mesh on its main face is View › Face detail, off until
    switched on; then the view reads the main face."""
    window = make_window(detector="haar")
    assert not window.prefs.face_detail and not window.menus.detail_action.isChecked()
    window.open_source(str(face_clip), loop=True)
    qtbot.waitUntil(lambda: window.faces_label.text() == "Faces 1", timeout=TIMEOUT_MS)
    assert not window.face_detail.rows
    window.menus.detail_action.setChecked(True)
    qtbot.waitUntil(lambda: bool(window.face_detail.rows), timeout=TIMEOUT_MS)
    assert dict(dict(window.face_detail.rows)["mouth"]).get("smile", 0) > 0.4
