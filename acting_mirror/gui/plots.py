"""EmotionPlots: the primary face's seven emotions over the last seconds, and now.

Points arrive every analysed frame into a fixed ring buffer (``EmotionTimeline``);
drawing happens on the window's redraw timer (about 15 Hz) with ``setData`` on the
same seven curves and one bar item: nothing is created per frame.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QGraphicsItem, QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from acting_mirror.core.palette import EMOTION_COLORS_HEX
from acting_mirror.core.timeline import EmotionTimeline
from acting_mirror.core.types import EMOTIONS, N_EMOTIONS

PLOT_BACKGROUND = "#15171c"
_AXIS = "#9aa3ad"
_GRID_ALPHA = 0.15
MAX_WINDOW_S = 60
TIMELINE_CAPACITY = MAX_WINDOW_S * 60  # a minute at 60 fps


def style_plot(plot: pg.PlotWidget) -> pg.PlotItem:
    """The app's plot look: dark, gridded, still (no menu, buttons or mouse panning)."""
    plot.setBackground(PLOT_BACKGROUND)
    item = plot.getPlotItem()
    item.setMenuEnabled(False)
    item.hideButtons()
    item.setMouseEnabled(x=False, y=False)
    item.showGrid(x=True, y=True, alpha=_GRID_ALPHA)
    for name in ("left", "bottom"):
        axis = item.getAxis(name)
        axis.setPen(pg.mkPen(_AXIS))
        axis.setTextPen(pg.mkPen(_AXIS))
        # kept as a pixmap: the curves redraw 15 times a second, the axes and grid rarely
        axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    return item


def legend_swatch(emotion: str, line: str = "━━") -> str:
    """Rich text: a short line in the emotion's colour, then its name."""
    return f"<span style='color:{EMOTION_COLORS_HEX[emotion]}'>{line}</span> {emotion}"


SHORT_LABELS = {"angry": "ang", "disgust": "dis", "fear": "fear", "happy": "hap",
                "sad": "sad", "surprise": "sur", "neutral": "neu"}


def bar_labels(slot_px: float, text_width) -> list[str]:
    """The bars' labels for ``slot_px`` pixels per bar: the full names when every one
    fits with a little room (``text_width(text) -> px``), else short ones (never
    "angrydisgust"), else initials."""
    for names in (list(EMOTIONS), [SHORT_LABELS[e] for e in EMOTIONS]):
        if all(text_width(name) + 6 <= slot_px for name in names):
            return names
    return [e[0].upper() for e in EMOTIONS]


