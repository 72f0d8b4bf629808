"""A take's video for review: its frame count and rate, and its frames by number."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from acting_mirror.errors import SourceError


def video_frames(path: Path) -> tuple[int, float]:
    """``(frame count, fps)`` of the video at ``path``; ``(0, 0.0)`` when unreadable."""
    cap = cv2.VideoCapture(str(path))
    try:
        if not cap.isOpened():
            return 0, 0.0
        return int(cap.get(cv2.CAP_PROP_FRAME_COUNT)), float(cap.get(cv2.CAP_PROP_FPS))
    finally:
        cap.release()


class FrameReader:
    """Frames of a video by number: reads on when asked for the next frame, seeks
    (``CAP_PROP_POS_FRAMES``) otherwise."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._cap = cv2.VideoCapture(str(self.path))
        if not self._cap.isOpened():
            raise SourceError(f"Cannot open the take's video {self.path}.")
        self._next = 0
        self.seeks = 0

    def read(self, k: int) -> np.ndarray | None:
        if self._cap is None:
            return None
        if k != self._next:
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, int(k))
            self.seeks += 1
        ok, image = self._cap.read()
        if not ok:
            self._next = -1  # position unknown: seek next time
            return None
        self._next = k + 1
        return image

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


__all__ = ["video_frames", "FrameReader"]
