"""MediaPipe's Face Landmarker re-implemented on LiteRT: 478 landmarks and 52 blendshapes.

The three networks come from Google's ``face_landmarker.task`` (``models/README.md``);
the glue is MediaPipe's graph redone in NumPy and OpenCV, step by step:

1. **Detection** (:mod:`acting_mirror.vision.blazeface`) gives a box and six keypoints.
2. **Face region**: a rectangle centred on the box, rotated so that the line from
   keypoint 0 to keypoint 1 (the eyes) is level, 1.5 times the box
   (``DetectionsToRectsCalculator`` + ``RectTransformationCalculator``).
3. **Landmarks**: the region is warped to 256x256 with the edge pixels repeated
   (``BORDER_REPLICATE``), RGB scaled to [0, 1], and the landmark network gives 478
   points (x, y, z in input pixels) and a face-presence logit (a sigmoid makes it a
   score). The points are projected back to the frame: x, y in pixels, z in pixels of the
   same scale (negative is nearer the camera).
4. **Blendshapes**: 146 of the points, their x, y in frame pixels, go into the
   blendshape network, which gives the 52 scores named by
   :data:`acting_mirror.core.blendshapes.BLENDSHAPE_NAMES`.
5. **Tracking**: the next frame's region comes from this frame's landmarks: the box of all
   478 points, rotated by the eye corners 33 -> 263, squared on its longer side, 1.5x.
   The detector runs only when no face is tracked, when a tracked face is lost (presence
   below 0.5) or on a keyframe every ``keyframe_interval`` frames.

Small faces: BlazeFace short-range misses faces below about a tenth of the frame's longer
side. :meth:`FaceMesh.track` accepts ``seeds``, boxes from another detector (Haar,
MTCNN), and starts a region on each seed no tracked face covers; from then on the mesh
tracks it on the full frame.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Sequence

import cv2
import numpy as np

from acting_mirror.config import models_dir as _bundled_models_dir
from acting_mirror.core.blendshapes import N_BLENDSHAPES
from acting_mirror.core.pose import pose_from_mesh
from acting_mirror.core.types import Box
from acting_mirror.vision.blazeface import BlazeFaceDetector, Detection
from acting_mirror.vision.tflite_net import TFLiteNetwork

LANDMARKS_FILE = "face_landmarks_detector.tflite"
BLENDSHAPES_FILE = "face_blendshapes.tflite"
_REBUILD = "python models/build_face_landmarker.py"
MESH_INPUT = 256
NUM_LANDMARKS = 478
REGION_SCALE = 1.5
MIN_PRESENCE = 0.5
TRACK_IOU = 0.5  # a detection this close to a tracked region replaces it

# MediaPipe's face_blendshapes_graph: the landmarks the blendshape network reads
BLENDSHAPE_LANDMARKS: tuple[int, ...] = (
    0, 1, 4, 5, 6, 7, 8, 10, 13, 14, 17, 21, 33, 37, 39,
    40, 46, 52, 53, 54, 55, 58, 61, 63, 65, 66, 67, 70, 78, 80,
    81, 82, 84, 87, 88, 91, 93, 95, 103, 105, 107, 109, 127, 132, 133,
    136, 144, 145, 146, 148, 149, 150, 152, 153, 154, 155, 157, 158, 159, 160,
    161, 162, 163, 168, 172, 173, 176, 178, 181, 185, 191, 195, 197, 234, 246,
    249, 251, 263, 267, 269, 270, 276, 282, 283, 284, 285, 288, 291, 293, 295,
    296, 297, 300, 308, 310, 311, 312, 314, 317, 318, 321, 323, 324, 332, 334,
    336, 338, 356, 361, 362, 365, 373, 374, 375, 377, 378, 379, 380, 381, 382,
    384, 385, 386, 387, 388, 389, 390, 397, 398, 400, 402, 405, 409, 415, 454,
    466, 468, 469, 470, 471, 472, 473, 474, 475, 476, 477,
)
_BLENDSHAPE_IDX = np.array(BLENDSHAPE_LANDMARKS)
# Five points in MTCNN's order: image-left eye (iris centre), other eye, nose tip,
# image-left mouth corner, other corner.
FIVE_POINTS: tuple[int, ...] = (468, 473, 1, 61, 291)
EYE_OUTER = (33, 263)


@dataclass(frozen=True)
class Region:
    """A rotated rectangle in frame pixels: centre, size, rotation in radians (positive
    turns the region's x axis from the image's x axis towards its y axis, i.e. clockwise
    on screen)."""

    cx: float
    cy: float
    w: float
    h: float
    angle: float = 0.0

    def corners_box(self) -> tuple[float, float, float, float]:
        """The axis-aligned (x1, y1, x2, y2) bounds of the rotated rectangle."""
        c, s = abs(math.cos(self.angle)), abs(math.sin(self.angle))
        hw = (self.w * c + self.h * s) / 2.0
        hh = (self.w * s + self.h * c) / 2.0
        return (self.cx - hw, self.cy - hh, self.cx + hw, self.cy + hh)

    def iou(self, other: "Region") -> float:
        a, b = self.corners_box(), other.corners_box()
        ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
        iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
        inter = ix * iy
        union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
        return inter / union if union > 0 else 0.0


def _angle(p0: np.ndarray, p1: np.ndarray) -> float:
    """MediaPipe's ComputeRotation: the angle that levels the line p0 -> p1 (pixels)."""
    a = -math.atan2(-(float(p1[1]) - float(p0[1])), float(p1[0]) - float(p0[0]))
    return (a + math.pi) % (2 * math.pi) - math.pi


