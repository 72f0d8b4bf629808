"""``acting-mirror batch`` end to end on real clips, real models and a real Dask cluster."""

from __future__ import annotations

import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from acting_mirror.batch.classreport import CLASS_CSV, CLASS_HTML
from acting_mirror.batch.worker import batch_settings
from acting_mirror.core.takefiles import IN_PROGRESS, REPORT_JSON, SUMMARY_JSON, TIMELINE_CSV

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", autouse=True)
def _no_dask_thread_left():
    """Dask's client side starts a helper thread in this process ("Dask-Offload") and
    keeps it for the process's life; later tests count the threads left running, so it
    is stopped (and replaced by one that starts only when used) once these tests end."""
    before = set(threading.enumerate())
    yield
    from concurrent.futures import ThreadPoolExecutor

    import distributed.utils

    distributed.utils._offload_executor.shutdown(wait=True)
    distributed.utils._offload_executor = ThreadPoolExecutor(
        max_workers=1, thread_name_prefix="Dask-Offload")
    left = [t.name for t in threading.enumerate() if t not in before]
    assert not left, left


def _class_csv(out: Path) -> list[dict]:
    with (out / CLASS_CSV).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_a_folder_on_two_local_workers_gives_the_takes_process_gives(
        cli, class_folder, script_file, tmp_path):
    from acting_mirror.app import process_to_take
    from acting_mirror.core.report import report_for_take
    from acting_mirror.core.script import load_script

    out = tmp_path / "class"
    code, stdout, stderr = cli("batch", class_folder, "--out", out, "--script", script_file,
                               "--workers", "2", "--quiet")
    assert code == 0, stderr
    assert "3 take(s): 3 analysed" in stdout and "on 2 worker(s)" in stdout
    pids = set()
    for clip in sorted(class_folder.iterdir()):
        take = out / clip.stem
        # the same input, one by one, the way `process` runs it
        alone = tmp_path / "alone" / clip.stem
        outcome = process_to_take(str(clip), out_dir=alone, takes_root=alone.parent,
                                  settings=batch_settings())
        report_for_take(alone, load_script(script_file))
        assert outcome.frames > 0
        assert (take / TIMELINE_CSV).read_bytes() == (alone / TIMELINE_CSV).read_bytes()
        assert sorted(p.name for p in take.iterdir()) == sorted(p.name for p in alone.iterdir())
        batch_summary = json.loads((take / SUMMARY_JSON).read_text())
        alone_summary = json.loads((alone / SUMMARY_JSON).read_text())
        for key in ("frames", "duration_s", "faces_seen", "primary_emotion_shares", "complete"):
            assert batch_summary[key] == alone_summary[key]
        assert json.loads((take / REPORT_JSON).read_text()) == json.loads((alone / REPORT_JSON).read_text())
        line = next(l for l in stdout.splitlines() if f"] {clip.stem}:" in l)
        pids.add(line.split(" on ")[1].split(",")[0])
    assert 1 <= len(pids) <= 2  # two worker processes shared the three takes
    rows = _class_csv(out)
    assert [r["take"] for r in rows] == ["student0", "student1", "student2"]
    assert all(r["status"] == "ok" and r["score"] and r["verdicts"].count(";") == 1 for r in rows)
    page = (out / CLASS_HTML).read_text()
    assert 'href="student1/report.html"' in page and "<script>" in page


