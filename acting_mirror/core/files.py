"""Small file helpers: write a file whole or not at all, read a JSON object leniently."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from acting_mirror.errors import OutputError


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename, so a crash or a
    full disk never leaves half a file (the old one, if any, stays whole). Parent folders
    are created. Raises OutputError with one sentence."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
            os.chmod(tmp, 0o644)  # mkstemp makes it owner-only; these are ordinary files
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
