"""``export`` and a video's sound run FFmpeg's ``ffmpeg`` program as a separate process.
Real subprocesses throughout: file names that look like options or protocols stay names;
without the program (PATH without ffmpeg, imageio-ffmpeg hidden) export is one line and
exit 2 while ``process`` keeps the picture; a killed ffmpeg or a Ctrl+C mid-export leave
no file under the final name and no ffmpeg running; a variable frame timing is kept."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from mp4_check import PTS, SR, decode, ffmpeg, streams, tone

from acting_mirror.audio.extract import extract_audio
from acting_mirror.audio.wavfile import write_wav
from acting_mirror.commands.export import i420_size, mkv_frame, mkv_header

REPO = Path(__file__).resolve().parents[2]
POSIX_PROCS = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")


@pytest.fixture
def take(cli, portrait_clip, tmp_path):
    folder = tmp_path / "take"
    code, _out, err = cli("process", portrait_clip, "--out", folder, "--quiet")
    assert code == 0, err
    write_wav(folder / "audio.wav", tone(2.0, 1.0), SR)
    return folder


def _cli_process(*args, env=None, **kw) -> subprocess.Popen:
    """``acting-mirror ARGS`` as its own process (the CLI's own Ctrl+C handling included).

    Ctrl+C is restored in the child: a shell's background job (`.ci/run &`) starts with
    SIGINT ignored, and then Python, rightly, never turns it into KeyboardInterrupt."""
    return subprocess.Popen([sys.executable, "-m", "acting_mirror", *map(str, args)],
                            cwd=kw.pop("cwd", None), env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, preexec_fn=_default_sigint, **kw)


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_hostile_file_names_are_only_names(cli, take, tmp_path, monkeypatch):
    odd = tmp_path / "-y"  # a take folder named like an option
    shutil.copytree(take, odd)
    monkeypatch.chdir(tmp_path)
    names = ["-y.mp4", "pipe:1.mp4", "a|b;rm -rf x.mp4", "$(touch pwned).mp4", "-i x .mp4"]
    for name in names:
        code, stdout, err = cli("export", f"--out={name}", "--", "-y")  # as typed in a shell
        assert code == 0, err
        assert streams(tmp_path / name) == [("video", "mpeg4"), ("audio", "aac")]
        assert "20 frames" in stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["-y", "take", *names])
    # a video's sound from files named like a protocol and an option (relative names)
    for k, name in enumerate(["pipe:0.mp4", "-vn.mp4"]):
        shutil.copy(tmp_path / "-y.mp4", tmp_path / name)
        folder = tmp_path / f"sound{k}"
        folder.mkdir()
        got = extract_audio(name, folder)
        assert got is not None and abs(got.duration_s - 2.0) < 0.1


def test_variable_frame_times_are_kept(cli, take, tmp_path):
    """A live take's frames are not evenly spaced: each keeps its timeline time (ms)."""
    times = [0, 40, 95, 170, 200, 260, 300, 333, 400, 450,
             1000, 1033, 1100, 1180, 1200, 1270, 1300, 1390, 1400, 1460]
    path = take / "timeline.csv"
    with path.open(newline="") as fh:
        rows = list(csv.reader(fh))
    for row in rows[1:]:
        row[1] = str(times[int(row[0])])
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    out = tmp_path / "vfr.mp4"
    code, _out, err = cli("export", take, "--out", out)
    assert code == 0, err
    frames, audio, start = decode(out)
    assert [round(t * 1000) for _f, t in frames] == times
    # the cut to the second portrait is still frame 10, now at 1.0 s; the tone too
    diffs = [float(np.abs(frames[k][0].astype(int) - frames[k - 1][0].astype(int)).mean())
             for k in range(1, 20)]
    assert int(np.argmax(diffs)) + 1 == 10
    loud = np.flatnonzero(np.abs(audio.astype(np.int32)) > 3000)
    assert start + loud[0] / SR == pytest.approx(1.0, abs=1 / 30)


def test_the_matroska_stream_is_read_back_by_ffmpeg(tmp_path):
    """The small Matroska writer: odd sizes and times far apart (new Clusters) decode."""
    w, h = 7, 5
    size = i420_size(w, h)
    times = [0, 1, 40000, 40001, 100000]
    data = mkv_header(w, h) + b"".join(
        mkv_frame(t, bytes([k * 40]) * size) for k, t in enumerate(times))
    (tmp_path / "f.mkv").write_bytes(data)
    got = ffmpeg("-copyts", "-i", f"file:{tmp_path / 'f.mkv'}", "-vf", "showinfo",
                 "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "yuv420p", "pipe:1")
    assert got.returncode == 0, got.stderr.decode()[-400:]
    assert len(got.stdout) == len(times) * size
    assert got.stdout[::size] == bytes(k * 40 for k in range(len(times)))
    assert [round(float(t) * 1000) for t in PTS.findall(got.stderr.decode())] == times


def _no_ffmpeg_env(tmp_path) -> dict:
    """An environment where no ffmpeg can be found: PATH holds nothing but an empty
    folder and imageio-ffmpeg cannot be imported (sitecustomize hides it)."""
    hide = tmp_path / "hide"
    hide.mkdir()
    (hide / "sitecustomize.py").write_text("import sys\nsys.modules['imageio_ffmpeg'] = None\n")
    env = {k: v for k, v in os.environ.items() if k != "IMAGEIO_FFMPEG_EXE"}
    env["PATH"] = str(tmp_path / "empty")
    env["PYTHONPATH"] = os.pathsep.join([str(hide), str(REPO)])
    return env


def test_without_ffmpeg_export_is_one_line_and_process_keeps_the_picture(take, tmp_path):
    env = _no_ffmpeg_env(tmp_path)
    probe = subprocess.run([sys.executable, "-c", "import imageio_ffmpeg"], env=env,
                           capture_output=True, timeout=60)
    assert probe.returncode != 0  # hidden indeed
    out = tmp_path / "a.mp4"
    run = _cli_process("export", take, "--out", out, env=env)
    stdout, err = run.communicate(timeout=300)
    err = err.decode()
    assert run.returncode == 2 and err.count("\n") == 1, err
    assert "ffmpeg" in err and "pip install imageio-ffmpeg" in err and "Traceback" not in err
    assert not out.exists()
    # a clip with sound is still processed: the picture is the take, without audio.wav
    clip = tmp_path / "with_sound.mkv"
    made = ffmpeg("-i", f"file:{take / 'output.avi'}", "-i", f"file:{take / 'audio.wav'}",
                  "-c:v", "copy", "-c:a", "pcm_s16le", f"file:{clip}")
    assert made.returncode == 0
    run = _cli_process("process", clip, "--out", tmp_path / "again", "--quiet", env=env)
    _o, err = run.communicate(timeout=300)
    assert run.returncode == 0, err.decode()
    assert (tmp_path / "again" / "output.avi").is_file()
    assert not (tmp_path / "again" / "audio.wav").exists()


@pytest.fixture(scope="module")
def long_take(tmp_path_factory):
    """A take long enough that an export is still running when the test acts: 900 frames
    of 640x480 at 30 fps (30 s) with a voice; no timeline (the frame rate places frames)."""
    folder = tmp_path_factory.mktemp("takes") / "long"
    folder.mkdir()
    rng = np.random.default_rng(7)
    base = cv2.resize(rng.integers(0, 255, (60, 80, 3), np.uint8), (640, 480),
                      interpolation=cv2.INTER_CUBIC)
    writer = cv2.VideoWriter(str(folder / "output.avi"), cv2.CAP_FFMPEG,
                             cv2.VideoWriter_fourcc(*"MJPG"), 30, (640, 480))
    for k in range(900):
        writer.write(np.roll(base, 7 * k, axis=1))
    writer.release()
    write_wav(folder / "audio.wav", tone(30.0, 1.0), SR)
    return folder


def _children(pid: int) -> dict[int, str]:
    """pid -> command line of ``pid``'s child processes (from /proc)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found[int(entry.name)] = cmd
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_for(predicate, timeout=120.0):
    import time

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def _freeze_mid_export(run, partial):
    """Wait until ffmpeg is writing the temporary file, then stop the decoding ffmpeg:
    the export cannot finish (nothing more reaches the encoder). Returns (decoder pid,
    encoder pid)."""
    assert _wait_for(lambda: partial.exists() and len(_children(run.pid)) == 2), \
        run.stderr.read().decode() if run.poll() is not None else "no partial file"
    kids = _children(run.pid)
    encoder = next(p for p, cmd in kids.items() if ".partial" in cmd)
    decoder = next(p for p in kids if p != encoder)
    os.kill(decoder, signal.SIGSTOP)
    return decoder, encoder


@POSIX_PROCS
def test_a_killed_ffmpeg_leaves_no_file_under_the_final_name(long_take, tmp_path):
    out = tmp_path / "share.mp4"
    partial = tmp_path / ".share.mp4.partial.mp4"
    run = _cli_process("export", long_take, "--out", out)
    decoder, encoder = _freeze_mid_export(run, partial)
    os.kill(encoder, signal.SIGKILL)
    os.kill(decoder, signal.SIGCONT)
    _stdout, err = run.communicate(timeout=300)
    err = err.decode()
    assert run.returncode == 2 and err.count("\n") == 1, err
    assert "killed" in err and "Traceback" not in err
    assert not out.exists() and not partial.exists()
    assert not _alive(decoder) and not _alive(encoder)


@POSIX_PROCS
def test_ctrl_c_mid_export_leaves_no_file_and_no_ffmpeg(long_take, tmp_path):
    out = tmp_path / "share.mp4"
    partial = tmp_path / ".share.mp4.partial.mp4"
    run = _cli_process("export", long_take, "--out", out)
    decoder, encoder = _freeze_mid_export(run, partial)
    os.kill(run.pid, signal.SIGINT)  # what the terminal sends to the CLI on Ctrl+C
    os.kill(decoder, signal.SIGCONT)
    _stdout, err = run.communicate(timeout=300)
    assert run.returncode == 130 and "interrupted" in err.decode(), err.decode()
    assert not out.exists() and not partial.exists()
    assert not _alive(decoder) and not _alive(encoder)


@POSIX_PROCS
def test_sigterm_mid_export_leaves_no_file_and_no_ffmpeg(long_take, tmp_path):
    out = tmp_path / "share.mp4"
    partial = tmp_path / ".share.mp4.partial.mp4"
    run = _cli_process("export", long_take, "--out", out)
    decoder, encoder = _freeze_mid_export(run, partial)
    os.kill(run.pid, signal.SIGTERM)  # a logout, a service stop
    os.kill(decoder, signal.SIGCONT)
    _stdout, err = run.communicate(timeout=300)
    err = err.decode()
    assert run.returncode == 128 + signal.SIGTERM and err.count("\n") == 1, err
    assert "SIGTERM" in err and "nothing was written" in err
    assert not out.exists() and not partial.exists()
    assert not _alive(decoder) and not _alive(encoder)


def test_the_long_take_exports_whole_and_in_sync(long_take, tmp_path, cli):
    """The same 30 s take, left alone: 900 frames, the tone at 1.0 s on the picture's clock."""
    out = tmp_path / "whole.mp4"
    code, stdout, err = cli("export", long_take, "--out", out)
    assert code == 0 and "900 frames" in stdout and "sound 30.0 s" in stdout, err
    frames, audio, start = decode(out, pixels=False)
    assert len(frames) == 900
    assert frames[-1][1] == pytest.approx(899 / 30, abs=0.002)
    loud = np.flatnonzero(np.abs(audio.astype(np.int32)) > 3000)
    assert start + loud[0] / SR == pytest.approx(1.0, abs=1 / 30)
