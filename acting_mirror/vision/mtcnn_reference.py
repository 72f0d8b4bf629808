"""MTCNN as the ``mtcnn`` 1.0.0 package runs it, on TensorFlow: the reference.

The app uses :class:`acting_mirror.vision.mtcnn.MtcnnDetector` (LiteRT, no TensorFlow);
this wrapper exists to check it against the original and for comparison runs. It needs
the ``tools`` extra, and imports TensorFlow only when constructed.
"""

from __future__ import annotations

import os

import cv2
import numpy as np

from acting_mirror.core.types import Box, Face, Faces
from acting_mirror.errors import DependencyError
from acting_mirror.vision.litert import native_stderr_silenced

# The package builds its pyramid from the frame size alone and, with a larger minimum
# face, its last levels fall under PNet's 12 px window and the whole frame fails
# (no faces at all). At 20 px (its default) every level is large enough, so a larger
# minimum is reached by shrinking the frame first.
_PACKAGE_MIN_FACE = 20

_KEYPOINTS = ("left_eye", "right_eye", "nose", "mouth_left", "mouth_right")


class MtcnnPackageDetector:
    """Faces with five landmarks from the ``mtcnn`` package (TensorFlow)."""

    name = "mtcnn-tf"

    def __init__(self, min_confidence: float = 0.9, min_face_size: int = 20):
        if not 0.0 <= min_confidence < 1.0:
            raise ValueError(f"min_confidence must be in [0, 1), not {min_confidence}")
        if min_face_size < 12:
            raise ValueError(f"min_face_size must be at least 12 pixels, not {min_face_size}")
        try:
            os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # no TensorFlow chatter
            with native_stderr_silenced():  # absl's start-up warnings bypass that setting
                from mtcnn import MTCNN
        except ImportError:
            raise DependencyError(
                "The reference MTCNN needs TensorFlow and mtcnn: pip install 'acting-mirror[tools]'"
            ) from None
        self.min_confidence = float(min_confidence)
        self.min_face_size = int(min_face_size)
        self._mtcnn = MTCNN(stages="face_and_landmarks_detection", device="CPU:0")

    def detect(self, image: np.ndarray) -> Faces:
        if not isinstance(image, np.ndarray) or image.dtype != np.uint8:
            raise ValueError("MtcnnPackageDetector.detect expects a uint8 BGR image")
        if image.size == 0:
            return ()
        if image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 1):
            rgb = cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
        elif image.ndim == 3 and image.shape[2] == 4:
            rgb = cv2.cvtColor(image, cv2.COLOR_BGRA2RGB)
        else:
            rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)  # the package takes RGB
        height, width = rgb.shape[:2]
        shrink = _PACKAGE_MIN_FACE / self.min_face_size
        if shrink < 1.0:
            size = (max(1, round(width * shrink)), max(1, round(height * shrink)))
            rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
            fx, fy = width / size[0], height / size[1]
            min_face = _PACKAGE_MIN_FACE
        else:
            fx = fy = 1.0
            min_face = self.min_face_size
        if min(rgb.shape[:2]) * 12 / min_face < 12:
            return ()  # smaller than one PNet window: the package would fail
        found = self._mtcnn.detect_faces(
            rgb, min_face_size=min_face, threshold_onet=self.min_confidence
        )
        faces = []
        for item in found:
            x, y, w, h = item["box"]
            box = Box(
                int(round(x * fx)), int(round(y * fy)), int(round(w * fx)), int(round(h * fy))
            ).clamp(width, height)
            if box is None:
                continue
            points = item["keypoints"]
            landmarks = tuple(
                (float(points[k][0]) * fx, float(points[k][1]) * fy) for k in _KEYPOINTS
            )
            faces.append(Face(box=box, score=float(item["confidence"]), landmarks=landmarks))
        return tuple(faces)
