"""``acting-mirror review TAKE [TAKE2 [TAKE3 [TAKE4]]]``: open a take's review, or compare
two to four takes of the same script side by side, straight from the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from acting_mirror.config import screen_configured
from acting_mirror.errors import ActingMirrorError, SourceError

MAX_TAKES = 4  # controllers.compare.MAX_TAKES (not imported: the parser stays light)


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "review",
        help="review a take, or compare two to four takes of the same script",
        description="Open TAKE (a take folder) in the review window: its video, the main "
        "face's curves and its report. With more takes (up to "
        f"{MAX_TAKES} in all), compare them side by side: videos in step by script line "
        "(TAKE is the reference the others follow), curves overlaid, and each line's "
        "verdict in every take with what changed.",
    )
    p.add_argument("take", type=Path, metavar="TAKE", help="a take folder")
    p.add_argument("others", type=Path, nargs="*", metavar="TAKE2",
                   help=f"up to {MAX_TAKES - 1} more takes of the same script, to compare "
                   "with TAKE")
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
    others = getattr(args, "others", None)
    if others is None:  # called as before, with one ``other``
        others = [args.other] if getattr(args, "other", None) is not None else []
    others = [_check_take(Path(folder)) for folder in others]
    if 1 + len(others) > MAX_TAKES:
        raise ActingMirrorError(f"Compare up to {MAX_TAKES} takes at a time "
                                f"({1 + len(others)} were given).")
    if len({f.resolve() for f in (take, *others)}) != 1 + len(others):
        raise ActingMirrorError("Give two different takes to compare." if len(others) == 1
                                else "A take was given twice: give each take once to compare.")
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
    return run_review(take, *others, on_window=on_window)
