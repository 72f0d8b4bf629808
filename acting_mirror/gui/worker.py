"""AnalysisWorker: the thread that reads, analyses, annotates and records frames.

The worker owns every stateful object of the pipeline (source, Analyzer, Annotator, take
recorder); nothing else touches them, so nothing locks. It runs a plain loop::

    read a frame -> analyze -> annotate -> record -> hand the picture to the window

Messages cross threads, objects don't:

* window -> worker: command objects (:class:`OpenSource`, :class:`SetPlaying`, ...) put
  on a thread-safe queue with :meth:`AnalysisWorker.send`, read between frames;
* worker -> window: Qt signals (queued across threads) for events, a
  :class:`LatestMailbox` for pictures (latest wins: a slow window skips stale pictures,
  the recorder never does), and a bounded deque of ``(generation, time_ms, probs)``
  points for the plots (every analysed frame; the window drains them).

Live sources (cameras, live streams) are decoded on their own thread keeping only the
newest frame (``media.prefetch.Prefetcher(latest_only=True)``), so analysis always takes
the freshest picture. Files play at their own rate (paced by ``Frame.time_ms``) and every
frame is analysed, decoded a few frames ahead.
"""

from __future__ import annotations

import logging
import math
import queue
import shutil
import time
from collections import deque
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import cv2
import numpy as np
from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtGui import QImage

from acting_mirror.config import AnalysisSettings
from acting_mirror.core.analysis import Analyzer
from acting_mirror.core.types import Frame, FrameResult
from acting_mirror.errors import ActingMirrorError, OutputError, SourceError
from acting_mirror.gui.imaging import bgr_to_qimage
from acting_mirror.gui.mailbox import LatestMailbox
from acting_mirror.gui.rates import RateMeter

log = logging.getLogger(__name__)

DEMO_SPEC = "demo"
"""What the window calls the bundled demo clip (stored in preferences as this word)."""

_MAX_DISPLAY_WIDTH = 1920  # larger frames are scaled down for the screen (not for takes)
_IDLE_WAIT_S = 0.25  # how long an idle worker waits for a command before looking again
_BEHIND_S = 0.25  # a file more than this late re-anchors its clock instead of rushing
_PREFETCH_DEPTH = 4


# --------------------------------------------------------------------------- commands


@dataclass(frozen=True)
class OpenSource:
    """Switch to ``spec`` (anything ``open_source`` takes, or ``"demo"``)."""

    spec: str
    loop: bool = False


@dataclass(frozen=True)
class SetPlaying:
    playing: bool


@dataclass(frozen=True)
class SetDetector:
    name: str


@dataclass(frozen=True)
class SetMirror:
    on: bool


@dataclass(frozen=True)
class StartRecording:
    """Start a take. ``scripted``: follow the loaded script from the take's first frame
    (see :class:`SetScript`); ``rewind``: a file source restarts from its beginning first."""

    takes_root: Path
    label: str | None = None
    scripted: bool = False
    rewind: bool = False


@dataclass(frozen=True)
class SetScript:
    """Follow ``script`` (``None``: no script) on every analysed frame; ``text`` is the
    file as written (kept with scripted takes), ``actor`` whose ``calibration`` is used."""

    script: object  # core.script.Script | None
    calibration: object = None  # core.calibration.NeutralCalibration | None
    text: str | None = None
    actor: str = ""


@dataclass(frozen=True)
class SetCalibration:
    """Correct the script follower's readings with ``calibration`` (``None``: raw)."""

    calibration: object  # core.calibration.NeutralCalibration | None
    actor: str = ""


@dataclass(frozen=True)
class AdvanceScript:
    """Teleprompter: the next line of the script (during a scripted take)."""


@dataclass(frozen=True)
class StopRecording:
    pass


@dataclass(frozen=True)
class Shutdown:
    pass


# --------------------------------------------------------------------------- messages


@dataclass(frozen=True)
class SourceInfo:
    """A source that opened: what the window shows about it."""

    spec: str
    name: str
    fps: float
    frame_count: int | None
    live: bool
    camera: bool
    loop: bool
    width: int
    height: int


@dataclass(frozen=True)
class DisplayFrame:
    """One analysed, annotated picture for the window, with small facts about it."""

    image: QImage
    index: int
    time_ms: int
    faces: int
    primary_emotion: str | None
    captured_at: float  # perf_counter when the frame was decoded (live) or due (files)
    analysed_at: float  # perf_counter when the picture was ready for the window
    capture_fps: float
    analysed_fps: float
    timings_ms: dict[str, float] = field(default_factory=dict)
    recorded_frames: int | None = None  # frames in the current take, None when not recording
    cue: object = None  # core.follower.CueState while a script is loaded, else None


