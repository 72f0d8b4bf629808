"""CalibrationController: the guided expression-profile routine (or the quick neutral
calibration), without Qt.

The flow (:class:`Step`): the instructions; then for each step of the routine (a relaxed
face, then each emotion on cue: ``controllers.routine.routine_steps()``) a 3-2-1 with
"now show: surprise", a few seconds recorded, and a check (face found, face detail, steady,
distinct) with **Again** (record this step again) or **Next**; after the last step the
learning (``controllers.routine.learn``, which the GUI runs off its thread), then the
result: per-emotion reliability and warnings; **Save** stores the neutral calibration
(``core.calibration.ProfileStore``) and the expression profile
(``core.profile.ExpressionProfileStore``) under the actor's name. Nothing is stored before
Save: cancelling at any point leaves no half profile. The 3-2-1 is timed by the GUI
(``gui.calibration.CalibrationDialog``, which shows this and forwards).
"""

from __future__ import annotations

import enum
from pathlib import Path

import numpy as np

from acting_mirror.controllers.routine import (
    Outcome, RoutineStep, StepCheck, StepRecording, check_step, learn, neutral_only_step,
    routine_steps,
)
from acting_mirror.core.calibration import NeutralCalibration, ProfileStore, profile_name
from acting_mirror.core.profile import ExpressionProfileStore


class Step(str, enum.Enum):
    """Where the routine is. Compares equal to its value (``Step.INTRO == "intro"``)."""

    INTRO = "intro"  # the instructions and the actor's name
    COUNTDOWN = "countdown"  # 3-2-1, "now show: …"
    RECORDING = "recording"  # the step's few seconds
    CHECK = "check"  # the step is recorded: Again or Next
    LEARNING = "learning"  # the profile is being learned
    RESULT = "result"  # the profile and calibration, or why they could not be made


class CalibrationController:
    """See the module docstring. Neutral calibrations go to ``store``, expression
    profiles to ``expressions`` (default: beside them, ``ExpressionProfileStore(store.root)``).
    ``steps`` and ``neutral_step`` replace the routine's (tests record shorter ones)."""

    def __init__(self, store: ProfileStore, expressions: ExpressionProfileStore | None = None,
                 *, steps: tuple[RoutineStep, ...] | None = None,
                 neutral_step: RoutineStep | None = None):
        self.store = store
        self.expressions = expressions if expressions is not None else ExpressionProfileStore(store.root)
        self.routine = steps if steps is not None else routine_steps()
        self.neutral_step = neutral_step if neutral_step is not None else neutral_only_step()
        self.step = Step.INTRO
        self.full = True
        self.index = 0
        self.recordings: list[StepRecording] = []
        self.recording: StepRecording | None = None
        self.outcome: Outcome | None = None
        self._generation = 0  # bumped on every restart/cancel: stale learning is dropped

    # ------------------------------------------------------------------ what is shown

    @property
    def steps(self) -> tuple[RoutineStep, ...]:
        return self.routine if self.full else (self.neutral_step,)

    @property
    def current(self) -> RoutineStep:
        return self.steps[min(self.index, len(self.steps) - 1)]

    @property
    def last_step(self) -> bool:
        return self.index >= len(self.steps) - 1

    @property
    def result(self) -> NeutralCalibration | None:
        return self.outcome.calibration if self.outcome is not None else None

    @property
    def generation(self) -> int:
        return self._generation

    def check(self) -> StepCheck | None:
        """The check of the step just recorded (in ``CHECK``)."""
        if self.recording is None or not self.recording.done:
            return None
        neutral = self.recordings[0] if self.recordings and self.index > 0 else None
        return check_step(self.recording, neutral, needs_detail=self.full)

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

    @property
    def can_go_on(self) -> bool:
        """After a step: its frames are enough to learn from (else only Again)."""
        check = self.check() if self.step is Step.CHECK else None
        return check is not None and check.ok

    def can_save(self, actor: str) -> bool:
        return (self.step is Step.RESULT and self.outcome is not None and self.outcome.saveable
                and self.valid_name(actor))

    # ------------------------------------------------------------------ the flow

    def start(self, full: bool | None = None) -> None:
        """From the first step (again); nothing recorded so far is kept."""
        if full is not None:
            self.full = bool(full)
        self._generation += 1
        self.index = 0
        self.recordings = []
        self.recording = None
        self.outcome = None
        self.step = Step.COUNTDOWN

    def begin_recording(self) -> None:
        """The 3-2-1 ended: record the current step."""
        if self.step is not Step.COUNTDOWN:
            return
        self.recording = StepRecording(self.current)
        self.step = Step.RECORDING

    def feed(self, time_ms: int, probs: np.ndarray | None, blendshapes: np.ndarray | None = None,
             pose=None) -> bool:
        """One analysed frame of the main face (``probs`` ``None``: no face;
        ``blendshapes`` ``None``: no face detail); True when it ended the step."""
        if self.step is not Step.RECORDING or self.recording is None:
            return False
        self.recording.add(time_ms, probs, blendshapes, pose)
        if not self.recording.done:
            return False
        self.step = Step.CHECK if self.full else Step.LEARNING
        if not self.full:
            self.recordings = [self.recording]
        return True

    def again(self) -> None:
        """Record the current step again (its frames are dropped)."""
        if self.step in (Step.CHECK, Step.RECORDING, Step.COUNTDOWN):
            self.recording = None
            self.step = Step.COUNTDOWN

    def next(self) -> bool:
        """Keep the step and go on: the next step's 3-2-1, or (True) the learning."""
        if not self.can_go_on:
            return False
        self.recordings = self.recordings[: self.index] + [self.recording]
        if self.last_step:
            self.step = Step.LEARNING
            return True
        self.index += 1
        self.recording = None
        self.step = Step.COUNTDOWN
        return False

    def learn(self, actor: str) -> Outcome:
        """What the recordings give (pure: safe to call on another thread)."""
        return learn(list(self.recordings), actor.strip(), full=self.full)

    def finish(self, outcome: Outcome, generation: int | None = None) -> bool:
        """The learning ended with ``outcome``; False (ignored) when the routine was
        cancelled or restarted since it began (``generation``)."""
        if self.step is not Step.LEARNING or (generation is not None and generation != self._generation):
            return False
        self.outcome = outcome
        self.step = Step.RESULT
        return True

    def cancel(self) -> None:
        """Drop everything recorded; nothing was or will be stored."""
        self._generation += 1
        self.recordings = []
        self.recording = None
        self.outcome = None
        self.index = 0
        self.step = Step.INTRO

    def save(self, actor: str) -> list[Path]:
        """Store the neutral calibration and (for the whole routine) the expression
        profile under ``actor`` (replacing older ones); OutputError or ValueError (one
        sentence) when they cannot be stored. Returns the files written."""
        outcome = self.outcome
        if outcome is None or not outcome.saveable:
            raise ValueError("There is nothing to save: record the routine first.")
        if not self.valid_name(actor):
            raise ValueError("Give the profile a name (yours).")
        actor = actor.strip()
        paths = []
        if outcome.profile is not None:
            from dataclasses import replace

            paths.append(self.expressions.save(replace(outcome.profile, actor=actor)))
        c = outcome.calibration
        paths.append(self.store.save(NeutralCalibration(c.baseline, c.n_frames, actor), actor))
        return paths


__all__ = ["CalibrationController", "Step", "Outcome"]
