"""Face actions: what the face *does*, in an actor's terms, from the face mesh's blendshapes.

A teacher says "lift the brows, let the jaw drop", not "that reads as happy". This module
turns the 52 blendshape scores (MediaPipe's, see :mod:`acting_mirror.core.blendshapes`)
into a small vocabulary of actions, each a level in [0, 1], loosely following the action
units (AU) of Ekman & Friesen's Facial Action Coding System:

=================  ==========  =======================================================
action             FACS AU     blendshapes
=================  ==========  =======================================================
brow_raise_inner   1           browInnerUp
brow_raise_outer   2           browOuterUpLeft/Right
brow_raise         1+2         mean of the two above
brow_lower         4           browDownLeft/Right
eye_widen          5           eyeWideLeft/Right x 2 (reads low on many faces)
eye_squint         7           eyeSquintLeft/Right
cheek_raise        6           cheekSquintLeft/Right
nose_wrinkle       9           noseSneerLeft/Right x 2 (reads low on many faces)
smile              12          mouthSmileLeft/Right
lip_corner_down    15          mouthFrownLeft/Right
lip_press          24          mouthPressLeft/Right
upper_lip_raise    10          mouthUpperUpLeft/Right
jaw_drop           26          jawOpen
lip_stretch        20          mouthStretchLeft/Right
=================  ==========  =======================================================

Sided actions also come as ``<action>_left`` / ``<action>_right`` (the actor's left and
right, as MediaPipe names them); the plain name is the mean of the two sides.
``eye_widen`` and ``nose_wrinkle`` are doubled (then capped at 1) because the mesh's
``eyeWide*`` and ``noseSneer*`` scores rarely pass 0.5 even on a clearly wide-eyed or
sneering face. With head pose given, frames where the head is turned or tilted past
:data:`MAX_YAW_DEG` / :data:`MAX_PITCH_DEG` give NaN: the mesh's reading of brows and
eyes is not trusted there.

Which actions show which emotion, at which level, is one data table,
``face_actions.toml`` beside this file (sources cited there), read by
:func:`load_table`; a teacher can edit it or pass their own file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from acting_mirror.core.blendshapes import BLENDSHAPE_NAMES, N_BLENDSHAPES
from acting_mirror.core.types import EMOTIONS
from acting_mirror.errors import ActingMirrorError

TABLE_PATH = Path(__file__).with_name("face_actions.toml")

MAX_YAW_DEG = 30.0
MAX_PITCH_DEG = 25.0
"""Past these head angles the actions are not trusted (NaN)."""

_B = {name: i for i, name in enumerate(BLENDSHAPE_NAMES)}

# action -> (blendshape or (left, right) pair, gain)
_SOURCES: dict[str, tuple[str | tuple[str, str], float]] = {
    "brow_raise_inner": ("browInnerUp", 1.0),
    "brow_raise_outer": (("browOuterUpLeft", "browOuterUpRight"), 1.0),
    "brow_lower": (("browDownLeft", "browDownRight"), 1.0),
    "eye_widen": (("eyeWideLeft", "eyeWideRight"), 2.0),
    "eye_squint": (("eyeSquintLeft", "eyeSquintRight"), 1.0),
    "cheek_raise": (("cheekSquintLeft", "cheekSquintRight"), 1.0),
    "nose_wrinkle": (("noseSneerLeft", "noseSneerRight"), 2.0),
    "smile": (("mouthSmileLeft", "mouthSmileRight"), 1.0),
    "lip_corner_down": (("mouthFrownLeft", "mouthFrownRight"), 1.0),
    "lip_press": (("mouthPressLeft", "mouthPressRight"), 1.0),
    "upper_lip_raise": (("mouthUpperUpLeft", "mouthUpperUpRight"), 1.0),
    "jaw_drop": ("jawOpen", 1.0),
    "lip_stretch": (("mouthStretchLeft", "mouthStretchRight"), 1.0),
}

ACTIONS: tuple[str, ...] = (
    "brow_raise", "brow_raise_inner", "brow_raise_outer", "brow_lower", "eye_widen",
    "eye_squint", "cheek_raise", "nose_wrinkle", "smile", "lip_corner_down", "lip_press",
    "upper_lip_raise", "jaw_drop", "lip_stretch",
)
"""The vocabulary (both sides together), in a fixed order: the columns of
:func:`action_matrix`."""

SIDED: tuple[str, ...] = tuple(a for a, (src, _) in _SOURCES.items() if isinstance(src, tuple))
"""Actions that also come per side (``<action>_left``, ``<action>_right``)."""

ALL_ACTIONS: tuple[str, ...] = ACTIONS + tuple(
    f"{a}_{side}" for a in SIDED for side in ("left", "right")
)


class FaceActionTableError(ActingMirrorError):
    """A face-action table that cannot be read or does not make sense."""


def action_matrix(blendshapes: np.ndarray, pose: np.ndarray | None = None,
                  *, sided: bool = False) -> np.ndarray:
    """The actions of ``(n, 52)`` (or ``(52,)``) blendshapes: ``(n, len(ACTIONS))``
    (``ALL_ACTIONS`` with ``sided``), each in [0, 1]. NaN rows stay NaN; with ``pose``
    (``(n, 3)`` yaw, pitch, roll in degrees), rows with the head turned too far are NaN."""
    b = np.asarray(blendshapes, dtype=np.float64)
    single = b.ndim == 1
    b = np.atleast_2d(b)
    if b.shape[1] != N_BLENDSHAPES:
        raise ValueError(f"expected {N_BLENDSHAPES} blendshapes per row, got {b.shape[1]}")
    b = np.clip(b, 0.0, 1.0)
    cols: dict[str, np.ndarray] = {}
    for action, (src, gain) in _SOURCES.items():
        if isinstance(src, tuple):
            left = np.minimum(b[:, _B[src[0]]] * gain, 1.0)
            right = np.minimum(b[:, _B[src[1]]] * gain, 1.0)
            cols[f"{action}_left"], cols[f"{action}_right"] = left, right
            cols[action] = (left + right) / 2
        else:
            cols[action] = np.minimum(b[:, _B[src]] * gain, 1.0)
    cols["brow_raise"] = (cols["brow_raise_inner"] + cols["brow_raise_outer"]) / 2
    names = ALL_ACTIONS if sided else ACTIONS
    out = np.stack([cols[a] for a in names], axis=1)
    if pose is not None:
        p = np.atleast_2d(np.asarray(pose, dtype=np.float64))
        turned = (np.abs(p[:, 0]) > MAX_YAW_DEG) | (np.abs(p[:, 1]) > MAX_PITCH_DEG)
        out[turned] = np.nan
    return out[0] if single else out


def face_actions(blendshapes: np.ndarray, pose=None, *, sided: bool = False) -> dict[str, float]:
    """One face's actions by name (NaN when the head is turned too far, see module doc)."""
    row = action_matrix(np.asarray(blendshapes).reshape(-1),
                        None if pose is None else np.asarray(pose, dtype=np.float64).reshape(1, 3),
                        sided=sided)
    return {a: float(v) for a, v in zip(ALL_ACTIONS if sided else ACTIONS, row.reshape(-1))}


