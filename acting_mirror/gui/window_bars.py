"""The main window's bars, built once and shown by the window: the source bar above the
video (cameras, a file, a link, the demo, the face detector, the script's name), the
transport bar under it (play, record, elapsed time, mirror, what is playing) and the
status bar's figures (capture and analysis rates, latency, faces, detector)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStatusBar,
    QToolButton,
    QWidget,
)

from acting_mirror.config import DETECTORS
from acting_mirror.core.rates import DisplayStats
from acting_mirror.gui.widgets import RECORD_RED
from acting_mirror.gui.wrap_layout import WrapLayout

DETECTOR_LABELS = {"haar": "Haar (fast)", "mtcnn": "MTCNN (more faces)",
                   "mesh": "Mesh (detail)"}
DETECTOR_TIPS = {"haar": "Haar: fast, frontal faces",
                 "mtcnn": "MTCNN: finds more faces (turned, badly lit), slower",
                 "mesh": "Mesh: MediaPipe's face mesh on every face (detail)"}
URL_PLACEHOLDER = "YouTube or video link"


def _group(*widgets: QWidget, stretch_last_but: int | None = None) -> QWidget:
    """Widgets that stay together on one row of a bar (a label and its field)."""
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(6)
    for i, widget in enumerate(widgets):
        layout.addWidget(widget, 1 if i == stretch_last_but else 0)
    return box


def _fits_contents(combo: QComboBox) -> QComboBox:
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    return combo


class SourceBar(WrapLayout):
    """Camera ▾ ⟳ · Open file… [link] Demo · Faces by ▾ · Script: name; each keeps its
    full text, and what does not fit the window's width goes on a second row."""

    def __init__(self, detector: str):
        super().__init__(spacing=6)
        self.camera_combo = _fits_contents(QComboBox())
        self.camera_combo.setMinimumWidth(150)
        self.camera_combo.setToolTip("Your cameras")
        self.refresh_cameras_button = QToolButton()
        self.refresh_cameras_button.setText("⟳")
        self.refresh_cameras_button.setToolTip("Look for cameras again")
        self.open_file_button = QPushButton("Open file…")
        self.open_file_button.setToolTip("Play a video or picture file")
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText(URL_PLACEHOLDER)
        self.url_edit.setToolTip("Paste a YouTube or video link and press Enter")
        self.url_edit.setClearButtonEnabled(True)
        # the whole placeholder shows, with room for the clear button and the frame
        self.url_edit.setMinimumWidth(
            self.url_edit.fontMetrics().horizontalAdvance(URL_PLACEHOLDER) + 44)
        self.demo_button = QPushButton("Demo")
        self.demo_button.setToolTip("Play the bundled demo clip (loops)")
        self.detector_combo = _fits_contents(QComboBox())
        for name in DETECTORS:
            self.detector_combo.addItem(DETECTOR_LABELS.get(name, name), name)
            self.detector_combo.setItemData(self.detector_combo.count() - 1,
                                            DETECTOR_TIPS.get(name, name),
                                            Qt.ItemDataRole.ToolTipRole)
        self.detector_combo.setCurrentIndex(DETECTORS.index(detector))
        self.detector_combo.setToolTip("How faces are found; switches live")
        self.script_label = QLabel()  # "Script: name" while one is loaded (see Rehearsal)
        self.script_label.setVisible(False)

        self.add(_group(QLabel("Camera"), self.camera_combo, self.refresh_cameras_button))
        self.add(_group(self.open_file_button, self.url_edit, self.demo_button,
                        stretch_last_but=1), stretch=True, gap=2)
        self.add(_group(QLabel("Faces by"), self.detector_combo), gap=6)
        self.add(self.script_label, gap=6)

    def set_cameras(self, cameras: list) -> None:
        """The cameras to offer (each with ``name`` and ``spec``)."""
        self.camera_combo.clear()
        if not cameras:
            self.camera_combo.addItem("No camera found")
            self.camera_combo.setEnabled(False)
            return
        self.camera_combo.setEnabled(True)
        for camera in cameras:
            self.camera_combo.addItem(camera.name, camera.spec)

    def select_detector(self, name: str) -> None:
        index = self.detector_combo.findData(name)
        if index >= 0 and index != self.detector_combo.currentIndex():
            self.detector_combo.setCurrentIndex(index)


