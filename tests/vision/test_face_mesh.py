"""The face mesh on LiteRT with the bundled Face Landmarker networks, on real photos."""

from __future__ import annotations

import time

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from acting_mirror.core.blendshapes import BLENDSHAPE_NAMES, BLENDSHAPE_REGIONS, N_BLENDSHAPES
from acting_mirror.core.pose import pose_from_five_points, pose_from_mesh
from acting_mirror.core.types import Box, Face
from acting_mirror.vision.blazeface import NUM_ANCHORS, ssd_anchors, weighted_nms
from acting_mirror.vision.face_mesh import (
    BLENDSHAPE_LANDMARKS,
    NUM_LANDMARKS,
    FaceMesh,
    region_from_landmarks,
)


@pytest.fixture(scope="module")
def mesh() -> FaceMesh:
    return FaceMesh(max_faces=4)


def _blend(face) -> dict[str, float]:
    return dict(zip(BLENDSHAPE_NAMES, face.blendshapes.tolist()))


def _size(points: np.ndarray) -> float:
    return float(np.max(points[:, :2].max(axis=0) - points[:, :2].min(axis=0)))


def _one(faces):
    assert len(faces) == 1, f"expected one face, found {len(faces)}"
    return faces[0]


# -- names, anchors, NMS ----------------------------------------------------------------


def test_blendshape_names_are_mediapipes_52_in_order():
    assert N_BLENDSHAPES == 52 == len(set(BLENDSHAPE_NAMES))
    assert BLENDSHAPE_NAMES[:4] == ("_neutral", "browDownLeft", "browDownRight", "browInnerUp")
    assert BLENDSHAPE_NAMES[25] == "jawOpen"
    assert BLENDSHAPE_NAMES[44:46] == ("mouthSmileLeft", "mouthSmileRight")
    assert BLENDSHAPE_NAMES[-1] == "noseSneerRight"
    grouped = [n for names in BLENDSHAPE_REGIONS.values() for n in names]
    assert sorted(grouped) == sorted(BLENDSHAPE_NAMES[1:])  # every score but _neutral


def test_landmark_subset_is_146_distinct_mesh_points():
    assert len(BLENDSHAPE_LANDMARKS) == 146 == len(set(BLENDSHAPE_LANDMARKS))
    assert max(BLENDSHAPE_LANDMARKS) == NUM_LANDMARKS - 1  # the irises are included


def test_anchors_cover_the_input_in_two_grids():
    anchors = ssd_anchors()
    assert anchors.shape == (NUM_ANCHORS, 2)
    assert anchors.min() > 0 and anchors.max() < 1
    # 16x16 cells with 2 anchors, then 8x8 cells with 6 anchors
    assert np.allclose(anchors[0], (0.5 / 16, 0.5 / 16)) and np.allclose(anchors[1], anchors[0])
    assert np.allclose(anchors[512], (0.5 / 8, 0.5 / 8)) and np.allclose(anchors[517], anchors[512])


def test_weighted_nms_merges_overlaps_by_score_and_keeps_apart_faces():
    boxes = np.array([[0, 0, 10, 10], [1, 0, 11, 10], [50, 50, 60, 60]], dtype=np.float64)
    kps = np.zeros((3, 6, 2))
    kps[1] += 1.0
    scores = np.array([0.9, 0.3, 0.8])
    out = weighted_nms(boxes, kps, scores, 0.3)
    assert len(out) == 2
    score, box, points = out[0]
    assert score == pytest.approx(0.9)
    assert box[0] == pytest.approx(0.3 / 1.2)  # score-weighted x1
    assert points[0, 0] == pytest.approx(0.3 / 1.2)
    assert np.allclose(out[1][1], boxes[2])


# -- reading real faces -----------------------------------------------------------------


def test_astronaut_smiles_and_grace_hopper_does_not(mesh, astronaut_bgr, grace_hopper_bgr):
    astro = _blend(_one(mesh.detect(astronaut_bgr)))
    hopper = _blend(_one(mesh.detect(grace_hopper_bgr)))
    for side in ("mouthSmileLeft", "mouthSmileRight"):
        assert astro[side] > 0.6, astro[side]
        assert hopper[side] < 0.15, hopper[side]
        assert astro[side] - hopper[side] > 0.5
    assert all(0.0 <= v <= 1.0 for v in astro.values())


