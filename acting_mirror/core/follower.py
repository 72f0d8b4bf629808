"""Following a script live: which line is up, how the face reads against it, and one
short, actionable hint for the actor.

Timed scripts follow the clock from :meth:`ScriptFollower.start` (call it when the
countdown ends). Untimed (teleprompter) scripts show one line until :meth:`advance`; the
follower records when each line was shown, so the take can be scored afterwards with
:meth:`ScriptFollower.recorded_script`. All times are milliseconds on the caller's clock
(frame ``time_ms``); recorded spans are relative to ``start``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from acting_mirror.core.calibration import NeutralCalibration
from acting_mirror.core.coaching import Coach
from acting_mirror.core.face_actions import face_actions
from acting_mirror.core.emotions import ADJECTIVES, NOUNS
from acting_mirror.core.script import Cue, Script
from acting_mirror.core.types import EMOTIONS, Face

CLOSE_TARGET_PROB = 0.3
"""A target this likely (but not on top) gets the "almost" hint."""

HINT_GET_READY = "get ready"
HINT_ON_TARGET = "on target"
HINT_NO_FACE = "show your face to the camera"
HINT_DONE = "scene complete"
HINT_DIRECTION = "stage direction"
HINT_NO_TARGET = "your line: no target, play it your way"


def unscored_hint(cue: Cue) -> str:
    """The hint for a line that is shown but not scored (partner, direction, no target)."""
    if cue.partner:
        return f"listen to {cue.speaker}"
    if cue.direction:
        return HINT_DIRECTION
    return HINT_NO_TARGET


@dataclass(frozen=True)
class CueState:
    """What the GUI shows for one frame while following a script."""

    started: bool
    finished: bool
    elapsed_ms: int | None  # since start(); None before it
    cue: Cue | None  # the line to play now; None before, between or after lines
    next_cue: Cue | None
    progress: float  # 0..1 through the current timed line (0 for untimed lines)
    detected: str | None  # the face's top emotion now (after calibration); None: no face
    target_prob: float | None  # probability that a target emotion shows now
    on_target: bool
    on_target_meter: float  # fraction of this line's face frames so far that were on target
    face_frames: int  # this line's frames with a face so far
    hint: str
    probs: np.ndarray | None = field(default=None, compare=False)  # shown (calibrated) probs
    # the coaching cue in face actions ("brows up", "on target", see core.coaching);
    # None when the face has no blendshapes or the line is not scored
    coach: str | None = None

    @property
    def time_to_next_ms(self) -> int | None:
        """Until the next timed line starts; ``None`` when unknown."""
        if self.elapsed_ms is None or self.next_cue is None or self.next_cue.start_ms is None:
            return None
        return max(0, self.next_cue.start_ms - self.elapsed_ms)


def target_probability(probs: np.ndarray, targets: tuple[str, ...]) -> float:
    """The probability that any of ``targets`` shows: the sum of their probabilities."""
    return float(min(1.0, sum(float(probs[EMOTIONS.index(t)]) for t in targets)))


def hint_for(targets: tuple[str, ...], probs: np.ndarray | None) -> str:
    """One short instruction for the actor, given the line's targets and the face now."""
    if probs is None:
        return HINT_NO_FACE
    detected = EMOTIONS[int(np.argmax(probs))]
    if detected in targets:
        return HINT_ON_TARGET
    best = max(targets, key=lambda t: float(probs[EMOTIONS.index(t)]))
    if best == "neutral":
        return f"relax — that reads as {ADJECTIVES[detected]}"
    if detected == "neutral":
        if float(probs[EMOTIONS.index(best)]) >= CLOSE_TARGET_PROB:
            return f"almost — a bit more {NOUNS[best]}"
        return f"more {NOUNS[best]}"
    return f"that reads as {ADJECTIVES[detected]} — more {NOUNS[best]}"


