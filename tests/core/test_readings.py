"""With many faces only some are read each frame: the main face and new faces always,
the others in turn, and every face keeps showing a reading."""

import numpy as np
import pytest

from acting_mirror.core.analysis import Analyzer
from acting_mirror.core.readings import ReadingSchedule
from acting_mirror.core.smoothing import EmotionSmoother
from acting_mirror.core.types import Box, Face, Frame


class GridDetector:
    """``n`` faces on a grid; face 0 is the largest (the main face)."""

    name = "grid"

    def __init__(self, n):
        self.boxes = [Box(10 + 70 * (i % 8), 10 + 70 * (i // 8), 60 if i else 66, 60 if i else 66)
                      for i in range(n)]

    def detect(self, image):
        return tuple(Face(box=b) for b in self.boxes)


class CountingClassifier:
    """Reads every face as 'happy' and remembers which boxes it was asked to read."""

    def __init__(self):
        self.calls = []

    def classify(self, image, faces):
        self.calls.append([f.box for f in faces])
        p = np.eye(7, dtype=np.float32)[3]
        return tuple(f.with_(raw_probs=p) for f in faces)


def frame(i):
    return Frame(np.zeros((400, 600, 3), np.uint8), i, i * 33)


def test_without_a_budget_every_face_is_read_every_frame():
    classifier = CountingClassifier()
    analyzer = Analyzer(GridDetector(20), classifier)
    for i in range(3):
        analyzer.analyze(frame(i))
    assert [len(c) for c in classifier.calls] == [20, 20, 20]


def test_a_budget_reads_the_main_face_every_frame_and_the_others_in_turn():
    classifier = CountingClassifier()
    detector = GridDetector(20)
    analyzer = Analyzer(detector, classifier, readings=ReadingSchedule(8))
    results = [analyzer.analyze(frame(i)) for i in range(10)]
    # the first frame: every face is new, so every face is read (none is drawn unlabelled)
    assert len(classifier.calls[0]) == 20
    assert all(len(c) == 8 for c in classifier.calls[1:])
    main_box = detector.boxes[0]
    assert all(main_box in c for c in classifier.calls)
    assert all(r.primary.box == main_box and r.primary.raw_probs is not None for r in results)
    # 19 other faces, 7 places a frame: every face is read at least every third frame
    for box in detector.boxes:
        frames_read = [i for i, c in enumerate(classifier.calls) if box in c]
        assert max(np.diff(frames_read)) <= 3, box
    # faces not read this frame still show their last reading, without a raw one
    last = results[-1]
    assert all(f.probs is not None and f.top_emotion == "happy" for f in last.faces)
    assert sum(f.raw_probs is None for f in last.faces) == 12


def test_a_new_face_is_read_at_once_even_over_budget():
    schedule = ReadingSchedule(2)
    faces = tuple(Face(Box(i * 50, 0, 40, 40), face_id=i, primary=i == 0) for i in range(4))
    assert schedule.pick(faces) == [0, 1, 2, 3]
    newcomer = Face(Box(300, 0, 40, 40), face_id=9)
    picked = schedule.pick(faces + (newcomer,))
    assert 0 in picked and 4 in picked and len(picked) == 3  # the budget, plus the newcomer


def test_the_budget_must_not_be_negative():
    with pytest.raises(ValueError):
        ReadingSchedule(-1)


def test_smoothing_keeps_its_time_constant_when_a_face_skips_frames():
    """Read every third frame, a face's curve reaches the same value as read every frame."""
    sad, happy = np.eye(7, dtype=np.float32)[4], np.eye(7, dtype=np.float32)[3]
    every, sparse = EmotionSmoother(alpha=0.35), EmotionSmoother(alpha=0.35)
    face = Face(Box(0, 0, 50, 50), face_id=1)
    every.update((face.with_(raw_probs=sad),))
    sparse.update((face.with_(raw_probs=sad),))
    for i in range(1, 7):
        a = every.update((face.with_(raw_probs=happy),))[0]
        b = sparse.update((face.with_(raw_probs=happy if i % 3 == 0 else None),))[0]
        if i % 3:
            assert b.raw_probs is None and b.probs is not None  # shows the last value
    assert np.allclose(a.probs, b.probs, atol=1e-6)


def test_a_face_waiting_its_turn_never_loses_its_reading():
    smoother = EmotionSmoother(forget_after=5)
    face = Face(Box(0, 0, 50, 50), face_id=3)
    smoother.update((face.with_(raw_probs=np.eye(7, dtype=np.float32)[5]),))
    for _ in range(20):  # in every frame, never read
        shown = smoother.update((face,))[0]
    assert shown.top_emotion == "surprise"
    for _ in range(6):  # gone from the picture: forgotten
        smoother.update(())
    assert smoother.update((face,))[0].probs is None
