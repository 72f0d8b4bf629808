"""MTCNN on LiteRT finds the faces people see, where they are, without TensorFlow.

Real weights and real photos throughout; the tests marked ``tools`` also run the
reference ``mtcnn`` package on TensorFlow and hold the LiteRT cascade to it.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import cv2
import numpy as np
import pytest

from acting_mirror.core.ports import FaceDetector
from acting_mirror.core.types import Box, Face
from acting_mirror.errors import DependencyError, ModelError
from acting_mirror.vision.mtcnn import ONET_FILE, PNET_FILE, RNET_FILE, MtcnnDetector

# Where the faces are, measured once by eye on the photos (x1, y1, x2, y2).
ASTRONAUT_FACE = Box.from_xyxy(175, 55, 275, 180)
HOPPER_FACE = Box.from_xyxy(170, 100, 360, 340)


@pytest.fixture(scope="module")
def detector() -> MtcnnDetector:
    return MtcnnDetector()


@pytest.fixture(scope="module")
def package_detector():
    from acting_mirror.vision.mtcnn_reference import MtcnnPackageDetector

    return MtcnnPackageDetector(min_face_size=20)


def _mosaic(faces: np.ndarray, cols: int, rows: int, side: int, size=(1280, 720)):
    """Gray LFW faces upscaled to ``side`` px, one per cell of a ``size`` canvas."""
    width, height = size
    canvas = np.full((height, width, 3), 90, dtype=np.uint8)
    cell_w, cell_h = width // cols, height // rows
    cells = []
    for i, face in enumerate(faces[: cols * rows]):
        r, c = divmod(i, cols)
        x = c * cell_w + (cell_w - side) // 2
        y = r * cell_h + (cell_h - side) // 2
        canvas[y : y + side, x : x + side] = cv2.resize(face, (side, side), interpolation=cv2.INTER_CUBIC)[..., None]
        cells.append(Box(c * cell_w, r * cell_h, cell_w, cell_h))
    return canvas, cells


def _inside(point, box: Box) -> bool:
    return box.x <= point[0] < box.x2 and box.y <= point[1] < box.y2


def _assert_well_formed(faces, image: np.ndarray) -> None:
    height, width = image.shape[:2]
    for face in faces:
        assert isinstance(face, Face)
        assert face.box.w >= 1 and face.box.h >= 1
        assert face.box.x >= 0 and face.box.y >= 0
        assert face.box.x2 <= width and face.box.y2 <= height
        assert 0.0 <= face.score <= 1.0
        assert face.landmarks is not None and len(face.landmarks) == 5
        assert all(len(p) == 2 and all(isinstance(v, float) for v in p) for p in face.landmarks)


def _assert_face_shape(face: Face) -> None:
    """Eyes above the nose above the mouth; left (image-left) before right; all in the box."""
    left_eye, right_eye, nose, mouth_left, mouth_right = face.landmarks
    assert left_eye[0] < right_eye[0] and mouth_left[0] < mouth_right[0]
    assert max(left_eye[1], right_eye[1]) < nose[1] < min(mouth_left[1], mouth_right[1])
    assert all(_inside(p, face.box) for p in face.landmarks)


def test_is_a_face_detector_named_mtcnn(detector):
    assert isinstance(detector, FaceDetector)
    assert detector.name == "mtcnn"


def test_finds_the_astronaut_with_her_landmarks(detector, astronaut_bgr):
    faces = detector.detect(astronaut_bgr)
    assert len(faces) == 1
    face = faces[0]
    assert face.score >= 0.9
    assert face.box.iou(ASTRONAUT_FACE) >= 0.6
    _assert_well_formed(faces, astronaut_bgr)
    _assert_face_shape(face)


def test_finds_grace_hopper(detector, grace_hopper_bgr):
    faces = detector.detect(grace_hopper_bgr)
    assert len(faces) == 1
    assert faces[0].score >= 0.9
    assert faces[0].box.iou(HOPPER_FACE) >= 0.6
    _assert_face_shape(faces[0])


def test_finds_no_face_in_a_coffee_cup_or_a_cat(detector, faceless_bgr):
    from skimage import data

    cat = np.ascontiguousarray(data.chelsea()[:, :, ::-1])
    assert detector.detect(faceless_bgr) == ()
    assert detector.detect(cat) == ()


def test_finds_every_face_of_a_mosaic_once(detector, lfw_faces):
    canvas, cells = _mosaic(lfw_faces[:8], cols=4, rows=2, side=160)
    faces = detector.detect(canvas)
    assert len(faces) == 8
    for cell in cells:
        inside = [f for f in faces if _inside(f.box.center, cell)]
        assert len(inside) == 1
        assert inside[0].score >= 0.9
    _assert_well_formed(faces, canvas)


def test_finds_faces_in_a_gray_photo(detector, astronaut_bgr):
    gray = cv2.cvtColor(astronaut_bgr, cv2.COLOR_BGR2GRAY)
    as_bgr = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    for image in (as_bgr, gray):
        faces = detector.detect(image)
        assert len(faces) == 1
        assert faces[0].box.iou(ASTRONAUT_FACE) >= 0.6


@pytest.mark.parametrize("cut", ["left", "right"])
def test_a_face_cut_by_the_frame_edge_is_clamped(detector, astronaut_bgr, cut):
    image = astronaut_bgr[:, 220:] if cut == "left" else astronaut_bgr[:, :240]
    image = np.ascontiguousarray(image)
    faces = detector.detect(image)
    assert len(faces) == 1
    _assert_well_formed(faces, image)
    box = faces[0].box
    assert box.x == 0 if cut == "left" else box.x2 == image.shape[1]
    assert box.h >= 80  # the whole height of the face, though only part of its width


@pytest.mark.parametrize(
    "shape", [(0, 0, 3), (1, 1, 3), (5, 7, 3), (11, 11, 3), (12, 12, 3), (13, 40, 3), (720, 1280, 3), (64, 48)]
)
@pytest.mark.parametrize("value", [0, 255])
def test_tiny_and_blank_images_give_no_face(detector, shape, value):
    assert detector.detect(np.full(shape, value, dtype=np.uint8)) == ()


def test_rejects_what_is_not_a_uint8_image(detector, astronaut_bgr):
    with pytest.raises(ValueError):
        detector.detect(astronaut_bgr.astype(np.float32))


def test_results_do_not_depend_on_what_came_before(astronaut_bgr, grace_hopper_bgr):
    detector = MtcnnDetector(min_face_size=20)
    first = detector.detect(astronaut_bgr)
    detector.detect(grace_hopper_bgr)  # other sizes reuse the same rounded-up inputs
    detector.detect(np.ascontiguousarray(astronaut_bgr[:500, :505]))
    assert detector.detect(astronaut_bgr) == first


def test_a_size_range_finds_the_face_it_covers_and_only_that(detector, astronaut_bgr):
    (face,) = detector.detect_sized(astronaut_bgr, 60, 160)
    assert face.box.iou(ASTRONAUT_FACE) >= 0.6
    assert detector.detect_sized(astronaut_bgr, 12, 30) == ()


def test_finds_a_small_face_in_a_720p_frame_only_above_its_minimum(astronaut_bgr):
    frame = np.full((720, 1280, 3), 60, dtype=np.uint8)
    small = cv2.resize(astronaut_bgr, (256, 256), interpolation=cv2.INTER_AREA)  # face ~55 px
    frame[300:556, 700:956] = small
    (face,) = MtcnnDetector(min_face_size=40).detect(frame)
    assert _inside(face.box.center, Box(700, 300, 256, 256))
    assert MtcnnDetector(min_face_size=120).detect(frame) == ()


def test_missing_or_broken_models_are_a_model_error(tmp_path, detector):
    with pytest.raises(ModelError, match="mtcnn_pnet.tflite"):
        MtcnnDetector(models_dir=tmp_path)
    from acting_mirror.config import models_dir

    for name in (PNET_FILE, RNET_FILE, ONET_FILE):
        (tmp_path / name).write_bytes((models_dir() / name).read_bytes())
    (tmp_path / ONET_FILE).write_bytes(b"not a flatbuffer")
    with pytest.raises(ModelError):
        MtcnnDetector(models_dir=tmp_path)
    (tmp_path / ONET_FILE).write_bytes((models_dir() / RNET_FILE).read_bytes())  # wrong network
    with pytest.raises(ModelError, match="ONet"):
        MtcnnDetector(models_dir=tmp_path)


def test_runs_without_tensorflow():
    code = textwrap.dedent(
        """
        import sys
        import numpy as np
        from skimage import data
        from acting_mirror.vision.mtcnn import MtcnnDetector
        faces = MtcnnDetector().detect(np.ascontiguousarray(data.astronaut()[:, :, ::-1]))
        assert len(faces) == 1, faces
        loaded = [m for m in ("tensorflow", "keras", "mtcnn") if m in sys.modules]
        assert not loaded, loaded
        """
    )
    repo = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120, cwd=repo)


def test_the_reference_needs_the_tools_extra(monkeypatch):
    from acting_mirror.vision.mtcnn_reference import MtcnnPackageDetector

    monkeypatch.setitem(sys.modules, "mtcnn", None)  # as if not installed
    with pytest.raises(DependencyError, match=r"acting-mirror\[tools\]"):
        MtcnnPackageDetector()


# -- parity with the mtcnn package on TensorFlow ------------------------------------------


def _landmark_error(a: Face, b: Face) -> float:
    return float(np.max(np.hypot(*(np.asarray(a.landmarks) - np.asarray(b.landmarks)).T)))


@pytest.mark.tools
@pytest.mark.parametrize("photo", ["astronaut_bgr", "grace_hopper_bgr"])
def test_matches_the_package_on_portraits(package_detector, photo, request):
    image = request.getfixturevalue(photo)
    ours = MtcnnDetector(min_face_size=20).detect(image)
    theirs = package_detector.detect(image)
    assert len(ours) == len(theirs) == 1
    assert package_detector.name == "mtcnn-tf"
    assert theirs[0].score >= 0.9 and ours[0].score >= 0.9
    assert ours[0].box.iou(theirs[0].box) >= 0.8
    assert _landmark_error(ours[0], theirs[0]) <= 4.0


@pytest.mark.tools
def test_matches_the_package_on_a_mosaic_and_on_no_face(package_detector, lfw_faces, faceless_bgr):
    canvas, _ = _mosaic(lfw_faces[:8], cols=4, rows=2, side=160)
    ours = MtcnnDetector(min_face_size=20).detect(canvas)
    theirs = package_detector.detect(canvas)
    assert len(ours) == len(theirs) == 8
    for face in theirs:
        best = max(ours, key=lambda f: f.box.iou(face.box))
        assert best.box.iou(face.box) >= 0.8
        assert _landmark_error(best, face) <= 0.05 * face.box.h
    assert package_detector.detect(faceless_bgr) == ()


@pytest.mark.tools
def test_the_reference_honours_a_larger_minimum_face(astronaut_bgr):
    from acting_mirror.vision.mtcnn_reference import MtcnnPackageDetector

    frame = np.full((720, 1280, 3), 60, dtype=np.uint8)
    frame[104:616, 384:896] = astronaut_bgr
    (face,) = MtcnnPackageDetector(min_face_size=40).detect(frame)
    assert face.box.iou(Box(ASTRONAUT_FACE.x + 384, ASTRONAUT_FACE.y + 104, ASTRONAUT_FACE.w, ASTRONAUT_FACE.h)) >= 0.6
    _assert_face_shape(face)
