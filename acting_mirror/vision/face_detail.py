"""MainFaceDetail: the face mesh, 52 blendshapes and head pose of the main face, for
detectors that give only boxes (Haar, MTCNN).

The main face's box seeds MediaPipe's face mesh (:class:`~acting_mirror.vision.face_mesh.FaceMesh`),
which then tracks that face from its own landmarks frame to frame; when the main face
changes, the new one's box seeds it again. Faces the detector already read with the mesh
(``--detector mesh``) are left as they are.
"""

from __future__ import annotations

import numpy as np

from acting_mirror.core.types import Face, Faces
from acting_mirror.vision.face_mesh import FaceMesh, MeshFace

MIN_OVERLAP = 0.3
"""A mesh face belongs to the main face when their boxes overlap at least this much (IoU)."""


class MainFaceDetail:
    """``read(image, faces)`` fills ``mesh``, ``blendshapes`` and ``pose`` of the primary
    face (see the module docstring)."""

    name = "face-detail"

    def __init__(self, mesh: FaceMesh | None = None):
        self.mesh = mesh if mesh is not None else FaceMesh(max_faces=1, keyframe_interval=0)

    def read(self, image: np.ndarray, faces: Faces) -> Faces:
        index = next((i for i, f in enumerate(faces) if f.primary), None)
        if index is None:
            return faces
        main = faces[index]
        if main.blendshapes is not None:
            return faces  # the detector read it already
        found = self.mesh.track(image, seeds=[main])
        best = _best_overlap(found, main)
        if best is None:
            return faces
        read = main.with_(mesh=best.points, blendshapes=best.blendshapes, pose=best.pose)
        return faces[:index] + (read,) + faces[index + 1:]

    def reset(self) -> None:
        self.mesh.reset()

    def close(self) -> None:
        self.mesh.close()


def _best_overlap(found: list[MeshFace], face: Face) -> MeshFace | None:
    best, best_iou = None, MIN_OVERLAP
    for candidate in found:
        if candidate.blendshapes is None:
            continue
        iou = candidate.box().iou(face.box)
        if iou >= best_iou:
            best, best_iou = candidate, iou
    return best


def assess_main_face(image: np.ndarray, face: Face) -> str:
    """``"ok"``, or why the picture of ``face`` is too poor to read reliably (blurred,
    dark, bright, small, turned: see :mod:`acting_mirror.core.quality`)."""
    from acting_mirror.core.quality import assess
    from acting_mirror.vision.crops import measure_face

    yaw = face.pose[0] if face.pose is not None else None
    measures = measure_face(image, face.box, yaw=yaw)
    return "" if measures is None else assess(measures).label
