"""Neutral calibration: learn what the classifier reads on *this* actor's relaxed face,
and correct for it.

Some faces read as sad or angry to the model when fully relaxed. Calibration records a few
seconds of the actor's neutral face, keeps the mean probabilities as a ``baseline``, and
then treats that baseline as the classifier's prior for this actor. Following the usual
prior-shift correction for a probabilistic classifier, each reading is reweighted::

    p'(e)  ∝  p(e) * prior(e) / max(baseline(e), BASELINE_FLOOR)

where ``prior`` is :data:`NEUTRAL_PRIOR`, what an ideal relaxed face reads. The actor's own
relaxed face then reads as ``prior`` (clearly neutral), while a clear expression keeps its
top emotion. The floor keeps emotions the baseline almost never shows from being amplified
out of noise. The cost is honest: an emotion the relaxed face already leans towards must
be shown more strongly to register.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from acting_mirror.core.files import write_text_atomic
from acting_mirror.core.types import EMOTIONS, N_EMOTIONS
from acting_mirror.errors import SourceError

_NEUTRAL = EMOTIONS.index("neutral")

NEUTRAL_PRIOR: np.ndarray = np.full(N_EMOTIONS, 0.06, dtype=np.float64)
NEUTRAL_PRIOR[_NEUTRAL] = 1.0 - 0.06 * (N_EMOTIONS - 1)
NEUTRAL_PRIOR.setflags(write=False)
"""The reading an ideal relaxed face should give: neutral 0.64, every other label 0.06."""

BASELINE_FLOOR = 0.06
"""Baseline probabilities below this count as this (limits amplification of rare labels)."""

MIN_FRAMES = 5
"""Fewest face frames :func:`calibrate` accepts."""

PROFILE_VERSION = 1


@dataclass(frozen=True, eq=False)
class NeutralCalibration:
    """An actor's relaxed-face reading (``baseline``, 7 probabilities in EMOTIONS order)."""

    baseline: np.ndarray
    n_frames: int
    actor: str = ""
    _weights: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        base = np.asarray(self.baseline, dtype=np.float64).reshape(-1)
        if base.shape != (N_EMOTIONS,) or not np.all(np.isfinite(base)) or np.any(base < 0):
            raise ValueError(f"baseline must be {N_EMOTIONS} non-negative probabilities")
        total = base.sum()
        if total <= 0:
            raise ValueError("baseline must not be all zeros")
        base = base / total
        base.setflags(write=False)
        object.__setattr__(self, "baseline", base)
        weights = NEUTRAL_PRIOR / np.maximum(base, BASELINE_FLOOR)
        weights.setflags(write=False)
        object.__setattr__(self, "_weights", weights)

    def apply(self, probs: np.ndarray) -> np.ndarray:
        """``probs`` ((7,) or (n, 7)) corrected for this actor's baseline, renormalised.
        Rows of NaN (no face) stay NaN."""
        p = np.asarray(probs, dtype=np.float64)
        q = p * self._weights
        total = q.sum(axis=-1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(total > 0, q / total, p)
        return out.astype(np.float32)

    def to_dict(self) -> dict:
        return {
            "version": PROFILE_VERSION,
            "actor": self.actor,
            "n_frames": int(self.n_frames),
            "baseline": {e: round(float(v), 6) for e, v in zip(EMOTIONS, self.baseline)},
        }

    @classmethod
    def from_dict(cls, data: dict) -> "NeutralCalibration":
        base = data["baseline"]
        values = [float(base[e]) for e in EMOTIONS] if isinstance(base, dict) else list(base)
        return cls(np.array(values), int(data.get("n_frames", 0)), str(data.get("actor", "")))

    def save(self, path: Path | str) -> Path:
        """Write the profile as JSON (atomically: temp file + rename)."""
        path = Path(path)
        write_text_atomic(path, json.dumps(self.to_dict(), indent=2) + "\n")
        return path

    @classmethod
    def load(cls, path: Path | str) -> "NeutralCalibration":
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise SourceError(f"No calibration profile at {path}.") from exc
        except OSError as exc:
            raise SourceError(f"Cannot read calibration {path}: {exc.strerror or exc}.") from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise SourceError(f"{path} is not a calibration profile (not JSON).") from exc
        try:
            return cls.from_dict(data)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise SourceError(f"{path} is not a valid calibration profile ({exc}).") from exc


def calibrate(probs_rows: np.ndarray, actor: str = "") -> NeutralCalibration:
    """The calibration for an actor from (n, 7) probabilities read on their relaxed face.
    Rows with NaN (frames without a face) are ignored; needs :data:`MIN_FRAMES` rows."""
    rows = np.asarray(probs_rows, dtype=np.float64)
    if rows.ndim != 2 or rows.shape[1] != N_EMOTIONS:
        raise ValueError(f"expected (n, {N_EMOTIONS}) probabilities, got shape {rows.shape}")
    rows = rows[np.all(np.isfinite(rows), axis=1)]
    if len(rows) < MIN_FRAMES:
        raise ValueError(
            f"need at least {MIN_FRAMES} frames with a face to calibrate, got {len(rows)}"
        )
    rows = np.clip(rows, 0.0, None)
    sums = rows.sum(axis=1, keepdims=True)
    rows = np.divide(rows, sums, out=np.full_like(rows, 1.0 / N_EMOTIONS), where=sums > 0)
    return NeutralCalibration(rows.mean(axis=0), int(len(rows)), actor)


_UNSAFE = re.compile(r"[^\w\- .]+")


def profile_name(actor: str) -> str:
    """The file stem an actor's profile is stored under (safe on every platform)."""
    name = _UNSAFE.sub("_", actor.strip()).strip(" .")
    if not name:
        raise ValueError(f"not a usable actor name: {actor!r}")
    return name[:80]


class ProfileStore:
    """Per-actor calibrations under ``root/profiles/<actor>.json``."""

    def __init__(self, root: Path | str):
        self.root = Path(root)
        self.folder = self.root / "profiles"

    def path_for(self, actor: str) -> Path:
        return self.folder / f"{profile_name(actor)}.json"

    def list(self) -> list[str]:
        """The stored actors' names, sorted."""
        if not self.folder.is_dir():
            return []
        return sorted(p.stem for p in self.folder.glob("*.json") if not p.name.startswith("."))

    def save(self, calibration: NeutralCalibration, actor: str | None = None) -> Path:
        """Store ``calibration`` (replacing an older one) under ``actor`` or its own actor."""
        name = actor if actor is not None else calibration.actor
        return calibration.save(self.path_for(name))

    def load(self, actor: str) -> NeutralCalibration:
        path = self.path_for(actor)
        if not path.is_file():
            known = ", ".join(self.list()) or "none yet"
            raise SourceError(f"No neutral calibration for {actor!r} (stored: {known}).")
        return NeutralCalibration.load(path)
