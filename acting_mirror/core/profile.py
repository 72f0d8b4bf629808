"""The personal expression profile: how *this* actor's face shows each emotion.

A generic emotion model is least trustworthy exactly where an actor needs it (a resting
frown, a wide natural smile, glasses). The profile is learned from a short routine the
actor records (:func:`routine_script`: a relaxed face, then each emotion on cue, a few
seconds each), and holds:

- ``baseline``: the relaxed level of every face action (the neutral line's medians),
  taken off before coaching, so a resting frown is not "brows down";
- a personal mapping from (face actions, CNN probabilities) to the seven emotions: a
  multinomial logistic regression (plain NumPy, L2-regularised, standardised features),
  fitted on the routine's frames;
- ``reliability``: per emotion, the cross-validated share of the routine's frames the
  mapping reads right (each line is cut in :data:`CV_FOLDS` consecutive chunks; each
  chunk is read by a mapping fitted without it, so neighbouring, near-identical frames
  never test themselves), next to ``cnn_agreement``, what the CNN alone read right;
- ``warnings``: a recording that was not steady, lost the face, or was not distinct from
  the relaxed face.

Profiles are readable JSON files under ``user_data_dir()/profiles/expression/<actor>.json``
(beside the neutral calibrations of :class:`acting_mirror.core.calibration.ProfileStore`);
nothing is ever sent anywhere. Pure Python + NumPy.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from acting_mirror.core.calibration import profile_name
from acting_mirror.core.face_actions import ACTIONS, action_matrix, load_table
from acting_mirror.core.files import write_text_atomic
from acting_mirror.core.script import Script, format_script, parse_script
from acting_mirror.core.timeline import TimelineTable, read_timeline
from acting_mirror.core.types import EMOTIONS, N_EMOTIONS
from acting_mirror.errors import ActingMirrorError

PROFILE_KIND = "acting-mirror expression profile"
PROFILE_VERSION = 1

ROUTINE_ORDER: tuple[str, ...] = ("neutral", "happy", "sad", "surprise", "angry", "fear", "disgust")
LINE_MS = 4000
GAP_MS = 1000
SETTLE_MS = 1000
"""Each routine line lasts LINE_MS, with GAP_MS between lines; its first SETTLE_MS (the
face getting there) is not learned from."""
MIN_LINE_FRAMES = 5
"""A routine line needs at least this many frames with face detail to learn from."""
CV_FOLDS = 3
L2 = 1.0
FEATURES: tuple[str, ...] = ACTIONS + tuple(f"cnn_{e}" for e in EMOTIONS)

UNSTEADY_STD = 0.15
"""A line whose face actions vary more than this (std of the most varying one) is unsteady."""
MIN_FACE_SHARE = 0.7
"""A line with face detail in fewer of its frames than this lost the face."""
MIN_DISTINCT = 0.12
"""An emotion whose strongest action differs from the relaxed face by less than this is
not distinct."""
MIN_RELIABLE = 0.5


class ProfileError(ActingMirrorError):
    """An expression profile that cannot be read, or a take it cannot be learned from."""


def routine_script() -> Script:
    """The routine to record: a relaxed face, then each emotion on cue."""
    table = load_table()
    lines = []
    for i, emotion in enumerate(ROUTINE_ORDER):
        start = i * (LINE_MS + GAP_MS)
        entry = table.for_emotion(emotion)
        if entry.levels:
            how = ", ".join(table.words[a].more for a in entry.levels)
            text = f"Show {emotion}: {how}. Hold it."
        else:
            text = "Relax: a resting face, looking at the camera."
        lines.append(f"{_t(start)}-{_t(start + LINE_MS)} {emotion} {text}")
    return parse_script("\n".join(lines) + "\n", name="profile routine")


def routine_text() -> str:
    """The routine's script as text (what ``acting-mirror profile script`` prints)."""
    return (
        "# Acting Mirror expression-profile routine: record it with the face mesh on\n"
        "# (acting-mirror process VIDEO --detail), then: acting-mirror profile learn TAKE --actor NAME\n"
        + format_script(routine_script())
    )


