"""Prefetcher: decode frames on a background thread so decoding overlaps analysis.

Two policies: for files every frame is delivered (a bounded queue that blocks the decoder
when full: offline nothing is dropped); for live sources only the newest frame is kept
(latest-wins: a slow consumer sees fresh frames, never a growing backlog).
"""

from __future__ import annotations

import queue
import threading
import time
from collections import deque
from typing import Iterator

from acting_mirror.core.ports import FrameSource
from acting_mirror.core.types import Frame

_END = object()


class Prefetcher:
    """Wraps a FrameSource; iterating yields the same frames, decoded ahead of time.

    ``decode_ms`` holds the time each frame took to decode (for the benchmark).
    Errors raised by the source while decoding are re-raised to the consumer.
    """

    def __init__(self, source: FrameSource, *, latest_only: bool = False, depth: int = 4):
        self.source = source
        self.name = source.name
        self.fps = source.fps
        self.frame_count = source.frame_count
        self.live = bool(getattr(source, "live", False))
        self.stills = bool(getattr(source, "stills", False))
        self.endless = bool(getattr(source, "endless", source.frame_count is None))
        self.latest_only = latest_only
        self.dropped = 0
        self.decode_ms: deque[float] = deque(maxlen=10_000)
        self._queue: queue.Queue = queue.Queue(maxsize=1 if latest_only else max(1, depth))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="frame-decoder", daemon=True)
        self._started = False

    def _run(self) -> None:
        try:
            it = iter(self.source)
            while not self._stop.is_set():
                t0 = time.perf_counter()
                try:
                    frame = next(it)
                except StopIteration:
                    break
                self.decode_ms.append((time.perf_counter() - t0) * 1e3)
                self._put(frame)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            self._put(exc)
            return
        self._put(_END)

    def _put(self, item) -> None:
        if self.latest_only and isinstance(item, Frame):
            try:
                self._queue.get_nowait()
                self.dropped += 1
            except queue.Empty:
                pass
            self._queue.put(item)
            return
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    @property
    def end_reason(self) -> str | None:
        """The wrapped source's (see media.sources); ``None`` until it ended."""
        return getattr(self.source, "end_reason", None)

    @property
    def end_message(self) -> str | None:
        return getattr(self.source, "end_message", None)

    def __iter__(self) -> Iterator[Frame]:
        if not self._started:
            self._started = True
            self._thread.start()
        while True:
            item = self._queue.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def close(self) -> None:
        self._stop.set()
        try:
            while True:
                self._queue.get_nowait()
        except queue.Empty:
            pass
        if self._started:
            # a frame being decoded finishes first (never release a capture mid-read); on a
            # loaded machine that took over 2 s
            self._thread.join(timeout=10.0)
        self.source.close()

    def __enter__(self) -> "Prefetcher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
