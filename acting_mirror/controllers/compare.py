"""CompareController: two takes of the same script side by side, without Qt.

What changed line by line ("line 3: miss → hit"), and the clock that keeps the two videos
in step by script line, not only by time: a moment in take A maps to the same point of
the same line in take B (linearly between the lines' starts and ends), so a teleprompter
take where the actor lingered on line 2 still shows line 3 beside line 3.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from acting_mirror.controllers.review import ReviewController
from acting_mirror.core.calibration import ProfileStore
from acting_mirror.core.scoring import LineScore, TakeReport
from acting_mirror.core.take_catalog import read_take_meta
from acting_mirror.core.take_data import TakeData
from acting_mirror.errors import ScriptError

VERDICT_WORDS = {"hit": "hit", "partial": "partial", "miss": "miss", "no_face": "no face",
                 "not_reached": "not reached", None: "—"}
_RANK = {"hit": 3, "partial": 2, "miss": 1, "no_face": 0}


@dataclass(frozen=True)
class LineChange:
    """One script line in both takes."""

    index: int  # 0-based
    text: str
    targets: tuple[str, ...]
    a: LineScore | None
    b: LineScore | None

    @property
    def verdict_a(self) -> str:
        return VERDICT_WORDS.get(self.a.verdict if self.a else None, "—")

    @property
    def verdict_b(self) -> str:
        return VERDICT_WORDS.get(self.b.verdict if self.b else None, "—")

    @property
    def changed(self) -> bool:
        return self.verdict_a != self.verdict_b

    @property
    def direction(self) -> int:
        """+1 better in B, -1 worse, 0 the same (or not comparable)."""
        ra = _RANK.get(self.a.verdict) if self.a else None
        rb = _RANK.get(self.b.verdict) if self.b else None
        if ra is None or rb is None or ra == rb:
            return 0
        return 1 if rb > ra else -1

    @property
    def summary(self) -> str:
        """``line 3: miss → hit`` (1-based, as the actor counts), or ``line 3: hit (same)``."""
        if self.changed:
            return f"line {self.index + 1}: {self.verdict_a} → {self.verdict_b}"
        return f"line {self.index + 1}: {self.verdict_a} (same)"


def take_title(take: TakeData) -> str:
    """The name the actor gave the take, else its folder's name."""
    return read_take_meta(take.folder).name or take.folder.name


def _script_key(take: TakeData) -> str | None:
    if take.take_script is not None:
        return take.take_script.key
    if take.report is not None and take.report.script:
        return f"name:{take.report.script}"
    return None


def line_changes(a: TakeReport, b: TakeReport) -> list[LineChange]:
    """Every line of either report, in order, with both takes' scores."""
    by_a = {line.index: line for line in a.lines}
    by_b = {line.index: line for line in b.lines}
    changes = []
    for index in sorted(set(by_a) | set(by_b)):
        la, lb = by_a.get(index), by_b.get(index)
        shown = la or lb
        changes.append(LineChange(index, shown.text, tuple(shown.targets), la, lb))
    return changes


def _reached(line: LineScore | None) -> bool:
    return line is not None and line.verdict != "not_reached" and line.end_ms > line.start_ms


def sync_knots(changes: list[LineChange], duration_a_ms: float,
               duration_b_ms: float) -> tuple[np.ndarray, np.ndarray]:
    """Matching moments of two takes: 0, every line reached in both (its start and end),
    and the takes' ends; kept strictly increasing in both (the clock between is linear)."""
    pairs = [(0.0, 0.0)]
    for change in changes:
        if _reached(change.a) and _reached(change.b):
            pairs.append((float(change.a.start_ms), float(change.b.start_ms)))
            pairs.append((float(change.a.end_ms), float(change.b.end_ms)))
    pairs.append((max(duration_a_ms, 1.0), max(duration_b_ms, 1.0)))
    kept = [pairs[0]]
    for ta, tb in pairs[1:]:
        if ta > kept[-1][0] and tb > kept[-1][1]:
            kept.append((ta, tb))
    return np.array([p[0] for p in kept]), np.array([p[1] for p in kept])


