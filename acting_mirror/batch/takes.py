"""A take folder's state for a batch, and setting aside an interrupted one."""

from __future__ import annotations

import shutil
from pathlib import Path

from acting_mirror.core.takefiles import IN_PROGRESS, SUMMARY_JSON
from acting_mirror.errors import ActingMirrorError

INTERRUPTED_DIR = ".interrupted"
"""Where a re-run sets aside the takes it redoes (``DIR/.interrupted/NAME-N``), repaired."""


def take_state(folder: Path) -> str:
    """``"new"`` (nothing there), ``"complete"`` (a take that closed: its summary written,
    no in-progress marker) or ``"interrupted"`` (anything else left behind)."""
    if not folder.exists() or (folder.is_dir() and not any(folder.iterdir())):
        return "new"
    if (folder / SUMMARY_JSON).is_file() and not (folder / IN_PROGRESS).exists():
        return "complete"
    return "interrupted"


def set_aside(folder: Path, out: Path) -> Path:
    """Move an interrupted take to ``DIR/.interrupted/NAME-N`` (repaired first when it
    can be), so its name is free for the redo and nothing is deleted."""
    from acting_mirror.media.recovery import needs_recovery, recover_take

    if needs_recovery(folder):
        try:
            recover_take(folder)
        except ActingMirrorError:
            pass  # kept as it is
    aside = Path(out) / INTERRUPTED_DIR
    aside.mkdir(exist_ok=True)
    n = 1
    while (aside / f"{folder.name}-{n}").exists():
        n += 1
    target = aside / f"{folder.name}-{n}"
    shutil.move(str(folder), str(target))
    return target
