"""StageStats: per-stage timings in fixed-size windows, for status bars and benchmarks."""

from __future__ import annotations

from collections import deque
from typing import Iterable, Mapping

import numpy as np

STAGES = ("decode", "detect", "classify", "track", "annotate", "encode")


class StageStats:
    """Recent durations (ms) per named stage; memory stays flat however long it runs."""

    def __init__(self, window: int = 10_000):
        self.window = window
        self._samples: dict[str, deque[float]] = {}

    def add(self, stage: str, ms: float) -> None:
        self._samples.setdefault(stage, deque(maxlen=self.window)).append(float(ms))

    def add_all(self, timings: Mapping[str, float]) -> None:
        for stage, ms in timings.items():
            self.add(stage, ms)

    def extend(self, stage: str, values: Iterable[float]) -> None:
        for v in values:
            self.add(stage, v)

    def percentiles(self, stage: str, qs=(50, 95)) -> tuple[float, ...] | None:
        samples = self._samples.get(stage)
        if not samples:
            return None
        return tuple(float(v) for v in np.percentile(np.fromiter(samples, float), qs))

    def table(self, stages: Iterable[str] = STAGES) -> dict[str, dict[str, float]]:
        out = {}
        for stage in stages:
            p = self.percentiles(stage)
            if p is not None:
                out[stage] = {"p50_ms": round(p[0], 2), "p95_ms": round(p[1], 2)}
        return out
