"""The guided expression-profile routine's pieces, without Qt: its steps, one step's
recording, the checks shown after each step, and the learning at the end.

The steps and their timing are the routine's own (``core.profile.routine_script()``: a
relaxed face, then each emotion on cue, ``LINE_MS`` each, the first ``SETTLE_MS`` not
learned from). Each step is recorded on its own (and may be recorded again); at the end
the steps are laid on the routine script's clock, one after the other as ``acting-mirror
profile script`` times them, and learned from with ``core.profile.learn_profile``, the
very code ``acting-mirror profile learn`` runs on a take. The neutral step also gives the
neutral calibration (``core.calibration``), as the neutral-only calibration does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from acting_mirror.core.blendshapes import N_BLENDSHAPES
from acting_mirror.core.calibration import NeutralCalibration
from acting_mirror.core.face_actions import ACTIONS, action_matrix
from acting_mirror.core.neutral_recording import RECORD_MS, WARMUP_MS, NeutralRecorder, neutral_share
from acting_mirror.core.profile import (
    MIN_DISTINCT, MIN_FACE_SHARE, MIN_LINE_FRAMES, MIN_RELIABLE, SETTLE_MS, UNSTEADY_STD,
    ExpressionProfile, ProfileError, learn_profile, routine_script,
)
from acting_mirror.core.script import Cue, Script
from acting_mirror.core.timeline import TimelineTable
from acting_mirror.core.types import EMOTIONS

MAX_FRAME_GAP_MS = 1000
"""A jump in source time larger than this (or backwards: a clip looping) counts as one
ordinary frame period, so a looping demo clip or a stall does not end a step early."""
DEFAULT_FRAME_MS = 1000 / 30


@dataclass(frozen=True)
class RoutineStep:
    """One step of the routine: the emotion to show, the words to say how, its length."""

    emotion: str
    text: str
    duration_ms: int
    start_ms: int = 0  # where the routine script puts it

    @property
    def instruction(self) -> str:
        """The big words on screen: "Now show: surprise" (or "Relax your face")."""
        return "Relax your face" if self.emotion == "neutral" else f"Now show: {self.emotion}"


def routine_steps() -> tuple[RoutineStep, ...]:
    """The routine's steps, from ``core.profile.routine_script()``."""
    return tuple(RoutineStep(c.targets[0], c.text, int(c.end_ms - c.start_ms), int(c.start_ms))
                 for c in routine_script().cues)


def neutral_only_step() -> RoutineStep:
    """The quick neutral calibration: one relaxed face, ``RECORD_MS`` long."""
    return RoutineStep("neutral", "Relax: a resting face, looking at the camera. Don't act.",
                       RECORD_MS)


@dataclass(frozen=True)
class Sample:
    """One analysed frame of a step: ``rel_ms`` into it, the main face's probabilities
    (``None``: no face), blendshapes and head pose (``None``: no face detail)."""

    rel_ms: int
    probs: np.ndarray | None
    blendshapes: np.ndarray | None = None
    pose: np.ndarray | None = None


