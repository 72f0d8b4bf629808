"""CalibrationController: recording an actor's neutral calibration, without Qt.

The steps (:class:`Step`: the instructions, the 3-2-1, a few seconds of a relaxed face,
the result), the readings recorded (``core.neutral_recording.NeutralRecorder``), the
calibration made from them, and saving it as the actor's profile. The 3-2-1 is timed by
the GUI (``gui.calibration.CalibrationDialog``, which shows this and forwards).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from acting_mirror.core.calibration import NeutralCalibration, ProfileStore, profile_name
from acting_mirror.core.neutral_recording import RECORD_MS, WARMUP_MS, NeutralRecorder, neutral_share


class Step(str, enum.Enum):
    """Where the calibration is. Compares equal to its value (``Step.INTRO == "intro"``)."""

    INTRO = "intro"  # the instructions and the actor's name
    COUNTDOWN = "countdown"  # 3-2-1
    RECORDING = "recording"  # the relaxed face
    RESULT = "result"  # the calibration, or why it did not work


@dataclass(frozen=True)
class Outcome:
    """How the recording went: the calibration (``None`` with ``problem`` when the face
    was missing too often), and the share of the recorded frames that read as neutral
    without and with it."""

    calibration: NeutralCalibration | None
    problem: str = ""
    neutral_before: float = 0.0
    neutral_after: float = 0.0


class CalibrationController:
    """See the module docstring. Profiles are stored in ``store``."""

    def __init__(self, store: ProfileStore, *, duration_ms: int = RECORD_MS,
                 warmup_ms: int = WARMUP_MS):
        self.store = store
        self.recorder = NeutralRecorder(duration_ms, warmup_ms)
        self.step = Step.INTRO
        self.outcome: Outcome | None = None

    @property
    def result(self) -> NeutralCalibration | None:
        return self.outcome.calibration if self.outcome is not None else None

    @staticmethod
    def valid_name(actor: str) -> bool:
        """A name a profile can be stored under."""
        try:
            profile_name(actor)
        except ValueError:
            return False
        return True

    def can_start(self, actor: str) -> bool:
        return self.step is Step.INTRO and self.valid_name(actor)

    def can_save(self, actor: str) -> bool:
        return self.step is Step.RESULT and self.result is not None and self.valid_name(actor)

    def start(self) -> None:
        """The 3-2-1 begins (again); nothing recorded so far is kept."""
        self.outcome = None
        self.recorder.reset()
        self.step = Step.COUNTDOWN

    def begin_recording(self) -> None:
        """The 3-2-1 ended: record the relaxed face."""
        self.recorder.reset()
        self.step = Step.RECORDING

    def feed(self, time_ms: int, probs: np.ndarray | None, actor: str) -> bool:
        """One analysed frame's primary-face probabilities (``None``: no face); True when
        this frame ended the recording (see :attr:`outcome`)."""
        if self.step is not Step.RECORDING:
            return False
        self.recorder.add(time_ms, probs)
        if not self.recorder.done:
            return False
        self.outcome = self._finish(actor)
        self.step = Step.RESULT
        return True

    def _finish(self, actor: str) -> Outcome:
        try:
            calibration = self.recorder.calibration(actor)
        except ValueError as exc:
            return Outcome(None, str(exc))
        rows = self.recorder.rows()
        return Outcome(calibration, "", neutral_share(rows), neutral_share(rows, calibration))

    def save(self, actor: str) -> Path:
        """Store the result as ``actor``'s profile (replacing an older one); OutputError
        or ValueError (one sentence) when it cannot be stored."""
        result = self.result
        if result is None:
            raise ValueError("There is no calibration to save: record one first.")
        return self.store.save(NeutralCalibration(result.baseline, result.n_frames, actor), actor)


__all__ = ["CalibrationController", "Step", "Outcome"]
