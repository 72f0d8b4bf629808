"""What a session reports: small frozen values, in the order things happened.

The GUI's worker turns them into Qt signals; ``process`` reads the take's; the live
bench counts them. All are emitted on the session's own thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from acting_mirror.core.follower import CueState
from acting_mirror.core.scoring import TakeReport
from acting_mirror.core.types import FrameResult


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
    stills: bool = False


@dataclass(frozen=True)
class TakeInfo:
    """A take that was finalised (``error`` set when it ended because writing failed).
    ``complete`` is False when it was cut short (quit during it); ``discarded`` when the
    user chose to throw it away (the folder is gone)."""

    folder: Path
    frames: int
    seconds: float
    summary: dict | None = None
    error: str | None = None
    scripted: bool = False  # played to the loaded script (script.txt stored with it)
    report: TakeReport | None = None  # of a scripted take, if it was scored
    report_error: str | None = None  # why a scripted take could not be scored
    complete: bool = True
    discarded: bool = False


@dataclass(frozen=True)
class Ready:
    """The models are loaded; ``detector`` is the one in use."""

    detector: str


@dataclass(frozen=True)
class Fatal:
    """The pipeline cannot go on (e.g. the model is missing, or a bug)."""

    message: str


@dataclass(frozen=True)
class SourceOpening:
    spec: str


@dataclass(frozen=True)
class SourceOpened:
    info: SourceInfo


@dataclass(frozen=True)
class SourceFailed:
    spec: str
    message: str


@dataclass(frozen=True)
class SourceEnded:
    """The source gave its last frame. ``complete`` is False when it ended early (a
    truncated file, a dropped or stalled stream, a lost camera); ``message`` says how."""

    spec: str
    complete: bool = True
    message: str | None = None


@dataclass(frozen=True)
class SourceReconnecting:
    """A lost camera is being tried again: ``attempt`` tries failed so far, the next in
    ``next_in_s`` seconds."""

    spec: str
    attempt: int
    next_in_s: float


@dataclass(frozen=True)
class PartnerVoiceUnavailable:
    """The scene partner's lines cannot be spoken here (said once per script); they are
    shown instead."""

    message: str


@dataclass(frozen=True)
class MicrophoneChanged:
    """The microphone opened (``on``) or closed; ``message`` says why it cannot record
    or why it stopped (no microphone is a normal state, said once)."""

    on: bool
    message: str | None = None


@dataclass(frozen=True)
class VoiceListening:
    """A scripted take follows the actor's voice (``on``: from now; off: no longer):
    the next line comes up after a pause of ``pause_ms``; ``headset``: the partner's
    playback is not set aside."""

    on: bool
    pause_ms: int = 800
    headset: bool = False


@dataclass(frozen=True)
class PlayingChanged:
    playing: bool


@dataclass(frozen=True)
class DetectorChanged:
    name: str


@dataclass(frozen=True)
class DetectorFailed:
    name: str
    message: str


@dataclass(frozen=True)
class MirrorChanged:
    on: bool


@dataclass(frozen=True)
class TakeStarted:
    folder: Path


@dataclass(frozen=True)
class TakeFinished:
    take: TakeInfo


@dataclass(frozen=True)
class RecordingFailed:
    """A take could not start; nothing was recorded."""

    message: str


@dataclass(frozen=True)
class FrameAnalysed:
    """One analysed frame: the result, its annotated picture (BGR, ``None`` when the
    session does not annotate), and small facts about it.

    ``fresh`` is False for a re-analysis of the picture already on screen (after a
    detector or mirror change while paused): not recorded, not plotted.
    ``captured_at`` is the clock time the frame was decoded (live) or due (files),
    ``analysis_started_at`` when its analysis began."""

    result: FrameResult
    annotated: np.ndarray | None
    generation: int
    fresh: bool
    captured_at: float
    analysis_started_at: float
    capture_fps: float
    analysed_fps: float
    timings_ms: dict[str, float] = field(default_factory=dict)
    recorded_frames: int | None = None  # frames in the current take, None when not recording
    cue: CueState | None = None  # while a script is loaded


Event = (
    Ready | Fatal | SourceOpening | SourceOpened | SourceFailed | SourceEnded
    | SourceReconnecting | PartnerVoiceUnavailable | MicrophoneChanged | VoiceListening | PlayingChanged | DetectorChanged | DetectorFailed | MirrorChanged | TakeStarted
    | TakeFinished | RecordingFailed | FrameAnalysed
)
