"""The per-frame emotion timeline: the ``timeline.csv`` format, reading it back, and a
fixed-size rolling buffer of the primary face's emotions for live plots."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np

from acting_mirror.core.blendshapes import BLENDSHAPE_NAMES
from acting_mirror.core.types import EMOTIONS, N_EMOTIONS, FrameResult
from acting_mirror.errors import SourceError

N_BLENDSHAPES = len(BLENDSHAPE_NAMES)
POSE_COLUMNS: tuple[str, ...] = ("yaw", "pitch", "roll")

TIMELINE_COLUMNS: tuple[str, ...] = (
    "frame", "time_ms", "face_id", "primary", "x", "y", "w", "h",
    *EMOTIONS,
    "top_emotion", "confidence",
    *(f"raw_{e}" for e in EMOTIONS),
    "quality", *POSE_COLUMNS,
    *BLENDSHAPE_NAMES,
    *(f"raw_{b}" for b in BLENDSHAPE_NAMES),
)
"""Column order of ``timeline.csv``: one row per face per frame; the seven emotion columns
are the smoothed probabilities the app shows, ``raw_*`` the classifier's own for this frame
(empty for a face that was not read this frame: with many faces, the live app reads the
main face every frame and lets the others take turns). Then ``quality`` (``ok``, or why the
picture of the face is poor: ``blurred|dark``…), head pose (``yaw,pitch,roll`` in degrees)
and the 52 blendshape scores named as MediaPipe names them (smoothed, then ``raw_*`` as
read), empty where not computed (the face mesh runs on the main face, or on every face
with ``--detector mesh``). Timelines written before these columns existed still read."""

_FIXED_COLUMNS = TIMELINE_COLUMNS[: 8 + N_EMOTIONS]
_RAW_END = 10 + 2 * N_EMOTIONS  # the columns every timeline has
_QUALITY = _RAW_END
_POSE = slice(_QUALITY + 1, _QUALITY + 4)
_BLEND = slice(_POSE.stop, _POSE.stop + N_BLENDSHAPES)
_EMPTY_DETAIL = [""] * (2 * N_BLENDSHAPES)


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
                face.quality or "",
                *((f"{a:.1f}" for a in face.pose) if face.pose is not None else ("", "", "")),
                *_detail_cells(face),
            ]
        )
    return rows


def _detail_cells(face) -> list[str]:
    if face.blendshapes is None:
        return _EMPTY_DETAIL
    raw = face.raw_blendshapes if face.raw_blendshapes is not None else face.blendshapes
    return [*(_fmt(v) for v in face.blendshapes), *(_fmt(v) for v in raw)]


@dataclass(frozen=True)
class TimelineTable:
    """A ``timeline.csv`` read back as columns (one entry per row)."""

    frame: np.ndarray  # int64
    time_ms: np.ndarray  # int64
    face_id: np.ndarray  # int64
    primary: np.ndarray  # bool
    boxes: np.ndarray  # (n, 4) int64: x, y, w, h
    probs: np.ndarray  # (n, 7) float32, smoothed
    # (n, 52) float32 smoothed blendshapes, (n, 3) yaw/pitch/roll: NaN where not computed;
    # quality per row ("" where not assessed). None for tables built without them.
    blendshapes: np.ndarray | None = None
    pose: np.ndarray | None = None
    quality: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.frame.shape[0])

    def primary_rows(self) -> "TimelineTable":
        return self.select(self.primary)

    def select(self, mask: np.ndarray) -> "TimelineTable":
        def pick(column):
            return None if column is None else column[mask]

        return TimelineTable(
            self.frame[mask], self.time_ms[mask], self.face_id[mask], self.primary[mask],
            self.boxes[mask], self.probs[mask], pick(self.blendshapes), pick(self.pose),
            pick(self.quality),
        )

    @property
    def has_blendshapes(self) -> bool:
        return self.blendshapes is not None and bool(np.isfinite(self.blendshapes).any())


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
    try:
        blend = _optional_floats(rows, _BLEND, N_BLENDSHAPES)
        pose = _optional_floats(rows, _POSE, 3)
    except (ValueError, OverflowError) as exc:
        raise SourceError(f"{path} has a malformed row ({_short(exc)}).") from exc
    quality = np.array([r[_QUALITY] if len(r) > _QUALITY else "" for r in rows], dtype=object)
    return TimelineTable(
        frame=ints[:, 0], time_ms=ints[:, 1], face_id=ints[:, 2], primary=ints[:, 3] == 1,
        boxes=ints[:, 4:8], probs=probs, blendshapes=blend, pose=pose, quality=quality,
    )


def _optional_floats(rows: list[list[str]], cols: slice, width: int) -> np.ndarray:
    """Columns that may be missing (older timelines) or empty (not computed): NaN there;
    values that are there must be finite numbers."""
    out = np.full((len(rows), width), np.nan, dtype=np.float32)
    for i, r in enumerate(rows):
        cells = r[cols]
        if cells and cells[0] != "":
            values = [float(v) for v in cells]
            if len(values) != width or not all(np.isfinite(values)):
                raise ValueError("a blendshape or head-pose value is not a number")
            out[i] = values
    return out


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
