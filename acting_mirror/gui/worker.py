"""AnalysisWorker: runs a :class:`~acting_mirror.session.session.Session` on its own
thread and turns its events into Qt signals.

The live loop itself (read, analyse, annotate, record, follow the script, pace) is the
session's; this module only carries things across threads:

* window -> session: command objects (:mod:`acting_mirror.session.commands`) put in the
  session's :class:`~acting_mirror.session.session.Inbox` with :meth:`AnalysisWorker.send`;
* session -> window: Qt signals (queued across threads) for events, a
  :class:`LatestMailbox` for pictures (latest wins: a slow window skips stale pictures,
  the recorder never does), and a bounded deque of ``(generation, time_ms, probs,
  blendshapes, pose)`` points of the main face for the plots and the calibration routine
  (every analysed frame; the window drains them).

``observers`` are called with every session event on the worker's thread: the live
bench counts frames and takes through them (see ``bench/live.py``).
"""

from __future__ import annotations

import logging
import math
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable

import cv2
import numpy as np
from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtGui import QImage

from acting_mirror.config import AnalysisSettings
from acting_mirror.core.follower import CueState
from acting_mirror.gui.imaging import bgr_to_qimage
from acting_mirror.session import events as ev
from acting_mirror.session.commands import (  # noqa: F401 - re-exported for the windows
    AdvanceScript, OpenSource, SetCalibration, SetDetector, SetFaceDetail, SetMeshDrawn,
    SetMirror, SetPlaying, SetVoiceAdvance, SetVoiceRecording,
    SetScript, Shutdown, StartRecording, StopRecording,
)
from acting_mirror.session.events import SourceInfo, TakeInfo  # noqa: F401 - re-exported
from acting_mirror.session.mailbox import LatestMailbox
from acting_mirror.session.session import DEMO_SPEC, LIVE, Inbox, Session, SessionParts

log = logging.getLogger(__name__)

_MAX_DISPLAY_WIDTH = 1920  # larger frames are scaled down for the screen (not for takes)

SessionObserver = Callable[[ev.Event], None]


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
    cue: CueState | None = None  # while a script is loaded
    blendshapes: np.ndarray | None = None  # the main face's, when the face mesh read it
    quality: str | None = None  # the main face's picture: "ok" or why it reads poorly


def display_image(annotated: np.ndarray, fit: tuple[int, int] | None = None) -> QImage:
    """The annotated BGR picture as the window shows it: scaled down past 1920 px, and to
    fit ``fit`` (width, height in device pixels: the video view's) when that is smaller.

    Scaling here, on the worker's thread with OpenCV (under a millisecond, without the
    GIL), leaves the GUI thread a plain copy to paint instead of a smooth rescale of every
    720p frame (5 ms on the GUI thread and 4 more in Qt's thread pool on this machine).
    Bilinear down to half size (as smooth as Qt's own); area averaging below that, where
    bilinear would alias (and costs 8 ms at odd ratios, so not above).
    """
    height, width = annotated.shape[:2]
    scale = min(1.0, _MAX_DISPLAY_WIDTH / width)
    if fit is not None and fit[0] > 0 and fit[1] > 0:
        scale = min(scale, fit[0] / width, fit[1] / height)
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        method = cv2.INTER_LINEAR if scale >= 0.5 else cv2.INTER_AREA
        annotated = cv2.resize(annotated, size, interpolation=method)
    return bgr_to_qimage(annotated)


