"""RehearsalController: scripts, scripted takes and the calibration choice, without Qt.

It holds the loaded script, the take's :class:`Phase`, the actor and the "Calibrated"
switch, and decides what the keys mean in each phase (:meth:`action_for`). What the user
asks for goes to the session as commands through ``send``; problems the user must read
go to ``notify(level, sentence)``. The 3-2-1 itself is timed by the GUI (it calls
:meth:`countdown_finished`); ``gui.rehearsal.Rehearsal`` shows this state and forwards.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from acting_mirror.controllers.mirror import MirrorController
from acting_mirror.core.calibration import NeutralCalibration, ProfileStore
from acting_mirror.core.follower import CueState
from acting_mirror.core.profile import ExpressionProfile, ExpressionProfileStore, ProfileError
from acting_mirror.core.line_learning import paced, passage as line_passage
from acting_mirror.core.script import Script, parse_script
from acting_mirror.core.spans import LiveSpans
from acting_mirror.errors import ScriptError, SourceError
from acting_mirror.session import commands as cmd
from acting_mirror.session.events import TakeInfo

Notify = Callable[[str, str], None]
"""``notify(level, sentence)``: level is "info", "warning" or "error" (the banner) or
"status" (a passing note in the status bar)."""


class Phase(str, enum.Enum):
    """Where a scripted take is. Compares equal to its value (``Phase.IDLE == "idle"``)."""

    IDLE = "idle"  # ready to start a take (the script can change)
    COUNTDOWN = "countdown"  # 3-2-1 running
    STARTING = "starting"  # the countdown ended; the session is opening the take
    TAKE = "take"  # recording, following the script

    @property
    def shown(self) -> "Phase":
        """The phase the panel shows: a take being opened already shows as a take."""
        return Phase.TAKE if self is Phase.STARTING else self

    @property
    def running(self) -> bool:
        return self in (Phase.STARTING, Phase.TAKE)


class Key(enum.Enum):
    """The keys the rehearsal may claim from the window."""

    RECORD = "Ctrl+R"  # also the Record button
    SPACE = "Space"
    RIGHT = "Right"
    PAGE_DOWN = "PageDown"


ADVANCE_KEYS = (Key.SPACE, Key.RIGHT, Key.PAGE_DOWN)
"""Keys that move a teleprompter take to its next line."""


class Action(enum.Enum):
    START = "start"  # begin the 3-2-1
    CANCEL = "cancel"  # stop the 3-2-1
    STOP = "stop"  # stop the take (a report follows)
    ADVANCE = "advance"  # teleprompter: next line


class Ending(enum.Enum):
    """What the window shows when a take ends."""

    NOTHING = "nothing"  # not a scripted take, or nothing was recorded
    REPORT = "report"  # the take's report
    NOT_SCORED = "not_scored"  # saved, but scoring failed (``TakeInfo.report_error``)


@dataclass(frozen=True)
class LoadedScript:
    script: Script
    path: Path
    text: str


def read_script_file(path: Path | str) -> LoadedScript:
    """Read and parse the script at ``path``; ScriptError with one sentence (and the
    first problems) when it cannot be read or is not a valid script."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScriptError(f"Cannot read the script {path}: {exc}.", problems=[str(exc)]) from exc
    try:
        script = parse_script(text, name=path.name)
    except ScriptError as exc:
        shown = "; ".join(exc.problems[:3]) + (" …" if len(exc.problems) > 3 else "")
        raise ScriptError(f"{path.name} is not a valid acting script: {shown}",
                          problems=list(exc.problems)) from exc
    return LoadedScript(script, path, text)


