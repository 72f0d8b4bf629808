"""The partner's voice: real speech from espeak-ng (a separate program), measured in the
signal: where the WAV is loud, where it is silent, how long the pauses are."""

from __future__ import annotations

import shutil
import wave

import numpy as np
import pytest

from acting_mirror.audio import speech
from acting_mirror.audio.track import GAP_S, LEAD_S, pause_for, render_partner_track
from acting_mirror.cli import main
from acting_mirror.config import assets_dir
from acting_mirror.core.script import parse_script

needs_espeak = pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (CI installs it)"
)

WINDOW_S = 0.02
LOUD = 300  # int16 RMS: speech is in the thousands, silence is exactly 0


def envelope(samples: np.ndarray, sr: int) -> np.ndarray:
    n = int(sr * WINDOW_S)
    usable = len(samples) // n * n
    frames = samples[:usable].astype(np.float64).reshape(-1, n)
    return np.sqrt((frames ** 2).mean(axis=1))


def loud_segments(samples: np.ndarray, sr: int, bridge_s: float = 0.8) -> list[tuple[float, float]]:
    """(start, end) seconds of loud stretches; gaps shorter than ``bridge_s`` are bridged
    (the pauses between a sentence's words)."""
    loud = envelope(samples, sr) > LOUD
    segs: list[list[float]] = []
    for i in np.flatnonzero(loud):
        t = i * WINDOW_S
        if segs and t - segs[-1][1] <= bridge_s:
            segs[-1][1] = t + WINDOW_S
        else:
            segs.append([t, t + WINDOW_S])
    return [(a, b) for a, b in segs]


