"""The script a take was played to, stored in the take folder.

A scripted take holds, besides ``output.avi``, ``timeline.csv`` and ``summary.json``:

- ``script.txt``: the script to score the take with, in the script format. A timed
  script is copied as written; a teleprompter take stores its lines *with the times the
  actor showed them* (so ``report_for_take`` can score it later);
- ``script.json``: what the takes library needs to group takes: the script's name, a
  key that is the same for every take of the same script (see :func:`script_key`), its
  form, and the actor profile and calibration used.

Pure Python: the session writes it, the takes library and the review read it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from acting_mirror.core.files import read_json_object, write_text_atomic
from acting_mirror.core.takefiles import SCRIPT_JSON, SCRIPT_TXT
from acting_mirror.core.script import Script, format_script, parse_script
from acting_mirror.errors import ScriptError



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


__all__ = [
    "SCRIPT_TXT", "SCRIPT_JSON", "TakeScript", "script_key", "write_take_script",
    "read_take_script", "read_take_script_meta",
]
