"""A synthetic actor's face (blendshapes and CNN readings) for the coaching and profile
tests, and the routine take they record (no fixtures here: a plain module)."""

from __future__ import annotations

import numpy as np

from acting_mirror.core.blendshapes import BLENDSHAPE_NAMES
from acting_mirror.core.profile import GAP_MS, LINE_MS, ROUTINE_ORDER
from acting_mirror.core.timeline import TimelineTable
from acting_mirror.core.types import EMOTIONS

# One synthetic actor: how their face moves for each emotion (blendshape -> score) and
# what the CNN reads on it. Their relaxed eyes squint a little; the CNN reads their sad
# face as neutral and their disgust as anger.
FACE = {
    "neutral": {"eyeSquintLeft": 0.3, "eyeSquintRight": 0.3},
    "happy": {"mouthSmileLeft": 0.7, "mouthSmileRight": 0.7, "cheekSquintLeft": 0.4,
              "cheekSquintRight": 0.4, "eyeSquintLeft": 0.4, "eyeSquintRight": 0.4},
    "sad": {"browInnerUp": 0.45, "mouthFrownLeft": 0.35, "mouthFrownRight": 0.35,
            "eyeSquintLeft": 0.3, "eyeSquintRight": 0.3},
    "surprise": {"browInnerUp": 0.5, "browOuterUpLeft": 0.5, "browOuterUpRight": 0.5,
                 "eyeWideLeft": 0.25, "eyeWideRight": 0.25, "jawOpen": 0.5},
    "angry": {"browDownLeft": 0.5, "browDownRight": 0.5, "eyeSquintLeft": 0.5,
              "eyeSquintRight": 0.5, "mouthPressLeft": 0.4, "mouthPressRight": 0.4},
    "fear": {"browInnerUp": 0.4, "browOuterUpLeft": 0.3, "browOuterUpRight": 0.3,
             "browDownLeft": 0.2, "browDownRight": 0.2, "eyeWideLeft": 0.25,
             "eyeWideRight": 0.25, "mouthStretchLeft": 0.4, "mouthStretchRight": 0.4},
    "disgust": {"noseSneerLeft": 0.2, "noseSneerRight": 0.2, "mouthUpperUpLeft": 0.4,
                "mouthUpperUpRight": 0.4, "browDownLeft": 0.2, "browDownRight": 0.2},
}
CNN = {
    "neutral": {"neutral": 0.8},
    "happy": {"happy": 0.8},
    "sad": {"neutral": 0.6, "sad": 0.25},
    "surprise": {"surprise": 0.7},
    "angry": {"angry": 0.5, "neutral": 0.3},
    "fear": {"fear": 0.4, "surprise": 0.35},
    "disgust": {"angry": 0.45, "disgust": 0.2},
}


def blend_of(emotion: str, rng=None, noise: float = 0.0) -> np.ndarray:
    b = np.zeros(len(BLENDSHAPE_NAMES))
    for name, v in FACE[emotion].items():
        b[BLENDSHAPE_NAMES.index(name)] = v
    if rng is not None and noise:
        b = b + rng.normal(0, noise, b.shape)
    return np.clip(b, 0, 1)


def probs_of(emotion: str, rng=None, noise: float = 0.0) -> np.ndarray:
    p = np.full(len(EMOTIONS), 0.0)
    for e, v in CNN[emotion].items():
        p[EMOTIONS.index(e)] = v
    rest = 1 - p.sum()
    p[p == 0] = rest / max(1, int((p == 0).sum()))
    if rng is not None and noise:
        p = np.clip(p + rng.normal(0, noise, p.shape), 1e-3, None)
    return p / p.sum()


def routine_table(*, seed=0, noise=0.03, fps=30, shaky=(), alike=(), drop=(), end_s=None,
                  order=ROUTINE_ORDER) -> TimelineTable:
    """A timeline of the synthetic actor acting the routine. ``shaky`` lines jump between
    expressions, ``alike`` lines look like the relaxed face, ``drop`` lines lose the face
    detail; ``end_s`` cuts the take."""
    rng = np.random.default_rng(seed)
    total = len(order) * (LINE_MS + GAP_MS) if end_s is None else end_s * 1000
    times = np.arange(0, total, 1000 / fps).astype(np.int64)
    blend, probs = [], []
    for t in times:
        i = int(t // (LINE_MS + GAP_MS))
        in_line = i < len(order) and (t - i * (LINE_MS + GAP_MS)) < LINE_MS
        e = order[min(i, len(order) - 1)] if in_line else "neutral"
        shown = "neutral" if e in alike else e
        if e in shaky:
            shown = ("happy", "angry", "surprise")[int(rng.integers(3))]
        b = blend_of(shown, rng, noise)
        if e in drop and in_line:
            b = np.full_like(b, np.nan)
        blend.append(b)
        probs.append(probs_of(shown, rng, noise))
    n = len(times)
    return TimelineTable(
        frame=np.arange(n, dtype=np.int64), time_ms=times, face_id=np.ones(n, np.int64),
        primary=np.ones(n, bool), boxes=np.tile(np.array([10, 10, 100, 100]), (n, 1)),
        probs=np.array(probs, np.float32), blendshapes=np.array(blend, np.float32),
        pose=np.zeros((n, 3), np.float32), quality=np.array(["ok"] * n, dtype=object),
    )


def write_timeline(table: TimelineTable, path) -> None:
    """``table`` as a ``timeline.csv`` (every column, as the app writes it)."""
    import csv

    from acting_mirror.core.timeline import TIMELINE_COLUMNS

    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(TIMELINE_COLUMNS)
        for i in range(len(table)):
            p = table.probs[i]
            b = table.blendshapes[i]
            blend = [""] * 104 if np.isnan(b).any() else [f"{v:.4f}" for v in b] * 2
            w.writerow([table.frame[i], table.time_ms[i], table.face_id[i], int(table.primary[i]),
                        *table.boxes[i], *(f"{v:.4f}" for v in p), EMOTIONS[int(np.argmax(p))],
                        f"{p.max():.4f}", *(f"{v:.4f}" for v in p), "ok", "0.0", "0.0", "0.0",
                        *blend])
