"""``acting-mirror bench --batch``: how a batch scales. N synthetic takes (clips built
from the bundled portraits) run through the real batch with one worker, with a worker
per core, and on a simulated multi-machine cluster: ``dask scheduler`` and one
``dask worker`` per core started as separate programs talking over loopback, as on a
class's machines sharing a folder.

Times are the batch's wall time from the first task submitted to the last result; the
cluster's start-up (worker processes, models loaded by the plugin) is timed apart.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from acting_mirror.batch.engine import Cluster, default_workers, run_batch
from acting_mirror.batch.inputs import BatchItem, plan


@dataclass
class BatchBenchRow:
    configuration: str
    workers: int
    takes: int
    frames: int
    startup_s: float
    seconds: float
    failed: int

    @property
    def fps(self) -> float:
        return self.frames / self.seconds if self.seconds > 0 else 0.0

    @property
    def takes_per_min(self) -> float:
        return 60.0 * self.takes / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict:
        return {**asdict(self), "fps": round(self.fps, 1), "takes_per_min": round(self.takes_per_min, 1)}


def build_takes(folder: Path, n: int, frames: int, size=(640, 360)) -> list[Path]:
    from acting_mirror.media.clips import one_face_clip

    folder.mkdir(parents=True, exist_ok=True)
    first = one_face_clip(folder / "take-00.mp4", frames=frames, size=size)
    clips = [first]
    for i in range(1, n):  # the same recording under N names: N takes of equal work
        clips.append(Path(shutil.copy(first, folder / f"take-{i:02d}.mp4")))
    return clips


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def loopback_cluster(workers: int):
    """``dask scheduler`` and ``workers`` × ``dask worker --nthreads 1`` as separate
    programs on 127.0.0.1; yields the scheduler's address."""
    dask = Path(sys.executable).with_name("dask")
    cmd = [str(dask)] if dask.exists() else [sys.executable, "-m", "dask"]
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    procs = [subprocess.Popen([*cmd, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--dashboard-address", ":0", "--no-show"], **quiet)]
    try:
        for _ in range(workers):
            procs.append(subprocess.Popen([*cmd, "worker", address, "--nthreads", "1",
                                           "--no-dashboard", "--host", "127.0.0.1"], **quiet))
        yield address
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


def _one_run(label: str, clips: list[Path], out: Path, *, workers: int, address: str | None,
             detector: str) -> BatchBenchRow:
    started = time.perf_counter()
    with Cluster(workers=None if address else workers, address=address, detector=detector) as cluster:
        cluster.wait_for_workers(workers, timeout=120)
        cluster.client.run(lambda: None)  # every worker up, its plugin (models) done
        startup = time.perf_counter() - started
        planned = plan([BatchItem(str(c)) for c in clips], out)
        batch = run_batch(planned, out, cluster=cluster, detector=detector, write_video=True)
    return BatchBenchRow(label, cluster_workers(batch, workers), len(clips), batch.frames,
                         round(startup, 2), round(batch.seconds, 3), batch.count("failed"))


def cluster_workers(batch, asked: int) -> int:
    return batch.workers or asked


def run_batch_bench(*, takes: int = 8, frames: int = 150, detector: str = "haar",
                    workdir: Path | None = None, simulate_machines: bool = True,
                    log: Callable[[str], None] = print) -> list[BatchBenchRow]:
    cores = default_workers()
    with contextlib.ExitStack() as stack:
        root = Path(workdir) if workdir is not None else Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix="acting-mirror-batch-")))
        root.mkdir(parents=True, exist_ok=True)
        log(f"building {takes} takes of {frames} frames (640x360) in {root}")
        clips = build_takes(root / "clips", takes, frames)
        rows = []
        runs = [("local cluster, 1 worker", 1, False), (f"local cluster, {cores} workers", cores, False)]
        if simulate_machines:
            runs.append((f"scheduler + {cores} worker programs, loopback", cores, True))
        for i, (label, workers, apart) in enumerate(runs):
            log(f"running: {label}")
            out = root / f"out-{i}"
            if apart:
                with loopback_cluster(workers) as address:
                    rows.append(_one_run(label, clips, out, workers=workers, address=address,
                                         detector=detector))
            else:
                rows.append(_one_run(label, clips, out, workers=workers, address=None,
                                     detector=detector))
        return rows


def format_batch_table(rows: list[BatchBenchRow]) -> str:
    base = rows[0].seconds if rows else 0.0
    lines = [f"{'configuration':<44} {'workers':>7} {'start s':>8} {'batch s':>8} "
             f"{'frames/s':>9} {'takes/min':>10} {'speed-up':>9}"]
    for r in rows:
        speed = base / r.seconds if r.seconds > 0 else 0.0
        lines.append(f"{r.configuration:<44} {r.workers:>7} {r.startup_s:>8.1f} {r.seconds:>8.1f} "
                     f"{r.fps:>9.0f} {r.takes_per_min:>10.0f} {speed:>8.2f}x"
                     + (f"  ({r.failed} failed)" if r.failed else ""))
    return "\n".join(lines)


def machine_line() -> str:
    import platform

    try:
        load = " · load %.1f %.1f %.1f" % os.getloadavg()  # other jobs share the cores
    except (AttributeError, OSError):
        load = ""
    return (f"{platform.processor() or platform.machine()} · {os.cpu_count()} cores "
            f"({default_workers()} usable){load}")
