import numpy as np

from acting_mirror.core.smoothing import EmotionSmoother
from acting_mirror.core.tracking import FaceTracker
from acting_mirror.core.types import Box, Face


def faces(*boxes):
    return tuple(Face(box=Box(*b)) for b in boxes)


def test_ids_stay_with_faces_that_move_a_little():
    tracker = FaceTracker()
    a, b = (100, 100, 80, 80), (400, 120, 60, 60)
    first = tracker.update(faces(a, b))
    ids = {f.box: f.face_id for f in first}
    assert len(set(ids.values())) == 2
    moved = tracker.update(faces((404, 122, 60, 60), (106, 103, 80, 80)))  # order swapped
    assert moved[0].face_id == ids[Box(*b)]
    assert moved[1].face_id == ids[Box(*a)]


def test_a_face_missed_for_a_few_frames_keeps_its_id():
    tracker = FaceTracker(max_missed=5)
    fid = tracker.update(faces((50, 50, 100, 100)))[0].face_id
    for _ in range(3):
        tracker.update(())
    assert tracker.update(faces((55, 52, 100, 100)))[0].face_id == fid


def test_a_face_gone_for_long_gets_a_new_id():
    tracker = FaceTracker(max_missed=2)
    fid = tracker.update(faces((50, 50, 100, 100)))[0].face_id
    for _ in range(5):
        tracker.update(())
    assert tracker.update(faces((50, 50, 100, 100)))[0].face_id != fid


def test_primary_is_the_largest_and_does_not_flip_between_similar_faces():
    tracker = FaceTracker(switch_ratio=1.3)
    out = tracker.update(faces((0, 0, 100, 100), (300, 0, 90, 90)))
    primary = [f for f in out if f.primary]
    assert len(primary) == 1 and primary[0].box.w == 100
    pid = primary[0].face_id
    # the other face grows a little bigger: still not enough to take over
    out = tracker.update(faces((0, 0, 100, 100), (300, 0, 105, 105)))
    assert [f.face_id for f in out if f.primary] == [pid]
    # now clearly bigger: it becomes the primary
    out = tracker.update(faces((0, 0, 100, 100), (300, 0, 140, 140)))
    assert [f.box.w for f in out if f.primary] == [140]


def test_primary_moves_on_when_the_primary_leaves():
    tracker = FaceTracker(max_missed=0)
    tracker.update(faces((0, 0, 100, 100), (300, 0, 50, 50)))
    out = tracker.update(faces((300, 0, 50, 50)))
    assert out[0].primary


def test_smoother_reduces_flicker_and_keeps_raw():
    smoother = EmotionSmoother(alpha=0.3)
    happy = np.array([0, 0, 0, 1, 0, 0, 0], np.float32)
    sad = np.array([0, 0, 0, 0, 1, 0, 0], np.float32)
    face = Face(box=Box(0, 0, 10, 10), face_id=0)
    out = None
    for _ in range(10):
        out = smoother.update((face.with_(raw_probs=happy),))
    out = smoother.update((face.with_(raw_probs=sad),))  # a one-frame flicker
    assert out[0].top_emotion == "happy"
    assert np.array_equal(out[0].raw_probs, sad)
    assert abs(float(out[0].probs.sum()) - 1.0) < 1e-5
    for _ in range(10):
        out = smoother.update((face.with_(raw_probs=sad),))
    assert out[0].top_emotion == "sad"


def test_smoother_keeps_faces_apart():
    smoother = EmotionSmoother(alpha=0.5)
    happy = np.eye(7, dtype=np.float32)[3]
    angry = np.eye(7, dtype=np.float32)[0]
    out = smoother.update(
        (Face(Box(0, 0, 5, 5), face_id=0, raw_probs=happy), Face(Box(9, 9, 5, 5), face_id=1, raw_probs=angry))
    )
    assert [f.top_emotion for f in out] == ["happy", "angry"]


def test_a_new_large_detection_must_persist_before_it_becomes_primary():
    tracker = FaceTracker(min_hits=3)
    for _ in range(5):
        out = tracker.update(faces((0, 0, 100, 100)))
    pid = [f.face_id for f in out if f.primary]
    out = tracker.update(faces((0, 0, 100, 100), (300, 0, 200, 200)))  # sudden big one
    assert [f.face_id for f in out if f.primary] == pid
    for _ in range(3):
        out = tracker.update(faces((0, 0, 100, 100), (300, 0, 200, 200)))
    assert [f.box.w for f in out if f.primary] == [200]
