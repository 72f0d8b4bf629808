"""Rehearsal: everything about scripts, takes and reports in the main window, in one
place the window plugs in.

- the script panel (a dock) and the 3-2-1 countdown over the video;
- scripted takes: the countdown, then recording with the script's clock started on the
  take's first frame (a file source restarts from its beginning), the lines shaded on the
  live curves, the teleprompter keys, and the report when the take ends;
- File menu: Open script…, Open take…, Takes library…, Analyse a video…, Calibrate:
  your expression profile… (the guided routine, or the neutral face only); the actor profile and the "Calibrated" switch;
- review windows and the takes library.

The state and rules (the phase, the script, what the keys mean, the calibration choice)
are :class:`~acting_mirror.controllers.rehearsal.RehearsalController`'s; this class shows
them and forwards. It knows the window only as a :class:`RehearsalHost` (the window
imports this module, never the other way). The window calls :meth:`show_state` for each
displayed frame's cue state, :meth:`feed_point` for each analysed frame's primary-face
reading, :meth:`redraw` with its plot timer, and asks :meth:`handles_record` /
:meth:`handles_space` before using Ctrl+R and Space itself.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget, QFileDialog, QLabel, QMessageBox, QPushButton, QStatusBar,
)

from acting_mirror.config import AnalysisSettings, assets_dir, user_data_dir
from acting_mirror.controllers.mirror import MirrorController
from acting_mirror.controllers.rehearsal import Ending, Key, Phase, RehearsalController
from acting_mirror.core.profile import ExpressionProfileStore
from acting_mirror.core.calibration import NeutralCalibration, ProfileStore
from acting_mirror.core.follower import CueState
from acting_mirror.core.script import Script
from acting_mirror.errors import ActingMirrorError
from acting_mirror.gui.calibration import CalibrationDialog
from acting_mirror.gui.countdown import Countdown, CountdownOverlay
from acting_mirror.gui.plots import EmotionPlots
from acting_mirror.gui.preferences import Preferences
from acting_mirror.gui.rehearsal_modes import RehearsalModes
from acting_mirror.gui.report_view import ReportDialog
from acting_mirror.gui.review import ReviewWindow
from acting_mirror.gui.script_panel import ScriptPanel
from acting_mirror.gui.script_regions import ScriptRegions
from acting_mirror.gui.takes_library import TakesLibrary
from acting_mirror.gui.video_analysis import VIDEO_FILTER, AnalyseJob, VideoAnalysis
from acting_mirror.gui.widgets import MessageBanner, VideoView
from acting_mirror.session.events import TakeInfo
from acting_mirror.session.services import Services

log = logging.getLogger(__name__)

SCRIPT_FILTER = "Acting scripts (*.txt *.script);;All files (*)"
EXAMPLE_SCRIPT = "example_script.txt"


class RehearsalHost(Protocol):
    """What the rehearsal needs of the window it lives in (``MainWindow`` is one)."""

    prefs: Preferences
    controller: MirrorController
    services: Services
    detector: str
    video: VideoView
    plots: EmotionPlots
    banner: MessageBanner
    script_label: QLabel
    record_button: QPushButton

    def send(self, command) -> None: ...  # a command to the session

    def statusBar(self) -> QStatusBar: ...  # noqa: N802 (Qt name)

    def addDockWidget(self, area, dock) -> None: ...  # noqa: N802 (Qt name)


class Rehearsal(RehearsalModes, QObject):
    """See the module docstring. ``profiles`` stores the actors' calibrations
    (default: under ``config.user_data_dir()``)."""

    def __init__(self, window: RehearsalHost, *, profiles: ProfileStore | None = None):
        super().__init__(window)
        self.window = window
        self.profiles = profiles if profiles is not None else ProfileStore(user_data_dir())
        self._prefs = window.prefs  # the actor and whether to calibrate, with the rest
        self.controller = RehearsalController(
            window.send, window.controller, self.profiles,
            takes_root=lambda: window.prefs.takes_dir, actor=self._prefs.actor,
            calibrated=self._prefs.calibrated, notify=self._notify,
            expressions=ExpressionProfileStore(user_data_dir()))
        self._idle_actions: list[QAction] = []  # like the panel's buttons: not during a take
        self.last_report_dialog: ReportDialog | None = None
        self.reviews: list[ReviewWindow] = []
        self.library: TakesLibrary | None = None
        self.analysis: VideoAnalysis | None = None
        self.calibration_dialog: CalibrationDialog | None = None
        self._build_panel()
        self._build_countdown()
        self.regions = ScriptRegions(window.plots.curve_plot.getPlotItem())
        self._refresh_actors(self.controller.actor)
        self.panel.set_calibrated(self._prefs.calibrated)

    def _build_panel(self) -> None:
        self.panel = ScriptPanel()
        self.dock = QDockWidget("Script", self.window)
        self.dock.setObjectName("script-dock")
        self.dock.setWidget(self.panel)
        self.dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                              | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                              | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.hide()
        p = self.panel
        p.startRequested.connect(self.start_take)
        p.cancelRequested.connect(self.cancel_countdown)
        p.stopRequested.connect(self.stop_take)
        p.advanceRequested.connect(self.advance)
        p.openRequested.connect(self.choose_script)
        p.exampleRequested.connect(self.load_example)
        p.closeRequested.connect(lambda: self.set_script(None))
        p.actorChanged.connect(self._actor_changed)
        p.calibratedToggled.connect(self._calibrated_toggled)
        p.calibrateRequested.connect(self.calibrate)

    def _build_countdown(self) -> None:
        self.countdown = Countdown(parent=self)
        self.overlay = CountdownOverlay(self.window.video)
        self.overlay.attach(self.countdown)
        self.countdown.started.connect(self._countdown_done)

    # the state lives in the controller; these read it
    script = property(lambda self: self.controller.script)
    script_path = property(lambda self: self.controller.script_path)
    script_text = property(lambda self: self.controller.script_text)
    phase = property(lambda self: self.controller.phase)
    live_spans = property(lambda self: self.controller.live_spans)

    def _notify(self, level: str, text: str) -> None:
        if level == "status":
            self.window.statusBar().showMessage(text, 5000)
        elif level == "error" and len(self.controller.script_problems) > 3:
            n = len(self.controller.script_problems)
            self.window.banner.show_message(level, text, f"Show all {n} problems",
                                            self.show_script_problems)
        else:
            self.window.banner.show_message(level, text)

    def show_script_problems(self):
        """Every problem of the script that failed to load, in a window of its own."""
        from PySide6.QtWidgets import QMessageBox

        problems = self.controller.script_problems
        name = self.controller.script_problems_of.name if self.controller.script_problems_of else "The script"
        box = QMessageBox(QMessageBox.Icon.Warning, "Problems in the script",
                          f"{name} has {len(problems)} problems; fix them and open it again.",
                          QMessageBox.StandardButton.Close, self.window)
        box.setDetailedText("\n".join(problems))
        box.setModal(False)
        box.show()
        self.problems_box = box
        return box

    # ================================================================== menus

    def install_menus(self, file_menu, view_menu, before=None) -> None:
        """Add the script and take actions to the window's File and View menus."""
        w = self.window
        self.open_script_action = QAction("Open &script…", w, shortcut=QKeySequence("Ctrl+Shift+O"))
        self.open_script_action.triggered.connect(self.choose_script)
        self.open_take_action = QAction("Open &take…", w)
        self.open_take_action.triggered.connect(self.choose_take)
        self.library_action = QAction("Takes &library…", w, shortcut=QKeySequence("Ctrl+Shift+L"))
        self.library_action.triggered.connect(self.show_library)
        self.analyse_action = QAction("&Analyse a video…", w)
        self.analyse_action.triggered.connect(self.choose_video_to_analyse)
        self.calibrate_action = QAction("&Calibrate: your expression profile…", w)
        self.calibrate_action.triggered.connect(self.calibrate)
        self.import_action = QAction("&Import screenplay…", w)
        self.import_action.triggered.connect(self.choose_screenplay)
        actions = [self.open_script_action, self.import_action, self.open_take_action,
                   self.library_action, self.analyse_action, self.calibrate_action]
        self._idle_actions = [self.open_script_action, self.import_action, self.calibrate_action]
        if before is not None:
            file_menu.insertSeparator(before)
            for action in actions:
                file_menu.insertAction(before, action)
        else:
            file_menu.addSeparator()
            file_menu.addActions(actions)
        toggle = self.dock.toggleViewAction()
        toggle.setText("&Script panel")
        view_menu.addSeparator()
        view_menu.addAction(toggle)
        self._install_line_learning(view_menu)

    # ================================================================== scripts

    def choose_script(self) -> None:
        start = str(self.script_path.parent) if self.script_path else str(assets_dir())
        path, _ = QFileDialog.getOpenFileName(self.window, "Open an acting script", start, SCRIPT_FILTER)
        if path:
            self.load_script_file(Path(path))

    def load_example(self) -> None:
        self.load_script_file(assets_dir() / EXAMPLE_SCRIPT)

    def load_script_file(self, path: Path) -> bool:
        """Load and show the script at ``path``; problems go to the banner."""
        if not self.controller.load_script_file(path):
            return False
        self._show_script()
        return True

    def set_script(self, script: Script | None, path: Path | None = None, text: str | None = None) -> None:
        if self.controller.set_script(script, path, text):
            self._show_script()

    def _show_script(self) -> None:
        script, path = self.script, self.script_path
        if script is not None and path is not None:
            self.window.prefs.last_script = path.resolve()  # reopened at the next launch
        elif script is None:
            self.window.prefs.last_script = None  # closed on purpose: start without one
        self.panel.set_script(script, path)
        self.regions.clear()
        if script is not None:
            self.dock.show()
            self.dock.raise_()
            self.window.statusBar().showMessage(
                f"Script {script.source}: press Start take (or Ctrl+R) to rehearse it.", 6000)
        label = self.window.script_label
        label.setVisible(script is not None)
        if script is not None:
            label.setText(f"Script: <b>{script.source}</b>")
            label.setToolTip(str(path) if path else "")

    # ================================================================== takes

    def handles_record(self) -> bool:
        """Ctrl+R / the Record button: with a script loaded they start and stop a
        scripted take (with the countdown)."""
        return self._forward(lambda: self.controller.press(Key.RECORD))

    def handles_space(self) -> bool:
        """Space moves a teleprompter take on (else it is the window's play key)."""
        return self._forward(lambda: self.controller.press(Key.SPACE))

    def start_take(self) -> None:
        self._forward(self.controller.start_take)

    def cancel_countdown(self) -> None:
        self._forward(self.controller.cancel_countdown)

    def stop_take(self) -> None:
        self._forward(self.controller.stop_take)

    def advance(self) -> None:
        self.controller.advance()

    def _forward(self, do):
        """Run a controller action, then start or stop the 3-2-1 and show the phase as
        the phase went into or out of the countdown."""
        before = self.phase
        result = do()
        now = self.phase
        if now is Phase.COUNTDOWN and before is not Phase.COUNTDOWN:
            self.overlay.set_caption(self.controller.first_line_caption)
            self._show_phase()
            self.countdown.start()
        elif before is Phase.COUNTDOWN and now is not Phase.COUNTDOWN:
            self.countdown.cancel()
            self._show_phase()
        elif now is not before:
            self._show_phase()
        return result

    def _countdown_done(self) -> None:
        if self.controller.countdown_finished() is not None:
            self.window.record_button.setEnabled(False)  # until the session answers
        self._show_phase()

    def _show_phase(self) -> None:
        self.panel.set_phase(self.phase.shown)
        for action in self._idle_actions:  # the script cannot change under a running take
            action.setEnabled(self.controller.can_change_script)

    # window events
    def on_recording_started(self, folder: str) -> None:
        self.controller.on_take_started()
        self._show_phase()

    def on_recording_failed(self, message: str) -> None:
        self.controller.on_take_failed()
        self._show_phase()

    def on_recording_stopped(self, take: TakeInfo) -> None:
        ending = self.controller.on_take_finished(take)
        self._show_phase()
        if take.frames > 0:
            self._refresh_library()  # an open library lists the new take at once
        if ending is Ending.REPORT and self.controller.loop and self.controller.passage:
            # a looped passage goes straight on: the score is said, the report waits in
            # the library
            self.window.statusBar().showMessage(
                f"Take saved, score {round(100 * take.report.score)}%: the next take of the "
                "lines starts now (Stop take ends the loop).", 8000)
        elif ending is Ending.REPORT:
            self.show_report(take)
        elif ending is Ending.NOT_SCORED:
            self.window.banner.show_message(
                "warning", f"The take was saved, but it could not be scored: {take.report_error}")

    def show_report(self, take: TakeInfo) -> ReportDialog:
        if self.last_report_dialog is not None:
            self.last_report_dialog.close()
        dialog = ReportDialog(take.report, take.folder, self.window)
        dialog.reviewRequested.connect(self.open_review)
        dialog.tryAgainRequested.connect(self.start_take)
        dialog.show()
        self.last_report_dialog = dialog
        return dialog

    def show_state(self, state: CueState) -> None:
        """One displayed frame's cue state (from the worker)."""
        self.panel.show_state(state)
        self.controller.show_state(state)

    def feed_point(self, time_ms: int, probs, blendshapes=None, pose=None) -> None:
        """Every analysed frame's primary-face reading (the calibration routine records these)."""
        if self.calibration_dialog is not None:
            self.calibration_dialog.feed(time_ms, probs, blendshapes, pose)

    def redraw(self) -> None:
        """With the window's plot timer: slide the shaded lines with the curves."""
        if self.script is None or self.live_spans.now_ms is None:
            if self.regions.spans:
                self.regions.clear()
            return
        self.regions.set_spans(self.live_spans.spans, shift_ms=self.live_spans.now_ms)

    # ================================================================== calibration

    def calibration(self) -> NeutralCalibration | None:
        """The calibration in use: the chosen actor's, when the switch is on."""
        return self.controller.calibration()

    def _refresh_actors(self, current: str) -> None:
        self.panel.set_actors(self.controller.actors(), current)
        self.controller.actor = self.panel.actor  # "" when ``current`` has no profile

    def _actor_changed(self, actor: str) -> None:
        self._prefs.actor = actor
        self.controller.choose_actor(actor)

    def _calibrated_toggled(self, on: bool) -> None:
        self._prefs.calibrated = on
        self.controller.set_calibrated(on)

    def calibrate(self) -> CalibrationDialog:
        if self.calibration_dialog is not None:
            self.calibration_dialog.raise_()
            return self.calibration_dialog
        if self.window.controller.source is None:
            self.window.banner.show_message(
                "info", "Open your camera first: calibration records your relaxed face.")
        dialog = CalibrationDialog(
            self.profiles, actor=self.controller.actor, expressions=self.controller.expressions,
            # the mesh detector reads every face's detail; Haar and MTCNN need the switch
            face_detail_on=self._prefs.face_detail or getattr(self.window, "detector", "") == "mesh",
            turn_face_detail_on=self._turn_face_detail_on,
            parent=self.window)
        dialog.saved.connect(self._calibration_saved)
        dialog.finished.connect(self._calibration_closed)
        getattr(self.window, "picture_observers", []).append(dialog.show_picture)  # its live view
        if hasattr(self.window, "track_view_size"):
            self.window.track_view_size(dialog.video)  # pictures made big enough for it too
        dialog.show()
        self.calibration_dialog = dialog
        return dialog

    def _calibration_saved(self, actor: str) -> None:
        self._refresh_actors(actor)
        self._prefs.actor = actor
        self.panel.set_calibrated(True)
        self._prefs.calibrated = True
        self.controller.calibration_saved(actor)
        if self.controller.expression_profile() is not None:
            self.window.statusBar().showMessage(
                f"{actor}'s expression profile is saved: with Calibrated on, the live cues and "
                "reports use it.", 10000)

    def _turn_face_detail_on(self) -> None:
        """The routine learns from the face mesh: switch it on as View › Face detail does."""
        menus = getattr(self.window, "menus", None)
        if menus is not None:
            menus.detail_action.setChecked(True)

    def _calibration_closed(self, _result: int) -> None:
        observers = getattr(self.window, "picture_observers", [])
        if self.calibration_dialog is not None and self.calibration_dialog.show_picture in observers:
            observers.remove(self.calibration_dialog.show_picture)
        if self.calibration_dialog is not None and hasattr(self.window, "untrack_view_size"):
            self.window.untrack_view_size(self.calibration_dialog.video)
        if self.calibration_dialog is not None:
            self.calibration_dialog.deleteLater()
        self.calibration_dialog = None

    # ================================================================== takes, review

    def choose_take(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.window, "Open a take folder",
                                                  str(self.window.prefs.takes_dir))
        if folder:
            self.open_review(Path(folder))

    def open_review(self, folder: Path) -> ReviewWindow | None:
        try:
            review = ReviewWindow(folder, profiles=self.profiles, actor=self.controller.actor)
        except ActingMirrorError as exc:
            self.window.banner.show_message("error", str(exc))
            return None
        review.closed.connect(lambda r=review: self._review_closed(r))
        review.show()
        self.reviews.append(review)
        return review

    def open_compare(self, *folders):
        """Two to four takes of the same script side by side (given one by one, or as one
        list); why not in the library (or the window) when they cannot be compared."""
        from acting_mirror.gui.compare import CompareWindow

        if len(folders) == 1 and isinstance(folders[0], (list, tuple)):
            folders = tuple(folders[0])
        try:
            window = CompareWindow(*folders, profiles=self.profiles)
        except ActingMirrorError as exc:
            where = self.library if self.library is not None and self.library.isVisible() else None
            if where is not None:
                where.empty_label.setText(str(exc))
                where.empty_label.setVisible(True)
            else:
                self.window.banner.show_message("error", str(exc))
            return None
        window.closed.connect(lambda w=window: w in self.reviews and self.reviews.remove(w))
        window.show()
        self.reviews.append(window)
        return window

    def _review_closed(self, review: ReviewWindow) -> None:
        if review in self.reviews:
            self.reviews.remove(review)
        self._refresh_library()  # a review may have scored the take

    def _refresh_library(self) -> None:
        if self.library is not None and self.library.isVisible():
            self.library.refresh()

    def show_library(self) -> TakesLibrary:
        if self.library is None:
            self.library = TakesLibrary(self.window.prefs.takes_dir)
            self.library.openRequested.connect(self.open_review)
            self.library.compareRequested.connect(self.open_compare)
            self.library.analyseRequested.connect(self.choose_video_to_analyse)
        else:
            self.library.set_takes_root(self.window.prefs.takes_dir)
        self.library.show()
        self.library.raise_()
        return self.library

    def choose_video_to_analyse(self) -> None:
        parent = self.library if self.library is not None and self.library.isVisible() else self.window
        path, _ = QFileDialog.getOpenFileName(parent, "Analyse a video into a new take", "", VIDEO_FILTER)
        if path:
            self.analyse_video(path)

    def analyse_video(self, spec: str, *, score: bool | None = None) -> VideoAnalysis | None:
        """Analyse ``spec`` into a new take, then open its review. With a timed script
        loaded, ``score`` (asked when None) scores it against that script too."""
        if self.analysis is not None:
            self.window.banner.show_message("warning", "A video is already being analysed.")
            return None
        if score is None and self.controller.can_score_analysis:
            answer = QMessageBox.question(
                self.window, "Score the video?",
                f"Score the video against the script {self.script.source} too? (Its times "
                "count from the start of the video.)")
            score = answer == QMessageBox.StandardButton.Yes
        script, script_text, calibration = self.controller.analysis_scoring(bool(score))
        job = AnalyseJob(spec, self.window.prefs.takes_dir,
                         AnalysisSettings(detector=self.window.detector),
                         process=self.window.services.process, script=script,
                         script_text=script_text, calibration=calibration,
                         actor=self.controller.actor)
        self.analysis = VideoAnalysis(job, self.window)
        self.analysis.succeeded.connect(self._analysis_succeeded)
        self.analysis.failed.connect(
            lambda message: self.window.banner.show_message("error", message))
        self.analysis.ended.connect(self._analysis_ended)
        self.analysis.start()
        return self.analysis

    def _analysis_succeeded(self, folder: Path) -> None:
        self.window.statusBar().showMessage(f"Analysed into {folder}", 8000)
        if self.library is not None:
            self.library.refresh()
        self.open_review(folder)

    def _analysis_ended(self) -> None:
        if self.analysis is not None:
            self.analysis.wait(5000)
            self.analysis.deleteLater()
        self.analysis = None

    # ================================================================== closing

    def shutdown(self) -> None:
        """Stop the countdown, any analysis, and close the windows this opened."""
        self.countdown.cancel()
        self.overlay.dismiss()
        if self.analysis is not None:
            self.analysis.cancel()
            self.analysis.wait(30000)
        for review in list(self.reviews):
            review.close()
        if self.library is not None:
            self.library.close()
        if self.calibration_dialog is not None:
            self.calibration_dialog.close()
        if self.last_report_dialog is not None:
            self.last_report_dialog.close()


__all__ = ["Rehearsal"]
