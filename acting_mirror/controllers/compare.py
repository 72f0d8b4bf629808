"""CompareController: two to four takes of the same script side by side, without Qt.

What changed line by line ("line 3: miss → hit"), and the clock that keeps the two videos
in step by script line, not only by time: a moment in take A maps to the same point of
the same line in take B (linearly between the lines' starts and ends), so a teleprompter
take where the actor lingered on line 2 still shows line 3 beside line 3. With more than
two takes, take A (the first) is the reference every other take follows so.
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


MAX_TAKES = 4  # side by side on a 1366-wide screen, each video still large enough
LETTERS = "ABCD"


@dataclass(frozen=True)
class LineChange:
    """One script line in every take compared: ``a``, ``b`` and, with more than two
    takes, ``more`` (take C, D)."""

    index: int  # 0-based
    text: str
    targets: tuple[str, ...]
    a: LineScore | None
    b: LineScore | None
    more: tuple[LineScore | None, ...] = ()

    @property
    def scores(self) -> tuple[LineScore | None, ...]:
        """This line's score in each take, A first."""
        return (self.a, self.b, *self.more)

    @property
    def verdicts(self) -> list[str]:
        return [VERDICT_WORDS.get(s.verdict if s else None, "—") for s in self.scores]

    @property
    def verdict_a(self) -> str:
        return self.verdicts[0]

    @property
    def verdict_b(self) -> str:
        return self.verdicts[1]

    @property
    def changed(self) -> bool:
        return len(set(self.verdicts)) > 1

    @property
    def direction(self) -> int:
        """+1 better in the last take than in A, -1 worse, 0 the same (or not
        comparable)."""
        first, last = self.scores[0], self.scores[-1]
        ra = _RANK.get(first.verdict) if first else None
        rb = _RANK.get(last.verdict) if last else None
        if ra is None or rb is None or ra == rb:
            return 0
        return 1 if rb > ra else -1

    @property
    def summary(self) -> str:
        """``line 3: miss → hit`` (1-based, as the actor counts; with more takes
        ``line 3: miss → partial → hit``), or ``line 3: hit (same)``."""
        if self.changed:
            return f"line {self.index + 1}: " + " → ".join(self.verdicts)
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


def line_changes(a: TakeReport, b: TakeReport, *more: TakeReport) -> list[LineChange]:
    """Every line of any report, in order, with every take's score."""
    by_take = [{line.index: line for line in report.lines} for report in (a, b, *more)]
    changes = []
    for index in sorted(set().union(*by_take)):
        scores = [lines.get(index) for lines in by_take]
        shown = next(s for s in scores if s is not None)
        changes.append(LineChange(index, shown.text, tuple(shown.targets), scores[0], scores[1],
                                  tuple(scores[2:])))
    return changes


def _reached(line: LineScore | None) -> bool:
    return line is not None and line.verdict != "not_reached" and line.end_ms > line.start_ms


