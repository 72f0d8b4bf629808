"""The script a take was played to, stored in the take folder.

A scripted take holds, besides ``output.avi``, ``timeline.csv`` and ``summary.json``:

- ``script.txt``: the script to score the take with, in the script format. A timed
  script is copied as written; a teleprompter take stores its lines *with the times the
  actor showed them* (so ``report_for_take`` can score it later);
- ``script.json``: what the takes library needs to group takes: the script's name, a
  key that is the same for every take of the same script (see :func:`script_key`), its
  form, and the actor profile and calibration used.

Pure Python (no Qt), so the analysis worker and the windows share it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from acting_mirror.core.files import read_json_object, write_text_atomic
from acting_mirror.core.calibration import NeutralCalibration
from acting_mirror.core.follower import CueState, ScriptFollower
from acting_mirror.core.script import Script, format_script, parse_script
from acting_mirror.core.scoring import TakeReport
from acting_mirror.core.types import Face
from acting_mirror.errors import ActingMirrorError, ScriptError

SCRIPT_TXT = "script.txt"
SCRIPT_JSON = "script.json"


def script_key(script: Script) -> str:
    """A short key naming a script by its content: the same lines, targets (and times,
    for a timed script) give the same key, whatever the comments, spacing or file name.
    A teleprompter script's key ignores the times a take recorded."""
    if script.timed:
        text = format_script(script)
    else:
        text = "\n".join(f"{c.target_label} {c.text}".strip() for c in script.cues) + "\n"
    form = "timed" if script.timed else "teleprompter"
    return hashlib.sha256(f"{form}\n{text}".encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class TakeScript:
    """A take's script as stored: ``script`` is the scorable one (with times)."""

    script: Script
    name: str
    key: str
    timed: bool
    actor: str = ""
    calibrated: bool = False


def write_take_script(
    folder: Path | str,
    played: Script,
    recorded: Script | None = None,
    *,
    original_text: str | None = None,
    actor: str = "",
    calibrated: bool = False,
) -> Path:
    """Store the script of a take in ``folder``: ``played`` is the script as loaded,
    ``recorded`` the one to score with (``ScriptFollower.recorded_script()``; the same
    as ``played`` for a timed script). ``original_text`` (the file as written) is kept
    for timed scripts so comments survive. Returns the path of ``script.txt``."""
    folder = Path(folder)
    scored = recorded if recorded is not None else played
    if scored.has_times:  # a line skipped within one frame has no time to score: drop it
        kept = tuple(c for c in scored.cues if c.end_ms > c.start_ms)  # type: ignore[operator]
        if kept and len(kept) != len(scored.cues):
            scored = Script(kept, timed=scored.timed, source=scored.source)
    name = played.source or "script"
    if played.timed:
        text = original_text if original_text is not None else format_script(played)
    else:
        text = (
            f"# {name}, played as a teleprompter script: each line with the time it was\n"
            "# shown in this take (so the take can be scored).\n" + format_script(scored)
        )
    meta = {
        "name": name,
        "key": script_key(played),
        "form": "timed" if played.timed else "teleprompter",
        "lines": len(played.cues),
        "lines_played": len(scored.cues),
        "actor": actor,
        "calibrated": bool(calibrated),
    }
    path = folder / SCRIPT_TXT
    write_text_atomic(path, text)
    write_text_atomic(folder / SCRIPT_JSON, json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    return path


def read_take_script(folder: Path | str) -> TakeScript | None:
    """The script stored with the take in ``folder``; ``None`` when there is none.
    Raises ScriptError when ``script.txt`` exists but does not parse."""
    folder = Path(folder)
    path = folder / SCRIPT_TXT
    if not path.is_file():
        return None
    meta = read_json_object(folder / SCRIPT_JSON)
    name = str(meta.get("name") or path.name)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScriptError(f"Cannot read {path}: {exc}.", problems=[str(exc)]) from exc
    script = parse_script(text, name=name)
    key = str(meta.get("key") or script_key(script))
    form = meta.get("form")
    timed = script.timed if form not in ("timed", "teleprompter") else form == "timed"
    return TakeScript(script, name, key, timed, str(meta.get("actor") or ""),
                      bool(meta.get("calibrated", False)))


def read_take_script_meta(folder: Path | str) -> dict:
    """``script.json`` of a take as a dict (empty when missing or unreadable)."""
    return read_json_object(Path(folder) / SCRIPT_JSON)


class ScriptRun:
    """A script being rehearsed, frame by frame, over any number of takes (used by the
    analysis worker, which owns it; no locking).

    :meth:`update` every analysed frame gives the :class:`CueState` to show. Between
    takes the follower waits ("get ready"); :meth:`begin_take` makes the next frame
    *recorded* start the script's clock, so script time 0 is the take's first frame.
    :meth:`finish_take` stores the script with the take and writes its report.
    """

    def __init__(self, script: Script, calibration: NeutralCalibration | None = None, *,
                 text: str | None = None, actor: str = ""):
        self.script = script
        self.text = text
        self.actor = actor
        self.calibration = calibration
        self.follower = ScriptFollower(script, calibration)
        self._pending = False  # begin_take() called, first recorded frame not seen yet
        self.in_take = False

    def set_calibration(self, calibration: NeutralCalibration | None, actor: str = "") -> None:
        """Switch the calibration (takes in progress go on with the new one)."""
        self.calibration = calibration
        self.actor = actor
        self.follower.calibration = calibration

    def begin_take(self) -> None:
        self.follower = ScriptFollower(self.script, self.calibration)
        self._pending = True
        self.in_take = True

    def update(self, time_ms: int, primary: Face | None, *, recorded: bool) -> CueState:
        """The state for one analysed frame; ``recorded``: the frame went into the take."""
        if self._pending and recorded:
            self._pending = False
            self.follower.start(time_ms)
        return self.follower.update(time_ms, primary)

    def advance(self) -> None:
        """Teleprompter: the next line (ignored unless a take is running)."""
        if self.in_take and not self.script.timed and self.follower.started:
            self.follower.advance()

    @property
    def take_complete(self) -> bool:
        """The running take reached the end of the script."""
        return self.in_take and self.follower.started and self.follower.finished

    def finish_take(self, folder: Path | None, frames: int) -> tuple[TakeReport | None, str | None]:
        """End the take: with frames, store the script in ``folder`` and write the report.
        Returns ``(report, problem)``; either may be ``None``."""
        from acting_mirror.core.report import report_for_take

        follower, self.in_take, self._pending = self.follower, False, False
        self.follower = ScriptFollower(self.script, self.calibration)
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
            report = report_for_take(folder, scored, self.calibration)
        except ActingMirrorError as exc:
            return None, str(exc)
        return report, None


__all__ = [
    "SCRIPT_TXT", "SCRIPT_JSON", "TakeScript", "script_key", "write_take_script",
    "read_take_script", "read_take_script_meta", "ScriptRun",
]
