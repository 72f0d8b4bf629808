"""HaarDetector: OpenCV's frontal-face Haar cascade."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from acting_mirror.config import default_haar_cascade
from acting_mirror.core.types import Box, Face, Faces
from acting_mirror.errors import ModelError


def _cascade_class():
    """``CascadeClassifier`` wherever this OpenCV build keeps it (4.x main module, or the
    contrib modules of 5.x)."""
    for owner in (cv2, getattr(cv2, "objdetect", None), getattr(cv2, "xobjdetect", None)):
        cls = getattr(owner, "CascadeClassifier", None) if owner is not None else None
        if cls is not None:
            return cls
    raise ModelError(
        "This OpenCV build has no CascadeClassifier: install opencv-python-headless<5 "
        "or use --detector mtcnn."
    )


def _cascade_path(path: Path | None) -> Path:
    if path is not None:
        return Path(path)
    bundled = default_haar_cascade()
    if bundled.is_file():
        return bundled
    data = getattr(cv2, "data", None)
    if data is not None:
        return Path(data.haarcascades) / bundled.name
    return bundled


class HaarDetector:
    """Frontal faces with OpenCV's Haar cascade.

    The frame is converted to gray and, when taller than ``work_height``, downscaled before
    detection (boxes are scaled back). No histogram equalisation: with this cascade it
    costs found faces (glasses, caps) and adds false ones. ``min_face_frac`` sets the smallest face as a fraction
    of the frame height, which bounds the pyramid and the false positives.
    """

    name = "haar"

    def __init__(
        self,
        cascade_path: Path | None = None,
        *,
        scale_factor: float = 1.1,
        min_neighbors: int = 4,
        min_face_frac: float = 0.06,
        work_height: int = 720,
    ):
        path = _cascade_path(cascade_path)
        self._cascade = _cascade_class()(str(path))
        if self._cascade.empty():
            raise ModelError(f"Cannot load the Haar cascade {path}.")
        self.scale_factor = scale_factor
        self.min_neighbors = min_neighbors
        self.min_face_frac = min_face_frac
        self.work_height = work_height

    def detect(self, image: np.ndarray) -> Faces:
        return self.detect_sized(image)

    def detect_sized(
        self, image: np.ndarray, min_size: int | None = None, max_size: int | None = None
    ) -> Faces:
        """Faces between ``min_size`` and ``max_size`` pixels tall (in ``image`` pixels);
        a narrow range makes the search several times cheaper."""
        height, width = image.shape[:2]
        gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        scale = 1.0
        if height > self.work_height:
            scale = self.work_height / height
            gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        min_side = max(20, int(self.min_face_frac * gray.shape[0]))
        if min_size is not None:
            min_side = max(20, int(min_size * scale))
        max_side = int(max_size * scale) if max_size is not None else 0
        rects = self._cascade.detectMultiScale(
            gray,
            scaleFactor=self.scale_factor,
            minNeighbors=self.min_neighbors,
            minSize=(min_side, min_side),
            maxSize=(max_side, max_side),
        )
        faces = []
        for x, y, w, h in np.asarray(rects).reshape(-1, 4):
            box = Box(int(x), int(y), int(w), int(h)).scaled(1.0 / scale).clamp(width, height)
            if box is not None:
                faces.append(Face(box=box, score=1.0))
        return tuple(faces)
