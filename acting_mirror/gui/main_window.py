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
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import QFileDialog, QMainWindow, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from acting_mirror.config import LIVE_READING_BUDGET, AnalysisSettings, DETECTORS, demo_clip
from acting_mirror.controllers.mirror import (
    APP_TITLE, NO_CAMERA, MirrorController, QuitChoice, could_not_open, describe_spec,
    first_source, source_failure, source_title, take_message, url_to_open,
)
from acting_mirror.core.rates import DisplayStats
from acting_mirror.core.quality import QualityNotice
from acting_mirror.gui.face_detail import FaceDetailView
from acting_mirror.gui.overlay import float_over
from acting_mirror.gui.plots import EmotionPlots
from acting_mirror.gui.preferences import Preferences
from acting_mirror.gui.rehearsal import Rehearsal
from acting_mirror.gui.widgets import EmptyState, MessageBanner, VideoView
from acting_mirror.gui.window_extras import WindowExtras
from acting_mirror.gui.window_bars import DETECTOR_LABELS, SourceBar, StatusFigures, TransportBar, fit_to_screen
from acting_mirror.gui.window_memory import fit_inside_screen
from acting_mirror.gui.voice_menu import voice_advance_command
from acting_mirror.gui.window_menus import WindowMenus
from acting_mirror.gui.worker import (
    DEMO_SPEC, AnalysisWorker, SetDetector, SetMeshDrawn, SetMirror, SetVoiceRecording,
    SourceInfo, TakeInfo, WorkerHandle,
)
from acting_mirror.session.services import Services

log = logging.getLogger(__name__)

PLOT_REDRAW_MS = 66  # ~15 Hz
STATUS_REFRESH_MS = 500
ELAPSED_REFRESH_MS = 250
MEDIA_FILTER = (
    "Videos and pictures (*.mp4 *.m4v *.mov *.avi *.mkv *.webm *.wmv *.mpg *.mpeg "
    "*.jpg *.jpeg *.png *.bmp *.webp *.tif *.tiff);;All files (*)"
)