def region_from_detection(det: Detection, scale: float = REGION_SCALE) -> Region:
    x1, y1, x2, y2 = det.box
    return Region(
        (x1 + x2) / 2.0, (y1 + y2) / 2.0, (x2 - x1) * scale, (y2 - y1) * scale,
        _angle(det.keypoints[0], det.keypoints[1]),
    )


def region_from_landmarks(points: np.ndarray, scale: float = REGION_SCALE) -> Region:
    """The next frame's region from 478 points: their axis-aligned box, rotated by the eye
    corners 33 -> 263, squared on the longer side, times ``scale``."""
    xy = points[:, :2]
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    side = float(max(hi[0] - lo[0], hi[1] - lo[1])) * scale
    return Region(
        float(lo[0] + hi[0]) / 2.0, float(lo[1] + hi[1]) / 2.0, side, side,
        _angle(points[EYE_OUTER[0]], points[EYE_OUTER[1]]),
    )


def region_from_box(
    box: Box, landmarks: Sequence[Sequence[float]] | None = None, scale: float = REGION_SCALE
) -> Region:
    """A first region for a face another detector found: a square on ``box``, levelled by
    its first two landmarks (the eyes) when given. :meth:`FaceMesh.track` refines it with
    one more landmark pass, so the box's own convention matters little."""
    cx, cy = box.center
    side = max(box.w, box.h) * scale
    angle = 0.0
    if landmarks is not None and len(landmarks) >= 2:
        angle = _angle(np.asarray(landmarks[0]), np.asarray(landmarks[1]))
    return Region(float(cx), float(cy), float(side), float(side), angle)


@dataclass(frozen=True)
class MeshFace:
    """One face read by the mesh: ``points`` (478, 3) float32 (x, y frame pixels, z depth
    in pixels, negative nearer), ``presence`` the landmark network's face score,
    ``blendshapes`` (52,) float32 or ``None``, ``region`` the region they were read in,
    ``pose`` (yaw, pitch, roll) degrees or ``None``; ``age`` > 0 when the face was not
    read in this frame (over the reading budget) and these are its last readings."""

    points: np.ndarray = field(repr=False)
    presence: float
    region: Region
    blendshapes: np.ndarray | None = field(default=None, repr=False)
    pose: tuple[float, float, float] | None = None
    age: int = 0  # frames since the points were read (0: read in this frame)

    def box(self) -> Box:
        xy = self.points[:, :2]
        lo, hi = xy.min(axis=0), xy.max(axis=0)
        return Box.from_xyxy(float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))

    def five_points(self) -> tuple[tuple[float, float], ...]:
        return tuple((float(self.points[i, 0]), float(self.points[i, 1])) for i in FIVE_POINTS)


