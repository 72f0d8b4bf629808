"""Take folders: fresh timestamped folders that never overwrite earlier work."""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

from acting_mirror.errors import OutputError

MIN_FREE_BYTES = 64 * 1024 * 1024
"""Free space a take needs before it starts (about a minute of 720p MJPG)."""

_MAX_SUFFIX = 1000
_LABEL_MAX = 40


def _safe_label(label: str) -> str:
    """``label`` made safe as part of a folder name on every platform ("" if nothing is left)."""
    text = re.sub(r"\s+", "-", label.strip())
    text = re.sub(r"[^\w\-]", "", text)  # letters, digits, underscore, dash
    return text.strip("-_")[:_LABEL_MAX]


def _reason(exc: OSError) -> str:
    return (exc.strerror or str(exc)).rstrip(".").lower()


def new_take_dir(takes_root: Path, label: str | None = None) -> Path:
    """Create and return a new folder ``takes_root/YYYY-mm-dd_HH-MM-SS[_label]``.

    When that name is taken (two takes in one second) ``-2``, ``-3``... is appended.
    An existing folder is never reused. Raises OutputError when ``takes_root`` cannot
    be created or written.
    """
    root = Path(takes_root).expanduser()
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"Cannot create the takes folder {root}: {_reason(exc)}.") from exc
    if not root.is_dir():
        raise OutputError(f"Cannot create takes in {root}: it is not a folder.")
    stem = time.strftime("%Y-%m-%d_%H-%M-%S")
    clean = _safe_label(label) if label else ""
    if clean:
        stem = f"{stem}_{clean}"
    for n in range(1, _MAX_SUFFIX + 1):
        candidate = root / (stem if n == 1 else f"{stem}-{n}")
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        except OSError as exc:
            raise OutputError(f"Cannot create a take folder in {root}: {_reason(exc)}.") from exc
        return candidate
    raise OutputError(f"Cannot create a take folder in {root}: too many takes named {stem}.")


def prepare_out_dir(path: Path) -> Path:
    """Make ``path`` ready to receive a take and return it.

    Creates the folder (and its parents) when missing; accepts an existing empty folder.
    Refuses, with OutputError, an existing non-empty folder (so earlier work is never
    overwritten), a file, or a place that cannot be written.
    """
    path = Path(path).expanduser()
    if path.exists():
        if not path.is_dir():
            raise OutputError(f"Cannot write the take to {path}: it is a file, not a folder.")
        try:
            non_empty = any(path.iterdir())
        except OSError as exc:
            raise OutputError(f"Cannot read the output folder {path}: {_reason(exc)}.") from exc
        if non_empty:
            raise OutputError(
                f"The output folder {path} already holds files; choose a new or empty folder."
            )
        if not os.access(path, os.W_OK | os.X_OK):
            raise OutputError(f"Cannot write to the output folder {path}: permission denied.")
        return path
    try:
        path.mkdir(parents=True)
    except OSError as exc:
        raise OutputError(f"Cannot create the output folder {path}: {_reason(exc)}.") from exc
    return path


def discard_if_empty(path: Path) -> bool:
    """Remove ``path`` if it is an empty folder (an abandoned take); True when removed."""
    path = Path(path)
    try:
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()
            return True
    except OSError:
        return False
    return False


def free_bytes(path: Path) -> int | None:
    """Bytes free for an ordinary user on the filesystem holding ``path`` (``None`` when
    the system cannot tell)."""
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return None


def check_free_space(path: Path, needed: int = MIN_FREE_BYTES) -> int | None:
    """Raise OutputError when the filesystem holding ``path`` has less than ``needed``
    bytes free; returns the free bytes (``None`` when unknown: then the recorder's
    checks while writing are the guard)."""
    free = free_bytes(Path(path))
    if free is not None and free < needed:
        raise OutputError(
            f"Only {_megabytes(free)} free on the disk holding {path}; a take needs at "
            f"least {_megabytes(needed)}. Free some space or choose another folder."
        )
    return free


def _megabytes(n: int) -> str:
    return f"{n / 1e6:.1f} MB"