class MainWindow(WindowExtras, QMainWindow):
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
        model: Path | None = None,
        services: Services,
        camera_lister: Callable[[], list] | None = None,
        confirm_quit: Callable[[], QuitChoice] | None = None,
        profiles=None,
        stats_interval_s: float | None = None,
    ):
        super().__init__()
        self.prefs = prefs if prefs is not None else Preferences()
        self.services = services
        self.quality_notice = QualityNotice()
        self._mic_said: str | None = None  # what was said about the microphone (once)
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
        self.quit_question = None  # the open "A take is being recorded" question, if any
        self._closed = False

        self.setWindowTitle(APP_TITLE)
        self.setMinimumSize(QSize(900, 560))
        self._build_widgets()
        self._build_menus()
        self._build_shortcuts()
        self._build_status_bar()
        self._restore_geometry()

        # the face mesh reads the main face's blendshapes and head pose with every detector
        if model is not None:
            self.prefs.model_path = Path(model)  # kept: the app starts with it next time too
        settings = AnalysisSettings(detector=self.detector, reading_budget=LIVE_READING_BUDGET,
                                    live=True,  # never stall the picture for a lost face
                                    face_detail=self.prefs.face_detail,
                                    model_path=self.prefs.model_path)
        self.worker = WorkerHandle(AnalysisWorker(settings, parts=self._session_parts(services),
                                                  mirror=self.prefs.mirror))
        self._update_controls()  # nothing works before the models load
        self._connect_worker(self.worker.worker)
        self._view_sizes: dict[int, tuple[int, int]] = {}
        self.track_view_size(self.video)
        # scripts, scripted takes, reports, review, takes library, calibration
        self.rehearsal = Rehearsal(self, profiles=profiles)
        self.rehearsal.install_menus(self.file_menu, self.view_menu, before=self.takes_folder_action)
        if self._first_script is not None:
            self.rehearsal.load_script_file(self._first_script)
        elif self.prefs.reopen_script and self.prefs.last_script is not None:
            if self.prefs.last_script.is_file():  # moved or deleted since: start without
                self.rehearsal.load_script_file(self.prefs.last_script)

        self._build_timers(stats_interval_s)
        self.worker.start()
        for timer in (self.plot_timer, self.status_timer) + ((self.stats_timer,) if stats_interval_s else ()):
            timer.start()

    def _build_timers(self, stats_interval_s: float | None) -> None:
        def timer(interval_ms: int, slot) -> QTimer:
            made = QTimer(self)
            made.setInterval(interval_ms)
            made.timeout.connect(slot)
            return made

        self.plot_timer = timer(PLOT_REDRAW_MS, self._redraw_plots)
        self.status_timer = timer(STATUS_REFRESH_MS, self._refresh_status)
        self.elapsed_timer = timer(ELAPSED_REFRESH_MS, self._refresh_elapsed)
        self.stats_timer = timer(int((stats_interval_s or 0) * 1000), self._log_stats)

    # ================================================================== layout

    def _build_widgets(self) -> None:
        self._build_bars()
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

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.stack, 1)
        left_layout.addLayout(self.transport)
        float_over(self.banner, self.stack)  # news never pushes the video down
        self.plots = EmotionPlots(self.prefs.plot_seconds)
        self.plots.set_bars_visible(self.prefs.show_bars)
        self.plots.setMinimumWidth(300)
        self.face_detail = FaceDetailView()
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.plots, 1)
        right_layout.addWidget(self.face_detail)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([1000, 420])

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(10, 8, 10, 4)
        layout.addLayout(self.source_bar)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.refresh_cameras()

    def _build_bars(self) -> None:
        """The source bar and the transport bar (``window_bars``), wired to the window."""
        bar = self.source_bar = SourceBar(self.detector)
        self.camera_combo, self.detector_combo = bar.camera_combo, bar.detector_combo
        self.url_edit, self.script_label = bar.url_edit, bar.script_label
        self.open_file_button, self.demo_button = bar.open_file_button, bar.demo_button
        self.refresh_cameras_button = bar.refresh_cameras_button
        bar.camera_combo.activated.connect(self._camera_chosen)
        bar.refresh_cameras_button.clicked.connect(self.refresh_cameras)
        bar.open_file_button.clicked.connect(self.choose_file)
        bar.url_edit.returnPressed.connect(self._url_entered)
        bar.demo_button.clicked.connect(self.play_demo)
        bar.detector_combo.activated.connect(self._detector_chosen)

        t = self.transport = TransportBar(self.prefs.mirror)
        self.play_button, self.record_button = t.play_button, t.record_button
        self.elapsed_label, self.mirror_button = t.elapsed_label, t.mirror_button
        self.mic_label = t.mic_label
        self.source_label = t.source_label
        t.play_button.clicked.connect(self.toggle_playing)
        t.record_button.clicked.connect(self._record_clicked)
        t.mirror_button.toggled.connect(self.set_mirror)

    def _build_menus(self) -> None:
        self.menus = WindowMenus(self)
        m = self.menus
        self.file_menu, self.view_menu, self.recent_menu = m.file_menu, m.view_menu, m.recent_menu
        self.takes_folder_action, self.mirror_action = m.takes_folder_action, m.mirror_action
        self.plot_window_actions, self.bars_action = m.plot_window_actions, m.bars_action

    def _build_shortcuts(self) -> None:
        self.record_shortcut = QShortcut(QKeySequence("Ctrl+R"), self)
        self.record_shortcut.activated.connect(self.toggle_recording)
        self.play_shortcut = QShortcut(QKeySequence(Qt.Key.Key_Space), self)
        self.play_shortcut.activated.connect(self._space_pressed)

    def _build_status_bar(self) -> None:
        self.figures = StatusFigures(self.statusBar())
        f = self.figures
        self.capture_label, self.analysed_label = f.capture_label, f.analysed_label
        self.latency_label, self.faces_label = f.latency_label, f.faces_label
        self.detector_label = f.detector_label
        self._refresh_status()
        self._show_detector(self.detector, pending=True)

    def _restore_geometry(self) -> None:
        geometry = self.prefs.window_geometry
        if geometry is None or not self.restoreGeometry(geometry):
            fit_to_screen(self, 1400, 860)
        fit_inside_screen(self)  # a size remembered from a larger screen

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
        self.record_button.setToolTip(controls.record_tip)
        if self.source_info is None:
            self.play_button.setText("▶  Play")
        self.mirror_button.setEnabled(controls.mirror)
        self.mirror_button.setToolTip(controls.mirror_tip)

    # ================================================================== worker wiring

    def track_view_size(self, view: VideoView) -> None:
        """The worker makes its pictures at the size of the largest view showing them (this
        window's, and the calibration's while it is open; see VideoView.size_observers)."""
        def resized(size: tuple[int, int], key: int = id(view)) -> None:
            self._view_sizes[key] = size
            self._fit_pictures()

        view.size_observers.append(resized)
        resized(view.device_size())

    def untrack_view_size(self, view: VideoView) -> None:
        self._view_sizes.pop(id(view), None)
        view.size_observers.clear()
        self._fit_pictures()

    def _fit_pictures(self) -> None:
        sizes = list(self._view_sizes.values())
        self.worker.worker.display_fit = max(sizes, key=lambda s: s[0] * s[1]) if sizes else None

    def _connect_worker(self, worker: AnalysisWorker) -> None:
        for signal, slot in (
            (worker.ready, self._on_ready), (worker.fatal, self._on_fatal),
            (worker.frameReady, self._on_frame_ready),
            (worker.sourceOpening, self._on_source_opening),
            (worker.sourceOpened, self._on_source_opened),
            (worker.sourceFailed, self._on_source_failed),
            (worker.sourceEnded, self._on_source_ended),
            (worker.sourceEndedEarly, self._on_source_ended_early),
            (worker.sourceReconnecting, self._on_source_reconnecting),
            (worker.partnerVoiceUnavailable, self._on_partner_voice_unavailable),
            (worker.microphoneChanged, self._on_microphone_changed),
            (worker.voiceListening, self._on_voice_listening),
            (worker.playingChanged, self._on_playing_changed),
            (worker.detectorChanged, self._on_detector_changed),
            (worker.detectorFailed, self._on_detector_failed),
            (worker.recordingStarted, self._on_recording_started),
            (worker.recordingStopped, self._on_recording_stopped),
            (worker.recordingFailed, self._on_recording_failed),
        ):
            signal.connect(slot)

    def start(self) -> None:
        """Repair takes an earlier run left interrupted, then open the first source: the
        one asked for, else the first camera, else show the no-camera state."""
        self._recover_interrupted_takes()
        first = first_source(self._initial_source, [c.spec for c in self._cameras])
        if first is not None:
            self.open_source(first[0], loop=first[1])
        else:
            self.show_empty_state()

    def show_empty_state(self, title: str | None = None, message: str | None = None) -> None:
        if title is not None:
            self.empty_state.set_reason(title, message or "")
        elif not self._cameras:
            self.empty_state.set_reason(*NO_CAMERA)
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
        if not self.controller.open_source(spec, loop):  # once the models are loaded
            self.statusBar().showMessage(f"Starting… then opening {describe_spec(spec)}")

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
        edit = self.empty_state.url_edit if self.showing_empty_state else self.url_edit
        edit.setFocus()
        edit.selectAll()
        self.statusBar().showMessage("Paste a YouTube or video link, then press Enter.", 5000)

    def _url_entered(self) -> None:
        text = self.url_edit.text().strip()
        if text:
            self.open_url(text)

    def open_url(self, text: str) -> None:
        spec = url_to_open(text, lambda t: Path(t).expanduser().exists())
        if spec is None:
            self.banner.show_message(
                "warning", f"“{text.strip()}” is not a web link (it should start with https://).")
            return
        self.open_source(spec)

    def refresh_cameras(self) -> None:
        self._cameras = list(self._camera_lister())
        self.source_bar.set_cameras(self._cameras)

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
        self.controller.toggle_playing()

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
        if self.controller.start_recording(self.prefs.takes_dir):
            self.record_button.setEnabled(False)  # until the worker answers
        else:
            self.banner.show_message("warning", "Open a camera or a video first, then record.")

    def stop_recording(self) -> None:
        if self.controller.stop_recording():
            self.record_button.setEnabled(False)

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
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            self.banner.show_message("warning", could_not_open("the folder", folder))

    # ================================================================== worker events

    def _on_ready(self, detector: str) -> None:
        if self.prefs.record_voice:
            self.send(SetVoiceRecording(True, self.prefs.microphone))
        self.send(voice_advance_command(self.prefs))
        if self.prefs.draw_mesh:
            self.send(SetMeshDrawn(True))
        self.controller.on_ready()
        self._update_controls()
        self._show_detector(detector, pending=False)

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
        self.face_detail.show_scores(packet.blendshapes)
        self._show_quality(packet)
        if packet.cue is not None:
            self.rehearsal.show_state(packet.cue)
        self.stats.on_frame(packet.capture_fps, packet.analysed_fps, packet.faces, packet.timings_ms)
        if packet.recorded_frames is not None:
            self._recorded_frames = packet.recorded_frames

    def _on_source_opening(self, spec: str) -> None:
        self.statusBar().showMessage(f"Opening {describe_spec(spec)}…")

    def _on_source_opened(self, info: SourceInfo) -> None:
        self.controller.on_source_opened(info)
        self.quality_notice.reset()
        self.stats.clear()
        self.plots.clear()
        self.stack.setCurrentWidget(self.video)
        self.banner.dismiss_about("source")  # an earlier source's error no longer applies
        shown, line = source_title(info)
        self.setWindowTitle(f"{shown} — {APP_TITLE}")
        self.source_label.setText(line)
        self.statusBar().showMessage(f"Playing {shown}", 4000)
        self.video.set_note(None)
        self.prefs.remember_source(info.spec)
        self.menus.rebuild_recent()
        self._update_controls()

    def _on_source_failed(self, spec: str, message: str) -> None:
        broke_current = self.source_info is not None and self.source_info.spec == spec
        if broke_current:
            self.controller.on_source_failed()
            self.setWindowTitle(APP_TITLE)
            self.source_label.clear()
        # said once: over what still plays, or in the empty screen's body
        said = source_failure(message, spec, showing=self.source_info is not None)
        self.statusBar().clearMessage()  # "Opening …" is over
        if said.banner is not None:
            self.banner.show_message("error", said.banner, about="source")
        else:
            self.banner.dismiss_about("source")
            self.show_empty_state("Nothing to show", said.body)
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
        self.figures.show_detector(name, pending=pending)
        self.source_bar.select_detector(name)

    def _on_recording_started(self, folder: str) -> None:
        self.rehearsal.on_recording_started(folder)
        self.controller.on_take_started(Path(folder))
        self._recording_since = time.monotonic()
        self._recorded_frames = 0
        self.transport.show_recording(True)
        self._refresh_elapsed()
        self.elapsed_timer.start()
        self.statusBar().showMessage(f"Recording into {folder}")

    def _on_recording_stopped(self, take: TakeInfo) -> None:
        self.controller.on_take_finished(take)
        if self._closed:
            return  # quitting: the take is kept, nothing more to show
        if self.quit_question is not None:  # asked about a take that has now ended
            self.quit_question.reject()  # the question no longer applies: stay
        self.rehearsal.on_recording_stopped(take)
        self._recording_since = None
        self.elapsed_timer.stop()
        self.video.set_badge(None)
        self.transport.show_recording(False)
        self._update_controls()
        message = take_message(take)
        if message.level and message.review:
            self.banner.show_message(message.level, message.text, "Review this take",
                                     lambda: self.rehearsal.open_review(take.folder),
                                     second=("Open folder", lambda: self.open_folder(take.folder)))
            self.statusBar().clearMessage()  # "Recording into …" is over; the banner says it
        elif message.level:
            self.banner.show_message(message.level, message.text, "Open folder",
                                     lambda: self.open_folder(take.folder))
            self.statusBar().showMessage(message.status, 0 if message.level == "error" else 10000)
        else:
            self.statusBar().showMessage(message.status, 6000)

    def _on_recording_failed(self, message: str) -> None:
        self.rehearsal.on_recording_failed(message)
        self.record_button.setChecked(False)
        self._update_controls()
        self.banner.show_message("error", f"Cannot record: {message}")
        self.statusBar().showMessage(f"Cannot record: {message}")

    # ================================================================== timers

    # ================================================================== recent, closing

def _default_camera_lister() -> list:
    from acting_mirror.media.sources import list_cameras

    return list_cameras()