def test_points_land_on_the_face(mesh, astronaut_bgr):
    face = _one(mesh.detect(astronaut_bgr))
    assert face.points.shape == (NUM_LANDMARKS, 3) and face.points.dtype == np.float32
    assert face.presence > 0.9
    box = face.box()
    # the astronaut's face is at about x 180..270, y 70..180 in the 512x512 photo
    assert 165 < box.x < 195 and 255 < box.x2 < 285 and 55 < box.y < 90 and 165 < box.y2 < 195
    left_eye, right_eye, nose, mouth_l, mouth_r = face.five_points()
    assert left_eye[0] < nose[0] < right_eye[0]
    assert left_eye[1] < nose[1] < mouth_l[1] and mouth_l[0] < mouth_r[0]


def test_a_face_turned_30_degrees_keeps_its_landmarks(mesh, grace_hopper_bgr):
    h, w = grace_hopper_bgr.shape[:2]
    upright = _one(mesh.detect(grace_hopper_bgr)).points
    m = cv2.getRotationMatrix2D((w / 2, h / 2), 30, 1.0)
    turned = cv2.warpAffine(grace_hopper_bgr, m, (w, h), borderMode=cv2.BORDER_REFLECT)
    face = _one(mesh.detect(turned))
    back = cv2.invertAffineTransform(m)
    xy = face.points[:, :2] @ back[:, :2].T + back[:, 2]
    err = np.linalg.norm(xy - upright[:, :2], axis=1)
    size = _size(upright)
    assert err.mean() < 0.02 * size, err.mean() / size
    assert np.percentile(err, 95) < 0.05 * size
    # roll follows the picture: +30 degrees counter-clockwise
    assert face.pose[2] - pose_from_mesh(upright)[2] == pytest.approx(30, abs=4)


def test_tracking_follows_and_redetects_after_a_cut(astronaut_bgr, grace_hopper_bgr):
    mesh = FaceMesh(max_faces=1, keyframe_interval=0)
    first = _one(mesh.track(astronaut_bgr))
    assert "detector" in mesh.timings_ms
    shifted = np.roll(astronaut_bgr, 6, axis=1)
    follow = _one(mesh.track(shifted))
    assert "detector" not in mesh.timings_ms  # tracked from the previous landmarks
    dx = float(np.median(follow.points[:, 0] - first.points[:, 0]))
    assert dx == pytest.approx(6, abs=1.5)
    # a cut: another person in another place
    cut = _one(mesh.track(grace_hopper_bgr))
    assert "detector" in mesh.timings_ms
    still = _one(FaceMesh(max_faces=1).detect(grace_hopper_bgr))
    assert cut.box().iou(still.box()) > 0.8
    assert _one(mesh.track(grace_hopper_bgr)).box().iou(still.box()) > 0.8


def test_faceless_frames_give_no_face(mesh, faceless_bgr):
    assert mesh.detect(faceless_bgr) == []
    tracker = FaceMesh(max_faces=1)
    assert tracker.track(faceless_bgr) == [] and tracker.track(faceless_bgr) == []


@pytest.mark.parametrize("cut", [0.3, 0.5, 0.7, 0.95])
@pytest.mark.parametrize("side", ["left", "right", "top", "bottom"])
def test_a_face_at_the_frame_edge_never_crashes(mesh, astronaut_bgr, cut, side):
    # the astronaut's face spans x 180..270, y 70..180: cut a fraction of it off
    x1, x2, y1, y2 = 180, 270, 70, 180
    if side == "left":
        image = astronaut_bgr[:, int(x1 + cut * (x2 - x1)) :]
    elif side == "right":
        image = astronaut_bgr[:, : int(x2 - cut * (x2 - x1))]
    elif side == "top":
        image = astronaut_bgr[int(y1 + cut * (y2 - y1)) :]
    else:
        image = astronaut_bgr[: int(y2 - cut * (y2 - y1))]
    image = np.ascontiguousarray(image)
    h, w = image.shape[:2]
    for faces in (mesh.detect(image), FaceMesh(max_faces=1).track(image)):
        for face in faces:
            assert np.isfinite(face.points).all()
            assert face.box().clamp(w, h) is not None
    if cut <= 0.3:
        assert len(mesh.detect(image)) == 1  # most of the face is still there


