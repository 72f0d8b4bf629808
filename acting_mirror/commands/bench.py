"""``acting-mirror bench``: our pipeline against a naive one, side by side."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "bench",
        help="measure our pipeline against a naive one on generated 720p clips",
        description="Build 720p clips (one face; 20 faces) from the bundled public-domain "
        "portraits, run our pipeline and a naive one (full detection every frame, one "
        "classifier call per face, synchronous writing) and print frames/s, per-stage "
        "p50/p95 ms, the speed-up and the quality guards.",
    )
    p.add_argument("--frames", type=int, default=300, help="frames per clip (default 300 = 10 s at 30 fps)")
    p.add_argument("--detector", choices=("haar", "mtcnn", "both"), default="both")
    p.add_argument("--clip", choices=("1face", "20faces", "both"), default="both")
    p.add_argument("--no-naive", action="store_true", help="only our pipeline")
    p.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON")
    p.add_argument("--keep", type=Path, metavar="DIR", help="keep the clips and takes in DIR")
    return p


def run(args: argparse.Namespace) -> int:
    from acting_mirror.benchmark import format_table, run_bench
    from acting_mirror.errors import ActingMirrorError

    if args.frames < 10:
        raise ActingMirrorError("--frames must be at least 10.")
    detectors = ("haar", "mtcnn") if args.detector == "both" else (args.detector,)
    clips = {"1face": ("720p-1face",), "20faces": ("720p-20faces",)}.get(
        args.clip, ("720p-1face", "720p-20faces")
    )
    print(f"acting-mirror bench · {platform.processor() or platform.machine()} · "
          f"{os.cpu_count()} cores · {args.frames} frames per clip", flush=True)
    results = run_bench(
        frames=args.frames, detectors=detectors, clips=clips, naive=not args.no_naive,
        workdir=args.keep, log=lambda s: print(s, file=sys.stderr, flush=True),
    )
    print(format_table(results))
    if args.json is not None:
        args.json.write_text(json.dumps([c.to_dict() for c in results], indent=2) + "\n")
    return 0
