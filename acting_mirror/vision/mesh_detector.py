"""``--detector mesh``: faces found by BlazeFace and followed by the face mesh.

:class:`MeshDetector` is a :class:`~acting_mirror.core.ports.FaceDetector` like Haar and
MTCNN: ``detect(image)`` gives the same ``Face`` boxes (in Haar's shape, from the mesh's
points: see :mod:`~acting_mirror.vision.box_shape`; cut to the frame) and five landmarks
(eye centres, nose tip, mouth corners, in MTCNN's order), and also fills ``Face.mesh`` (478 points), ``Face.blendshapes`` (52 scores) and
``Face.pose`` (yaw, pitch, roll). Successive calls are taken as successive frames of one
video: the mesh tracks its faces from frame to frame (MediaPipe's stream mode) and the
BlazeFace detector runs only when a face is lost or on a keyframe.

BlazeFace short-range misses faces smaller than about a tenth of the frame's longer side
(~120 px in a 720p frame). Given a ``seed_detector`` (MTCNN by default from
:func:`~acting_mirror.vision.detectors.create_detector`), every ``seed_interval`` frames
and whenever the mesh holds no face, that detector's boxes seed the mesh: a seed that no
tracked face covers becomes a tracked face. With ``background_seeds`` the seed detector
runs on a helper thread while the mesh keeps tracking (MTCNN on a 720p frame costs more
than a frame's budget at 30 fps; OpenCV and LiteRT release the GIL): its boxes seed the
mesh on the first frame after it finishes. Only when the mesh holds no face does a seed
pass block the frame.
"""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np

from acting_mirror.core.ports import FaceDetector
from acting_mirror.core.types import Face, Faces
from acting_mirror.vision.box_shape import HAAR_SHAPE, shaped
from acting_mirror.vision.face_mesh import FaceMesh, MeshFace
from acting_mirror.priority import helper_executor


def mesh_face_to_face(face: MeshFace, width: int, height: int) -> Face | None:
    """The mesh's face as a ``Face``: its box in Haar's shape (``box_shape.HAAR_SHAPE``:
    the crop the emotion model reads, and the box every detector draws), cut to the frame."""
    box = shaped(face.box(), HAAR_SHAPE).clamp(width, height)
    if box is None:
        return None
    return Face(
        box=box,
        score=float(face.presence),
        landmarks=face.five_points(),
        mesh=face.points,
        blendshapes=face.blendshapes,
        pose=face.pose,
    )


class MeshDetector:
    """Faces with 478 mesh points, 52 blendshapes and head pose (see the module docstring).

    ``blendshapes``: ``True`` for every face, ``"first"`` for the largest only, ``False``
    for none. ``seed_interval`` 0 seeds only when the mesh holds no face. With many faces
    the mesh reads ``reads_per_frame`` of them a frame (the largest always, the others in
    turn); the rest keep their last reading (see :class:`FaceMesh`).
    """

    name = "mesh"

    def __init__(
        self,
        *,
        max_faces: int = 20,
        keyframe_interval: int = 30,
        reads_per_frame: int = 3,
        blendshapes: bool | str = True,
        seed_detector: FaceDetector | None = None,
        seed_interval: int = 30,
        models_dir: Path | None = None,
        num_threads: int = 1,
        background_seeds: bool = False,
    ):
        self.mesh = FaceMesh(
            max_faces=max_faces,
            keyframe_interval=keyframe_interval,
            reads_per_frame=reads_per_frame,
            blendshapes=blendshapes,
            models_dir=models_dir,
            num_threads=num_threads,
        )
        self.seed_detector = seed_detector
        self.seed_interval = max(int(seed_interval), 0)
        self._since_seed = 0
        self.seed_passes = 0  # counters, for the benchmark
        self.timings_ms: dict[str, float] = {}
        self._seed_ms = 0.0
        self.background_seeds = background_seeds
        self.helper_niceness = 0  # added to the seed thread's nice value (acting_mirror.priority)
        self._executor: ThreadPoolExecutor | None = None
        self._pending: Future | None = None  # a seed pass on the helper thread

    def detect(self, image: np.ndarray) -> Faces:
        """The faces of the next frame, largest first, with mesh, blendshapes and pose."""
        h, w = image.shape[:2]
        seeds: Faces = ()
        self._seed_ms = 0.0
        self._since_seed += 1
        seeded = False
        if self._pending is not None and (self._pending.done() or not self.mesh.tracking):
            seeds, seeded = self._collect(), True  # a background pass finished (or is needed now)
        elif self.seed_detector is not None and (
            not self.mesh.tracking
            or (self.seed_interval and self._since_seed >= self.seed_interval)
        ):
            if self.background_seeds and self.mesh.tracking:
                self._submit(image)
            else:
                seeds = self._seeds(image)
                seeded = True
        found = self.mesh.track(image, seeds=seeds)
        self.timings_ms = dict(self.mesh.timings_ms)
        faces = [f for f in (mesh_face_to_face(m, w, h) for m in found) if f is not None]
        if not faces and self.seed_detector is not None and not seeded and self.mesh.timings_ms.get("detector"):
            # the mesh lost everything and BlazeFace saw nothing: ask the seed detector now
            # (or wait for the pass in flight: one seed detector, never two calls at once)
            seeds = self._collect() if self._pending is not None else self._seeds(image)
            found = self.mesh.track(image, seeds=seeds)
            for stage, ms in self.mesh.timings_ms.items():
                self.timings_ms[stage] = self.timings_ms.get(stage, 0.0) + ms
            faces = [f for f in (mesh_face_to_face(m, w, h) for m in found) if f is not None]
        if self._seed_ms:
            self.timings_ms["seed_detector"] = self._seed_ms
        return tuple(faces)

    def _seeds(self, image: np.ndarray) -> Faces:
        """A seed pass on this frame, timed as one of its stages."""
        t = time.perf_counter()
        seeds = self.seed_detector.detect(image)
        self._seed_ms += (time.perf_counter() - t) * 1e3
        self._since_seed = 0
        self.seed_passes += 1
        return seeds

    def _submit(self, image: np.ndarray) -> None:
        """Start a seed pass on a copy of ``image`` (the caller may draw on its frame)."""
        if self._executor is None:
            self._executor = helper_executor("mesh-seed-detection", self.helper_niceness)
        self._since_seed = 0
        self._pending = self._executor.submit(self.seed_detector.detect, image.copy())

    def _collect(self) -> Faces:
        """The pending seed pass's faces, waiting for it if need be (``()`` if it failed)."""
        pending, self._pending = self._pending, None
        self.seed_passes += 1
        try:
            return pending.result()
        except Exception:  # noqa: BLE001 - a failed seed pass only means no new faces yet
            return ()

    def reset(self) -> None:
        if self._pending is not None:
            self._collect()  # never two passes on the one seed detector at once
        self.mesh.reset()
        self._since_seed = 0

    def close(self) -> None:
        if self._pending is not None:
            self._collect()
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
        self.mesh.close()
        close = getattr(self.seed_detector, "close", None)
        if callable(close):
            close()
