"""The live coaching cue: one short instruction in the actor's terms ("brows up", "let the
jaw drop", "relax the mouth") or "on target", from a line's target(s) and the face actions
now (see :mod:`acting_mirror.core.face_actions`).

Studies of automated speaking coaches found that a single live word helps where a busy
display does not, so the cue is one instruction at a time and it is steady:

- the actions are smoothed (an exponential average with :data:`SMOOTH_MS` time constant);
- a new instruction must be the best one for :data:`DWELL_MS` before it is shown;
- switching between instructions needs the new one to be clearly bigger
  (:data:`SWITCH_MARGIN`), and "on target" is entered below :data:`ON_TOLERANCE` and left
  above :data:`OFF_TOLERANCE` (hysteresis);
- whatever happens, the shown cue changes at most once per :data:`MIN_INTERVAL_MS`
  within a line (a new line may change it at once: that is the script moving, not
  flicker).

Pure Python + NumPy; times are the caller's milliseconds.
"""

from __future__ import annotations

import math

import numpy as np

from acting_mirror.core.face_actions import (
    ActionTable, action_gaps, best_emotion, load_table,
)

CUE_ON_TARGET = "on target"
CUE_FACE_CAMERA = "face the camera"

MIN_INTERVAL_MS = 1000
DWELL_MS = 400
SMOOTH_MS = 250.0
SWITCH_MARGIN = 0.08
ON_TOLERANCE = 0.05
OFF_TOLERANCE = 0.12


def _gaps_for(targets, actions, table, baseline):
    target = targets[0] if len(targets) == 1 else best_emotion(actions, table, baseline, targets)[0]
    return action_gaps(target, actions, table, baseline)


def _cue_of(table: ActionTable, action: str, wanted: float) -> str:
    words = table.words[action]
    return words.more if wanted > 0 else words.less


def instruction_for(targets: tuple[str, ...], actions: dict[str, float],
                    table: ActionTable | None = None,
                    baseline: dict[str, float] | None = None) -> tuple[str, float]:
    """The single most useful instruction for ``actions`` against ``targets`` right now,
    with its size (the action gap; 0 for "on target"). For several targets, the one the
    face is closest to is coached."""
    table = table or load_table()
    if not targets:
        return CUE_ON_TARGET, 0.0
    if all(not math.isfinite(v) for v in actions.values()):
        return CUE_FACE_CAMERA, 1.0
    gaps = _gaps_for(targets, actions, table, baseline)
    if not gaps or gaps[0][3] <= 0.0:
        return CUE_ON_TARGET, 0.0
    action, wanted, _seen, gap = gaps[0]
    return _cue_of(table, action, wanted), float(gap)


class Coach:
    """The steady live cue for one take: call :meth:`update` once per frame."""

    def __init__(self, table: ActionTable | None = None,
                 baseline: dict[str, float] | None = None,
                 min_interval_ms: int = MIN_INTERVAL_MS):
        self.table = table or load_table()
        self.baseline = baseline
        self.min_interval_ms = int(min_interval_ms)
        self.reset()

    def reset(self, line=None) -> None:
        self._line = line
        self._smooth: dict[str, float] | None = None
        self._last_t: int | None = None
        self._shown: str | None = None
        self._shown_gap = 0.0
        self._changed_at: int | None = None
        self._candidate: str | None = None
        self._candidate_since: int | None = None

    @property
    def cue(self) -> str | None:
        """The cue shown now (``None`` before the first update of a line)."""
        return self._shown

    def update(self, time_ms: int, line, targets: tuple[str, ...],
               actions: dict[str, float] | None) -> str | None:
        """The cue for the frame at ``time_ms`` of ``line`` (any hashable key: a new key
        starts afresh) with the face's ``actions`` (``None``: no face actions this frame,
        the cue stays). Returns the cue to show."""
        t = int(time_ms)
        if line != self._line:
            self.reset(line)
        if actions is None:
            return self._shown
        self._smooth_in(t, actions)
        assert self._smooth is not None
        want, gap = instruction_for(targets, self._smooth, self.table, self.baseline)
        if self._shown is None:
            self._show(want, gap, t)
            return self._shown
        if want == self._shown:
            self._shown_gap = gap
            self._candidate, self._candidate_since = None, None
            return self._shown
        if not self._worth_switching(want, gap, targets):
            self._candidate, self._candidate_since = None, None
            return self._shown
        if want != self._candidate:
            self._candidate, self._candidate_since = want, t
        dwelt = t - (self._candidate_since or t) >= DWELL_MS
        rested = self._changed_at is None or t - self._changed_at >= self.min_interval_ms
        if dwelt and rested:
            self._show(want, gap, t)
        return self._shown

    # --- internals ---------------------------------------------------------------------

    def _smooth_in(self, t: int, actions: dict[str, float]) -> None:
        if self._smooth is None or self._last_t is None:
            self._smooth = dict(actions)
        else:
            alpha = 1.0 - math.exp(-max(0, t - self._last_t) / SMOOTH_MS)
            for a, v in actions.items():
                old = self._smooth.get(a, float("nan"))
                if not math.isfinite(v):
                    continue
                self._smooth[a] = v if not math.isfinite(old) else old + alpha * (v - old)
        self._last_t = t

    def _worth_switching(self, want: str, gap: float, targets: tuple[str, ...]) -> bool:
        current_gap = self._current_gap(targets)
        if want == CUE_ON_TARGET:
            # leave an instruction for "on target" only once it is well met
            return current_gap <= ON_TOLERANCE
        if self._shown == CUE_ON_TARGET:
            return gap >= OFF_TOLERANCE
        if self._shown == CUE_FACE_CAMERA or want == CUE_FACE_CAMERA:
            return True
        return gap >= current_gap + SWITCH_MARGIN

    def _current_gap(self, targets: tuple[str, ...]) -> float:
        """The gap of the instruction shown now, on the smoothed face."""
        assert self._smooth is not None
        if self._shown in (None, CUE_ON_TARGET, CUE_FACE_CAMERA) or not targets:
            return 0.0
        for action, wanted, _seen, gap in _gaps_for(targets, self._smooth, self.table, self.baseline):
            if self._shown == _cue_of(self.table, action, wanted):
                return gap
        return 0.0

    def _show(self, cue: str, gap: float, t: int) -> None:
        self._shown, self._shown_gap, self._changed_at = cue, gap, t
        self._candidate, self._candidate_since = None, None


def smoothed_levels(levels: np.ndarray, times_ms: np.ndarray, tau_ms: float = SMOOTH_MS) -> np.ndarray:
    """An exponential average of ``(n, k)`` levels over time (NaN rows skipped), as the
    live cue smooths them."""
    out = np.array(levels, dtype=np.float64, copy=True)
    prev = None
    prev_t = None
    for i in range(len(out)):
        row = out[i]
        if not np.isfinite(row).any():
            continue
        if prev is not None and prev_t is not None:
            alpha = 1.0 - math.exp(-max(0.0, float(times_ms[i] - prev_t)) / tau_ms)
            row = np.where(np.isfinite(row), prev + alpha * (row - prev), prev)
            out[i] = row
        prev, prev_t = row, times_ms[i]
    return out
