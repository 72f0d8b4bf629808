"""RateMeter: events per second over a sliding window of recent events."""

from __future__ import annotations

import time
from collections import deque


class RateMeter:
    """Counts ticks and reports their rate over the last ``window_s`` seconds."""

    def __init__(self, window_s: float = 2.0, clock=time.perf_counter):
        self.window_s = window_s
        self._clock = clock
        self._ticks: deque[float] = deque(maxlen=512)

    def tick(self, at: float | None = None) -> None:
        self._ticks.append(self._clock() if at is None else at)

    def clear(self) -> None:
        self._ticks.clear()

    def rate(self, now: float | None = None) -> float:
        now = self._clock() if now is None else now
        ticks = self._ticks
        while ticks and now - ticks[0] > self.window_s:
            ticks.popleft()
        if len(ticks) < 2:
            return 0.0
        span = max(now - ticks[0], ticks[-1] - ticks[0])
        return (len(ticks) - 1) / span if span > 0 else 0.0


class DisplayStats:
    """The live figures for the status bar and ``--stats``, kept on the GUI thread:
    capture and analysed rates (as the worker measured them), painted rate, latency
    from capture to painted, faces in the newest frame, and stage timings."""

    def __init__(self, clock=time.perf_counter):
        self._clock = clock
        self.painted = RateMeter(clock=clock)
        self.capture_fps = 0.0
        self.analysed_fps = 0.0
        self.faces = 0
        self._latencies: deque[float] = deque(maxlen=60)
        # since the last report (for --stats): bounded, so a long session without --stats
        # does not grow; timings as running sums and counts
        self._interval_latencies: deque[float] = deque(maxlen=4096)
        self._interval_timings: dict[str, list[float]] = {}  # key -> [sum, count]

    def clear(self) -> None:
        """Forget everything (a new source): the next report covers the new one only."""
        self.painted.clear()
        self.capture_fps = self.analysed_fps = 0.0
        self.faces = 0
        self._latencies.clear()
        self._interval_latencies.clear()
        self._interval_timings = {}

    def on_frame(self, capture_fps: float, analysed_fps: float, faces: int,
                 timings_ms: dict[str, float]) -> None:
        self.capture_fps = capture_fps
        self.analysed_fps = analysed_fps
        self.faces = faces
        for key, value in timings_ms.items():
            acc = self._interval_timings.setdefault(key, [0.0, 0])
            acc[0] += value
            acc[1] += 1

    def on_painted(self, latency_s: float) -> None:
        self.painted.tick()
        ms = latency_s * 1e3
        self._latencies.append(ms)
        self._interval_latencies.append(ms)

    @property
    def latency_ms(self) -> float | None:
        """Median latency of the last painted frames, ``None`` before the first."""
        if not self._latencies:
            return None
        ordered = sorted(self._latencies)
        return ordered[len(ordered) // 2]

    def report(self) -> str:
        """One line for the log, covering the time since the previous report."""
        lat = sorted(self._interval_latencies)
        if lat:
            latency = (f"latency p50 {lat[len(lat) // 2]:.0f} ms, "
                       f"p90 {lat[min(len(lat) - 1, int(len(lat) * 0.9))]:.0f} ms")
        else:
            latency = "latency -"
        stages = ", ".join(
            f"{key} {total / count:.1f} ms"
            for key, (total, count) in self._interval_timings.items() if count
        )
        self._interval_latencies.clear()
        self._interval_timings = {}
        return (f"capture {self.capture_fps:.1f} fps, analysed {self.analysed_fps:.1f} fps, "
                f"painted {self.painted.rate():.1f} fps, {latency}, faces {self.faces}"
                + (f"; mean {stages}" if stages else ""))