def _t(ms: int) -> str:
    return f"{ms // 60000}:{(ms % 60000) / 1000:04.1f}"


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _fit(x: np.ndarray, y: np.ndarray, l2: float = L2, iters: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression by gradient descent (x standardised)."""
    n, f = x.shape
    w = np.zeros((N_EMOTIONS, f))
    b = np.zeros(N_EMOTIONS)
    onehot = np.eye(N_EMOTIONS)[y]
    present = np.isin(np.arange(N_EMOTIONS), y)
    lr = 0.5
    for _ in range(iters):
        p = _softmax(x @ w.T + b)
        g = (p - onehot) / n
        w -= lr * (g.T @ x + l2 * w / n)
        b -= lr * g.sum(axis=0)
    b[~present] = -30.0  # never predict an emotion it never saw
    return w, b


@dataclass(frozen=True, eq=False)
class ExpressionProfile:
    """One actor's expression profile (see the module doc)."""

    actor: str
    baseline: dict[str, float]
    mean: np.ndarray  # (F,) feature means
    scale: np.ndarray  # (F,) feature scales
    weights: np.ndarray  # (7, F)
    bias: np.ndarray  # (7,)
    reliability: dict[str, float]
    cnn_agreement: dict[str, float] = field(default_factory=dict)
    frames: dict[str, int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @property
    def mean_reliability(self) -> float:
        return float(np.mean(list(self.reliability.values()))) if self.reliability else 0.0

    @property
    def usable(self) -> bool:
        """Whether the personal reading did better than the CNN alone on the routine
        (cross-validated): only then does scoring use it; the baseline is used always."""
        cnn = float(np.mean(list(self.cnn_agreement.values()))) if self.cnn_agreement else 0.0
        return self.mean_reliability > cnn

    def features(self, blendshapes: np.ndarray, probs: np.ndarray, pose=None) -> np.ndarray:
        acts = action_matrix(np.atleast_2d(blendshapes), pose)
        return np.concatenate([acts, np.atleast_2d(np.asarray(probs, dtype=np.float64))], axis=1)

    def predict(self, blendshapes: np.ndarray, probs: np.ndarray, pose=None) -> np.ndarray:
        """The personal reading, ``(n, 7)``, of frames' blendshapes and CNN probabilities;
        rows without blendshapes keep the CNN's probabilities."""
        probs = np.atleast_2d(np.asarray(probs, dtype=np.float64))
        x = self.features(blendshapes, probs, pose)
        ok = np.isfinite(x).all(axis=1)
        out = probs.copy()
        if ok.any():
            z = (x[ok] - self.mean) / self.scale
            out[ok] = _softmax(z @ self.weights.T + self.bias)
        return out

    def summary_lines(self) -> list[str]:
        """What ``acting-mirror profile show`` prints."""
        out = [f"Expression profile for {self.actor}: reliability per emotion "
               "(cross-validated on the routine; the CNN alone in brackets)"]
        for e in EMOTIONS:
            r = self.reliability.get(e)
            c = self.cnn_agreement.get(e)
            if r is None:
                out.append(f"  {e:<9} not recorded")
                continue
            verdict = "reliable" if r >= 0.8 else "fair" if r >= MIN_RELIABLE else "unreliable"
            cnn = "" if c is None else f"  (CNN alone {c:.0%})"
            out.append(f"  {e:<9} {r:4.0%}  {verdict:<10} {self.frames.get(e, 0):>4} frames{cnn}")
        for w in self.warnings:
            out.append(f"  warning: {w}")
        if not self.usable:
            out.append("  warning: the personal reading does no better than the CNN alone on this "
                       "routine, so scoring keeps the CNN's reading (the relaxed baseline is still "
                       "used); record the routine again with clearer expressions")
        return out

    def to_dict(self) -> dict:
        return {
            "kind": PROFILE_KIND,
            "version": PROFILE_VERSION,
            "actor": self.actor,
            "baseline": {a: round(float(v), 4) for a, v in self.baseline.items()},
            "reliability": {e: round(float(v), 4) for e, v in self.reliability.items()},
            "cnn_agreement": {e: round(float(v), 4) for e, v in self.cnn_agreement.items()},
            "frames": {e: int(v) for e, v in self.frames.items()},
            "warnings": list(self.warnings),
            "model": {
                "kind": "multinomial logistic regression on standardised features",
                "features": list(FEATURES),
                "classes": list(EMOTIONS),
                "mean": [float(v) for v in self.mean],
                "scale": [float(v) for v in self.scale],
                "weights": [[float(v) for v in row] for row in self.weights],
                "bias": [float(v) for v in self.bias],
            },
        }

    @classmethod
    def from_dict(cls, d: dict) -> "ExpressionProfile":
        if not isinstance(d, dict) or d.get("kind") != PROFILE_KIND:
            raise ValueError("it is not an expression profile")
        if int(d.get("version", 0)) > PROFILE_VERSION:
            raise ValueError(f"it is version {d['version']}, newer than this app reads")
        m = d["model"]
        if list(m["features"]) != list(FEATURES) or list(m["classes"]) != list(EMOTIONS):
            raise ValueError("its features or emotions are not the ones this app uses")
        f = len(FEATURES)
        mean = np.asarray(m["mean"], dtype=np.float64)
        scale = np.asarray(m["scale"], dtype=np.float64)
        weights = np.asarray(m["weights"], dtype=np.float64)
        bias = np.asarray(m["bias"], dtype=np.float64)
        if mean.shape != (f,) or scale.shape != (f,) or weights.shape != (N_EMOTIONS, f) \
                or bias.shape != (N_EMOTIONS,):
            raise ValueError("its model has the wrong shape")
        if not all(np.isfinite(a).all() for a in (mean, scale, weights, bias)) or (scale <= 0).any():
            raise ValueError("its model holds values that are not numbers")
        baseline = {str(a): float(v) for a, v in dict(d["baseline"]).items()}
        if set(baseline) - set(ACTIONS) or not all(0 <= v <= 1 for v in baseline.values()):
            raise ValueError("its baseline is not face-action levels")
        reliability = {str(e): float(v) for e, v in dict(d["reliability"]).items()}
        if set(reliability) - set(EMOTIONS) or not all(0 <= v <= 1 for v in reliability.values()):
            raise ValueError("its reliability is not shares of the seven emotions")
        return cls(
            actor=str(d.get("actor", "")), baseline=baseline, mean=mean, scale=scale,
            weights=weights, bias=bias, reliability=reliability,
            cnn_agreement={str(e): float(v) for e, v in dict(d.get("cnn_agreement", {})).items()},
            frames={str(e): int(v) for e, v in dict(d.get("frames", {})).items()},
            warnings=tuple(str(w) for w in d.get("warnings", [])),
        )

    def save(self, path: Path | str) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n")
        return path

    @classmethod
    def load(cls, path: Path | str) -> "ExpressionProfile":
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ProfileError(f"No expression profile at {path}.") from exc
        except OSError as exc:
            raise ProfileError(f"Cannot read the expression profile {path}: {exc.strerror or exc}.") from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ProfileError(f"{path} is not an expression profile (not JSON).") from exc
        try:
            return cls.from_dict(data)
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
            raise ProfileError(f"{path} is not a valid expression profile ({exc}).") from exc


class ExpressionProfileStore:
    """Per-actor expression profiles under ``root/profiles/expression/<actor>.json``."""

    def __init__(self, root: Path | str):
        self.root = Path(root)
        self.folder = self.root / "profiles" / "expression"

    def path_for(self, actor: str) -> Path:
        try:
            return self.folder / f"{profile_name(actor)}.json"
        except ValueError as exc:
            raise ProfileError(f"Not a usable actor name: {actor!r}.") from exc

    def list(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return sorted(p.stem for p in self.folder.glob("*.json") if not p.name.startswith("."))

    def save(self, profile: ExpressionProfile) -> Path:
        return profile.save(self.path_for(profile.actor))

    def load(self, actor: str) -> ExpressionProfile:
        path = self.path_for(actor)
        if not path.is_file():
            known = ", ".join(self.list()) or "none yet"
            raise ProfileError(
                f"No expression profile for {actor!r} (stored: {known}); learn one with "
                "`acting-mirror profile learn TAKE --actor NAME`.")
        return ExpressionProfile.load(path)


# --- learning ---------------------------------------------------------------------------

@dataclass
class _Segment:
    emotion: str
    x: np.ndarray  # (n, F) features
    cnn_top: np.ndarray  # (n,)
    expected: int  # frames the learned window should hold
    spread: float


def routine_segments(table: TimelineTable, script: Script | None = None, *,
                     source: str = "the take", frame_ms: float | None = None) -> list[_Segment]:
    """The routine's lines in ``table``: each line's settled frames with face detail.
    Raises ProfileError (one line) when the take does not match the routine."""
    from acting_mirror.core.scoring import estimate_frame_ms, primary_rows

    script = script or routine_script()
    if not table.has_blendshapes:
        raise ProfileError(
            f"{source} has no face detail (blendshapes): process the routine's recording "
            "with --detail (or --detector mesh) and learn from that take.")
    rows = primary_rows(table)
    frame_ms = frame_ms or estimate_frame_ms(table)
    order = np.argsort(rows.time_ms, kind="stable")
    times = rows.time_ms[order]
    blend = rows.blendshapes[order]
    pose = rows.pose[order] if rows.pose is not None else None
    probs = rows.probs[order].astype(np.float64)
    end_ms = int(times[-1]) if len(times) else 0
    segments = []
    for cue in script.cues:
        emotion = cue.targets[0]
        w0, w1 = int(cue.start_ms) + SETTLE_MS, int(cue.end_ms)
        if end_ms < int(cue.end_ms) - SETTLE_MS:
            raise ProfileError(
                f"{source} does not match the profile routine: it ends at "
                f"{end_ms / 1000:.1f} s, before the end of its {emotion} line "
                f"({cue.start_ms / 1000:.0f}-{cue.end_ms / 1000:.0f} s); record the whole "
                "routine (`acting-mirror profile script`).")
        sel = (times >= w0) & (times < w1)
        x = np.concatenate([action_matrix(blend[sel], None if pose is None else pose[sel]),
                            probs[sel]], axis=1)
        ok = np.isfinite(x).all(axis=1)
        if int(ok.sum()) < MIN_LINE_FRAMES:
            raise ProfileError(
                f"{source} does not match the profile routine: its {emotion} line "
                f"({cue.start_ms / 1000:.0f}-{cue.end_ms / 1000:.0f} s) has only "
                f"{int(ok.sum())} frames with face detail (needs {MIN_LINE_FRAMES}).")
        xs = x[ok]
        expected = max(1, int(round((w1 - w0) / frame_ms)))
        spread = float(np.nanmax(xs[:, : len(ACTIONS)].std(axis=0)))
        segments.append(_Segment(emotion, xs, np.argmax(probs[sel][ok], axis=1), expected, spread))
    return segments


def learn_profile(table: TimelineTable, actor: str, *, script: Script | None = None,
                  source: str = "the take") -> ExpressionProfile:
    """Learn ``actor``'s expression profile from a routine take's timeline."""
    segments = routine_segments(table, script, source=source)
    by_emotion: dict[str, list[_Segment]] = {}
    for s in segments:
        by_emotion.setdefault(s.emotion, []).append(s)
    if "neutral" not in by_emotion:
        raise ProfileError(f"{source} does not match the profile routine: it has no neutral line.")
    x = np.concatenate([s.x for s in segments])
    y = np.concatenate([np.full(len(s.x), EMOTIONS.index(s.emotion)) for s in segments])
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale = np.where(scale < 1e-3, 1.0, scale)
    z = (x - mean) / scale
    weights, bias = _fit(z, y)

    # cross-validated reliability: chunk c of every line is read by a model fitted without it
    chunk = np.concatenate([np.minimum(np.arange(len(s.x)) * CV_FOLDS // len(s.x), CV_FOLDS - 1)
                            for s in segments])
    predicted = np.empty_like(y)
    for c in range(CV_FOLDS):
        test = chunk == c
        if not test.any() or test.all():
            continue
        xm, xs = x[~test].mean(axis=0), x[~test].std(axis=0)
        xs = np.where(xs < 1e-3, 1.0, xs)
        w, b = _fit((x[~test] - xm) / xs, y[~test])
        predicted[test] = np.argmax(((x[test] - xm) / xs) @ w.T + b, axis=1)
    cnn_top = np.concatenate([s.cnn_top for s in segments])
    reliability, agreement, frames = {}, {}, {}
    for e in by_emotion:
        k = EMOTIONS.index(e)
        mask = y == k
        reliability[e] = float((predicted[mask] == k).mean())
        agreement[e] = float((cnn_top[mask] == k).mean())
        frames[e] = int(mask.sum())

    neutral_actions = np.median(np.concatenate([s.x for s in by_emotion["neutral"]])[:, : len(ACTIONS)], axis=0)
    baseline = {a: float(np.clip(v, 0.0, 1.0)) for a, v in zip(ACTIONS, neutral_actions)}
    warnings = []
    for s in segments:
        share = len(s.x) / s.expected
        if share < MIN_FACE_SHARE:
            warnings.append(f"the {s.emotion} recording lost the face ({share:.0%} of its "
                            "frames read): record it again facing the camera")
        if s.spread > UNSTEADY_STD:
            warnings.append(f"the {s.emotion} recording was not steady (the face kept "
                            "changing): hold the expression and record it again")
        if s.emotion != "neutral":
            diff = float(np.max(np.abs(np.median(s.x[:, : len(ACTIONS)], axis=0) - neutral_actions)))
            if diff < MIN_DISTINCT:
                warnings.append(f"the {s.emotion} recording was not distinct from the relaxed "
                                "face: show it more clearly and record it again")
    for e, r in reliability.items():
        if r < MIN_RELIABLE and not any(f"the {e} recording" in w for w in warnings):
            warnings.append(f"{e} is unreliable for this face ({r:.0%} read right): the app "
                            f"may confuse it with other emotions")
    return ExpressionProfile(actor, baseline, mean, scale, weights, bias, reliability,
                             agreement, frames, tuple(dict.fromkeys(warnings)))


def learn_from_take(take_dir: Path | str, actor: str) -> ExpressionProfile:
    """Learn from a take folder recorded against the routine; refuses (one line) takes
    that do not match it."""
    from acting_mirror.core.take_script import read_take_script
    from acting_mirror.core.takefiles import TIMELINE_CSV

    take_dir = Path(take_dir)
    if not (take_dir / TIMELINE_CSV).is_file():
        raise ProfileError(
            f"{take_dir} is not a take folder (no {TIMELINE_CSV}): process the routine's "
            "recording first (acting-mirror process VIDEO --detail --out TAKE).")
    try:
        stored = read_take_script(take_dir)
    except ActingMirrorError as exc:
        raise ProfileError(f"{take_dir}: its stored script does not read ({exc}).") from exc
    script = None
    if stored is not None:
        targets = [c.targets for c in stored.script.cues if c.scored]
        if targets != [(e,) for e in ROUTINE_ORDER] or not stored.script.has_times:
            raise ProfileError(
                f"{take_dir} was recorded against another script ({stored.name}), not the "
                "profile routine (`acting-mirror profile script`).")
        script = Script(tuple(c for c in stored.script.cues if c.scored), timed=True,
                        source=stored.name)
    table = read_timeline(take_dir / TIMELINE_CSV)
    if not math.isfinite(float(len(table))) or len(table) == 0:
        raise ProfileError(f"{take_dir} has no face readings to learn from.")
    return learn_profile(table, actor, script=script, source=str(take_dir))
