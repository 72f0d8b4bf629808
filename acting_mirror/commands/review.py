"""``acting-mirror review TAKE [TAKE2]``: open a take's review, or compare two takes of
the same script side by side, straight from the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from acting_mirror.config import screen_configured
from acting_mirror.errors import ActingMirrorError, SourceError


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "review",
        help="review a take, or compare two takes of the same script",
        description="Open TAKE (a take folder) in the review window: its video, the main "
        "face's curves and its report. With TAKE2, compare the two takes side by side: "
        "videos in step by script line, curves overlaid, and each line's verdict in both "
        "with what changed.",
    )
    p.add_argument("take", type=Path, metavar="TAKE", help="a take folder")
    p.add_argument("other", type=Path, nargs="?", metavar="TAKE2",
                   help="a second take of the same script, to compare with TAKE")
    return p


def _check_take(folder: Path) -> Path:
    from acting_mirror.core.take_catalog import read_take_entry

    if not folder.exists():
        raise SourceError(f"No take folder at {folder}.")
    if not folder.is_dir() or read_take_entry(folder) is None:
        raise SourceError(f"{folder} is not a take folder (it holds no timeline.csv or "
                          "summary.json).")
    return folder


def run(args: argparse.Namespace, *, on_window=None) -> int:
    take = _check_take(args.take)
    other = _check_take(args.other) if args.other is not None else None
    if other is not None and other.resolve() == take.resolve():
        raise ActingMirrorError("Give two different takes to compare.")
    if sys.platform.startswith("linux") and not screen_configured():
        raise ActingMirrorError(
            "No screen found (DISPLAY is not set): the review needs a graphical session; "
            "acting-mirror process TAKE --script FILE scores a take without one.")
    from acting_mirror.system_check import check_qt_libraries

    check_qt_libraries()
    try:
        from acting_mirror.gui.app import run_review
    except ImportError as exc:
        raise ActingMirrorError(f"The review cannot start ({exc}).") from exc
    return run_review(take, other, on_window=on_window)
