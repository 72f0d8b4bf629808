"""The compare window: two to four takes of the same script side by side.

The videos play in step by script line (every take follows take A's clock through
:class:`~acting_mirror.controllers.compare.CompareController`), the main face's curves
of all are overlaid on A's clock (A solid, B dashed, C dotted, D dash-dot; one emotion
can be picked to see it alone), and the lines' verdicts stand in a column per take with
what changed ("line 3: miss → partial → hit"). All the rules are in the controller;
this shows them.
"""

from __future__ import annotations

import time
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QSlider, QSplitter,
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

PEN_STYLES = (Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine, Qt.PenStyle.DotLine,
              Qt.PenStyle.DashDotLine)
STYLE_WORDS = ("solid", "dashed", "dotted", "dash-dot")
BETTER, WORSE = QColor("#7fd6a4"), QColor("#ff8a80")
ALL_EMOTIONS = "All emotions"


def columns(letters: str) -> tuple[str, ...]:
    """The verdict table's headers: ``Line``, ``Take A``, ``Take B``…, ``What changed``."""
    return ("Line", *(f"Take {letter}" for letter in letters), "What changed")


COLUMNS = columns("AB")  # two takes, the usual case


class CompareWindow(QWidget):
    """See the module docstring. ``a``, ``b`` (and up to two more) are take folders of
    the same script, ``a`` the reference the others follow; raises ScriptError (one
    sentence) when they cannot be compared."""

    closed = Signal()

    def __init__(self, a: Path | str, b: Path | str, *more: Path | str,
                 profiles: ProfileStore | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window)
        self._profiles = profiles
        self._closed = False
        self.body: QWidget | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(10, 8, 10, 8)
        self.play_timer = QTimer(self)
        self.play_timer.timeout.connect(self._tick)
        self._open([Path(a), Path(b), *map(Path, more)])
        for key, slot in ((Qt.Key.Key_Space, self.toggle_playing), (Qt.Key.Key_Escape, self.close),
                          (QKeySequence.StandardKey.Close, self.close),
                          (Qt.Key.Key_Comma, lambda: self.seek(self.slider.value() - 1)),
                          (Qt.Key.Key_Period, lambda: self.seek(self.slider.value() + 1))):
            QShortcut(QKeySequence(key), self).activated.connect(slot)
        keep_geometry(self, "compare", 1300, 800)

    def _open(self, folders: list[Path]) -> None:
        """Compare ``folders`` (the first is the clock): a new controller, a new body."""
        self.controller = CompareController.open(*folders, profiles=self._profiles)
        self.folders = folders
        c = self.controller
        self.titles = [take_title(side.take) for side in c.sides]
        self.title_a, self.title_b = self.titles[0], self.titles[1]
        self.setWindowTitle("Compare — " + ", ".join(self.titles[:-1]) + f" and {self.titles[-1]}")
        old, self.body = self.body, QWidget()
        self._build()
        if old is not None:
            self._layout.removeWidget(old)
            old.hide()  # gone from the screen now, deleted once the event loop runs
            old.deleteLater()
        self._layout.addWidget(self.body)
        self.play_timer.setInterval(max(5, int(round(1000.0 / c.a.take.fps))))
        if c.a.n_frames:
            self.seek(0)

    def set_reference(self, index: int) -> None:
        """Make take ``index`` (0: A…) the clock the others follow: it becomes take A,
        the others keep their order (a take that stopped early makes a poor clock)."""
        if index <= 0 or index >= len(self.folders):
            return
        if self.play_timer.isActive():
            self.toggle_playing()
        order = [self.folders[index]] + [f for i, f in enumerate(self.folders) if i != index]
        self.controller.close()
        self._open(order)

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        c = self.controller
        self.videos = [VideoView() for _ in c.sides]
        self.video_a, self.video_b = self.videos[0], self.videos[1]
        self.labels = []
        videos = QHBoxLayout()
        for letter, title, score, video, side in zip(c.letters, self.titles, c.scores,
                                                      self.videos, c.sides):
            video.setMinimumSize(200, 113)
            if side.reader is None:
                video.set_note("This take has no video.")
            label = QLabel(f"<b>{letter}</b> {title}  ·  {score}%"
                           + ("  <span style='color:#9aa3ad'>(the clock)</span>"
                              if letter == "A" and len(c.sides) > 2 else ""))
            label.setToolTip(str(side.folder))
            self.labels.append(label)
            column = QVBoxLayout()
            column.addWidget(label)
            column.addWidget(video, 1)
            videos.addLayout(column, 1)
        self.label_a, self.label_b = self.labels[0], self.labels[1]

        self.play_button = QPushButton("▶  Play")
        self.play_button.setToolTip(f"Play / pause all {len(c.sides)} (Space)"
                                    if len(c.sides) > 2 else "Play / pause both (Space)")
        self.play_button.clicked.connect(self.toggle_playing)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, max(0, c.a.n_frames - 1))
        self.slider.valueChanged.connect(self.seek)
        self.now_label = QLabel()
        self.now_label.setMinimumWidth(200 + 70 * len(c.sides))
        self.reference_combo = QComboBox()
        for letter, title in zip(c.letters, self.titles):
            self.reference_combo.addItem(f"Clock: {letter} {title}")
        self.reference_combo.setToolTip("The take whose clock the others follow line by line; "
                                        "pick another to make it take A")
        self.reference_combo.activated.connect(self.set_reference)
        self.reference_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.reference_combo.setMinimumContentsLength(24)  # long names elide; the list shows all
        transport = QHBoxLayout()
        transport.addWidget(self.play_button)
        transport.addWidget(self.slider, 1)
        transport.addWidget(self.now_label)
        transport.addWidget(self.reference_combo)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(videos, 1)
        top_layout.addLayout(transport)

        curves = QWidget()
        curves_layout = QVBoxLayout(curves)
        curves_layout.setContentsMargins(0, 0, 0, 0)
        styles = ", ".join(f"{letter} {word}" for letter, word in zip(c.letters, STYLE_WORDS))
        self.emotion_combo = QComboBox()
        self.emotion_combo.addItem(ALL_EMOTIONS, None)
        for emotion in EMOTIONS:
            self.emotion_combo.addItem(emotion, emotion)
        self.emotion_combo.setToolTip("Show one emotion's curves in every take, or all of them")
        self.emotion_combo.currentIndexChanged.connect(
            lambda _i: self.show_emotion(self.emotion_combo.currentData()))
        legend = QLabel(f"Main face ({styles}, on A's clock):  "
                        + "  ".join(legend_swatch(e, "━").replace("</span> ", "</span>&nbsp;")
                                    for e in EMOTIONS))  # a swatch stays with its name
        legend.setWordWrap(True)
        head = QHBoxLayout()
        head.addWidget(legend, 1)
        head.addWidget(self.emotion_combo)
        curves_layout.addLayout(head)
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
        bottom.setSizes([540 - 40 * (len(c.sides) - 2), 680 + 40 * (len(c.sides) - 2)])
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    def _build_plot(self) -> pg.PlotWidget:
        c = self.controller
        self.plot = pg.PlotWidget()
        item = style_plot(self.plot)
        item.setLabel("bottom", "seconds into take A")
        item.setYRange(0.0, 1.05, padding=0.0)
        item.setXRange(0.0, max(1.0, c.a.take.duration_ms / 1000.0), padding=0.01)
        self.curves: dict[str, list] = {emotion: [] for emotion in EMOTIONS}
        for i, side in enumerate(c.sides):
            times = side.take.curve_times_ms if i == 0 else c.times_in_a(side.take.curve_times_ms, i)
            for j, emotion in enumerate(EMOTIONS):
                pen = pg.mkPen(EMOTION_COLORS_HEX[emotion], width=1.6 if i == 0 else 1.4,
                               style=PEN_STYLES[i])
                curve = item.plot(times / 1000.0, side.take.curve_probs[:, j], pen=pen,
                                  connect="finite")
                curve.setSkipFiniteCheck(False)
                self.curves[emotion].append(curve)
        self.cursor = pg.InfiniteLine(pos=0.0, angle=90, pen=pg.mkPen("#ffffff", width=2))
        item.addItem(self.cursor, ignoreBounds=True)
        self.plot.setMinimumHeight(140)
        return self.plot

    def show_emotion(self, emotion: str | None) -> None:
        """Only ``emotion``'s curves (of every take), or all of them (``None``)."""
        for name, curves in self.curves.items():
            for curve in curves:
                curve.setVisible(emotion is None or name == emotion)
        index = self.emotion_combo.findData(emotion)
        if index >= 0 and index != self.emotion_combo.currentIndex():
            self.emotion_combo.setCurrentIndex(index)

    def _build_table(self) -> QTableWidget:
        c = self.controller
        headers = columns(c.letters)
        table = QTableWidget(len(c.changes), len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setWordWrap(True)
        last = len(headers) - 1
        for row, change in enumerate(c.changes):
            target = "|".join(change.targets) or "—"
            cells = (f"{change.index + 1}. {change.text}  ({target})",
                     *(_side(verdict, score) for verdict, score in zip(change.verdicts, change.scores)),
                     change.summary)
            for col, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if col == last and change.direction:
                    cell.setForeground(BETTER if change.direction > 0 else WORSE)
                table.setItem(row, col, cell)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, len(headers)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            table.setColumnWidth(col, 140 + 30 * (len(c.sides) - 2) if col == last else 105)
        table.cellClicked.connect(lambda row, _col: self.seek_line(row))
        return table

    # ------------------------------------------------------------------ moving

    def seek(self, k: int) -> None:
        c = self.controller
        if c.a.n_frames == 0:
            return
        k = int(min(max(k, 0), c.a.n_frames - 1))
        frames = c.seek(k)
        for frame, video in zip(frames, self.videos):
            if frame is not None and frame.image is not None:
                video.show_image(bgr_to_qimage(frame.image))
        if self.slider.value() != k:
            self.slider.blockSignals(True)
            self.slider.setValue(k)
            self.slider.blockSignals(False)
        time_a = frames[0].time_ms if frames[0] is not None else 0.0
        self.cursor.setValue(time_a / 1000.0)
        line = c.line_at(time_a)
        where = f"line {line.index + 1}" if line is not None else "between lines"
        times = "  ·  ".join(f"{letter} {(f.time_ms if f is not None else 0.0) / 1000:.1f} s"
                             for letter, f in zip(c.letters, frames))
        self.now_label.setText(f"{times}  ·  {where}")
        if line is not None:
            self.table.selectRow(c.changes.index(line))
        else:
            self.table.clearSelection()  # between lines: no line is played

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
        # played on the wall clock: when showing every take's frame takes longer than a
        # frame lasts (four videos, a busy computer), frames are skipped, never the time
        self._play_from = (time.monotonic(), self.slider.value())
        self.play_timer.start()
        self.play_button.setText("❚❚  Pause")

    def frame_due(self, now: float) -> int:
        """Take A's frame that is due at ``now`` (``time.monotonic()``) while playing."""
        started, first = self._play_from
        return first + int((now - started) * self.controller.a.take.fps)

    def _tick(self) -> None:
        k = self.frame_due(time.monotonic())
        if k <= self.slider.value():
            return  # a tick early: this frame still shows
        if k >= self.controller.a.n_frames:
            self.seek(self.controller.a.n_frames - 1)
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


__all__ = ["CompareWindow", "COLUMNS", "columns"]
