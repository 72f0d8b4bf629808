"""Face detectors by name: the one place that maps ``--detector NAME`` to a class."""

from __future__ import annotations

from acting_mirror.core.ports import FaceDetector
from acting_mirror.errors import ActingMirrorError

DETECTOR_NAMES = ("haar", "mtcnn", "mtcnn-tf")


def create_detector(name: str, *, mtcnn_min_confidence: float = 0.9) -> FaceDetector:
    """A detector by name. MTCNN runs on LiteRT; ``mtcnn-tf`` is the reference ``mtcnn``
    package on TensorFlow (imported only when chosen)."""
    key = name.strip().lower()
    if key == "haar":
        from acting_mirror.vision.haar import HaarDetector

        return HaarDetector()
    if key == "mtcnn":
        from acting_mirror.vision.mtcnn import MtcnnDetector

        return MtcnnDetector(min_confidence=mtcnn_min_confidence)
    if key == "mtcnn-tf":
        from acting_mirror.vision.mtcnn_reference import MtcnnPackageDetector

        return MtcnnPackageDetector(min_confidence=mtcnn_min_confidence)
    raise ActingMirrorError(
        f"Unknown detector {name!r}: choose one of {', '.join(DETECTOR_NAMES)}."
    )
