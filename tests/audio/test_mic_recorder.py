"""The microphone recorder on a real audio path with no hardware: a known signal is played
into a private PulseAudio null sink while MicRecorder records its monitor through parec:
tones switched on inside the server at known clock times check audio.wav's time, a
chirp pattern played with paplay its content (cross-correlation). Also: the drift fit on a simulated ten-minute take, a SIGKILLed recording
recovered, the WAV header repair fuzzed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from acting_mirror.audio.clock import ClockFit, ClockNotes, align, fit_clock, read_notes
from acting_mirror.audio.recorder import MicRecorder, devices, finish_take_audio
from acting_mirror.audio.wavfile import StreamingWav, read_wav, repair_wav
from acting_mirror.core.takefiles import AUDIO_CLOCK, AUDIO_WAV
from audio_polling import wait_for

SR = 16000
FRAME_MS = 1000 / 30


def burst_pattern(seconds: int, rate: int = SR) -> tuple[np.ndarray, list[float]]:
    """Chirp bursts at uneven known times (s): a pattern cross-correlation cannot
    mistake for a shifted copy of itself."""
    sig = np.zeros(int(seconds * rate), np.int16)
    at = []
    t = 0.3
    rng = np.random.default_rng(7)
    while t < seconds - 0.5:
        n = np.arange(int(0.08 * rate))
        chirp = np.sin(2 * np.pi * (500 + 2500 * n / len(n)) * n / rate) * np.hanning(len(n))
        i = int(t * rate)
        sig[i:i + len(n)] = (12000 * chirp).astype(np.int16)
        at.append(t)
        t += 0.6 + float(rng.uniform(0, 0.5))
    return sig, at


def tone_burst(sink: str, clock, length_s: float = 0.15) -> tuple[float, float]:
    """Switch a 1 kHz tone on inside the sound server (module-sine: no client buffer
    between the clock and the sink) for ``length_s``; returns the clock times before and
    after the pactl call that switched it on (it started in between)."""
    t0 = clock()
    out = subprocess.run(["pactl", "load-module", "module-sine", f"sink={sink}",
                          "frequency=1000"], capture_output=True, text=True, check=True)
    t1 = clock()
    time.sleep(length_s)
    subprocess.run(["pactl", "unload-module", out.stdout.strip()], capture_output=True)
    return t0, t1


def onsets(samples: np.ndarray, rate: int, threshold: int = 3000) -> list[float]:
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > threshold)
    if not len(loud):
        return []
    starts = [loud[0]] + [b for a, b in zip(loud, loud[1:]) if b - a > rate * 0.2]
    return [s / rate for s in starts]


def test_the_take_audio_is_on_the_clock_within_one_frame(pulse, tmp_path):
    """Tones switched on inside the sound server at known clock times start in
    audio.wav at those times (sample k = time k / rate), within one frame."""
    clock = time.perf_counter
    mic = MicRecorder(device=pulse.monitor, clock=clock)
    assert mic.available, mic.message
    assert not mic.active  # closed until a take starts
    take = tmp_path / "take"
    take.mkdir()
    origin = clock()
    mic.start(take, origin)
    assert mic.active
    assert wait_for(lambda: (take / AUDIO_WAV).stat().st_size > 44 + SR, timeout=20)
    sent = []
    for _ in range(4):
        sent.append(tone_burst(pulse.sink, clock))
        wait_for(lambda: False, timeout=0.6)
    info = mic.stop()
    assert not mic.active and info.message == ""
    audio, rate = read_wav(take / AUDIO_WAV)
    assert rate == SR and info.samples == len(audio)
    found = onsets(audio, SR, threshold=2000)
    assert len(found) == len(sent)
    after = [(f - (t0 - origin)) * 1000 for f, (t0, _t1) in zip(found, sent)]
    before = [(f - (t1 - origin)) * 1000 for f, (_t0, t1) in zip(found, sent)]
    print(f"audio minus clock per tone: from {np.round(before, 1)} to {np.round(after, 1)} ms"
          " (the tone started during the pactl call)")
    # each tone starts in the audio within one frame of the call that switched it on
    assert min(after) > -FRAME_MS and max(before) < FRAME_MS
    meta, notes = read_notes(take / AUDIO_CLOCK)
    assert meta["aligned"] and notes


def test_the_take_audio_holds_the_played_signal(pulse, tmp_path):
    """A chirp pattern played with paplay is found in audio.wav by cross-correlation,
    sample for sample: every burst in its place, the waveform the same."""
    mic = MicRecorder(device=pulse.monitor)
    take = tmp_path / "take"
    take.mkdir()
    mic.start(take, time.perf_counter())
    assert wait_for(lambda: (take / AUDIO_WAV).stat().st_size > 44 + SR, timeout=20)
    signal_, at = burst_pattern(6)
    player = pulse.play(signal_, SR)
    assert wait_for(lambda: mic.level() > 0.2, timeout=20)  # the meter sees the bursts
    player.wait(timeout=30)
    wait_for(lambda: False, timeout=0.4)
    mic.stop()
    audio, _ = read_wav(take / AUDIO_WAV)
    x = audio.astype(np.float64)
    y = signal_.astype(np.float64)
    corr = np.fft.irfft(np.fft.rfft(x, 2 * len(x)) * np.conj(np.fft.rfft(y, 2 * len(x))))
    lag = int(np.argmax(corr[: len(x)]))
    piece = x[lag: lag + len(y)]
    assert len(piece) == len(y)
    assert np.corrcoef(piece, y)[0, 1] > 0.99
    found = onsets(audio, SR)
    placed = np.array(found) - lag / SR  # the onsets (found on each burst's fade-in)
    assert np.allclose(placed, at, atol=0.02)
    assert np.allclose(np.diff(placed), np.diff(at), atol=0.002)


def test_devices_lists_the_monitor_and_an_unknown_device_is_one_message(pulse):
    found = devices()
    assert any(d.id == pulse.monitor and d.monitor for d in found)
    mic = MicRecorder(device="no-such-input")
    assert not mic.available and "no-such-input" in mic.message
    assert not mic.active


def test_no_recording_program_is_a_normal_state_said_once(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    mic = MicRecorder()
    assert not mic.available and mic.message.startswith("No microphone")
    assert mic.level() == 0.0
    mic.start_level_check()  # does nothing
    assert not mic.active


def test_a_level_check_opens_the_microphone_and_writes_nothing(pulse, tmp_path):
    mic = MicRecorder(device=pulse.monitor)
    mic.start_level_check()
    assert mic.active
    heard = False
    for _ in range(5):  # the recording program may still be connecting for the first burst
        player = pulse.play(burst_pattern(2)[0], SR)
        heard = wait_for(lambda: mic.level() > 0.2, timeout=4)
        player.wait(timeout=20)
        if heard:
            break
    assert heard
    mic.stop_level_check()
    assert not mic.active and mic.level() == 0.0
    assert list(tmp_path.glob("**/audio.wav")) == []


# ----------------------------------------------------------------------------- drift


@pytest.mark.parametrize("ppm", [-400.0, 0.0, 250.0, 1000.0])
def test_drift_over_a_ten_minute_take_is_measured_and_corrected(ppm):
    """A device clock off by ``ppm``; reads come back in 20 ms blocks with 0..15 ms of
    random delay; after the fit and the alignment every burst of a ten-minute take is
    within one frame of its clock time (uncorrected, 1000 ppm is 600 ms: 18 frames)."""
    rng = np.random.default_rng(int(ppm) + 5000)
    true_rate = SR * (1 + ppm / 1e6)
    start_ms = 412.0
    minutes = 10
    total = int(minutes * 60 * true_rate)
    notes = ClockNotes(SR)
    block = int(0.02 * SR)
    for n in range(block, total, block):
        captured_ms = start_ms + 1000.0 * n / true_rate
        notes.add(n, captured_ms + float(rng.uniform(0, 15)))
    fit = fit_clock(notes.finish(), SR)
    assert abs(fit.drift_ppm - ppm) < 5
    assert abs(fit.offset_ms - start_ms) < 16
    # the device's samples: a click every 30 s of *clock* time, placed by the true rate
    recorded = np.zeros(total, np.int16)
    clicks = np.arange(1, minutes * 2) * 30_000.0
    for c in clicks:
        i = int(round((c - start_ms) * true_rate / 1000))
        recorded[i:i + 40] = 20000
    aligned = align(recorded, fit)
    found = np.array(onsets(aligned, SR)) * 1000
    assert len(found) == len(clicks)
    error = np.abs(found - clicks).max()
    naive = np.abs((clicks - start_ms) * true_rate / SR + start_ms - clicks).max()
    print(f"{ppm:+.0f} ppm: worst {error:.1f} ms after correction, {naive:.1f} ms without")
    assert error < FRAME_MS / 2


def test_a_short_take_keeps_the_nominal_rate_and_fits_the_offset():
    fit = fit_clock([(16000, 1100.0), (32000, 2101.0), (48000, 3100.5)], SR)
    assert fit.rate == SR and abs(fit.offset_ms - 100.0) < 1.5


# ----------------------------------------------------------------------------- kill

RECORD_SCRIPT = """
import sys, time
from pathlib import Path
from acting_mirror.audio.recorder import MicRecorder
mic = MicRecorder(device=sys.argv[2])
mic.start(Path(sys.argv[1]), time.perf_counter())
print("recording", flush=True)
time.sleep(60)
"""


def test_a_recording_killed_mid_take_is_recovered(pulse, tmp_path):
    take = tmp_path / "take"
    take.mkdir()
    proc = subprocess.Popen([sys.executable, "-c", RECORD_SCRIPT, str(take), pulse.monitor],
                            stdout=subprocess.PIPE, text=True, env=pulse.env)
    try:
        assert proc.stdout.readline().strip() == "recording"
        player = pulse.play(burst_pattern(5)[0], SR)
        assert wait_for(lambda: (take / AUDIO_WAV).stat().st_size > 44 + 2 * 3 * SR, timeout=30)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        player.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    size = (take / AUDIO_WAV).stat().st_size
    head = (take / AUDIO_WAV).read_bytes()[:44]
    declared = int.from_bytes(head[40:44], "little")
    assert declared <= size - 44  # the header lags the data by up to a second...
    assert size - 44 - declared <= 2 * SR * 2  # ...but never by much more
    # a kill still leaves a file players open (the header is a second old at most)
    before, _ = read_wav(take / AUDIO_WAV)
    assert len(before) >= 2 * SR
    from acting_mirror.media.recovery import recover_take

    (take / ".in-progress").write_text(json.dumps({"source": "camera"}) + "\n")
    recover_take(take)
    audio, rate = read_wav(take / AUDIO_WAV)
    meta, notes = read_notes(take / AUDIO_CLOCK)
    assert meta["aligned"] and meta["fit"]["recorded_samples"] == (size - 44) // 2
    assert len(audio) >= len(before)
    assert len(onsets(audio, SR)) >= 3  # the bursts heard before the kill are kept
    again = finish_take_audio(take)  # idempotent
    assert again.samples == len(audio)


# ----------------------------------------------------------------------------- files


def test_the_streaming_header_is_rewritten_every_second(tmp_path):
    w = StreamingWav(tmp_path / "a.wav", SR)
    w.write(np.ones(SR // 2, np.int16))
    assert int.from_bytes((tmp_path / "a.wav").read_bytes()[40:44], "little") == 0
    w.write(np.ones(SR // 2 + 10, np.int16))
    assert int.from_bytes((tmp_path / "a.wav").read_bytes()[40:44], "little") == 2 * (SR + 10)
    w.close()
    assert len(read_wav(tmp_path / "a.wav")[0]) == SR + 10


@settings(max_examples=60, deadline=None)
@given(samples=st.integers(0, 5000), cut=st.integers(0, 3), junk=st.binary(max_size=64),
       stale=st.integers(0, 20000))
def test_repair_wav_always_leaves_a_readable_file(tmp_path_factory, samples, cut, junk, stale):
    path = tmp_path_factory.mktemp("wav") / "a.wav"
    w = StreamingWav(path, SR)
    w.write(np.arange(samples, dtype=np.int16))
    w.close()
    data = bytearray(path.read_bytes())
    data[40:44] = min(stale, 2 ** 32 - 1).to_bytes(4, "little")  # a stale size
    data = bytes(data) + junk[: cut]
    path.write_bytes(data)
    fixed = repair_wav(path)
    got, _ = read_wav(path)
    assert fixed.samples == len(got) == samples + len(junk[:cut]) // 2
    assert not repair_wav(path).repaired


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300))
def test_hostile_clock_notes_never_raise(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("clock") / AUDIO_CLOCK
    path.write_bytes(data)
    meta, notes = read_notes(path)
    assert isinstance(meta, dict) and all(s >= 0 for s, _ in notes)
    fit_clock(notes, SR)


def test_repair_refuses_a_file_that_is_not_a_wav(tmp_path):
    path = tmp_path / "a.wav"
    path.write_bytes(b"not a wav at all" * 4)
    with pytest.raises(ValueError):
        repair_wav(path)


def test_clockfit_maps_both_ways():
    fit = ClockFit(100.0, 16016.0, SR, 0.0, 10)
    assert fit.sample(fit.time_ms(12345)) == pytest.approx(12345)
    assert fit.drift_ppm == pytest.approx(1000.0)


def test_a_microphone_that_stops_mid_take_keeps_its_sound_and_says_why(tmp_path):
    """A real recording process that delivers 1.5 s of sound and dies (an unplugged
    USB microphone) ends the take's audio with one message; the sound is kept."""
    program = [sys.executable, "-c",
               "import sys, time, numpy as np\n"
               "x = (8000 * np.sin(np.arange(24000) * 0.3)).astype('<i2').tobytes()\n"
               "for i in range(0, len(x), 640):\n"
               "    sys.stdout.buffer.write(x[i:i + 640]); sys.stdout.flush(); time.sleep(0.02)\n"
               "sys.stderr.write('Stream error: No such entity\\n'); sys.exit(1)\n"]
    mic = MicRecorder(program=program)
    take = tmp_path / "take"
    take.mkdir()
    mic.start(take, time.perf_counter())
    assert wait_for(lambda: not mic.active, timeout=30)
    info = mic.stop()
    assert info.message == "the microphone stopped: Stream error: No such entity"
    audio, _ = read_wav(take / AUDIO_WAV)
    assert np.count_nonzero(audio) >= 23000  # all 24000 samples, placed on the clock


def test_recording_into_a_missing_folder_is_one_error(tmp_path):
    mic = MicRecorder(program=[sys.executable, "-c", "import time; time.sleep(5)"])
    with pytest.raises(Exception, match="Cannot record the sound into") as err:
        mic.start(tmp_path / "nope", time.perf_counter())
    from acting_mirror.errors import ActingMirrorError

    assert isinstance(err.value, ActingMirrorError) and not mic.active
    (tmp_path / "take").mkdir()
    mic.start(tmp_path / "take", time.perf_counter())
    with pytest.raises(ActingMirrorError, match="never overwritten"):
        MicRecorder(program=mic._cmd).start(tmp_path / "take", time.perf_counter())
    mic.stop()
