"""Where a script's lines lie on a take's time axis: :func:`spans_of` for a script with
times, :class:`LiveSpans` while a take runs (timed: from the script; teleprompter: from
the moments the actor moved on). Drawn by ``gui.script_panel.ScriptRegions``."""

from __future__ import annotations

from dataclasses import dataclass

from acting_mirror.core.follower import CueState
from acting_mirror.core.script import Cue, Script


@dataclass(frozen=True)
class Span:
    """A script line's place on a time axis (milliseconds of take time)."""

    start_ms: int
    end_ms: int
    targets: tuple[str, ...]
    index: int
    text: str = ""


def spans_of(script: Script) -> list[Span]:
    """The spans of a script whose lines have times (none otherwise)."""
    if not script.has_times:
        return []
    return [Span(int(c.start_ms), int(c.end_ms), c.targets, c.index, c.text) for c in script.cues]


class LiveSpans:
    """Where a script's lines lie in take time while the take runs, from the stream of
    CueStates: a timed script's lines are known up front; a teleprompter line starts
    when it first shows and grows until the next one replaces it."""

    def __init__(self, script: Script | None = None):
        self.script = script
        self.now_ms: int | None = None  # the newest state's take time
        self._started: list[tuple[Cue, int]] = []
        self._end: int | None = None

    def reset(self, script: Script | None = None) -> None:
        if script is not None:
            self.script = script
        self.now_ms = None
        self._started = []
        self._end = None

    def update(self, state: CueState) -> None:
        if self.script is None or not state.started or state.elapsed_ms is None:
            return
        self.now_ms = int(state.elapsed_ms)
        if self.script.timed:
            return
        if state.cue is not None:
            if not self._started or self._started[-1][0].index != state.cue.index:
                self._started.append((state.cue, self.now_ms))
        elif state.finished and self._end is None:
            self._end = self.now_ms

    @property
    def spans(self) -> list[Span]:
        if self.script is None:
            return []
        if self.script.timed:
            return spans_of(self.script)
        out = []
        for i, (cue, start) in enumerate(self._started):
            if i + 1 < len(self._started):
                end = self._started[i + 1][1]
            else:
                end = self._end if self._end is not None else (self.now_ms or start)
            out.append(Span(start, max(end, start), cue.targets, cue.index, cue.text))
        return out


__all__ = ["Span", "spans_of", "LiveSpans"]