class ScriptFollower:
    """Tracks the actor through a script, one :meth:`update` per analysed frame."""

    def __init__(self, script: Script, calibration: NeutralCalibration | None = None,
                 *, coach: Coach | None = None, profile=None):
        """``coach`` (default: a :class:`Coach` with the bundled table, and ``profile``'s
        relaxed baseline when an expression ``profile`` is given) fills ``CueState.coach``
        on frames whose face has blendshapes. ``profile`` (a
        :class:`acting_mirror.core.profile.ExpressionProfile`) also re-reads the emotions
        with the actor's personal mapping on those frames."""
        if not script.cues:
            raise ValueError("cannot follow an empty script")
        self.script = script
        self.calibration = calibration
        self.profile = profile
        self.coach = coach if coach is not None else Coach(
            baseline=None if profile is None else profile.baseline)
        self.timed = script.timed
        self._origin: int | None = None
        self._last_elapsed = 0
        self._finished = False
        self._pos = 0  # untimed: the line shown
        self._starts: list[int] = []  # untimed: when each shown line began
        self._ends: list[int] = []
        self._meter_cue: int | None = None
        self._face_frames = 0
        self._hits = 0

    @property
    def started(self) -> bool:
        return self._origin is not None

    @property
    def finished(self) -> bool:
        return self._finished

    def start(self, time_ms: int) -> None:
        """Begin the scene at ``time_ms`` (after the countdown)."""
        self._origin = int(time_ms)
        self._last_elapsed = 0
        self._finished = False
        self._pos = 0
        self._starts = [0] if not self.timed else []
        self._ends = []
        self._reset_meter(None)

    def advance(self, time_ms: int | None = None) -> None:
        """Teleprompter: move to the next line (at ``time_ms``, or the last update's time).
        Past the last line the scene is finished."""
        if self.timed:
            raise ValueError("a timed script follows the clock; advance() is for untimed ones")
        if not self.started or self._finished:
            return
        elapsed = self._elapsed(time_ms) if time_ms is not None else self._last_elapsed
        elapsed = max(elapsed, self._starts[-1])
        self._ends.append(elapsed)
        self._pos += 1
        if self._pos >= len(self.script.cues):
            self._finished = True
        else:
            self._starts.append(elapsed)

    def recorded_spans(self) -> list[tuple[int, int]]:
        """Untimed: ``(start_ms, end_ms)`` of each line shown so far, relative to start;
        the line still showing ends at the last update."""
        spans = list(zip(self._starts, self._ends))
        if not self._finished and len(self._starts) > len(self._ends):
            spans.append((self._starts[-1], max(self._last_elapsed, self._starts[-1] + 1)))
        return spans

    def recorded_script(self) -> Script | None:
        """The script to score this take with: a timed script as is; for a teleprompter
        take the lines shown so far with the times they were shown (``None`` if none)."""
        if self.timed:
            return self.script
        spans = self.recorded_spans()
        if not spans:
            return None
        cues = self.script.cues[: len(spans)]
        partial = Script(cues, timed=False, source=self.script.source, role=self.script.role)
        return partial.with_times(spans)

    def update(self, time_ms: int, primary: Face | None) -> CueState:
        """The state for the frame at ``time_ms`` whose primary face is ``primary``."""
        probs = None
        if primary is not None and primary.shown_probs is not None:
            probs = np.asarray(primary.shown_probs, dtype=np.float32)
            if self.calibration is not None:
                probs = self.calibration.apply(probs)
            if (self.profile is not None and self.profile.usable
                    and primary.blendshapes is not None):
                probs = self.profile.predict(np.asarray(primary.blendshapes)[None, :],
                                             probs[None, :])[0].astype(np.float32)
        detected = None if probs is None else EMOTIONS[int(np.argmax(probs))]

        if not self.started:
            return self._state(None, None, self.script.cues[0], 0.0, probs, detected, HINT_GET_READY)

        elapsed = self._elapsed(time_ms)
        self._last_elapsed = max(self._last_elapsed, elapsed)
        cue, next_cue, progress = self._locate(elapsed)
        if cue is None:
            if self._finished:
                hint = HINT_DONE
            elif next_cue is not None:
                wait = max(0, (next_cue.start_ms or 0) - elapsed)
                what = next_cue.target_label or (
                    next_cue.speaker if next_cue.partner else
                    "stage direction" if next_cue.direction else "your line")
                hint = f"next: {what} in {math.ceil(wait / 1000)} s"
            else:
                hint = HINT_GET_READY
            self._reset_meter(None)
            return self._state(elapsed, None, next_cue, 0.0, probs, detected, hint)

        if self._meter_cue != cue.index:
            self._reset_meter(cue.index)
        if not cue.scored:  # partner lines, stage directions, untargeted lines: shown only
            return self._state(elapsed, cue, next_cue, progress, probs, detected,
                               unscored_hint(cue))
        if probs is not None:
            self._face_frames += 1
            self._hits += detected in cue.targets
        coach = None
        if primary is not None:  # a frame the mesh missed keeps the line's last cue
            actions = (None if primary.blendshapes is None
                       else face_actions(primary.blendshapes, primary.pose))
            coach = self.coach.update(elapsed, cue.index, cue.targets, actions)
        state = self._state(elapsed, cue, next_cue, progress, probs, detected,
                            hint_for(cue.targets, probs))
        return state if coach is None else replace(state, coach=coach)

    # --- internals ---------------------------------------------------------------------

    def _elapsed(self, time_ms: int) -> int:
        assert self._origin is not None
        return int(time_ms) - self._origin

    def _locate(self, elapsed: int) -> tuple[Cue | None, Cue | None, float]:
        cues = self.script.cues
        if not self.timed:
            if self._finished:
                return None, None, 0.0
            nxt = cues[self._pos + 1] if self._pos + 1 < len(cues) else None
            return cues[self._pos], nxt, 0.0
        if elapsed >= (self.script.duration_ms or 0):
            self._finished = True
            return None, None, 0.0
        cue = self.script.cue_at(elapsed)
        nxt = self.script.next_cue_after(elapsed)
        if cue is None:
            return None, nxt, 0.0
        progress = (elapsed - cue.start_ms) / max(1, cue.duration_ms or 1)
        return cue, nxt, float(min(1.0, max(0.0, progress)))

    def _reset_meter(self, cue_index: int | None) -> None:
        self._meter_cue = cue_index
        self._face_frames = 0
        self._hits = 0

    def _state(self, elapsed, cue, next_cue, progress, probs, detected, hint) -> CueState:
        tprob = None
        on = False
        if cue is not None and cue.scored and probs is not None:
            tprob = target_probability(probs, cue.targets)
            on = detected in cue.targets
        meter = self._hits / self._face_frames if self._face_frames else 0.0
        return CueState(
            started=self.started, finished=self._finished, elapsed_ms=elapsed, cue=cue,
            next_cue=next_cue, progress=progress, detected=detected, target_prob=tprob,
            on_target=on, on_target_meter=meter, face_frames=self._face_frames, hint=hint,
            probs=probs,
        )
