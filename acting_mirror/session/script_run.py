"""ScriptRun: a script being rehearsed over any number of takes, frame by frame."""

from __future__ import annotations

from pathlib import Path

from acting_mirror.core.calibration import NeutralCalibration
from acting_mirror.core.follower import CueState, ScriptFollower
from acting_mirror.core.script import Script
from acting_mirror.core.scoring import TakeReport
from acting_mirror.core.take_script import read_take_script, write_take_script
from acting_mirror.core.types import Face
from acting_mirror.errors import ActingMirrorError


class ScriptRun:
    """A script being rehearsed, frame by frame, over any number of takes (used by the
    analysis worker, which owns it; no locking).

    :meth:`update` every analysed frame gives the :class:`CueState` to show. Between
    takes the follower waits ("get ready"); :meth:`begin_take` makes the next frame
    *recorded* start the script's clock, so script time 0 is the take's first frame.
    :meth:`finish_take` stores the script with the take and writes its report.
    """

    def __init__(self, script: Script, calibration: NeutralCalibration | None = None, *,
                 profile=None,
                 text: str | None = None, actor: str = ""):
        self.script = script
        self.text = text
        self.actor = actor
        self.calibration = calibration
        self.profile = profile  # the actor's expression profile (core.profile), or None
        self.follower = ScriptFollower(script, calibration, profile=profile)
        self._pending = False  # begin_take() called, first recorded frame not seen yet
        self.in_take = False
        self.shown: int | None = None  # untimed take: the position of the line shown now

    def set_calibration(self, calibration: NeutralCalibration | None, actor: str = "") -> None:
        """Switch the calibration (takes in progress go on with the new one)."""
        self.calibration = calibration
        self.actor = actor
        self.follower.calibration = calibration

    def begin_take(self) -> None:
        self.follower = ScriptFollower(self.script, self.calibration, profile=self.profile)
        self._pending = True
        self.in_take = True
        self.shown = None

    def update(self, time_ms: int, primary: Face | None, *, recorded: bool) -> CueState:
        """The state for one analysed frame; ``recorded``: the frame went into the take."""
        if self._pending and recorded:
            self._pending = False
            self.follower.start(time_ms)
            self.shown = None if self.script.timed else 0
        return self.follower.update(time_ms, primary)

    def advance(self) -> None:
        """Teleprompter: the next line (ignored unless a take is running)."""
        if self.in_take and not self.script.timed and self.follower.started \
                and not self.follower.finished:
            self.follower.advance()
            self.shown = None if self.follower.finished else (self.shown or 0) + 1

    @property
    def shown_cue(self):
        """The line (a :class:`~acting_mirror.core.script.Cue`) an untimed take shows now."""
        return None if self.shown is None else self.script.cues[self.shown]

    @property
    def take_complete(self) -> bool:
        """The running take reached the end of the script."""
        return self.in_take and self.follower.started and self.follower.finished

    def finish_take(self, folder: Path | None, frames: int, *,
                    complete: bool = True) -> tuple[TakeReport | None, str | None]:
        """End the take: with frames, store the script in ``folder`` and write the report.
        ``complete=False``: the take was cut short; the report says so, and the lines it
        never reached are ``not_reached`` (left out of the score). Returns
        ``(report, problem)``; either may be ``None``."""
        from acting_mirror.core.report import report_for_take

        follower, self.in_take, self._pending = self.follower, False, False
        self.shown = None
        self.follower = ScriptFollower(self.script, self.calibration, profile=self.profile)
        if folder is None or frames == 0 or not follower.started:
            return None, None
        recorded = follower.recorded_script()
        if recorded is None:
            return None, "No line of the script was played."
        try:
            write_take_script(folder, self.script, recorded, original_text=self.text,
                              actor=self.actor if self.calibration is not None else "",
                              calibrated=self.calibration is not None)
            stored = read_take_script(folder)
            scored = stored.script if stored is not None else recorded
            unplayed = self.script.cues[len(scored.cues):] if not self.script.timed else ()
            report = report_for_take(folder, scored, self.calibration, complete=complete,
                                     unplayed=unplayed, profile=self.profile)
        except ActingMirrorError as exc:
            return None, str(exc)
        return report, None