def test_a_small_face_is_found_by_seeding(astronaut_bgr):
    # a 720p frame with the astronaut's face about 60 px wide: too small for BlazeFace
    frame = np.full((720, 1280, 3), 100, np.uint8)
    small = cv2.resize(astronaut_bgr, (340, 340), interpolation=cv2.INTER_AREA)
    frame[300:640, 800:1140] = small
    mesh = FaceMesh(max_faces=2, keyframe_interval=0)
    assert mesh.detector.detect(frame) == []
    assert mesh.track(frame) == []
    # the face's box as another detector (Haar, MTCNN) would give it
    seed = Box(800 + 117, 300 + 40, 63, 70)
    face = _one(mesh.track(frame, seeds=[seed]))
    # the same face read at full size, scaled down, agrees
    big = _one(FaceMesh().detect(astronaut_bgr)).points[:, :2] * (340 / 512) + (800, 300)
    err = np.linalg.norm(face.points[:, :2] - big, axis=1).mean()
    assert err < 0.05 * _size(big), err
    assert _blend(face)["mouthSmileLeft"] > 0.4
    # seeded once, tracked after: no seed needed on the next frames
    assert _one(mesh.track(frame)).box().iou(face.box()) > 0.8
    # a seed on a face already tracked adds nothing
    assert len(mesh.track(frame, seeds=[seed])) == 1


def test_the_mesh_detector_seeds_from_mtcnn_in_a_wide_shot(astronaut_bgr):
    from acting_mirror.vision.detectors import create_detector

    detector = create_detector("mesh")
    assert detector.name == "mesh"
    frame = np.full((720, 1280, 3), 100, np.uint8)
    frame[300:640, 800:1140] = cv2.resize(astronaut_bgr, (340, 340), interpolation=cv2.INTER_AREA)
    faces = detector.detect(frame)
    face = _one(faces)
    assert isinstance(face, Face)
    assert 900 < face.box.x < 940 and 330 < face.box.y < 370
    assert face.mesh.shape == (NUM_LANDMARKS, 3)
    assert face.blendshapes.shape == (N_BLENDSHAPES,)
    assert len(face.landmarks) == 5 and len(face.pose) == 3
    assert detector.seed_passes >= 1
    # later frames are tracked by the mesh alone
    passes = detector.seed_passes
    assert len(detector.detect(frame)) == 1 and detector.seed_passes == passes


def test_background_seeding_adds_a_new_small_face_while_the_mesh_keeps_tracking(astronaut_bgr):
    from acting_mirror.vision.mesh_detector import MeshDetector
    from acting_mirror.vision.mtcnn import MtcnnDetector

    frame = np.full((720, 1280, 3), 100, np.uint8)
    frame[300:640, 800:1140] = cv2.resize(astronaut_bgr, (340, 340), interpolation=cv2.INTER_AREA)
    detector = MeshDetector(seed_detector=MtcnnDetector(), seed_interval=2, background_seeds=True)
    try:
        # nothing tracked yet: the seed pass blocks, and the small face is there at once
        assert len(detector.detect(frame)) == 1
        # a second small face walks in; background passes find it within a few frames
        frame[40:300, 100:360] = cv2.resize(astronaut_bgr, (260, 260), interpolation=cv2.INTER_AREA)
        counts = []
        for _ in range(60):
            counts.append(len(detector.detect(frame)))
            if counts[-1] == 2:
                break
            time.sleep(0.05)  # let the helper thread finish its pass
        assert counts[-1] == 2, counts
        assert detector.seed_passes >= 2
    finally:
        detector.close()
    assert detector._executor is None


# -- head pose --------------------------------------------------------------------------