@dataclass(frozen=True)
class TakeInfo:
    """A take that was finalised (``error`` set when it ended because writing failed)."""

    folder: Path
    frames: int
    seconds: float
    summary: dict | None = None
    error: str | None = None
    scripted: bool = False  # played to the loaded script (script.txt stored with it)
    report: object = None  # core.scoring.TakeReport of a scripted take, if it was scored
    report_error: str | None = None  # why a scripted take could not be scored


# --------------------------------------------------------------------------- helpers


class _StampedSource:
    """Passes a source's frames through, noting when each was decoded, and the decoding
    rate.

    Runs on the decoder thread; ``stamps`` is a bounded deque the worker reads (deque
    append and copy are atomic), ``rate`` a :class:`RateMeter` ticked here and read by
    the worker."""

    def __init__(self, source):
        self.source = source
        self.name = source.name
        self.fps = source.fps
        self.frame_count = source.frame_count
        self.stamps: deque[tuple[int, float]] = deque(maxlen=64)
        self.rate = RateMeter()

    def __iter__(self):
        for frame in self.source:
            now = time.perf_counter()
            self.stamps.append((frame.index, now))
            self.rate.tick(now)
            yield frame

    def close(self) -> None:
        self.source.close()


def _default_analyzer_factory(settings: AnalysisSettings) -> Analyzer:
    from acting_mirror.app import build_analyzer

    return build_analyzer(settings)


def _default_source_opener(spec: str, loop: bool):
    from acting_mirror.media.sources import open_source

    return open_source(spec, loop=loop)


def resolve_spec(spec: str) -> str:
    """``"demo"`` as the bundled clip's path; anything else unchanged."""
    if spec == DEMO_SPEC:
        from acting_mirror.config import demo_clip

        return str(demo_clip())
    return spec


class _Take:
    """The recorder of the take in progress, with what the window needs to know."""

    def __init__(self, folder: Path, recorder, started: float):
        self.folder = folder
        self.recorder = recorder
        self.started = started
        self.frames = 0
        self.origin: tuple[int, int] | None = None  # (index, time_ms) of its first frame
        self.scripted = False

    def rebased(self, result: FrameResult) -> FrameResult:
        """``result`` numbered from the take's first frame (frame 0 at time 0), so a take's
        video frame k is its timeline's frame k and script time 0 is the take's start."""
        frame = result.frame
        if self.origin is None:
            self.origin = (frame.index, frame.time_ms)
        index0, time0 = self.origin
        if index0 == 0 and time0 == 0:
            return result
        moved = Frame(frame.image, frame.index - index0, frame.time_ms - time0)
        return FrameResult(moved, result.faces, result.timings_ms)


# --------------------------------------------------------------------------- worker


