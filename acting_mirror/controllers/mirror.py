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

    # ------------------------------------------------------------------ events

    def on_ready(self) -> None:
        self.ready = True

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
