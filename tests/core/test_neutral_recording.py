"""Recording a neutral calibration (core.neutral_recording), without Qt."""

from __future__ import annotations

import numpy as np
import pytest

from acting_mirror.core.neutral_recording import NeutralRecorder, neutral_share
from acting_mirror.core.types import EMOTIONS


def probs(**values: float) -> np.ndarray:
    p = np.zeros(len(EMOTIONS), dtype=np.float32)
    for name, v in values.items():
        p[EMOTIONS.index(name)] = v
    rest = [i for i, e in enumerate(EMOTIONS) if e not in values]
    p[rest] = (1.0 - p.sum()) / len(rest)
    return p


RELAXED = probs(sad=0.52, neutral=0.33)


def test_recorder_skips_the_warm_up_and_stops_after_its_duration():
    recorder = NeutralRecorder(duration_ms=1000, warmup_ms=200)
    for t in range(5000, 6500, 100):
        recorder.add(t, RELAXED if t != 5700 else None)
    assert recorder.done and recorder.progress == 1.0
    assert recorder.frames == 8  # 5200 .. 5900
    assert recorder.face_frames == 7 and recorder.face_share == pytest.approx(7 / 8)


def test_a_recording_with_too_few_faces_is_refused_with_a_sentence():
    recorder = NeutralRecorder(duration_ms=1000, warmup_ms=0)
    for i, t in enumerate(range(0, 1100, 33)):
        recorder.add(t, RELAXED if i % 3 == 0 else None)  # a face in one frame of three
    assert recorder.done and recorder.face_share < 0.5
    with pytest.raises(ValueError, match="record again"):
        recorder.calibration("Ada")


def test_calibrating_the_relaxed_face_makes_it_read_neutral():
    recorder = NeutralRecorder(duration_ms=1000, warmup_ms=0)
    for t in range(0, 1100, 33):
        recorder.add(t, RELAXED)
    calibration = recorder.calibration("Ada")
    rows = recorder.rows()
    assert neutral_share(rows) == 0.0  # raw, the relaxed face reads sad
    assert neutral_share(rows, calibration) == 1.0
