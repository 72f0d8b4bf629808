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
    ("" for the status bar only), ``text``, and whether to offer "Open folder" and
    "Review this take" (a take with frames that ended cleanly)."""

    level: str
    text: str
    status: str
    open_folder: bool
    review: bool = False


def take_message(take: TakeInfo) -> TakeMessage:
    if take.error:
        return TakeMessage(
            "error",
            f"Recording stopped: {take.error} The {take.frames} frames recorded so far "
            f"are kept in {take.folder}.",
            f"Recording stopped: {take.error}", True)
    if take.frames == 0:
        return TakeMessage("", "", "Nothing was recorded (no frames came in).", False)
    frames = "1 frame" if take.frames == 1 else f"{take.frames} frames"
    text = f"Take saved: {frames} ({mm_ss(take.seconds)}) in {take.folder}"
    return TakeMessage("info", text, text, True, review=True)


_OFFLINE_SIGNS = (
    "name or service not known", "temporary failure in name resolution",
    "nodename nor servname", "getaddrinfo failed", "network is unreachable",
    "no address associated with hostname", "failed to resolve", "unable to resolve",
    "errno -2", "errno -3", "errno 11001",
)


def readable_source_error(message: str, spec: str = "") -> str:
    """``message`` in words a newcomer reads: a web link that fails because the computer
    is offline (``[Errno -2] Name or service not known`` and its cousins) says so."""
    low = message.lower()
    if any(sign in low for sign in _OFFLINE_SIGNS):
        what = "the link" if not spec else f"{describe_spec(spec)}"
        return (f"There is no internet connection, so {what} cannot be opened. "
                "Connect to the internet and try again, or open a video on this computer.")
    return message


@dataclass(frozen=True)
class SourceFailure:
    """Where a source's failure is said, once: in the empty screen's body when nothing
    is shown (``body``), else in the banner over what still plays (``banner``)."""

    banner: str | None
    body: str | None


def source_failure(message: str, spec: str, *, showing: bool) -> SourceFailure:
    text = readable_source_error(message, spec)
    if showing:
        return SourceFailure(banner=text, body=None)
    return SourceFailure(banner=None, body=f"{text} Try the demo clip, another video or a link.")


def could_not_open(what: str, path: Path | str) -> str:
    """What the window says when the system has no program to open ``path`` with."""
    return (f"Could not open {what}: this computer has no program set up to open it. "
            f"It is in {path}.")


SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("Space", "Play / pause (the main window and the review)"),
    ("Ctrl+R", "Start / stop a take"),
    ("Ctrl+O", "Open a video file"),
    ("Ctrl+L", "Type a web link (YouTube…)"),
    ("Ctrl+D", "Play the demo clip"),
    ("Ctrl+M", "Mirror the camera"),
    (", and .", "Review: one frame back / on"),
    ("Left / Right", "Review: one second back / on"),
    ("Home / End", "Review: the first / last frame"),
    ("Return", "Takes library: review the selected take"),
    ("Esc", "Close a dialog, the review or the takes library"),
    ("Ctrl+W", "Close the review or the takes library"),
    ("Ctrl+Q", "Quit"),
)
"""The keyboard shortcuts, as Help > Keyboard shortcuts lists them."""


def shortcuts_html() -> str:
    rows = "".join(f"<tr><td style='padding-right:18px'><b>{key}</b></td><td>{what}</td></tr>"
                   for key, what in SHORTCUTS)
    return f"<table>{rows}</table>"


GUIDE_HTML = (
    "<h3>Getting started</h3>"
    "<ol>"
    "<li><b>Pick what to watch</b>: your camera in the bar at the top, a video file "
    "(File &gt; Open file…), a web link, or the demo clip (File &gt; Play the demo clip).</li>"
    "<li><b>Watch the readings</b>: the box around each face shows the emotion read; the "
    "curves show the main face over the last seconds, the bars its emotions now.</li>"
    "<li><b>Rehearse a script</b>: File &gt; Open script… loads lines with the emotion "
    "each should show. Record starts a take, the script follows you, and a report "
    "scores each line when the take ends.</li>"
    "<li><b>Look back</b>: File &gt; Takes library… lists your takes by script; open one "
    "to review it frame by frame beside its report.</li>"
    "</ol>"
    "<p>The readings are a rehearsal aid, not a judge: the model is often wrong, "
    "more so in poor light or with a turned head.</p>"
)
"""Help > Getting started."""


def about_html(version: str, model_file: str) -> str:
    return (
        f"<h3>Acting Mirror {version}</h3>"
        "<p>A rehearsal mirror for actors: it finds your face and reads which of seven "
        "emotions it shows (angry, disgust, fear, happy, sad, surprise, neutral).</p>"
        f"<p><b>Model:</b> mini-Xception ({model_file}), {MODEL_ACCURACY}. "
        "Faces are found with OpenCV's Haar cascade, MTCNN or MediaPipe's face mesh.</p>"
        "<p><b>Face detail:</b> the face mesh scores 52 <i>blendshapes</i> per frame, how far "
        "each part of the face (brows, eyelids, cheeks, nose, lips, jaw) has moved from rest; "
        "the coaching cues and your expression profile are built on them. They are estimates "
        "from one camera picture, not measurements of muscles: eye widening and nose "
        "wrinkling read low on many faces even when clearly there, and glasses, a beard, a "
        "turned head or poor light make every one less reliable.</p>"
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
    record_tip: str = "Start / stop a take (Ctrl+R)"


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
        load; mirroring applies to cameras only (enabled while one is shown, and each
        disabled control's tooltip says why)."""
        on = self.ready
        has_source = self.source is not None
        camera = has_source and self.source.camera
        record = on and (has_source or self.recording)
        if camera:
            mirror_tip = "Show the camera as a mirror does (Ctrl+M)"
        elif has_source:
            mirror_tip = "Mirroring applies to cameras; videos play as they were filmed"
        else:
            mirror_tip = "Mirroring applies to cameras: choose a camera first"
        return Controls(
            detector=on,
            play=on and has_source,
            record=record,
            mirror=camera,
            mirror_tip=mirror_tip,
            record_tip=("Start / stop a take (Ctrl+R)" if record else
                        "Open a camera, a video or the demo clip first" if on else
                        "The models are still loading"),
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
