"""The per-frame emotion timeline: the ``timeline.csv`` format, reading it back, and a
fixed-size rolling buffer of the primary face's emotions for live plots."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np

from acting_mirror.core.types import EMOTIONS, N_EMOTIONS, FrameResult
from acting_mirror.errors import SourceError

TIMELINE_COLUMNS: tuple[str, ...] = (
    "frame", "time_ms", "face_id", "primary", "x", "y", "w", "h",
    *EMOTIONS,
    "top_emotion", "confidence",
    *(f"raw_{e}" for e in EMOTIONS),
)
"""Column order of ``timeline.csv``: one row per face per frame; the seven emotion columns
are the smoothed probabilities the app shows, ``raw_*`` the classifier's own for this frame
(empty for a face that was not read this frame: with many faces, the live app reads the
main face every frame and lets the others take turns)."""

_FIXED_COLUMNS = TIMELINE_COLUMNS[: 8 + N_EMOTIONS]


def _fmt(p: float) -> str:
    return f"{p:.4f}"


def timeline_rows(result: FrameResult) -> list[list[str]]:
    """The CSV rows (as strings, in TIMELINE_COLUMNS order) for one analysed frame."""
    rows = []
    for face in result.faces:
        shown = face.shown_probs
        if shown is None:
            continue
        raw = face.raw_probs  # None: this face was not read this frame (see core.readings)
        b = face.box
        rows.append(
            [
                str(result.frame.index), str(result.frame.time_ms), str(face.face_id),
                "1" if face.primary else "0", str(b.x), str(b.y), str(b.w), str(b.h),
                *(_fmt(p) for p in shown),
                EMOTIONS[int(np.argmax(shown))], _fmt(float(np.max(shown))),
                *((_fmt(p) for p in raw) if raw is not None else [""] * N_EMOTIONS),
            ]
        )
    return rows


@dataclass(frozen=True)
class TimelineTable:
    """A ``timeline.csv`` read back as columns (one entry per row)."""

    frame: np.ndarray  # int64
    time_ms: np.ndarray  # int64
    face_id: np.ndarray  # int64
    primary: np.ndarray  # bool
    boxes: np.ndarray  # (n, 4) int64: x, y, w, h
    probs: np.ndarray  # (n, 7) float32, smoothed

    def __len__(self) -> int:
        return int(self.frame.shape[0])

    def primary_rows(self) -> "TimelineTable":
        return self.select(self.primary)

    def select(self, mask: np.ndarray) -> "TimelineTable":
        return TimelineTable(
            self.frame[mask], self.time_ms[mask], self.face_id[mask], self.primary[mask],
            self.boxes[mask], self.probs[mask],
        )


def read_timeline(path: Path | str) -> TimelineTable:
    """Read a ``timeline.csv``; raises SourceError with one sentence when it is not one."""
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None or tuple(header[: len(_FIXED_COLUMNS)]) != _FIXED_COLUMNS:
                raise SourceError(f"{path} is not an Acting Mirror timeline (unexpected columns).")
            rows = [r for r in reader if r]
    except OSError as exc:
        raise SourceError(f"Cannot read timeline {path}: {exc.strerror or exc}.") from exc
    except (UnicodeDecodeError, csv.Error) as exc:
        raise SourceError(f"{path} is not an Acting Mirror timeline (it is not CSV text).") from exc
    return _table_from_rows(rows, path)


def _table_from_rows(rows: Iterable[list[str]], path: Path) -> TimelineTable:
    rows = list(rows)
    for n, row in enumerate(rows, start=2):
        if len(row) < len(_FIXED_COLUMNS):
            raise SourceError(
                f"{path} has a malformed row (line {n} has {len(row)} of at least {len(_FIXED_COLUMNS)} columns)."
            )
    try:
        ints = np.array([[int(v) for v in r[:8]] for r in rows], dtype=np.int64).reshape(-1, 8)
        probs = np.array(
            [[float(v) for v in r[8 : 8 + N_EMOTIONS]] for r in rows], dtype=np.float32
        ).reshape(-1, N_EMOTIONS)
    except (ValueError, IndexError, OverflowError) as exc:
        raise SourceError(f"{path} has a malformed row ({_short(exc)}).") from exc
    if not np.isfinite(probs).all():
        raise SourceError(f"{path} has a malformed row (an emotion value is not a number).")
    return TimelineTable(
        frame=ints[:, 0], time_ms=ints[:, 1], face_id=ints[:, 2], primary=ints[:, 3] == 1,
        boxes=ints[:, 4:8], probs=probs,
    )


def _short(exc: BaseException, limit: int = 80) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class EmotionTimeline:
    """The primary face's recent emotions in fixed-size ring buffers (no growing lists).

    ``append`` takes ``None`` for a frame with no face (stored as NaN so plots show a gap).
    ``window()`` returns the buffered points in time order.
    """

    def __init__(self, capacity: int = 30 * 60):
        if capacity < 1:
            raise ValueError("capacity must be positive")
        self.capacity = capacity
        self._t = np.zeros(capacity, dtype=np.float64)
        self._p = np.full((capacity, N_EMOTIONS), np.nan, dtype=np.float32)
        self._next = 0
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def clear(self) -> None:
        self._next = 0
        self._size = 0

    def append(self, time_ms: int, probs: np.ndarray | None) -> None:
        i = self._next
        self._t[i] = time_ms
        if probs is None:
            self._p[i] = np.nan
        else:
            self._p[i] = probs
        self._next = (i + 1) % self.capacity
        self._size = min(self._size + 1, self.capacity)

    def window(self) -> tuple[np.ndarray, np.ndarray]:
        """``(times_ms, probs)`` oldest first; probs is (n, 7) with NaN rows for no face."""
        if self._size < self.capacity:
            return self._t[: self._size].copy(), self._p[: self._size].copy()
        order = np.r_[self._next : self.capacity, 0 : self._next]
        return self._t[order], self._p[order]

    def latest(self) -> np.ndarray | None:
        if self._size == 0:
            return None
        p = self._p[(self._next - 1) % self.capacity]
        return None if np.isnan(p).any() else p.copy()