class AnalysisWorker(QObject):
    """See the module docstring. Create in the GUI thread, run through a :class:`WorkerHandle`."""

    ready = Signal(str)  # detector name, once the models are loaded
    fatal = Signal(str)  # the pipeline cannot start (e.g. the model is missing)
    frameReady = Signal()  # a picture waits in ``display``
    sourceOpening = Signal(str)  # spec
    sourceOpened = Signal(object)  # SourceInfo
    sourceFailed = Signal(str, str)  # spec, message
    sourceEnded = Signal(str)  # spec
    sourceEndedEarly = Signal(str, str)  # spec, how (after sourceEnded: truncated, dropped…)
    sourceReconnecting = Signal(str, int, float)  # spec, failed tries, seconds to the next
    partnerVoiceUnavailable = Signal(str)  # why the partner's lines cannot be spoken
    microphoneChanged = Signal(bool, str)  # open or closed; why it cannot record, if so
    voiceListening = Signal(bool, int, bool)  # lines follow the voice: on, pause ms, headset
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
        parts: SessionParts,
        mirror: bool = True,
        points_capacity: int = 4096,
    ):
        super().__init__()
        self.inbox = Inbox()
        self.display: LatestMailbox[DisplayFrame] = LatestMailbox()
        self.points: deque[tuple[int, int, np.ndarray | None, np.ndarray | None, tuple | None]] = \
            deque(maxlen=points_capacity)
        self.observers: list[SessionObserver] = []
        # the video view's size in device pixels (set from the GUI thread; one tuple, read
        # whole): pictures are scaled to it here rather than while painting
        self.display_fit: tuple[int, int] | None = None
        self._settings = settings
        self._mirror = bool(mirror)
        self._parts = parts
        self._signals = {
            ev.Ready: lambda e: self.ready.emit(e.detector),
            ev.Fatal: lambda e: self.fatal.emit(e.message),
            ev.SourceOpening: lambda e: self.sourceOpening.emit(e.spec),
            ev.SourceOpened: lambda e: self.sourceOpened.emit(e.info),
            ev.SourceFailed: lambda e: self.sourceFailed.emit(e.spec, e.message),
            ev.SourceEnded: self._source_ended,
            ev.SourceReconnecting: lambda e: self.sourceReconnecting.emit(
                e.spec, e.attempt, e.next_in_s),
            ev.PartnerVoiceUnavailable: lambda e: self.partnerVoiceUnavailable.emit(e.message),
            ev.MicrophoneChanged: lambda e: self.microphoneChanged.emit(e.on, e.message or ""),
            ev.VoiceListening: lambda e: self.voiceListening.emit(e.on, e.pause_ms, e.headset),
            ev.PlayingChanged: lambda e: self.playingChanged.emit(e.playing),
            ev.DetectorChanged: lambda e: self.detectorChanged.emit(e.name),
            ev.DetectorFailed: lambda e: self.detectorFailed.emit(e.name, e.message),
            ev.MirrorChanged: lambda e: self.mirrorChanged.emit(e.on),
            ev.TakeStarted: lambda e: self.recordingStarted.emit(str(e.folder)),
            ev.TakeFinished: lambda e: self.recordingStopped.emit(e.take),
            ev.RecordingFailed: lambda e: self.recordingFailed.emit(e.message),
            ev.FrameAnalysed: self._deliver,
        }

    # ------------------------------------------------------------------ any thread

    def send(self, command) -> None:
        """Queue a command for the session (safe from any thread)."""
        self.inbox.put(command)

    # ------------------------------------------------------------------ worker thread

    @Slot()
    def run(self) -> None:
        session = Session(self._parts, self._on_event, self._settings,
                          policy=LIVE, mirror=self._mirror)
        failure: BaseException | None = None
        try:
            session.run(self.inbox)
        except Exception as exc:  # noqa: BLE001 - the thread's boundary: a bug, not a user error
            # Keep the traceback in the log, save the take, and tell the window, which would
            # otherwise wait for pictures that never come.
            log.exception("The analysis thread stopped on an unexpected error.")
            failure = exc
        finally:
            try:
                session.close()
            finally:
                if failure is not None:
                    self.fatal.emit(
                        f"The analysis stopped unexpectedly ({type(failure).__name__}: {failure}). "
                        "Any take in progress was saved; please restart Acting Mirror."
                    )
                self.stopped.emit()

    def _on_event(self, event: ev.Event) -> None:
        for observer in self.observers:
            observer(event)
        self._signals[type(event)](event)

    def _source_ended(self, event: ev.SourceEnded) -> None:
        self.sourceEnded.emit(event.spec)
        if not event.complete:
            self.sourceEndedEarly.emit(event.spec, event.message or "")

    def _deliver(self, event: ev.FrameAnalysed) -> None:
        result = event.result
        primary = result.primary
        if event.fresh:
            probs = primary.shown_probs if primary is not None else None
            blend = primary.blendshapes if primary is not None else None
            pose = primary.pose if primary is not None else None
            # the smoothers hand out fresh arrays each frame: no copy needed
            self.points.append((event.generation, result.frame.time_ms, probs, blend, pose))
        packet = DisplayFrame(
            image=display_image(event.annotated, self.display_fit),
            index=result.frame.index,
            time_ms=result.frame.time_ms,
            faces=len(result.faces),
            primary_emotion=primary.top_emotion if primary is not None else None,
            captured_at=event.captured_at,
            analysed_at=time.perf_counter(),
            capture_fps=event.capture_fps,
            analysed_fps=event.analysed_fps,
            timings_ms=event.timings_ms,
            recorded_frames=event.recorded_frames,
            cue=event.cue,
            blendshapes=primary.blendshapes if primary is not None else None,
            quality=primary.quality if primary is not None else None,
        )
        if self.display.put(packet):
            self.frameReady.emit()


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

    def shutdown(self, timeout_s: float = 10.0, *, complete: bool = False,
                 discard: bool = False) -> bool:
        """Ask the session to finish (keeping any take, marked incomplete unless
        ``complete``; deleting it with ``discard``) and wait; True when it stopped."""
        if not self.thread.isRunning():
            return True
        self.worker.send(Shutdown(complete=complete, discard=discard))
        stopped = self.thread.wait(int(math.ceil(timeout_s * 1000)))
        if not stopped:
            log.warning("The analysis thread did not stop within %.0f s.", timeout_s)
        return bool(stopped)


__all__ = [
    "AnalysisWorker", "WorkerHandle", "DisplayFrame", "DEMO_SPEC",
    "OpenSource", "SetPlaying", "SetDetector", "SetMirror", "StartRecording",
    "StopRecording", "Shutdown", "SourceInfo", "TakeInfo",
    "SetScript", "SetCalibration", "AdvanceScript",
]
