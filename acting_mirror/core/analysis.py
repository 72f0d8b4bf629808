"""Analyzer: one frame in, one FrameResult out (detect, track, classify, detail, smooth)."""

from __future__ import annotations

import time
from typing import Callable

import numpy as np

from acting_mirror.core.ports import EmotionClassifier, FaceDetailReader, FaceDetector
from acting_mirror.core.readings import ReadingSchedule
from acting_mirror.core.smoothing import EmotionSmoother
from acting_mirror.core.tracking import FaceTracker
from acting_mirror.core.types import Face, Frame, FrameResult


class Analyzer:
    """Runs the per-frame stages in order and times each (``FrameResult.timings_ms``).

    Owns the stateful stages; whoever owns the Analyzer (one worker thread) is the only
    caller, so nothing here locks.
    """

    def __init__(
        self,
        detector: FaceDetector,
        classifier: EmotionClassifier,
        tracker: FaceTracker | None = None,
        smoother: EmotionSmoother | None = None,
        clock: Callable[[], float] = time.perf_counter,
        *,
        readings: ReadingSchedule | None = None,
        detail: FaceDetailReader | None = None,
        quality: Callable[[np.ndarray, Face], str] | None = None,
    ):
        self.detector = detector
        self.classifier = classifier
        self.tracker = tracker or FaceTracker()
        self.smoother = smoother or EmotionSmoother()
        self.readings = readings or ReadingSchedule()  # default: every face, every frame
        self.detail = detail  # the main face's mesh and blendshapes, when set
        self.quality = quality  # judges the main face's picture (core.quality), when set
        self._clock = clock

    def set_detector(self, detector: FaceDetector) -> None:
        """Swap the face detector between frames; tracks are kept."""
        self.detector = detector

    def reset(self) -> None:
        """Forget every face (a new source or take), including where the detector last
        saw them."""
        self.tracker.reset()
        self.smoother.reset()
        self.readings.reset()
        for part in (self.detector, self.detail):
            reset = getattr(part, "reset", None)
            if reset is not None:
                reset()

    def analyze(self, frame: Frame) -> FrameResult:
        clock = self._clock
        t_follow = clock()
        followed = self._follow(frame.image)
        t0 = clock()
        if followed is not None:
            faces = self.detector.detect_following(frame.image, followed)
        else:
            faces = self.detector.detect(frame.image)
        t1 = clock()
        faces = self.tracker.update(faces)
        t2 = clock()
        if faces:
            chosen = self.readings.pick(faces)
            read = self.classifier.classify(frame.image, tuple(faces[i] for i in chosen))
            merged = list(faces)
            for i, face in zip(chosen, read):
                merged[i] = face
            faces = tuple(merged)
        t3 = clock()
        if self.detail is not None and faces:
            faces = self.detail.read(frame.image, faces)
        if self.quality is not None and faces:
            faces = _with_quality(frame.image, faces, self.quality)
        t4 = clock()
        faces = self.smoother.update(faces)
        t5 = clock()
        timings = {
            "detect": (t1 - t0) * 1e3,
            "classify": (t3 - t2) * 1e3,
            "track": (t2 - t1 + t5 - t4) * 1e3,  # tracking and smoothing
        }
        if self.detail is not None or self.quality is not None:
            timings["detail"] = (t4 - t3 + t0 - t_follow) * 1e3
        return FrameResult(frame=frame, faces=faces, timings_ms=timings)

    def _follow(self, image: np.ndarray):
        """The main face as the detail reader follows it into this frame, when both it and
        the detector can (see ``FaceDetailReader.follow``); else ``None``."""
        follow = getattr(self.detail, "follow", None)
        if follow is None or not hasattr(self.detector, "detect_following"):
            return None
        return follow(image)


def _with_quality(image: np.ndarray, faces, judge) -> tuple[Face, ...]:
    """``faces`` with the main face's picture judged (``Face.quality``)."""
    return tuple(f.with_(quality=judge(image, f) or None) if f.primary else f for f in faces)
