"""The takes in a takes folder, as the library lists them: each take folder read into a
:class:`TakeEntry` (date, length, score, script), and the takes grouped by the script
they were played to (same script content, same group, whatever the file was called)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Iterable

from acting_mirror.core.files import read_json_object, write_text_atomic
from acting_mirror.core.take_script import read_take_script, read_take_script_meta
from acting_mirror.core.takefiles import (
    IN_PROGRESS, OUTPUT_AVI, REPORT_JSON, SCRIPT_TXT, SUMMARY_JSON, TAKE_JSON, TIMELINE_CSV,
)
from acting_mirror.errors import ScriptError

log = logging.getLogger(__name__)

UNSCRIPTED = "Without a script"
MAX_TAKE_NAME = 80
MAX_TAKE_NOTE = 2000


@dataclass(frozen=True)
class TakeMeta:
    """The name and note an actor gave a take (kept in its ``take.json``)."""

    name: str = ""
    note: str = ""


def _clean(text, limit: int, *, one_line: bool) -> str:
    text = "" if text is None else str(text)
    if one_line:
        text = " ".join(text.split())
    text = "".join(ch for ch in text if ch in "\n\t" or ch.isprintable()).strip()
    return text[:limit]


def read_take_meta(folder: Path | str) -> TakeMeta:
    """The take's name and note; empty ones when it has none (or the file is damaged)."""
    data = read_json_object(Path(folder) / TAKE_JSON)
    return TakeMeta(_clean(data.get("name"), MAX_TAKE_NAME, one_line=True),
                    _clean(data.get("note"), MAX_TAKE_NOTE, one_line=False))


def write_take_meta(folder: Path | str, name: str = "", note: str = "") -> TakeMeta:
    """Give the take in ``folder`` a name and a note (``take.json``, written whole);
    OutputError when the folder cannot be written."""
    import json

    meta = TakeMeta(_clean(name, MAX_TAKE_NAME, one_line=True),
                    _clean(note, MAX_TAKE_NOTE, one_line=False))
    write_text_atomic(Path(folder) / TAKE_JSON,
                      json.dumps({"name": meta.name, "note": meta.note}, indent=2) + "\n")
    return meta


@dataclass(frozen=True)
class TakeEntry:
    """One take folder as the library lists it."""

    folder: Path
    created: datetime | None
    duration_s: float | None
    frames: int | None
    source: str | None
    score: float | None  # from report.json; None when not scored
    calibrated: bool | None
    script_name: str | None
    script_key: str | None
    has_video: bool
    # "complete"; "incomplete" (cut short: quit, source ended early, disk full);
    # "interrupted" (killed, then repaired); "unrepaired" (killed, not repaired yet)
    state: str = "complete"
    title: str = ""  # the name the actor gave it (take.json), "" for none
    note: str = ""

    @property
    def name(self) -> str:
        """The name the actor gave the take, else its folder's."""
        return self.title or self.folder.name

    @property
    def when(self) -> str:
        if self.created is None:
            return "—"
        return self.created.strftime("%Y-%m-%d %H:%M")

    @property
    def length(self) -> str:
        if self.duration_s is None:
            return "—"
        s = int(round(self.duration_s))
        return f"{s // 60:02d}:{s % 60:02d}"

    @property
    def label(self) -> str:
        """The name as the library shows it: with the state of a take that is not complete."""
        return self.name if self.state == "complete" else f"{self.name} ({self.state})"

    @property
    def score_text(self) -> str:
        return "not scored" if self.score is None else f"{round(100 * self.score)}%"


