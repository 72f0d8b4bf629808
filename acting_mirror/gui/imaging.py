"""The one conversion from an OpenCV image (BGR ``uint8`` ndarray) to a ``QImage``."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage


def bgr_to_qimage(image: np.ndarray) -> QImage:
    """``image`` (H x W x 3 BGR, H x W x 4 BGRA or H x W gray, ``uint8``) as a ``QImage``
    that owns its pixels (safe to hand to another thread and to outlive ``image``)."""
    if image.dtype != np.uint8:
        raise ValueError(f"expected a uint8 image, got {image.dtype}")
    if image.ndim == 2:
        fmt, channels = QImage.Format.Format_Grayscale8, 1
    elif image.ndim == 3 and image.shape[2] == 3:
        fmt, channels = QImage.Format.Format_BGR888, 3
    elif image.ndim == 3 and image.shape[2] == 4:
        fmt, channels = QImage.Format.Format_ARGB32, 4  # BGRA in memory on little-endian
    else:
        raise ValueError(f"expected a gray, BGR or BGRA image, got shape {image.shape}")
    if not image.flags.c_contiguous:
        image = np.ascontiguousarray(image)
    height, width = image.shape[:2]
    wrapped = QImage(image.data, width, height, width * channels, fmt)
    return wrapped.copy()  # detach from the ndarray's memory
