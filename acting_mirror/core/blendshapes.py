"""The 52 blendshape names of MediaPipe's Face Landmarker, in its output order.

These are the category names MediaPipe's blendshape network is labelled with (its
``face_blendshapes_graph``), ARKit's set plus ``_neutral`` first. Kept here, in the pure
core, so the timeline, summaries and views can name the scores without importing vision.
"""

from __future__ import annotations

BLENDSHAPE_NAMES: tuple[str, ...] = (
    "_neutral",
    "browDownLeft",
    "browDownRight",
    "browInnerUp",
    "browOuterUpLeft",
    "browOuterUpRight",
    "cheekPuff",
    "cheekSquintLeft",
    "cheekSquintRight",
    "eyeBlinkLeft",
    "eyeBlinkRight",
    "eyeLookDownLeft",
    "eyeLookDownRight",
    "eyeLookInLeft",
    "eyeLookInRight",
    "eyeLookOutLeft",
    "eyeLookOutRight",
    "eyeLookUpLeft",
    "eyeLookUpRight",
    "eyeSquintLeft",
    "eyeSquintRight",
    "eyeWideLeft",
    "eyeWideRight",
    "jawForward",
    "jawLeft",
    "jawOpen",
    "jawRight",
    "mouthClose",
    "mouthDimpleLeft",
    "mouthDimpleRight",
    "mouthFrownLeft",
    "mouthFrownRight",
    "mouthFunnel",
    "mouthLeft",
    "mouthLowerDownLeft",
    "mouthLowerDownRight",
    "mouthPressLeft",
    "mouthPressRight",
    "mouthPucker",
    "mouthRight",
    "mouthRollLower",
    "mouthRollUpper",
    "mouthShrugLower",
    "mouthShrugUpper",
    "mouthSmileLeft",
    "mouthSmileRight",
    "mouthStretchLeft",
    "mouthStretchRight",
    "mouthUpperUpLeft",
    "mouthUpperUpRight",
    "noseSneerLeft",
    "noseSneerRight",
)

N_BLENDSHAPES = len(BLENDSHAPE_NAMES)

# The blendshapes grouped by face region, for views that show them at a glance.
BLENDSHAPE_REGIONS: dict[str, tuple[str, ...]] = {
    region: tuple(n for n in BLENDSHAPE_NAMES if n.startswith(prefix))
    for region, prefix in (
        ("brows", "brow"),
        ("eyes", "eye"),
        ("cheeks", "cheek"),
        ("nose", "nose"),
        ("mouth", "mouth"),
        ("jaw", "jaw"),
    )
}