class StepRecording:
    """The frames of one step, on a clock that only moves forward (see MAX_FRAME_GAP_MS)."""

    def __init__(self, step: RoutineStep):
        self.step = step
        self.duration_ms = int(step.duration_ms)
        self.samples: list[Sample] = []
        self._last: int | None = None
        self._elapsed = 0
        self._periods: list[int] = []

    def add(self, time_ms: int, probs=None, blendshapes=None, pose=None) -> None:
        if self.done:
            return
        t = int(time_ms)
        if self._last is not None:
            dt = t - self._last
            if 0 < dt <= MAX_FRAME_GAP_MS:
                self._periods.append(dt)
            else:
                dt = int(round(self.frame_ms))
            self._elapsed += dt
        self._last = t
        if self._elapsed >= self.duration_ms:
            self._elapsed = self.duration_ms
            return
        p = None if probs is None else np.asarray(probs, dtype=np.float64).reshape(-1).copy()
        if p is not None and (p.size != len(EMOTIONS) or not np.isfinite(p).all()):
            p = None
        b = None
        if p is not None and blendshapes is not None:
            b = np.asarray(blendshapes, dtype=np.float64).reshape(-1).copy()
            if b.size != N_BLENDSHAPES or not np.isfinite(b).all():
                b = None
        q = None if b is None or pose is None else np.asarray(pose, dtype=np.float64).reshape(3)
        self.samples.append(Sample(self._elapsed, p, b, q))

    @property
    def done(self) -> bool:
        return self._elapsed >= self.duration_ms

    @property
    def progress(self) -> float:
        return min(1.0, self._elapsed / self.duration_ms) if self.duration_ms else 1.0

    @property
    def remaining_s(self) -> int:
        """Whole seconds left (what the countdown on screen says)."""
        return max(0, math.ceil((self.duration_ms - self._elapsed) / 1000))

    @property
    def frame_ms(self) -> float:
        return float(np.median(self._periods)) if self._periods else DEFAULT_FRAME_MS

    # ---------------------------------------------------------------- what it holds

    def settled(self) -> list[Sample]:
        """The frames learned from: after the first ``SETTLE_MS`` (the face getting there)."""
        return [s for s in self.samples if s.rel_ms >= SETTLE_MS]

    @property
    def frames(self) -> int:
        return len(self.samples)

    @property
    def face_share(self) -> float:
        return sum(s.probs is not None for s in self.samples) / len(self.samples) if self.samples else 0.0

    @property
    def detail_share(self) -> float:
        return sum(s.blendshapes is not None for s in self.samples) / len(self.samples) if self.samples else 0.0

    def actions(self) -> np.ndarray:
        """``(n, len(ACTIONS))`` face actions of the settled frames with face detail
        (rows with the head turned too far dropped)."""
        rows = [s for s in self.settled() if s.blendshapes is not None]
        if not rows:
            return np.zeros((0, len(ACTIONS)))
        pose = np.array([s.pose if s.pose is not None else np.zeros(3) for s in rows])
        acts = action_matrix(np.array([s.blendshapes for s in rows]), pose)
        return acts[np.isfinite(acts).all(axis=1)]

    def neutral_recorder(self) -> NeutralRecorder:
        """This step's frames as the neutral calibration records them."""
        rec = NeutralRecorder(self.duration_ms, WARMUP_MS)
        for s in self.samples:
            rec.add(s.rel_ms, s.probs)
        rec.add(self.duration_ms, None)  # the end
        return rec


@dataclass(frozen=True)
class StepCheck:
    """What is said after a step: ``problems`` that block moving on (too few frames to
    learn from), ``warnings`` worth recording it again for, and a line of facts."""

    facts: str
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def check_step(rec: StepRecording, neutral: StepRecording | None, *, needs_detail: bool) -> StepCheck:
    """The checks ``learn_profile`` makes, for one step, while it can still be redone."""
    e = rec.step.emotion
    facts = (f"Face found in {rec.face_share:.0%} of {rec.frames} frames"
             + (f", face detail in {rec.detail_share:.0%}" if needs_detail else "") + ".")
    if not needs_detail:
        return StepCheck(facts)
    acts = rec.actions()
    problems, warnings = [], []
    if len(acts) < MIN_LINE_FRAMES:
        why = ("no face detail came (the face mesh did not read the face)"
               if rec.face_share >= MIN_FACE_SHARE else "the face was not found")
        problems.append(f"Too few frames to learn your {e} from ({len(acts)} with face detail, "
                        f"needs {MIN_LINE_FRAMES}): {why}. Face the camera and press Again.")
        return StepCheck(facts, tuple(problems))
    expected = max(1, int(round((rec.duration_ms - SETTLE_MS) / rec.frame_ms)))
    if len(acts) / expected < MIN_FACE_SHARE:
        warnings.append(f"The face was lost in part of it ({len(acts) / expected:.0%} read).")
    if float(np.max(acts.std(axis=0))) > UNSTEADY_STD:
        warnings.append("Not steady: the face kept changing. Hold the expression.")
    if neutral is not None and e != "neutral":
        relaxed = neutral.actions()
        if len(relaxed):
            diff = float(np.max(np.abs(np.median(acts, axis=0) - np.median(relaxed, axis=0))))
            if diff < MIN_DISTINCT:
                warnings.append(f"Not distinct from your relaxed face: show {e} more clearly.")
    return StepCheck(facts, (), tuple(warnings))


# --------------------------------------------------------------------------- learning

