"""How long the review's waveform strip takes for a long take (not a test: run it).

    QT_QPA_PLATFORM=offscreen python tests/gui/measure_waveform.py [MINUTES]

Prints the time to compute the envelope of MINUTES (default 10) of 16 kHz sound and to
give it, with one speech segment a second, to the strip."""

from __future__ import annotations

import sys
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QApplication

from acting_mirror.gui.review_waveform import WaveformStrip, envelope


def main(minutes: float = 10.0) -> None:
    app = QApplication.instance() or QApplication([])
    seconds = int(minutes * 60)
    x = np.random.default_rng(1).normal(0, 3000, seconds * 16000).astype(np.int16)
    t = time.perf_counter()
    envelope(x, 16000)
    env_ms = 1000 * (time.perf_counter() - t)
    strip = WaveformStrip(pg.PlotWidget())
    t = time.perf_counter()
    strip.set_sound(x, 16000)
    strip.set_segments([(i * 1000, i * 1000 + 600) for i in range(seconds)])
    strip.resize(800, 60)
    strip.show()
    app.processEvents()
    all_ms = 1000 * (time.perf_counter() - t)
    print(f"{minutes:g} min of sound: envelope {env_ms:.0f} ms; envelope, {seconds} speech "
          f"segments and the first paint {all_ms:.0f} ms; {strip.points} points drawn")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 10.0)
