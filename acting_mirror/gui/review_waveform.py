"""WaveformStrip: the take's sound as a thin strip under the review's curves, on the same
time axis (its X is linked to the curves' plot), with the actor's speech (``speech.json``)
shaded and the review's cursor.

The envelope is computed once when the take opens (:func:`envelope`: the peak of each of
at most :data:`ENVELOPE_POINTS` equal slices, one NumPy reduction), so a ten-minute take
draws as fast as a ten-second one.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from acting_mirror.gui.plots import style_plot

ENVELOPE_POINTS = 4000
"""Slices of the envelope: more than a screen's pixels across."""

SPEECH_BRUSH = "#4fc3f755"
WAVE_PEN = "#b0bec5"
STRIP_HEIGHT = 58


def envelope(samples: np.ndarray, rate: int, points: int = ENVELOPE_POINTS
             ) -> tuple[np.ndarray, np.ndarray]:
    """``(times_s, peak)``: the peak (0..1 of the take's loudest slice) of each slice of
    ``samples``; at most ``points`` slices, each a whole number of samples and at least
    10 ms (an envelope, not the wave itself)."""
    x = np.asarray(samples).reshape(-1)
    if x.size == 0 or rate <= 0:
        return np.zeros(0), np.zeros(0)
    step = max(1, rate // 100, -(-x.size // max(1, int(points))))  # 10 ms at the finest
    n = -(-x.size // step)
    padded = np.zeros(n * step, dtype=np.int32)
    padded[: x.size] = np.abs(x.astype(np.int32))
    peak = padded.reshape(n, step).max(axis=1).astype(np.float64)
    top = float(peak.max())
    if top > 0:
        peak /= top
    times = (np.arange(n) * step + step / 2.0) / float(rate)
    return times, peak


class WaveformStrip(pg.PlotWidget):
    """The strip (see the module docstring); ``link`` is the curves' plot to share X with."""

    def __init__(self, link: pg.PlotWidget, parent=None):
        super().__init__(parent)
        item = style_plot(self)
        item.showGrid(x=True, y=False, alpha=0.15)
        item.hideAxis("bottom")
        item.getAxis("left").setTicks([[(0.0, "voice")]])
        item.setYRange(-1.05, 1.05, padding=0.0)
        item.getViewBox().disableAutoRange()
        self.setXLink(link)
        # the same left axis width as the curves', so the two time axes line up on screen
        width = 46
        link.getPlotItem().getAxis("left").setWidth(width)
        item.getAxis("left").setWidth(width)
        self.speech = pg.BarGraphItem(x0=[], y0=[], width=[], height=[],
                                      brush=pg.mkBrush(SPEECH_BRUSH), pen=pg.mkPen(None))
        item.addItem(self.speech)
        self.upper = item.plot(pen=pg.mkPen(WAVE_PEN, width=1))
        self.lower = item.plot(pen=pg.mkPen(WAVE_PEN, width=1))
        self.fill = pg.FillBetweenItem(self.upper, self.lower, brush=pg.mkBrush("#b0bec599"))
        item.addItem(self.fill)
        self.cursor = pg.InfiniteLine(pos=0.0, angle=90, movable=False,
                                      pen=pg.mkPen("#ffffff", width=2))
        self.cursor.setZValue(50)
        item.addItem(self.cursor, ignoreBounds=True)
        self.setFixedHeight(STRIP_HEIGHT)
        self.setToolTip("Your voice over the take: shaded where you spoke (click to seek)")
        self.segments: list[tuple[int, int]] = []
        self.points = 0

    def set_sound(self, samples: np.ndarray, rate: int) -> None:
        t, peak = envelope(samples, rate)
        self.points = len(t)
        self.upper.setData(t, peak)
        self.lower.setData(t, -peak)

    def set_segments(self, segments: list[tuple[int, int]]) -> None:
        """The actor's speech, ``(start_ms, end_ms)`` in take time."""
        self.segments = [(int(a), int(b)) for a, b in segments if b > a]
        a = np.array([s[0] for s in self.segments], dtype=float) / 1000.0
        w = np.array([s[1] - s[0] for s in self.segments], dtype=float) / 1000.0
        self.speech.setOpts(x0=a, width=w, y0=np.full(len(a), -1.05), height=np.full(len(a), 2.1))

    def set_cursor(self, time_ms: float) -> None:
        self.cursor.setValue(time_ms / 1000.0)

    def x_range(self) -> tuple[float, float]:
        lo, hi = self.getPlotItem().getViewBox().viewRange()[0]
        return float(lo), float(hi)


__all__ = ["WaveformStrip", "envelope", "ENVELOPE_POINTS"]