@dataclass(frozen=True)
class Outcome:
    """The routine's result: the neutral calibration and the expression profile (either
    ``None`` with ``problem``, one sentence, when it could not be made), and the share of
    the relaxed frames read as neutral without and with the calibration."""

    calibration: NeutralCalibration | None
    profile: ExpressionProfile | None = None
    problem: str = ""
    neutral_before: float = 0.0
    neutral_after: float = 0.0
    full: bool = True  # the whole routine (False: the neutral face only)

    @property
    def saveable(self) -> bool:
        return self.calibration is not None and (self.profile is not None or not self.full)


def routine_table(recordings: list[StepRecording]) -> TimelineTable:
    """The recorded steps laid on the routine script's clock (``step.start_ms`` + the
    frame's time in its step), as a timeline of the main face."""
    frame_ms = float(np.median([r.frame_ms for r in recordings])) if recordings else DEFAULT_FRAME_MS
    times, probs, blend, pose = [], [], [], []
    for rec in recordings:
        for s in rec.samples:
            if s.probs is None:
                continue  # no face: no row, as in timeline.csv
            times.append(rec.step.start_ms + s.rel_ms)
            probs.append(s.probs)
            blend.append(s.blendshapes if s.blendshapes is not None else np.full(N_BLENDSHAPES, np.nan))
            pose.append(s.pose if s.pose is not None else np.full(3, np.nan))
    n = len(times)
    t = np.array(times, dtype=np.int64)
    return TimelineTable(
        frame=np.round(t / frame_ms).astype(np.int64), time_ms=t,
        face_id=np.ones(n, np.int64), primary=np.ones(n, bool),
        boxes=np.zeros((n, 4), np.int64),
        probs=np.array(probs, np.float32).reshape(n, len(EMOTIONS)),
        blendshapes=np.array(blend, np.float32).reshape(n, N_BLENDSHAPES),
        pose=np.array(pose, np.float32).reshape(n, 3),
        quality=np.array(["ok"] * n, dtype=object),
    )


def _steps_script(steps: tuple[RoutineStep, ...]) -> Script:
    cues = tuple(Cue(i, s.start_ms, s.start_ms + s.duration_ms, (s.emotion,), s.text)
                 for i, s in enumerate(steps))
    return Script(cues, timed=True, source="profile routine")


def learn(recordings: list[StepRecording], actor: str, *, full: bool = True) -> Outcome:
    """The neutral calibration (from the neutral step) and, for the whole routine, the
    expression profile. Pure; may take a moment (run it off the GUI thread)."""
    neutral = next((r for r in recordings if r.step.emotion == "neutral"), None)
    if neutral is None:
        return Outcome(None, problem="The relaxed face was not recorded.", full=full)
    nrec = neutral.neutral_recorder()
    try:
        calibration = nrec.calibration(actor)
    except ValueError as exc:
        return Outcome(None, problem=str(exc), full=full)
    rows = nrec.rows()
    before, after = neutral_share(rows), neutral_share(rows, calibration)
    if not full:
        return Outcome(calibration, None, "", before, after, full=False)
    try:
        profile = learn_profile(routine_table(recordings), actor,
                                script=_steps_script(tuple(r.step for r in recordings)),
                                source="The routine")
    except ProfileError as exc:
        return Outcome(None, None, str(exc), before, after)
    return Outcome(calibration, profile, "", before, after)


@dataclass(frozen=True)
class Reliability:
    """One emotion's row in the result: the cross-validated share read right, the CNN
    alone's share, a word for it and the frames learned from (``None``: not recorded)."""

    emotion: str
    share: float | None
    cnn: float | None
    verdict: str
    frames: int = 0


def verdict(share: float) -> str:
    """The word ``acting-mirror profile show`` uses."""
    return "reliable" if share >= 0.8 else "fair" if share >= MIN_RELIABLE else "unreliable"


def reliability_rows(profile: ExpressionProfile) -> list[Reliability]:
    rows = []
    for e in EMOTIONS:
        r = profile.reliability.get(e)
        rows.append(Reliability(e, r, profile.cnn_agreement.get(e),
                                "not recorded" if r is None else verdict(r),
                                int(profile.frames.get(e, 0))))
    return rows


__all__ = [
    "RoutineStep", "routine_steps", "neutral_only_step", "Sample", "StepRecording",
    "StepCheck", "check_step", "Outcome", "routine_table", "learn", "Reliability",
    "reliability_rows", "verdict",
]
