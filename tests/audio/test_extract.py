"""A video file's own sound kept as the take's ``audio.wav`` by the ffmpeg program: on the
video's clock from its first frame (silence put before sound that starts later, sound
from before the first frame trimmed), what a damaged track held before the damage, no
sound = None; and ffmpeg's own console text read without surprises."""

from __future__ import annotations

import logging
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acting_mirror.audio.extract import extract_audio, has_audio
from acting_mirror.audio.ffmpeg import Ffmpeg, ffmpeg_exe, parse_header, probe
from acting_mirror.audio.wavfile import read_wav, write_wav
from acting_mirror.errors import DependencyError

SR = 16000


def _run(*args):
    import subprocess

    done = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", *map(str, args)],
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()[-400:]


@pytest.fixture(scope="module")
def sources(tmp_path_factory, astronaut_bgr_module):
    """A 2 s, 10 fps picture-only clip and a 2 s voice with a tone at exactly 1.0 s."""
    import cv2

    folder = tmp_path_factory.mktemp("sources")
    writer = cv2.VideoWriter(str(folder / "picture.avi"), cv2.CAP_FFMPEG,
                             cv2.VideoWriter_fourcc(*"MJPG"), 10, (320, 240))
    small = cv2.resize(astronaut_bgr_module, (320, 240))
    for k in range(20):
        writer.write(np.roll(small, 8 * k, axis=1))
    writer.release()
    voice = np.zeros(2 * SR, np.int16)
    n = np.arange(SR // 2)
    voice[SR: SR + len(n)] = (10000 * np.sin(2 * np.pi * 880 * n / SR)).astype(np.int16)
    write_wav(folder / "voice.wav", voice, SR)
    return folder


@pytest.fixture(scope="module")
def astronaut_bgr_module():
    import cv2
    import skimage.data

    return cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR)


def _mux(sources, out, *, audio_offset=0.0, video_offset=0.0, codec="aac"):
    _run("-itsoffset", video_offset, "-i", f"file:{sources / 'picture.avi'}",
         "-itsoffset", audio_offset, "-i", f"file:{sources / 'voice.wav'}",
         "-map", "0:v", "-map", "1:a", "-c:v", "mpeg4", "-c:a", codec, f"file:{out}")
    return out


def _onset(folder) -> float:
    audio, rate = read_wav(folder / "audio.wav")
    assert rate == SR
    return np.flatnonzero(np.abs(audio.astype(np.int32)) > 3000)[0] / SR


@pytest.mark.parametrize("container", ["mkv", "mp4"])
def test_sound_that_starts_after_the_first_frame_gets_silence_before_it(sources, tmp_path, container):
    clip = _mux(sources, tmp_path / f"late.{container}", audio_offset=0.3)
    got = extract_audio(clip, tmp_path)
    # the lead is where the decoded sound starts: in the MP4, 64 ms sooner (the AAC
    # encoder's priming frame is timed there); what counts is the tone on the video's clock
    assert got is not None and 300 - 70 < got.lead_ms <= 300 + 1000 / 30
    assert _onset(tmp_path) == pytest.approx(1.3, abs=1 / 30)


@pytest.mark.parametrize("container", ["mkv", "mp4"])
def test_sound_from_before_the_first_frame_is_trimmed(sources, tmp_path, container):
    clip = _mux(sources, tmp_path / f"early.{container}", video_offset=0.3)
    got = extract_audio(clip, tmp_path)
    assert got is not None and got.lead_ms == 0
    assert _onset(tmp_path) == pytest.approx(0.7, abs=1 / 30)
    assert got.duration_s == pytest.approx(1.7, abs=0.1)


def test_a_damaged_track_keeps_what_was_read(sources, tmp_path, caplog):
    whole = _mux(sources, tmp_path / "whole.mkv", codec="pcm_s16le")
    data = whole.read_bytes()
    cut = tmp_path / "cut.mkv"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    folder = tmp_path / "take"
    folder.mkdir()
    with caplog.at_level(logging.INFO):
        got = extract_audio(cut, folder)
    assert got is not None and 0.3 < got.duration_s < 1.9
    audio, _rate = read_wav(folder / "audio.wav")
    assert len(audio) == got.samples
    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(b"\x00\x01not a video" * 100)
    assert extract_audio(garbage, folder / "..") is None  # not one FFmpeg reads: None


def test_has_audio(sources, tmp_path):
    clip = _mux(sources, tmp_path / "with.mp4")
    assert has_audio(clip)
    assert not has_audio(sources / "picture.avi")
    assert not has_audio(tmp_path / "missing.mp4")
    (tmp_path / "text.mp4").write_text("hello\n")
    assert not has_audio(tmp_path / "text.mp4")
    facts = probe(clip, first_frames=True)
    assert [s.kind for s in facts.streams] == ["video", "audio"]
    assert facts.first("video").width == 320 and facts.first("video").fps == 10
    assert facts.first_video_s == 0 and facts.first_audio_s == pytest.approx(0, abs=0.001)


def test_without_ffmpeg_the_error_names_the_package(sources, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)  # not installed
    monkeypatch.delenv("IMAGEIO_FFMPEG_EXE", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(DependencyError, match="pip install imageio-ffmpeg"):
        extract_audio(sources / "voice.wav", tmp_path)
    assert not (tmp_path / "audio.wav").exists()


def test_a_hung_ffmpeg_is_killed_by_the_watchdog():
    """An ffmpeg waiting for input that never comes makes no progress: it is stopped."""
    args = ["-f", "s16le", "-ar", "16000", "-ac", "1", "-i", "pipe:0", "-f", "null", "-"]
    with Ffmpeg(args, stdin=True, stall_s=1.0) as run:
        code = run.proc.wait(timeout=60)  # the watchdog ends it; the timeout only guards
        assert code != 0 and run.stalled
        assert "no progress" in run.message()


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_ffmpeg_console_text_never_breaks_the_reader(text):
    facts = parse_header(text)
    assert facts.readable == any(line.startswith("Input #0") for line in text.split("\n"))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["Video", "Audio", "Data", "Subtitle"]),
                          st.text(alphabet="abcdefghij0123456789_", min_size=1, max_size=8),
                          st.text(max_size=60).filter(lambda s: "\n" not in s and "\r" not in s)),
                max_size=5))
def test_every_listed_stream_is_found(streams):
    lines = ["Input #0, matroska,webm, from 'file:/x':", "  Duration: 00:00:02.00, start: 0.0"]
    lines += [f"  Stream #0:{k}(eng): {kind}: {codec}, {rest}" for k, (kind, codec, rest) in enumerate(streams)]
    lines.append("Stream mapping:")
    facts = parse_header("\n".join(lines))
    assert [(s.kind, s.codec) for s in facts.streams] == [(k.lower(), c) for k, c, _ in streams]
    assert facts.duration_s == 2.0
