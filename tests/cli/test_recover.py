"""Killed takes and ``acting-mirror recover``, with real subprocesses and real signals.

``python tests/cli/test_recover.py N`` kills ``process`` at N random moments and prints
what each recovered take kept (the figures in docs/reliability.md).
"""

from __future__ import annotations

import json
import os
import random
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from acting_mirror.core.takefiles import IN_PROGRESS
from acting_mirror.core.timeline import read_timeline
from acting_mirror.media.recorder import video_lag_bound
from acting_mirror.media.recovery import read_marker

ROOT = Path(__file__).resolve().parents[2]


def build_long_clip(path: Path, n: int = 240, fps: int = 30) -> Path:
    """``n`` frames of the astronaut drifting across a 640x480 canvas (real photo)."""
    from skimage import data

    face = cv2.resize(np.ascontiguousarray(data.astronaut()[:, :, ::-1]), (300, 300))
    writer = cv2.VideoWriter(str(path), cv2.CAP_FFMPEG, cv2.VideoWriter_fourcc(*"MJPG"), fps, (640, 480))
    assert writer.isOpened()
    for i in range(n):
        canvas = np.full((480, 640, 3), 40, np.uint8)
        x = 40 + (i * 3) % 280
        canvas[90:390, x : x + 300] = face
        writer.write(canvas)
    writer.release()
    return path


@pytest.fixture(scope="module")
def long_clip(tmp_path_factory):
    return build_long_clip(tmp_path_factory.mktemp("clips") / "drift.avi")


def avi_frame_chunks(path: Path) -> list[tuple[int, int]]:
    """``(data offset, size)`` of each video frame, from an indexed AVI's idx1."""
    data = path.read_bytes()
    movi, idx = data.find(b"movi"), data.rfind(b"idx1")
    assert movi > 0 and idx > movi
    n = struct.unpack("<I", data[idx + 4 : idx + 8])[0] // 16
    entries = (struct.unpack("<4sIII", data[idx + 8 + 16 * k : idx + 24 + 16 * k]) for k in range(n))
    return [(movi + off + 8, size) for cid, _flags, off, size in entries if cid[2:4] in (b"dc", b"db")]


def _env(home: Path) -> dict:
    return dict(os.environ, ACTING_MIRROR_HOME=str(home), PYTHONPATH=str(ROOT))


def start_process(clip: Path, out: Path, home: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "acting_mirror", "process", str(clip), "--out", str(out), "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(home),
    )


