"""ReviewWindow: watch a take again with its emotion curves and its script, in sync.

The take's ``output.avi`` plays on a QTimer in the GUI thread, one decoded frame per tick
(``media.take_video.FrameReader``: seeking with ``CAP_PROP_POS_FRAMES``, reading on when
the next frame is the one wanted). Which frame is current, the scoring and the
calibration are ``controllers.review.ReviewController``'s; this window shows them. The curves come from ``timeline.csv``; a vertical cursor marks the frame shown;
the script's lines are shaded in their targets' colours. Seek with the slider, a click on
the curves or by dragging the cursor; step frame by frame with the buttons or the ``,``
and ``.`` keys; Space plays and pauses. The report (``report.json``) is shown beside it,
or, when the take has none, "Score against a script…" makes one.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

import pyqtgraph as pg
from PySide6.QtCore import QPoint, QPointF, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSlider,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from acting_mirror.controllers.mirror import could_not_open
from acting_mirror.controllers.review import ReviewController
from acting_mirror.core.calibration import ProfileStore
from acting_mirror.core.palette import EMOTION_COLORS_HEX, emotion_color_hex
from acting_mirror.core.scoring import TakeReport
from acting_mirror.core.script import Script, load_script
from acting_mirror.core.takefiles import REPORT_HTML
from acting_mirror.core.types import EMOTIONS
from acting_mirror.errors import ActingMirrorError, ScriptError
from acting_mirror.gui.explain import ExplainJob, ExplanationDialog
from acting_mirror.gui.face_detail import FaceDetailView
from acting_mirror.gui.imaging import bgr_to_qimage
from acting_mirror.gui.plots import legend_swatch, style_plot
from acting_mirror.gui.report_view import ReportView
from acting_mirror.gui.review_actions import FaceActionPicker
from acting_mirror.gui.review_sound import ReviewSound
from acting_mirror.gui.script_regions import ScriptRegions
from acting_mirror.gui.widgets import VideoView
from acting_mirror.gui.window_memory import keep_geometry

log = logging.getLogger(__name__)

SCRIPT_FILTER = "Acting scripts (*.txt *.script);;All files (*)"


def _mm_ss_cs(ms: float) -> str:
    ms = max(0.0, ms)
    s, rest = divmod(int(round(ms)), 1000)
    return f"{s // 60:02d}:{s % 60:02d}.{rest // 100}"


class ReviewWindow(QWidget):
    """See the module docstring. ``profiles`` gives the actor calibrations for the
    "Calibrated" switch; ``actor`` the one to start with (else the take's own). What is
    current, the scoring and the calibration live in :attr:`controller`
    (``controllers.review.ReviewController``); this window shows them."""

    closed = Signal()
    reportChanged = Signal(object)  # TakeReport

    def __init__(
        self,
        take_dir: Path | str,
        *,
        profiles: ProfileStore | None = None,
        actor: str = "",
        script_chooser: Callable[[], Path | None] | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.controller = ReviewController.open(take_dir, profiles=profiles)
        self.take = self.controller.take
        self.folder = self.take.folder
        self.profiles = profiles
        self._script_chooser = script_chooser
        self.frames_shown = 0
        self._closed = False

        self.setWindowTitle(f"Review — {self.folder.name}")
        self._build()
        self._build_shortcuts()
        keep_geometry(self, "review", 1400, 820)
        self._fill_actors(actor or (self.take.take_script.actor if self.take.take_script else ""))
        if self.take.take_script is not None and self.take.take_script.calibrated and self.actor:
            self.calibrated_check.setChecked(True)
        self._apply_calibration()

        self.play_timer = QTimer(self)
        self.play_timer.setInterval(max(5, int(round(1000.0 / self.take.fps))))
        self.play_timer.timeout.connect(self._play_tick)
        if self.take.n_frames:
            self.seek(0)
        self.sound.show_line_speech()

    # the review's state lives in its controller; these read it
    current = property(lambda self: self.controller.current)
    report = property(lambda self: self.controller.report)
    saved_report = property(lambda self: self.controller.saved_report)
    calibration = property(lambda self: self.controller.calibration)
    reader = property(lambda self: self.controller.reader)

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self._build_video(), 3)
        left_layout.addLayout(self._build_transport())
        left_layout.addWidget(self.now_label)
        left_layout.addWidget(self.legend)
        left_layout.addWidget(self._build_plot(), 2)
        self.sound = ReviewSound(self)  # audio.wav in sync, and its waveform strip
        left_layout.addWidget(self.sound.widget)
        self.actions = FaceActionPicker(self.take.table, self.plot.getPlotItem())  # any face action
        left_layout.addWidget(self.actions)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addLayout(self._build_calibration_row())
        right_layout.addWidget(self._build_report_side(), 1)
        self.face_detail = FaceDetailView()  # the main face's movements at the frame shown
        right_layout.addWidget(self.face_detail)
        right.setMinimumWidth(420)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([800, 560])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(splitter)

    def _build_video(self) -> VideoView:
        self.video = VideoView()
        self.video.setMinimumSize(320, 180)
        if self.reader is None:
            self.video.set_note("This take has no video (output.avi); the curves are all there is.")
        self.now_label = QLabel()
        self.now_label.setTextFormat(Qt.TextFormat.RichText)
        self.legend = QLabel("Main face:  " + "  ".join(legend_swatch(e, "━") for e in EMOTIONS))
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        return self.video

    def _build_plot(self) -> pg.PlotWidget:
        """The main face's curves, the script's lines shaded, and the cursor."""
        self.plot = pg.PlotWidget()
        item = style_plot(self.plot)
        item.setLabel("bottom", "seconds into the take")
        item.getAxis("left").setTicks([[(0.0, "0"), (0.5, "50%"), (1.0, "100%")]])
        item.setYRange(0.0, 1.12, padding=0.0)
        end_s = max(1.0, self.take.duration_ms / 1000.0)
        item.setXRange(0.0, end_s, padding=0.01)
        item.getViewBox().disableAutoRange()
        self.curves = []
        for emotion in EMOTIONS:
            curve = item.plot(pen=pg.mkPen(EMOTION_COLORS_HEX[emotion], width=1.6))
            curve.setSkipFiniteCheck(False)
            self.curves.append(curve)
        self.regions = ScriptRegions(item, label_y=1.11)
        self.cursor = pg.InfiniteLine(pos=0.0, angle=90, movable=True,
                                      pen=pg.mkPen("#ffffff", width=2),
                                      hoverPen=pg.mkPen("#ffffff", width=4),
                                      bounds=(0.0, end_s))
        self.cursor.setZValue(50)
        self.cursor.sigPositionChangeFinished.connect(self._cursor_dragged)
        item.addItem(self.cursor, ignoreBounds=True)
        self.plot.scene().sigMouseClicked.connect(self._plot_clicked)
        self.plot.setMinimumHeight(220)
        return self.plot

    def _build_transport(self) -> QHBoxLayout:
        self.back_button = QToolButton()
        self.back_button.setText("◀❚")
        self.back_button.setToolTip("One frame back ( , )")
        self.back_button.clicked.connect(lambda: self.step(-1))
        self.play_button = QPushButton("▶  Play")
        self.play_button.setToolTip("Play / pause (Space)")
        self.play_button.setMinimumWidth(100)
        self.play_button.clicked.connect(self.toggle_playing)
        self.forward_button = QToolButton()
        self.forward_button.setText("❚▶")
        self.forward_button.setToolTip("One frame on ( . )")
        self.forward_button.clicked.connect(lambda: self.step(1))
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, max(0, self.take.n_frames - 1))
        self.slider.setSingleStep(1)
        self.slider.setPageStep(max(1, int(round(self.take.fps))))
        self.slider.valueChanged.connect(self._slider_moved)
        self.time_label = QLabel()
        self.time_label.setMinimumWidth(210)
        self.explain_button = QPushButton("Why this reading?")
        self.explain_button.setToolTip("Which parts of the main face drove the model's reading "
                                       "of this frame (Grad-CAM; needs the tools extra)")
        self.explain_button.clicked.connect(self.explain_frame)
        for widget in (self.back_button, self.play_button, self.forward_button, self.slider):
            widget.setEnabled(self.take.n_frames > 0)
        transport = QHBoxLayout()
        for widget in (self.back_button, self.play_button, self.forward_button):
            transport.addWidget(widget)
        transport.addWidget(self.slider, 1)
        transport.addWidget(self.time_label)
        transport.addWidget(self.explain_button)
        return transport

    def _build_calibration_row(self) -> QHBoxLayout:
        self.actor_combo = QComboBox()
        self.actor_combo.setToolTip("Whose neutral calibration to use")
        self.actor_combo.activated.connect(lambda _i: self._apply_calibration())
        self.calibrated_check = QCheckBox("Calibrated")
        self.calibrated_check.setToolTip(
            "Show the curves and the scores corrected with the actor's neutral calibration; "
            "switch off to compare")
        self.calibrated_check.toggled.connect(lambda _on: self._apply_calibration())
        row = QHBoxLayout()
        row.addWidget(QLabel("Actor"))
        row.addWidget(self.actor_combo, 1)
        row.addWidget(self.calibrated_check)
        return row

    def _build_report_side(self) -> QStackedWidget:
        """The report (with its buttons), or what to do when the take has none."""
        self.side = QStackedWidget()
        self._empty_page = self._build_no_report_page()
        self._report_page = self._build_report_page()
        self.side.addWidget(self._empty_page)
        self.side.addWidget(self._report_page)
        return self.side

    def _build_report_page(self) -> QWidget:
        self.report_view = ReportView(compact=True)
        self.report_view.lineActivated.connect(self.seek_line)
        self.report_note = QLabel()
        self.report_note.setWordWrap(True)
        self.report_note.setStyleSheet("color:#ffca28")
        self.html_button = QPushButton("Open report (HTML)")
        self.html_button.clicked.connect(self.open_html)
        self.rescore_button = QPushButton("Rescore…")
        self.rescore_button.setToolTip("Score this take against another script (replaces the report)")
        self.rescore_button.clicked.connect(self.choose_script_and_score)
        self.compare_button = QPushButton("Compare with…")
        self.compare_button.setToolTip("Put another take of the same script beside this one")
        self.compare_button.clicked.connect(lambda: self.compare_with())
        self.folder_button = QPushButton("Show folder")
        self.folder_button.clicked.connect(lambda: self._open(self.folder, "the folder"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.html_button)
        buttons.addWidget(self.rescore_button)
        buttons.addWidget(self.compare_button)
        buttons.addStretch(1)
        buttons.addWidget(self.folder_button)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.report_view, 1)
        layout.addWidget(self.report_note)
        layout.addLayout(buttons)
        return page

    def _build_no_report_page(self) -> QWidget:
        self.no_report_label = QLabel()
        self.no_report_label.setWordWrap(True)
        self.score_own_button = QPushButton("Score against its script")
        self.score_own_button.setObjectName("primary")
        self.score_own_button.clicked.connect(self.score_with_own_script)
        self.score_button = QPushButton("Score against a script…")
        self.score_button.clicked.connect(self.choose_script_and_score)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        layout.addWidget(self.no_report_label)
        layout.addWidget(self.score_own_button)
        layout.addWidget(self.score_button)
        layout.addStretch(2)
        return page

    def _build_shortcuts(self) -> None:
        self._shortcuts = []
        for keys, slot in (
            ((Qt.Key.Key_Comma,), lambda: self.step(-1)),
            ((Qt.Key.Key_Period,), lambda: self.step(1)),
            ((Qt.Key.Key_Space, Qt.Key.Key_K), self.toggle_playing),
            ((Qt.Key.Key_Left,), lambda: self.seek_time(self.current_time_ms - 1000)),
            ((Qt.Key.Key_Right,), lambda: self.seek_time(self.current_time_ms + 1000)),
            ((Qt.Key.Key_Home,), lambda: self.seek(0)),
            ((Qt.Key.Key_End,), lambda: self.seek(self.take.n_frames - 1)),
            ((QKeySequence.StandardKey.Close, Qt.Key.Key_Escape), self.close),
        ):
            for key in keys:
                shortcut = QShortcut(QKeySequence(key), self)
                shortcut.activated.connect(slot)
                self._shortcuts.append(shortcut)

    # ------------------------------------------------------------------ calibration

    def _fill_actors(self, actor: str) -> None:
        names = self.profiles.list() if self.profiles is not None else []
        self.actor_combo.clear()
        self.actor_combo.addItem("No profile", "")
        for name in names:
            self.actor_combo.addItem(name, name)
        index = self.actor_combo.findData(actor)
        self.actor_combo.setCurrentIndex(max(0, index))
        self.calibrated_check.setEnabled(bool(names))

    @property
    def actor(self) -> str:
        return str(self.actor_combo.currentData() or "")

    def set_calibrated(self, on: bool, actor: str | None = None) -> None:
        """Switch the calibration (``actor``'s profile) on or off."""
        if actor is not None:
            index = self.actor_combo.findData(actor)
            if index >= 0:
                self.actor_combo.setCurrentIndex(index)
        self.calibrated_check.setChecked(bool(on))
        self._apply_calibration()

    def _apply_calibration(self) -> None:
        problem = self.controller.load_calibration(self.actor, self.calibrated_check.isChecked())
        if problem:
            QMessageBox.warning(self, "Calibration", problem)
        self._draw_curves()
        self._show_report()

    # ------------------------------------------------------------------ curves & report

    def _draw_curves(self) -> None:
        t, probs = self.controller.curves()
        for i, curve in enumerate(self.curves):
            curve.setData(t, probs[:, i] if len(probs) else [], connect="finite")

    def _show_report(self) -> None:
        c = self.controller
        report = c.report
        if report is None:
            self.side.setCurrentWidget(self._empty_page)
            self.score_own_button.setVisible(self.take.take_script is not None)
            self.no_report_label.setText(c.no_report_text())
        else:
            self.side.setCurrentWidget(self._report_page)
            self.report_view.set_report(report)
            self.report_note.setText(c.note)
            self.report_note.setVisible(bool(c.note))
            self.html_button.setEnabled(c.has_html_report)
        self.regions.set_spans(c.spans())
        if self.current >= 0:
            self._show_now(self.current, self.current_time_ms)
        self.reportChanged.emit(report)

    def score_with(self, script: Script, *, overwrite: bool = False) -> TakeReport:
        """Score the take against ``script``, write report.json/report.html (and the
        script, when the take had none) and show the report."""
        report = self.controller.score_with(script, actor=self.actor, overwrite=overwrite)
        self._show_report()
        return report

    def _score_interactively(self, script: Script) -> None:
        overwrite = False
        if self.controller.has_saved_report:
            answer = QMessageBox.question(
                self, "Replace the report?",
                "This take already has a report. Replace it with one scored against "
                f"{script.source}?")
            if answer != QMessageBox.StandardButton.Yes:
                return
            overwrite = True
        try:
            self.score_with(script, overwrite=overwrite)
        except ActingMirrorError as exc:
            QMessageBox.warning(self, "Cannot score this take", str(exc))

    def score_with_own_script(self) -> None:
        if self.take.take_script is not None:
            self._score_interactively(self.take.take_script.script)

    def choose_script_and_score(self) -> None:
        if self._script_chooser is not None:
            path = self._script_chooser()
        else:
            chosen, _ = QFileDialog.getOpenFileName(self, "Score against a script",
                                                    str(self.folder), SCRIPT_FILTER)
            path = Path(chosen) if chosen else None
        if not path:
            return
        try:
            script = load_script(path)
        except ScriptError as exc:
            QMessageBox.warning(self, "Not a valid script",
                                "\n".join([str(exc)] + [f"• {p}" for p in exc.problems[:8]]))
            return
        self._score_interactively(script)

    def compare_with(self, other: Path | None = None):
        """Open the comparison of this take with ``other`` (asked for when not given);
        why not in the window when they cannot be compared."""
        from PySide6.QtWidgets import QFileDialog

        from acting_mirror.gui.compare import CompareWindow

        if other is None:
            chosen = QFileDialog.getExistingDirectory(self, "Compare with another take",
                                                      str(self.folder.parent))
            if not chosen:
                return None
            other = Path(chosen)
        try:
            window = CompareWindow(self.folder, other, profiles=self.profiles)
        except ActingMirrorError as exc:
            self.report_note.setText(str(exc))
            return None
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        window.show()
        self._compares = [w for w in getattr(self, "_compares", []) if not w._closed] + [window]
        return window

    def open_html(self) -> None:
        self._open(self.folder / REPORT_HTML, "the report")

    def _open(self, path: Path, what: str) -> None:
        """Open ``path`` with the system's program; say so in the window when there is none."""
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            self.report_note.setText(could_not_open(what, path))

    # ------------------------------------------------------------------ seeking

    @property
    def current_time_ms(self) -> float:
        return self.controller.current_time_ms

    @property
    def cursor_time_ms(self) -> float:
        return float(self.cursor.value()) * 1000.0

    @property
    def playing(self) -> bool:
        return self.controller.playing

    def frame_at(self, time_ms: float) -> int:
        """The frame showing at take time ``time_ms``."""
        return self.controller.frame_at(time_ms)

    def seek(self, k: int) -> bool:
        """Show frame ``k`` (clamped); False when it could not be decoded."""
        frame = self.controller.seek(k)
        if frame is None:
            return False
        if frame.image is not None:
            self.video.show_image(bgr_to_qimage(frame.image))
            self.frames_shown += 1
        self.cursor.blockSignals(True)
        self.cursor.setValue(frame.time_ms / 1000.0)
        self.cursor.blockSignals(False)
        if self.slider.value() != frame.index:
            self.slider.blockSignals(True)
            self.slider.setValue(frame.index)
            self.slider.blockSignals(False)
        self._show_now(frame.index, frame.time_ms)
        self.sound.follow(frame.time_ms)
        return frame.decoded

    def explain_frame(self) -> ExplainJob | None:
        """Grad-CAM for the main face of the frame shown, in a dialog (on a thread: the
        first one loads TensorFlow)."""
        k = self.slider.value()
        frame = self.controller.seek(k)
        box = self.controller.main_face_box(k)
        if frame is None or frame.image is None or box is None:
            self.now_label.setText("No face in this frame to explain.")
            return None
        self.explain_button.setEnabled(False)
        self.explain_button.setText("Explaining…")
        reading = self.controller.reading(k)
        title = (f"Frame {k + 1}: read as <b>{reading.emotion}</b> {round(100 * reading.share)}%"
                 if reading.emotion else f"Frame {k + 1}")
        job = ExplainJob(frame.image, box, self)
        job.finished.connect(lambda picture: self._explained(picture, title))
        job.failed.connect(self._explain_failed)
        job.start()
        self.explain_job = job
        return job

    def _explained(self, picture, title: str) -> None:
        self._explain_done()
        self.explanation = ExplanationDialog(picture, title, self)
        self.explanation.show()

    def _explain_failed(self, message: str) -> None:
        self._explain_done()
        self.now_label.setText(f"Cannot explain this reading: {message}")

    def _explain_done(self) -> None:
        self.explain_button.setEnabled(True)
        self.explain_button.setText("Why this reading?")

    def seek_time(self, time_ms: float) -> bool:
        return self.seek(self.frame_at(time_ms))

    def seek_line(self, row: int) -> None:
        start = self.controller.line_start(row)
        if start is not None:
            self.pause()
            self.seek_time(start)

    def step(self, delta: int) -> None:
        self.pause()
        self.seek(self.current + int(delta))
        self.sound.grain(self.current_time_ms)

    def _slider_moved(self, value: int) -> None:
        if value != self.current:
            self.seek(value)

    def _cursor_dragged(self) -> None:
        self.seek_time(self.cursor.value() * 1000.0)

    def _plot_clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        vb = self.plot.getPlotItem().getViewBox()
        pos = event.scenePos()
        if not vb.sceneBoundingRect().contains(pos):
            return
        x = vb.mapSceneToView(pos).x()
        self.seek_time(x * 1000.0)
        event.accept()

    def plot_point_for(self, time_ms: float, y: float = 0.5) -> QPoint:
        """Where on the plot widget take time ``time_ms`` is drawn (for clicks in tests)."""
        vb = self.plot.getPlotItem().getViewBox()
        scene = vb.mapViewToScene(QPointF(time_ms / 1000.0, y))
        return self.plot.mapFromScene(scene)

    def _show_now(self, k: int, t: float) -> None:
        self.time_label.setText(
            f"{_mm_ss_cs(t)} / {_mm_ss_cs(self.take.duration_ms)}   ·   frame {k + 1}/{self.take.n_frames}")
        parts = []
        line = self.controller.line_at(t)
        if line is not None:
            targets = "|".join(line.targets)
            parts.append(f"Line {line.index + 1} <b style='color:{emotion_color_hex(line.targets[0])}'>"
                         f"{targets}</b>")
        reading = self.controller.reading(k)
        if reading.emotion is not None:
            parts.append(f"reads as <b style='color:{emotion_color_hex(reading.emotion)}'>"
                         f"{reading.emotion}</b> {round(100 * reading.share)}%")
        else:
            parts.append("<span style='color:#9aa3ad'>no face in this frame</span>")
        self.now_label.setText("  ·  ".join(parts))
        self.face_detail.show_scores(self.controller.blendshapes(k))

    # ------------------------------------------------------------------ playing

    def play(self) -> None:
        first = self.controller.play()
        if first is None:
            return
        if first != self.current:
            self.seek(first)
        self.sound.play(self.current_time_ms)
        self.play_timer.start()
        self.play_button.setText("❚❚  Pause")

    def pause(self) -> None:
        self.controller.pause()
        self.sound.pause()
        if self.play_timer.isActive():
            self.play_timer.stop()
        self.play_button.setText("▶  Play")

    def toggle_playing(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    def _play_tick(self) -> None:
        k = self.sound.clock_frame()  # the sound's clock leads while it plays
        if k is not None and k == self.current:
            return
        k = self.controller.next_frame() if k is None else k
        if k is None or not self.seek(k):
            self.pause()

    # ------------------------------------------------------------------ closing

    def shutdown(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.play_timer.stop()
        self.sound.close()
        self.controller.close()
        self.closed.emit()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        self.shutdown()
        event.accept()


__all__ = ["ReviewWindow"]
