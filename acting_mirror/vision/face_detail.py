"""MainFaceDetail: the face mesh, 52 blendshapes and head pose of the main face, for
detectors that give only boxes (Haar, MTCNN).

The main face's box seeds MediaPipe's face mesh (:class:`~acting_mirror.vision.face_mesh.FaceMesh`),
which then tracks that face from its own landmarks frame to frame; when the main face
changes, the new one's box seeds it again. Faces the detector already read with the mesh
(``--detector mesh``) are left as they are.

``follow(image)`` runs the mesh on the next frame *before* detection: while it still holds
the main face, that face's box comes from the mesh, in the detector's own box shape (the
offset and size the detector's box had against the mesh's when the mesh was seeded), so
the detector need not search for it (see ``KeyframeDetector.detect_following``). That
saves the main face's per-frame refinement and most keyframes, which is what lets the
mesh run on the main face at 30 fps live.
"""

from __future__ import annotations

import numpy as np

from acting_mirror.core.types import Box, Face, Faces
from acting_mirror.vision.box_shape import BoxShape, shape_of, shaped
from acting_mirror.vision.face_mesh import FaceMesh, MeshFace

MIN_OVERLAP = 0.3
"""A mesh face belongs to the main face when their boxes overlap at least this much (IoU)."""

class MainFaceDetail:
    """``read(image, faces)`` fills ``mesh``, ``blendshapes`` and ``pose`` of the primary
    face (see the module docstring)."""

    name = "face-detail"

    def __init__(self, mesh: FaceMesh | None = None):
        self.mesh = mesh if mesh is not None else FaceMesh(max_faces=1, keyframe_interval=0)
        self._followed: Box | None = None  # the main face's box in the last frame read
        self._shape: BoxShape | None = None  # the detector's box shape against the mesh's

    def follow(self, image: np.ndarray) -> Face | None:
        """The main face in ``image`` (the next frame) as the mesh follows it from the last
        one, with mesh, blendshapes and pose, its box in the detector's shape; ``None`` when
        the mesh holds no face or has lost this one."""
        if self._followed is None or self._shape is None or not self.mesh.tracking:
            return None
        found = self.mesh.track(image)
        # the mesh lost the face and its own detector found one again (a cut): that one
        refound = "detector" in self.mesh.timings_ms
        height, width = image.shape[:2]
        for candidate in found:
            if candidate.age or candidate.blendshapes is None:
                continue
            box = shaped(candidate.box(), self._shape).clamp(width, height)
            if box is not None and (refound or box.iou(self._followed) >= MIN_OVERLAP):
                self._followed = box
                return Face(box=box, score=float(candidate.presence),
                            landmarks=candidate.five_points(), mesh=candidate.points,
                            blendshapes=candidate.blendshapes, pose=candidate.pose)
        self._followed = None  # lost, or it became another face: the detector looks again
        return None

    def read(self, image: np.ndarray, faces: Faces) -> Faces:
        index = next((i for i, f in enumerate(faces) if f.primary), None)
        if index is None:
            self._followed = None
            return faces
        main = faces[index]
        if main.blendshapes is not None:
            return faces  # the detector (or follow) read it already
        found = self.mesh.track(image, seeds=[main])
        best = _best_overlap(found, main)
        if best is None:
            self._followed = None
            return faces
        self._shape = shape_of(main.box, best.box())
        self._followed = main.box
        read = main.with_(mesh=best.points, blendshapes=best.blendshapes, pose=best.pose)
        return faces[:index] + (read,) + faces[index + 1:]

    def reset(self) -> None:
        self.mesh.reset()
        self._followed = None

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
