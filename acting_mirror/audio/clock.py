"""Audio time against the take's clock: the microphone's sample clock drifts from the
computer's (a cheap USB microphone at "48 kHz" may run at 48 010 Hz: 125 ms off after ten
minutes, four frames), so samples are not simply counted from the start.

While recording, :class:`ClockNotes` keeps, for each second, the read that came back with
the least delay: ``(samples so far, take time in ms)``. :func:`fit_clock` fits
``time = offset + samples / rate`` to those notes (least squares), which measures the
device's true rate (the drift) and the take time of its first sample. :func:`align` then
resamples the recording onto the take's clock at the nominal rate, so sample ``k`` of the
finished ``audio.wav`` is take time ``k / rate`` (silence before the microphone's first
sample): the timeline's ``time_ms`` picks its sample directly, in review and export.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from acting_mirror.core.files import read_headed_pairs

NOTE_EVERY_S = 1.0


@dataclass(frozen=True)
class ClockFit:
    offset_ms: float  # take time of the first recorded sample
    rate: float  # the device's measured samples per second of the take's clock
    nominal_rate: int
    residual_ms: float  # worst distance of a note from the fit (read jitter)
    notes: int

    @property
    def drift_ppm(self) -> float:
        return (self.rate / self.nominal_rate - 1.0) * 1e6

    def time_ms(self, sample: float) -> float:
        """Take time of recorded sample ``sample``."""
        return self.offset_ms + 1000.0 * sample / self.rate

    def sample(self, time_ms: float) -> float:
        """The recorded sample (fractional) heard at take time ``time_ms``."""
        return (time_ms - self.offset_ms) * self.rate / 1000.0


class ClockNotes:
    """Collects ``(samples, time_ms)`` after each read; keeps the least-delayed read of
    every second (its ``time - samples / nominal`` is smallest)."""

    def __init__(self, nominal_rate: int):
        self.nominal_rate = nominal_rate
        self.notes: list[tuple[int, float]] = []
        self._best: tuple[int, float] | None = None
        self._second = -1

    def add(self, samples: int, time_ms: float) -> tuple[int, float] | None:
        """Note a read; returns the previous second's best note when a second is over."""
        second = int(samples // (self.nominal_rate * NOTE_EVERY_S))
        done = None
        if second != self._second and self._best is not None:
            done = self._best
            self.notes.append(done)
            self._best = None
        self._second = second
        if self._best is None or (time_ms - 1000.0 * samples / self.nominal_rate) < (
            self._best[1] - 1000.0 * self._best[0] / self.nominal_rate
        ):
            self._best = (samples, time_ms)
        return done

    def finish(self) -> list[tuple[int, float]]:
        if self._best is not None:
            self.notes.append(self._best)
            self._best = None
        return list(self.notes)


def fit_clock(notes: list[tuple[int, float]], nominal_rate: int) -> ClockFit | None:
    """The line through the notes; with fewer than 10 s of notes the rate is taken as
    nominal (too short to measure a drift) and only the offset is fitted."""
    if not notes:
        return None
    n = np.array([s for s, _t in notes], dtype=np.float64)
    t = np.array([ms for _s, ms in notes], dtype=np.float64)
    span_s = (n.max() - n.min()) / nominal_rate
    if len(notes) >= 3 and span_s >= 10.0:
        slope, offset = np.polyfit(n, t, 1)  # ms per sample
        rate = 1000.0 / slope if slope > 0 else float(nominal_rate)
        if abs(rate / nominal_rate - 1) > 0.02:  # not a drift: a broken clock; ignore it
            rate = float(nominal_rate)
            offset = float(np.median(t - 1000.0 * n / rate))
    else:
        rate = float(nominal_rate)
        offset = float(np.median(t - 1000.0 * n / rate))
    fitted = offset + 1000.0 * n / rate
    return ClockFit(float(offset), float(rate), nominal_rate,
                    float(np.abs(t - fitted).max()), len(notes))


def align(samples: np.ndarray, fit: ClockFit, *, chunk: int = 1 << 20) -> np.ndarray:
    """``samples`` (recorded at ``fit.rate`` from take time ``fit.offset_ms``) mapped
    so that output sample ``k`` is take time ``k / nominal_rate``: silence before the
    first recorded sample, nothing after the last."""
    samples = np.asarray(samples, dtype=np.int16)
    if len(samples) == 0:
        return samples
    sr = fit.nominal_rate
    end_ms = fit.time_ms(len(samples) - 1)
    total = max(0, int(np.floor(end_ms * sr / 1000.0)) + 1)
    out = np.zeros(total, dtype=np.int16)
    for lo in range(0, total, chunk):
        k = np.arange(lo, min(total, lo + chunk), dtype=np.float64)
        # the nearest recorded sample (within 1/2 sample, 31 us at 16 kHz): a drift is
        # corrected by repeating or skipping one sample now and then, which leaves the
        # sound itself untouched (an interpolation would dull its highs)
        pos = np.rint(fit.sample(k * 1000.0 / sr)).astype(np.int64)
        inside = (pos >= 0) & (pos < len(samples))
        out[lo:lo + len(k)][inside] = samples[pos[inside]]
    return out


# --------------------------------------------------------------------------- the sidecar


def write_note(fh, samples: int, time_ms: float) -> None:
    fh.write(f"{samples} {time_ms:.3f}\n")
    fh.flush()


def read_notes(path: Path | str) -> tuple[dict, list[tuple[int, float]]]:
    """The sidecar's metadata (first line, JSON) and notes; a half-written last line is
    ignored. ``({}, [])`` when it cannot be read."""
    return read_headed_pairs(path, _note)


def _note(samples: bytes, time_ms: bytes) -> tuple[int, float]:
    s, t = int(samples), float(time_ms)
    if not np.isfinite(t) or s < 0:
        raise ValueError("not a clock note")
    return s, t


def write_sidecar(path: Path, meta: dict, notes: list[tuple[int, float]]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(meta) + "\n")
        for s, t in notes:
            fh.write(f"{s} {t:.3f}\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
