"""Is the main face's picture good enough to be read? Blur, light, size and pose.

A pure function of measures taken on the face crop (see
:func:`acting_mirror.vision.crops.measure_face` for the vision-side helper that takes
them from a frame and a box):

* ``sharpness``: the variance of the 3x3 Laplacian of the gray face crop at
  :data:`QUALITY_SIDE` pixels (the square the classifier crops, margin included, at the
  bundled model's input size), so it measures detail at the scale the model sees,
  whatever the camera's resolution;
* ``brightness``: the mean gray level (0..255) of the face box inside that crop;
* ``face_px``: the shorter side of the face box in the frame, in pixels;
* ``yaw``: degrees the head is turned from the camera, when a landmark model gives it.

Every threshold in :data:`DEFAULT_THRESHOLDS` comes from measurements written down,
with the commands that reproduce them, in docs/model.md (``model evaluate --blur`` and
the ``model quality-sweep`` darkness, brightness and size sweeps).

Use::

    from acting_mirror.core.quality import assess
    from acting_mirror.vision.crops import measure_face

    quality = assess(measure_face(frame_bgr, face.box))       # yaw=... when known
    quality.ok, quality.reasons, quality.label                 # True, (), "ok"
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

QUALITY_SIDE = 64
"""Side in pixels of the square face crop the measures are taken on."""

REASONS = ("blurred", "dark", "bright", "small", "turned")
"""Every reason :func:`assess` can give, in the order it gives them."""


@dataclass(frozen=True)
class Thresholds:
    """Below ``min_sharpness`` the face is blurred; its brightness outside
    ``[min_brightness, max_brightness]`` is dark or bright; a face box shorter than
    ``min_face_px`` is small; ``|yaw|`` above ``max_yaw`` is turned."""

    min_sharpness: float
    min_brightness: float
    max_brightness: float
    min_face_px: float
    max_yaw: float


DEFAULT_THRESHOLDS = Thresholds(
    min_sharpness=100.0,
    min_brightness=35.0,
    max_brightness=210.0,
    min_face_px=24.0,
    max_yaw=35.0,
)
"""Sharpness, brightness and size are what ``acting-mirror model quality-sweep`` derives
(the faces whose clean reading is at least 60% sure keep it at least 3 times in 4 up to
each threshold; docs/model.md has the figures). ``max_yaw`` was NOT measured here (no
posed faces with a clear licence): 35 degrees is where a frontal model's training data
(FER2013, mostly frontal) runs out, a placeholder until the face-mesh work measures it."""


@dataclass(frozen=True)
class FaceMeasures:
    """What :func:`assess` judges; see the module docstring for each measure."""

    sharpness: float
    brightness: float
    face_px: float
    yaw: float | None = None


@dataclass(frozen=True)
class Quality:
    """The verdict: ``reasons`` empty when the face can be read."""

    reasons: tuple[str, ...]
    measures: FaceMeasures

    @property
    def ok(self) -> bool:
        return not self.reasons

    @property
    def label(self) -> str:
        """``"ok"`` or the reasons joined by ``|`` (e.g. ``"blurred|dark"``), as a
        ``quality`` column of the timeline would hold it."""
        return "|".join(self.reasons) if self.reasons else "ok"


def assess(measures: FaceMeasures, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Quality:
    """``ok``, or why the face is too poor to be read reliably."""
    t = thresholds
    reasons = []
    if measures.sharpness < t.min_sharpness:
        reasons.append("blurred")
    if measures.brightness < t.min_brightness:
        reasons.append("dark")
    if measures.brightness > t.max_brightness:
        reasons.append("bright")
    if measures.face_px < t.min_face_px:
        reasons.append("small")
    if measures.yaw is not None and abs(measures.yaw) > t.max_yaw:
        reasons.append("turned")
    return Quality(tuple(reasons), measures)


def laplacian_variance(gray: np.ndarray) -> float:
    """Variance of the 4-neighbour Laplacian over the interior of a gray image (the same
    as OpenCV's ``Laplacian(ksize=1)`` away from the border)."""
    g = np.asarray(gray, np.float64)
    if g.ndim != 2 or min(g.shape) < 3:
        raise ValueError(f"expected a gray image at least 3x3, not shape {g.shape}")
    lap = g[1:-1, :-2] + g[1:-1, 2:] + g[:-2, 1:-1] + g[2:, 1:-1] - 4.0 * g[1:-1, 1:-1]
    return float(lap.var())


def face_brightness(crop: np.ndarray, margin: float = 0.1) -> float:
    """Mean gray level of the face box inside a crop that has ``margin`` (of the box
    side) around it on every side, as the classifier's crops have."""
    g = np.asarray(crop, np.float64)
    if g.ndim != 2 or g.size == 0:
        raise ValueError(f"expected a gray image, not shape {g.shape}")
    h, w = g.shape
    mh = int(round(h * margin / (1.0 + 2.0 * margin)))
    mw = int(round(w * margin / (1.0 + 2.0 * margin)))
    inner = g[mh : h - mh or None, mw : w - mw or None]
    return float(inner.mean()) if inner.size else float(g.mean())


def measures_from_crop(crop: np.ndarray, face_px: float, yaw: float | None = None) -> FaceMeasures:
    """The measures of a gray uint8 crop already at :data:`QUALITY_SIDE` (as
    :func:`acting_mirror.vision.crops.quality_crop` makes it) and the face box side."""
    crop = np.asarray(crop)
    if crop.shape != (QUALITY_SIDE, QUALITY_SIDE):
        raise ValueError(f"the quality crop must be {QUALITY_SIDE}x{QUALITY_SIDE} gray, not {crop.shape}")
    return FaceMeasures(laplacian_variance(crop), face_brightness(crop), float(face_px), yaw)


def assess_crop(crop: np.ndarray, face_px: float, *, yaw: float | None = None,
                thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Quality:
    """:func:`assess` of :func:`measures_from_crop`."""
    return assess(measures_from_crop(crop, face_px, yaw), thresholds)


ADVICE = {
    "blurred": "the picture is blurred: hold still, or clean or focus the camera",
    "dark": "it is too dark: put a light in front of you",
    "bright": "it is too bright: move out of the glare",
    "small": "your face is small in the picture: come closer",
    "turned": "you are turned away: face the camera",
}
"""What to do about each reason, in the actor's words."""


class QualityNotice:
    """The live warning about the main face's picture, steady enough to read: it appears
    once a reason has held for ``hold_ms`` and goes once the picture has been fine (or
    the face gone) for ``hold_ms``; it never flickers frame to frame."""

    def __init__(self, hold_ms: int = 1500):
        self.hold_ms = int(hold_ms)
        self.shown: str | None = None  # the warning on screen, None when none
        self._candidate: str | None = None  # what would replace it, since _since
        self._since: int | None = None  # None: no change waiting

    def update(self, time_ms: int, label: str | None) -> str | None:
        """Feed each frame's ``quality`` label (``None``: no face); returns the warning."""
        reasons = [r for r in (label or "").split("|") if r in ADVICE]
        wanted = ("Your face may be read poorly: " + "; ".join(ADVICE[r] for r in reasons) + "."
                  if reasons else None)
        if wanted == self.shown:
            self._since = None
            return self.shown
        if self._since is None or wanted != self._candidate:
            self._candidate, self._since = wanted, int(time_ms)
        elif int(time_ms) - self._since >= self.hold_ms:
            self.shown, self._since = wanted, None
        return self.shown

    def reset(self) -> None:
        self.shown, self._since = None, None
