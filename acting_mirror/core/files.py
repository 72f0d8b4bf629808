"""Small file helpers: write a file whole or not at all, read a JSON object leniently."""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
from pathlib import Path

from acting_mirror.errors import OutputError


_UMASK_LOCK = threading.Lock()


def current_umask() -> int:
    """The process's umask, so files get the permissions the user chose (``0644`` under
    the usual ``022``, ``0600`` under ``077``)."""
    try:  # Linux: read it without changing it
        status = Path("/proc/self/status").read_text()
        match = re.search(r"^Umask:\s*([0-7]+)$", status, re.MULTILINE)
        if match:
            return int(match.group(1), 8)
    except OSError:
        pass
    with _UMASK_LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename, so a crash or a
    full disk never leaves half a file (the old one, if any, stays whole). Parent folders
    are created; the file's permissions follow the user's umask. Raises OutputError
    with one sentence."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
            os.chmod(tmp, 0o666 & ~current_umask())  # mkstemp makes it owner-only
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise OutputError(f"Cannot write {path}: {exc.strerror or exc}.") from exc


def read_json_object(path: Path) -> dict:
    """The JSON object in ``path``, or ``{}`` when it is missing, unreadable or not an object."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def read_headed_pairs(path: Path | str, convert) -> tuple[dict, list[tuple]]:
    """A crash-safe log: a JSON object on the first line, then one pair of numbers per
    line (``convert(a, b)`` turns the two fields into a tuple; it raises ValueError to end
    the log there). A line cut mid-write, a line that is not a pair and anything after it
    are ignored. ``({}, [])`` when the file cannot be read."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return {}, []
    lines = data.split(b"\n")
    if not data.endswith(b"\n"):
        lines = lines[:-1]  # the last line was cut mid-write
    meta: dict = {}
    pairs: list[tuple] = []
    for n, raw in enumerate(lines):
        if n == 0:
            try:
                parsed = json.loads(raw.decode("utf-8"))
                meta = parsed if isinstance(parsed, dict) else {}
            except (UnicodeDecodeError, ValueError):
                meta = {}
            continue
        parts = raw.split()
        if len(parts) != 2:
            break
        try:
            pairs.append(convert(parts[0], parts[1]))
        except ValueError:
            break
    return meta, pairs
