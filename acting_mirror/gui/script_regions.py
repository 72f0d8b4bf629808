"""Shaded script lines on a pyqtgraph plot (each line in its target's colour, numbered),
for the live curves and the review. Where the lines lie comes from ``core.spans``."""

from __future__ import annotations

from typing import Iterable

import pyqtgraph as pg
from PySide6.QtGui import QColor

from acting_mirror.core.palette import emotion_color_hex
from acting_mirror.core.spans import Span


class ScriptRegions:
    """Shaded regions on a plot, one per script line in its (first) target's colour, with
    the line number and target written at the top. ``set_shift(ms)`` slides them: a line
    at take time ``t`` is drawn at ``x = (t - shift) / 1000`` seconds (the live curves put
    "now" at 0; the review uses shift 0). Items are reused, never created per frame."""

    def __init__(self, plot_item: pg.PlotItem, *, label_y: float = 1.0, alpha: int = 46):
        self.plot_item = plot_item
        self.label_y = label_y
        self.alpha = alpha
        self._spans: list[Span] = []
        self._regions: list[pg.LinearRegionItem] = []
        self._labels: list[pg.TextItem] = []
        self._texts: dict[int, tuple[str, str]] = {}  # line -> (long label, short label)
        self._shown: dict[int, str] = {}
        self._shift_ms = 0.0
        vb = plot_item.getViewBox()  # labels are placed in pixels: redo when the view changes
        vb.sigResized.connect(self._place)
        vb.sigXRangeChanged.connect(self._place)

    @property
    def spans(self) -> list[Span]:
        return list(self._spans)

    def regions(self) -> list[tuple[float, float]]:
        """The visible regions' x ranges (seconds), in line order."""
        return [tuple(r.getRegion()) for r in self._regions[: len(self._spans)]]

    def region_colors(self) -> list[str]:
        return [r.brush.color().name() for r in self._regions[: len(self._spans)]]

    def clear(self) -> None:
        self.set_spans([])

    def set_spans(self, spans: Iterable[Span], shift_ms: float | None = None) -> None:
        """Shade ``spans`` (and move them by ``shift_ms`` when given: one placement for
        both, as the live plot does at every redraw)."""
        spans = list(spans)
        if shift_ms is not None:
            self._shift_ms = float(shift_ms)
        same_lines = [(s.index, s.targets) for s in spans] == [(s.index, s.targets) for s in self._spans]
        self._spans = spans
        while len(self._regions) < len(spans):
            region = pg.LinearRegionItem(movable=False)
            region.setZValue(-20)
            label = pg.TextItem(anchor=(0, 0))
            label.setZValue(-19)
            self.plot_item.addItem(region, ignoreBounds=True)
            self.plot_item.addItem(label, ignoreBounds=True)
            self._regions.append(region)
            self._labels.append(label)
        for i, (region, label) in enumerate(zip(self._regions, self._labels)):
            visible = i < len(spans)
            region.setVisible(visible)
            label.setVisible(visible)
            if not visible or same_lines:
                continue
            self._shown.pop(i, None)
            span = spans[i]
            colour = QColor(emotion_color_hex(span.targets[0] if span.targets else None))
            fill = QColor(colour)
            fill.setAlpha(self.alpha)
            edge = QColor(colour)
            edge.setAlpha(150)
            region.setBrush(pg.mkBrush(fill))
            region.setHoverBrush(pg.mkBrush(fill))
            for line in region.lines:
                line.setPen(pg.mkPen(edge, width=1))
                line.setHoverPen(pg.mkPen(edge, width=1))
            label.setText(f"{span.index + 1} {'|'.join(span.targets)}", color=colour)
            self._texts[i] = (f"{span.index + 1} {'|'.join(span.targets)}", f"{span.index + 1}")
        self._place()

    def set_shift(self, shift_ms: float) -> None:
        if shift_ms != self._shift_ms:
            self._shift_ms = float(shift_ms)
            self._place()

    def _place(self, *_args) -> None:
        vb = self.plot_item.getViewBox()
        (left, right), _ = vb.viewRange()
        px = vb.viewPixelSize()[0] if vb.width() > 0 else 0.0  # seconds per pixel
        for i, (span, region, label) in enumerate(zip(self._spans, self._regions, self._labels)):
            x0 = (span.start_ms - self._shift_ms) / 1000.0
            x1 = (span.end_ms - self._shift_ms) / 1000.0
            region.setRegion((x0, x1))
            visible0, visible1 = max(x0, left), min(x1, right)
            long_text, short_text = self._texts.get(i, ("", ""))
            # the long label when it fits in the visible part of the line, else the number
            chars_fit = (visible1 - visible0) / px / 7.0 if px > 0 else len(long_text)
            text = long_text if chars_fit >= len(long_text) else short_text
            if self._shown.get(i) != text:
                self._shown[i] = text
                label.setText(text)
            width = label.boundingRect().width() * px if px > 0 else 0.0
            label.setPos(max(min(visible0, right - width), left), self.label_y)
            label.setVisible(visible1 > visible0)  # lines still to come have no label yet


__all__ = ["ScriptRegions"]
