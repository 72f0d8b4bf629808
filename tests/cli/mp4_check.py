"""Reading an exported MP4 back with the ffmpeg program (a real decoder, run as a
separate process): its streams, each frame's time, the sound and when it starts."""

from __future__ import annotations

import re
import subprocess

import numpy as np

from acting_mirror.audio.ffmpeg import ffmpeg_exe

SR = 16000
PTS = re.compile(r"\[Parsed_a?showinfo_\d+ @ [^\]]*\] n:\s*\d+ pts:\s*-?\d+ pts_time:\s*(-?[\d.]+)")


def tone(seconds: float, at: float, length: float = 0.5, freq: float = 880.0) -> np.ndarray:
    out = np.zeros(int(seconds * SR), np.int16)
    n = np.arange(int(length * SR))
    out[int(at * SR): int(at * SR) + len(n)] = (10000 * np.sin(2 * np.pi * freq * n / SR)).astype(np.int16)
    return out


def ffmpeg(*args) -> subprocess.CompletedProcess:
    return subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", *map(str, args)],
                          capture_output=True, timeout=120)


def streams(path) -> list[tuple[str, str]]:
    """(kind, codec) of each stream, as ``ffmpeg -i`` lists them."""
    text = ffmpeg("-i", f"file:{path}").stderr.decode()
    return [(m[1].lower(), m[2]) for m in re.finditer(r"Stream #0:\d+\S*: (\w+): (\w+)", text)]


def decode(path, *, pixels: bool = True, size=(640, 480)):
    """(video frames as (RGB array, time in s) pairs, mono audio at SR, audio start s),
    decoded by the ffmpeg program on the file's own clock (``-copyts``). Without
    ``pixels`` the arrays are None (a long clip's times only)."""
    assert streams(path) == [("video", "mpeg4"), ("audio", "aac")]
    w, h = size
    sink = ["-pix_fmt", "rgb24", "-f", "rawvideo", "pipe:1"] if pixels else ["-f", "null", "-"]
    got = ffmpeg("-copyts", "-i", f"file:{path}", "-map", "0:v:0", "-vf", "showinfo",
                 "-fps_mode", "passthrough", *sink)
    assert got.returncode == 0, got.stderr.decode()[-500:]
    times = [float(t) for t in PTS.findall(got.stderr.decode())]
    if pixels:
        images = list(np.frombuffer(got.stdout, np.uint8).reshape(-1, h, w, 3))
        assert len(times) == len(images)
    else:
        images = [None] * len(times)
    sound = ffmpeg("-copyts", "-i", f"file:{path}", "-map", "0:a:0", "-af", "ashowinfo",
                   "-ac", "1", "-ar", SR, "-f", "s16le", "pipe:1")
    assert sound.returncode == 0, sound.stderr.decode()[-500:]
    start = float(PTS.findall(sound.stderr.decode())[0])
    return list(zip(images, times)), np.frombuffer(sound.stdout, "<i2"), start
