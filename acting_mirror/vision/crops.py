"""Face crops for the emotion model: a square with a margin around each face box.

The published mini-Xception was trained on FER2013, whose faces are roughly centred
squares with a little forehead and chin around them; ``fer`` pads its Haar boxes by
10 px a side before classifying. A margin of 10% of the face size a side is the same
idea, independent of the image resolution.
"""

from __future__ import annotations

from typing import Sequence

import cv2
import numpy as np

from acting_mirror.core.types import Box


def square_crop_box(box: Box, width: int, height: int, margin: float = 0.1) -> Box | None:
    """The square around ``box`` grown by ``margin`` (of its longer side) on every side,
    cut to a ``width`` x ``height`` frame.

    A face touching the frame edge gives a smaller (possibly non-square) box, never an
    empty one; ``None`` only when ``box`` lies wholly outside the frame.
    """
    if box.clamp(width, height) is None:
        return None
    side = max(box.w, box.h, 1) * (1.0 + 2.0 * max(margin, 0.0))
    cx, cy = box.center
    square = Box.from_xyxy(cx - side / 2.0, cy - side / 2.0, cx + side / 2.0, cy + side / 2.0)
    return square.clamp(width, height)


def extract_crops(
    gray: np.ndarray,
    boxes: Sequence[Box],
    size: tuple[int, int],
    out: np.ndarray | None = None,
) -> np.ndarray:
    """The ``boxes`` of a gray image, each resized to ``size`` (width, height).

    Returns an ``(N, height, width)`` uint8 array; ``out`` is filled and returned instead
    of a new array when it has exactly that shape and dtype. Boxes are expected inside
    the image (see :func:`square_crop_box`).
    """
    w, h = int(size[0]), int(size[1])
    shape = (len(boxes), h, w)
    if out is None or out.shape != shape or out.dtype != np.uint8:
        out = np.empty(shape, dtype=np.uint8)
    for i, box in enumerate(boxes):
        patch = gray[box.y : box.y2, box.x : box.x2]
        if patch.shape[0] == h and patch.shape[1] == w:
            out[i] = patch
        else:
            cv2.resize(patch, (w, h), dst=out[i], interpolation=cv2.INTER_AREA)
    return out