def wait_for_frames(proc: subprocess.Popen, out: Path, frames: int, limit_s: float = 120) -> None:
    """Until the running take's marker logs ``frames`` frames (polling, not timing)."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        _meta, order = read_marker(out)
        if len(order) >= frames:
            return
        if proc.poll() is not None:
            raise AssertionError(f"process ended first: {proc.communicate()}")
        time.sleep(0.02)
    raise AssertionError("the take never got going")


def recover(*paths, home: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "acting_mirror", "recover", *map(str, paths)],
        capture_output=True, text=True, env=_env(home), timeout=300,
    )


def check_consistent(take: Path) -> dict:
    """Every file of ``take`` agrees; returns the summary."""
    summary = json.loads((take / "summary.json").read_text())
    cap = cv2.VideoCapture(str(take / "output.avi"), cv2.CAP_FFMPEG)
    declared = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    decoded = 0
    while cap.read()[0]:
        decoded += 1
    # seekable: the last frame can be reached directly
    cap.set(cv2.CAP_PROP_POS_FRAMES, max(declared - 1, 0))
    assert cap.read()[0]
    cap.release()
    assert declared == decoded == summary["frames"]
    frames = read_timeline(take / "timeline.csv").frame
    assert frames.size == 0 or int(frames.max()) < summary["frames"]  # a clip's index = position
    assert not (take / IN_PROGRESS).exists()
    return summary


def test_sigkill_mid_take_is_repaired_by_recover(long_clip, tmp_path):
    out = tmp_path / "take"
    proc = start_process(long_clip, out, tmp_path)
    wait_for_frames(proc, out, 40)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert (out / IN_PROGRESS).exists() and not (out / "summary.json").exists()
    # the killed video reports no frames and cannot seek: that is what recovery fixes
    cap = cv2.VideoCapture(str(out / "output.avi"), cv2.CAP_FFMPEG)
    assert cap.get(cv2.CAP_PROP_FRAME_COUNT) == 0
    cap.release()
    _meta, logged = read_marker(out)

    run = recover(tmp_path, home=tmp_path)  # a folder of takes
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    assert run.stdout.count("\n") == 1 and "repaired" in run.stdout and str(out) in run.stdout
    summary = check_consistent(out)
    assert summary["complete"] is False and summary["interrupted"] is True
    assert summary["end_reason"] == "interrupted"
    assert summary["detector"] == "haar" and summary["source"] == long_clip.name
    # the video trails the flushed frame log by at most the recorder's queue and what
    # FFmpeg's output buffer held (many small frames fit in it: bound from the smallest)
    bound = video_lag_bound(8, min(size for _off, size in avi_frame_chunks(out / "output.avi")))
    assert len(logged) - bound <= summary["frames"]
    assert summary["frames_with_face"] > 0

    before = {p.name: p.read_bytes() for p in out.iterdir()}
    again = recover(out, home=tmp_path)  # idempotent
    assert again.returncode == 0 and "No interrupted take" in again.stdout
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_finish_the_take_like_ctrl_c(long_clip, tmp_path, sig):
    out = tmp_path / "take"
    proc = start_process(long_clip, out, tmp_path)
    wait_for_frames(proc, out, 30)
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 128 + sig
    assert stderr.strip().splitlines() == [
        f"acting-mirror: stopped by {signal.Signals(sig).name}; the take keeps every frame read."
    ]
    summary = check_consistent(out)
    assert summary["complete"] is False and summary["end_reason"] == "interrupted"
    assert "interrupted" not in summary  # closed cleanly: nothing needed repairing
    assert 30 <= summary["frames"] < 240


def test_recover_defaults_to_the_takes_library_and_reports_each_take(long_clip, tmp_path):
    library = tmp_path / "takes"
    outs = []
    for name in ("a", "b"):
        out = library / name
        proc = start_process(long_clip, out, tmp_path)
        wait_for_frames(proc, out, 20)
        proc.kill()
        proc.wait()
        outs.append(out)
    run = recover(home=tmp_path)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.strip().splitlines()
    assert len(lines) == 2 and all("repaired" in line for line in lines)
    for out in outs:
        check_consistent(out)


def test_recover_refuses_a_missing_path_in_one_line(tmp_path):
    run = recover(tmp_path / "nope", home=tmp_path)
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [f"acting-mirror: No such take or folder: {tmp_path / 'nope'}."]


def test_a_take_killed_before_its_first_video_frame_is_still_consistent(tmp_path):
    """The marker and the header row exist, nothing else: recovery leaves an empty take."""
    from acting_mirror.media.recorder import TakeRecorder
    from acting_mirror.media.recovery import recover_take

    rec = TakeRecorder(tmp_path / "t", 30, summary=None)
    rec._csv_file.close()
    rec._marker.close()  # as the kernel does when the recorder dies: the lock is gone
    outcome = recover_take(tmp_path / "t")  # the recorder never closed
    assert outcome.frames == 0
    summary = json.loads((tmp_path / "t" / "summary.json").read_text())
    assert summary["frames"] == 0 and summary["interrupted"] is True


def test_ulimit_f_stops_process_with_one_line_and_a_consistent_take(long_clip, tmp_path):
    """``ulimit -f`` (RLIMIT_FSIZE) as a user sets it in the shell: no SIGXFSZ crash, no
    FFmpeg noise, one line saying what was kept, and every file agreeing."""
    out = tmp_path / "take"
    script = f"ulimit -f 1500; exec {sys.executable} -m acting_mirror process {long_clip} --out {out} --quiet"
    run = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=_env(tmp_path), timeout=300)
    assert run.returncode == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "reached the file size limit" in lines[0]
    kept = int(lines[0].split("keeps its first ")[1].split()[0])
    summary = check_consistent(out)
    assert summary["frames"] == kept and summary["complete"] is False
    assert sorted(p.name for p in out.iterdir()) == ["output.avi", "summary.json", "timeline.csv"]


def measure(tries: int) -> None:
    import tempfile

    work = Path(tempfile.mkdtemp(prefix="kills-"))
    clip = build_long_clip(work / "drift.avi", n=600)
    rng = random.Random(10)
    print("try  delay_s  logged  video_kept  timeline_frames  consistent  video_lag  lag_bound")
    for n in range(tries):
        out = work / f"take-{n}"
        proc = start_process(clip, out, work)
        wait_for_frames(proc, out, 1)
        delay = rng.uniform(0.0, 6.0)
        time.sleep(delay)
        proc.kill()
        proc.wait()
        _meta, logged = read_marker(out)
        run = recover(out, home=work)
        try:
            summary = check_consistent(out)
            ok = run.returncode == 0
        except AssertionError:
            summary, ok = json.loads((out / "summary.json").read_text()), False
        timeline = len(set(read_timeline(out / "timeline.csv").frame.tolist()))
        chunks = avi_frame_chunks(out / "output.avi") if summary["frames"] else []
        bound = video_lag_bound(8, min(size for _off, size in chunks)) if chunks else 0
        lag = len(logged) - summary["frames"]
        print(
            f"{n:3d}  {delay:7.2f}  {len(logged):6d}  {summary['frames']:10d}  {timeline:15d}  {ok!s:10}"
            f"  {lag:9d}  {bound:9d}"
        )


if __name__ == "__main__":
    measure(int(sys.argv[1]) if len(sys.argv) > 1 else 20)


def test_recover_leaves_a_take_that_is_still_being_recorded_alone(tmp_path, astronaut_bgr):
    """Another process (here: this one) is recording: its lock on the marker keeps
    `recover` away; once the recorder is gone (here: closed) the take is complete."""
    from acting_mirror.core.types import Frame, FrameResult
    from acting_mirror.media.recorder import TakeRecorder
    from acting_mirror.media.recovery import interrupted_takes

    take = tmp_path / "takes" / "live"
    rec = TakeRecorder(take, 30, summary=None, flush_every=1)
    rec.write(FrameResult(Frame(astronaut_bgr, 0, 0), ()))
    assert interrupted_takes(tmp_path / "takes") == []
    run = recover(tmp_path / "takes", home=tmp_path)
    assert run.returncode == 0 and run.stderr == ""
    assert run.stdout == f"{take}: still being recorded; left alone.\n"
    assert (take / IN_PROGRESS).exists()
    from acting_mirror.errors import OutputError
    from acting_mirror.media.recovery import recover_take

    with pytest.raises(OutputError, match="still being recorded"):
        recover_take(take)
    rec.close()
    assert not (take / IN_PROGRESS).exists()


def test_a_stop_signal_waits_until_the_frame_being_recorded_is_whole():
    """Found by the SIGTERM test (1 run in 3): a signal landing between the video and
    the timeline of one frame left the video a frame longer than the summary."""
    from acting_mirror.commands.process import Terminated, _finish_on_signals
    from acting_mirror.media.recorder import CRITICAL

    steps = []
    with pytest.raises(Terminated) as err:
        with _finish_on_signals():
            with CRITICAL:
                steps.append("video")
                os.kill(os.getpid(), signal.SIGTERM)
                steps.append("timeline")  # still runs: the signal is deferred
            steps.append("next frame")  # never: the deferred stop is raised first
    assert steps == ["video", "timeline"]
    assert err.value.signum == signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # handlers put back