def test_a_corrupt_input_is_reported_and_the_others_finish(cli, class_folder, script_file,
                                                         tmp_path, scheduler):
    good = (class_folder / "student0.mp4").read_bytes()
    (class_folder / "garbage.mp4").write_bytes(b"\x00not a video" * 500)
    (class_folder / "cut.mp4").write_bytes(good[: len(good) // 3])  # truncated mid-file
    out = tmp_path / "class"
    code, stdout, stderr = cli("batch", class_folder, "--out", out, "--script", script_file,
                               "--scheduler", scheduler, "--quiet")
    assert code in (2, 3)
    assert "garbage: FAILED" in stderr and "Traceback" not in stderr + stdout
    for name in ("student0", "student1", "student2"):
        assert (out / name / TIMELINE_CSV).is_file() and (out / name / REPORT_JSON).is_file()
    assert not (out / "garbage").exists()
    rows = {r["take"]: r for r in _class_csv(out)}
    assert rows["garbage"]["status"] == "failed"
    assert rows["cut"]["status"] in ("failed", "ended_early", "ok")
    assert {rows[n]["status"] for n in ("student0", "student1", "student2")} == {"ok"}
    assert "failed" in (out / CLASS_HTML).read_text()


def test_a_rerun_skips_complete_takes_and_redoes_an_interrupted_one(
        cli, class_folder, script_file, tmp_path, scheduler):
    out = tmp_path / "class"
    args = ("batch", class_folder, "--out", out, "--script", script_file,
            "--scheduler", scheduler, "--quiet")
    assert cli(*args)[0] == 0
    before = {p.name: (p / TIMELINE_CSV).stat().st_mtime_ns for p in out.iterdir() if p.is_dir()}
    first = (out / "student2" / TIMELINE_CSV).read_bytes()
    (out / "student2" / IN_PROGRESS).write_text('{"source": "killed"}\n')  # as a kill leaves it
    code, stdout, stderr = cli(*args)
    assert code == 0, stderr
    assert "student0: already complete, skipped" in stdout
    assert "student1: already complete, skipped" in stdout
    assert "2 already complete" in stdout and "1 analysed" in stdout
    assert "set aside" in stdout
    for name in ("student0", "student1"):
        assert (out / name / TIMELINE_CSV).stat().st_mtime_ns == before[name]
    assert (out / "student2" / TIMELINE_CSV).read_bytes() == first  # redone, the same
    assert not (out / "student2" / IN_PROGRESS).exists()
    kept = list((out / ".interrupted").iterdir())
    assert [p.name for p in kept] == ["student2-1"] and (kept[0] / TIMELINE_CSV).is_file()
    assert len(_class_csv(out)) == 3
    # a third run: nothing left to do; a new clip in the folder is the only one analysed
    shutil.copy(class_folder / "student0.mp4", class_folder / "late.mp4")
    code, stdout, _ = cli(*args)
    assert code == 0 and "3 already complete" in stdout and "late: " in stdout
    assert len(_class_csv(out)) == 4
    # each worker process loaded its models once, however many takes it ran
    from distributed import Client

    with Client(scheduler, set_as_default=False) as client:
        loads = client.run(lambda: __import__("acting_mirror.batch.worker", fromlist=["x"]).loads)
    assert sorted(loads.values()) == [1, 1]


def test_a_csv_names_each_take_with_its_script_and_actor(cli, built_clips, tmp_path, scheduler):
    scenes = tmp_path / "scenes"
    scenes.mkdir()
    (scenes / "a.txt").write_text("0:00-0:01 happy Hello!\n", encoding="utf-8")
    (scenes / "b.txt").write_text("0:00-0:01 sad Oh.\n0:01-0:02 surprise What?\n", encoding="utf-8")
    (scenes / "t.txt").write_text("happy no times here\n", encoding="utf-8")
    listing = tmp_path / "class.csv"
    rows = [("input", "script", "actor", "date"),
            (str(built_clips[0]), "scenes/a.txt", "Ada", "2026-09-01"),
            (str(built_clips[1]), "scenes/a.txt", "Ada", "2026-09-08"),
            (str(built_clips[2]), "scenes/b.txt", "Ben", "2026-09-01"),
            ("missing.mp4", "scenes/b.txt", "Cy", ""),
            (str(built_clips[0]).replace("student0", "student0"), "", "", "")]  # duplicate: once
    with listing.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    out = tmp_path / "class"
    code, stdout, stderr = cli("batch", listing, "--out", out, "--scheduler", scheduler, "--quiet")
    assert code == 2 and "Ada-student0" in stdout and "Cy-missing: FAILED" in stderr
    report = {r["take"]: r for r in _class_csv(out)}
    assert set(report) == {"Ada-student0", "Ada-student1", "Ben-student2", "Cy-missing"}
    assert report["Ada-student1"]["script"] == "a.txt" and report["Ada-student1"]["actor"] == "Ada"
    assert len(report["Ben-student2"]["verdicts"].split(";")) == 2
    assert len(report["Ada-student0"]["verdicts"].split(";")) == 1
    assert report["Cy-missing"]["status"] == "failed"
    page = (out / CLASS_HTML).read_text()
    assert "Ada" in page and "Ben" in page and "→" in page  # Ada's two takes, in date order
    # a teleprompter script in a row fails that row only
    shutil.copy(built_clips[1], tmp_path / "dee.mp4")
    with listing.open("a", newline="") as fh:
        csv.writer(fh).writerow(["dee.mp4", "scenes/t.txt", "Dee", ""])
    code, stdout, stderr = cli("batch", listing, "--out", out, "--scheduler", scheduler, "--quiet")
    assert code == 2 and "] dee: FAILED" in stderr and "teleprompter" in stderr
    assert "Ada-student0: already complete" in stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_existing_scheduler_with_workers_started_apart(cli, class_folder, script_file, tmp_path):
    """`dask scheduler` and two `dask worker`s as separate programs on loopback, as on a
    class's machines sharing a folder (see docs/batch.md)."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = str(Path(sys.executable).with_name("dask"))
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--dashboard-address", ":0", "--no-show"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)]
    try:
        for _ in range(2):
            procs.append(subprocess.Popen(
                [dask, "worker", address, "--nthreads", "1",
                 "--no-dashboard", "--host", "127.0.0.1"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env))
        out = tmp_path / "class"
        code, stdout, stderr = cli("batch", class_folder, "--out", out, "--script", script_file,
                                   "--scheduler", address, "--workers", "2", "--quiet")
        assert code == 0, stderr
        assert f"on {address}" in stdout and "on 2 worker(s)" in stdout
        assert len(_class_csv(out)) == 3
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
