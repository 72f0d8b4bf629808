"""TakePlayer: a take's ``audio.wav`` played from any point, with the clock of what is
heard now, for the review to follow.

The sound goes out through miniaudio (the ``miniaudio`` package, MIT; its C library is
public domain), which talks to the system's own sound server: PulseAudio (and PipeWire's
PulseAudio service) or ALSA on Linux, Core Audio on macOS, WASAPI on Windows. Its silent
"null" output is never taken: no sound server is "no audio output", said once. The device
pulls samples on its own thread; every pull notes how many samples have been handed out
and when. What is heard at a moment is what was handed out, less what the device still
holds (its buffer, measured on the device as opened), advanced at the sample rate since
the last pull::

    player = TakePlayer(samples, 16000)
    if not player.available: show(player.message)
    player.play(from_ms)         # returns at once; the sound starts a buffer later
    player.position_ms()         # the take time being heard now (None when stopped)
    player.muted = True          # keeps playing (and the clock running) in silence
    player.grain(at_ms, 60)      # a short burst from at_ms (stepping frame by frame)
    player.stop(); player.close()

No Qt here: the review window (``gui.review_sound``) drives it from its timer.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from typing import Callable

import numpy as np

log = logging.getLogger(__name__)

BUFFER_MS = 50
"""The device's period asked for: small, so a seek or a pause is heard at once."""

LATENCY_PERIODS = 0.8
"""What the device still holds when it pulls, in periods (measured, see ``latency_ms``)."""

FADE_MS = 4
"""Grains fade in and out over this long (no click at their edges)."""


def _backends():
    import miniaudio

    b = miniaudio.Backend
    if sys.platform.startswith("linux"):
        return [b.PULSEAUDIO, b.ALSA, b.JACK]
    if sys.platform == "darwin":
        return [b.COREAUDIO]
    if sys.platform == "win32":
        return [b.WASAPI, b.DSOUND, b.WINMM]
    return [x for x in b if x not in (b.NULL, b.CUSTOM)]