class AnalysisWorker(QObject):
    """See the module docstring. Create in the GUI thread, run through a :class:`WorkerHandle`."""

    ready = Signal(str)  # detector name, once the models are loaded
    fatal = Signal(str)  # the pipeline cannot start (e.g. the model is missing)
    frameReady = Signal()  # a picture waits in ``display``
    sourceOpening = Signal(str)  # spec
    sourceOpened = Signal(object)  # SourceInfo
    sourceFailed = Signal(str, str)  # spec, message
    sourceEnded = Signal(str)  # spec
    playingChanged = Signal(bool)
    detectorChanged = Signal(str)
    detectorFailed = Signal(str, str)  # name, message
    mirrorChanged = Signal(bool)
    recordingStarted = Signal(str)  # folder
    recordingStopped = Signal(object)  # TakeInfo
    recordingFailed = Signal(str)  # message (nothing was recorded)
    stopped = Signal()

    def __init__(
        self,
        settings: AnalysisSettings = AnalysisSettings(),
        *,
        mirror: bool = True,
        analyzer_factory: Callable[[AnalysisSettings], Analyzer] = _default_analyzer_factory,
        source_opener: Callable[[str, bool], object] = _default_source_opener,
        points_capacity: int = 4096,
    ):
        super().__init__()
        # shared channels (thread-safe by construction)
        self._commands: queue.SimpleQueue = queue.SimpleQueue()
        self.display: LatestMailbox[DisplayFrame] = LatestMailbox()
        self.points: deque[tuple[int, int, np.ndarray | None]] = deque(maxlen=points_capacity)
        # everything below is touched only by the worker thread once it runs
        self._settings = settings
        self._mirror = bool(mirror)
        self._analyzer_factory = analyzer_factory
        self._open_source = source_opener
        self._analyzer: Analyzer | None = None
        self._annotator = None
        self._detectors: dict[str, object] = {}
        self._detector_name = settings.detector
        self._source = None
        self._frames = None  # iterator over the (prefetched) source
        self._stamped: _StampedSource | None = None
        self._info: SourceInfo | None = None
        self._generation = 0
        self._stills = False  # the source is a folder of unrelated pictures
        self._playing = True
        self._ended = False
        self._held: Frame | None = None  # a frame read but not yet shown (paused while pacing)
        self._last_frame: Frame | None = None
        self._anchor: tuple[float, int] | None = None  # (perf_counter, time_ms) for pacing
        self._take: _Take | None = None
        self._script = None  # take_scripts.ScriptRun while a script is loaded
        self._analysed = RateMeter()
        self._stopping = False

    # ------------------------------------------------------------------ any thread

    def send(self, command) -> None:
        """Queue a command for the worker (safe from any thread)."""
        self._commands.put(command)

    # ------------------------------------------------------------------ worker thread

    @Slot()
    def run(self) -> None:
        failure: BaseException | None = None
        try:
            if self._start_pipeline():
                self._loop()
        except Exception as exc:  # noqa: BLE001 - the thread's boundary: a bug, not a user error
            # Keep the traceback in the log, save the take, and tell the window, which would
            # otherwise wait for pictures that never come.
            log.exception("The analysis thread stopped on an unexpected error.")
            failure = exc
        finally:
            try:
                self._finish_take()
            finally:
                self._close_source()
                self._close_detectors()
                if failure is not None:
                    self.fatal.emit(
                        f"The analysis stopped unexpectedly ({type(failure).__name__}: {failure}). "
                        "Any take in progress was saved; please restart Acting Mirror."
                    )
                self.stopped.emit()

    def _start_pipeline(self) -> bool:
        from acting_mirror.media.annotate import Annotator

        try:
            self._analyzer = self._analyzer_factory(self._settings)
        except (ActingMirrorError, OSError, ValueError, RuntimeError) as exc:
            log.error("Cannot start the analysis: %s", exc)
            self.fatal.emit(f"The emotion model could not be loaded: {exc}")
            self._wait_for_shutdown()
            return False
        self._detector_name = getattr(self._analyzer.detector, "name", self._settings.detector)
        self._detectors[self._settings.detector] = self._analyzer.detector
        self._annotator = Annotator()
        self.ready.emit(self._settings.detector)
        return True

    def _close_detectors(self) -> None:
        """Stop the helper threads detectors may run (keyframe detection). Every detector
        the analyzer has used is in ``_detectors``."""
        from acting_mirror.app import close_detector

        for detector in self._detectors.values():
            close_detector(detector)

    def _wait_for_shutdown(self) -> None:
        while not self._stopping:
            command = self._commands.get()
            if isinstance(command, Shutdown):
                self._stopping = True

    def _loop(self) -> None:
        while not self._stopping:
            if self._can_read():
                self._handle_pending()
                if self._stopping or not self._can_read():
                    continue
                self._step()
            else:
                try:
                    command = self._commands.get(timeout=_IDLE_WAIT_S)
                except queue.Empty:
                    continue
                self._handle(command)

    def _can_read(self) -> bool:
        return self._frames is not None and self._playing and not self._ended

    def _handle_pending(self) -> None:
        while True:
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return
            self._handle(command)

    def _handle(self, command) -> None:
        if isinstance(command, Shutdown):
            self._stopping = True
        elif isinstance(command, OpenSource):
            self._switch_source(command)
        elif isinstance(command, SetPlaying):
            self._set_playing(command.playing)
        elif isinstance(command, SetDetector):
            self._set_detector(command.name)
        elif isinstance(command, SetMirror):
            self._mirror = bool(command.on)
            self.mirrorChanged.emit(self._mirror)
            self._refresh_still()
        elif isinstance(command, StartRecording):
            self._start_take(command)
        elif isinstance(command, StopRecording):
            self._finish_take()
        elif isinstance(command, SetScript):
            self._set_script(command)
        elif isinstance(command, SetCalibration):
            if self._script is not None:
                self._script.set_calibration(command.calibration, command.actor)
        elif isinstance(command, AdvanceScript):
            self._advance_script()
        else:  # a programming error, not a user's
            raise TypeError(f"unknown worker command {command!r}")

    # ------------------------------------------------------------------ sources

    def _switch_source(self, command: OpenSource) -> bool:
        """Open ``command``'s source in place of the current one; False (and the old
        source kept) when it cannot be opened."""
        self.sourceOpening.emit(command.spec)
        try:
            source = self._open_source(resolve_spec(command.spec), command.loop)
        except ActingMirrorError as exc:
            self.sourceFailed.emit(command.spec, str(exc))
            return False
        # the new source works: only now finalise the take and drop the old one
        self._finish_take()
        self._close_source()
        from acting_mirror.media.prefetch import Prefetcher
        from acting_mirror.media.sources import CameraSource, ImageFolderSource

        camera = isinstance(source, CameraSource)
        # every picture of a folder is another scene: nothing carries from one to the next
        self._stills = isinstance(source, ImageFolderSource)
        live = camera or (source.frame_count is None and not command.loop)
        self._stamped = _StampedSource(source)
        self._source = Prefetcher(self._stamped, latest_only=live, depth=_PREFETCH_DEPTH)
        self._frames = iter(self._source)
        self._generation += 1
        self._ended = False
        self._held = None
        self._last_frame = None
        self._anchor = None
        self._analysed.clear()
        if self._analyzer is not None:
            self._analyzer.reset()  # the detector's known faces too
        self._info = SourceInfo(
            spec=command.spec,
            name=source.name,
            fps=float(source.fps),
            frame_count=source.frame_count,
            live=live,
            camera=camera,
            loop=command.loop,
            width=int(getattr(source, "width", 0) or 0),
            height=int(getattr(source, "height", 0) or 0),
        )
        self.sourceOpened.emit(self._info)
        self._playing = True  # a new source always starts playing, and says so
        self.playingChanged.emit(True)
        return True

    def _reset_detector(self) -> None:
        """Forget where faces were (a keyframe detector refines around known faces)."""
        reset = getattr(self._analyzer.detector, "reset", None)
        if reset is not None:
            reset()

    def _close_source(self) -> None:
        source, self._source, self._frames, self._stamped = self._source, None, None, None
        if source is not None:
            source.close()

    def _set_playing(self, playing: bool) -> None:
        playing = bool(playing)
        if playing and self._ended and self._info is not None:
            # play after the end: start the same file again
            self._switch_source(OpenSource(self._info.spec, self._info.loop))
            return
        if playing != self._playing:
            self._playing = playing
            self._anchor = None
            self.playingChanged.emit(playing)

    # ------------------------------------------------------------------ detectors

    def _set_detector(self, name: str) -> None:
        if self._analyzer is None:
            return
        detector = self._detectors.get(name)
        if detector is None:
            from acting_mirror.app import build_detector

            try:
                detector = build_detector(replace(self._settings, detector=name))
            except (ActingMirrorError, ImportError, OSError) as exc:
                self.detectorFailed.emit(name, str(exc))
                return
            self._detectors[name] = detector
        self._analyzer.set_detector(detector)
        self._reset_detector()
        self._detector_name = name
        self.detectorChanged.emit(name)
        self._refresh_still()

    # ------------------------------------------------------------------ frames

    def _step(self) -> None:
        if self._held is not None:
            frame, self._held = self._held, None
        else:
            try:
                frame = next(self._frames)
            except StopIteration:
                self._source_ended()
                return
            except SourceError as exc:
                self._source_broke(str(exc))
                return
        captured = self._decoded_at(frame)
        if not self._info.live:
            generation = self._generation
            due = self._due(frame)
            if not self._wait_until(due):
                if self._generation == generation and not self._stopping:
                    self._held = frame  # paused while waiting: show it on resume
                return
            captured = max(captured, due)
        self._process(frame, captured, record=True)

    def _decoded_at(self, frame: Frame) -> float:
        if self._stamped is not None:
            for index, at in reversed(self._stamped.stamps.copy()):
                if index == frame.index:
                    return at
        return time.perf_counter()

    def _due(self, frame: Frame) -> float:
        now = time.perf_counter()
        if self._anchor is None:
            self._anchor = (now, frame.time_ms)
            return now
        wall0, media0 = self._anchor
        due = wall0 + (frame.time_ms - media0) / 1000.0
        if now - due > _BEHIND_S:  # analysis is slower than the film: re-anchor, never rush
            self._anchor = (now, frame.time_ms)
            return now
        return due

    def _wait_until(self, due: float) -> bool:
        """Sleep until ``due`` while serving commands; False when a command changed
        course (pause, new source, shutdown) so the frame must not be shown now."""
        generation = self._generation
        while True:
            remaining = due - time.perf_counter()
            if remaining <= 0:
                return True
            try:
                command = self._commands.get(timeout=remaining)
            except queue.Empty:
                return True
            self._handle(command)
            if self._stopping or not self._playing or self._generation != generation:
                return False

    def _source_ended(self) -> None:
        self._ended = True
        self._finish_take()
        spec = self._info.spec if self._info else ""
        self.sourceEnded.emit(spec)
        if self._playing:
            self._playing = False
            self.playingChanged.emit(False)

    def _source_broke(self, message: str) -> None:
        spec = self._info.spec if self._info else ""
        self._finish_take()
        self._close_source()
        self._info = None
        self._ended = False
        self.sourceFailed.emit(spec, message)

    def _refresh_still(self) -> None:
        """Re-analyse the frame on screen when nothing is playing (after a detector or
        mirror change), so the picture follows the setting. Not recorded, not plotted."""
        if self._last_frame is not None and not self._can_read():
            self._process(self._last_frame, time.perf_counter(), record=False)

    def _process(self, frame: Frame, captured: float, *, record: bool) -> None:
        self._last_frame = frame
        flipped = self._mirror and self._info is not None and self._info.camera
        if flipped:  # a new array: annotating may draw on it
            frame = Frame(cv2.flip(frame.image, 1), frame.index, frame.time_ms)
        if self._stills:
            self._analyzer.reset()
        result = self._analyzer.analyze(frame)
        t0 = time.perf_counter()
        annotated = self._annotator.annotate(frame.image, result, copy=not flipped)
        t1 = time.perf_counter()
        timings = dict(result.timings_ms)
        timings["annotate"] = (t1 - t0) * 1e3
        cue = None
        if record:
            self._analysed.tick(t1)
            if self._script is not None:
                recorded = self._take is not None and self._take.scripted
                cue = self._script.update(frame.time_ms, result.primary, recorded=recorded)
            if self._take is not None:
                self._record(result, annotated)
                timings["record"] = (time.perf_counter() - t1) * 1e3
            primary = result.primary
            probs = primary.shown_probs if primary is not None else None
            # the smoother hands out a fresh array each frame: no copy needed
            self.points.append((self._generation, frame.time_ms, probs))
        self._deliver(result, annotated, captured, timings, cue)
        if self._script is not None and self._script.take_complete:
            self._finish_take()  # the last line is over: the take ends by itself

    def _deliver(self, result: FrameResult, annotated: np.ndarray, captured: float,
                 timings: dict[str, float], cue=None) -> None:
        if annotated.shape[1] > _MAX_DISPLAY_WIDTH:
            scale = _MAX_DISPLAY_WIDTH / annotated.shape[1]
            annotated = cv2.resize(annotated, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        image = bgr_to_qimage(annotated)
        now = time.perf_counter()
        primary = result.primary
        packet = DisplayFrame(
            image=image,
            index=result.frame.index,
            time_ms=result.frame.time_ms,
            faces=len(result.faces),
            primary_emotion=primary.top_emotion if primary is not None else None,
            captured_at=captured,
            analysed_at=now,
            capture_fps=self._stamped.rate.rate(now) if self._stamped is not None else 0.0,
            analysed_fps=self._analysed.rate(now),
            timings_ms=timings,
            recorded_frames=self._take.frames if self._take is not None else None,
            cue=cue,
        )
        if self.display.put(packet):
            self.frameReady.emit()

    # ------------------------------------------------------------------ takes

    def _start_take(self, command: StartRecording) -> None:
        if self._take is not None:
            return
        if self._info is None or self._frames is None:
            self.recordingFailed.emit("Open a camera or a video before recording.")
            return
        if command.scripted and self._script is None:
            self.recordingFailed.emit("Load a script before starting a scripted take.")
            return
        if command.rewind and not self._info.live:
            # the take starts with the video's first frame (and the script's clock with it)
            if not self._switch_source(OpenSource(self._info.spec, self._info.loop)):
                self.recordingFailed.emit("The video could not be restarted for the take.")
                return
        from acting_mirror.app import model_name
        from acting_mirror.core.summary import SummaryBuilder
        from acting_mirror.media.recorder import TakeRecorder
        from acting_mirror.media.takes import discard_if_empty, new_take_dir

        fps = self._info.fps
        if self._info.live:  # the video runs at the rate frames are analysed, not shot
            measured = self._analysed.rate()
            if measured > 0:
                fps = max(1.0, min(fps, round(measured, 1)))
        folder = None
        try:
            folder = new_take_dir(command.takes_root, command.label)
            summary = SummaryBuilder(
                source_name=self._info.name,
                fps=fps,
                detector=self._detector_name,
                model=model_name(self._settings),
            )
            recorder = TakeRecorder(folder, fps, write_video=True, summary=summary)
        except OutputError as exc:
            if folder is not None:
                discard_if_empty(folder)
            self.recordingFailed.emit(str(exc))
            return
        self._take = _Take(folder, recorder, time.perf_counter())
        if command.scripted:
            self._take.scripted = True
            self._script.begin_take()
        self.recordingStarted.emit(str(folder))

    def _record(self, result: FrameResult, annotated: np.ndarray) -> None:
        take = self._take
        try:
            take.recorder.write(take.rebased(result), annotated)
            take.frames += 1
        except OutputError as exc:
            self._finish_take(error=str(exc))

    def _finish_take(self, error: str | None = None) -> None:
        take, self._take = self._take, None
        if take is None:
            return
        seconds = time.perf_counter() - take.started
        summary = None
        try:
            summary = take.recorder.close(seconds)
        except OutputError as exc:
            error = error or str(exc)
        report, report_error = None, None
        if take.scripted and self._script is not None:
            folder = take.folder if error is None else None
            report, report_error = self._script.finish_take(folder, take.frames)
        if take.frames == 0 and error is None:
            # nothing recorded (stopped at once, or paused throughout): leave no clutter
            shutil.rmtree(take.folder, ignore_errors=True)
        self.recordingStopped.emit(TakeInfo(take.folder, take.frames, seconds, summary, error,
                                            take.scripted, report, report_error))

    # ------------------------------------------------------------------ scripts

    def _set_script(self, command: SetScript) -> None:
        from acting_mirror.gui.take_scripts import ScriptRun

        if self._take is not None and self._take.scripted:
            self._finish_take()  # a new script ends the take of the old one
        if command.script is None:
            self._script = None
        else:
            self._script = ScriptRun(command.script, command.calibration, text=command.text,
                                     actor=command.actor)
        self._refresh_still()

    def _advance_script(self) -> None:
        if self._script is None or self._take is None or not self._take.scripted:
            return
        self._script.advance()
        if self._script.take_complete:
            self._finish_take()


# --------------------------------------------------------------------------- thread


class WorkerHandle:
    """The GUI side of a running worker: its thread, the way to talk to it, and a clean stop."""

    def __init__(self, worker: AnalysisWorker):
        self.worker = worker
        self.thread = QThread()
        self.thread.setObjectName("acting-mirror-analysis")
        worker.moveToThread(self.thread)
        self.thread.started.connect(worker.run)
        # direct: the GUI thread may be blocked in wait() while the worker says goodbye
        worker.stopped.connect(self.thread.quit, Qt.ConnectionType.DirectConnection)

    def start(self) -> None:
        self.thread.start()

    def send(self, command) -> None:
        self.worker.send(command)

    @property
    def running(self) -> bool:
        return self.thread.isRunning()

    def shutdown(self, timeout_s: float = 10.0) -> bool:
        """Ask the worker to finish (finalising any take) and wait; True when it stopped."""
        if not self.thread.isRunning():
            return True
        self.worker.send(Shutdown())
        stopped = self.thread.wait(int(math.ceil(timeout_s * 1000)))
        if not stopped:
            log.warning("The analysis thread did not stop within %.0f s.", timeout_s)
        return bool(stopped)


__all__ = [
    "AnalysisWorker", "WorkerHandle", "resolve_spec", "DEMO_SPEC",
    "OpenSource", "SetPlaying", "SetDetector", "SetMirror", "StartRecording",
    "StopRecording", "Shutdown", "SourceInfo", "DisplayFrame", "TakeInfo",
    "SetScript", "SetCalibration", "AdvanceScript",
]
