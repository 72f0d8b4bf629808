"""What a session can be told to do: small frozen values, handled between frames."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from acting_mirror.core.calibration import NeutralCalibration
from acting_mirror.core.profile import ExpressionProfile
from acting_mirror.core.script import Script


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
class SetFaceDetail:
    """Run the face mesh on the main face (its blendshapes and head pose) or not."""

    on: bool


@dataclass(frozen=True)
class SetVoiceRecording:
    """Record the actor's voice with every take from now on, from ``device`` (``None``:
    the default input); the microphone is open only while a take records."""

    on: bool
    device: str | None = None


@dataclass(frozen=True)
class SetVoiceAdvance:
    """Untimed scripts follow the actor's voice (with the microphone recording): the next
    line comes up once the line showing has been spoken and then ``pause_ms`` of silence
    has passed (the key still works). ``headset``: the actor wears headphones, so the
    microphone cannot hear the partner's voice and nothing it hears is set aside."""

    on: bool = True
    pause_ms: int = 800
    headset: bool = False


PAUSE_MS_RANGE = (300, 5000)
"""The pauses a voice-advanced line may wait for (shorter ones are breaths)."""


@dataclass(frozen=True)
class SetMeshDrawn:
    """Dot the face mesh on the picture (and in ``output.avi``) or not."""

    on: bool


@dataclass(frozen=True)
class StartRecording:
    """Start a take: a new folder under ``takes_root`` (named after ``label``), or exactly
    ``folder`` (which must not exist or be empty). ``scripted``: follow the loaded script
    from the take's first frame (see :class:`SetScript`); ``rewind``: a file source
    restarts from its beginning first; ``write_video``: keep ``output.avi``."""

    takes_root: Path
    label: str | None = None
    scripted: bool = False
    rewind: bool = False
    folder: Path | None = None
    write_video: bool = True


@dataclass(frozen=True)
class SetScript:
    """Follow ``script`` (``None``: no script) on every analysed frame; ``text`` is the
    file as written (kept with scripted takes), ``actor`` whose ``calibration`` is used.

    Line learning: ``passage`` (first, last line, 0-based) rehearses only those lines,
    ``loop`` starts the next take of them as soon as one ends, ``pace`` plays a timed
    script faster or slower (0.75-1.5; takes are scored against the scaled times);
    ``partner_voice`` speaks the partner lines aloud; ``spoken_cues`` says one short word
    between lines ("good", "again"), never over the partner."""

    script: Script | None
    calibration: NeutralCalibration | None = None
    text: str | None = None
    actor: str = ""
    passage: tuple[int, int] | None = None
    loop: bool = False
    pace: float = 1.0
    partner_voice: bool = True
    spoken_cues: bool = False
    profile: ExpressionProfile | None = None  # the actor's, for live cues and the report


@dataclass(frozen=True)
class SetCalibration:
    """Correct the script follower's readings with ``calibration`` (``None``: raw)."""

    calibration: NeutralCalibration | None
    actor: str = ""


@dataclass(frozen=True)
class AdvanceScript:
    """Teleprompter: the next line of the script (during a scripted take)."""


@dataclass(frozen=True)
class StopRecording:
    """Finish the take. ``complete=False``: it was cut short (the app quit during it), so
    it is marked incomplete; ``discard``: delete it instead of keeping it."""

    complete: bool = True
    discard: bool = False


@dataclass(frozen=True)
class Shutdown:
    """Finish any take (as :class:`StopRecording` would) and stop the session."""

    complete: bool = False
    discard: bool = False


Command = (
    OpenSource | SetPlaying | SetDetector | SetMirror | SetFaceDetail | SetVoiceRecording
    | SetVoiceAdvance | SetMeshDrawn | StartRecording | SetScript
    | SetCalibration | AdvanceScript | StopRecording | Shutdown
)
