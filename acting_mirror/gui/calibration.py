"""Neutral calibration in the app: the dialog that walks the actor through it
(instructions, a 3-2-1, a few seconds of a relaxed face, the result, Save). What is
recorded and why is :mod:`acting_mirror.core.neutral_recording`; the profile itself is
``core.calibration``. Scripts, live hints and reports can then correct for it (the
"Calibrated" switch).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from acting_mirror.controllers.calibration import CalibrationController, Step
from acting_mirror.core.calibration import NeutralCalibration, ProfileStore
from acting_mirror.core.neutral_recording import RECORD_MS, WARMUP_MS
from acting_mirror.core.palette import emotion_color_hex
from acting_mirror.core.types import EMOTIONS
from acting_mirror.errors import OutputError
from acting_mirror.gui.countdown import Countdown
from acting_mirror.gui.window_memory import keep_geometry

INSTRUCTIONS = (
    "<p>Some faces read as sad or angry to the model even when fully relaxed. Calibrating "
    "teaches Acting Mirror what <i>your</i> relaxed face reads as, so that it stops "
    "counting it as an emotion.</p>"
    "<ol><li>Sit as you will when you rehearse, facing the camera, in even light.</li>"
    "<li>Press <b>Start</b>. After a 3-2-1, keep a relaxed, neutral face for "
    f"{RECORD_MS // 1000} seconds: breathe, look at the camera, don't act.</li>"
    "<li>Save it under your name. Switch <b>Calibrated</b> on or off to compare.</li></ol>"
)


def baseline_html(calibration: NeutralCalibration, limit: int = 4) -> str:
    """The strongest readings of a relaxed face, coloured: "neutral 41% · sad 38% …"."""
    order = np.argsort(calibration.baseline)[::-1][:limit]
    return " · ".join(
        f"<b style='color:{emotion_color_hex(EMOTIONS[i])}'>{EMOTIONS[i]}</b> "
        f"{round(100 * float(calibration.baseline[i]))}%"
        for i in order if calibration.baseline[i] >= 0.01
    )


class CalibrationDialog(QDialog):
    """Instructions, a 3-2-1, a few seconds of recording, the result, Save.

    The window feeds it the primary face's readings with :meth:`feed` (every analysed
    frame while it is open). ``saved(actor)`` after the profile is stored in ``store``.
    """

    saved = Signal(str)
    PAGES = ("intro", "countdown", "recording", "result")

    def __init__(self, store: ProfileStore, *, actor: str = "", countdown_s: int = 3,
                 countdown_interval_ms: int = 1000, duration_ms: int = RECORD_MS,
                 warmup_ms: int = WARMUP_MS, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("Calibrate your neutral face")
        self.setModal(False)
        self.controller = CalibrationController(store, duration_ms=duration_ms, warmup_ms=warmup_ms)
        self.recorder = self.controller.recorder
        self.countdown = Countdown(countdown_s, countdown_interval_ms, self)
        self.countdown.tick.connect(lambda n: self.big_label.setText(str(n)))
        self.countdown.started.connect(self._begin_recording)
        self._build(actor)
        keep_geometry(self, "calibration", 560, 420)
        self._show_step()

    def _build(self, actor: str) -> None:
        intro_page, live_page, result_page = (self._build_intro(actor), self._build_live(),
                                              self._build_result())
        self.pages = QStackedWidget()
        for page in (intro_page, live_page, result_page):
            self.pages.addWidget(page)
        self._intro_page, self._live_page, self._result_page = intro_page, live_page, result_page

        self.again_button = QPushButton("Record again")
        self.again_button.clicked.connect(self.start)
        self.save_button = QPushButton("Save profile")
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(self.save)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.again_button)
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addLayout(buttons)

    def _build_intro(self, actor: str) -> QWidget:
        """The instructions and the actor's name."""
        intro = QLabel(INSTRUCTIONS)
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)
        self.actor_edit = QComboBox()
        self.actor_edit.setEditable(True)
        self.actor_edit.addItems(self.store.list())
        self.actor_edit.setCurrentText(actor)
        self.actor_edit.lineEdit().setPlaceholderText("Your name (the profile is stored under it)")
        self.actor_edit.currentTextChanged.connect(lambda _t: self._refresh_buttons())
        name_row = QHBoxLayout()
        name_row.addWidget(QLabel("Actor"))
        name_row.addWidget(self.actor_edit, 1)
        self.start_button = QPushButton("Start")
        self.start_button.setObjectName("primary")
        self.start_button.clicked.connect(self.start)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(intro)
        layout.addLayout(name_row)
        layout.addStretch(1)
        return page

    def _build_live(self) -> QWidget:
        """The 3-2-1, then the recording's progress and how often a face was found."""
        self.big_label = QLabel()
        font = QFont()
        font.setPointSizeF(font.pointSizeF() * 5)
        font.setBold(True)
        self.big_label.setFont(font)
        self.big_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.record_label = QLabel()
        self.record_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.record_label.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.face_label = QLabel()
        self.face_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.face_label.setStyleSheet("color:#9aa3ad")
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        for widget in (self.big_label, self.record_label, self.progress, self.face_label):
            layout.addWidget(widget)
        layout.addStretch(1)
        return page

    def _build_result(self) -> QWidget:
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.RichText)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self.result_label)
        layout.addStretch(1)
        return page

    # ---------------------------------------------------------------- flow

    @property
    def actor(self) -> str:
        return self.actor_edit.currentText().strip()

    # the steps and the result live in the controller; these read it
    phase = property(lambda self: self.controller.step)
    result = property(lambda self: self.controller.result)

    def _show_step(self) -> None:
        step = self.phase
        page = {Step.INTRO: self._intro_page, Step.COUNTDOWN: self._live_page,
                Step.RECORDING: self._live_page, Step.RESULT: self._result_page}[step]
        self.pages.setCurrentWidget(page)
        if step is Step.COUNTDOWN:
            self.record_label.setText("Get ready: relax your face and look at the camera.")
            self.progress.setValue(0)
            self.face_label.clear()
        self._refresh_buttons()

    def _refresh_buttons(self) -> None:
        c, actor = self.controller, self.actor
        self.start_button.setVisible(self.phase is Step.INTRO)
        self.start_button.setEnabled(c.valid_name(actor))
        self.again_button.setVisible(self.phase is Step.RESULT)
        self.save_button.setVisible(self.phase is Step.RESULT)
        self.save_button.setEnabled(c.can_save(actor))

    def start(self) -> None:
        """Count 3-2-1, then record."""
        self.controller.start()
        self._show_step()
        self.countdown.start()

    def _begin_recording(self) -> None:
        self.controller.begin_recording()
        self.big_label.setText("●")
        self.big_label.setStyleSheet("color:#e53935")
        self.record_label.setText(
            f"Recording… keep a relaxed, neutral face for {self.recorder.duration_ms // 1000} s.")
        self._show_step()

    def feed(self, time_ms: int, probs: np.ndarray | None) -> None:
        """One analysed frame's primary-face probabilities (``None``: no face)."""
        if self.phase is not Step.RECORDING:
            return
        finished = self.controller.feed(time_ms, probs, self.actor)
        self.progress.setValue(int(round(self.recorder.progress * 1000)))
        if self.recorder.frames:
            self.face_label.setText(f"Face found in {round(100 * self.recorder.face_share)}% of frames")
        if finished:
            self._show_outcome()

    def _show_outcome(self) -> None:
        self.big_label.setStyleSheet("")
        outcome = self.controller.outcome
        if outcome.calibration is None:
            self.result_label.setText(f"<p><b>That did not work.</b></p><p>{outcome.problem}</p>")
        else:
            self.result_label.setText(
                f"<p><b>Done: {outcome.calibration.n_frames} frames of your relaxed face.</b></p>"
                f"<p>The model read it as: {baseline_html(outcome.calibration)}.</p>"
                f"<p>Without calibration {round(100 * outcome.neutral_before)}% of these frames "
                f"read as neutral; with it, {round(100 * outcome.neutral_after)}%.</p>"
                "<p style='color:#9aa3ad'>With calibration on, an emotion your relaxed face "
                "already leans towards has to be shown a little more strongly to count. "
                "Recalibrate when the light or the camera changes.</p>")
        self._show_step()

    def save(self) -> Path | None:
        """Store the result as the actor's profile (replacing an older one)."""
        if self.result is None:
            return None
        try:
            path = self.controller.save(self.actor)
        except (OutputError, ValueError) as exc:
            self.result_label.setText(self.result_label.text() + f"<p style='color:#ff8a80'>{exc}</p>")
            return None
        self.saved.emit(path.stem)  # the name the store lists it under
        self.accept()
        return path

    def reject(self) -> None:
        self.countdown.cancel()
        super().reject()

    def done(self, result: int) -> None:  # noqa: D401 (Qt name): every way of closing
        self.countdown.cancel()
        super().done(result)


__all__ = ["CalibrationDialog", "baseline_html"]
