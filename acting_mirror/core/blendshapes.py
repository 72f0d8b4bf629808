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


# What each movement is called for an actor (left and right shown together); eye-gaze
# blendshapes (eyeLook*) say where the eyes point, not what the face does: left out.
MOVEMENT_LABELS: dict[str, str] = {
    "browDown": "brows down", "browInnerUp": "inner brows up", "browOuterUp": "outer brows up",
    "eyeBlink": "eyes closed", "eyeSquint": "eyes narrowed", "eyeWide": "eyes wide",
    "cheekPuff": "cheeks puffed", "cheekSquint": "cheeks raised",
    "noseSneer": "nose wrinkled",
    "mouthSmile": "smile", "mouthFrown": "lip corners down", "mouthPress": "lips pressed",
    "mouthStretch": "lips stretched", "mouthUpperUp": "upper lip raised",
    "mouthLowerDown": "lower lip down", "mouthPucker": "lips puckered",
    "mouthFunnel": "lips funnelled", "mouthDimple": "dimples", "mouthRoll": "lips rolled in",
    "mouthShrug": "lips shrugged", "mouthClose": "lips closed",
    "jawOpen": "jaw dropped", "jawForward": "jaw forward",
}


def _movement(name: str) -> str | None:
    for side in ("Left", "Right"):
        if name.endswith(side) and name[: -len(side)] in MOVEMENT_LABELS:
            return name[: -len(side)]
        for stem in ("mouthRoll", "mouthShrug"):
            if name.startswith(stem):
                return stem
    return name if name in MOVEMENT_LABELS else None


def region_summary(scores, *, per_region: int = 2) -> list[tuple[str, list[tuple[str, float]]]]:
    """The face detail at a glance: for each region (brows, eyes, cheeks, nose, mouth, jaw)
    its strongest movements as ``(label, level)``, left and right averaged, strongest first."""
    values = dict(zip(BLENDSHAPE_NAMES, (float(v) for v in scores)))
    out = []
    for region, names in BLENDSHAPE_REGIONS.items():
        movements: dict[str, list[float]] = {}
        for name in names:
            key = _movement(name)
            if key is not None:
                movements.setdefault(key, []).append(values[name])
        ranked = sorted(((MOVEMENT_LABELS[k], sum(v) / len(v)) for k, v in movements.items()),
                        key=lambda kv: -kv[1])
        out.append((region, ranked[:per_region]))
    return out