def sync_knots(changes: list[LineChange], duration_a_ms: float, duration_b_ms: float,
               side: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Matching moments of take A and take ``side`` (1: B): 0, every line reached in
    both (its start and end), and the takes' ends; kept strictly increasing in both (the
    clock between is linear)."""
    pairs = [(0.0, 0.0)]
    for change in changes:
        la, lb = change.scores[0], change.scores[side]
        if _reached(la) and _reached(lb):
            pairs.append((float(la.start_ms), float(lb.start_ms)))
            pairs.append((float(la.end_ms), float(lb.end_ms)))
    pairs.append((max(duration_a_ms, 1.0), max(duration_b_ms, 1.0)))
    kept = [pairs[0]]
    for ta, tb in pairs[1:]:
        if ta > kept[-1][0] and tb > kept[-1][1]:
            kept.append((ta, tb))
    return np.array([p[0] for p in kept]), np.array([p[1] for p in kept])


class CompareController:
    """Two to four takes of the same script, as the user picked them (the library puts
    the oldest first): take A is the reference, whose clock the others follow line by
    line. ScriptError (one sentence) when a take has no report, or they follow
    different scripts."""

    def __init__(self, a: ReviewController, b: ReviewController, *more: ReviewController):
        sides = [a, b, *more]
        if len(sides) > MAX_TAKES:
            raise ScriptError(f"Compare up to {MAX_TAKES} takes at a time "
                              f"({len(sides)} were chosen).")
        for side in sides:
            if side.report is None:
                raise ScriptError(
                    f"The take {side.folder.name} has no report yet: review it and score it "
                    "against its script first, then compare.")
        key_a = _script_key(a.take)
        for side in sides[1:]:
            key = _script_key(side.take)
            if key_a is None or key is None or key != key_a:
                raise ScriptError(
                    f"{a.folder.name} and {side.folder.name} were not acted to the same "
                    "script, so their lines cannot be compared.")
        self.sides = sides
        self.changes = line_changes(*(side.report for side in sides))
        self._knots = [self._knots_for(i) for i in range(len(sides))]

    a = property(lambda self: self.sides[0])
    b = property(lambda self: self.sides[1])

    @property
    def letters(self) -> str:
        """``"AB"``, ``"ABC"``…: how the takes are called, in order."""
        return LETTERS[:len(self.sides)]

    @classmethod
    def open(cls, folder_a: Path | str, folder_b: Path | str, *more: Path | str,
             profiles: ProfileStore | None = None) -> "CompareController":
        folders = [folder_a, folder_b, *more]
        if len({Path(f).resolve() for f in folders}) != len(folders):
            raise ScriptError("Choose two different takes to compare." if len(folders) == 2
                              else "The same take was chosen twice: choose two different "
                              f"takes (up to {MAX_TAKES}) to compare.")
        if len(folders) > MAX_TAKES:
            raise ScriptError(f"Compare up to {MAX_TAKES} takes at a time "
                              f"({len(folders)} were chosen).")
        opened: list[ReviewController] = []
        try:
            for folder in folders:
                opened.append(ReviewController.open(folder, profiles=profiles))
            return cls(*opened)
        except BaseException:
            for side in opened:
                side.close()
            raise

    # ------------------------------------------------------------------ the clock

    def _knots_for(self, side: int) -> tuple[np.ndarray, np.ndarray]:
        return sync_knots(self.changes, self.a.take.duration_ms,
                          self.sides[side].take.duration_ms, side)

    def time_in(self, side: int, time_a_ms: float) -> float:
        """The moment of take ``side`` (0: A, 1: B…) that matches ``time_a_ms`` of take A
        (same line, same share of it)."""
        ka, ks = self._knots[side]
        return float(np.interp(time_a_ms, ka, ks))

    def time_in_b(self, time_a_ms: float) -> float:
        return self.time_in(1, time_a_ms)

    def time_in_a(self, time_b_ms: float, side: int = 1) -> float:
        ka, ks = self._knots[side]
        return float(np.interp(time_b_ms, ks, ka))

    def times_in_a(self, times_ms: np.ndarray, side: int = 1) -> np.ndarray:
        """Take ``side``'s times on take A's clock (to overlay its curves on A's)."""
        ka, ks = self._knots[side]
        return np.interp(np.asarray(times_ms, dtype=np.float64), ks, ka)

    def line_at(self, time_a_ms: float) -> LineChange | None:
        """The line take A is in at ``time_a_ms``."""
        for change in self.changes:
            if change.a is not None and change.a.start_ms <= time_a_ms < change.a.end_ms:
                return change
        return None

    def seek(self, k_a: int) -> tuple:
        """Frame ``k_a`` of take A and the matching frame of every other take:
        ``(frame_a, frame_b, …)`` (``review.Frame``, or ``None`` for a take without
        frames)."""
        frame_a = self.a.seek(k_a)
        time_a = frame_a.time_ms if frame_a is not None else 0.0
        others = tuple(side.seek(side.frame_at(self.time_in(i, time_a)))
                       for i, side in enumerate(self.sides) if i > 0)
        return (frame_a, *others)

    # ------------------------------------------------------------------ words

    @property
    def scores(self) -> list[int]:
        """Each take's score, in whole percent."""
        return [round(100 * side.report.score) for side in self.sides]

    @property
    def best(self) -> str:
        """The letter(s) of the take(s) with the best score: ``"B"``, or ``"A and C"``
        on a tie."""
        scores = self.scores
        top = [letter for letter, s in zip(self.letters, scores) if s == max(scores)]
        return top[0] if len(top) == 1 else ", ".join(top[:-1]) + f" and {top[-1]}"

    @property
    def headline(self) -> str:
        """``Score 50% → 75% (+25 points); 1 line better, 0 worse``; with more takes
        ``Score 50% → 60% → 75% (+25 points from A to C, best C); 1 line better, 0
        worse``."""
        scores = self.scores
        sa, sb = scores[0], scores[-1]
        better = sum(1 for c in self.changes if c.direction > 0)
        worse = sum(1 for c in self.changes if c.direction < 0)
        sign = "+" if sb >= sa else "−"
        span = (f"{sign}{abs(sb - sa)} points" if len(scores) == 2 else
                f"{sign}{abs(sb - sa)} points from A to {self.letters[-1]}, best {self.best}")
        return (" → ".join(f"{s}%" for s in scores).join(("Score ", f" ({span}); "))
                + f"{better} line{'s' if better != 1 else ''} better, {worse} worse")

    def close(self) -> None:
        for side in self.sides:
            side.close()


__all__ = ["CompareController", "LineChange", "line_changes", "sync_knots", "take_title",
           "VERDICT_WORDS", "MAX_TAKES", "LETTERS"]
