"""What a batch reads: video files, folders searched for videos, and CSV lists
(``input,script,actor[,date]`` per row), and the take folder each input gets.

Pure Python (no Dask, no OpenCV): the plan is made on the client, before any task runs.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from acting_mirror.errors import ActingMirrorError

VIDEO_SUFFIXES = frozenset({
    ".mp4", ".m4v", ".mov", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".wmv", ".3gp", ".ogv",
})
CSV_COLUMNS = ("input", "script", "actor")
MANIFEST = "batch.json"
"""``DIR/batch.json``: which input went to which take folder, with its actor and script."""
MAX_CSV_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class BatchItem:
    """One input of a batch: the video, the script to score it against (or None), the
    actor (from the CSV, else None) and a date (CSV ``date`` column, else "")."""

    input: str
    script: str | None = None
    actor: str | None = None
    date: str = ""


@dataclass(frozen=True)
class PlannedTake:
    item: BatchItem
    name: str  # the take folder's name under DIR

    def folder(self, out: Path) -> Path:
        return Path(out) / self.name


def is_video(path: Path) -> bool:
    return path.suffix.lower() in VIDEO_SUFFIXES and not path.name.startswith(".")


def collect_inputs(specs: list[str], *, script: Path | None = None) -> list[BatchItem]:
    """The inputs named by ``specs`` in order: a file as is, a folder searched (recursively,
    sorted) for videos, a ``.csv`` read as a list. ``script`` applies to inputs without one
    of their own. Raises ActingMirrorError (one line) on a missing path, an empty folder or
    a bad CSV; duplicates are kept once."""
    items: list[BatchItem] = []
    default_script = str(script) if script is not None else None
    for spec in specs:
        path = Path(spec)
        if not path.exists():
            raise ActingMirrorError(f"No such input: {spec}.")
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and is_video(p)
                           and not any(part.startswith(".") for part in p.relative_to(path).parts))
            if not found:
                raise ActingMirrorError(
                    f"{spec} holds no videos ({', '.join(sorted(VIDEO_SUFFIXES))}).")
            items += [BatchItem(str(p), default_script) for p in found]
        elif path.suffix.lower() == ".csv":
            for row in read_csv(path):
                items.append(row if row.script is not None else
                             BatchItem(row.input, default_script, row.actor, row.date))
        else:
            items.append(BatchItem(str(path), default_script))
    seen: set[str] = set()
    unique = []
    for item in items:
        key = str(Path(item.input).resolve())
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


def read_csv(path: Path) -> list[BatchItem]:
    """Rows of a batch CSV. The header must name ``input`` (``script``, ``actor`` and
    ``date`` are optional); relative paths are relative to the CSV's folder. Blank rows
    and rows starting with ``#`` are skipped."""
    try:
        raw = Path(path).read_bytes()[: MAX_CSV_BYTES + 1]
    except OSError as exc:
        raise ActingMirrorError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    if len(raw) > MAX_CSV_BYTES:
        raise ActingMirrorError(f"{path} is larger than {MAX_CSV_BYTES // 2**20} MB: not a batch list.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ActingMirrorError(f"{path} is not UTF-8 text: {exc.reason} at byte {exc.start}.") from exc
    return parse_csv(text, base=Path(path).parent, name=str(path))


def parse_csv(text: str, *, base: Path, name: str = "the CSV") -> list[BatchItem]:
    if "\x00" in text:
        raise ActingMirrorError(f"{name} holds NUL bytes: not a batch list.")
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ActingMirrorError(f"{name}: not a valid CSV ({exc}).") from exc
    rows = [r for r in rows if any(c.strip() for c in r) and not r[0].lstrip().startswith("#")]
    if not rows:
        raise ActingMirrorError(f"{name} is empty: give a header input,script,actor and one row per take.")
    header = [c.strip().lower() for c in rows[0]]
    if "input" not in header:
        raise ActingMirrorError(
            f"{name}: the first row must be a header naming the columns "
            f"(input,script,actor), not {','.join(rows[0])[:80]!r}.")
    col = {c: header.index(c) for c in ("input", "script", "actor", "date") if c in header}
    items = []
    for n, row in enumerate(rows[1:], start=2):
        def cell(key: str) -> str:
            i = col.get(key)
            return row[i].strip() if i is not None and i < len(row) else ""

        video = cell("input")
        if not video:
            raise ActingMirrorError(f"{name}, row {n}: no input.")
        script = cell("script")
        items.append(BatchItem(
            input=str(_relative_to(base, video)),
            script=str(_relative_to(base, script)) if script else None,
            actor=cell("actor") or None,
            date=cell("date"),
        ))
    if not items:
        raise ActingMirrorError(f"{name} lists no takes under its header.")
    return items


def _relative_to(base: Path, value: str) -> Path:
    p = Path(value)
    try:
        p = p.expanduser()
    except RuntimeError:  # "~name" for no such user: a relative name like any other
        pass
    return p if p.is_absolute() else base / p


_UNSAFE = re.compile(r"[^\w.-]+")


def take_name(item: BatchItem) -> str:
    """A folder name from the input (its stem), with the actor in front when known."""
    stem = _UNSAFE.sub("-", Path(item.input).stem).strip("-.") or "take"
    if item.actor:
        actor = _UNSAFE.sub("-", item.actor).strip("-.")
        if actor and not stem.lower().startswith(actor.lower()):
            stem = f"{actor}-{stem}"
    return stem[:80]


def load_manifest(out: Path) -> dict[str, dict]:
    """``{take name: entry}`` from ``DIR/batch.json`` ({} when there is none)."""
    try:
        data = json.loads((Path(out) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    takes = data.get("takes") if isinstance(data, dict) else None
    return {str(k): v for k, v in takes.items() if isinstance(v, dict)} if isinstance(takes, dict) else {}


def plan(items: list[BatchItem], out: Path) -> list[PlannedTake]:
    """A take folder name for every input. An input already in ``DIR/batch.json`` keeps
    its folder (so a re-run finds its take); a new one gets its own name, with ``-2``,
    ``-3``... when that name is taken by another input or by a folder not of this batch
    (never overwritten)."""
    out = Path(out)
    manifest = load_manifest(out)
    by_input = {str(Path(e.get("input", "")).resolve()): name for name, e in manifest.items()}
    used = set(manifest)
    planned: list[PlannedTake | None] = [None] * len(items)
    for i, item in enumerate(items):
        name = by_input.get(str(Path(item.input).resolve()))
        if name is not None:
            planned[i] = PlannedTake(item, name)
    for i, item in enumerate(items):
        if planned[i] is not None:
            continue
        base = take_name(item)
        name, n = base, 1
        while name in used or _occupied(out / name):
            n += 1
            name = f"{base}-{n}"
        used.add(name)
        planned[i] = PlannedTake(item, name)
    return [p for p in planned if p is not None]


def _occupied(folder: Path) -> bool:
    """A path ``process --out`` would refuse: anything but a missing or empty folder."""
    if not folder.exists():
        return False
    if not folder.is_dir():
        return True
    return any(folder.iterdir())


def manifest_entry(take: PlannedTake, result: dict | None = None) -> dict:
    entry = {k: v for k, v in asdict(take.item).items()}
    entry["input"] = str(Path(take.item.input).resolve())
    if take.item.script:
        entry["script"] = str(Path(take.item.script).resolve())
    if result:
        entry.update({k: result[k] for k in ("status", "message", "frames", "seconds", "finished")
                      if k in result})
    return entry
