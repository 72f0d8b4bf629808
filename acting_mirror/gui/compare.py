"""The compare window: two takes of the same script side by side.

Both videos play in step by script line (take B follows take A's clock through
:class:`~acting_mirror.controllers.compare.CompareController`), the main face's curves
of both are overlaid on A's clock (A solid, B dashed), and the lines' verdicts stand in
two columns with what changed. All the rules are in the controller; this shows them.
"""

from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPushButton, QSlider, QSplitter,
    QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from acting_mirror.controllers.compare import CompareController, take_title
from acting_mirror.core.calibration import ProfileStore
from acting_mirror.core.palette import EMOTION_COLORS_HEX
from acting_mirror.core.types import EMOTIONS
from acting_mirror.gui.imaging import bgr_to_qimage
from acting_mirror.gui.plots import legend_swatch, style_plot
from acting_mirror.gui.widgets import VideoView
from acting_mirror.gui.window_memory import keep_geometry

COLUMNS = ("Line", "Take A", "Take B", "What changed")
BETTER, WORSE = QColor("#7fd6a4"), QColor("#ff8a80")


class CompareWindow(QWidget):
    """See the module docstring. ``a`` and ``b`` are take folders of the same script;
    raises ScriptError (one sentence) when they cannot be compared."""

    closed = Signal()

    def __init__(self, a: Path | str, b: Path | str, *, profiles: ProfileStore | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window)
        self.controller = CompareController.open(a, b, profiles=profiles)
        self._closed = False
        c = self.controller
        self.title_a, self.title_b = take_title(c.a.take), take_title(c.b.take)
        self.setWindowTitle(f"Compare — {self.title_a} and {self.title_b}")
        self._build()
        for key, slot in ((Qt.Key.Key_Space, self.toggle_playing), (Qt.Key.Key_Escape, self.close),
                          (QKeySequence.StandardKey.Close, self.close),
                          (Qt.Key.Key_Comma, lambda: self.seek(self.slider.value() - 1)),
                          (Qt.Key.Key_Period, lambda: self.seek(self.slider.value() + 1))):
            QShortcut(QKeySequence(key), self).activated.connect(slot)
        keep_geometry(self, "compare", 1300, 800)
        self.play_timer = QTimer(self)
        self.play_timer.setInterval(max(5, int(round(1000.0 / c.a.take.fps))))
        self.play_timer.timeout.connect(self._tick)
        if c.a.n_frames:
            self.seek(0)

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        c = self.controller
        self.video_a, self.video_b = VideoView(), VideoView()
        for video in (self.video_a, self.video_b):
            video.setMinimumSize(240, 135)
        for video, side in ((self.video_a, c.a), (self.video_b, c.b)):
            if side.reader is None:
                video.set_note("This take has no video.")
        self.label_a = QLabel(f"<b>A</b> {self.title_a}  ·  {round(100 * c.a.report.score)}%")
        self.label_b = QLabel(f"<b>B</b> {self.title_b}  ·  {round(100 * c.b.report.score)}%")
        videos = QHBoxLayout()
        for label, video in ((self.label_a, self.video_a), (self.label_b, self.video_b)):
            column = QVBoxLayout()
            column.addWidget(label)
            column.addWidget(video, 1)
            videos.addLayout(column, 1)

        self.play_button = QPushButton("▶  Play")
        self.play_button.setToolTip("Play / pause both (Space)")
        self.play_button.clicked.connect(self.toggle_playing)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, max(0, c.a.n_frames - 1))
        self.slider.valueChanged.connect(self.seek)
        self.now_label = QLabel()
        self.now_label.setMinimumWidth(260)
        transport = QHBoxLayout()
        transport.addWidget(self.play_button)
        transport.addWidget(self.slider, 1)
        transport.addWidget(self.now_label)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(videos, 1)
        top_layout.addLayout(transport)

        curves = QWidget()
        curves_layout = QVBoxLayout(curves)
        curves_layout.setContentsMargins(0, 0, 0, 0)
        legend = QLabel("Main face (A solid, B dashed, on A's clock):  "
                        + "  ".join(legend_swatch(e, "━") for e in EMOTIONS))
        legend.setWordWrap(True)
        curves_layout.addWidget(legend)
        curves_layout.addWidget(self._build_plot(), 1)

        self.headline = QLabel(f"<b>{c.headline}</b>")
        self.headline.setWordWrap(True)
        self.table = self._build_table()
        lines = QWidget()
        lines_layout = QVBoxLayout(lines)
        lines_layout.setContentsMargins(0, 0, 0, 0)
        lines_layout.addWidget(self.headline)
        lines_layout.addWidget(self.table, 1)
        lines.setMinimumWidth(420)

        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(curves)
        bottom.addWidget(lines)
        bottom.setStretchFactor(0, 1)
        bottom.setStretchFactor(1, 1)
        bottom.setChildrenCollapsible(False)
        bottom.setSizes([540, 680])  # the lines need room for their text
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(splitter)

    def _build_plot(self) -> pg.PlotWidget:
        c = self.controller
        self.plot = pg.PlotWidget()
        item = style_plot(self.plot)
        item.setLabel("bottom", "seconds into take A")
        item.setYRange(0.0, 1.05, padding=0.0)
        item.setXRange(0.0, max(1.0, c.a.take.duration_ms / 1000.0), padding=0.01)
        times_b = c.times_in_a(c.b.take.curve_times_ms) / 1000.0
        for j, emotion in enumerate(EMOTIONS):
            colour = EMOTION_COLORS_HEX[emotion]
            a_curve = item.plot(c.a.take.curve_times_ms / 1000.0, c.a.take.curve_probs[:, j],
                                pen=pg.mkPen(colour, width=1.6), connect="finite")
            b_curve = item.plot(times_b, c.b.take.curve_probs[:, j], connect="finite",
                                pen=pg.mkPen(colour, width=1.4, style=Qt.PenStyle.DashLine))
            for curve in (a_curve, b_curve):
                curve.setSkipFiniteCheck(False)
        self.cursor = pg.InfiniteLine(pos=0.0, angle=90, pen=pg.mkPen("#ffffff", width=2))
        item.addItem(self.cursor, ignoreBounds=True)
        self.plot.setMinimumHeight(140)
        return self.plot

    def _build_table(self) -> QTableWidget:
        changes = self.controller.changes
        table = QTableWidget(len(changes), len(COLUMNS))
        table.setHorizontalHeaderLabels(COLUMNS)
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setWordWrap(True)
        for row, change in enumerate(changes):
            target = "|".join(change.targets) or "—"
            cells = (f"{change.index + 1}. {change.text}  ({target})",
                     _side(change.verdict_a, change.a), _side(change.verdict_b, change.b),
                     change.summary)
            for col, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if col == 3 and change.direction:
                    cell.setForeground(BETTER if change.direction > 0 else WORSE)
                table.setItem(row, col, cell)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            table.setColumnWidth(col, 110 if col < 3 else 140)
        header.sectionResized.connect(lambda *_: table.resizeRowsToContents())
        table.resizeRowsToContents()
        table.cellClicked.connect(lambda row, _col: self.seek_line(row))
        return table

    # ------------------------------------------------------------------ moving

    def seek(self, k: int) -> None:
        c = self.controller
        if c.a.n_frames == 0:
            return
        k = int(min(max(k, 0), c.a.n_frames - 1))
        frame_a, frame_b = c.seek(k)
        for frame, video in ((frame_a, self.video_a), (frame_b, self.video_b)):
            if frame is not None and frame.image is not None:
                video.show_image(bgr_to_qimage(frame.image))
        if self.slider.value() != k:
            self.slider.blockSignals(True)
            self.slider.setValue(k)
            self.slider.blockSignals(False)
        time_a = frame_a.time_ms if frame_a is not None else 0.0
        self.cursor.setValue(time_a / 1000.0)
        line = c.line_at(time_a)
        where = f"line {line.index + 1}" if line is not None else "between lines"
        time_b = frame_b.time_ms if frame_b is not None else 0.0
        self.now_label.setText(f"A {time_a / 1000:.1f} s  ·  B {time_b / 1000:.1f} s  ·  {where}")
        if line is not None:
            self.table.selectRow(c.changes.index(line))

    def seek_line(self, row: int) -> None:
        change = self.controller.changes[row]
        if change.a is not None:
            self.seek(self.controller.a.frame_at(change.a.start_ms))

    def toggle_playing(self) -> None:
        if self.play_timer.isActive():
            self.play_timer.stop()
            self.play_button.setText("▶  Play")
            return
        if self.slider.value() >= self.controller.a.n_frames - 1:
            self.seek(0)
        self.play_timer.start()
        self.play_button.setText("❚❚  Pause")

    def _tick(self) -> None:
        k = self.slider.value() + 1
        if k >= self.controller.a.n_frames:
            self.toggle_playing()
            return
        self.seek(k)

    def shutdown(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.play_timer.stop()
        self.controller.close()
        self.closed.emit()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        self.shutdown()
        event.accept()


def _side(verdict: str, line) -> str:
    if line is None or line.verdict in ("not_reached",):
        return verdict
    read = f"\nread as {line.dominant}" if line.dominant else ""
    return f"{verdict} · {line.on_target:.0%}{read}"


__all__ = ["CompareWindow"]
