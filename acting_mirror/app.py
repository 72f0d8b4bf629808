"""Composition root: builds the pipeline's pieces from settings and runs whole takes.

The CLI and the GUI both come through here, so a take written by ``process`` and one
recorded in the app are the same thing.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterator

from acting_mirror.config import AnalysisSettings, default_emotion_model
from acting_mirror.core.analysis import Analyzer
from acting_mirror.core.readings import ReadingSchedule
from acting_mirror.core.smoothing import EmotionSmoother
from acting_mirror.core.summary import SummaryBuilder
from acting_mirror.core.tracking import FaceTracker
from acting_mirror.core.types import FrameResult
from acting_mirror.errors import SourceError
from acting_mirror.media.annotate import Annotator
from acting_mirror.media.recorder import TakeRecorder
from acting_mirror.media.sources import CameraSource, ImageFolderSource, ImageSource, open_source
from acting_mirror.media.takes import new_take_dir, prepare_out_dir
from acting_mirror.vision.classifier import LiteRTEmotionClassifier
from acting_mirror.media.prefetch import Prefetcher
from acting_mirror.core.stats import StageStats
from acting_mirror.vision.detectors import create_detector
from acting_mirror.vision.keyframe import KeyframeDetector, KeyframePolicy


def build_detector(settings: AnalysisSettings = AnalysisSettings()):
    """The face detector for ``settings``: full detection on keyframes, refined in between
    (``settings.keyframe_interval`` 1 detects the whole frame every time)."""
    def make():
        return create_detector(settings.detector, mtcnn_min_confidence=settings.mtcnn_min_confidence)

    detector = make()
    if settings.keyframe_interval <= 1 or settings.detector == "mesh":
        return detector  # the mesh tracks its faces itself, on the full frame
    # Haar's cost grows fast with image size; its 20 px window still finds 40 px faces
    # at 360 lines, and 36 px faces in a search window. MTCNN's own minimum face size is
    # set for 480 lines; its search cost hardly depends on the window's size.
    haar = settings.detector == "haar"
    policy = KeyframePolicy(
        keyframe_interval=settings.keyframe_interval,
        full_height=360 if haar else 480,
        roi_face_px=36 if haar else 48,
    )
    return KeyframeDetector(
        detector,
        policy,
        background=make() if settings.background_detection else None,
    )


def build_analyzer(settings: AnalysisSettings = AnalysisSettings()) -> Analyzer:
    """The full analysis stack for ``settings`` (detector, LiteRT classifier, tracker, smoother)."""
    detector = build_detector(settings)
    classifier = LiteRTEmotionClassifier(settings.model_path, crop_margin=settings.crop_margin)
    return Analyzer(
        detector,
        classifier,
        tracker=FaceTracker(),
        smoother=EmotionSmoother(alpha=settings.smoothing_alpha),
        readings=ReadingSchedule(settings.reading_budget),
    )


def model_name(settings: AnalysisSettings) -> str:
    return Path(settings.model_path or default_emotion_model()).name


@dataclass(frozen=True)
class TakeOutcome:
    """What a finished take holds."""

    folder: Path
    frames: int
    seconds: float
    summary: dict
    stages: StageStats


ProgressCallback = Callable[[int, "int | None"], None]


def process_to_take(
    input_spec: str,
    *,
    out_dir: Path | None,
    takes_root: Path,
    settings: AnalysisSettings = AnalysisSettings(),
    write_video: bool = True,
    progress: ProgressCallback | None = None,
    on_result: Callable[[FrameResult], None] | None = None,
    max_frames: int | None = None,
) -> TakeOutcome:
    """Analyse every frame of ``input_spec`` into a take folder.

    The source is opened and the model loaded before any folder is created, so input that
    cannot be opened leaves nothing behind. ``out_dir`` is used exactly (it must not exist or
    be empty); without it a new timestamped folder is made under ``takes_root``.
    """
    opened = open_source(input_spec)
    if isinstance(opened, (ImageSource, ImageFolderSource)):
        # every still is a new picture: nothing to track from one to the next
        settings = replace(settings, keyframe_interval=1)
    # a camera runs at its own pace: analyse its newest frame rather than fall behind
    source = Prefetcher(opened, latest_only=isinstance(opened, CameraSource))
    stages = StageStats()
    analyzer = None
    try:
        analyzer = build_analyzer(settings)
        created = out_dir is not None and not Path(out_dir).exists()
        folder = prepare_out_dir(Path(out_dir)) if out_dir is not None else new_take_dir(takes_root)
        annotator = Annotator()
        summary = SummaryBuilder(
            source_name=source.name,
            fps=source.fps,
            detector=settings.detector,
            model=model_name(settings),
        )
        started = time.perf_counter()
        n = 0
        try:
            with TakeRecorder(folder, source.fps, write_video=write_video, summary=summary) as recorder:
                for result in _analysed(source, analyzer, max_frames):
                    stages.add_all(result.timings_ms)
                    annotated = None
                    if write_video:
                        t0 = time.perf_counter()
                        annotated = annotator.annotate(result.frame.image, result, copy=False)
                        stages.add("annotate", (time.perf_counter() - t0) * 1e3)
                    recorder.write(result, annotated)
                    n += 1
                    if on_result is not None:
                        on_result(result)
                    if progress is not None:
                        progress(n, source.frame_count)
                recorder.finish(time.perf_counter() - started)
                stages.extend("decode", source.decode_ms)
                stages.extend("encode", recorder.encode_ms)
        except BaseException:
            if n == 0:
                _remove_new_folder(folder, created or out_dir is None)
            raise
        if n == 0:
            _remove_new_folder(folder, created or out_dir is None)
            raise SourceError(f"{input_spec} gave no frames to analyse.")
        return TakeOutcome(folder, n, time.perf_counter() - started, recorder.summary_dict, stages)
    finally:
        source.close()
        if analyzer is not None:
            close_analyzer(analyzer)


def _analysed(source, analyzer: Analyzer, max_frames: int | None) -> Iterator[FrameResult]:
    """The plain per-frame loop: every frame of ``source``, analysed, in order."""
    for i, frame in enumerate(source):
        if max_frames is not None and i >= max_frames:
            return
        yield analyzer.analyze(frame)


def close_detector(detector) -> None:
    """Stop any helper thread ``detector`` runs (a keyframe detector's full passes)."""
    close = getattr(detector, "close", None)
    if close is not None:
        close()


def close_analyzer(analyzer: Analyzer) -> None:
    """Stop any helper thread the analyzer's detector runs."""
    close_detector(analyzer.detector)


def _remove_new_folder(folder: Path, we_made_it: bool) -> None:
    if we_made_it and folder.is_dir():
        shutil.rmtree(folder, ignore_errors=True)