class EmotionPlots(QWidget):
    """The curves (top) and the bars of the newest frame (bottom)."""

    def __init__(self, window_s: int = 20, parent: QWidget | None = None):
        super().__init__(parent)
        self.window_s = int(window_s)
        self.timeline = EmotionTimeline(TIMELINE_CAPACITY)
        self._generation = -1
        self._dirty = True

        title_font = QFont()
        title_font.setBold(True)
        self.curves_title = QLabel(self._curves_title_text())
        self.curves_title.setFont(title_font)
        self.bars_title = QLabel("This moment")
        self.bars_title.setFont(title_font)

        self._build_curves()
        # the legend sits above the plot, in Qt, so it never hides a curve
        self.legend = QWidget()
        legend_layout = QGridLayout(self.legend)
        legend_layout.setContentsMargins(4, 0, 4, 0)
        legend_layout.setHorizontalSpacing(14)
        legend_layout.setVerticalSpacing(0)
        for i, emotion in enumerate(EMOTIONS):
            legend_layout.addWidget(QLabel(legend_swatch(emotion)), i // 4, i % 4)

        self._build_bars()
        self.curve_plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.bar_plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.curves_title)
        layout.addWidget(self.legend)
        layout.addWidget(self.curve_plot, 3)
        layout.addWidget(self.bars_title)
        layout.addWidget(self.bar_plot, 2)

    def _build_curves(self) -> None:
        """The main face's curves over the last ``window_s`` seconds ("now" at 0)."""
        self.curve_plot = pg.PlotWidget()
        item = style_plot(self.curve_plot)
        item.setYRange(-0.03, 1.06, padding=0.0)
        item.setXRange(-self.window_s, self._right_margin(), padding=0.0)
        item.getAxis("left").setTicks([[(0.0, "0"), (0.5, "50%"), (1.0, "100%")]])
        item.getViewBox().disableAutoRange()
        self._set_time_ticks()
        self.curves: list[pg.PlotDataItem] = []
        for emotion in EMOTIONS:
            # width-1 pens: Qt draws wider antialiased lines on a slow path that cost most of
            # the GUI thread at 30 fps (measured with `acting-mirror bench --live`)
            curve = item.plot(pen=pg.mkPen(EMOTION_COLORS_HEX[emotion], width=1))
            curve.setSkipFiniteCheck(False)
            self.curves.append(curve)

    def _build_bars(self) -> None:
        """One bar per emotion: the newest frame's reading."""
        self.bar_plot = pg.PlotWidget()
        bars = style_plot(self.bar_plot)
        bars.showGrid(x=False, y=True, alpha=_GRID_ALPHA)
        bars.setYRange(-0.03, 1.06, padding=0.0)
        bars.setXRange(-0.6, N_EMOTIONS - 0.4, padding=0.0)
        bars.getViewBox().disableAutoRange()
        bars.getAxis("bottom").setTicks([list(enumerate(EMOTIONS))])
        bars.getAxis("left").setTicks([[(0.0, "0"), (0.5, "50%"), (1.0, "100%")]])
        self._heights = np.zeros(N_EMOTIONS)
        self.bars = pg.BarGraphItem(
            x=np.arange(N_EMOTIONS), height=self._heights, width=0.72,
            brushes=[pg.mkBrush(EMOTION_COLORS_HEX[e]) for e in EMOTIONS],
            pens=[pg.mkPen(None) for _ in EMOTIONS],
        )
        bars.addItem(self.bars)
        # the view box has its new width only once the plot's scene is laid out, after the
        # widget's resizeEvent: labels chosen there used the old width ("angrydisgust")
        bars.getViewBox().sigResized.connect(lambda *_: self._fit_bar_labels())

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().resizeEvent(event)
        self._fit_bar_labels()

    def _fit_bar_labels(self) -> None:
        """Full emotion names under the bars when they fit, short ones when not."""
        axis = self.bar_plot.getAxis("bottom")
        view = self.bar_plot.getPlotItem().getViewBox()
        width = view.width() or max(1.0, self.bar_plot.width() - 50.0)
        metrics = QFontMetrics(axis.style.get("tickFont") or self.bar_plot.font())
        labels = bar_labels(width / (N_EMOTIONS + 0.2), metrics.horizontalAdvance)
        if labels != getattr(self, "bar_label_texts", None):
            self.bar_label_texts = labels
            axis.setTicks([list(enumerate(labels))])

    def _curves_title_text(self) -> str:
        return f"Main face, last {self.window_s} s"

    # ---------------------------------------------------------------- data in

    def add_point(self, generation: int, time_ms: int, probs: np.ndarray | None) -> None:
        """One analysed frame; a newer ``generation`` (a new source) starts afresh."""
        if generation != self._generation:
            if generation < self._generation:
                return  # a late point from the previous source
            self._generation = generation
            self.timeline.clear()
        self.timeline.append(time_ms, probs)
        self._dirty = True

    def clear(self) -> None:
        self.timeline.clear()
        self._dirty = True

    def _right_margin(self) -> float:
        return 0.04 * self.window_s  # room for the "now" label

    def _set_time_ticks(self) -> None:
        step = 5 if self.window_s <= 30 else 10
        ticks = [(float(-s), f"-{s} s") for s in range(self.window_s, 0, -step)]
        self.curve_plot.getPlotItem().getAxis("bottom").setTicks([ticks + [(0.0, "now")]])

    def set_window(self, seconds: int) -> None:
        self.window_s = int(seconds)
        self.curve_plot.getPlotItem().setXRange(-self.window_s, self._right_margin(), padding=0.0)
        self._set_time_ticks()
        self.curves_title.setText(self._curves_title_text())
        self._dirty = True

    def set_bars_visible(self, on: bool) -> None:
        self.bars_title.setVisible(on)
        self.bar_plot.setVisible(on)

    # ---------------------------------------------------------------- drawing

    def redraw(self) -> None:
        """Push the buffered window into the existing curves and bars (if anything changed)."""
        if not self._dirty:
            return
        self._dirty = False
        times, probs = self.timeline.window()
        if times.size == 0:
            for curve in self.curves:
                curve.setData([], [])
            self._heights[:] = 0.0
            self.bars.setOpts(height=self._heights)
            return
        x = (times - times[-1]) / 1000.0
        keep = x >= -self.window_s - 0.5
        x = x[keep]
        probs = probs[keep]
        for i, curve in enumerate(self.curves):
            curve.setData(x, probs[:, i], connect="finite")
        latest = self.timeline.latest()
        if latest is None:
            self._heights[:] = 0.0
        else:
            self._heights[:] = latest
        self.bars.setOpts(height=self._heights)

    def curve_data(self, emotion: str) -> tuple[np.ndarray, np.ndarray]:
        """What the curve of ``emotion`` shows now (x in seconds, y in 0..1)."""
        x, y = self.curves[EMOTIONS.index(emotion)].getData()
        return (np.asarray(x if x is not None else []), np.asarray(y if y is not None else []))

    def bar_heights(self) -> np.ndarray:
        return np.asarray(self.bars.opts["height"], dtype=float).copy()


__all__ = ["EmotionPlots", "PLOT_BACKGROUND"]