class FaceMesh:
    """MediaPipe's face landmarker on LiteRT (see the module docstring).

    ``max_faces`` faces are tracked at most; ``keyframe_interval`` is the number of frames
    between detector passes while faces are tracked (0: only when a face is lost or none is
    tracked); ``blendshapes`` computes the 52 scores (for every face, or only the first:
    ``"first"``). ``reads_per_frame`` caps the landmark passes over tracked faces per
    frame: the largest face is read every frame, the others in turn, and a face not read
    keeps its last reading (``age`` > 0); 0 reads every face every frame. New faces (from
    the detector or seeds) are always read. ``timings_ms`` holds the last call's time per
    stage.
    """

    def __init__(
        self,
        *,
        max_faces: int = 4,
        keyframe_interval: int = 30,
        min_detection: float = 0.5,
        min_presence: float = MIN_PRESENCE,
        blendshapes: bool | str = True,
        pose: bool = True,
        reads_per_frame: int = 0,
        models_dir: Path | None = None,
        num_threads: int = 1,
    ):
        if max_faces < 1:
            raise ValueError(f"max_faces must be at least 1, not {max_faces}")
        folder = Path(models_dir) if models_dir is not None else _bundled_models_dir()
        self.detector = BlazeFaceDetector(min_detection, models_dir=folder, num_threads=num_threads)
        self._mesh = TFLiteNetwork(folder / LANDMARKS_FILE, num_threads, "face landmarks", _REBUILD)
        if self._mesh.input_shape != (1, MESH_INPUT, MESH_INPUT, 3):
            self._mesh.wrong_shape(self._mesh.input_shape, (1, MESH_INPUT, MESH_INPUT, 3))
        # outputs by name: "Identity" the 1434 landmark values, "Identity_1" the presence logit
        names = {d["name"]: int(d["index"]) for d in self._mesh.output_details}
        shapes = {d["name"]: tuple(d["shape"]) for d in self._mesh.output_details}
        if shapes.get("Identity", ())[-1:] != (NUM_LANDMARKS * 3,) or "Identity_1" not in names:
            raise_model = self._mesh.wrong_shape
            raise_model(tuple(shapes.items()), "outputs Identity [..., 1434] and Identity_1")
        self._out_points = names["Identity"]
        self._out_presence = names["Identity_1"]
        self._blend = TFLiteNetwork(folder / BLENDSHAPES_FILE, num_threads, "face blendshapes", _REBUILD)
        if self._blend.input_shape != (1, len(BLENDSHAPE_LANDMARKS), 2):
            self._blend.wrong_shape(self._blend.input_shape, (1, len(BLENDSHAPE_LANDMARKS), 2))
        self._out_blend = int(self._blend.output_details[0]["index"])
        self.max_faces = int(max_faces)
        self.keyframe_interval = max(int(keyframe_interval), 0)
        self.min_presence = float(min_presence)
        self.blendshapes = blendshapes
        self.pose = bool(pose)
        self._mesh_input = np.zeros((1, MESH_INPUT, MESH_INPUT, 3), dtype=np.float32)
        self._blend_input = np.zeros((1, len(BLENDSHAPE_LANDMARKS), 2), dtype=np.float32)
        self.reads_per_frame = max(int(reads_per_frame), 0)
        self._turn = 0
        self._tracked: list[MeshFace] = []
        self._since_detection = 0
        self._detect_next = False
        self.timings_ms: dict[str, float] = {}

    # -- single stages --------------------------------------------------------------------

    def landmarks(self, image: np.ndarray, region: Region) -> tuple[np.ndarray, float]:
        """The 478 points (frame pixels) and the presence score of the face in ``region``."""
        c, s = math.cos(region.angle), math.sin(region.angle)
        sx, sy = region.w / MESH_INPUT, region.h / MESH_INPUT
        half = MESH_INPUT / 2.0
        # input pixel (u, v) -> frame point: centre + R @ ((u - 128) * sx, (v - 128) * sy)
        inverse = np.array(
            [
                [c * sx, -s * sy, region.cx - half * (c * sx - s * sy)],
                [s * sx, c * sy, region.cy - half * (s * sx + c * sy)],
            ]
        )
        patch = cv2.warpAffine(
            image, inverse, (MESH_INPUT, MESH_INPUT),
            flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE,
        )
        cv2.cvtColor(patch, cv2.COLOR_BGR2RGB, dst=patch)
        np.multiply(patch, 1.0 / 255.0, out=self._mesh_input[0], casting="unsafe")
        outs = self._mesh.run(self._mesh_input)
        raw = outs[self._out_points].reshape(NUM_LANDMARKS, 3).astype(np.float64)
        logit = float(outs[self._out_presence].reshape(-1)[0])
        presence = 1.0 / (1.0 + math.exp(-max(min(logit, 80.0), -80.0)))
        pts = np.empty((NUM_LANDMARKS, 3), dtype=np.float32)
        u, v = raw[:, 0], raw[:, 1]
        pts[:, 0] = inverse[0, 0] * u + inverse[0, 1] * v + inverse[0, 2]
        pts[:, 1] = inverse[1, 0] * u + inverse[1, 1] * v + inverse[1, 2]
        pts[:, 2] = raw[:, 2] * sx
        return pts, presence

    def blendshape_scores(self, points: np.ndarray) -> np.ndarray:
        """The 52 blendshape scores for 478 points in frame pixels."""
        self._blend_input[0] = points[_BLENDSHAPE_IDX, :2]
        out = self._blend.run(self._blend_input)[self._out_blend]
        scores = np.asarray(out, dtype=np.float32).reshape(-1)
        assert scores.shape == (N_BLENDSHAPES,)
        return scores.copy()

    def _face(self, image: np.ndarray, region: Region, with_blend: bool) -> MeshFace | None:
        t = time.perf_counter()
        points, presence = self.landmarks(image, region)
        self._add("landmarks", t)
        if presence < self.min_presence or not np.isfinite(points).all():
            return None
        blend = None
        if with_blend:
            t = time.perf_counter()
            blend = self.blendshape_scores(points)
            self._add("blendshapes", t)
        pose = pose_from_mesh(points) if self.pose else None
        return MeshFace(points, presence, region, blend, pose)

    def _add(self, stage: str, start: float) -> None:
        self.timings_ms[stage] = self.timings_ms.get(stage, 0.0) + (time.perf_counter() - start) * 1e3

    def _with_blend(self, i: int) -> bool:
        if self.blendshapes == "first":
            return i == 0
        return bool(self.blendshapes)

    # -- whole frames ---------------------------------------------------------------------

    def detect(self, image: np.ndarray, seeds: Sequence = ()) -> list[MeshFace]:
        """Faces in one still image: BlazeFace regions (and ``seeds``), no tracking state."""
        saved, self._tracked = self._tracked, []
        try:
            return self._run(image, seeds, force_detection=True)
        finally:
            self._tracked = saved

    def track(self, image: np.ndarray, seeds: Sequence = ()) -> list[MeshFace]:
        """Faces in the next frame of a video (MediaPipe's stream mode).

        ``seeds`` are face boxes from another detector (:class:`Box`, or a ``Face`` whose
        ``box`` and ``landmarks`` are used); each seed that no tracked face overlaps starts
        a new face, which is then tracked like the others.
        """
        return self._run(image, seeds, force_detection=False)

    @property
    def tracking(self) -> bool:
        """Whether any face is being tracked into the next frame."""
        return bool(self._tracked)

    def reset(self) -> None:
        self._tracked = []
        self._since_detection = 0
        self._detect_next = False

    def _run(self, image: np.ndarray, seeds: Sequence, force_detection: bool) -> list[MeshFace]:
        self.timings_ms = {}
        if image.ndim != 3 or image.shape[2] != 3 or image.shape[0] < 2 or image.shape[1] < 2:
            raise ValueError(f"expected a BGR image, got an array of shape {image.shape}")
        image = np.ascontiguousarray(image, dtype=np.uint8)
        # (region to read, the face it comes from or None for a new one)
        candidates: list[tuple[Region, MeshFace | None]] = [
            (region_from_landmarks(f.points), f) for f in self._tracked
        ]
        self._since_detection += 1
        run_detector = (
            force_detection
            or self._detect_next
            or not candidates
            or (self.keyframe_interval and self._since_detection >= self.keyframe_interval)
        )
        self._detect_next = False
        if run_detector:
            t = time.perf_counter()
            detections = self.detector.detect(image)
            self._add("detector", t)
            self._since_detection = 0
            for det in detections:
                fresh = region_from_detection(det)
                # a detection takes the place of the tracked region it overlaps
                candidates = [c for c in candidates if c[0].iou(fresh) <= TRACK_IOU]
                candidates.append((fresh, None))
        seeded: list[Region] = []
        for seed in seeds:
            box = getattr(seed, "box", seed)
            if box.w < 2 or box.h < 2 or box.clamp(image.shape[1], image.shape[0]) is None:
                continue
            fresh = region_from_box(box, getattr(seed, "landmarks", None))
            if all(r.iou(fresh) <= TRACK_IOU * 0.5 for r in [c[0] for c in candidates] + seeded):
                seeded.append(fresh)
        read = self._to_read(candidates)
        faces: list[MeshFace] = []
        lost = 0
        for k, (region, previous) in enumerate(candidates):
            if k not in read:
                faces.append(replace(previous, age=previous.age + 1))
                continue
            face = self._face(image, region, False)
            if face is not None:
                faces.append(face)
            elif previous is not None:
                lost += 1
        for region in seeded:
            # a seed box is not a BlazeFace box: one pass finds the face, a second reads it
            t = time.perf_counter()
            points, presence = self.landmarks(image, region)
            self._add("seed", t)
            if presence >= self.min_presence and np.isfinite(points).all():
                face = self._face(image, region_from_landmarks(points), False)
                if face is not None:
                    faces.append(face)
        faces = _unique(faces)[: self.max_faces]
        if not faces and candidates and not run_detector:
            # every tracked face is lost (a cut, a turn away): look again in this frame
            self._tracked = []
            spent = self.timings_ms
            found = self._run(image, seeds, force_detection=True)
            for stage, ms in spent.items():
                self.timings_ms[stage] = self.timings_ms.get(stage, 0.0) + ms
            return found
        out: list[MeshFace] = []
        for i, face in enumerate(faces):
            if face.age == 0 and self._with_blend(i):
                t = time.perf_counter()
                face = replace(face, blendshapes=self.blendshape_scores(face.points))
                self._add("blendshapes", t)
            out.append(face)
        if lost and not run_detector:
            # a tracked face was lost: the detector runs on the next frame
            self._detect_next = True
        self._tracked = out
        return out

    def _to_read(self, candidates: list[tuple[Region, "MeshFace | None"]]) -> set[int]:
        """Which candidates get a landmark pass this frame: new ones, the largest tracked
        face, and ``reads_per_frame - 1`` other tracked faces in turn (all of them when
        ``reads_per_frame`` is 0)."""
        if not self.reads_per_frame:
            return set(range(len(candidates)))
        new = {k for k, (_, prev) in enumerate(candidates) if prev is None}
        tracked = [k for k, (_, prev) in enumerate(candidates) if prev is not None]
        if not tracked:
            return new
        main = max(tracked, key=lambda k: candidates[k][0].w * candidates[k][0].h)
        others = [k for k in tracked if k != main]
        chosen = {main}
        n = max(self.reads_per_frame - 1, 0)
        if others and n:
            start = self._turn % len(others)
            chosen.update((others + others)[start : start + min(n, len(others))])
            self._turn += n
        return new | chosen

    def close(self) -> None:
        self.detector.close()
        self._mesh.close()
        self._blend.close()


def _unique(faces: list[MeshFace]) -> list[MeshFace]:
    """Faces largest first, dropping one that overlaps a larger face."""
    order = sorted(faces, key=lambda f: -f.box().area)
    kept: list[MeshFace] = []
    for face in order:
        region = region_from_landmarks(face.points)
        if all(region.iou(region_from_landmarks(k.points)) <= TRACK_IOU for k in kept):
            kept.append(face)
    return kept
