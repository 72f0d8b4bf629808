"""Calibration in the app: the guided expression-profile routine (or the quick neutral
calibration), with the actor's live picture beside it all the time.

The flow and the rules are ``controllers.calibration.CalibrationController``'s (steps,
Again, the checks, learning, saving); this dialog shows them: the instructions, then per
step a 3-2-1 with "Now show: surprise", the seconds counting down while it records, the
step's check with **Again** and **Next**, the learning (on a helper thread), and the
result (``gui.routine_result``): per-emotion reliability and warnings, then **Save**.
The window feeds it every analysed frame of the main face (:meth:`feed`) and every
picture it shows (:meth:`show_picture`). Nothing is stored before Save; Cancel and Esc
drop what was recorded.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Callable

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
    QRadioButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from acting_mirror.controllers.calibration import CalibrationController, Step
from acting_mirror.controllers.routine import Outcome, RoutineStep, learn
from acting_mirror.core.calibration import NeutralCalibration, ProfileStore
from acting_mirror.core.palette import emotion_color_hex
from acting_mirror.core.profile import ExpressionProfileStore
from acting_mirror.core.types import EMOTIONS
from acting_mirror.errors import OutputError
from acting_mirror.gui.countdown import Countdown
from acting_mirror.gui.routine_result import MUTED, WARNING, RoutineResultView
from acting_mirror.gui.widgets import VideoView
from acting_mirror.gui.window_memory import keep_geometry

log = logging.getLogger(__name__)

INSTRUCTIONS = (
    "<p>What the camera reads differs from face to face: a resting frown, a wide natural "
    "smile. This routine teaches Acting Mirror <i>your</i> face: a relaxed face, then each "
    "emotion on cue, four seconds each (about a minute in all).</p>"
    "<ol><li>Sit as you will when you rehearse, facing the camera, in even light.</li>"
    "<li>Press <b>Start</b>. At each step a 3-2-1 says what to show; show it clearly "
    "and hold it until the seconds run out. <b>Again</b> records a step again.</li>"
    "<li>At the end you see how well each emotion can be told apart on your face. Save "
    "it under your name; switch <b>Calibrated</b> on or off to compare.</li></ol>"
)


def baseline_html(calibration: NeutralCalibration, limit: int = 4) -> str:
    """The strongest readings of a relaxed face, coloured: "neutral 41% · sad 38% …"."""
    order = np.argsort(calibration.baseline)[::-1][:limit]
    return " · ".join(
        f"<b style='color:{emotion_color_hex(EMOTIONS[i])}'>{EMOTIONS[i]}</b> "
        f"{round(100 * float(calibration.baseline[i]))}%"
        for i in order if calibration.baseline[i] >= 0.01
    )


def _big(label: QLabel, factor: float) -> QLabel:
    font = QFont()
    font.setPointSizeF(font.pointSizeF() * factor)
    font.setBold(True)
    label.setFont(font)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    return label


class CalibrationDialog(QDialog):
    """See the module docstring. ``saved(actor)`` after the profile is stored.

    ``face_detail_on`` says whether the face mesh runs now; ``turn_face_detail_on`` is
    called (once) when the routine needs it and it is off. ``steps``/``neutral_step``
    replace the routine's (tests record short ones)."""

    saved = Signal(str)
    _learned = Signal(object, int)  # Outcome, generation (from the learning thread)

    def __init__(self, store: ProfileStore, *, actor: str = "",
                 expressions: ExpressionProfileStore | None = None,
                 face_detail_on: bool = True,
                 turn_face_detail_on: Callable[[], None] | None = None,
                 steps: tuple[RoutineStep, ...] | None = None,
                 neutral_step: RoutineStep | None = None,
                 countdown_s: int = 3, countdown_interval_ms: int = 1000,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("Your expression profile")
        self.setModal(False)
        self.controller = CalibrationController(store, expressions, steps=steps,
                                                neutral_step=neutral_step)
        self.face_detail_on = bool(face_detail_on)
        self._turn_face_detail_on = turn_face_detail_on
        self._learning: threading.Thread | None = None
        self._learned.connect(self._on_learned, Qt.ConnectionType.QueuedConnection)
        self.countdown = Countdown(countdown_s, countdown_interval_ms, self)
        self.countdown.tick.connect(self._tick)
        self.countdown.started.connect(self._begin_recording)
        self._build(actor)
        keep_geometry(self, "calibration", 1000, 600)
        self._show_step()

    # ---------------------------------------------------------------- layout

    def _build(self, actor: str) -> None:
        self.steps_label = QLabel()
        self.steps_label.setTextFormat(Qt.TextFormat.RichText)
        self.video = VideoView()
        self.video.setMinimumSize(360, 240)
        self.video.set_note("Waiting for the camera's picture…")
        self.pages = QStackedWidget()
        self.pages.setMinimumWidth(380)
        self._intro_page = self._build_intro(actor)
        self._live_page = self._build_live()
        self._check_page = self._build_check()
        self.result_view = RoutineResultView()
        self._result_page = QScrollArea()  # many warnings must not squeeze the table
        self._result_page.setWidget(self.result_view)
        self._result_page.setWidgetResizable(True)
        self._result_page.setFrameShape(QScrollArea.Shape.NoFrame)
        for page in (self._intro_page, self._live_page, self._check_page, self._result_page):
            self.pages.addWidget(page)

        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.reject)
        self.again_button = QPushButton("Again")
        self.again_button.setToolTip("Record this step again")
        self.again_button.clicked.connect(self.again)
        self.next_button = QPushButton("Next")
        self.next_button.setObjectName("primary")
        self.next_button.clicked.connect(self.next)
        self.start_button = QPushButton("Start")
        self.start_button.setObjectName("primary")
        self.start_button.clicked.connect(self.start)
        self.save_button = QPushButton("Save profile")
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(self.save)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        for b in (self.again_button, self.next_button, self.start_button, self.save_button):
            buttons.addWidget(b)

        body = QHBoxLayout()
        body.addWidget(self.video, 3)
        body.addWidget(self.pages, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.steps_label)
        layout.addLayout(body, 1)
        layout.addLayout(buttons)

    def _build_intro(self, actor: str) -> QWidget:
        intro = QLabel(INSTRUCTIONS)
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)
        self.full_radio = QRadioButton("The whole routine: your expression profile (about a minute)")
        self.neutral_radio = QRadioButton("Only my relaxed face: the neutral calibration (5 s)")
        self.full_radio.setChecked(True)
        self.actor_edit = QComboBox()
        self.actor_edit.setEditable(True)
        self.actor_edit.addItems(self.store.list())
        self.actor_edit.setCurrentText(actor)
        self.actor_edit.lineEdit().setPlaceholderText("Your name (the profile is stored under it)")
        self.actor_edit.currentTextChanged.connect(lambda _t: self._refresh_buttons())
        name_row = QHBoxLayout()
        name_row.addWidget(QLabel("Actor"))
        name_row.addWidget(self.actor_edit, 1)
        self.detail_label = QLabel()
        self.detail_label.setWordWrap(True)
        self.detail_label.setStyleSheet(WARNING)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        for w in (intro, self.full_radio, self.neutral_radio):
            layout.addWidget(w)
        layout.addLayout(name_row)
        layout.addWidget(self.detail_label)
        layout.addStretch(1)
        return page

    def _build_live(self) -> QWidget:
        """The step's instruction, the 3-2-1 or the seconds left, and its progress."""
        self.step_title = QLabel()
        self.step_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.step_title.setStyleSheet(MUTED)
        self.instruction_label = _big(QLabel(), 2.0)
        self.how_label = QLabel()
        self.how_label.setWordWrap(True)
        self.how_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.big_label = _big(QLabel(), 4.0)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.face_label = QLabel()
        self.face_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.face_label.setStyleSheet(MUTED)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        for w in (self.step_title, self.instruction_label, self.how_label, self.big_label,
                  self.progress, self.face_label):
            layout.addWidget(w)
        layout.addStretch(1)
        return page

    def _build_check(self) -> QWidget:
        """After a step: what was recorded, and whether to record it again."""
        self.check_label = QLabel()
        self.check_label.setWordWrap(True)
        self.check_label.setTextFormat(Qt.TextFormat.RichText)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self.check_label)
        layout.addStretch(1)
        return page

    # ---------------------------------------------------------------- showing the state

    @property
    def actor(self) -> str:
        return self.actor_edit.currentText().strip()

    phase = property(lambda self: self.controller.step)
    result = property(lambda self: self.controller.result)

    def _show_step(self) -> None:
        c, step = self.controller, self.phase
        page = {Step.INTRO: self._intro_page, Step.COUNTDOWN: self._live_page,
                Step.RECORDING: self._live_page, Step.CHECK: self._check_page,
                Step.LEARNING: self._check_page, Step.RESULT: self._result_page}[step]
        self.pages.setCurrentWidget(page)
        self.detail_label.setText(
            "" if self.face_detail_on else
            "Face detail (the face mesh) is off: the routine learns from it, so Start turns "
            "it on (View › Face detail).")
        if step in (Step.COUNTDOWN, Step.RECORDING):
            self.step_title.setText(f"Step {c.index + 1} of {len(c.steps)}")
            self.instruction_label.setText(c.current.instruction)
            self.instruction_label.setStyleSheet(f"color:{emotion_color_hex(c.current.emotion)}")
            self.how_label.setText(c.current.text)
        if step is Step.COUNTDOWN:
            self.progress.setValue(0)
            self.face_label.setText("Get ready…")
        elif step is Step.CHECK:
            self._show_check()
        elif step is Step.LEARNING:
            self.check_label.setText("<p><b>Learning your profile…</b></p>")
        self.steps_label.setText(self._steps_html())
        self._refresh_buttons()

    def _steps_html(self) -> str:
        c = self.controller
        if c.step is Step.INTRO:
            return ""
        parts = []
        finished = c.step in (Step.LEARNING, Step.RESULT)
        for i, s in enumerate(c.steps):
            color = emotion_color_hex(s.emotion)
            if finished or i < len(c.recordings):
                parts.append(f"<span style='color:{color}'>✓ {s.emotion}</span>")
            elif i == c.index:
                parts.append(f"<b style='color:{color}'>● {s.emotion}</b>")
            else:
                parts.append(f"<span style='{MUTED}'>{s.emotion}</span>")
        return " &nbsp;·&nbsp; ".join(parts)

    def _show_check(self) -> None:
        c = self.controller
        check = c.check()
        e = c.current.emotion
        lines = [f"<p><b>{e.capitalize()} recorded.</b> {check.facts}</p>"]
        lines += [f"<p style='color:#ff8a80'>{p}</p>" for p in check.problems]
        lines += [f"<p style='{WARNING}'>⚠ {w}</p>" for w in check.warnings]
        if check.ok and not check.warnings:
            lines.append("<p>Steady and clear.</p>")
        after = "learn your profile" if c.last_step else f"go on to {c.steps[c.index + 1].emotion}"
        lines.append(f"<p style='{MUTED}'><b>Again</b> records it again; <b>Next</b> keeps it "
                     f"and will {after}.</p>" if check.ok else
                     f"<p style='{MUTED}'>Press <b>Again</b> to record it again.</p>")
        self.check_label.setText("".join(lines))

    def _refresh_buttons(self) -> None:
        c, step = self.controller, self.phase
        self.start_button.setVisible(step is Step.INTRO)
        self.start_button.setEnabled(c.valid_name(self.actor))
        self.again_button.setVisible(step in (Step.CHECK, Step.RESULT))
        self.again_button.setText("Start over" if step is Step.RESULT else "Again")
        self.next_button.setVisible(step is Step.CHECK)
        self.next_button.setEnabled(c.can_go_on)
        self.next_button.setText("Learn my profile" if c.last_step else
                                 f"Next: {c.steps[min(c.index + 1, len(c.steps) - 1)].emotion}")
        self.save_button.setVisible(step is Step.RESULT)
        self.save_button.setEnabled(c.can_save(self.actor))
        if step is Step.CHECK and c.can_go_on:
            self.next_button.setDefault(True)

    # ---------------------------------------------------------------- the flow

    def start(self) -> None:
        """From the first step (again): turn the face detail on when needed, then 3-2-1."""
        if self.phase is Step.RESULT:
            full = self.controller.full
        else:
            full = self.full_radio.isChecked()
        if full and not self.face_detail_on and self._turn_face_detail_on is not None:
            self._turn_face_detail_on()
            self.face_detail_on = True
        self.controller.start(full)
        self._count()

    def again(self) -> None:
        if self.phase is Step.RESULT:
            self.start()
            return
        self.controller.again()
        self._count()

    def next(self) -> None:
        if self.controller.next():
            self._learn()
        elif self.phase is Step.COUNTDOWN:
            self._count()

    def _count(self) -> None:
        self.big_label.setStyleSheet("")
        self._show_step()
        self.countdown.start()

    def _tick(self, n: int) -> None:
        self.big_label.setStyleSheet("")
        self.big_label.setText(str(n))

    def _begin_recording(self) -> None:
        self.controller.begin_recording()
        self.big_label.setStyleSheet("color:#e53935")
        self.big_label.setText(f"● {self.controller.current.duration_ms // 1000}")
        self.face_label.setText("Recording… hold it.")
        self._show_step()

    def show_picture(self, packet) -> None:
        """A picture the window shows (a ``gui.worker.DisplayFrame``): the live view here."""
        self.video.set_note(None)
        self.video.show_image(packet.image, getattr(packet, "captured_at", None))
        if self.phase is Step.RECORDING:
            self.video.set_badge(f"REC {self.controller.current.emotion}")
        else:
            self.video.set_badge(None)

    def feed(self, time_ms: int, probs: np.ndarray | None, blendshapes: np.ndarray | None = None,
             pose=None) -> None:
        """One analysed frame of the main face (``None``: no face / no face detail)."""
        if self.phase is not Step.RECORDING:
            return
        c = self.controller
        ended = c.feed(time_ms, probs, blendshapes, pose)
        rec = c.recording
        self.progress.setValue(int(round(rec.progress * 1000)))
        self.big_label.setText(f"● {rec.remaining_s}")
        if rec.frames:
            detail = f", face detail in {rec.detail_share:.0%}" if c.full else ""
            self.face_label.setText(f"Face found in {rec.face_share:.0%} of frames{detail}")
        if ended:
            self.video.set_badge(None)
            if self.phase is Step.LEARNING:
                self._learn()
            else:
                self._show_step()

    def _learn(self) -> None:
        """Learn off the GUI thread (it takes a few hundred ms); the result comes back
        through ``_learned``."""
        self._show_step()
        c = self.controller
        generation, actor, full = c.generation, self.actor, c.full
        recordings = list(c.recordings)  # taken here: the thread never reads live state

        def work() -> None:
            try:
                outcome = learn(recordings, actor, full=full)
            except Exception as exc:  # noqa: BLE001 - a bug: say it instead of hanging
                log.exception("Learning the expression profile failed.")
                outcome = Outcome(None, problem=f"Learning failed unexpectedly ({exc}).")
            try:
                self._learned.emit(outcome, generation)
            except RuntimeError:  # the dialog is gone
                pass

        self._learning = threading.Thread(target=work, name="acting-mirror-profile", daemon=True)
        self._learning.start()

    def _on_learned(self, outcome: Outcome, generation: int) -> None:
        if self._learning is not None:
            self._learning.join(timeout=5)
            self._learning = None
        if not self.controller.finish(outcome, generation):
            return
        self.result_view.show_outcome(
            outcome, baseline_html(outcome.calibration) if outcome.calibration else "")
        self._show_step()

    def save(self) -> list[Path] | None:
        """Store the calibration and the profile (replacing older ones)."""
        try:
            paths = self.controller.save(self.actor)
        except (OutputError, ValueError) as exc:
            self.result_view.note_label.setText(
                self.result_view.note_label.text() + f"<p style='color:#ff8a80'>{exc}</p>")
            return None
        self.saved.emit(paths[-1].stem)  # the name the store lists it under
        self.accept()
        return paths

    def done(self, result: int) -> None:  # noqa: D401 (Qt name): every way of closing
        self.countdown.cancel()
        if result != QDialog.DialogCode.Accepted:
            self.controller.cancel()  # nothing recorded is kept
        if self._learning is not None:
            self._learning.join(timeout=5)
            self._learning = None
        super().done(result)


__all__ = ["CalibrationDialog", "baseline_html"]
