"""``acting-mirror bench``: our pipeline against a naive one, side by side; with
``--live``, the desktop app itself on a simulated camera (rates, latency, stale
pictures, lossless recording, memory, startup)."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from pathlib import Path

LIVE_FACES = (1, 20)


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "bench",
        help="measure our pipeline against a naive one on generated 720p clips "
        "(--live: the app itself, on a simulated camera)",
        description="Build 720p clips (one face; 20 faces) from the bundled public-domain "
        "portraits, run our pipeline and a naive one (full detection every frame, one "
        "classifier call per face, synchronous writing) and print frames/s, per-stage "
        "p50/p95 ms, the speed-up and the quality guards. With --live, run the real main "
        "window on a simulated 720p 30 fps camera, recording throughout, and print input/"
        "analysed/painted fps, capture-to-painted latency, stale pictures, recorded vs "
        "analysed frames, memory over the run, and the app's startup time with each detector.",
    )
    p.add_argument("--frames", type=int, default=300, help="frames per clip (default 300 = 10 s at 30 fps)")
    p.add_argument("--detector", choices=("haar", "mtcnn", "both"), default=None,
                   help="face detector (default: both; with --live: haar)")
    p.add_argument("--clip", choices=("1face", "20faces", "both"), default="both")
    p.add_argument("--no-naive", action="store_true", help="only our pipeline")
    p.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON")
    p.add_argument("--keep", type=Path, metavar="DIR", help="keep the clips and takes in DIR")
    live = p.add_argument_group("live (the desktop app on a simulated camera)")
    live.add_argument("--live", action="store_true",
                      help="measure the running app instead of the offline pipeline")
    live.add_argument("--seconds", type=float, default=60.0,
                      help="measured seconds after the warm-up (default 60; 1800 for a soak)")
    live.add_argument("--faces", type=int, choices=LIVE_FACES, default=1,
                      help="faces in the simulated camera's picture (default 1)")
    live.add_argument("--warmup", type=float, metavar="SECONDS",
                      help="seconds before measuring (default 10%% of --seconds, 1 to 60)")
    live.add_argument("--startup-runs", type=int, default=1, metavar="N",
                      help="launches per detector for the startup line (0: skip; default 1)")
    return p


def run(args: argparse.Namespace) -> int:
    if getattr(args, "live", False):
        return _run_live(args)
    return _run_offline(args)


def _run_offline(args: argparse.Namespace) -> int:
    from acting_mirror.benchmark import format_table, run_bench
    from acting_mirror.errors import ActingMirrorError

    if args.frames < 10:
        raise ActingMirrorError("--frames must be at least 10.")
    detector = args.detector or "both"
    detectors = ("haar", "mtcnn") if detector == "both" else (detector,)
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


def _run_live(args: argparse.Namespace) -> int:
    from acting_mirror.errors import ActingMirrorError

    if args.seconds <= 0:
        raise ActingMirrorError("--seconds must be positive.")
    if args.warmup is not None and args.warmup < 0:
        raise ActingMirrorError("--warmup cannot be negative.")
    if not any(os.environ.get(k) for k in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # no screen: render off screen
    try:
        from acting_mirror.gui.live_bench import (
            LiveBenchConfig, format_live_report, format_startup, loadavg, run_live_command,
        )
    except ImportError as exc:
        raise ActingMirrorError(f"The live benchmark needs the desktop app ({exc}).") from exc

    detector = args.detector or "haar"
    detectors = ("haar", "mtcnn") if detector == "both" else (detector,)
    configs = [LiveBenchConfig(seconds=args.seconds, detector=d, faces=args.faces,
                               warmup_s=args.warmup) for d in detectors]
    log = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731
    print(f"acting-mirror bench --live · {platform.processor() or platform.machine()} · "
          f"{os.cpu_count()} cores · load {loadavg()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="acting-mirror-live-") as tmp:
        workdir = args.keep if args.keep is not None else Path(tmp)
        reports, startups = run_live_command(
            configs, startup_detectors=("haar", "mtcnn") if args.startup_runs > 0 else (),
            startup_runs=args.startup_runs, workdir=workdir, log=log,
        )
    for report in reports:
        print(format_live_report(report))
    for startup in startups:
        print(format_startup(startup))
    if args.json is not None:
        args.json.write_text(json.dumps(
            {"live": [r.to_dict() for r in reports], "startup": [s.to_dict() for s in startups]},
            indent=2) + "\n")
    return 0