def read_take_entry(folder: Path | str) -> TakeEntry | None:
    """The library's view of ``folder``; ``None`` when it is not a take."""
    folder = Path(folder)
    if not (folder / TIMELINE_CSV).is_file() and not (folder / SUMMARY_JSON).is_file():
        return None
    summary = read_json_object(folder / SUMMARY_JSON)
    created = None
    if summary.get("created"):
        try:
            created = datetime.fromisoformat(str(summary["created"]))
        except ValueError:
            created = None
    if created is None:
        try:
            created = datetime.fromtimestamp(folder.stat().st_mtime).astimezone()
        except OSError:
            created = None
    report = read_json_object(folder / REPORT_JSON)
    score = report.get("score")
    try:
        score = None if score is None else float(score)
    except (TypeError, ValueError):
        score = None
    meta = read_take_script_meta(folder)
    name, key = meta.get("name"), meta.get("key")
    if key is None and (folder / SCRIPT_TXT).is_file():
        try:  # a take scored outside the app: group by the script's content
            take_script = read_take_script(folder)
        except ScriptError:
            take_script = None
        if take_script is not None:
            name, key = take_script.name, take_script.key
    if key is None and report.get("script"):
        name = str(report["script"])
        key = f"name:{name}"
    duration = summary.get("duration_s")
    frames = summary.get("frames")
    take_meta = read_take_meta(folder)
    if (folder / IN_PROGRESS).is_file() or not summary:
        state = "unrepaired"
    elif summary.get("interrupted"):
        state = "interrupted"
    elif summary.get("complete") is False:
        state = "incomplete"
    else:
        state = "complete"
    return TakeEntry(
        folder=folder,
        created=created,
        duration_s=float(duration) if isinstance(duration, (int, float)) else None,
        frames=int(frames) if isinstance(frames, (int, float)) else None,
        source=summary.get("source"),
        score=score,
        calibrated=report.get("calibrated") if report else None,
        script_name=str(name) if name else None,
        script_key=str(key) if key else None,
        has_video=(folder / OUTPUT_AVI).is_file(),
        state=state,
        title=take_meta.name,
        note=take_meta.note,
    )


def scan_takes(root: Path | str) -> list[TakeEntry]:
    """Every take directly inside ``root``, oldest first."""
    root = Path(root)
    if not root.is_dir():
        return []
    entries = []
    try:
        children = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError as exc:
        log.warning("Cannot list %s: %s", root, exc)
        return []
    for child in children:
        entry = read_take_entry(child)
        if entry is not None:
            entries.append(entry)
    return sorted(entries, key=_order)


def _order(entry: TakeEntry):
    stamp = entry.created.timestamp() if entry.created is not None else 0.0
    return (stamp, entry.name)


@dataclass(frozen=True)
class TakeGroup:
    """The takes of one script (``key`` None: takes without a script), oldest first."""

    key: str | None
    name: str
    takes: tuple[TakeEntry, ...] = field(default_factory=tuple)

    @property
    def scores(self) -> list[float]:
        return [t.score for t in self.takes if t.score is not None]

    @property
    def best(self) -> float | None:
        return max(self.scores) if self.scores else None

    @property
    def latest_score(self) -> float | None:
        return self.scores[-1] if self.scores else None

    @property
    def last_created(self) -> float:
        return max((_order(t)[0] for t in self.takes), default=0.0)


def group_takes(entries: Iterable[TakeEntry]) -> list[TakeGroup]:
    """Takes grouped by script: scripts with the most recent takes first, then the takes
    without a script. Two different scripts with one file name are told apart."""
    by_key: dict[str | None, list[TakeEntry]] = {}
    for entry in sorted(entries, key=_order):
        by_key.setdefault(entry.script_key, []).append(entry)
    names: dict[str, int] = {}
    groups = []
    for key, takes in by_key.items():
        if key is None:
            continue
        name = takes[-1].script_name or "script"
        names[name] = names.get(name, 0) + 1
        groups.append(TakeGroup(key, name, tuple(takes)))
    groups.sort(key=lambda g: g.last_created, reverse=True)
    seen: dict[str, int] = {}
    for i, group in enumerate(groups):
        if names[group.name] > 1:  # same file name, different content: say which version
            seen[group.name] = seen.get(group.name, 0) + 1
            first = group.takes[0].when
            groups[i] = TakeGroup(group.key, f"{group.name} (version of {first})", group.takes)
    if None in by_key:
        groups.append(TakeGroup(None, UNSCRIPTED, tuple(by_key[None])))
    return groups


__all__ = ["TakeEntry", "TakeGroup", "read_take_entry", "scan_takes", "group_takes", "UNSCRIPTED"]
