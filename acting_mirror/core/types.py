"""The values that flow through Acting Mirror, one frame at a time.

Units are fixed here once: images are BGR ``uint8`` arrays, boxes are integer pixels
(x, y, width, height) in the frame's coordinates, times are integer milliseconds from
the source, and probabilities follow :data:`EMOTIONS` order.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Iterator

import numpy as np

EMOTIONS: tuple[str, ...] = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
"""The seven labels, in the order the model outputs them."""

N_EMOTIONS = len(EMOTIONS)


@dataclass(frozen=True, slots=True)
class Box:
    """An axis-aligned rectangle in pixels: top-left corner plus size."""

    x: int
    y: int
    w: int
    h: int

    @property
    def area(self) -> int:
        return max(self.w, 0) * max(self.h, 0)

    @property
    def center(self) -> tuple[float, float]:
        return (self.x + self.w / 2.0, self.y + self.h / 2.0)

    @property
    def x2(self) -> int:
        return self.x + self.w

    @property
    def y2(self) -> int:
        return self.y + self.h

    @classmethod
    def from_xyxy(cls, x1: float, y1: float, x2: float, y2: float) -> "Box":
        x1i, y1i = int(round(x1)), int(round(y1))
        return cls(x1i, y1i, int(round(x2)) - x1i, int(round(y2)) - y1i)

    def clamp(self, width: int, height: int) -> "Box | None":
        """This box cut to a ``width`` x ``height`` frame; ``None`` when nothing is left."""
        x1, y1 = max(self.x, 0), max(self.y, 0)
        x2, y2 = min(self.x2, width), min(self.y2, height)
        if x2 - x1 < 1 or y2 - y1 < 1:
            return None
        return Box(x1, y1, x2 - x1, y2 - y1)

    def iou(self, other: "Box") -> float:
        ix = max(0, min(self.x2, other.x2) - max(self.x, other.x))
        iy = max(0, min(self.y2, other.y2) - max(self.y, other.y))
        inter = ix * iy
        union = self.area + other.area - inter
        return inter / union if union > 0 else 0.0

    def scaled(self, factor: float) -> "Box":
        return Box(
            int(round(self.x * factor)),
            int(round(self.y * factor)),
            int(round(self.w * factor)),
            int(round(self.h * factor)),
        )


@dataclass(frozen=True, slots=True)
class Face:
    """One face in one frame, enriched stage by stage.

    ``probs`` holds the smoothed probabilities the app shows (``None`` until classified),
    ``raw_probs`` the classifier's own output for this frame. ``face_id`` is ``-1`` until
    a tracker assigns one. ``mesh``, ``blendshapes`` and ``pose`` stay ``None`` unless the
    face mesh read the face.
    """

    box: Box
    score: float = 1.0
    landmarks: tuple[tuple[float, float], ...] | None = None
    raw_probs: np.ndarray | None = field(default=None, compare=False)
    probs: np.ndarray | None = field(default=None, compare=False)
    face_id: int = -1
    primary: bool = False
    # filled by the face mesh (``--detector mesh``), None otherwise: the 478 mesh points
    # (x, y frame pixels, z depth in pixels; float32 (478, 3)), the 52 blendshape scores
    # in core.blendshapes.BLENDSHAPE_NAMES order, and (yaw, pitch, roll) in degrees
    mesh: np.ndarray | None = field(default=None, compare=False, repr=False)
    blendshapes: np.ndarray | None = field(default=None, compare=False, repr=False)
    pose: tuple[float, float, float] | None = None
    # the mesh's own blendshape reading of this frame, when the smoother replaced
    # ``blendshapes`` with the smoothed ones (as ``raw_probs`` is to ``probs``)
    raw_blendshapes: np.ndarray | None = field(default=None, compare=False, repr=False)
    # "ok", or why the picture of this face is too poor to read reliably ("blurred|dark");
    # None where not assessed (see core.quality)
    quality: str | None = None

    def with_(self, **changes) -> "Face":
        return replace(self, **changes)

    @property
    def shown_probs(self) -> np.ndarray | None:
        return self.probs if self.probs is not None else self.raw_probs

    @property
    def top_emotion(self) -> str | None:
        p = self.shown_probs
        return None if p is None else EMOTIONS[int(np.argmax(p))]

    @property
    def confidence(self) -> float:
        p = self.shown_probs
        return 0.0 if p is None else float(np.max(p))


Faces = tuple[Face, ...]


@dataclass(frozen=True, slots=True)
class Frame:
    """One image from a source. ``time_ms`` comes from the media itself for files."""

    image: np.ndarray
    index: int
    time_ms: int

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])


@dataclass(frozen=True, slots=True)
class FrameResult:
    """Everything known about one analysed frame."""

    frame: Frame
    faces: Faces
    timings_ms: dict[str, float] = field(default_factory=dict, compare=False)

    @property
    def primary(self) -> Face | None:
        for face in self.faces:
            if face.primary:
                return face
        return None

    def __iter__(self) -> Iterator[Face]:
        return iter(self.faces)
