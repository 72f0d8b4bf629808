"""What runs on a Dask worker: one take per task, with the models loaded once per
worker process and kept for every take it runs.

Each worker process runs one task at a time (``nthreads=1``) with one OpenCV thread and
one LiteRT thread (:func:`limit_threads`, called by :class:`ActingMirrorPlugin` when the
worker starts), so N workers on N cores never oversubscribe the machine.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import traceback
from pathlib import Path

log = logging.getLogger(__name__)

_lock = threading.Lock()
_models: dict[tuple, dict] = {}
loads = 0
"""How many times this process loaded a set of models (for tests and the bench)."""


def limit_threads() -> None:
    """One thread each for OpenCV and the numeric libraries in this process."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    from acting_mirror.media import quiet_cv  # noqa: F401  (before cv2)

    import cv2

    cv2.setNumThreads(1)


def _key(settings) -> tuple:
    return (settings.detector, str(settings.model_path or ""), settings.mtcnn_min_confidence,
            settings.crop_margin)


def cached_analyzer(settings):
    """An analyzer for one take, built on this worker's loaded models: the LiteRT
    classifier (one thread) and the full-frame detectors are loaded on the first take and
    reused; the tracker, smoother and keyframe state are new for every take. Detectors
    other than Haar and MTCNN (and face detail) are built afresh each time."""
    global loads
    from acting_mirror.app import build_analyzer
    from acting_mirror.vision.classifier import LiteRTEmotionClassifier
    from acting_mirror.vision.detectors import create_detector

    if settings.detector not in ("haar", "mtcnn") or settings.face_detail:
        return build_analyzer(settings)
    with _lock:
        models = _models.get(_key(settings))
        if models is None:
            models = {
                "classifier": LiteRTEmotionClassifier(
                    settings.model_path, crop_margin=settings.crop_margin, num_threads=1),
                "detectors": [],
            }
            _models[_key(settings)] = models
            loads += 1
    handed = iter(range(1 << 30))
    pool = models["detectors"]

    def make():  # the first, second... detector of this take: the pool's, loaded once
        i = next(handed)
        while len(pool) <= i:
            pool.append(create_detector(settings.detector,
                                        mtcnn_min_confidence=settings.mtcnn_min_confidence))
        return pool[i]

    return build_analyzer(settings, classifier=models["classifier"], make_detector=make)


def warm(detector: str = "haar") -> int:
    """Load the models for ``detector`` now (a worker's first take starts warm)."""
    from acting_mirror.app import close_analyzer

    close_analyzer(cached_analyzer(batch_settings(detector)))
    return loads


def batch_settings(detector: str = "haar", model: str | Path | None = None):
    """How a batch analyses: as ``process`` does, except that keyframes' full detection
    runs inline rather than on a helper thread. With a worker per core a helper thread
    gains nothing, and inline the take depends on its input alone: the same input gives
    the same timeline on any worker, every time (a helper thread's result lands on
    whichever frame is current when it finishes)."""
    from acting_mirror.config import AnalysisSettings

    return AnalysisSettings(detector=detector, model_path=Path(model) if model else None,
                            background_detection=False)


def run_take(task: dict) -> dict:
    """Process one input into its take folder (and score it when a script is given).
    Never raises: a failure is a result with ``status`` ``"failed"`` and a one-line
    ``message``, so one bad input never stops the batch."""
    from acting_mirror.app import process_to_take
    from acting_mirror.batch.takes import set_aside, take_state
    from acting_mirror.errors import ActingMirrorError

    started = time.perf_counter()
    result = {"name": task["name"], "input": task["input"], "host": _host(), "pid": os.getpid()}
    try:
        folder = Path(task["folder"])
        if take_state(folder) == "interrupted":  # a worker running it died: start again
            result["note"] = f"the interrupted take was set aside in {set_aside(folder, folder.parent)}"
        settings = batch_settings(task.get("detector", "haar"), task.get("model"))
        outcome = process_to_take(
            task["input"], out_dir=folder, takes_root=folder.parent, settings=settings,
            write_video=task.get("write_video", True), analyzer_factory=cached_analyzer,
        )
        result.update(frames=outcome.frames, duration_s=outcome.summary.get("duration_s"),
                      status="ok" if outcome.complete else "ended_early",
                      message="" if outcome.complete else str(outcome.ended_early))
        if task.get("script"):
            result["score"] = score_take(folder, Path(task["script"]))
    except ActingMirrorError as exc:
        result.update(status="failed", message=str(exc))
    except Exception as exc:  # a bug or a library's crash: reported, never fatal to the batch
        log.error("take %s failed:\n%s", task.get("name"), traceback.format_exc())
        result.update(status="failed", message=f"{type(exc).__name__}: {exc}")
    result["seconds"] = round(time.perf_counter() - started, 3)
    result["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S")
    return result


def score_take(folder: Path, script_path: Path) -> float:
    """Write the take's report against the script (the earlier one kept); its score."""
    from acting_mirror.core.report import REPORT_JSON, report_for_take
    from acting_mirror.core.script import load_script

    report = report_for_take(folder, load_script(script_path),
                             overwrite=(folder / REPORT_JSON).exists())
    return round(report.score, 4)


def _host() -> str:
    import socket

    return socket.gethostname()


class ActingMirrorPlugin:
    """A Dask worker plugin: one thread for OpenCV/LiteRT, models loaded at start."""

    name = "acting-mirror"

    def __init__(self, detector: str = "haar"):
        self.detector = detector

    def setup(self, worker=None):
        limit_threads()
        try:
            warm(self.detector)
        except Exception:  # a model that will not load is reported by the first take
            log.exception("could not preload the models")

    def teardown(self, worker=None):
        pass
