"""Face detectors by name: the one place that maps ``--detector NAME`` to a class."""

from __future__ import annotations

from acting_mirror.core.ports import FaceDetector
from acting_mirror.errors import ActingMirrorError

DETECTOR_NAMES = ("haar", "mtcnn", "mtcnn-tf", "mesh")


def create_detector(name: str, *, mtcnn_min_confidence: float = 0.9) -> FaceDetector:
    """A detector by name. MTCNN runs on LiteRT; ``mtcnn-tf`` is the reference ``mtcnn``
    package on TensorFlow (imported only when chosen). ``mesh`` is MediaPipe's face
    landmarker on LiteRT (BlazeFace, 478 points, 52 blendshapes, head pose), seeded by
    LiteRT MTCNN for faces too small for BlazeFace."""
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
    if key == "mesh":
        from acting_mirror.vision.mesh_detector import MeshDetector
        from acting_mirror.vision.mtcnn import MtcnnDetector

        return MeshDetector(seed_detector=MtcnnDetector(min_confidence=mtcnn_min_confidence))
    raise ActingMirrorError(
        f"Unknown detector {name!r}: choose one of {', '.join(DETECTOR_NAMES)}."
    )
