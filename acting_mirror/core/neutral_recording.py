"""Recording a neutral calibration: the actor relaxes for a few seconds in front of the
camera and :class:`NeutralRecorder` keeps what the model reads on that relaxed face, from
which ``core.calibration.calibrate`` makes the actor's profile.

Which readings are collected: the primary face's **smoothed** probabilities, the very
values the live follower and the take reports correct (``Face.shown_probs``, and the
emotion columns of ``timeline.csv``). The smoother is an exponential moving average, a
convex combination of raw readings, so over a few seconds its mean equals the mean of
the raw readings except for its memory of the moments before recording. Those moments
(the actor still settling after pressing the button) are exactly what the countdown and
the skipped first :data:`WARMUP_MS` keep out. Using the same signal that is later
corrected keeps the baseline and the corrected values consistent.
"""

from __future__ import annotations

import numpy as np

from acting_mirror.core.calibration import MIN_FRAMES, NeutralCalibration, calibrate
from acting_mirror.core.types import EMOTIONS

RECORD_MS = 5000
"""How long the relaxed face is recorded (take time of the source)."""
WARMUP_MS = 500
"""Readings this early in the recording are skipped (the smoother still remembers the
face from before)."""
MIN_FACE_SHARE = 0.5
"""Below this share of frames with a face, the recording is refused: record again."""


class NeutralRecorder:
    """Collects the primary face's probabilities over ``duration_ms`` of source time,
    skipping the first ``warmup_ms``. ``add`` every analysed frame (``None``: no face)."""

    def __init__(self, duration_ms: int = RECORD_MS, warmup_ms: int = WARMUP_MS):
        self.duration_ms = int(duration_ms)
        self.warmup_ms = int(warmup_ms)
        self.reset()

    def reset(self) -> None:
        self._origin: int | None = None
        self._rows: list[np.ndarray] = []
        self._frames = 0
        self._elapsed = 0

    def add(self, time_ms: int, probs: np.ndarray | None) -> None:
        if self.done:
            return
        if self._origin is None:
            self._origin = int(time_ms)
        self._elapsed = int(time_ms) - self._origin
        if self._elapsed < self.warmup_ms:
            return
        if self._elapsed >= self.duration_ms:
            self._elapsed = self.duration_ms
            return
        self._frames += 1
        if probs is not None and np.all(np.isfinite(probs)):
            self._rows.append(np.asarray(probs, dtype=np.float64).copy())

    @property
    def done(self) -> bool:
        return self._elapsed >= self.duration_ms

    @property
    def progress(self) -> float:
        return min(1.0, max(0.0, self._elapsed / self.duration_ms)) if self.duration_ms else 1.0

    @property
    def face_frames(self) -> int:
        return len(self._rows)

    @property
    def frames(self) -> int:
        return self._frames

    @property
    def face_share(self) -> float:
        return self.face_frames / self._frames if self._frames else 0.0

    def rows(self) -> np.ndarray:
        return np.array(self._rows, dtype=np.float64).reshape(-1, len(EMOTIONS))

    def calibration(self, actor: str) -> NeutralCalibration:
        """The calibration from what was recorded; ValueError (a sentence for the actor)
        when the face was missing too often."""
        if self.face_frames < MIN_FRAMES or self.face_share < MIN_FACE_SHARE:
            raise ValueError(
                f"Your face was found in only {self.face_frames} of {self._frames} frames. "
                "Face the camera in even light, nothing covering your face, and record again.")
        return calibrate(self.rows(), actor=actor)


def neutral_share(rows: np.ndarray, calibration: NeutralCalibration | None = None) -> float:
    """The share of ``rows`` whose top emotion is neutral (after ``calibration``)."""
    if len(rows) == 0:
        return 0.0
    probs = calibration.apply(rows) if calibration is not None else rows
    return float(np.mean(np.argmax(probs, axis=1) == EMOTIONS.index("neutral")))


__all__ = ["NeutralRecorder", "neutral_share", "RECORD_MS", "WARMUP_MS", "MIN_FACE_SHARE"]
