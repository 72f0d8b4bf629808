"""The pluggable pieces of the pipeline, as structural interfaces.

Anything with the right methods fits: tests pass five-line fakes, no inheritance needed.
"""

from __future__ import annotations

from typing import Iterator, Protocol, runtime_checkable

import numpy as np

from acting_mirror.core.types import Faces, Frame, FrameResult


@runtime_checkable
class FaceDetector(Protocol):
    """Finds faces in a BGR image; boxes are clamped to the image.

    Optionally ``detect_following(image, followed)``: the same, given one face of this
    frame another tracker has already found (``FaceDetailReader.follow``), so the detector
    need not look for it.
    """

    name: str

    def detect(self, image: np.ndarray) -> Faces: ...


@runtime_checkable
class EmotionClassifier(Protocol):
    """Adds ``raw_probs`` (seven values in EMOTIONS order, summing to 1) to every face."""

    def classify(self, image: np.ndarray, faces: Faces) -> Faces: ...


@runtime_checkable
class FaceDetailReader(Protocol):
    """Adds ``mesh``, ``blendshapes`` and ``pose`` to the faces it reads (the main face).

    Optionally ``follow(image) -> Face | None``: the main face of this new frame as the
    reader tracks it from the last, before any detection (read already).
    """

    def read(self, image: np.ndarray, faces: Faces) -> Faces: ...


@runtime_checkable
class FrameSource(Protocol):
    """A finite or endless run of frames. ``fps`` is the media's nominal rate."""

    name: str
    fps: float
    frame_count: int | None  # None when unknown or endless (camera, stream)

    def __iter__(self) -> Iterator[Frame]: ...

    def close(self) -> None: ...


@runtime_checkable
class ResultSink(Protocol):
    """Consumes analysed frames; a context manager with ``write`` and ``close``."""

    def write(self, result: FrameResult, annotated=None) -> None: ...

    def close(self) -> None: ...
