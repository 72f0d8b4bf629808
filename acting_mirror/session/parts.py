"""The ports of a session: the policy a driver chooses, the parts the composition root
wires in (``app.session_parts``), and the inbox that carries commands across threads."""

from __future__ import annotations

import queue
from dataclasses import dataclass
from typing import Callable, Protocol

import numpy as np

from acting_mirror.config import AnalysisSettings
from acting_mirror.core.analysis import Analyzer
from acting_mirror.core.ports import FaceDetector, FrameSource
from acting_mirror.core.script import Script
from acting_mirror.core.types import FrameResult
from acting_mirror.session import commands as cmd
from acting_mirror.session.take import TakeSinkFactory


@dataclass(frozen=True)
class SessionPolicy:
    """How a driver wants frames: ``paced`` plays files at their own rate (the app);
    ``annotate`` draws the boxes on every frame (the app always, ``process`` only for
    ``output.avi``); ``script_ends_take``: a take ends when its script's last line is
    over (the app), or runs to the end of the media (``process``)."""

    paced: bool
    annotate: bool = True
    script_ends_take: bool = True


LIVE = SessionPolicy(paced=True)
OFFLINE = SessionPolicy(paced=False, annotate=False, script_ends_take=False)


class Annotating:
    """What draws a result onto its picture (``media.annotate.Annotator``); ``draw_mesh``
    dots the face mesh's points."""

    draw_mesh: bool

    def annotate(self, image: np.ndarray, result: FrameResult, *, copy: bool = True) -> np.ndarray: ...


@dataclass(frozen=True)
class SessionParts:
    """The pluggable parts, wired by the composition root (``app.session_parts``).

    ``open_source(spec, loop)`` returns a FrameSource whose traits (``live``, ``stills``,
    ``camera``) say how to read it; ``build_analyzer(settings)`` and
    ``build_detector(settings)`` load the models; ``close_detector`` stops a detector's
    helper threads; ``annotator()`` makes the box painter; ``take_sink`` records a take;
    ``resolve_spec`` turns a word like ``"demo"`` into something ``open_source`` reads."""

    open_source: Callable[[str, bool], FrameSource]
    build_analyzer: Callable[[AnalysisSettings], Analyzer]
    build_detector: Callable[[AnalysisSettings], FaceDetector]
    close_detector: Callable[[FaceDetector], None]
    annotator: Callable[[], Annotating]
    take_sink: TakeSinkFactory
    model_name: Callable[[AnalysisSettings], str]
    resolve_spec: Callable[[str], str] = lambda spec: spec
    # the scene partner's voice for a script (audio.partner.PartnerVoice); None: silent
    partner_voice: Callable[[Script], PartnerVoice] | None = None
    # the microphone (audio.recorder.MicRecorder): available/message, start(folder,
    # clock_origin), stop(), active
    microphone: Callable[[str | None], object] | None = None
    # the main face's mesh reader (vision.face_detail.MainFaceDetail), for SetFaceDetail
    face_detail: Callable[[], object] | None = None
    # the voice of the spoken cues ("good", "again"): a PartnerVoice over a two-line script
    cue_voice: Callable[[], PartnerVoice] | None = None


class PartnerVoice(Protocol):
    """Speaks a script's partner lines without blocking (``audio.partner.PartnerVoice``)."""

    available: bool
    message: str
    speaking: bool

    def say(self, index: int) -> bool: ...

    def follow(self, cue) -> bool: ...

    def rewind(self) -> None: ...

    def stop(self) -> None: ...

    def close(self) -> None: ...


class Inbox:
    """Commands for a running session, from any thread (a thin thread-safe queue)."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue = queue.SimpleQueue()

    def put(self, command: cmd.Command) -> None:
        self._queue.put(command)

    def get(self, timeout: float | None) -> cmd.Command | None:
        """The next command, waiting up to ``timeout`` seconds (``None`` when none came)."""
        try:
            return self._queue.get(timeout=timeout) if timeout is None or timeout > 0 \
                else self._queue.get_nowait()
        except queue.Empty:
            return None