class TakePlayer:
    """Plays mono int16 ``samples`` at ``rate`` (see the module docstring). ``clock`` is a
    monotonic clock in seconds (``time.perf_counter`` like the rest of the app)."""

    def __init__(self, samples: np.ndarray, rate: int, *,
                 clock: Callable[[], float] = time.perf_counter, buffer_ms: int = BUFFER_MS):
        self.samples = np.ascontiguousarray(np.asarray(samples, dtype="<i2").reshape(-1))
        self.rate = int(rate)
        self._clock = clock
        self._buffer_ms = int(buffer_ms)
        self._lock = threading.Lock()
        self._device = None
        self.message = ""
        self.backend = ""
        # how much the device still holds when it asks for more: measured on PulseAudio
        # (tests/audio/test_review_playback.py) as about 0.8 of the period asked for
        self.latency_ms = LATENCY_PERIODS * self._buffer_ms
        self.muted = False
        self._start = 0  # sample the current run started from
        self._end = 0  # sample it stops at (a grain stops early)
        self._handed = 0  # samples handed out in this run (silence past the end too)
        self._before = 0  # ... before the last pull
        self._pull_t: float | None = None  # clock reading of the last pull
        self._running = False
        self._open()

    # --- state ---------------------------------------------------------------------------

    @property
    def available(self) -> bool:
        return self._device is not None

    @property
    def playing(self) -> bool:
        return self._running

    @property
    def duration_ms(self) -> float:
        return 1000.0 * len(self.samples) / self.rate if self.rate else 0.0

    def position_ms(self) -> float | None:
        """The take time heard now: ``None`` when stopped or before the first pull.

        The device asks for samples when it needs them, so at each pull it has about
        played what it had been handed before it: the clock is that, advanced at the
        sample rate since the pull, never past what was handed out, less
        :attr:`latency_ms`. A device that stalls (a sound server waking up) stops the
        clock with it, and the picture waits for the sound."""
        with self._lock:
            if not self._running or self._pull_t is None:
                return None
            since = max(0.0, self._clock() - self._pull_t)
            heard = min(self._before + since * self.rate, float(self._handed))
            heard = max(0.0, heard - self.latency_ms * self.rate / 1000.0)
            return 1000.0 * (self._start + heard) / self.rate

    # --- actions -------------------------------------------------------------------------

    def play(self, from_ms: float) -> bool:
        """Play from take time ``from_ms`` to the end; False when there is no output."""
        start = int(round(max(0.0, from_ms) * self.rate / 1000.0))
        return self._run(start, len(self.samples))

    def grain(self, at_ms: float, length_ms: float = 60.0) -> bool:
        """Play ``length_ms`` from ``at_ms`` (faded at both ends) and stop."""
        start = int(round(max(0.0, at_ms) * self.rate / 1000.0))
        return self._run(start, min(len(self.samples), start + int(length_ms * self.rate / 1000)),
                         fade=True)

    def stop(self) -> None:
        device = self._device
        with self._lock:
            self._running = False
            self._pull_t = None
        if device is not None:
            try:
                device.stop()
            except Exception as exc:  # noqa: BLE001 (a device that went away)
                log.debug("stopping the audio device: %s", exc)

    def close(self) -> None:
        self.stop()
        device, self._device = self._device, None
        if device is not None:
            device.close()

    # --- inside --------------------------------------------------------------------------

    def _open(self) -> None:
        try:
            import miniaudio
        except ImportError:
            self.message = "No audio output: the miniaudio package is not installed."
            return
        try:
            device = miniaudio.PlaybackDevice(
                output_format=miniaudio.SampleFormat.SIGNED16, nchannels=1,
                sample_rate=self.rate, buffersize_msec=self._buffer_ms,
                backends=_backends(), app_name="Acting Mirror")
        except Exception as exc:  # noqa: BLE001 (MiniaudioError, or a broken library)
            self.message = "No audio output: no sound server or sound card answered."
            log.info("no audio output: %s", exc)
            return
        self._device = device
        self.backend = getattr(device, "backend", "")


    def _run(self, start: int, end: int, *, fade: bool = False) -> bool:
        if self._device is None or start >= len(self.samples) or end <= start:
            return False
        self.stop()
        with self._lock:
            self._start, self._end, self._handed, self._before = start, end, 0, 0
            self._running = True
        gen = self._feed(start, end, fade)
        next(gen)
        try:
            self._device.start(gen)
        except Exception as exc:  # noqa: BLE001 (the sound server went away)
            with self._lock:
                self._running = False
            self.message = f"No audio output: {exc}"
            log.info("cannot start the audio device: %s", exc)
            return False
        return True

    def _feed(self, start: int, end: int, fade: bool):
        """miniaudio's callback generator: sent how many frames it wants, yields them."""
        samples = self.samples
        fade_n = max(1, int(FADE_MS * self.rate / 1000)) if fade else 0
        pos = start
        wanted = yield b""
        while True:
            n = int(wanted)
            chunk = samples[pos : min(end, pos + n)]
            if fade_n and len(chunk):
                chunk = chunk.astype(np.float32)
                idx = np.arange(pos, pos + len(chunk))
                gain = np.minimum(1.0, np.minimum((idx - start + 1) / fade_n, (end - idx) / fade_n))
                chunk = (chunk * np.clip(gain, 0.0, 1.0)).astype("<i2")
            if self.muted:
                chunk = np.zeros(len(chunk), dtype="<i2")
            if len(chunk) < n:  # past the end: silence, so the clock runs on
                chunk = np.concatenate([chunk, np.zeros(n - len(chunk), dtype="<i2")])
            pos += n
            with self._lock:
                self._before = self._handed
                self._handed += n
                self._pull_t = self._clock()
            wanted = yield chunk.tobytes()


def load_take_sound(path) -> tuple[np.ndarray, int] | None:
    """A take's ``audio.wav`` as (int16 samples, rate), ``None`` when there is none or it
    cannot be read."""
    import wave

    from acting_mirror.audio.wavfile import read_wav

    try:
        samples, rate = read_wav(path)
    except (OSError, EOFError, ValueError, wave.Error) as exc:
        log.info("no sound from %s: %s", path, exc)
        return None
    if rate <= 0 or len(samples) == 0:
        return None
    return samples, rate


__all__ = ["TakePlayer", "load_take_sound", "BUFFER_MS"]
