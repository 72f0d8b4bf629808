"""The batch on Dask distributed: a local cluster of processes sized to the machine, or
an existing cluster at ``--scheduler``; one task per take, results as they finish.

The client decides which takes to run (a complete take is skipped, an interrupted one
set aside and run again) and writes ``DIR/batch.json`` and the class report; workers
only read inputs and write take folders, so ``DIR`` and the inputs must be on a folder
every worker sees at the same path.
"""

from __future__ import annotations

import json
import os
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from acting_mirror.batch.inputs import MANIFEST, PlannedTake, load_manifest, manifest_entry
from acting_mirror.batch.takes import set_aside, take_state
from acting_mirror.core.takefiles import TIMELINE_CSV
from acting_mirror.errors import ActingMirrorError

INSTALL_HINT = ("batch needs Dask distributed: pip install 'acting-mirror[batch]' "
                "(or pip install 'dask[distributed]').")


def import_distributed():
    try:
        import distributed
    except ImportError as exc:
        raise ActingMirrorError(INSTALL_HINT) from exc
    return distributed


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def make_plugin(detector: str):
    from acting_mirror.batch.plugin import Plugin

    return Plugin(detector)


class Cluster:
    """A Dask client on a new local cluster (``workers`` processes, one thread each) or
    on the scheduler at ``address``; a context manager that closes what it started."""

    def __init__(self, *, workers: int | None = None, address: str | None = None,
                 detector: str = "haar", connect_timeout: float = 20.0):
        distributed = import_distributed()
        self.cluster = None
        try:
            if address:
                self.client = distributed.Client(address, timeout=connect_timeout,
                                                 set_as_default=False)
            else:
                with warnings.catch_warnings():  # another cluster's dashboard port: harmless
                    warnings.filterwarnings("ignore", message="Port .* is already in use")
                    self.cluster = distributed.LocalCluster(
                        n_workers=workers or default_workers(), threads_per_worker=1,
                        processes=True, host="127.0.0.1", dashboard_address=None,
                        silence_logs=40,
                    )
                self.client = distributed.Client(self.cluster, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            if self.cluster is not None:
                self.cluster.close()
            where = address or "a local cluster"
            raise ActingMirrorError(f"Cannot reach the Dask scheduler at {where}: {exc}") from exc
        self.client.register_plugin(make_plugin(detector), name="acting-mirror")

    @property
    def workers(self) -> int:
        return len(self.client.scheduler_info().get("workers", {}))

    def wait_for_workers(self, n: int = 1, timeout: float = 60.0) -> None:
        try:
            self.client.wait_for_workers(n, timeout=timeout)
        except TimeoutError as exc:
            raise ActingMirrorError(
                f"No Dask worker joined the scheduler within {timeout:.0f} s: start some "
                "with `dask worker ADDRESS --nthreads 1` (see docs/batch.md).") from exc

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@dataclass
class BatchResult:
    planned: list[PlannedTake]
    results: dict[str, dict] = field(default_factory=dict)  # by take name
    seconds: float = 0.0
    workers: int = 0

    def count(self, status: str) -> int:
        return sum(1 for r in self.results.values() if r.get("status") == status)

    @property
    def frames(self) -> int:
        return sum(int(r.get("frames") or 0) for r in self.results.values()
                   if r.get("status") in ("ok", "ended_early"))

    @property
    def all_succeeded(self) -> bool:
        return all(r.get("status") in ("ok", "skipped") for r in self.results.values())


def write_manifest(out: Path, planned: list[PlannedTake], results: dict[str, dict]) -> None:
    from acting_mirror.core.files import write_text_atomic

    takes = load_manifest(out)
    for take in planned:
        previous = takes.get(take.name, {})
        result = results.get(take.name)
        if result is not None and result.get("status") == "skipped":
            result = None  # keep what the run that made it said
        entry = manifest_entry(take, result)
        takes[take.name] = {**previous, **entry}
    write_text_atomic(Path(out) / MANIFEST,
                      json.dumps({"version": 1, "takes": takes}, indent=2, ensure_ascii=False) + "\n")


def run_batch(
    planned: list[PlannedTake],
    out: Path,
    *,
    cluster: Cluster,
    detector: str = "haar",
    model: Path | None = None,
    write_video: bool = True,
    on_result: Callable[[PlannedTake, dict], None] | None = None,
) -> BatchResult:
    """Run every planned take that is not already complete on ``cluster``; call
    ``on_result`` as each finishes (skipped ones first). ``DIR/batch.json`` is updated
    after every take, so a batch stopped half-way knows what it did."""
    from distributed import as_completed

    from acting_mirror.batch.worker import run_take, score_take

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    batch = BatchResult(planned)
    futures = {}
    todo: list[tuple[PlannedTake, dict]] = []
    for take in planned:
        folder = take.folder(out)
        state = take_state(folder)
        if state == "complete":
            result = {"name": take.name, "input": take.item.input, "status": "skipped",
                      "message": "already complete"}
            if take.item.script and not (folder / "report.json").exists():
                try:
                    result["score"] = score_take(folder, Path(take.item.script))
                except ActingMirrorError as exc:
                    result.update(status="failed", message=str(exc))
            batch.results[take.name] = result
            if on_result:
                on_result(take, result)
            continue
        if state == "interrupted":
            aside = set_aside(folder, out)
            note = f"the interrupted take was set aside in {aside}"
        else:
            note = ""
        todo.append((take, {
            "name": take.name, "input": str(Path(take.item.input).resolve()),
            "folder": str(folder.resolve()), "script": _abs(take.item.script),
            "detector": detector, "model": _abs(model), "write_video": write_video,
            "note": note,
        }))
    write_manifest(out, planned, batch.results)
    if todo:
        for take, task in todo:
            future = cluster.client.submit(run_take, task, key=f"take-{take.name}-{time.time_ns()}",
                                           pure=False, retries=0)
            futures[future] = (take, task)
        for future in as_completed(list(futures), loop=cluster.client.loop):
            take, task = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # the worker died (a crash in a decoder, a kill...)
                result = {"name": take.name, "input": task["input"], "status": "failed",
                          "message": f"the worker running it failed: {type(exc).__name__}: {exc}"}
            if task["note"]:
                result["note"] = task["note"]
            batch.results[take.name] = result
            write_manifest(out, planned, batch.results)
            if on_result:
                on_result(take, result)
    batch.seconds = time.perf_counter() - started
    batch.workers = cluster.workers
    return batch


def _abs(path) -> str | None:
    return None if path is None else str(Path(path).resolve())


def is_take_folder(folder: Path) -> bool:
    return (folder / TIMELINE_CSV).is_file()
