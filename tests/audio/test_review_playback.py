"""The review plays a take's sound in step with its picture, through a real sound server.

A private PulseAudio server (the ``pulse`` fixture) has a null sink; the review's sound
goes into it, and the app's own recorder (``MicRecorder``, on the computer's clock, its
accuracy measured in ``measure_null_sink.py``) records the sink's monitor. The take's
``audio.wav`` holds noise, every 100 ms of it unlike the rest, so each 100 ms heard tells
which take time was sounding at which moment; the review notes which frame it showed when.
The two are compared: the picture shows the frame of the sound being heard."""

from __future__ import annotations

import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from acting_mirror.app import process_to_take  # noqa: E402
from acting_mirror.audio.recorder import MicRecorder  # noqa: E402
from acting_mirror.audio.wavfile import read_wav, write_wav  # noqa: E402
from acting_mirror.core.takefiles import AUDIO_WAV  # noqa: E402
from audio_polling import wait_for



FPS = 25
SECONDS = 6
RATE = 16000
WINDOW = 800  # 50 ms of the recording, named by where it is in the take's sound
STEP = 400


def noise_track(seed: int = 7) -> np.ndarray:
    """Noise: every 100 ms of it is unlike any other, so each is found again exactly."""
    rng = np.random.default_rng(seed)
    return np.clip(rng.normal(0.0, 5000.0, SECONDS * RATE), -32000, 32000).astype(np.int16)


def heard_as(rec: np.ndarray, sig: np.ndarray) -> list[tuple[float, float]]:
    """``(recording time, take time)`` of each 50 ms of the recording that holds the
    take's sound: the best match of the window in the take's sound (normalised
    cross-correlation above 0.6; silence and windows across a seek are left out)."""
    sig = sig.astype(np.float64)
    n = 1 << int(np.ceil(np.log2(len(sig) + WINDOW)))
    spectrum = np.fft.rfft(sig, n)
    energy = np.concatenate([[0.0], np.cumsum(sig * sig)])
    local = np.sqrt(np.maximum(energy[WINDOW:] - energy[:-WINDOW], 1e-9))
    pairs = []
    for w in range(0, len(rec) - WINDOW, STEP):
        seg = rec[w : w + WINDOW].astype(np.float64)
        norm = float(np.sqrt((seg * seg).sum()))
        if norm < 200.0 * np.sqrt(WINDOW):
            continue  # silence
        corr = np.fft.irfft(spectrum * np.conj(np.fft.rfft(seg, n)), n)[: len(local)]
        score = corr / (local * norm)
        k = int(np.argmax(score))
        if score[k] > 0.6:
            pairs.append((w / RATE, k / RATE))
    return pairs


@pytest.fixture(scope="module")
def noise_take(tmp_path_factory, make_clip, _photos):
    """A 6 s take at 25 fps (the astronaut, a bar moving each frame) whose audio.wav holds
    noise."""
    face = cv2.resize(_photos["astronaut"][:400, 50:450], (200, 200))
    frames = []
    for i in range(SECONDS * FPS):
        f = face.copy()
        f[-8:, (i * 5) % 180 : (i * 5) % 180 + 20] = 255
        frames.append(f)
    root = tmp_path_factory.mktemp("sound")
    clip = make_clip(root / "noise.avi", frames, FPS)
    outcome = process_to_take(str(clip), out_dir=root / "take", takes_root=root)
    sound = noise_track()
    write_wav(outcome.folder / AUDIO_WAV, sound, RATE)
    return outcome.folder, sound


