"""``acting-mirror bench``: our pipeline against a naive one, side by side; with
``--live``, the desktop app itself on a simulated camera (rates, latency, stale
pictures, lossless recording, memory, startup)."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import sys
import tempfile
from pathlib import Path

from acting_mirror.config import screen_configured

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
    p.add_argument("--detector", choices=("haar", "mtcnn", "mesh", "both", "all"), default=None,
                   help="face detector (default: both = haar and mtcnn; all adds mesh; "
                   "with --live: haar)")
    p.add_argument("--clip", choices=("1face", "20faces", "both"), default="both")
    p.add_argument("--no-naive", action="store_true", help="only our pipeline")
    p.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON")
    p.add_argument("--keep", type=Path, metavar="DIR", help="keep the clips and takes in DIR")
    p.add_argument("--batch", type=int, nargs="?", const=8, metavar="N",
                   help="time `batch` on N synthetic takes (default 8; --frames each): 1 worker, "
                   "a worker per core, and dask scheduler + workers over loopback (needs [batch])")
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
    live.add_argument("--face-detail", action="store_true",
                      help="with haar or mtcnn: the face mesh on the main face too (View › "
                      "Face detail; the mesh detector reads every face anyway)")
    return p


_OFFLINE_ONLY = {"frames": 300, "clip": "both", "no_naive": False}
_LIVE_ONLY = {"seconds": 60.0, "faces": 1, "warmup": None, "startup_runs": 1, "face_detail": False}


def run(args: argparse.Namespace) -> int:
    from acting_mirror.errors import ActingMirrorError

    live = getattr(args, "live", False)
    if getattr(args, "batch", None) is not None:
        if live:
            raise ActingMirrorError("--batch and --live are two different benchmarks: choose one.")
        return _run_batch(args)
    other = _OFFLINE_ONLY if live else _LIVE_ONLY
    changed = [name for name, default in other.items() if getattr(args, name, default) != default]
    if changed:
        option = "--" + changed[0].replace("_", "-")
        raise ActingMirrorError(
            f"{option} applies only {'without' if live else 'with'} --live."
        )
    return _run_live(args) if live else _run_offline(args)


def _write_json(path: Path | None, data) -> None:
    if path is not None:
        from acting_mirror.core.files import write_text_atomic

        write_text_atomic(path, json.dumps(data, indent=2) + "\n")


def _run_offline(args: argparse.Namespace) -> int:
    from acting_mirror.bench.offline import format_table, run_bench
    from acting_mirror.errors import ActingMirrorError

    if args.frames < 10:
        raise ActingMirrorError("--frames must be at least 10.")
    detector = args.detector or "both"
    detectors = {"both": ("haar", "mtcnn"), "all": ("haar", "mtcnn", "mesh")}.get(
        detector, (detector,))
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
    _write_json(args.json, [c.to_dict() for c in results])
    return 0


def _run_batch(args: argparse.Namespace) -> int:
    from acting_mirror.batch.engine import import_distributed
    from acting_mirror.errors import ActingMirrorError

    import_distributed()
    if args.batch < 1 or args.frames < 10:
        raise ActingMirrorError("--batch needs at least 1 take and --frames at least 10.")
    from acting_mirror.batch.bench import format_batch_table, machine_line, run_batch_bench

    detector = args.detector or "haar"
    if detector == "both":
        raise ActingMirrorError("--batch times one detector: --detector haar or mtcnn.")
    print(f"acting-mirror bench --batch · {machine_line()} · {args.batch} takes × "
          f"{args.frames} frames · {detector}", flush=True)
    rows = run_batch_bench(takes=args.batch, frames=args.frames, detector=detector,
                           workdir=args.keep, log=lambda s: print(s, file=sys.stderr, flush=True))
    print(format_batch_table(rows))
    _write_json(args.json, [r.to_dict() for r in rows])
    return 0


def _run_live(args: argparse.Namespace) -> int:
    from acting_mirror.errors import ActingMirrorError

    if args.seconds <= 0:
        raise ActingMirrorError("--seconds must be positive.")
    if args.warmup is not None and args.warmup < 0:
        raise ActingMirrorError("--warmup cannot be negative.")
    if not screen_configured():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # no screen: render off screen
    try:
        from acting_mirror.bench.live import (
            LiveBenchConfig, format_live_report, format_startup, loadavg, run_live_command,
        )
    except ImportError as exc:
        raise ActingMirrorError(f"The live benchmark needs the desktop app ({exc}).") from exc

    detector = args.detector or "haar"
    detectors = {"both": ("haar", "mtcnn"), "all": ("haar", "mtcnn", "mesh")}.get(
        detector, (detector,))
    configs = [LiveBenchConfig(seconds=args.seconds, detector=d, faces=args.faces,
                               warmup_s=args.warmup, face_detail=args.face_detail)
               for d in detectors]
    log = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731
    print(f"acting-mirror bench --live · {platform.processor() or platform.machine()} · "
          f"{os.cpu_count()} cores · load {loadavg()}", flush=True)
    kept = contextlib.nullcontext(args.keep) if args.keep is not None else None
    with kept or tempfile.TemporaryDirectory(prefix="acting-mirror-live-") as workdir:
        reports, startups = run_live_command(
            configs, startup_detectors=("haar", "mtcnn") if args.startup_runs > 0 else (),
            startup_runs=args.startup_runs, workdir=Path(workdir), log=log,
        )
    for report in reports:
        print(format_live_report(report))
    for startup in startups:
        print(format_startup(startup))
    _write_json(args.json, {"live": [r.to_dict() for r in reports],
                            "startup": [s.to_dict() for s in startups]})
    return 0
