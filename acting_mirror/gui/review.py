"""ReviewWindow: watch a take again with its emotion curves and its script, in sync.

The take's ``output.avi`` plays on a QTimer in the GUI thread, one decoded frame per tick
(OpenCV; seeking with ``CAP_PROP_POS_FRAMES``, reading on when the next frame is the one
wanted). The curves come from ``timeline.csv``; a vertical cursor marks the frame shown;
the script's lines are shaded in their targets' colours. Seek with the slider, a click on
the curves or by dragging the cursor; step frame by frame with the buttons or the ``,``
and ``.`` keys; Space plays and pauses. The report (``report.json``) is shown beside it,
or, when the take has none, "Score against a script…" makes one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import cv2
import numpy as np
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

from acting_mirror.core.files import read_json_object
from acting_mirror.core.calibration import NeutralCalibration, ProfileStore
from acting_mirror.core.palette import EMOTION_COLORS_HEX, emotion_color_hex
from acting_mirror.core.report import report_for_take
from acting_mirror.core.takefiles import OUTPUT_AVI, REPORT_HTML, REPORT_JSON, SUMMARY_JSON, TIMELINE_CSV
from acting_mirror.core.script import Cue, Script, load_script
from acting_mirror.core.scoring import TakeReport, estimate_frame_ms, primary_rows, score_take
from acting_mirror.core.timeline import TimelineTable, read_timeline
from acting_mirror.core.types import EMOTIONS
from acting_mirror.errors import ActingMirrorError, OutputError, ScriptError, SourceError
from acting_mirror.gui.imaging import bgr_to_qimage
from acting_mirror.gui.plots import legend_swatch, style_plot
from acting_mirror.gui.report_view import ReportView
from acting_mirror.gui.script_panel import ScriptRegions, spans_of
from acting_mirror.core.take_script import TakeScript, read_take_script, write_take_script
from acting_mirror.gui.widgets import VideoView

log = logging.getLogger(__name__)

SCRIPT_FILTER = "Acting scripts (*.txt *.script);;All files (*)"
DEFAULT_FPS = 30.0


# ----------------------------------------------------------------------------- data


@dataclass
class TakeData:
    """What a take folder holds, read once. ``frame_times_ms[k]`` is the take time of
    video frame ``k`` (from the timeline; interpolated for frames without a face)."""

    folder: Path
    video_path: Path | None
    n_frames: int
    fps: float
    frame_times_ms: np.ndarray  # float64, (n_frames,)
    table: TimelineTable  # every row, times already relative to the take's frame 0
    curve_times_ms: np.ndarray  # primary face, sorted
    curve_probs: np.ndarray  # (n, 7) float32, NaN rows at gaps
    summary: dict
    take_script: TakeScript | None
    report: TakeReport | None
    script_problem: str | None = None

    @property
    def duration_ms(self) -> float:
        if self.n_frames == 0:
            return 0.0
        return float(self.frame_times_ms[-1] + 1000.0 / self.fps)




def _video_frames(path: Path) -> tuple[int, float]:
    cap = cv2.VideoCapture(str(path))
    try:
        if not cap.isOpened():
            return 0, 0.0
        return int(cap.get(cv2.CAP_PROP_FRAME_COUNT)), float(cap.get(cv2.CAP_PROP_FPS))
    finally:
        cap.release()


def load_take(folder: Path | str) -> TakeData:
    """Read the take in ``folder``; SourceError (one sentence) when it is not a take."""
    folder = Path(folder)
    timeline = folder / TIMELINE_CSV
    video = folder / OUTPUT_AVI
    if not folder.is_dir():
        raise SourceError(f"{folder} is not a folder.")
    if not timeline.is_file():
        raise SourceError(f"{folder} is not an Acting Mirror take (it has no {TIMELINE_CSV}).")
    table = read_timeline(timeline)
    summary = read_json_object(folder / SUMMARY_JSON)
    n_video, video_fps = _video_frames(video) if video.is_file() else (0, 0.0)
    fps = float(summary.get("fps") or 0) or video_fps or DEFAULT_FPS
    if not (0 < fps <= 1000):
        fps = DEFAULT_FPS
    period = 1000.0 / fps

    # video frame k <-> timeline frame index: takes number frames from 0; a take whose
    # indices start later (recorded from the middle of a source) is counted from its first
    frames_known = np.unique(table.frame)
    n = n_video or int(summary.get("frames") or 0) or (int(frames_known.max()) + 1 if frames_known.size else 0)
    first = int(frames_known.min()) if frames_known.size else 0
    offset = first if frames_known.size and int(frames_known.max()) >= n else 0
    if frames_known.size:
        ks = frames_known - offset
        ts = np.array([table.time_ms[table.frame == f].min() for f in frames_known], dtype=np.float64)
        k = np.arange(n, dtype=np.float64)
        times = np.interp(k, ks, ts)
        times[k < ks[0]] = ts[0] - (ks[0] - k[k < ks[0]]) * period
        times[k > ks[-1]] = ts[-1] + (k[k > ks[-1]] - ks[-1]) * period
        origin = float(times[0]) if n else float(ts[0])
    else:
        times = np.arange(n, dtype=np.float64) * period
        origin = 0.0
    times = times - origin
    if origin:
        table = TimelineTable(table.frame - offset, table.time_ms - int(round(origin)),
                              table.face_id, table.primary, table.boxes, table.probs)

    rows = primary_rows(table)
    order = np.argsort(rows.time_ms, kind="stable")
    curve_t = rows.time_ms[order].astype(np.float64)
    curve_p = rows.probs[order].astype(np.float32)
    if curve_t.size > 1:  # break the curves where the face was missing
        gap = 2.5 * estimate_frame_ms(table)
        breaks = np.nonzero(np.diff(curve_t) > gap)[0]
        if breaks.size:
            curve_t = np.insert(curve_t, breaks + 1, curve_t[breaks] + gap / 2)
            curve_p = np.insert(curve_p, breaks + 1, np.nan, axis=0)

    take_script, problem = None, None
    try:
        take_script = read_take_script(folder)
    except ScriptError as exc:
        problem = str(exc)
    report = None
    data = read_json_object(folder / REPORT_JSON)
    if data:
        try:
            report = TakeReport.from_dict(data)
        except (KeyError, TypeError, ValueError) as exc:
            log.warning("Ignoring %s: %s", folder / REPORT_JSON, exc)
    return TakeData(
        folder=folder, video_path=video if n_video else None, n_frames=n, fps=fps,
        frame_times_ms=times, table=table, curve_times_ms=curve_t, curve_probs=curve_p,
        summary=summary, take_script=take_script, report=report, script_problem=problem,
    )


def script_of_report(report: TakeReport) -> Script:
    """The timed script a report was scored against (its lines carry the times)."""
    cues = tuple(
        Cue(i, line.start_ms, line.end_ms, tuple(line.targets), line.text)
        for i, line in enumerate(report.lines)
    )
    return Script(cues, timed=True, source=report.script)


class FrameReader:
    """Frames of a video by number: reads on when asked for the next frame, seeks
    (``CAP_PROP_POS_FRAMES``) otherwise."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._cap = cv2.VideoCapture(str(self.path))
        if not self._cap.isOpened():
            raise SourceError(f"Cannot open the take's video {self.path}.")
        self._next = 0
        self.seeks = 0

    def read(self, k: int) -> np.ndarray | None:
        if self._cap is None:
            return None
        if k != self._next:
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, int(k))
            self.seeks += 1
        ok, image = self._cap.read()
        if not ok:
            self._next = -1  # position unknown: seek next time
            return None
        self._next = k + 1
        return image

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


