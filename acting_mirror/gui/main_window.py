"""MainWindow: the mirror (annotated video), the source bar, live emotion plots,
recording, menus, and every message the user needs, in the window.

The window never analyses anything: it sends commands to the AnalysisWorker's thread
and shows what comes back (see :mod:`acting_mirror.gui.worker`).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QActionGroup, QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

import acting_mirror
from acting_mirror.config import LIVE_READING_BUDGET, AnalysisSettings, DETECTORS, demo_clip
from acting_mirror.gui.plots import EmotionPlots
from acting_mirror.gui.preferences import PLOT_WINDOWS_S, Preferences
from acting_mirror.core.rates import DisplayStats
from acting_mirror.gui.rehearsal import Rehearsal
from acting_mirror.controllers.mirror import QUIT_QUESTION, MirrorController, QuitChoice
from acting_mirror.session.services import Services
from acting_mirror.gui.widgets import RECORD_RED, EmptyState, MessageBanner, VideoView
from acting_mirror.gui.worker import (
    DEMO_SPEC,
    AnalysisWorker,
    OpenSource,
    SetDetector,
    SetMirror,
    SetPlaying,
    SourceInfo,
    StartRecording,
    StopRecording,
    TakeInfo,
    WorkerHandle,
)

log = logging.getLogger(__name__)
stats_log = logging.getLogger("acting_mirror.gui.stats")

APP_TITLE = "Acting Mirror"
DETECTOR_LABELS = {"haar": "Haar (fast)", "mtcnn": "MTCNN (finds more faces)"}
PLOT_REDRAW_MS = 66  # ~15 Hz
STATUS_REFRESH_MS = 500
ELAPSED_REFRESH_MS = 250
MEDIA_FILTER = (
    "Videos and pictures (*.mp4 *.m4v *.mov *.avi *.mkv *.webm *.wmv *.mpg *.mpeg "
    "*.jpg *.jpeg *.png *.bmp *.webp *.tif *.tiff);;All files (*)"
)
MODEL_ACCURACY = "about 66% on the FER2013 test set"
SHUTDOWN_TIMEOUT_S = 35.0


def describe_spec(spec: str) -> str:
    """How a source reads in menus and messages."""
    if spec == DEMO_SPEC:
        return "Demo clip"
    if spec.lower().startswith("camera:"):
        return f"Camera {spec.split(':', 1)[1]}"
    if "://" in spec:
        return spec
    return Path(spec).name or spec


def _mm_ss(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def _looks_like_url(text: str) -> bool:
    return "://" in text or text.startswith(("www.", "youtube.com", "youtu.be", "m.youtube.com"))


class MainWindow(QMainWindow):
    """The app's one window. ``start()`` opens the first source once it is shown.

    ``source``: what to open first (``"demo"``, a path, a URL, ``camera:N``); ``None``
    opens the first camera, or shows the no-camera state. ``script``: an acting script
    to rehearse (loaded into the script panel; see :attr:`script_path`). ``services``
    come from the composition root (``app.app_services()``: the session's parts, and the
    offline analysis); ``camera_lister`` lets tests and the live benchmark substitute
    cameras;
    ``stats_interval_s`` logs a stats line that often.
    """

    closed = Signal()  # the window closed for good (the app quits)

    @property
    def script_path(self) -> Path | None:
        """The loaded acting script's file (``None``: no script, or one from no file)."""
        return self.rehearsal.script_path

    def __init__(
        self,
        prefs: Preferences | None = None,
        *,
        source: str | None = None,
        script: Path | None = None,
        detector: str | None = None,
        services: Services,
        camera_lister: Callable[[], list] | None = None,
        confirm_quit: Callable[[], QuitChoice] | None = None,
        profiles=None,
        stats_interval_s: float | None = None,
    ):
        super().__init__()
        self.prefs = prefs if prefs is not None else Preferences()
        self.services = services
        self.controller = MirrorController(lambda command: self.worker.send(command))
        # called with each DisplayFrame the window takes to show (the live bench's hook)
        self.picture_observers: list[Callable[[object], None]] = []
        self._first_script: Path | None = Path(script) if script else None
        self._initial_source = source
        self._camera_lister = camera_lister or _default_camera_lister
        self.stats = DisplayStats()
        self.detector = detector if detector in DETECTORS else self.prefs.detector
        self._recording_since: float | None = None
        self._recorded_frames = 0
        # what to do with a take in progress when the window is closed (asks by default)
        self.confirm_quit: Callable[[], QuitChoice] = confirm_quit or self._ask_quit_choice
        self._quit_choice: QuitChoice | None = None  # decided without asking (a signal)
        self._pending_open: OpenSource | None = None
        self._closed = False

        self.setWindowTitle(APP_TITLE)
        self.setMinimumSize(QSize(900, 560))
        self._build_widgets()
        self._build_menus()
        self._build_shortcuts()
        self._build_status_bar()
        self._restore_geometry()

        settings = AnalysisSettings(detector=self.detector, reading_budget=LIVE_READING_BUDGET)
        self.worker = WorkerHandle(AnalysisWorker(settings, parts=services.parts,
                                                  mirror=self.prefs.mirror))
        self._update_controls()  # nothing works before the models load
        self._connect_worker(self.worker.worker)
        # scripts, scripted takes, reports, review, takes library, calibration
        self.rehearsal = Rehearsal(self, profiles=profiles)
        self.rehearsal.install_menus(self.file_menu, self.view_menu, before=self.takes_folder_action)
        if self._first_script is not None:
            self.rehearsal.load_script_file(self._first_script)

        self.plot_timer = QTimer(self)
        self.plot_timer.setInterval(PLOT_REDRAW_MS)
        self.plot_timer.timeout.connect(self._redraw_plots)
        self.status_timer = QTimer(self)
        self.status_timer.setInterval(STATUS_REFRESH_MS)
        self.status_timer.timeout.connect(self._refresh_status)
        self.elapsed_timer = QTimer(self)
        self.elapsed_timer.setInterval(ELAPSED_REFRESH_MS)
        self.elapsed_timer.timeout.connect(self._refresh_elapsed)
        self.stats_timer = QTimer(self)
        if stats_interval_s:
            self.stats_timer.setInterval(int(stats_interval_s * 1000))
            self.stats_timer.timeout.connect(self._log_stats)

        self.worker.start()
        self.plot_timer.start()
        self.status_timer.start()
        if stats_interval_s:
            self.stats_timer.start()

    # ================================================================== layout

    def _build_widgets(self) -> None:
        # --- source bar
        self.camera_combo = QComboBox()
        self.camera_combo.setMinimumWidth(180)
        self.camera_combo.setToolTip("Your cameras")
        self.camera_combo.activated.connect(self._camera_chosen)
        self.refresh_cameras_button = QToolButton()
        self.refresh_cameras_button.setText("⟳")
        self.refresh_cameras_button.setToolTip("Look for cameras again")
        self.refresh_cameras_button.clicked.connect(self.refresh_cameras)
        self.open_file_button = QPushButton("Open file…")
        self.open_file_button.clicked.connect(self.choose_file)
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText("Paste a YouTube or video link and press Enter")
        self.url_edit.setClearButtonEnabled(True)
        self.url_edit.setMinimumWidth(220)
        self.url_edit.returnPressed.connect(self._url_entered)
        self.demo_button = QPushButton("Demo")
        self.demo_button.setToolTip("Play the bundled demo clip (loops)")
        self.demo_button.clicked.connect(self.play_demo)
        self.detector_combo = QComboBox()
        for name in DETECTORS:
            self.detector_combo.addItem(DETECTOR_LABELS.get(name, name), name)
        self.detector_combo.setCurrentIndex(DETECTORS.index(self.detector))
        self.detector_combo.setToolTip("How faces are found; switches live")
        self.detector_combo.activated.connect(self._detector_chosen)
        self.script_label = QLabel()  # "Script: name" while one is loaded (see Rehearsal)
        self.script_label.setVisible(False)

        source_bar = QHBoxLayout()
        source_bar.setSpacing(6)
        source_bar.addWidget(QLabel("Camera"))
        source_bar.addWidget(self.camera_combo)
        source_bar.addWidget(self.refresh_cameras_button)
        source_bar.addSpacing(8)
        source_bar.addWidget(self.open_file_button)
        source_bar.addWidget(self.url_edit, 1)
        source_bar.addWidget(self.demo_button)
        source_bar.addSpacing(12)
        source_bar.addWidget(QLabel("Faces by"))
        source_bar.addWidget(self.detector_combo)
        source_bar.addWidget(self.script_label)

        # --- banner, video / empty state
        self.banner = MessageBanner()
        self.video = VideoView()
        self.video.paint_observers.append(self.stats.on_painted)
        self.empty_state = EmptyState()
        self.empty_state.demoRequested.connect(self.play_demo)
        self.empty_state.openFileRequested.connect(self.choose_file)
        self.empty_state.urlRequested.connect(self.open_url)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty_state)
        self.stack.addWidget(self.video)
        self.stack.setCurrentWidget(self.video)

        # --- transport bar under the video
        self.play_button = QPushButton("▶  Play")
        self.play_button.setToolTip("Play / pause (Space)")
        self.play_button.setMinimumWidth(110)
        self.play_button.clicked.connect(self.toggle_playing)
        self.record_button = QPushButton("●  Record")
        self.record_button.setObjectName("record")
        self.record_button.setCheckable(True)
        self.record_button.setToolTip("Start / stop a take (Ctrl+R)")
        self.record_button.setMinimumWidth(120)
        self.record_button.clicked.connect(self._record_clicked)
        self.elapsed_label = QLabel()
        self.elapsed_label.setVisible(False)
        self.mirror_button = QToolButton()
        self.mirror_button.setText("⇆ Mirror")
        self.mirror_button.setCheckable(True)
        self.mirror_button.setToolTip("Show the camera as a mirror does (Ctrl+M)")
        self.mirror_button.setChecked(self.prefs.mirror)
        self.mirror_button.toggled.connect(self.set_mirror)
        self.source_label = QLabel()
        self.source_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        transport = QHBoxLayout()
        transport.addWidget(self.play_button)
        transport.addWidget(self.record_button)
        transport.addWidget(self.elapsed_label)
        transport.addSpacing(12)
        transport.addWidget(self.mirror_button)
        transport.addStretch(1)
        transport.addWidget(self.source_label)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.stack, 1)
        left_layout.addLayout(transport)

        self.plots = EmotionPlots(self.prefs.plot_seconds)
        self.plots.set_bars_visible(self.prefs.show_bars)
        self.plots.setMinimumWidth(300)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.plots)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([1000, 420])

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(10, 8, 10, 4)
        layout.addLayout(source_bar)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.refresh_cameras()

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.file_menu = file_menu
        self.open_file_action = QAction("&Open file…", self, shortcut=QKeySequence.StandardKey.Open)
        self.open_file_action.triggered.connect(self.choose_file)
        self.open_url_action = QAction("Open &URL…", self, shortcut=QKeySequence("Ctrl+L"))
        self.open_url_action.triggered.connect(self.focus_url)
        self.demo_action = QAction("Play the &demo clip", self, shortcut=QKeySequence("Ctrl+D"))
        self.demo_action.triggered.connect(self.play_demo)
        self.recent_menu = file_menu.addMenu("Open &recent")
        file_menu.insertAction(self.recent_menu.menuAction(), self.open_file_action)
        file_menu.insertAction(self.recent_menu.menuAction(), self.open_url_action)
        file_menu.addAction(self.demo_action)
        file_menu.addSeparator()
        self.takes_folder_action = QAction("&Takes folder…", self)
        self.takes_folder_action.triggered.connect(self.choose_takes_folder)
        file_menu.addAction(self.takes_folder_action)
        self.show_takes_action = QAction("&Show takes", self)
        self.show_takes_action.triggered.connect(lambda: self.open_folder(self.prefs.takes_dir))
        file_menu.addAction(self.show_takes_action)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        self._rebuild_recent_menu()

        view_menu = bar.addMenu("&View")
        self.view_menu = view_menu
        self.mirror_action = QAction("&Mirror the camera", self, checkable=True,
                                     shortcut=QKeySequence("Ctrl+M"))
        self.mirror_action.setChecked(self.prefs.mirror)
        self.mirror_action.toggled.connect(self.set_mirror)
        view_menu.addAction(self.mirror_action)
        window_menu = view_menu.addMenu("&Plot window")
        group = QActionGroup(self)
        self.plot_window_actions: dict[int, QAction] = {}
        for seconds in PLOT_WINDOWS_S:
            action = QAction(f"Last {seconds} seconds", self, checkable=True)
            action.setChecked(seconds == self.prefs.plot_seconds)
            action.triggered.connect(lambda _=False, s=seconds: self.set_plot_window(s))
            group.addAction(action)
            window_menu.addAction(action)
            self.plot_window_actions[seconds] = action
        self.bars_action = QAction("Show emotion &bars", self, checkable=True)
        self.bars_action.setChecked(self.prefs.show_bars)
        self.bars_action.toggled.connect(self.set_bars_visible)
        view_menu.addAction(self.bars_action)

        help_menu = bar.addMenu("&Help")
        about = QAction("&About Acting Mirror", self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def _build_shortcuts(self) -> None:
        self.record_shortcut = QShortcut(QKeySequence("Ctrl+R"), self)
        self.record_shortcut.activated.connect(self.toggle_recording)
        self.play_shortcut = QShortcut(QKeySequence(Qt.Key.Key_Space), self)
        self.play_shortcut.activated.connect(self._space_pressed)

    def _build_status_bar(self) -> None:
        status = self.statusBar()
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
        self._refresh_status()
        self._show_detector(self.detector, pending=True)

    def _restore_geometry(self) -> None:
        geometry = self.prefs.window_geometry
        if geometry is not None and self.restoreGeometry(geometry):
            return
        available = self.screen().availableGeometry() if self.screen() else None
        width, height = 1400, 860
        if available is not None and not available.isEmpty():
            width = min(width, int(available.width() * 0.92))
            height = min(height, int(available.height() * 0.92))
        self.resize(max(width, self.minimumWidth()), max(height, self.minimumHeight()))

    def send(self, command) -> None:
        """Send ``command`` to the session (on the worker's thread)."""
        self.worker.send(command)

    # the window's state lives in its controller; these read it
    source_info = property(lambda self: self.controller.source)
    playing = property(lambda self: self.controller.playing)
    recording_folder = property(lambda self: self.controller.recording_folder)
    last_take = property(lambda self: self.controller.last_take)

    def _update_controls(self) -> None:
        """Bind the controls to the controller's rules."""
        controls = self.controller.controls()
        self.detector_combo.setEnabled(controls.detector)
        self.play_button.setEnabled(controls.play)
        self.record_button.setEnabled(controls.record)
        if self.source_info is None:
            self.play_button.setText("▶  Play")
        self.mirror_button.setEnabled(controls.mirror)
        self.mirror_button.setToolTip(controls.mirror_tip)

    # ================================================================== worker wiring

    def _connect_worker(self, worker: AnalysisWorker) -> None:
        worker.ready.connect(self._on_ready)
        worker.fatal.connect(self._on_fatal)
        worker.frameReady.connect(self._on_frame_ready)
        worker.sourceOpening.connect(self._on_source_opening)
        worker.sourceOpened.connect(self._on_source_opened)
        worker.sourceFailed.connect(self._on_source_failed)
        worker.sourceEnded.connect(self._on_source_ended)
        worker.playingChanged.connect(self._on_playing_changed)
        worker.detectorChanged.connect(self._on_detector_changed)
        worker.detectorFailed.connect(self._on_detector_failed)
        worker.recordingStarted.connect(self._on_recording_started)
        worker.recordingStopped.connect(self._on_recording_stopped)
        worker.recordingFailed.connect(self._on_recording_failed)

    def start(self) -> None:
        """Open the first source: the one asked for, else the first camera, else show
        the no-camera state."""
        if self._initial_source:
            spec = self._initial_source
            self.open_source(spec, loop=(spec == DEMO_SPEC))
            return
        cameras = self._cameras
        if cameras:
            self.open_source(cameras[0].spec)
        else:
            self.show_empty_state()

    def show_empty_state(self, title: str | None = None, message: str | None = None) -> None:
        if title is not None:
            self.empty_state.set_reason(title, message or "")
        elif not self._cameras:
            self.empty_state.set_reason(
                "No camera found",
                "Acting Mirror reads the emotions your face shows, live. Connect a webcam "
                "and pick it above, or try it now with the demo clip, a video of your own "
                "or a YouTube link.",
            )
        self.stack.setCurrentWidget(self.empty_state)
        self.video.clear()

    @property
    def is_ready(self) -> bool:
        """True once the worker has loaded the models."""
        return self.controller.ready

    @property
    def recorded_frames(self) -> int:
        """Frames in the take being recorded, as last reported by the worker."""
        return self._recorded_frames

    @property
    def showing_empty_state(self) -> bool:
        return self.stack.currentWidget() is self.empty_state

    # ================================================================== user actions

    def open_source(self, spec: str, *, loop: bool = False) -> None:
        command = OpenSource(spec, loop)
        if not self.controller.ready:
            self._pending_open = command  # sent once the models are loaded
            self.statusBar().showMessage(f"Starting… then opening {describe_spec(spec)}")
            return
        self.worker.send(command)

    def play_demo(self) -> None:
        if not demo_clip().is_file():
            self.banner.show_message("error", f"The demo clip is missing ({demo_clip()}).")
            return
        self.open_source(DEMO_SPEC, loop=True)

    def choose_file(self) -> None:
        start = ""
        last = self.prefs.last_source
        if last and Path(last).exists():
            start = str(Path(last).parent)
        path, _ = QFileDialog.getOpenFileName(self, "Open a video or picture", start, MEDIA_FILTER)
        if path:
            self.open_source(path)

    def focus_url(self) -> None:
        if self.showing_empty_state:
            self.empty_state.url_edit.setFocus()
            self.empty_state.url_edit.selectAll()
        else:
            self.url_edit.setFocus()
            self.url_edit.selectAll()
        self.statusBar().showMessage("Paste a YouTube or video link, then press Enter.", 5000)

    def _url_entered(self) -> None:
        text = self.url_edit.text().strip()
        if text:
            self.open_url(text)

    def open_url(self, text: str) -> None:
        text = text.strip()
        if not _looks_like_url(text) and not Path(text).expanduser().exists():
            self.banner.show_message(
                "warning", f"“{text}” is not a web link (it should start with https://).")
            return
        if "://" not in text and _looks_like_url(text):
            text = "https://" + text
        self.open_source(text)

    def refresh_cameras(self) -> None:
        self._cameras = list(self._camera_lister())
        self.camera_combo.clear()
        if not self._cameras:
            self.camera_combo.addItem("No camera found")
            self.camera_combo.setEnabled(False)
            return
        self.camera_combo.setEnabled(True)
        for camera in self._cameras:
            self.camera_combo.addItem(camera.name, camera.spec)

    def _camera_chosen(self, index: int) -> None:
        spec = self.camera_combo.itemData(index)
        if spec:
            self.open_source(spec)

    def _detector_chosen(self, index: int) -> None:
        name = self.detector_combo.itemData(index)
        if name and name != self.detector:
            self.set_detector(name)

    def set_detector(self, name: str) -> None:
        self._show_detector(name, pending=True)
        self.worker.send(SetDetector(name))

    def set_mirror(self, on: bool) -> None:
        for widget in (self.mirror_action, self.mirror_button):
            if widget.isChecked() != on:
                widget.blockSignals(True)
                widget.setChecked(on)
                widget.blockSignals(False)
        self.prefs.mirror = on
        self.worker.send(SetMirror(on))

    def set_plot_window(self, seconds: int) -> None:
        self.prefs.plot_seconds = seconds
        self.plots.set_window(seconds)
        self.plot_window_actions[seconds].setChecked(True)

    def set_bars_visible(self, on: bool) -> None:
        self.prefs.show_bars = on
        self.plots.set_bars_visible(on)

    def toggle_playing(self) -> None:
        if self.source_info is None or not self.controller.ready:
            return
        self.worker.send(SetPlaying(not self.playing))

    def _record_clicked(self) -> None:
        # the button's checked state follows the worker, not the click
        self.record_button.setChecked(self.recording_folder is not None)
        self.toggle_recording()

    def _space_pressed(self) -> None:
        if not self.rehearsal.handles_space():  # a teleprompter take: next line
            self.toggle_playing()

    def toggle_recording(self) -> None:
        if self.rehearsal.handles_record():  # a script is loaded: a scripted take
            return
        if self.recording_folder is not None:
            self.stop_recording()
        else:
            self.start_recording()

    def start_recording(self) -> None:
        if self.source_info is None:
            self.banner.show_message("warning", "Open a camera or a video first, then record.")
            return
        self.record_button.setEnabled(False)  # until the worker answers
        self.worker.send(StartRecording(self.prefs.takes_dir))

    def stop_recording(self) -> None:
        if self.recording_folder is not None:
            self.record_button.setEnabled(False)
            self.worker.send(StopRecording())

    def choose_takes_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Where to keep your takes",
                                                  str(self.prefs.takes_dir))
        if folder:
            self.prefs.takes_dir = Path(folder)
            self.statusBar().showMessage(f"New takes go to {folder}", 5000)

    def open_folder(self, folder: Path) -> None:
        folder = Path(folder)
        if not folder.is_dir():
            self.banner.show_message("warning", f"The folder {folder} does not exist (yet).")
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def show_about(self) -> None:
        QMessageBox.about(self, "About Acting Mirror", self.about_text())

    def about_text(self) -> str:
        from acting_mirror.config import EMOTION_MODEL_FILE

        return (
            f"<h3>Acting Mirror {acting_mirror.__version__}</h3>"
            "<p>A rehearsal mirror for actors: it finds your face and reads which of seven "
            "emotions it shows (angry, disgust, fear, happy, sad, surprise, neutral).</p>"
            f"<p><b>Model:</b> mini-Xception ({EMOTION_MODEL_FILE}), {MODEL_ACCURACY}. "
            "Faces are found with OpenCV's Haar cascade or MTCNN.</p>"
            "<p><b>Limits:</b> it reads faces, not feelings, and is often wrong (about one "
            "frame in three on its test set), more so with poor light, turned heads, glasses "
            "or faces unlike its training photos. Use it as a rehearsal aid, never as a "
            "judge of your acting.</p>"
            "<p><b>Privacy:</b> everything runs on this computer. Your face never leaves "
            "the machine; takes are saved only where you choose.</p>"
        )

    # ================================================================== worker events

    def _on_ready(self, detector: str) -> None:
        self.controller.on_ready()
        self._update_controls()
        self._show_detector(detector, pending=False)
        if self._pending_open is not None:
            command, self._pending_open = self._pending_open, None
            self.worker.send(command)

    def _on_fatal(self, message: str) -> None:
        self.controller.on_fatal()
        self._update_controls()
        self.banner.show_message("error", message)
        self.statusBar().showMessage(message)

    def _on_frame_ready(self) -> None:
        packet = self.worker.worker.display.take()
        if packet is None or self._closed:
            return
        for observer in self.picture_observers:
            observer(packet)
        if self.stack.currentWidget() is not self.video and self.source_info is not None:
            self.stack.setCurrentWidget(self.video)
        self.video.show_image(packet.image, packet.captured_at)
        if packet.cue is not None:
            self.rehearsal.show_state(packet.cue)
        self.stats.on_frame(packet.capture_fps, packet.analysed_fps, packet.faces, packet.timings_ms)
        if packet.recorded_frames is not None:
            self._recorded_frames = packet.recorded_frames

    def _on_source_opening(self, spec: str) -> None:
        self.statusBar().showMessage(f"Opening {describe_spec(spec)}…")

    def _on_source_opened(self, info: SourceInfo) -> None:
        self.controller.on_source_opened(info)
        self.stats.clear()
        self.plots.clear()
        self.stack.setCurrentWidget(self.video)
        self.banner.dismiss_about("source")  # an earlier source's error no longer applies
        shown = describe_spec(info.spec) if info.spec == DEMO_SPEC else info.name
        self.setWindowTitle(f"{shown} — {APP_TITLE}")
        kind = "camera" if info.camera else ("live stream" if info.live else
                                             f"{info.fps:.0f} fps")
        self.source_label.setText(f"{shown}  ·  {info.width}×{info.height}  ·  {kind}")
        self.statusBar().showMessage(f"Playing {shown}", 4000)
        self.video.set_note(None)
        self.prefs.remember_source(info.spec)
        self._rebuild_recent_menu()
        self._update_controls()

    def _on_source_failed(self, spec: str, message: str) -> None:
        self.banner.show_message("error", message, about="source")
        self.statusBar().showMessage(message)
        broke_current = self.source_info is not None and self.source_info.spec == spec
        if broke_current:
            self.controller.on_source_failed()
            self.setWindowTitle(APP_TITLE)
            self.source_label.clear()
        if self.source_info is None:
            self.show_empty_state(
                "Nothing to show",
                f"{message} Try the demo clip, another video or a link instead.",
            )
        self._update_controls()

    def _on_source_ended(self, spec: str) -> None:
        self.controller.on_source_ended()
        self.statusBar().showMessage("The video ended. Press Play to watch it again.")
        self.video.set_note("End of the video: press Play to watch it again")

    def _on_playing_changed(self, playing: bool) -> None:
        self.controller.on_playing(playing)
        self.play_button.setText("❚❚  Pause" if playing and self.source_info else "▶  Play")
        if playing:
            self.video.set_note(None)
        elif (self.source_info is not None and not self.controller.ended
              and self.stack.currentWidget() is self.video):
            self.video.set_note("Paused")

    def _on_detector_changed(self, name: str) -> None:
        self.detector = name
        self.prefs.detector = name
        self._show_detector(name, pending=False)
        self.statusBar().showMessage(f"Faces are now found with {DETECTOR_LABELS.get(name, name)}",
                                     4000)

    def _on_detector_failed(self, name: str, message: str) -> None:
        self.banner.show_message("error", f"Cannot switch to {name}: {message}")
        self._show_detector(self.detector, pending=False)

    def _show_detector(self, name: str, *, pending: bool) -> None:
        label = name.upper() if name == "mtcnn" else name.capitalize()
        self.detector_label.setText(f"Detector: {label}" + ("…" if pending else ""))
        index = self.detector_combo.findData(name)
        if index >= 0 and index != self.detector_combo.currentIndex():
            self.detector_combo.setCurrentIndex(index)

    def _on_recording_started(self, folder: str) -> None:
        self.rehearsal.on_recording_started(folder)
        self.controller.on_take_started(Path(folder))
        self._recording_since = time.monotonic()
        self._recorded_frames = 0
        self.record_button.setEnabled(True)
        self.record_button.setChecked(True)
        self.record_button.setText("■  Stop")
        self.elapsed_label.setVisible(True)
        self._refresh_elapsed()
        self.elapsed_timer.start()
        self.statusBar().showMessage(f"Recording into {folder}")

    def _on_recording_stopped(self, take: TakeInfo) -> None:
        self.controller.on_take_finished(take)
        if self._closed:
            return  # quitting: the take is kept, nothing more to show
        self.rehearsal.on_recording_stopped(take)
        self._recording_since = None
        self.elapsed_timer.stop()
        self.elapsed_label.setVisible(False)
        self.video.set_badge(None)
        self.record_button.setChecked(False)
        self.record_button.setText("●  Record")
        self._update_controls()
        length = _mm_ss(take.seconds)
        if take.error:
            self.banner.show_message(
                "error",
                f"Recording stopped: {take.error} The {take.frames} frames recorded so far "
                f"are kept in {take.folder}.",
                "Open folder", lambda: self.open_folder(take.folder),
            )
            self.statusBar().showMessage(f"Recording stopped: {take.error}")
        elif take.frames == 0:
            self.statusBar().showMessage("Nothing was recorded (no frames came in).", 6000)
        else:
            text = f"Take saved: {take.frames} frames ({length}) in {take.folder}"
            self.banner.show_message("info", text, "Open folder",
                                     lambda: self.open_folder(take.folder))
            self.statusBar().showMessage(text, 10000)

    def _on_recording_failed(self, message: str) -> None:
        self.rehearsal.on_recording_failed(message)
        self.record_button.setChecked(False)
        self._update_controls()
        self.banner.show_message("error", f"Cannot record: {message}")
        self.statusBar().showMessage(f"Cannot record: {message}")

    # ================================================================== timers

    def _redraw_plots(self) -> None:
        points = self.worker.worker.points
        while points:
            generation, time_ms, probs = points.popleft()
            self.plots.add_point(generation, time_ms, probs)
            self.rehearsal.feed_point(time_ms, probs)
        self.plots.redraw()
        self.rehearsal.redraw()

    def _refresh_status(self) -> None:
        s = self.stats
        live = self.source_info is not None
        self.capture_label.setText(f"Capture {s.capture_fps:.1f} fps" if live else "Capture –")
        self.analysed_label.setText(f"Analysed {s.analysed_fps:.1f} fps" if live else "Analysed –")
        latency = s.latency_ms
        self.latency_label.setText(f"Latency {latency:.0f} ms" if latency is not None and live
                                   else "Latency –")
        self.faces_label.setText(f"Faces {s.faces}" if live else "Faces –")

    def _refresh_elapsed(self) -> None:
        if self._recording_since is None:
            return
        text = _mm_ss(time.monotonic() - self._recording_since)
        self.elapsed_label.setText(
            f"<span style='color:{RECORD_RED}'>●</span> <b>{text}</b>"
            f"  <span style='color:#9aa3ad'>{self._recorded_frames} frames</span>")
        self.video.set_badge(f"REC {text}")

    def _log_stats(self) -> None:
        name = self.source_info.name if self.source_info else "no source"
        stats_log.info("%s [%s, %s]: %s", "stats", name, self.detector, self.stats.report())

    # ================================================================== recent, closing

    def _rebuild_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.prefs.recent_sources
        for spec in recent:
            action = self.recent_menu.addAction(describe_spec(spec))
            action.setToolTip(spec)
            action.triggered.connect(
                lambda _=False, s=spec: self.open_source(s, loop=(s == DEMO_SPEC)))
        if recent:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear the list", self._clear_recent)
        self.recent_menu.setEnabled(bool(recent))

    def _clear_recent(self) -> None:
        self.prefs.clear_recent()
        self._rebuild_recent_menu()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        choice = QuitChoice.SAVE
        if not self._closed and self.controller.needs_quit_question():
            choice = self._quit_choice or self.confirm_quit()
            if choice is QuitChoice.CANCEL:
                event.ignore()
                return
        self.prefs.window_geometry = self.saveGeometry()
        self.hide()  # gone at once, even if the worker needs a moment to finish a take
        self.shutdown(choice)
        event.accept()
        self.closed.emit()

    def quit_now(self) -> None:
        """Close without asking, keeping any take (marked incomplete): for a terminal's
        Ctrl+C, SIGTERM or SIGHUP."""
        self._quit_choice = QuitChoice.SAVE
        if self._closed:
            self.closed.emit()
        else:
            self.close()

    def _ask_quit_choice(self) -> QuitChoice:
        box = QMessageBox(QMessageBox.Icon.Question, APP_TITLE, QUIT_QUESTION[0],
                          QMessageBox.StandardButton.NoButton, self)
        box.setInformativeText(QUIT_QUESTION[1])
        save = box.addButton("Stop and save the take", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(save)
        box.setEscapeButton(cancel)
        box.exec()
        clicked = box.clickedButton()
        if clicked is save:
            return QuitChoice.SAVE
        return QuitChoice.DISCARD if clicked is discard else QuitChoice.CANCEL

    def shutdown(self, choice: QuitChoice = QuitChoice.SAVE) -> None:
        """Stop the timers and the worker (which keeps any take, marked incomplete, or
        deletes it for ``QuitChoice.DISCARD``). Idempotent."""
        if self._closed:
            return
        self._closed = True
        for timer in (self.plot_timer, self.status_timer, self.elapsed_timer, self.stats_timer):
            timer.stop()
        self.rehearsal.shutdown()
        # opening a web video may block the worker for up to two network timeouts
        last = MirrorController.shutdown_for(choice) or MirrorController.shutdown_for(QuitChoice.SAVE)
        stopped = self.worker.shutdown(timeout_s=SHUTDOWN_TIMEOUT_S, complete=last.complete,
                                       discard=last.discard)
        if not stopped:
            log.warning("Closing while the analysis thread is still busy.")
        self.prefs.sync()


def _default_camera_lister() -> list:
    from acting_mirror.media.sources import list_cameras

    return list_cameras()
