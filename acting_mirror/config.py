"""Settings as frozen data, and the one place that finds the bundled models and assets."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_REPO_ROOT = _PACKAGE_DIR.parent


def _bundled_dir(folder: str) -> Path:
    """The data folder ``folder``: inside the installed package (where pyproject.toml maps
    the repository's ``models/`` and ``assets/``), else the repository's own."""
    installed = _PACKAGE_DIR / folder
    if installed.is_dir():
        return installed
    return _REPO_ROOT / folder


def models_dir() -> Path:
    return _bundled_dir("models")


def assets_dir() -> Path:
    return _bundled_dir("assets")


EMOTION_MODEL_FILE = "emotion_mini_xception.tflite"
# the "alt2" frontal-face cascade: on our portraits it finds faces the "default" one misses
# (glasses, caps) with fewer false detections, and at the same cost
HAAR_CASCADE_FILE = "haarcascade_frontalface_alt2.xml"
DEMO_CLIP_FILE = "demo.avi"


def default_emotion_model() -> Path:
    return models_dir() / EMOTION_MODEL_FILE


def default_haar_cascade() -> Path:
    return models_dir() / HAAR_CASCADE_FILE


def demo_clip() -> Path:
    return assets_dir() / DEMO_CLIP_FILE


def user_data_dir() -> Path:
    """Where takes and profiles live: ``$ACTING_MIRROR_HOME`` or the platform default."""
    env = os.environ.get("ACTING_MIRROR_HOME")
    if env:
        return Path(env).expanduser()
    if os.name == "nt":
        base = Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming"))
    elif os.uname().sysname == "Darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
    return base / "acting-mirror"


def screen_configured(env=None) -> bool:
    """Whether Qt has somewhere to draw: a display, or a platform chosen explicitly (e.g.
    ``QT_QPA_PLATFORM=offscreen``). ``env``: the environment to look at (default: ours)."""
    env = os.environ if env is None else env
    return any(env.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def default_takes_dir() -> Path:
    return user_data_dir() / "takes"


DETECTORS = ("haar", "mtcnn", "mesh")
# the app's first detector: the face mesh on every face is the one that keeps live latency
# within target with face detail (docs/performance.md); `process` keeps Haar, the fastest
DEFAULT_APP_DETECTOR = "mesh"
"""The detectors the app offers (``mtcnn-tf`` is for ``process`` only)."""

# The live app reads at most this many faces per frame (the main face and new faces
# always): 20 faces cost 8-10 ms a frame otherwise. Offline every face is read every frame.
LIVE_READING_BUDGET = 8


@dataclass(frozen=True)
class AnalysisSettings:
    """How frames are analysed. Thresholds are fixed here, never passed per frame."""

    detector: str = "haar"
    model_path: Path | None = None  # None: the bundled mini-Xception
    mtcnn_min_confidence: float = 0.9
    smoothing_alpha: float = 0.35  # weight of the newest frame in the moving average
    crop_margin: float = 0.1  # extra border around a face crop, as a fraction of its size
    keyframe_interval: int = 10  # full-frame detection every N frames, refined in between
    # run keyframes' full detection on a helper thread, so no frame waits for it
    background_detection: bool = True
    # analysis for a live window, where a stalled picture is worse than a late face: when
    # every face is lost (a cut, the actor left) only the helper thread looks while frames
    # flow on without faces, and the detectors' helper threads run at the lowest priority
    # (False: a file's analysis, which looks on the very frame and keeps helpers at par)
    live: bool = False
    # faces the emotion model reads per frame at most (0: all); the main face and new
    # faces are always read, the others take turns and show their last reading
    reading_budget: int = 0
    # run the face mesh on the main face for its 52 blendshapes and head pose (the mesh
    # detector reads them for every face anyway)
    face_detail: bool = False
    # the emotion model's crop: level the eye line (from the detector's landmarks) and
    # equalise it with CLAHE; both off by default (docs/model.md has what they measured)
    align: bool = False
    clahe: bool = False
