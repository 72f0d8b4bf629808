"""``acting-mirror recover``: repair takes whose recording was interrupted."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from acting_mirror.config import default_takes_dir
from acting_mirror.errors import ActingMirrorError


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "recover",
        help="repair takes that were interrupted (killed, crashed, disk full)",
        description="Repair interrupted takes: the video is made seekable with a correct "
        "frame count, the timeline cut to the frames the video holds, summary.json rebuilt "
        "from the timeline and marked \"complete\": false, \"interrupted\": true. No "
        "recoverable frame is deleted; running it again changes nothing. Each PATH is a "
        "take folder or a folder of takes (default: the takes library). One line per take.",
    )
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    p.add_argument("--all", action="store_true",
                   help="also list takes that need nothing")
    return p


def run(args: argparse.Namespace) -> int:
    from acting_mirror.media.recovery import (
        find_takes, is_being_recorded, needs_recovery, recover_take,
    )

    paths = args.paths or [default_takes_dir()]
    takes: list[Path] = []
    for path in paths:
        if not path.exists():
            raise ActingMirrorError(f"No such take or folder: {path}.")
        if not path.is_dir():
            raise ActingMirrorError(f"{path} is not a folder: name a take folder or a folder of takes.")
        takes.extend(find_takes(path))
    repaired = failed = busy = 0
    for take in takes:
        if not needs_recovery(take):
            if args.all:
                print(f"{take}: complete, nothing to repair.")
            continue
        if is_being_recorded(take):
            print(f"{take}: still being recorded; left alone.")
            busy += 1
            continue
        try:
            outcome = recover_take(take)
        except ActingMirrorError as exc:
            print(f"acting-mirror: {exc}", file=sys.stderr)
            failed += 1
            continue
        print(outcome.line())
        repaired += 1
    if not repaired and not failed and not busy:
        print(f"No interrupted take in {', '.join(str(p) for p in paths)}.")
    return 2 if failed else 0
