"""Composition root: builds the real parts from settings and wires them into sessions.

The app and ``process`` both run a :class:`~acting_mirror.session.session.Session` wired
here (:func:`session_parts`), so a take written by ``process`` and one recorded in the
app are the same thing.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from acting_mirror.config import AnalysisSettings, default_emotion_model, demo_clip
from acting_mirror.core.analysis import Analyzer
from acting_mirror.core.readings import ReadingSchedule
from acting_mirror.core.smoothing import EmotionSmoother
from acting_mirror.core.stats import StageStats
from acting_mirror.core.summary import SummaryBuilder
from acting_mirror.core.tracking import FaceTracker
from acting_mirror.core.types import FrameResult
from acting_mirror.errors import SourceError
from acting_mirror.media.annotate import Annotator
from acting_mirror.media.recorder import TakeRecorder
from acting_mirror.media.sources import open_source
from acting_mirror.priority import HELPER_NICENESS
from acting_mirror.session import commands as cmd
from acting_mirror.session import events as ev
from acting_mirror.session.services import Services
from acting_mirror.session.session import DEMO_SPEC, OFFLINE, Session, SessionParts
from acting_mirror.vision.classifier import LiteRTEmotionClassifier
from acting_mirror.vision.detectors import create_detector
from acting_mirror.vision.face_detail import assess_main_face
from acting_mirror.vision.keyframe import KeyframeDetector, KeyframePolicy


def build_detector(settings: AnalysisSettings = AnalysisSettings(), make: Callable[[], object] | None = None):
    """The face detector for ``settings``: full detection on keyframes, refined in between
    (``settings.keyframe_interval`` 1 detects the whole frame every time). ``make`` gives
    the full-frame detectors (default: new ones; ``batch`` hands out loaded ones)."""
    if make is None:
        def make():
            return create_detector(settings.detector, mtcnn_min_confidence=settings.mtcnn_min_confidence)

    detector = make()
    if settings.detector == "mesh" and hasattr(detector, "background_seeds"):
        detector.background_seeds = settings.background_detection
        detector.helper_niceness = HELPER_NICENESS if settings.live else 0
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
        wait_when_lost=not settings.live,
        helper_niceness=HELPER_NICENESS if settings.live else 0,
    )
    return KeyframeDetector(
        detector,
        policy,
        background=make() if settings.background_detection else None,
    )


def build_analyzer(settings: AnalysisSettings = AnalysisSettings(), *, classifier=None,
                   make_detector: Callable[[], object] | None = None) -> Analyzer:
    """The full analysis stack for ``settings`` (detector, LiteRT classifier, tracker,
    smoother); ``classifier`` and ``make_detector`` reuse models already loaded."""
    detector = build_detector(settings, make_detector)
    if classifier is None:
        classifier = LiteRTEmotionClassifier(settings.model_path, crop_margin=settings.crop_margin,
                                         align=settings.align, clahe=settings.clahe)
    detail = None
    if settings.face_detail and settings.detector != "mesh":
        from acting_mirror.vision.face_detail import MainFaceDetail

        detail = MainFaceDetail()
    return Analyzer(
        detector,
        classifier,
        tracker=FaceTracker(),
        smoother=EmotionSmoother(alpha=settings.smoothing_alpha),
        readings=ReadingSchedule(settings.reading_budget),
        detail=detail,
        quality=assess_main_face,
    )


def model_name(settings: AnalysisSettings) -> str:
    return Path(settings.model_path or default_emotion_model()).name


def close_detector(detector) -> None:
    """Stop any helper thread ``detector`` runs (a keyframe detector's full passes)."""
    close = getattr(detector, "close", None)
    if close is not None:
        close()


def close_analyzer(analyzer: Analyzer) -> None:
    """Stop any helper thread the analyzer's detector runs, and free its face mesh."""
    close_detector(analyzer.detector)
    if analyzer.detail is not None:
        close_detector(analyzer.detail)


def resolve_spec(spec: str) -> str:
    """``"demo"`` as the bundled clip's path; anything else unchanged."""
    return str(demo_clip()) if spec == DEMO_SPEC else spec


def _take_recorder(folder: Path, fps: float, write_video: bool, summary: SummaryBuilder, *,
                   still: bool = False) -> TakeRecorder:
    return TakeRecorder(folder, fps, write_video=write_video, summary=summary, still=still)


def partner_voice(script, *, rate: int | None = None, voice: str | None = None):
    """The scene partner's voice for ``script``: the platform's speech program, played
    through its audio player, both separate processes (nothing GPL is linked)."""
    from acting_mirror.audio.partner import PartnerVoice

    return PartnerVoice(script, rate=rate, voice=voice)


def cue_voice(*, rate: int | None = None, voice: str | None = None):
    """The voice of the spoken cues: the partner's machinery over the two words."""
    from acting_mirror.audio.partner import PartnerVoice
    from acting_mirror.core.script import PARTNER, Cue, Script
    from acting_mirror.core.spoken_cues import WORDS

    cues = tuple(Cue(i, None, None, (), f"{w.capitalize()}.", kind=PARTNER, speaker="cue")
                 for i, w in enumerate(WORDS))
    return PartnerVoice(Script(cues, timed=False, source="spoken cues"), rate=rate, voice=voice)


def session_parts(
    *,
    source_opener: Callable[[str, bool], object] | None = None,
    analyzer_factory: Callable[[AnalysisSettings], Analyzer] | None = None,
    voice: Callable[[object], object] | None = partner_voice,
) -> SessionParts:
    """The real parts of a session; a test or the live bench may swap the source opener,
    the analyzer factory or the partner's voice (``None``: silent)."""
    return SessionParts(
        open_source=source_opener or (lambda spec, loop: open_source(spec, loop=loop)),
        build_analyzer=analyzer_factory or build_analyzer,
        build_detector=build_detector,
        close_detector=close_detector,
        annotator=Annotator,
        take_sink=_take_recorder,
        model_name=model_name,
        resolve_spec=resolve_spec,
        partner_voice=voice,
        cue_voice=cue_voice if voice is not None else None,
        face_detail=_main_face_detail,
        microphone=_microphone,
    )


def _microphone(device: str | None):
    from acting_mirror.audio.recorder import MicRecorder

    return MicRecorder(device)


def _main_face_detail():
    from acting_mirror.vision.face_detail import MainFaceDetail

    return MainFaceDetail()


def app_services(
    *,
    source_opener: Callable[[str, bool], object] | None = None,
    analyzer_factory: Callable[[AnalysisSettings], Analyzer] | None = None,
) -> Services:
    """Everything the windows need, wired with the real parts (see :func:`session_parts`)."""
    return Services(
        parts=session_parts(source_opener=source_opener, analyzer_factory=analyzer_factory),
        process=process_to_take,
        recover=recover_interrupted,
    )


def _keep_sound(input_spec: str, folder: Path) -> None:
    """A video file's sound track goes into the take as ``audio.wav`` (on its clock)."""
    path = Path(resolve_spec(input_spec))
    if not path.is_file():
        return
    from acting_mirror.audio.extract import extract_audio
    from acting_mirror.errors import ActingMirrorError

    try:
        extract_audio(path, folder)  # None, quietly, when the file has no sound
    except ActingMirrorError as exc:  # no ffmpeg program: the picture is the take
        logging.getLogger(__name__).info("No sound kept from %s: %s", path, exc)


def recover_interrupted(root: Path) -> list[str]:
    """Repair every interrupted take in ``root`` (a kill, a crash, a power cut); one
    sentence per take, repaired or not."""
    from acting_mirror.errors import OutputError
    from acting_mirror.media.recovery import interrupted_takes, recover_take

    notes = []
    for folder in interrupted_takes(root):
        try:
            done = recover_take(folder)
        except OutputError as exc:
            notes.append(f"{folder.name} could not be repaired: {exc}")
            continue
        notes.append(f"{folder.name} was interrupted; repaired, it keeps {done.frames} frames")
    return notes


@dataclass(frozen=True)
class TakeOutcome:
    """What a finished take holds."""

    folder: Path
    frames: int
    seconds: float
    summary: dict
    stages: StageStats
    ended_early: str | None = None  # why the input ended before its end (kept incomplete)

    @property
    def complete(self) -> bool:
        return self.ended_early is None


ProgressCallback = Callable[[int, "int | None"], None]


class _OfflineRun:
    """What ``process`` watches of its session: the take, the frames, the stage times."""

    def __init__(self, progress: ProgressCallback | None,
                 on_result: Callable[[FrameResult], None] | None):
        self.progress = progress
        self.on_result = on_result
        self.stages = StageStats()
        self.frames = 0
        self.total: int | None = None
        self.take: ev.TakeInfo | None = None
        self.failure: str | None = None  # why the source or the take could not start

    def __call__(self, event: ev.Event) -> None:
        if isinstance(event, ev.FrameAnalysed):
            timings = {k: v for k, v in event.timings_ms.items() if k != "record"}
            self.stages.add_all(timings)
            self.frames += 1
            if self.on_result is not None:
                self.on_result(event.result)
            if self.progress is not None:
                self.progress(self.frames, self.total)
        elif isinstance(event, ev.SourceOpened):
            self.total = event.info.frame_count
        elif isinstance(event, ev.TakeFinished):
            self.take = event.take
        elif isinstance(event, (ev.SourceFailed, ev.RecordingFailed, ev.Fatal)):
            self.failure = event.message


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
    draw_mesh: bool = False,
    analyzer_factory: Callable[[AnalysisSettings], Analyzer] | None = None,
) -> TakeOutcome:
    """Analyse every frame of ``input_spec`` into a take folder: the app's session with
    the offline policy (no pacing, no dropping, no drawing unless a video is written).

    The source is opened and the model loaded before any folder is created, so input that
    cannot be opened leaves nothing behind. ``out_dir`` is used exactly (it must not exist or
    be empty); without it a new timestamped folder is made under ``takes_root``.
    ``analyzer_factory`` replaces :func:`build_analyzer` (``batch`` reuses each worker's
    loaded models across takes).
    """
    from acting_mirror.errors import ActingMirrorError, OutputError

    watch = _OfflineRun(progress, on_result)
    session = Session(session_parts(analyzer_factory=analyzer_factory), watch, settings, policy=OFFLINE, mirror=False)
    started = time.perf_counter()
    try:
        # the source first: bad input fails before the models load or a folder appears
        if not session.open(cmd.OpenSource(input_spec)):
            raise SourceError(watch.failure or f"Cannot open {input_spec}.")
        if not session.start():
            raise ActingMirrorError(watch.failure or "The emotion model could not be loaded.")
        info = session.info
        if draw_mesh:
            session.handle(cmd.SetMeshDrawn(True))
        if not session.start_take(cmd.StartRecording(takes_root, folder=out_dir,
                                                     write_video=write_video)):
            raise OutputError(watch.failure or "The take could not be started.")
        source, sink = session.source, session.take.sink
        while session.take is not None and (max_frames is None or watch.frames < max_frames):
            if not session.step() and watch.failure is not None:
                break
        session.finish_take()
        watch.stages.extend("decode", source.decode_ms)
        watch.stages.extend("encode", getattr(sink, "encode_ms", ()))
    finally:
        session.close()
    take = watch.take
    if take is None or take.frames == 0:
        raise (OutputError if take is not None and take.error else SourceError)(
            (take.error if take is not None and take.error else None)
            or watch.failure or f"{input_spec} gave no frames to analyse.")
    if take.error is not None:  # the disk filled or vanished: the error says what was kept
        raise OutputError(take.error)
    if write_video and info is not None and not info.live and not info.stills:
        _keep_sound(input_spec, take.folder)
    summary = take.summary or {}
    # the input broke or ended early: the take keeps what was read
    ended_early = watch.failure or (
        None if summary.get("complete", True) else str(summary.get("end_reason") or "ended early"))
    return TakeOutcome(take.folder, take.frames, time.perf_counter() - started,
                       summary, watch.stages, ended_early)