class RehearsalController:
    """See the module docstring. ``mirror`` is the window's controller (is a source open,
    is a take running); ``profiles`` stores the actors' calibrations; ``takes_root()``
    is where new takes go; ``actor`` and ``calibrated`` are the user's last choice."""

    def __init__(self, send: Callable[[cmd.Command], None], mirror: MirrorController,
                 profiles: ProfileStore, *, takes_root: Callable[[], Path],
                 actor: str = "", calibrated: bool = False, notify: Notify | None = None,
                 expressions: ExpressionProfileStore | None = None):
        self.send = send
        self.expressions = expressions  # the actors' expression profiles (profile learn)
        self.takes_root = takes_root  # where new takes go (the user may change it)
        self.mirror = mirror
        self.profiles = profiles
        self.notices: list[tuple[str, str]] = []
        # every problem of the script that last failed to load (the notice shows 3)
        self.script_problems: list[str] = []
        self.script_problems_of: Path | None = None
        self.notify: Notify = notify or (lambda level, text: self.notices.append((level, text)))
        self.script: Script | None = None
        self.script_path: Path | None = None
        self.script_text: str | None = None
        self.phase = Phase.IDLE
        self.actor = actor
        self.switch_on = bool(calibrated)  # the "Calibrated" switch as the user left it
        self.live_spans = LiveSpans()
        # line learning: the script as loaded, and how it is rehearsed (``script`` is
        # what is played: a passage of it, at a pace)
        self.loaded: Script | None = None
        self.loaded_text: str | None = None
        self.pace = 1.0
        self.passage: tuple[int, int] | None = None
        self.loop = False
        self.spoken_cues = False  # one word between lines ("good", "again"), off by default
        self._stop_asked = False  # Stop take was pressed during this take

    # ------------------------------------------------------------------ scripts

    @property
    def teleprompter(self) -> bool:
        return self.script is not None and not self.script.timed

    @property
    def can_change_script(self) -> bool:
        """The script, the actor and calibrating cannot change under a running take."""
        return self.phase is Phase.IDLE

    def load_script_file(self, path: Path | str) -> bool:
        """Load the script at ``path``; problems go to ``notify`` as errors."""
        try:
            loaded = read_script_file(path)
        except ScriptError as exc:
            self.script_problems = list(exc.problems or [])
            self.script_problems_of = Path(path)
            self.notify("error", str(exc))
            return False
        self.script_problems, self.script_problems_of = [], None
        return self.set_script(loaded.script, loaded.path, loaded.text)

    def set_script(self, script: Script | None, path: Path | None = None,
                   text: str | None = None) -> bool:
        """Follow ``script`` (``None``: put it away); refused during a take. A new script
        is rehearsed whole, at its own pace."""
        if not self.can_change_script:
            return False
        self.loaded, self.loaded_text = script, text
        self.pace, self.passage, self.loop = 1.0, None, False
        self._play(script, path, text)
        return True

    def set_rehearsal(self, *, pace: float | None = None,
                      passage: tuple[int, int] | None | bool = False,
                      loop: bool | None = None) -> bool:
        """Line learning: rehearse at ``pace`` (timed scripts, 0.75-1.5), only the lines
        ``passage`` (first, last; 0-based; ``None``: the whole script), with ``loop`` taking
        them again and again. Refused during a take; a bad choice is one notice."""
        if self.loaded is None or not self.can_change_script:
            return False
        new_pace = self.pace if pace is None else float(pace)
        new_passage = self.passage if passage is False else passage
        try:
            played = self.loaded
            if new_passage is not None:
                played = line_passage(played, *new_passage)
            played = paced(played, new_pace)
        except ScriptError as exc:
            self.notify("error", str(exc))
            return False
        self.pace, self.passage = new_pace, new_passage
        self.loop = self.loop if loop is None else bool(loop)
        same = played is self.loaded
        self._play(played, self.script_path, self.loaded_text if same else None)
        return True

    def _play(self, script: Script | None, path: Path | None, text: str | None) -> None:
        self.script, self.script_path, self.script_text = script, path, text
        self.live_spans.reset(script)
        self.send(cmd.SetScript(script, self.calibration(), text=text, actor=self.actor,
                                loop=self.loop, spoken_cues=self.spoken_cues,
                                profile=self.expression_profile()))

    @property
    def first_line_caption(self) -> str:
        if self.script is None:
            return ""
        first = self.script.cues[0]
        return (f"First line — {first.target_label}: {first.text}" if first.text
                else f"First line — {first.target_label}")

    # ------------------------------------------------------------------ keys

    def action_for(self, key: Key) -> Action | None:
        """What ``key`` means now; ``None``: not the rehearsal's (Ctrl+R without a script
        records a plain take, Space plays and pauses)."""
        if key is Key.RECORD:
            if self.script is None:
                return None
            return {Phase.IDLE: Action.START, Phase.COUNTDOWN: Action.CANCEL}.get(self.phase, Action.STOP)
        if key in ADVANCE_KEYS and self.teleprompter and self.phase is Phase.TAKE:
            return Action.ADVANCE
        return None

    def press(self, key: Key) -> bool:
        """Do what ``key`` means now; False when it is not the rehearsal's key."""
        action = self.action_for(key)
        if action is None:
            return False
        self.perform(action)
        return True

    def perform(self, action: Action) -> None:
        {Action.START: self.start_take, Action.CANCEL: self.cancel_countdown,
         Action.STOP: self.stop_take, Action.ADVANCE: self.advance}[action]()

    # ------------------------------------------------------------------ takes

    def start_take(self) -> bool:
        """Begin the 3-2-1 (True), or say why not."""
        if self.script is None or self.phase is not Phase.IDLE:
            return False
        if self.mirror.source is None:
            self.notify("warning", "Open a camera or a video first, then start the take.")
            return False
        if self.mirror.recording:
            self.notify("warning", "A recording is running: stop it first.")
            return False
        self.phase = Phase.COUNTDOWN
        return True

    def cancel_countdown(self) -> bool:
        if self.phase is not Phase.COUNTDOWN:
            return False
        self.phase = Phase.IDLE
        return True

    def countdown_finished(self) -> cmd.StartRecording | None:
        """The 3-2-1 ended: start recording (a file source from its beginning)."""
        source = self.mirror.source
        if self.phase is not Phase.COUNTDOWN or source is None or self.script is None:
            self.phase = Phase.IDLE
            return None
        self.phase = Phase.STARTING
        self.live_spans.reset(self.script)
        command = cmd.StartRecording(self.takes_root(), Path(self.script.source or "script").stem,
                                     scripted=True, rewind=not source.live)
        self.send(command)
        return command

    def stop_take(self) -> None:
        if self.phase is Phase.COUNTDOWN:
            self.cancel_countdown()
        elif self.phase.running:
            self._stop_asked = True  # a looped passage ends with this take
            self.send(cmd.StopRecording())

    def advance(self) -> bool:
        if self.phase is Phase.TAKE and self.teleprompter:
            self.send(cmd.AdvanceScript())
            return True
        return False

    def on_take_started(self) -> None:
        if self.phase is Phase.STARTING:
            self.phase = Phase.TAKE

    def on_take_failed(self) -> None:
        if self.phase.running:
            self.phase = Phase.IDLE

    def on_take_finished(self, take: TakeInfo) -> Ending:
        """The take ended: back to idle (or, when a looped passage's take ran to its end,
        on to the next take, which the session starts at once, so that Stop take in
        between stops that one); what to show for it."""
        if self.phase.running:
            goes_on = (take.scripted and take.complete and take.frames > 0 and not take.error
                       and self.loop and not self._stop_asked)
            self.phase = Phase.STARTING if goes_on else Phase.IDLE
        self._stop_asked = False
        if take.scripted:
            self.live_spans.reset(self.script)  # the shaded lines go with the take
        if not take.scripted or take.frames == 0:
            return Ending.NOTHING
        if take.report is not None:
            return Ending.REPORT
        return Ending.NOT_SCORED if take.report_error else Ending.NOTHING

    def show_state(self, state: CueState) -> None:
        """One displayed frame's cue state."""
        self.live_spans.update(state)

    # ------------------------------------------------------------------ calibration

    @property
    def calibrated(self) -> bool:
        """The switch is on and an actor profile is chosen."""
        return self.switch_on and bool(self.actor)

    def calibration(self) -> NeutralCalibration | None:
        """The calibration in use: the chosen actor's, when the switch is on."""
        if not self.calibrated:
            return None
        try:
            return self.profiles.load(self.actor)
        except SourceError as exc:
            self.notify("warning", str(exc))
            return None

    def expression_profile(self) -> ExpressionProfile | None:
        """The chosen actor's expression profile (``acting-mirror profile learn``), when the
        Calibrated switch is on and one was learnt: live cues and reports use it."""
        if not self.calibrated or self.expressions is None or not self.actor:
            return None
        if self.actor not in self.expressions.list():
            return None
        try:
            return self.expressions.load(self.actor)
        except ProfileError as exc:
            self.notify("warning", str(exc))
            return None

    def actors(self) -> list[str]:
        return self.profiles.list()

    def choose_actor(self, actor: str) -> None:
        self.actor = actor
        self._send_calibration()

    def set_calibrated(self, on: bool) -> None:
        self.switch_on = bool(on)
        self._send_calibration()

    def calibration_saved(self, actor: str) -> None:
        """A new calibration for ``actor`` was stored: use it."""
        self.actor = actor
        self.switch_on = True
        self._send_calibration()

    def _send_calibration(self) -> NeutralCalibration | None:
        calibration = self.calibration()
        self.send(cmd.SetCalibration(calibration, self.actor if calibration else ""))
        if self.expressions is not None and self.script is not None and self.can_change_script:
            self._play(self.script, self.script_path, self.script_text)  # with the profile
        if calibration is not None:
            self.notify("status", f"Readings are corrected with {self.actor}'s neutral calibration.")
        return calibration

    # ------------------------------------------------------------------ analysing a video

    @property
    def can_score_analysis(self) -> bool:
        """A video analysed into a take can be scored against the loaded (timed) script."""
        return self.script is not None and self.script.timed

    def analysis_scoring(self, score: bool) -> tuple[Script | None, str | None, NeutralCalibration | None]:
        """The script, its text and calibration to score an analysed video with."""
        if not (score and self.can_score_analysis):
            return None, None, None
        return self.script, self.script_text, self.calibration()


__all__ = ["RehearsalController", "Phase", "Key", "Action", "Ending", "ADVANCE_KEYS",
           "LoadedScript", "read_script_file"]
