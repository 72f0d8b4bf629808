"""MirrorController: the main window's state and rules, without Qt.

What is open, whether it plays, whether a take is being recorded, and from that which
controls are enabled and what quitting must ask. The window binds its buttons to
:meth:`MirrorController.controls` and sends what the user does as session commands
through ``send``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from acting_mirror.session import commands as cmd
from acting_mirror.session.events import SourceInfo, TakeInfo
from acting_mirror.session.session import DEMO_SPEC

APP_TITLE = "Acting Mirror"
MODEL_ACCURACY = "about 66% on the FER2013 test set"


def describe_spec(spec: str) -> str:
    """How a source reads in menus and messages."""
    if spec == DEMO_SPEC:
        return "Demo clip"
    if spec.lower().startswith("camera:"):
        return f"Camera {spec.split(':', 1)[1]}"
    if "://" in spec:
        return spec
    return Path(spec).name or spec


NO_CAMERA = (
    "No camera found",
    "Acting Mirror reads the emotions your face shows, live. Connect a webcam "
    "and pick it above, or try it now with the demo clip, a video of your own "
    "or a YouTube link.",
)


def first_source(asked: str | None, cameras: list[str]) -> tuple[str, bool] | None:
    """What to open at start, with whether it loops: the source asked for (the demo
    loops), else the first camera; ``None``: nothing (show the no-camera state)."""
    if asked:
        return asked, asked == DEMO_SPEC
    return (cameras[0], False) if cameras else None


def mm_ss(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def looks_like_url(text: str) -> bool:
    return "://" in text or text.startswith(("www.", "youtube.com", "youtu.be", "m.youtube.com"))


def url_to_open(text: str, exists: Callable[[str], bool]) -> str | None:
    """What to open for ``text`` typed as a link: the link (``https://`` added when
    missing) or an existing path as it is; ``None`` when it is neither."""
    text = text.strip()
    if not looks_like_url(text) and not exists(text):
        return None
    if "://" not in text and looks_like_url(text):
        return "https://" + text
    return text


def source_title(info: SourceInfo) -> tuple[str, str]:
    """The window title's name for ``info`` and the line under the video."""
    shown = describe_spec(info.spec) if info.spec == DEMO_SPEC else info.name
    kind = "camera" if info.camera else ("live stream" if info.live else f"{info.fps:.0f} fps")
    return shown, f"{shown}  ·  {info.width}×{info.height}  ·  {kind}"


@dataclass(frozen=True)
class TakeMessage:
    """What the window says when a take was saved (or not): ``level`` for the banner
    ("" for the status bar only), ``text``, and whether to offer "Open folder"."""

    level: str
    text: str
    status: str
    open_folder: bool


def take_message(take: TakeInfo) -> TakeMessage:
    if take.error:
        return TakeMessage(
            "error",
            f"Recording stopped: {take.error} The {take.frames} frames recorded so far "
            f"are kept in {take.folder}.",
            f"Recording stopped: {take.error}", True)
    if take.frames == 0:
        return TakeMessage("", "", "Nothing was recorded (no frames came in).", False)
    text = f"Take saved: {take.frames} frames ({mm_ss(take.seconds)}) in {take.folder}"
    return TakeMessage("info", text, text, True)


def about_html(version: str, model_file: str) -> str:
    return (
        f"<h3>Acting Mirror {version}</h3>"
        "<p>A rehearsal mirror for actors: it finds your face and reads which of seven "
        "emotions it shows (angry, disgust, fear, happy, sad, surprise, neutral).</p>"
        f"<p><b>Model:</b> mini-Xception ({model_file}), {MODEL_ACCURACY}. "
        "Faces are found with OpenCV's Haar cascade or MTCNN.</p>"
        "<p><b>Limits:</b> it reads faces, not feelings, and is often wrong (about one "
        "frame in three on its test set), more so with poor light, turned heads, glasses "
        "or faces unlike its training photos. Use it as a rehearsal aid, never as a "
        "judge of your acting.</p>"
        "<p><b>Privacy:</b> everything runs on this computer. Your face never leaves "
        "the machine; takes are saved only where you choose.</p>"
    )


