"""``acting-mirror batch``: many recordings into takes at once on Dask, and a class report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from acting_mirror.core.takefiles import EXIT_ENDED_EARLY, EXIT_USER_ERROR, REPORT_HTML
from acting_mirror.errors import ActingMirrorError


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "batch",
        help="analyse many recordings at once (Dask, one machine or many) and write a class report",
        description="Analyse every INPUT into its own take folder under DIR, exactly as "
        "`process` writes it, on a Dask cluster: by default a local one with a worker "
        "process per core; --scheduler sends the takes to an existing cluster (the inputs "
        "and DIR on a folder every worker sees). INPUT is a video, a folder (searched for "
        "videos) or a CSV with a header naming input[,script,actor,date]. A re-run skips "
        "complete takes and redoes interrupted ones. Writes DIR/class-report.html and "
        "DIR/class-report.csv. Exit 0 when every take succeeded, 2 when one failed, 3 when "
        "one ended early. Needs the [batch] extra.",
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT")
    p.add_argument("--out", type=Path, metavar="DIR", required=True,
                   help="the folder for the take folders and the class report")
    p.add_argument("--script", type=Path, metavar="FILE",
                   help="the acting script for inputs the CSV gives none (a timed script)")
    p.add_argument("--detector", choices=("haar", "mtcnn"), default="haar",
                   help="face detector (default: haar)")
    p.add_argument("--model", type=Path, metavar="PATH",
                   help="a compatible emotion .tflite model (default: bundled mini-Xception)")
    p.add_argument("--workers", type=int, metavar="N",
                   help="worker processes of the local cluster (default: one per core); with "
                   "--scheduler, wait for N workers to join before starting")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="an existing Dask scheduler, e.g. tcp://10.0.0.5:8786 (see docs/batch.md)")
    p.add_argument("--no-video", action="store_true", help="analysis only: skip output.avi")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def run(args: argparse.Namespace) -> int:
    from acting_mirror.batch.engine import Cluster, import_distributed, run_batch
    from acting_mirror.batch.inputs import collect_inputs, plan
    from acting_mirror.batch.classreport import write_class_report
    from acting_mirror.commands.process import _finish_on_signals

    import_distributed()  # one line on how to install it, before anything else
    if args.workers is not None and args.workers < 1:
        raise ActingMirrorError("--workers must be at least 1.")
    if args.model is not None and not args.model.is_file():
        raise ActingMirrorError(f"Model file not found: {args.model}.")
    if args.out.exists() and not args.out.is_dir():
        raise ActingMirrorError(f"--out {args.out} is a file, not a folder.")
    if args.script is not None:
        _check_script(args.script)
    items = collect_inputs(args.inputs, script=args.script)
    bad_scripts = {}
    for script in sorted({i.script for i in items if i.script}):
        try:
            _check_script(Path(script))
        except ActingMirrorError as exc:
            bad_scripts[script] = str(exc)
    planned = plan(items, args.out)
    runnable = [t for t in planned if t.item.script not in bad_scripts]
    where = args.scheduler or "a local cluster"
    print(f"acting-mirror batch: {len(planned)} input(s) -> {args.out} on {where}", flush=True)
    progress = _Progress(len(planned), disabled=args.quiet)
    failed_early = {}
    for take in planned:
        if take.item.script in bad_scripts:
            result = {"name": take.name, "input": take.item.input, "status": "failed",
                      "message": bad_scripts[take.item.script]}
            failed_early[take.name] = result
            progress.take(take, result, args.out)
    try:
        with _finish_on_signals(), Cluster(
                workers=None if args.scheduler else args.workers, address=args.scheduler,
                detector=args.detector) as cluster:
            if args.scheduler:
                cluster.wait_for_workers(args.workers or 1)
            batch = run_batch(runnable, args.out, cluster=cluster, detector=args.detector,
                              model=args.model, write_video=not args.no_video,
                              on_result=lambda t, r: progress.take(t, r, args.out))
    except KeyboardInterrupt as exc:  # Ctrl+C, SIGTERM, SIGHUP: the cluster is closed
        progress.close()
        signum = getattr(exc, "signum", None)
        print(f"acting-mirror: batch stopped{f' by {exc}' if signum else ''} after "
              f"{progress.n} of {len(planned)} take(s); run the same command again to "
              "finish the rest (takes cut short are redone).", file=sys.stderr)
        return 128 + int(signum) if signum else 130
    finally:
        progress.close()
    batch.planned = planned
    batch.results.update(failed_early)
    html, csv_path = write_class_report(args.out, planned)
    print(_summary(batch))
    print(f"Class report: {html} ({csv_path.name})")
    if batch.count("failed"):
        return EXIT_USER_ERROR
    if batch.count("ended_early"):
        return EXIT_ENDED_EARLY
    return 0


def _check_script(path: Path) -> None:
    from acting_mirror.core.script import load_script

    script = load_script(path)
    if not script.has_times:
        raise ActingMirrorError(
            f"{path} is a teleprompter script (its lines have no times): a recording "
            "cannot be scored against it.")


def _summary(batch) -> str:
    done, skipped = batch.count("ok"), batch.count("skipped")
    early, failed = batch.count("ended_early"), batch.count("failed")
    rate = batch.frames / batch.seconds if batch.seconds > 0 else 0.0
    parts = [f"{done} analysed"]
    if skipped:
        parts.append(f"{skipped} already complete")
    if early:
        parts.append(f"{early} ended early")
    if failed:
        parts.append(f"{failed} failed")
    return (f"{len(batch.planned)} take(s): {', '.join(parts)}; {batch.frames} frames in "
            f"{batch.seconds:.1f} s ({rate:.0f} frames/s) on {batch.workers} worker(s).")


class _Progress:
    """A bar over the batch's takes (stderr, on a terminal) and one line per take."""

    def __init__(self, total: int, disabled: bool):
        self.n = 0
        self.total = total
        self._bar = None
        if not disabled and sys.stderr.isatty():
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="take", desc="Batch", file=sys.stderr)

    def take(self, take, result: dict, out: Path) -> None:
        self.n += 1
        line = f"[{self.n}/{self.total}] {take.name}: {_describe(result, take.folder(out))}"
        stream = sys.stderr if result.get("status") == "failed" else sys.stdout
        if self._bar is not None:
            self._bar.write(line, file=stream)
            self._bar.update(1)
        else:
            print(line, file=stream, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _describe(result: dict, folder: Path) -> str:
    status = result.get("status")
    score = result.get("score")
    scored = f", score {score:.0%} -> {folder / REPORT_HTML}" if score is not None else ""
    if status == "failed":
        return f"FAILED: {result.get('message')}"
    if status == "skipped":
        return f"already complete, skipped{scored}"
    text = (f"{result.get('frames', 0)} frames in {result.get('seconds', 0):.1f} s"
            f" on {result.get('host', '?')}/{result.get('pid', '?')}{scored}")
    if status == "ended_early":
        text += f" (ended early: {result.get('message')}; kept, marked incomplete)"
    if result.get("note"):
        text += f" ({result['note']})"
    return text