def test_pose_of_frontal_faces_is_small_and_mirrors(mesh, astronaut_bgr, grace_hopper_bgr):
    for image in (astronaut_bgr, grace_hopper_bgr):
        yaw, pitch, roll = _one(mesh.detect(image)).pose
        assert abs(yaw) < 15 and abs(pitch) < 20 and abs(roll) < 10
    for image in (astronaut_bgr, grace_hopper_bgr):
        yaw_a, _, roll_a = _one(mesh.detect(image)).pose
        yaw_b, _, roll_b = _one(mesh.detect(np.ascontiguousarray(image[:, ::-1]))).pose
        assert yaw_a + yaw_b == pytest.approx(0, abs=3)  # a mirror flips yaw and roll
        assert roll_a + roll_b == pytest.approx(0, abs=3)


def test_five_point_pose_agrees_with_the_mesh(mesh, astronaut_bgr, grace_hopper_bgr):
    for image in (astronaut_bgr, grace_hopper_bgr):
        h, w = image.shape[:2]
        for angle in (0, 20):
            m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
            face = _one(mesh.detect(cv2.warpAffine(image, m, (w, h))))
            five = pose_from_five_points(face.five_points())
            assert five is not None
            assert abs(five[0] - face.pose[0]) < 12
            assert abs(five[2] - face.pose[2]) < 6


def test_pose_rejects_degenerate_points():
    assert pose_from_mesh(np.zeros((478, 3))) is None
    assert pose_from_mesh(np.full((478, 3), np.nan)) is None
    assert pose_from_mesh(np.zeros((10, 3))) is None
    assert pose_from_five_points([(0, 0)] * 5) is None
    assert pose_from_five_points([(0, 0)] * 4) is None


# -- hostile input ----------------------------------------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    h=st.integers(2, 300),
    w=st.integers(2, 300),
    fill=st.integers(0, 255),
    seeds=st.lists(
        st.tuples(st.integers(-500, 800), st.integers(-500, 800), st.integers(-50, 900), st.integers(-50, 900)),
        max_size=3,
    ),
)
def test_any_image_and_any_seed_box_is_survived(mesh, h, w, fill, seeds):
    rng = np.random.default_rng(h * 1000 + w)
    image = np.clip(rng.normal(fill, 40, (h, w, 3)), 0, 255).astype(np.uint8)
    faces = mesh.detect(image, seeds=[Box(*s) for s in seeds])
    for face in faces:
        assert np.isfinite(face.points).all()


def test_region_from_landmarks_is_square_and_levelled(mesh, astronaut_bgr):
    face = _one(mesh.detect(astronaut_bgr))
    region = region_from_landmarks(face.points)
    assert region.w == region.h == pytest.approx(1.5 * _size(face.points))
    assert abs(region.angle) < 0.2


def test_a_reading_budget_reads_the_main_face_every_frame_and_the_rest_in_turn(astronaut_bgr):
    # four faces of different sizes on one 720p frame (too small for BlazeFace: seeded)
    frame = np.full((720, 1280, 3), 60, np.uint8)
    seeds = []
    for k, size in enumerate((460, 400, 360, 320)):
        x = 20 + k * 315
        frame[100 : 100 + size, x : x + 300] = cv2.resize(astronaut_bgr, (size, size))[:, :300]
        f = size / 512  # the face spans about x 180..270, y 72..178 of the 512 px photo
        seeds.append(Box(int(x + 180 * f), int(100 + 72 * f), int(90 * f), int(106 * f)))
    mesh = FaceMesh(max_faces=8, reads_per_frame=2, keyframe_interval=0)
    first = mesh.track(frame, seeds=seeds)
    assert len(first) == 4 and all(f.age == 0 for f in first)
    ages = []
    for _ in range(6):
        faces = mesh.track(frame)
        assert len(faces) == 4
        assert faces[0].age == 0  # the largest face: read every frame
        assert sum(f.age == 0 for f in faces) == 2
        ages.append([f.age for f in faces[1:]])
    # every other face was read again within three frames
    assert max(max(a) for a in ages) <= 3
    assert mesh.timings_ms["landmarks"] > 0