# ----------------------------------------------------------------------------- window


def _mm_ss_cs(ms: float) -> str:
    ms = max(0.0, ms)
    s, rest = divmod(int(round(ms)), 1000)
    return f"{s // 60:02d}:{s % 60:02d}.{rest // 100}"


class ReviewWindow(QWidget):
    """See the module docstring. ``profiles`` gives the actor calibrations for the
    "Calibrated" switch; ``actor`` the one to start with (else the take's own)."""

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
        self.take = load_take(take_dir)
        self.folder = self.take.folder
        self.profiles = profiles
        self._script_chooser = script_chooser
        self.reader = FrameReader(self.take.video_path) if self.take.video_path else None
        self.current = -1
        self.frames_shown = 0
        self.saved_report = self.take.report
        self.report: TakeReport | None = self.take.report
        self.calibration: NeutralCalibration | None = None
        self._closed = False

        self.setWindowTitle(f"Review — {self.folder.name}")
        self.resize(1400, 820)
        self._build()
        self._build_shortcuts()
        self._fill_actors(actor or (self.take.take_script.actor if self.take.take_script else ""))
        if self.take.take_script is not None and self.take.take_script.calibrated and self.actor:
            self.calibrated_check.setChecked(True)
        self._apply_calibration()

        self.play_timer = QTimer(self)
        self.play_timer.setInterval(max(5, int(round(1000.0 / self.take.fps))))
        self.play_timer.timeout.connect(self._play_tick)
        if self.take.n_frames:
            self.seek(0)

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        self.video = VideoView()
        self.video.setMinimumSize(320, 180)
        if self.reader is None:
            self.video.set_note("This take has no video (output.avi); the curves are all there is.")

        self.plot = pg.PlotWidget()
        item = style_plot(self.plot)
        item.setLabel("bottom", "seconds into the take")
        item.getAxis("left").setTicks([[(0.0, "0"), (0.5, "50%"), (1.0, "100%")]])
        item.setYRange(0.0, 1.12, padding=0.0)
        end_s = max(1.0, self.take.duration_ms / 1000.0)
        item.setXRange(0.0, end_s, padding=0.01)
        item.getViewBox().disableAutoRange()
        self.legend = QLabel("Main face:  " + "  ".join(legend_swatch(e, "━") for e in EMOTIONS))
        self.legend.setTextFormat(Qt.TextFormat.RichText)
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

        # transport
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
        self.now_label = QLabel()
        self.now_label.setTextFormat(Qt.TextFormat.RichText)
        for widget in (self.back_button, self.play_button, self.forward_button, self.slider):
            widget.setEnabled(self.take.n_frames > 0)
        transport = QHBoxLayout()
        transport.addWidget(self.back_button)
        transport.addWidget(self.play_button)
        transport.addWidget(self.forward_button)
        transport.addWidget(self.slider, 1)
        transport.addWidget(self.time_label)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.video, 3)
        left_layout.addLayout(transport)
        left_layout.addWidget(self.now_label)
        left_layout.addWidget(self.legend)
        left_layout.addWidget(self.plot, 2)

        # report side
        self.actor_combo = QComboBox()
        self.actor_combo.setToolTip("Whose neutral calibration to use")
        self.actor_combo.activated.connect(lambda _i: self._apply_calibration())
        self.calibrated_check = QCheckBox("Calibrated")
        self.calibrated_check.setToolTip(
            "Show the curves and the scores corrected with the actor's neutral calibration; "
            "switch off to compare")
        self.calibrated_check.toggled.connect(lambda _on: self._apply_calibration())
        calib_row = QHBoxLayout()
        calib_row.addWidget(QLabel("Actor"))
        calib_row.addWidget(self.actor_combo, 1)
        calib_row.addWidget(self.calibrated_check)

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
        self.folder_button = QPushButton("Show folder")
        self.folder_button.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.folder))))
        report_buttons = QHBoxLayout()
        report_buttons.addWidget(self.html_button)
        report_buttons.addWidget(self.rescore_button)
        report_buttons.addStretch(1)
        report_buttons.addWidget(self.folder_button)
        report_page = QWidget()
        rp = QVBoxLayout(report_page)
        rp.setContentsMargins(0, 0, 0, 0)
        rp.addWidget(self.report_view, 1)
        rp.addWidget(self.report_note)
        rp.addLayout(report_buttons)

        self.no_report_label = QLabel()
        self.no_report_label.setWordWrap(True)
        self.score_own_button = QPushButton("Score against its script")
        self.score_own_button.setObjectName("primary")
        self.score_own_button.clicked.connect(self.score_with_own_script)
        self.score_button = QPushButton("Score against a script…")
        self.score_button.clicked.connect(self.choose_script_and_score)
        empty_page = QWidget()
        ep = QVBoxLayout(empty_page)
        ep.addStretch(1)
        ep.addWidget(self.no_report_label)
        ep.addWidget(self.score_own_button)
        ep.addWidget(self.score_button)
        ep.addStretch(2)
        self.side = QStackedWidget()
        self.side.addWidget(empty_page)
        self.side.addWidget(report_page)
        self._empty_page, self._report_page = empty_page, report_page

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addLayout(calib_row)
        right_layout.addWidget(self.side, 1)
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
            ((QKeySequence.StandardKey.Close,), self.close),
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
        calibration = None
        if self.calibrated_check.isChecked() and self.actor and self.profiles is not None:
            try:
                calibration = self.profiles.load(self.actor)
            except SourceError as exc:
                QMessageBox.warning(self, "Calibration", str(exc))
        self.calibration = calibration
        self._draw_curves()
        self._show_report()

    # ------------------------------------------------------------------ curves & report

    def _draw_curves(self) -> None:
        t = self.take.curve_times_ms / 1000.0
        probs = self.take.curve_probs
        if self.calibration is not None and len(probs):
            probs = self.calibration.apply(probs)
        for i, curve in enumerate(self.curves):
            curve.setData(t, probs[:, i] if len(probs) else [], connect="finite")

    def _scorable_script(self) -> Script | None:
        if self.take.take_script is not None:
            return self.take.take_script.script
        if self.saved_report is not None:
            return script_of_report(self.saved_report)
        return None

    def _show_report(self) -> None:
        saved = self.saved_report
        report = saved
        note = ""
        script = self._scorable_script()
        wanted = self.calibration is not None
        if saved is not None and saved.calibrated != wanted and script is not None:
            # the other view of the same take: scored here, not saved
            report = score_take(script, self.take.table, self.calibration,
                                take_end_ms=self._take_end_ms())
            note = ("Shown with the neutral calibration; the saved report was made without it."
                    if wanted else
                    "Shown without calibration; the saved report used the actor's calibration.")
        self.report = report
        if report is None:
            self.side.setCurrentWidget(self._empty_page)
            own = self.take.take_script is not None
            self.score_own_button.setVisible(own)
            if self.take.script_problem:
                text = f"This take's script cannot be read: {self.take.script_problem}"
            elif own:
                text = (f"This take was played to <b>{self.take.take_script.name}</b> but has "
                        "no report yet.")
            else:
                text = ("This take has no report. Score it against an acting script (its "
                        "times count from the start of the take) to see, line by line, how "
                        "your face read.")
            self.no_report_label.setText(text)
        else:
            self.side.setCurrentWidget(self._report_page)
            self.report_view.set_report(report)
            self.report_note.setText(note)
            self.report_note.setVisible(bool(note))
            self.html_button.setEnabled((self.folder / REPORT_HTML).is_file())
        spans = spans_of(script_of_report(report)) if report is not None else (
            spans_of(script) if script is not None else [])
        self.regions.set_spans(spans)
        self.reportChanged.emit(report)

    def _take_end_ms(self) -> int | None:
        duration = self.take.summary.get("duration_s")
        try:
            return int(round(float(duration) * 1000)) if duration else None
        except (TypeError, ValueError):
            return None

    def score_with(self, script: Script, *, overwrite: bool = False) -> TakeReport:
        """Score the take against ``script``, write report.json/report.html (and the
        script, when the take had none) and show the report."""
        if not script.has_times:
            raise ScriptError(
                f"{script.source or 'This script'} is a teleprompter script without times, so "
                "it cannot be matched to a take afterwards; use a timed script.",
                problems=["no times"])
        report = report_for_take(self.folder, script, self.calibration, overwrite=overwrite)
        if self.take.take_script is None:
            try:
                write_take_script(self.folder, script,
                                  actor=self.actor if self.calibration else "",
                                  calibrated=self.calibration is not None)
                self.take.take_script = read_take_script(self.folder)
            except (OutputError, ScriptError) as exc:
                log.warning("Could not store the script with the take: %s", exc)
        self.saved_report = report
        self._show_report()
        return report

    def _score_interactively(self, script: Script) -> None:
        overwrite = False
        if (self.folder / REPORT_JSON).exists() or (self.folder / REPORT_HTML).exists():
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

    def open_html(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.folder / REPORT_HTML)))

    # ------------------------------------------------------------------ seeking

    @property
    def current_time_ms(self) -> float:
        if self.current < 0:
            return 0.0
        return float(self.take.frame_times_ms[self.current])

    @property
    def cursor_time_ms(self) -> float:
        return float(self.cursor.value()) * 1000.0

    @property
    def playing(self) -> bool:
        return self.play_timer.isActive()

    def frame_at(self, time_ms: float) -> int:
        """The frame showing at take time ``time_ms``."""
        times = self.take.frame_times_ms
        if times.size == 0:
            return 0
        k = int(np.searchsorted(times, time_ms + 0.5, side="right")) - 1
        return int(min(max(k, 0), times.size - 1))

    def seek(self, k: int) -> bool:
        """Show frame ``k`` (clamped); False when it could not be decoded."""
        n = self.take.n_frames
        if n == 0:
            return False
        k = int(min(max(k, 0), n - 1))
        ok = True
        if self.reader is not None:
            image = self.reader.read(k)
            if image is None:
                ok = False
            else:
                self.video.show_image(bgr_to_qimage(image))
                self.frames_shown += 1
        self.current = k
        t = float(self.take.frame_times_ms[k])
        self.cursor.blockSignals(True)
        self.cursor.setValue(t / 1000.0)
        self.cursor.blockSignals(False)
        if self.slider.value() != k:
            self.slider.blockSignals(True)
            self.slider.setValue(k)
            self.slider.blockSignals(False)
        self._show_now(k, t)
        return ok

    def seek_time(self, time_ms: float) -> bool:
        return self.seek(self.frame_at(time_ms))

    def seek_line(self, row: int) -> None:
        if self.report is not None and 0 <= row < len(self.report.lines):
            self.pause()
            self.seek_time(self.report.lines[row].start_ms)

    def step(self, delta: int) -> None:
        self.pause()
        self.seek(self.current + int(delta))

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
        line = None
        if self.report is not None:
            line = next((ln for ln in self.report.lines if ln.start_ms <= t < ln.end_ms), None)
        if line is not None:
            targets = "|".join(line.targets)
            parts.append(f"Line {line.index + 1} <b style='color:{emotion_color_hex(line.targets[0])}'>"
                         f"{targets}</b>")
        rows = np.nonzero((self.take.table.frame == k) & self.take.table.primary)[0]
        if rows.size == 0:
            rows = np.nonzero(self.take.table.frame == k)[0][:1]
        if rows.size:
            probs = self.take.table.probs[rows[0]]
            if self.calibration is not None:
                probs = self.calibration.apply(probs)
            top = EMOTIONS[int(np.argmax(probs))]
            parts.append(f"reads as <b style='color:{emotion_color_hex(top)}'>{top}</b> "
                         f"{round(100 * float(np.max(probs)))}%")
        else:
            parts.append("<span style='color:#9aa3ad'>no face in this frame</span>")
        self.now_label.setText("  ·  ".join(parts))

    # ------------------------------------------------------------------ playing

    def play(self) -> None:
        if self.take.n_frames == 0 or self.playing:
            return
        if self.current >= self.take.n_frames - 1:
            self.seek(0)
        self.play_timer.start()
        self.play_button.setText("❚❚  Pause")

    def pause(self) -> None:
        if self.play_timer.isActive():
            self.play_timer.stop()
        self.play_button.setText("▶  Play")

    def toggle_playing(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    def _play_tick(self) -> None:
        if self.current >= self.take.n_frames - 1:
            self.pause()
            return
        if not self.seek(self.current + 1):
            self.pause()

    # ------------------------------------------------------------------ closing

    def shutdown(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.play_timer.stop()
        if self.reader is not None:
            self.reader.close()
        self.closed.emit()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        self.shutdown()
        event.accept()


__all__ = ["ReviewWindow", "TakeData", "load_take", "FrameReader", "script_of_report"]
