"""Line-learning modes: a passage of a script, a timed script at another pace, and the
actor's own line shown in full, as first letters, or hidden.

Pure functions over :class:`~acting_mirror.core.script.Script`: the session plays what
they return, and the take stores (and is scored against) exactly that.
"""

from __future__ import annotations

import enum
import re
from dataclasses import replace

from acting_mirror.core.script import Script
from acting_mirror.errors import ScriptError

MIN_PACE, MAX_PACE = 0.75, 1.5
"""Timed scripts can be played from three quarters to one and a half times their pace."""


class LineDisplay(enum.Enum):
    """How the actor's own line is shown while rehearsing."""

    FULL = "full"
    INITIALS = "initials"  # the first letter of each word: "T n d a u."
    HIDDEN = "hidden"  # nothing until revealed


def passage(script: Script, first: int, last: int) -> Script:
    """Lines ``first``..``last`` (0-based, inclusive) as a script of their own, numbered
    from 0; a timed passage starts at time 0."""
    n = len(script.cues)
    if not (0 <= first <= last < n):
        raise ScriptError(
            f"A passage needs lines between 1 and {n}, first before last; got "
            f"{first + 1}-{last + 1}.", problems=[f"lines {first + 1}-{last + 1} of {n}"])
    cues = script.cues[first:last + 1]
    shift = cues[0].start_ms if cues[0].start_ms is not None else None
    moved = []
    for i, cue in enumerate(cues):
        if shift is not None and cue.timed:
            cue = replace(cue, start_ms=cue.start_ms - shift, end_ms=cue.end_ms - shift)
        moved.append(replace(cue, index=i))
    name = f"{script.source or 'script'} (lines {first + 1}-{last + 1})"
    return replace(script, cues=tuple(moved), source=name)


def paced(script: Script, pace: float) -> Script:
    """A timed script played at ``pace`` times its speed (1.5: faster, every time divided
    by 1.5); an untimed one is unchanged (the actor sets its pace)."""
    if not (MIN_PACE <= pace <= MAX_PACE):
        raise ScriptError(f"The pace must be between {MIN_PACE} and {MAX_PACE}, not {pace:g}.",
                          problems=[f"pace {pace:g}"])
    if pace == 1.0 or not script.timed:
        return script
    cues = tuple(
        replace(c, start_ms=int(round(c.start_ms / pace)), end_ms=int(round(c.end_ms / pace)))
        if c.timed else c
        for c in script.cues
    )
    return replace(script, cues=cues)


_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)


def shown_line(text: str, display: LineDisplay) -> str:
    """``text`` as the actor's own line is shown in ``display`` mode."""
    if display is LineDisplay.FULL:
        return text
    if display is LineDisplay.HIDDEN:
        return ""
    return _WORD.sub(lambda m: m.group(0)[0], text)


def parse_passage(text: str, lines: int) -> tuple[int, int] | None:
    """``"3-5"`` (1-based, inclusive) as ``(2, 4)``; ``"4"`` as one line; ``None`` when it is
    not a range of lines between 1 and ``lines``."""
    match = re.fullmatch(r"\s*(\d{1,6})\s*(?:[-–]\s*(\d{1,6})\s*)?", text or "")
    if match is None:
        return None
    first = int(match.group(1))
    last = int(match.group(2)) if match.group(2) else first
    if not (1 <= first <= last <= lines):
        return None
    return first - 1, last - 1
