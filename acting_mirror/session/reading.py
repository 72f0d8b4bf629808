"""How a session reads a source: decode stamps, opening off the session's thread, and
trying a lost camera again."""

from __future__ import annotations

import threading
from collections import deque
from typing import Callable, Iterator

from acting_mirror.core.ports import FrameSource
from acting_mirror.core.rates import RateMeter
from acting_mirror.core.types import Frame
from acting_mirror.session import events as ev


class StampedSource:
    """Passes a source's frames through, noting when each was decoded, and the decoding
    rate. Runs on the decoder thread; ``stamps`` is a bounded deque the session reads
    (deque append and copy are atomic), ``rate`` a RateMeter ticked here."""

    def __init__(self, source: FrameSource, clock: Callable[[], float]):
        self.source = source
        self.name = source.name
        self.fps = source.fps
        self.frame_count = source.frame_count
        self.stamps: deque[tuple[int, float]] = deque(maxlen=64)
        self.rate = RateMeter(clock=clock)
        self._clock = clock

    def __iter__(self) -> Iterator[Frame]:
        for frame in self.source:
            now = self._clock()
            self.stamps.append((frame.index, now))
            self.rate.tick(now)
            yield frame

    def close(self) -> None:
        self.source.close()


class Opening:
    """A source being opened on a helper thread (see ``Session._opened_without_blocking``)."""

    def __init__(self, open_source, spec: str, loop: bool):
        self.done = threading.Event()
        self._source = None
        self._error: BaseException | None = None
        self._abandoned = False
        self._lock = threading.Lock()
        threading.Thread(target=self._run, args=(open_source, spec, loop),
                         name="source-opener", daemon=True).start()

    def _run(self, open_source, spec: str, loop: bool) -> None:
        try:
            source = open_source(spec, loop)
        except BaseException as exc:  # handed to the session, which re-raises it
            self._error = exc
            source = None
        with self._lock:
            self._source = source
            abandoned = self._abandoned
            self.done.set()
        if abandoned and source is not None:
            source.close()

    def abandon(self) -> None:
        with self._lock:
            self._abandoned = True
            source = self._source if self.done.is_set() else None
        if source is not None:
            source.close()

    def result(self):
        if self._error is not None:
            raise self._error
        return self._source


class Reconnect:
    """When to try a lost camera again: 1 s, then twice as long each time, up to 10 s."""

    first_delay_s = 1.0
    max_delay_s = 10.0
    max_tries = 30  # about five minutes

    def __init__(self, spec: str, loop: bool, now: float):
        self.spec, self.loop = spec, loop
        self.tries = 0
        self.due = now + self.first_delay_s

    def schedule(self, now: float) -> float:
        delay = min(self.max_delay_s, self.first_delay_s * 2 ** self.tries)
        self.due = now + delay
        return delay


def source_info(spec: str, source: FrameSource, loop: bool) -> ev.SourceInfo:
    """What is decided about a source, once, from the traits it declares."""
    camera = bool(getattr(source, "camera", False))
    live = bool(getattr(source, "live", False)) and not loop
    return ev.SourceInfo(
        spec=spec,
        name=source.name,
        fps=float(source.fps),
        frame_count=source.frame_count,
        live=live or camera,
        camera=camera,
        loop=loop,
        width=int(getattr(source, "width", 0) or 0),
        height=int(getattr(source, "height", 0) or 0),
        stills=bool(getattr(source, "stills", False)),
    )