class CompareController:
    """Two takes (``a`` the earlier one, as the user picked them) of the same script.
    ScriptError (one sentence) when either has no report or they follow different
    scripts."""

    def __init__(self, a: ReviewController, b: ReviewController):
        for side in (a, b):
            if side.report is None:
                raise ScriptError(
                    f"The take {side.folder.name} has no report yet: review it and score it "
                    "against its script first, then compare.")
        key_a, key_b = _script_key(a.take), _script_key(b.take)
        if key_a is None or key_b is None or key_a != key_b:
            raise ScriptError(
                f"{a.folder.name} and {b.folder.name} were not acted to the same script, "
                "so their lines cannot be compared.")
        self.a, self.b = a, b
        self.changes = line_changes(a.report, b.report)
        self._knots_a, self._knots_b = self._knots()

    @classmethod
    def open(cls, folder_a: Path | str, folder_b: Path | str, *,
             profiles: ProfileStore | None = None) -> "CompareController":
        if Path(folder_a).resolve() == Path(folder_b).resolve():
            raise ScriptError("Choose two different takes to compare.")
        a = ReviewController.open(folder_a, profiles=profiles)
        try:
            b = ReviewController.open(folder_b, profiles=profiles)
        except BaseException:
            a.close()
            raise
        try:
            return cls(a, b)
        except BaseException:
            a.close()
            b.close()
            raise

    # ------------------------------------------------------------------ the clock

    def _knots(self) -> tuple[np.ndarray, np.ndarray]:
        return sync_knots(self.changes, self.a.take.duration_ms, self.b.take.duration_ms)

    def time_in_b(self, time_a_ms: float) -> float:
        """The moment of take B that matches ``time_a_ms`` of take A (same line, same
        share of it)."""
        return float(np.interp(time_a_ms, self._knots_a, self._knots_b))

    def time_in_a(self, time_b_ms: float) -> float:
        return float(np.interp(time_b_ms, self._knots_b, self._knots_a))

    def times_in_a(self, times_b_ms: np.ndarray) -> np.ndarray:
        """Take B's times on take A's clock (to overlay B's curves on A's)."""
        return np.interp(np.asarray(times_b_ms, dtype=np.float64), self._knots_b, self._knots_a)

    def line_at(self, time_a_ms: float) -> LineChange | None:
        """The line take A is in at ``time_a_ms``."""
        for change in self.changes:
            if change.a is not None and change.a.start_ms <= time_a_ms < change.a.end_ms:
                return change
        return None

    def seek(self, k_a: int):
        """Frame ``k_a`` of take A and the matching frame of take B: ``(frame_a, frame_b)``
        (``review.Frame``, or ``None`` for a take without frames)."""
        frame_a = self.a.seek(k_a)
        time_a = frame_a.time_ms if frame_a is not None else 0.0
        frame_b = self.b.seek(self.b.frame_at(self.time_in_b(time_a)))
        return frame_a, frame_b

    # ------------------------------------------------------------------ words

    @property
    def headline(self) -> str:
        """``Score 50% → 75% (+25 points); 1 line better, 0 worse``."""
        sa, sb = round(100 * self.a.report.score), round(100 * self.b.report.score)
        better = sum(1 for c in self.changes if c.direction > 0)
        worse = sum(1 for c in self.changes if c.direction < 0)
        sign = "+" if sb >= sa else "−"
        return (f"Score {sa}% → {sb}% ({sign}{abs(sb - sa)} points); "
                f"{better} line{'s' if better != 1 else ''} better, {worse} worse")

    def close(self) -> None:
        self.a.close()
        self.b.close()


__all__ = ["CompareController", "LineChange", "line_changes", "sync_knots", "take_title",
           "VERDICT_WORDS"]
