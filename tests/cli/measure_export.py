"""Measure ``acting-mirror export``: speed, and picture/sound sync in the MP4 it writes.

    python tests/cli/measure_export.py [SECONDS] [--codec vp9]

Builds a take of SECONDS (default 30) at 640x480, 30 fps: a grey picture with a white
frame every 5 s (at 1 s, 6 s, ...) and, in ``audio.wav``, an 880 Hz burst starting at the
same instants. Exports it (the installed CLI, a separate process), decodes the MP4 back
with the ffmpeg program and prints the export's wall time and frames/s and, for every
flash, how far the burst's onset is from the white frame's time (ms).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mp4_check import PTS, SR, ffmpeg  # noqa: E402

from acting_mirror.audio.wavfile import write_wav  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("seconds", nargs="?", type=float, default=30.0)
    ap.add_argument("--codec", default="mpeg4", choices=["mpeg4", "vp9"])
    args = ap.parse_args()
    fps, n = 30, int(args.seconds * 30)
    flashes = [k for k in range(30, n, 150)]  # frame numbers: 1 s, 6 s, 11 s...
    with tempfile.TemporaryDirectory() as tmp:
        take = Path(tmp) / "take"
        take.mkdir()
        writer = cv2.VideoWriter(str(take / "output.avi"), cv2.CAP_FFMPEG,
                                 cv2.VideoWriter_fourcc(*"MJPG"), fps, (640, 480))
        grey, white = np.full((480, 640, 3), 60, np.uint8), np.full((480, 640, 3), 250, np.uint8)
        for k in range(n):
            writer.write(white if k in flashes else grey)
        writer.release()
        audio = np.zeros(int(args.seconds * SR), np.int16)
        burst = (10000 * np.sin(2 * np.pi * 880 * np.arange(SR // 10) / SR)).astype(np.int16)
        for k in flashes:
            at = int(round(k / fps * SR))
            audio[at: at + len(burst)] = burst[: len(audio) - at]
        write_wav(take / "audio.wav", audio, SR)
        out = Path(tmp) / "take.mp4"
        t0 = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "acting_mirror", "export", str(take),
                               "--out", str(out), "--codec", args.codec],
                              capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return 1
        got = ffmpeg("-copyts", "-i", f"file:{out}", "-map", "0:v:0", "-vf", "showinfo",
                     "-fps_mode", "passthrough", "-pix_fmt", "gray", "-f", "rawvideo", "pipe:1")
        times = [float(t) for t in PTS.findall(got.stderr.decode())]
        luma = np.frombuffer(got.stdout, np.uint8).reshape(len(times), -1).mean(axis=1)
        picture = [times[k] for k in np.flatnonzero(luma > 150)]
        sound = ffmpeg("-copyts", "-i", f"file:{out}", "-map", "0:a:0", "-af", "ashowinfo",
                       "-ac", "1", "-ar", SR, "-f", "s16le", "pipe:1")
        start = float(PTS.findall(sound.stderr.decode())[0])
        pcm = np.abs(np.frombuffer(sound.stdout, "<i2").astype(np.int32)) > 3000
        onsets = [start + i / SR for i in np.flatnonzero(pcm[1:] & ~pcm[:-1]) + 1]
        onsets = [t for i, t in enumerate(onsets) if i == 0 or t - onsets[i - 1] > 1.0]
        print(f"export {args.codec}: {len(times)} frames ({args.seconds:.0f} s) in {wall:.1f} s "
              f"wall, {len(times) / wall:.0f} frames/s, {out.stat().st_size / 1e6:.1f} MB")
        errors = [1000 * (a - p) for a, p in zip(onsets, picture)]
        print(f"flashes {len(picture)}, bursts {len(onsets)}; sound minus picture (ms): "
              + ", ".join(f"{e:+.1f}" for e in errors))
        print(f"max |sound - picture| = {max(abs(e) for e in errors):.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
