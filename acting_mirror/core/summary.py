"""The ``summary.json`` of a take: counts, timing and the primary face's emotions.

:class:`SummaryBuilder` sees every analysed frame once (``update``) and keeps only
running totals, so a long take costs no memory.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Sequence

import numpy as np

import acting_mirror
from acting_mirror.core.blendshapes import BLENDSHAPE_NAMES
from acting_mirror.core.types import EMOTIONS, N_EMOTIONS, Face, FrameResult

N_BLENDSHAPES = len(BLENDSHAPE_NAMES)

SUMMARY_KEYS: tuple[str, ...] = (
    "source", "frames", "duration_s", "fps", "faces_seen", "frames_with_face",
    "frames_with_primary", "processing", "detector", "model",
    "primary_emotion_shares", "mean_primary_probs", "mean_primary_blendshapes", "created",
    "version", "complete",
)
"""The top-level keys of every summary, in the order they are written. A take that is
not complete (its input ended early, the disk filled, it was interrupted and repaired)
adds ``end_reason`` and, when it was repaired after a kill, ``interrupted: true``."""


def _primary_face(result: FrameResult) -> Face | None:
    """The flagged primary face; a lone untracked face counts as primary too."""
    face = result.primary
    if face is None and len(result.faces) == 1:
        face = result.faces[0]
    return face


def _finite(value: float) -> float:
    return value if math.isfinite(value) else 0.0


class SummaryBuilder:
    """Accumulates a take's summary frame by frame.

    ``faces_seen`` counts distinct tracker ids; when no face carries an id (no tracker)
    it is the most faces seen in one frame. ``primary_emotion_shares`` gives, for each
    emotion, the fraction of frames with a classified primary face whose top emotion it
    was; ``mean_primary_probs`` the mean shown probabilities over those frames. Both
    always list all seven emotions (zeros when no primary face was classified).
    """

    def __init__(self, source_name: str, fps: float, detector: str, model: str):
        self.source_name = str(source_name)
        self.fps = float(fps)
        self.detector = str(detector)
        self.model = str(model)
        self.complete = True  # False: the take was cut short (see ``mark_incomplete``)
        self.end_reason: str | None = None
        self._frames = 0
        self._first_ms: int | None = None
        self._last_ms = 0
        self._frames_with_face = 0
        self._face_ids: set[int] = set()
        self._max_faces = 0
        self._primary_frames = 0
        self._top_counts = np.zeros(N_EMOTIONS, dtype=np.int64)
        self._prob_sums = np.zeros(N_EMOTIONS, dtype=np.float64)
        self._blend_frames = 0
        self._blend_sums = np.zeros(N_BLENDSHAPES, dtype=np.float64)

    def mark_incomplete(self, reason: str) -> None:
        """The take did not run its course (the app quit during it, the source broke):
        the summary says ``"complete": false`` and why (``"end_reason": reason``)."""
        self.complete = False
        self.end_reason = str(reason)

    @property
    def frames(self) -> int:
        return self._frames

    def update(self, result: FrameResult) -> None:
        """Count one analysed frame."""
        primary = _primary_face(result)
        self.count_frame(
            int(result.frame.time_ms),
            [face.face_id for face in result.faces],
            primary.shown_probs if primary is not None else None,
            primary.blendshapes if primary is not None else None,
        )

    def count_frame(
        self, time_ms: int, face_ids: Sequence[int], primary_probs: np.ndarray | None,
        primary_blendshapes: np.ndarray | None = None,
    ) -> None:
        """Count one frame from its plain facts: its time, the ids of its faces (-1 for
        an untracked face) and the main face's shown probabilities (``None``: no main
        face read). Used to rebuild a summary from a ``timeline.csv``. Values that are
        not probabilities (non-finite, outside 0..1) count as not read."""
        self._frames += 1
        t = int(time_ms)
        if self._first_ms is None:
            self._first_ms = t
        self._last_ms = max(self._last_ms, t)
        if len(face_ids):
            self._frames_with_face += 1
            self._max_faces = max(self._max_faces, len(face_ids))
            for face_id in face_ids:
                if face_id >= 0:
                    self._face_ids.add(int(face_id))
        if primary_probs is not None:
            probs = np.asarray(primary_probs, dtype=np.float64)
            if probs.shape == (N_EMOTIONS,) and np.all((probs >= 0.0) & (probs <= 1.0)):
                self._primary_frames += 1
                self._top_counts[int(np.argmax(probs))] += 1
                self._prob_sums += probs
        if primary_blendshapes is not None:
            blend = np.asarray(primary_blendshapes, dtype=np.float64)
            if blend.shape == (N_BLENDSHAPES,) and np.all(np.isfinite(blend)):
                self._blend_frames += 1
                self._blend_sums += blend

    def build(
        self,
        processing_seconds: float,
        *,
        complete: bool = True,
        end_reason: str | None = None,
        interrupted: bool = False,
    ) -> dict:
        """The summary as a JSON-ready dict (keys in :data:`SUMMARY_KEYS` order, then
        ``end_reason`` and ``interrupted`` for a take that is not complete). Every
        number is finite, so the result is always valid JSON."""
        frames = self._frames
        if frames and self._first_ms is not None:
            with np.errstate(over="ignore", divide="ignore"):
                period_s = float(np.float64(1.0) / self.fps) if self.fps > 0 else 0.0
            duration_s = (self._last_ms - self._first_ms) / 1000.0 + period_s
        else:
            duration_s = 0.0
        seconds = float(processing_seconds)
        seconds = max(seconds, 0.0) if math.isfinite(seconds) else 0.0
        n = self._primary_frames
        shares = self._top_counts / n if n else np.zeros(N_EMOTIONS)
        means = self._prob_sums / n if n else np.zeros(N_EMOTIONS)
        faces_seen = len(self._face_ids) if self._face_ids else self._max_faces
        complete = complete and self.complete
        end_reason = end_reason or self.end_reason
        summary = {
            "source": self.source_name,
            "frames": frames,
            "duration_s": _finite(round(duration_s, 3)),
            "fps": round(self.fps, 3) if math.isfinite(self.fps) else 0.0,
            "faces_seen": faces_seen,
            "frames_with_face": self._frames_with_face,
            "frames_with_primary": n,
            "processing": {
                "seconds": round(seconds, 3),
                "fps": _finite(round(frames / seconds, 2)) if seconds > 0 else 0.0,
            },
            "detector": self.detector,
            "model": self.model,
            "primary_emotion_shares": {e: round(float(v), 4) for e, v in zip(EMOTIONS, shares)},
            "mean_primary_probs": {e: round(float(v), 4) for e, v in zip(EMOTIONS, means)},
            # the main face's mean blendshapes over the frames the face mesh read it ({}: none)
            "mean_primary_blendshapes": (
                {b: round(float(v), 4) for b, v in zip(BLENDSHAPE_NAMES, self._blend_sums / self._blend_frames)}
                if self._blend_frames else {}
            ),
            "created": datetime.now().astimezone().isoformat(timespec="seconds"),
            "version": acting_mirror.__version__,
            "complete": bool(complete),
        }
        if not complete:
            summary["end_reason"] = str(end_reason or "interrupted")
        if interrupted:
            summary["interrupted"] = True
        return summary
