"""``acting-mirror export``: a real take (``process`` on a clip of two portraits) with a
voice track becomes one MP4 with picture and sound, decoded back by the ffmpeg program;
``extract_audio`` keeps a video file's own sound for its take. FFmpeg runs as a separate
program: hostile file names stay names, a missing ffmpeg is one line, a killed ffmpeg or a
Ctrl+C leaves no file under the final name."""

from __future__ import annotations

import numpy as np
import pytest
from mp4_check import SR, decode, ffmpeg, streams, tone

from acting_mirror.audio.extract import extract_audio
from acting_mirror.audio.wavfile import read_wav, write_wav

@pytest.fixture
def take(cli, portrait_clip, tmp_path):
    folder = tmp_path / "take"
    code, _out, err = cli("process", portrait_clip, "--out", folder)
    assert code == 0, err
    # the voice: a tone exactly when the picture cuts to the second portrait (1.0 s)
    write_wav(folder / "audio.wav", tone(2.0, 1.0), SR)
    return folder


def test_export_writes_picture_and_sound_in_sync(cli, take, tmp_path):
    out = tmp_path / "take.mp4"
    code, stdout, err = cli("export", take, "--out", out)
    assert code == 0, err
    assert "20 frames" in stdout and "sound 2.0 s" in stdout
    frames, audio, start = decode(out)
    assert len(frames) == 20
    times = [t for _f, t in frames]
    assert times[0] == pytest.approx(0.0, abs=0.001) and times[-1] == pytest.approx(1.9, abs=0.01)
    # the picture cuts where the source does: frame 10 (t = 1.0 s) is the second portrait
    diffs = [float(np.abs(frames[k][0].astype(int) - frames[k - 1][0].astype(int)).mean())
             for k in range(1, 20)]
    assert int(np.argmax(diffs)) + 1 == 10 and times[10] == pytest.approx(1.0, abs=0.01)
    # the sound: the tone starts at 1.0 s on the same clock (AAC's priming is in the pts)
    loud = np.flatnonzero(np.abs(audio.astype(np.int32)) > 3000)
    onset = start + loud[0] / SR
    assert onset == pytest.approx(1.0, abs=1 / 30)
    assert abs(len(audio) / SR - 2.0) < 0.1
    spectrum = np.abs(np.fft.rfft(audio[loud[0]: loud[0] + SR // 4]))
    assert np.fft.rfftfreq(SR // 4, 1 / SR)[int(np.argmax(spectrum))] == pytest.approx(880, abs=8)


def test_export_never_overwrites_and_says_so_in_one_line(cli, take, tmp_path):
    out = tmp_path / "take.mp4"
    out.write_bytes(b"mine")
    code, _out, err = cli("export", take, "--out", out)
    assert code == 2 and err.count("\n") == 1 and "already exists" in err
    assert out.read_bytes() == b"mine"


def test_a_temporary_file_left_by_a_killed_export_does_not_block_the_next(cli, take, tmp_path):
    out = tmp_path / "take.mp4"
    (tmp_path / ".take.mp4.partial.mp4").write_bytes(b"half a file")
    code, _out, err = cli("export", take, "--out", out)
    assert code == 0, err
    assert streams(out) == [("video", "mpeg4"), ("audio", "aac")]
    assert not (tmp_path / ".take.mp4.partial.mp4").exists()


def test_export_refuses_bad_input_in_one_line(cli, take, tmp_path):
    for args, words in [
        ((tmp_path / "nope", "--out", tmp_path / "a.mp4"), "No such take"),
        ((tmp_path, "--out", tmp_path / "a.mp4"), "no output.avi"),
        ((take, "--out", tmp_path / "a.avi"), "MP4"),
        ((take, "--out", tmp_path / "no" / "a.mp4"), "does not exist"),
    ]:
        code, _out, err = cli("export", *args)
        assert code == 2 and err.count("\n") == 1 and words in err, err
    (take / ".in-progress").write_text("{}\n")
    code, _out, err = cli("export", take, "--out", tmp_path / "a.mp4")
    assert code == 2 and "recover" in err
    assert not list(tmp_path.glob("*.mp4")) and not list(tmp_path.glob(".*partial*"))


def test_a_take_without_audio_exports_picture_only(cli, take, tmp_path):
    (take / "audio.wav").unlink()
    out = tmp_path / "silent.mp4"
    code, stdout, _err = cli("export", take, "--out", out, "--codec", "vp9")
    assert code == 0 and "no sound" in stdout
    assert streams(out) == [("video", "vp9")]
    got = ffmpeg("-i", f"file:{out}", "-map", "0:v:0", "-fps_mode", "passthrough",
                 "-pix_fmt", "rgb24", "-f", "rawvideo", "pipe:1")
    assert got.returncode == 0 and len(got.stdout) == 20 * 640 * 480 * 3


def test_extract_audio_keeps_a_videos_own_sound(take, tmp_path, cli):
    clip = tmp_path / "with_sound.mp4"
    code, _out, err = cli("export", take, "--out", clip)  # a video file that has sound
    assert code == 0, err
    folder = tmp_path / "processed"
    folder.mkdir()
    got = extract_audio(clip, folder)
    assert got is not None and got.sample_rate == SR
    audio, rate = read_wav(folder / "audio.wav")
    assert rate == SR and abs(len(audio) / SR - 2.0) < 0.1
    loud = np.flatnonzero(np.abs(audio.astype(np.int32)) > 3000)
    assert loud[0] / SR == pytest.approx(1.0, abs=1 / 30)  # on the video's clock
    with pytest.raises(Exception, match="already exists"):
        extract_audio(clip, folder)
    silent = tmp_path / "silent"
    silent.mkdir()
    assert extract_audio(take / "output.avi", silent) is None  # no sound track: None
    assert not (silent / "audio.wav").exists()


def test_process_keeps_the_sound_of_a_video_that_has_one(take, tmp_path, cli):
    clip = tmp_path / "with_sound.mp4"
    assert cli("export", take, "--out", clip)[0] == 0
    code, _out, err = cli("process", clip, "--out", tmp_path / "again", "--quiet")
    assert code == 0, err
    audio, rate = read_wav(tmp_path / "again" / "audio.wav")
    loud = np.flatnonzero(np.abs(audio.astype(np.int32)) > 3000)
    assert rate == SR and loud[0] / SR == pytest.approx(1.0, abs=1 / 30)
    code, _out, err = cli("process", take / "output.avi", "--out", tmp_path / "silent", "--quiet")
    assert code == 0 and not (tmp_path / "silent" / "audio.wav").exists()  # none: none kept