def read(path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2"), w.getframerate()


@needs_espeak
def test_speech_is_real_audio_whose_length_follows_text_and_rate():
    short, sr = speech.synthesize("Hello.")
    long, sr2 = speech.synthesize("Hello. I saw the light on, and I did not know if you would be here.")
    fast, _ = speech.synthesize("Hello. I saw the light on, and I did not know if you would be here.",
                                rate=320)
    assert sr == sr2 == 22050 and short.dtype == np.int16
    assert envelope(long, sr).max() > 10 * LOUD
    assert len(long) > 3 * len(short)
    assert 0.35 < len(fast) / len(long) < 0.75
    assert speech.synthesize("   ")[0].size == 0


@needs_espeak
def test_text_that_looks_like_an_option_is_spoken_not_obeyed():
    samples, sr = speech.synthesize("--help -v xx")
    assert envelope(samples, sr).max() > LOUD


@needs_espeak
def test_voices_are_listed_and_one_can_be_chosen():
    ids = [v.id for v in speech.voices()]
    assert "en" in ids or any(i.startswith("en") for i in ids)
    a, sr = speech.synthesize("One two three four.", voice="en-us")
    assert envelope(a, sr).max() > LOUD
    b, _ = speech.synthesize("One two three four.", voice="en+f3")
    assert envelope(b, sr).max() > LOUD and not np.array_equal(a, b)
    with pytest.raises(speech.UnknownVoice, match="no voice 'no-such-voice-xyz'"):
        speech.synthesize("One two.", voice="no-such-voice-xyz")


def test_without_a_speech_program_there_is_one_clear_message(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    ok, message = speech.available()
    assert not ok and "espeak-ng" in message and "install" in message
    assert speech.voices() == []
    with pytest.raises(speech.SpeechUnavailable, match="install espeak-ng"):
        speech.synthesize("Hello.")


def test_cli_voice_without_speech_is_one_line_and_exit_2(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))
    out = tmp_path / "p.wav"
    assert main(["script", "voice", str(assets_dir() / "example_scene.txt"), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "install espeak-ng" in err[0] and not out.exists()


TIMED = (
    "0:00-0:02   happy   We made it.\n"
    "0:02-0:05   @MAYA:  You kept it.\n"
    "0:05-0:09   sad     I had to, for both of us.\n"
    "0:09-0:12   @MAYA:  For ten years?\n"
    "0:12-0:14   -       Yes.\n"
)


@needs_espeak
def test_a_timed_track_is_loud_exactly_at_the_partner_lines(tmp_path, capsys):
    script = tmp_path / "timed.txt"
    script.write_text(TIMED)
    out = tmp_path / "partner.wav"
    assert main(["script", "voice", str(script), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "2 partner lines" in captured.out and "warning" not in captured.err
    samples, sr = read(out)
    assert len(samples) / sr == pytest.approx(14.0, abs=0.05)  # the script's length
    segs = loud_segments(samples, sr)
    assert len(segs) == 2
    (a0, a1), (b0, b1) = segs
    assert 2.0 <= a0 < 2.4 and a1 < 5.0  # "You kept it." within its line
    assert 9.0 <= b0 < 9.4 and b1 < 12.0
    s = samples.astype(np.int32)
    for lo, hi in [(0, 2), (5, 9), (12, 14)]:  # the actor's lines: silence
        assert not s[int(lo * sr): int(hi * sr)].any()


@needs_espeak
def test_an_untimed_track_leaves_a_pause_sized_by_each_actor_line(tmp_path):
    words20 = " ".join(f"word{i}" for i in range(20))
    text = f"@MAYA: One two three.\nhappy {words20}\n[She turns]\n@MAYA: Four five.\nsad Hi.\n@MAYA: Six.\n"
    script = parse_script(text)
    for rate in (160, 240):
        track = render_partner_track(script, rate=rate)
        segs = loud_segments(track.samples, track.sample_rate)
        assert len(segs) == 3
        assert LEAD_S <= segs[0][0] < LEAD_S + 0.3
        gap1 = segs[1][0] - segs[0][1]
        gap2 = segs[2][0] - segs[1][1]
        want1 = GAP_S + pause_for(words20, rate)  # 20 words at `rate` words/min
        want2 = GAP_S + pause_for("Hi.", rate)  # the shortest pause
        assert want1 <= gap1 < want1 + 0.5, (rate, gap1, want1)
        assert want2 <= gap2 < want2 + 0.5, (rate, gap2, want2)
    assert pause_for(words20, 160) == pytest.approx(20 * 60 / 160 + 0.5)


@needs_espeak
def test_the_bundled_scene_renders_one_loud_stretch_per_partner_speech(tmp_path, capsys):
    out = tmp_path / "theo.wav"
    assert main(["script", "voice", str(assets_dir() / "example_scene.txt"), "--out", str(out),
                 "--rate", "180"]) == 0
    samples, sr = read(out)
    # THEO's second and third lines are separated only by a stage direction (0.4 s gap),
    # so bridge only shorter pauses here
    segs = loud_segments(samples, sr, bridge_s=0.3)
    assert len(segs) >= 5
    assert main(["script", "voice", str(assets_dir() / "example_scene.txt"), "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err


@needs_espeak
def test_a_partner_line_too_long_for_its_time_is_reported(tmp_path, capsys):
    script = tmp_path / "tight.txt"
    script.write_text("0:00-0:01 @MAYA: I have a great deal to say and only one second to say it in.\n"
                      "0:01-0:03 sad Oh.\n")
    out = tmp_path / "tight.wav"
    assert main(["script", "voice", str(script), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "warning: line 1: MAYA's line takes" in err and "lasts 1.0 s" in err
    samples, sr = read(out)
    assert len(samples) / sr > 3.0  # the track runs on until the line has been said


@needs_espeak
def test_two_partners_get_two_voices():
    script = parse_script("@MAYA: We are here now.\nhappy Yes.\n@BEN: We are here now.\n")
    assert speech.partner_voices(["MAYA", "BEN"]) == {"MAYA": None, "BEN": "en+f3"}
    assert speech.partner_voices(["MAYA", "BEN"], "en-us") == {"MAYA": "en-us", "BEN": "en-us+f3"}
    track = render_partner_track(script)
    assert "BEN: en+f3" in track.voice_note
    a, b = track.spans
    sr = track.sample_rate
    maya = track.samples[int(a.start_s * sr): int(a.end_s * sr)].astype(np.float64)
    ben = track.samples[int(b.start_s * sr): int(b.end_s * sr)].astype(np.float64)

    def centroid(x):  # the spectral centroid: a female variant sits higher
        mag = np.abs(np.fft.rfft(x))
        return float((np.fft.rfftfreq(len(x), 1 / sr) * mag).sum() / mag.sum())

    assert centroid(ben) > 1.1 * centroid(maya)


def test_a_script_without_partner_lines_has_nothing_to_voice(tmp_path, capsys):
    out = tmp_path / "x.wav"
    assert main(["script", "voice", str(assets_dir() / "example_script.txt"), "--out", str(out)]) == 2
    assert "no partner lines" in capsys.readouterr().err and not out.exists()
    assert main(["script", "voice", str(assets_dir() / "example_scene.txt"), "--out", str(out),
                 "--rate", "5"]) == 2
    assert "out of range" in capsys.readouterr().err
