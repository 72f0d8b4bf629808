"""summary.json content from a run of analysed frames."""

from __future__ import annotations

import json
from datetime import datetime

import numpy as np
import pytest

import acting_mirror
from acting_mirror.core.palette import EMOTION_COLORS_BGR, EMOTION_COLORS_HEX, hex_to_bgr
from acting_mirror.core.summary import SUMMARY_KEYS, SummaryBuilder
from acting_mirror.core.types import EMOTIONS, Box, Face, Frame, FrameResult

IMAGE = np.zeros((4, 4, 3), np.uint8)


def onehot(emotion: str, p: float = 0.8) -> np.ndarray:
    v = np.full(7, (1 - p) / 6, dtype=np.float32)
    v[EMOTIONS.index(emotion)] = p
    return v


def result(i: int, *faces: Face, fps: float = 25.0) -> FrameResult:
    return FrameResult(Frame(IMAGE, i, int(round(i * 1000 / fps))), faces)


def test_counts_shares_and_means():
    b = SummaryBuilder("scene.mp4", 25.0, detector="haar", model="mini.tflite")
    for i in range(100):
        if i < 10:
            b.update(result(i))  # no face yet
            continue
        emotion = "happy" if i < 70 else "sad"
        primary = Face(Box(0, 0, 2, 2), probs=onehot(emotion), face_id=1, primary=True)
        other = Face(Box(2, 2, 2, 2), probs=onehot("angry"), face_id=2 if i < 50 else 3)
        b.update(result(i, primary, other))
    s = b.build(processing_seconds=4.0)
    assert list(s) == list(SUMMARY_KEYS)
    assert s["source"] == "scene.mp4"
    assert s["frames"] == 100
    assert s["duration_s"] == pytest.approx(4.0)  # 99 * 40 ms + one frame
    assert s["fps"] == 25.0
    assert s["faces_seen"] == 3
    assert s["frames_with_face"] == 90
    assert s["frames_with_primary"] == 90
    assert s["processing"] == {"seconds": 4.0, "fps": 25.0}
    assert s["detector"] == "haar" and s["model"] == "mini.tflite"
    shares = s["primary_emotion_shares"]
    assert list(shares) == list(EMOTIONS)
    assert shares["happy"] == pytest.approx(60 / 90, abs=1e-4)
    assert shares["sad"] == pytest.approx(30 / 90, abs=1e-4)
    assert sum(shares.values()) == pytest.approx(1.0, abs=1e-3)
    means = s["mean_primary_probs"]
    assert means["happy"] == pytest.approx((60 * 0.8 + 30 * 0.2 / 6) / 90, abs=1e-3)
    assert sum(means.values()) == pytest.approx(1.0, abs=1e-3)
    assert s["version"] == acting_mirror.__version__
    assert datetime.fromisoformat(s["created"]).tzinfo is not None
    json.dumps(s)  # JSON-ready


def test_empty_take_has_zeros_not_errors():
    s = SummaryBuilder("cam", 30.0, "haar", "m").build(0.0)
    assert s["frames"] == 0 and s["duration_s"] == 0.0
    assert s["processing"]["fps"] == 0.0
    assert set(s["primary_emotion_shares"].values()) == {0.0}


def test_untracked_lone_face_counts_as_primary():
    b = SummaryBuilder("photo.jpg", 1.0, "haar", "m")
    b.update(result(0, Face(Box(0, 0, 2, 2), raw_probs=onehot("surprise")), fps=1))
    s = b.build(0.5)
    assert s["faces_seen"] == 1
    assert s["primary_emotion_shares"]["surprise"] == 1.0


def test_palette_hex_and_bgr_agree_and_are_distinct():
    assert set(EMOTION_COLORS_BGR) == set(EMOTIONS) == set(EMOTION_COLORS_HEX)
    for e in EMOTIONS:
        assert EMOTION_COLORS_BGR[e] == hex_to_bgr(EMOTION_COLORS_HEX[e])
    assert len(set(EMOTION_COLORS_BGR.values())) == len(EMOTIONS)
    b, g, r = EMOTION_COLORS_BGR["angry"]
    assert r > 200 and g < 80 and b < 80  # angry is red


def test_a_summary_says_whether_the_take_is_complete():
    b = SummaryBuilder("x", 30, "haar", "m")
    done = b.build(1.0)
    assert done["complete"] is True and "end_reason" not in done and "interrupted" not in done
    cut = b.build(1.0, complete=False, end_reason="truncated")
    assert cut["complete"] is False and cut["end_reason"] == "truncated"
    repaired = b.build(1.0, complete=False, interrupted=True)
    assert repaired["end_reason"] == "interrupted" and repaired["interrupted"] is True
    assert list(repaired)[: len(SUMMARY_KEYS)] == list(SUMMARY_KEYS)


def test_a_non_finite_rate_or_time_never_makes_invalid_json():
    import json

    b = SummaryBuilder("x", float("nan"), "haar", "m")
    b.count_frame(0, [0], np.full(7, np.nan))
    text = json.dumps(b.build(float("inf")), allow_nan=False)
    assert json.loads(text)["frames_with_primary"] == 0
