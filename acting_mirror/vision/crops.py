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


# -- optional crop treatments (off by default): eye alignment, CLAHE ----------------------


def eye_angle(landmarks) -> float | None:
    """The eye line's angle in degrees (positive: the right-hand eye in the image is
    lower), from MTCNN's five points (left eye, right eye, nose, mouth corners, as seen
    in the image) or any landmarks whose first two points are the eyes. ``None`` without
    two distinct eye points."""
    if landmarks is None or len(landmarks) < 2:
        return None
    (x1, y1), (x2, y2) = landmarks[0], landmarks[1]
    if x1 > x2:  # whatever order they came in, measure left to right
        (x1, y1), (x2, y2) = (x2, y2), (x1, y1)
    dx, dy = float(x2 - x1), float(y2 - y1)
    if dx == 0.0 and dy == 0.0:
        return None
    return float(np.degrees(np.arctan2(dy, dx)))


def face_eye_angle(landmarks) -> float | None:
    """:func:`eye_angle` of a face's landmarks when they are MTCNN's five points; ``None``
    for any other set (a face mesh's points are not in that order: it should hand its two
    eye centres to :func:`eye_angle` itself)."""
    if landmarks is None or len(landmarks) != 5:
        return None
    return eye_angle(landmarks)


def aligned_crop(
    gray: np.ndarray,
    box: Box,
    size: tuple[int, int],
    angle: float,
    margin: float = 0.1,
) -> np.ndarray:
    """The square crop of :func:`square_crop_box` (before cutting to the frame) around
    ``box``, turned by ``angle`` degrees about the box centre so the eye line is level,
    resized to ``size`` (width, height) in one warp. Pixels from outside the frame repeat
    its edge, as a face near the edge would in a plain crop's resize."""
    w, h = int(size[0]), int(size[1])
    side = max(box.w, box.h, 1) * (1.0 + 2.0 * max(margin, 0.0))
    cx, cy = box.center
    # the source pixel (cx, cy) goes to the crop's centre, scaled side -> output size
    matrix = cv2.getRotationMatrix2D((cx, cy), angle, 1.0)
    scale = np.array([[w / side, 0.0], [0.0, h / side]])
    matrix = scale @ matrix
    matrix[:, 2] += np.array([w / 2.0, h / 2.0]) - scale @ np.array([cx, cy])
    flags = cv2.INTER_AREA if side > max(w, h) else cv2.INTER_LINEAR
    return cv2.warpAffine(gray, matrix, (w, h), flags=flags, borderMode=cv2.BORDER_REPLICATE)


_clahe = None


def equalize(crops: np.ndarray, clip_limit: float = 2.0, tiles: int = 4) -> np.ndarray:
    """CLAHE (contrast-limited adaptive histogram equalisation) on each gray crop, in place
    on a copy: ``tiles`` x ``tiles`` regions, ``clip_limit`` as OpenCV counts it."""
    global _clahe
    if _clahe is None or _clahe.getClipLimit() != clip_limit or _clahe.getTilesGridSize() != (tiles, tiles):
        _clahe = cv2.createCLAHE(clipLimit=clip_limit, tileGridSize=(tiles, tiles))
    crops = np.asarray(crops, np.uint8)
    single = crops.ndim == 2
    out = np.empty_like(crops[None] if single else crops)
    for i, crop in enumerate(crops[None] if single else crops):
        out[i] = _clahe.apply(np.ascontiguousarray(crop))
    return out[0] if single else out


# -- image quality ------------------------------------------------------------------------


def quality_crop(image: np.ndarray, box: Box, margin: float = 0.1) -> np.ndarray | None:
    """The gray square crop (the classifier's, with its margin) at the side the quality
    measures are defined on; ``None`` when the box lies outside the image."""
    from acting_mirror.core.quality import QUALITY_SIDE

    square = square_crop_box(box, image.shape[1], image.shape[0], margin)
    if square is None:
        return None
    patch = image[square.y : square.y2, square.x : square.x2]
    if patch.ndim == 3:  # only the face's pixels to gray, not the frame's
        patch = cv2.cvtColor(patch, cv2.COLOR_BGR2GRAY)
    return extract_crops(patch, [Box(0, 0, square.w, square.h)], (QUALITY_SIDE, QUALITY_SIDE))[0]


def measure_face(image: np.ndarray, box: Box, *, yaw: float | None = None, margin: float = 0.1):
    """:class:`~acting_mirror.core.quality.FaceMeasures` of the face at ``box`` in a BGR
    (or gray) frame, for :func:`acting_mirror.core.quality.assess`; ``None`` when the box
    lies outside the frame."""
    from acting_mirror.core.quality import measures_from_crop

    crop = quality_crop(image, box, margin)
    if crop is None:
        return None
    return measures_from_crop(crop, min(box.w, box.h), yaw)