class QuitChoice(enum.Enum):
    """What to do with a take in progress when the app is closed."""

    SAVE = "save"  # stop and keep the take, marked incomplete
    DISCARD = "discard"  # stop and delete the take
    CANCEL = "cancel"  # do not quit


QUIT_QUESTION = (
    "A take is being recorded.",
    "Stop and save the take (marked incomplete), discard it, or keep recording?",
)


@dataclass(frozen=True)
class Controls:
    """Which of the window's controls are enabled, and the mirror button's tooltip."""

    detector: bool
    play: bool
    record: bool
    mirror: bool
    mirror_tip: str


class MirrorController:
    """See the module docstring. ``send`` delivers a command to the session."""

    def __init__(self, send: Callable[[cmd.Command], None]):
        self.send = send
        self.ready = False  # the models are loaded
        self.source: SourceInfo | None = None
        self.playing = False
        self.ended = False
        self.recording_folder: Path | None = None
        self.last_take: TakeInfo | None = None
        self.pending_open: cmd.OpenSource | None = None  # asked for before the models loaded

    # ------------------------------------------------------------------ state

    @property
    def recording(self) -> bool:
        return self.recording_folder is not None

    def controls(self) -> Controls:
        """Play and Record only make sense with a source; nothing works before the models
        load; mirroring applies to cameras (and is offered before anything is open)."""
        on = self.ready
        has_source = self.source is not None
        camera = has_source and self.source.camera
        return Controls(
            detector=on,
            play=on and has_source,
            record=on and (has_source or self.recording),
            mirror=camera or not has_source,
            mirror_tip=("Show the camera as a mirror does (Ctrl+M)" if camera or not has_source
                        else "Mirroring applies to cameras; videos play as they were filmed"),
        )

    # ------------------------------------------------------------------ user actions

    def open_source(self, spec: str, loop: bool = False) -> bool:
        """Open ``spec`` now (True), or once the models are loaded (False)."""
        command = cmd.OpenSource(spec, loop)
        if not self.ready:
            self.pending_open = command
            return False
        self.send(command)
        return True

    def toggle_playing(self) -> bool:
        if self.source is None or not self.ready:
            return False
        self.send(cmd.SetPlaying(not self.playing))
        return True

    def start_recording(self, takes_root: Path) -> bool:
        """Start a plain take; False (nothing sent) without a source."""
        if self.source is None:
            return False
        self.send(cmd.StartRecording(Path(takes_root)))
        return True

    def stop_recording(self) -> bool:
        if not self.recording:
            return False
        self.send(cmd.StopRecording())
        return True

    # ------------------------------------------------------------------ events

    def on_ready(self) -> None:
        """The models are loaded: a source asked for meanwhile opens now."""
        self.ready = True
        if self.pending_open is not None:
            command, self.pending_open = self.pending_open, None
            self.send(command)

    def on_fatal(self) -> None:
        self.ready = False  # nothing works any more

    def on_source_opened(self, info: SourceInfo) -> None:
        self.source = info
        self.ended = False

    def on_source_failed(self) -> None:
        self.source = None

    def on_source_ended(self) -> None:
        self.ended = True

    def on_playing(self, playing: bool) -> None:
        self.playing = playing
        if playing:
            self.ended = False

    def on_take_started(self, folder: Path) -> None:
        self.recording_folder = Path(folder)

    def on_take_finished(self, take: TakeInfo) -> None:
        self.recording_folder = None
        self.last_take = take

    # ------------------------------------------------------------------ quitting

    def needs_quit_question(self) -> bool:
        """Quitting during a take asks what to do with it."""
        return self.recording

    @staticmethod
    def shutdown_for(choice: QuitChoice) -> cmd.Shutdown | None:
        """The session's last command for ``choice`` (``None``: do not quit). A take cut
        short by quitting is never complete."""
        if choice is QuitChoice.CANCEL:
            return None
        return cmd.Shutdown(complete=False, discard=choice is QuitChoice.DISCARD)
