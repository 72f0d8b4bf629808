"""Any face action over a take, for the review's plot, without Qt.

The main face's actions (``core.face_actions.action_matrix`` of the timeline's
blendshapes and head pose) against take time, broken where the face was missing as the
emotion curves are (``core.take_data``), NaN where the face mesh did not run or the head
was turned too far. A take with no face detail at all says so instead of an empty curve.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from acting_mirror.core.face_actions import ACTIONS, action_matrix, load_table
from acting_mirror.core.scoring import estimate_frame_ms, primary_rows
from acting_mirror.core.timeline import TimelineTable

NO_DETAIL = "no face detail in this take"
"""What the review says instead of an empty plot (the take was recorded without the
face mesh: turn on View › Face detail, or ``process --detail``)."""


def action_choices() -> list[tuple[str, str]]:
    """``(action, label)`` for the picker: every action of the vocabulary with the words
    a teacher would use ("jaw_drop — let the jaw drop")."""
    words = load_table().words
    return [(a, f"{a.replace('_', ' ')} — {words[a].more}") for a in ACTIONS]


def has_face_detail(table: TimelineTable) -> bool:
    return table.has_blendshapes and bool(np.isfinite(primary_rows(table).blendshapes).any())


@dataclass(frozen=True)
class ActionCurve:
    """One action of the main face over the take: seconds and levels in [0, 1] (NaN:
    not read, or a gap in the face)."""

    action: str
    t_s: np.ndarray
    values: np.ndarray

    @property
    def read(self) -> np.ndarray:
        return self.values[np.isfinite(self.values)]

    @property
    def summary(self) -> str:
        """"median 0.12, peak 0.64 at 0:03.2" (or that it was never read)."""
        read = self.read
        if read.size == 0:
            return "not read in this take (head turned away, or no face)"
        k = int(np.nanargmax(self.values))
        t = float(self.t_s[k])
        return (f"median {float(np.median(read)):.2f}, peak {float(read.max()):.2f} "
                f"at {int(t // 60)}:{t % 60:04.1f}")


def action_curve(table: TimelineTable, action: str) -> ActionCurve | None:
    """``action``'s curve over ``table`` (times in ms from the take's start), or ``None``
    when the take has no face detail (:data:`NO_DETAIL`)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown face action {action!r}")
    if not has_face_detail(table):
        return None
    rows = primary_rows(table)
    order = np.argsort(rows.time_ms, kind="stable")
    t = rows.time_ms[order].astype(np.float64)
    pose = rows.pose[order] if rows.pose is not None else None
    v = action_matrix(rows.blendshapes[order], pose)[:, ACTIONS.index(action)]
    if t.size > 1:  # break the curve where the face was missing, as the emotions' are
        gap = 2.5 * estimate_frame_ms(table)
        breaks = np.nonzero(np.diff(t) > gap)[0]
        if breaks.size:
            t = np.insert(t, breaks + 1, t[breaks] + gap / 2)
            v = np.insert(v, breaks + 1, np.nan)
    return ActionCurve(action, t / 1000.0, v)


__all__ = ["ActionCurve", "action_curve", "action_choices", "has_face_detail", "NO_DETAIL"]