@dataclass(frozen=True)
class EmotionActions:
    """The actions one emotion is shown with: ``levels`` (action -> wanted level in [0,1])
    and ``against`` (actions that work against it when strong)."""

    emotion: str
    levels: dict[str, float]
    against: tuple[str, ...]
    facs: str = ""


@dataclass(frozen=True)
class ActionWords:
    """How an action is named to the actor (see ``face_actions.toml``)."""

    more: str
    less: str
    noun: str
    low: str
    late: str
    high: str


@dataclass(frozen=True)
class ActionTable:
    """The emotion -> actions table and the words for each action."""

    emotions: dict[str, EmotionActions]
    words: dict[str, ActionWords]
    source: str = ""

    def for_emotion(self, emotion: str) -> EmotionActions:
        return self.emotions[emotion]


def parse_table(data: dict, source: str = "table") -> ActionTable:
    """An :class:`ActionTable` from the TOML's data; one-line errors for a bad table."""
    def bad(why: str) -> FaceActionTableError:
        return FaceActionTableError(f"{source} is not a usable face-action table: {why}.")

    if not isinstance(data, dict) or not isinstance(data.get("emotions"), dict):
        raise bad("it has no [emotions] tables")
    emotions: dict[str, EmotionActions] = {}
    for emotion in EMOTIONS:
        entry = data["emotions"].get(emotion)
        if not isinstance(entry, dict):
            raise bad(f"[emotions.{emotion}] is missing")
        levels = entry.get("actions", {})
        against = entry.get("against", [])
        if not isinstance(levels, dict) or not isinstance(against, list):
            raise bad(f"[emotions.{emotion}] needs actions = {{...}} and against = [...]")
        clean: dict[str, float] = {}
        for action, level in levels.items():
            if action not in ACTIONS:
                raise bad(f"[emotions.{emotion}] names an unknown action {action!r}")
            if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level <= 1:
                raise bad(f"[emotions.{emotion}] {action} must be a level in (0, 1]")
            clean[action] = float(level)
        for action in against:
            if action not in ACTIONS:
                raise bad(f"[emotions.{emotion}] against names an unknown action {action!r}")
        emotions[emotion] = EmotionActions(emotion, clean, tuple(against), str(entry.get("facs", "")))
    extra = set(data["emotions"]) - set(EMOTIONS)
    if extra:
        raise bad(f"unknown emotion(s) {', '.join(sorted(extra))}")
    words: dict[str, ActionWords] = {}
    raw_words = data.get("actions", {})
    if not isinstance(raw_words, dict):
        raise bad("[actions] must be tables")
    for action in ACTIONS:
        w = raw_words.get(action)
        if not isinstance(w, dict) or not all(isinstance(w.get(k), str) for k in
                                               ("more", "less", "noun", "low", "late", "high")):
            raise bad(f"[actions.{action}] needs more, less, noun, low, late and high")
        words[action] = ActionWords(**{k: w[k] for k in ("more", "less", "noun", "low", "late", "high")})
    return ActionTable(emotions, words, source)