class TransportBar(WrapLayout):
    """▶ Play · ● Record · ● 00:12 n frames · ⇆ Mirror · … what is playing (on a second
    row when the video's column is too narrow for all of it)."""

    def __init__(self, mirror: bool):
        super().__init__(spacing=6)
        self.play_button = QPushButton("▶  Play")
        self.play_button.setToolTip("Play / pause (Space)")
        self.play_button.setMinimumWidth(110)
        self.record_button = QPushButton("●  Record")
        self.record_button.setObjectName("record")
        self.record_button.setCheckable(True)
        self.record_button.setToolTip("Start / stop a take (Ctrl+R)")
        self.record_button.setMinimumWidth(120)
        self.elapsed_label = QLabel()
        self.elapsed_label.setVisible(False)
        self.mic_label = QLabel("🎙 voice")  # shown only while the microphone is open
        self.mic_label.setToolTip("Your voice is being recorded with this take")
        self.mic_label.setStyleSheet("color:#ef5350; font-weight:600")
        self.mic_label.setVisible(False)
        self.mirror_button = QToolButton()
        self.mirror_button.setText("⇆ Mirror")
        self.mirror_button.setCheckable(True)
        self.mirror_button.setToolTip("Show the camera as a mirror does (Ctrl+M)")
        self.mirror_button.setChecked(mirror)
        self.source_label = QLabel()
        self.source_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.source_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.add(_group(self.play_button, self.record_button, self.elapsed_label, self.mic_label))
        self.add(self.mirror_button, gap=6)
        self.add(self.source_label, stretch=True, gap=12)

    def show_recording(self, on: bool) -> None:
        """Record becomes Stop (and the elapsed time shows) while a take is recorded."""
        self.record_button.setChecked(on)
        self.record_button.setText("■  Stop" if on else "●  Record")
        self.elapsed_label.setVisible(on)
        if on:
            self.record_button.setEnabled(True)

    def show_elapsed(self, text: str, frames: int) -> None:
        self.elapsed_label.setText(
            f"<span style='color:{RECORD_RED}'>●</span> <b>{text}</b>"
            f"  <span style='color:#9aa3ad'>{frames} frames</span>")

class StatusFigures:
    """The status bar's permanent figures, refreshed with :meth:`show`."""

    def __init__(self, status: QStatusBar):
        self.capture_label = QLabel()
        self.analysed_label = QLabel()
        self.latency_label = QLabel()
        self.faces_label = QLabel()
        self.detector_label = QLabel()
        for label in (self.capture_label, self.analysed_label, self.latency_label,
                      self.faces_label, self.detector_label):
            label.setMinimumWidth(90)
            status.addPermanentWidget(label)
        self.capture_label.setToolTip("Frames per second the source delivers")
        self.analysed_label.setToolTip("Frames per second analysed (faces and emotions)")
        self.latency_label.setToolTip("Time from capture to the picture on screen")

    def show(self, stats: DisplayStats, live: bool) -> None:
        """The figures of ``stats``; dashes while nothing is open."""
        s = stats
        self.capture_label.setText(f"Capture {s.capture_fps:.1f} fps" if live else "Capture –")
        self.analysed_label.setText(f"Analysed {s.analysed_fps:.1f} fps" if live else "Analysed –")
        latency = s.latency_ms
        self.latency_label.setText(f"Latency {latency:.0f} ms" if latency is not None and live
                                   else "Latency –")
        self.faces_label.setText(f"Faces {s.faces}" if live else "Faces –")

    def show_detector(self, name: str, *, pending: bool) -> None:
        label = name.upper() if name == "mtcnn" else name.capitalize()
        self.detector_label.setText(f"Detector: {label}" + ("…" if pending else ""))


def fit_to_screen(window: QWidget, width: int, height: int) -> None:
    """Size ``window`` to ``width`` × ``height``, or 92% of a smaller screen."""
    available = window.screen().availableGeometry() if window.screen() else None
    if available is not None and not available.isEmpty():
        width = min(width, int(available.width() * 0.92))
        height = min(height, int(available.height() * 0.92))
    window.resize(max(width, window.minimumWidth()), max(height, window.minimumHeight()))


__all__ = ["SourceBar", "TransportBar", "StatusFigures", "DETECTOR_LABELS", "URL_PLACEHOLDER",
           "fit_to_screen"]