def test_the_sound_heard_is_the_picture_shown_from_a_seek_and_after_a_scrub(
        pulse, qtbot, noise_take, tmp_path, monkeypatch):
    from acting_mirror.gui.review import ReviewWindow

    monkeypatch.setenv("ACTING_MIRROR_SETTINGS", str(tmp_path / "settings.ini"))
    folder, sound = noise_take
    window = ReviewWindow(folder)
    qtbot.addWidget(window)
    window.show()
    assert window.sound.available, window.sound.message
    assert window.sound.player.backend == "PulseAudio"

    # the app's recorder listens to what the null sink plays, on the computer's clock
    rec_dir = tmp_path / "heard"
    rec_dir.mkdir()
    recorder = MicRecorder(None, rate=RATE, clock=time.perf_counter)
    assert recorder.available, recorder.message
    t0 = time.perf_counter()
    recorder.start(rec_dir, t0)
    assert wait_for(lambda: recorder.active and (rec_dir / AUDIO_WAV).stat().st_size > 8000)

    shown: list[tuple[float, float, float | None]] = []  # (when, frame shown, sound clock)
    seek = window.seek

    def noting_seek(k):
        ok = seek(k)
        player = window.sound.player
        shown.append((time.perf_counter(), window.current_time_ms,
                      player.position_ms() if player is not None else None))
        return ok

    window.seek = noting_seek
    window.seek_time(1500.0)
    start_ms = window.current_time_ms
    window.play()
    qtbot.waitUntil(lambda: window.current_time_ms >= 3000.0, timeout=20000)
    scrub_from = window.current_time_ms
    scrub_t = time.perf_counter() - t0
    window.slider.setValue(window.frame_at(4200.0))  # a scrub while playing
    scrub_ms = window.current_time_ms
    qtbot.waitUntil(lambda: not window.playing, timeout=20000)  # plays to the end
    assert window.sound.restarts == 1
    time.sleep(0.3)  # the end of the sound reaches the monitor
    recorder.stop()
    window.close()

    heard, rate = read_wav(rec_dir / AUDIO_WAV)
    assert rate == RATE
    pairs = heard_as(heard, sound)
    rec_t = np.array([r for r, _s in pairs])
    take_t = np.array([t for _r, t in pairs])
    # what was heard: the sound from the seek point, then (after the old sound in the
    # device's buffer) from the scrub's point; nothing from before the seek, nor between
    # (a window that straddles the start of a stretch is named by its end: up to 50 ms
    # early; the first loud sample says exactly where the sound began)
    onset = int(np.flatnonzero(np.abs(heard.astype(np.int32)) > 8000)[0]) / RATE
    first = take_t[0] + (onset - rec_t[0])
    print(f"\nplayed from {start_ms:.0f} ms: first heard {1000 * first:.1f} ms; scrubbed from "
          f"{scrub_from:.0f} to {scrub_ms:.0f} ms")
    assert abs(1000 * first - start_ms) <= 10.0
    assert take_t.min() >= start_ms / 1000 - 0.055
    between = (take_t > scrub_from / 1000 + 0.25) & (take_t < scrub_ms / 1000 - 0.055)
    assert not between.any(), take_t[between]
    after = take_t[take_t >= scrub_ms / 1000 - 0.055]
    assert abs(1000 * after.min() - scrub_ms) <= 55.0
    assert after.max() >= SECONDS - 0.3  # it played to the end

    # which take time sounded at each moment, against the frame shown then
    frame_ms = 1000.0 / FPS
    offsets, clock_errors = [], []
    for t, pic, clock in shown:
        rel = t - t0
        before = np.flatnonzero((rec_t <= rel) & (rec_t >= rel - 0.06))
        if not len(before) or pic < start_ms:
            continue  # no sound then (the device starting, or across the seek)
        j = int(before[-1])
        sound_ms = 1000.0 * (take_t[j] + (rel - rec_t[j]))
        if abs(sound_ms - pic) > 600 and scrub_t <= rel <= scrub_t + 0.3:
            continue  # the old sound still in the device's buffer after the scrub
        offsets.append(pic - sound_ms)
        if clock is not None:
            clock_errors.append(clock - sound_ms)
    offsets, clock_errors = np.array(offsets), np.array(clock_errors)
    assert len(offsets) > 2 * FPS
    q = np.percentile(offsets, [5, 50, 95])
    c = np.percentile(clock_errors, [5, 50, 95])
    print(f"picture minus sound over {len(offsets)} frames shown: median {q[1]:.1f} ms, "
          f"5-95% {q[0]:.1f} to {q[2]:.1f} ms, all {offsets.min():.1f} to {offsets.max():.1f} "
          f"(a frame is {frame_ms:.0f} ms); the sound's clock minus the sound: median "
          f"{c[1]:.1f} ms, 5-95% {c[0]:.1f} to {c[2]:.1f} ms")
    # the clock the picture follows is the sound heard, within the device's buffer
    assert abs(c[1]) <= 15.0 and c[0] >= -40.0 and c[2] <= 40.0
    # so the frame shown is the one being heard (it is the frame the clock is in, shown
    # up to a frame later than the sound started it); single frames can be later still
    # when the machine is busy: that is the GUI thread, not the clock
    assert -frame_ms - 15.0 <= q[1] <= 15.0
    assert q[0] >= -frame_ms - 50.0 and q[2] <= 50.0


def test_muted_the_picture_plays_on_in_silence_and_a_step_sounds_its_frame(
        pulse, qtbot, noise_take, tmp_path, monkeypatch):
    from acting_mirror.gui.review import ReviewWindow

    monkeypatch.setenv("ACTING_MIRROR_SETTINGS", str(tmp_path / "settings.ini"))
    folder, sound = noise_take
    window = ReviewWindow(folder)
    qtbot.addWidget(window)
    window.show()
    assert window.sound.available, window.sound.message
    rec_dir = tmp_path / "heard"
    rec_dir.mkdir()
    recorder = MicRecorder(None, rate=RATE, clock=time.perf_counter)
    t0 = time.perf_counter()
    recorder.start(rec_dir, t0)
    assert wait_for(lambda: recorder.active and (rec_dir / AUDIO_WAV).stat().st_size > 8000)

    window.sound.set_muted(True)
    window.seek_time(1000.0)
    window.play()
    qtbot.waitUntil(lambda: window.current_time_ms >= 2000.0, timeout=20000)  # the clock runs
    window.pause()
    muted_until = time.perf_counter() - t0
    window.sound.set_muted(False)
    wait_for(lambda: False, timeout=0.3)
    window.seek_time(3000.0)
    step_at = time.perf_counter() - t0
    window.step(1)  # one frame on: its sound, briefly
    grain_ms = window.current_time_ms
    wait_for(lambda: False, timeout=0.5)
    recorder.stop()
    window.close()

    heard, rate = read_wav(rec_dir / AUDIO_WAV)
    loud = np.abs(heard.astype(np.int32)) > 3000
    assert not loud[: int(muted_until * RATE)].any()  # muted: nothing came out
    after = loud[int(step_at * RATE):]
    span = np.flatnonzero(after)
    assert len(span) > 0
    length_ms = 1000.0 * (span[-1] - span[0]) / RATE
    print(f"\nthe step's grain: {length_ms:.0f} ms heard (60 ms asked)")
    assert 40.0 <= length_ms <= 90.0
    pairs = heard_as(heard[int(step_at * RATE):], sound)
    assert pairs, "the grain is the take's sound"
    assert all(abs(1000 * t - grain_ms) <= 60.0 for _r, t in pairs)