def load_table(path: Path | str | None = None) -> ActionTable:
    """The table in ``path`` (default: the bundled ``face_actions.toml``)."""
    if path is None:
        return _default_table()
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FaceActionTableError(f"Cannot read the face-action table {path}: {exc.strerror or exc}.") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise FaceActionTableError(f"{path} is not a face-action table (not TOML: {exc}).") from exc
    return parse_table(data, str(path))


@lru_cache(maxsize=1)
def _default_table() -> ActionTable:
    return parse_table(tomllib.loads(TABLE_PATH.read_text(encoding="utf-8")), TABLE_PATH.name)


def opposed_to(emotion: str, table: ActionTable | None = None) -> tuple[str, ...]:
    """The actions that work against ``emotion`` when strong: its ``against`` list (an
    emotion with neither actions nor ``against``: every action)."""
    table = table or load_table()
    entry = table.for_emotion(emotion)
    if not entry.levels and not entry.against:
        return ACTIONS
    return tuple(a for a in entry.against if a not in entry.levels)


STRONG = 0.35
"""An action at least this strong that works against the target is reported."""
RELEASE_WEIGHT = 0.7
"""An opposed action's gap counts this much against a missing action's: adding what the
emotion needs usually helps more than releasing what is in the way."""
MET_FRACTION = 0.8
"""An action is met when it reaches this fraction of its wanted level."""


def action_gaps(emotion: str, actions: dict[str, float], table: ActionTable | None = None,
                baseline: dict[str, float] | None = None) -> list[tuple[str, float, float, float]]:
    """How far ``actions`` (by name) are from ``emotion``'s: ``(action, wanted, seen, gap)``
    for the emotion's actions (``gap`` = how much is missing, >= 0) and for opposed actions
    seen strong (``wanted`` 0, ``gap`` = :data:`RELEASE_WEIGHT` x how far past
    :data:`STRONG`, > 0), biggest gap
    first. ``baseline`` (the actor's relaxed levels) is taken off first."""
    table = table or load_table()
    entry = table.for_emotion(emotion)
    seen = relative_to_baseline(actions, baseline)
    out = []
    for action, wanted in entry.levels.items():
        s = seen.get(action, float("nan"))
        if np.isfinite(s):
            out.append((action, wanted, s, max(0.0, wanted * MET_FRACTION - s)))
    for action in opposed_to(emotion, table):
        s = seen.get(action, float("nan"))
        if np.isfinite(s) and s >= STRONG:
            out.append((action, 0.0, s, RELEASE_WEIGHT * (s - STRONG) + 1e-6))
    out.sort(key=lambda r: -r[3])
    return out


def relative_to_baseline(actions: dict[str, float], baseline: dict[str, float] | None) -> dict[str, float]:
    """Levels above the actor's relaxed ``baseline``, rescaled to [0, 1]."""
    if not baseline:
        return dict(actions)
    out = {}
    for a, v in actions.items():
        b = float(baseline.get(a, 0.0))
        b = min(max(b, 0.0), 0.9)
        out[a] = float(np.clip((v - b) / (1.0 - b), 0.0, 1.0)) if np.isfinite(v) else v
    return out


def match_score(emotion: str, actions: dict[str, float], table: ActionTable | None = None,
                baseline: dict[str, float] | None = None) -> float:
    """How well ``actions`` show ``emotion``, in [0, 1] (1: every action at its level and
    nothing strong against it; for neutral: nothing strong at all)."""
    table = table or load_table()
    entry = table.for_emotion(emotion)
    seen = relative_to_baseline(actions, baseline)
    finite = {a: v for a, v in seen.items() if np.isfinite(v)}
    if not finite:
        return float("nan")
    if entry.levels:
        parts = [min(1.0, finite.get(a, 0.0) / w) for a, w in entry.levels.items()]
        score = float(np.mean(parts))
    else:
        score = 1.0
    opposed = [finite.get(a, 0.0) for a in opposed_to(emotion, table)]
    worst = max(opposed) if opposed else 0.0
    return float(np.clip(score * (1.0 - max(0.0, worst - STRONG / 2) / (1 - STRONG / 2)), 0.0, 1.0))


def best_emotion(actions: dict[str, float], table: ActionTable | None = None,
                 baseline: dict[str, float] | None = None,
                 among: tuple[str, ...] = EMOTIONS) -> tuple[str, float]:
    """The emotion (of ``among``) the actions show best, with its :func:`match_score`.
    Ties go to the order of ``among``; neutral wins when nothing else reaches half."""
    scores = {e: match_score(e, actions, table, baseline) for e in among}
    scores = {e: s for e, s in scores.items() if np.isfinite(s)}
    if not scores:
        return "neutral", float("nan")
    best = max(scores, key=lambda e: scores[e])
    if "neutral" in scores and best != "neutral" and scores[best] < 0.5:
        return "neutral", scores["neutral"]
    return best, scores[best]
