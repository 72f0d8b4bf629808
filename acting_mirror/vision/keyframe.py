"""KeyframeDetector: full detection on keyframes, cheap local refinement in between.

Full-frame face detection is the most expensive stage by far (a 720p Haar pass costs more
than a whole frame's budget at 30 fps). Faces move little between frames, so this wrapper
runs the wrapped detector on the whole (downscaled) frame only every ``keyframe_interval``
frames, or when it has lost a face, and in between looks for each known face only in a
small window around where it was, scaled so the face is about ``roi_face_px`` tall.
Any FaceDetector can be wrapped; the result is again a FaceDetector.

Given a ``background`` detector (a second instance: detectors are not thread-safe), the
keyframe's full detection runs on it on a helper thread (OpenCV and LiteRT release the GIL) while frames keep flowing through the cheap refinement; its
faces join when it finishes. That keeps every frame's latency low for live video, at the
price of new faces appearing a few frames later. Only when no face is known at all does a
full detection block, and then at most once every ``keyframe_interval`` frames; with
``wait_when_lost`` off (live video) only on the first frame after a reset (a new source
or take): after that, when faces are lost, the helper thread looks, pass after pass,
while frames flow on without faces.

``detect_following(image, followed)`` is ``detect`` for a frame in which another tracker
(the face mesh on the main face) has already found one face: that face takes the place of
the known face it overlaps and is not searched for, and keyframes come only every
``follow_keyframe_interval`` frames, since they are needed only for faces that are new.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import cv2
import numpy as np

from acting_mirror.core.ports import FaceDetector
from acting_mirror.core.types import Box, Face, Faces
from acting_mirror.priority import helper_executor


@dataclass(frozen=True)
class KeyframePolicy:
    keyframe_interval: int = 10  # full detection at least every N frames
    full_height: int = 480  # frames taller than this are downscaled for full detection
    roi_scale: float = 1.8  # search window side, as a multiple of the face's size
    roi_face_px: int = 48  # the face's height inside the rescaled search window
    max_misses: int = 2  # refinements in a row a face may miss before a full detection
    max_refine_per_frame: int = 4  # with more faces, the largest every frame, the rest in turn
    follow_keyframe_interval: int = 30  # keyframes while another tracker follows the main face
    wait_when_lost: bool = True  # with a background detector: block a frame when no face is known
    lost_search_gap: int = 5  # without waiting: frames from one full pass's start to the next
    helper_niceness: int = 0  # added to the helper thread's nice value (acting_mirror.priority)


class KeyframeDetector:
    def __init__(
        self,
        inner: FaceDetector,
        policy: KeyframePolicy = KeyframePolicy(),
        *,
        background: FaceDetector | None = None,
    ):
        self.inner = inner
        self.policy = policy
        self.background = background
        self._executor: ThreadPoolExecutor | None = None
        self._pending: Future | None = None
        self.name = inner.name
        self._known: list[Face] = []
        self._misses: list[int] = []
        self._since_full = 0
        self._force_full = True
        self._turn = 0
        self._followed: Face | None = None  # this frame's face found by another tracker
        self._fresh = True  # nothing looked for since the start or a reset
        self.full_detections = 0  # counters, for the benchmark
        self.refinements = 0

    def reset(self) -> None:
        self._known, self._misses = [], []
        self._force_full = True
        self._fresh = True
        self._pending = None

    def close(self) -> None:
        """Stop the background thread (if any); safe to call twice."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        self._pending = None

    def detect(self, image: np.ndarray) -> Faces:
        self._since_full += 1
        if self._followed is not None:
            self._take_followed()
        if self.background is not None:
            return self._detect_background(image)
        if self._known and not self._force_full and self._since_full < self._interval():
            faces = self._refine(image)
            if not self._force_full:
                return faces
        # a keyframe, or a face was just lost: look at the whole frame now
        return self._replace_known(self._detect_full(image))

    def detect_following(self, image: np.ndarray, followed: Face) -> Faces:
        """``detect``, given ``followed``: a face of this frame another tracker already
        found (see the module docstring)."""
        self._followed = followed
        try:
            return self.detect(image)
        finally:
            # remembered as a box only: a later frame must not hand on this frame's detail
            bare = followed.with_(mesh=None, blendshapes=None, pose=None)
            self._known = [bare if f is followed else f for f in self._known]
            self._followed = None

    def _interval(self) -> int:
        if self._followed is not None:
            return max(self.policy.keyframe_interval, self.policy.follow_keyframe_interval)
        return self.policy.keyframe_interval

    def _take_followed(self) -> None:
        """The followed face in place of the known face it overlaps (or joining them)."""
        followed = self._followed
        match = self._match(self._known, followed)
        if match is None:
            self._known.append(followed)
            self._misses.append(0)
        else:
            self._known[match] = followed
            self._misses[match] = 0
        if len(self._known) == 1:
            self._force_full = False  # a known face: no blocking pass for it

    def _detect_background(self, image: np.ndarray) -> Faces:
        if self._pending is not None and self._pending.done():
            self._merge(self._pending.result())
            self._pending = None
        if self._known:
            faces = self._refine(image)
            if self._known:
                if self._pending is None and (
                    self._force_full or self._since_full >= self._interval()
                ):
                    self._submit(image)
                return faces
            # every face was just lost (a cut, or the actor left): look at this very frame
            # now, rather than return nothing while a helper pass runs (and, if that pass
            # saw nothing, wait a whole keyframe interval for the next)
        if not self.policy.wait_when_lost and not self._fresh:
            # nothing known: look again when the last pass has ended, and at most every
            # few frames (an empty room should not keep a core busy)
            if self._pending is None and self._since_full >= self.policy.lost_search_gap:
                self._submit(image)
            return ()
        if self._force_full or self._since_full >= self.policy.keyframe_interval:
            # nothing known: one blocking pass, at most every keyframe_interval frames
            self._pending = None
            return self._replace_known(self._detect_full(image))
        if self._pending is None:
            self._submit(image)
        return ()

    def _replace_known(self, faces: Faces) -> Faces:
        if self._followed is not None:
            # the followed face keeps its box (the detector's shape already) and its detail
            faces = list(faces)
            match = self._match(faces, self._followed)
            if match is None:
                faces.append(self._followed)
            else:
                faces[match] = self._followed
            faces = tuple(faces)
        self._known = list(faces)
        self._fresh = False
        self._misses = [0] * len(faces)
        self._since_full = 0
        self._force_full = False
        return faces

    def _submit(self, image: np.ndarray) -> None:
        if self._executor is None:
            self._executor = helper_executor("full-face-detection", self.policy.helper_niceness)
        self._pending = self._executor.submit(self._detect_full, image.copy(), self.background)
        self._fresh = False
        self._since_full = 0
        self._force_full = False

    @staticmethod
    def _match(faces, face: Face, min_iou: float = 0.3) -> int | None:
        """The index of the face in ``faces`` that overlaps ``face`` most, if enough."""
        best = max(range(len(faces)), key=lambda i: faces[i].box.iou(face.box), default=None)
        return best if best is not None and faces[best].box.iou(face.box) > min_iou else None

    def _merge(self, full: Faces) -> None:
        """Fold a full pass's faces in: known faces keep their fresher box, new ones join."""
        known, misses = list(self._known), list(self._misses)
        for face in full:
            match = self._match(known, face, min_iou=0.2)
            if match is not None:
                misses[match] = 0
            else:
                known.append(face)
                misses.append(0)
        self._known, self._misses = known, misses

    # -- full frame -------------------------------------------------------------------
    def _detect_full(self, image: np.ndarray, detector: FaceDetector | None = None) -> Faces:
        detector = detector or self.inner
        self.full_detections += 1
        height, width = image.shape[:2]
        scale = min(1.0, self.policy.full_height / height)
        small = image if scale == 1.0 else cv2.resize(
            image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA
        )
        return _mapped(detector.detect(small), 0, 0, 1.0 / scale, width, height)

    # -- around known faces -----------------------------------------------------------
    def _refine(self, image: np.ndarray) -> Faces:
        self.refinements += 1
        height, width = image.shape[:2]
        out: list[Face] = []
        misses: list[int] = []
        n = len(self._known)
        budget = self.policy.max_refine_per_frame
        followed = next(
            (i for i, f in enumerate(self._known) if f is self._followed), None
        )
        if n <= budget:
            turn = set(range(n))
        else:
            # the largest face (the main one, whose readings matter most) every frame,
            # the others in turn
            largest = max(range(n), key=lambda i: self._known[i].box.area)
            others = [i for i in range(n) if i != largest]
            turn = {largest} | {others[(self._turn + k) % len(others)] for k in range(budget - 1)}
            self._turn = (self._turn + budget - 1) % len(others)
        turn.discard(followed)  # found already, in this very frame
        for i, (face, missed) in enumerate(zip(self._known, self._misses)):
            if i not in turn:
                out.append(face)
                misses.append(missed)
                continue
            found = self._search_near(image, face.box, width, height)
            if found is None:
                missed += 1
                if missed > self.policy.max_misses:
                    self._force_full = True  # lost: look everywhere next frame
                    continue
                found = face  # hold the last box for a frame or two
            else:
                missed = 0
            out.append(found)
            misses.append(missed)
        self._known, self._misses = out, misses
        return tuple(out)

    def _search_near(self, image: np.ndarray, box: Box, width: int, height: int) -> Face | None:
        side = max(box.w, box.h) * self.policy.roi_scale
        cx, cy = box.center
        roi = Box.from_xyxy(cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2).clamp(width, height)
        if roi is None:
            return None
        crop = image[roi.y : roi.y2, roi.x : roi.x2]
        scale = min(1.0, self.policy.roi_face_px / max(box.h, 1))
        if scale < 1.0:
            crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        expected = max(box.h, 1) * scale
        sized = getattr(self.inner, "detect_sized", None)
        found = (
            sized(crop, int(expected * 0.6), int(expected * 1.6) + 1)
            if sized is not None
            else self.inner.detect(crop)
        )
        candidates = _mapped(found, roi.x, roi.y, 1.0 / scale, width, height)
        if not candidates:
            return None
        best = max(candidates, key=lambda f: f.box.iou(box))
        return best if best.box.iou(box) > 0.3 else None


def _mapped(faces: Faces, dx: int, dy: int, factor: float, width: int, height: int) -> Faces:
    """Faces found in a crop at offset (dx, dy), scaled by ``factor``, in frame pixels."""
    out = []
    for f in faces:
        b = f.box
        box = Box.from_xyxy(
            dx + b.x * factor, dy + b.y * factor, dx + b.x2 * factor, dy + b.y2 * factor
        ).clamp(width, height)
        if box is None:
            continue
        landmarks = None
        if f.landmarks is not None:
            landmarks = tuple((dx + x * factor, dy + y * factor) for x, y in f.landmarks)
        out.append(f.with_(box=box, landmarks=landmarks))
    return tuple(out)
