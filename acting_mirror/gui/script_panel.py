"""The live script panel: the line to play now (large, like a teleprompter), its target
emotion, what the face reads as, an on-target meter for the line, one short cue for the
actor, and the next line. Also the take controls (start with a 3-2-1, stop, next line)
and the actor profile / calibration switch.

The lines shaded on the curves are :mod:`acting_mirror.gui.script_regions`; what the
take's phase is and what the keys mean is ``controllers.rehearsal``.

The panel shows :class:`~acting_mirror.core.follower.CueState` values; it does not
follow the script itself (the analysis worker does, frame by frame).
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from acting_mirror.controllers.rehearsal import ADVANCE_KEYS as CONTROLLER_ADVANCE_KEYS, Key, Phase
from acting_mirror.core.coaching import CUE_ON_TARGET
from acting_mirror.gui.script_lines import MUTED, NO_WORDS, LineShowing, target_chips_html  # noqa: F401
from acting_mirror.core.line_learning import LineDisplay
from acting_mirror.core.follower import HINT_DONE, HINT_NO_FACE, HINT_ON_TARGET, CueState
from acting_mirror.core.palette import emotion_color_hex
from acting_mirror.core.script import Cue, Script, format_span, format_time

PHASES = (Phase.IDLE, Phase.COUNTDOWN, Phase.TAKE)
"""The phases the panel shows (``controllers.rehearsal.Phase``; a take being opened
shows as a take)."""

ADVANCE_KEYS = tuple(
    {Key.SPACE: Qt.Key.Key_Space, Key.RIGHT: Qt.Key.Key_Right, Key.PAGE_DOWN: Qt.Key.Key_PageDown}[k]
    for k in CONTROLLER_ADVANCE_KEYS)
"""Qt keys that move a teleprompter take to its next line (Space first)."""

ON_TARGET_GREEN = "#66bb6a"
HINT_AMBER = "#ffca28"
SCENE_ROWS = 9  # lines of the scene listed at once, around the one now


def describe_script(script: Script) -> str:
    """One line about a script: its form, lines and length."""
    n = len(script.cues)
    lines = f"{n} line" + ("s" if n != 1 else "")
    if script.timed and script.duration_ms is not None:
        return f"timed · {lines} · {format_time(script.duration_ms)}"
    return f"teleprompter · {lines} · you set the pace"


# ------------------------------------------------------------------------- panel


def _font(scale: float = 1.0, bold: bool = False) -> QFont:
    font = QFont()
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(bold)
    return font


class ScriptPanel(LineShowing, QWidget):
    """See the module docstring. Feed it with :meth:`set_script`, :meth:`show_state`
    (every displayed frame), :meth:`set_phase`; it asks for actions with signals."""

    startRequested = Signal()  # start a take: countdown, then record
    cancelRequested = Signal()  # stop the countdown
    stopRequested = Signal()  # stop the take (a report follows)
    advanceRequested = Signal()  # teleprompter: next line
    openRequested = Signal()  # choose a script file
    exampleRequested = Signal()  # load the bundled example script
    closeRequested = Signal()  # put the script away
    actorChanged = Signal(str)  # "" for no actor profile
    calibratedToggled = Signal(bool)
    calibrateRequested = Signal()  # record a neutral calibration

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.script: Script | None = None
        self.script_path: Path | None = None
        self.phase = Phase.IDLE
        self.state: CueState | None = None
        self.states_shown = 0
        self.line_display = LineDisplay.FULL  # how your own lines are shown (line learning)
        self.revealed = False  # H pressed: the line on screen shown in full
        self._revealed_cue: int | None = None
        self.setMinimumWidth(320)
        self._build()
        self.set_script(None)

    # ---------------------------------------------------------------- layout

    def _build(self) -> None:
        script_page = QWidget()
        page = QVBoxLayout(script_page)
        page.setContentsMargins(0, 0, 0, 0)
        page.setSpacing(8)
        page.addLayout(self._build_header())
        page.addWidget(self._build_line_box(), 1)
        page.addLayout(self._build_controls())
        empty_page = self._build_empty_page()

        self.pages = QStackedWidget()
        self.pages.addWidget(empty_page)
        self.pages.addWidget(script_page)
        self._empty_page, self._script_page = empty_page, script_page

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.pages, 1)
        layout.addLayout(self._build_actor_row())
        self._build_shortcuts()

    def _build_header(self) -> QHBoxLayout:
        """The script's name and form; open another, put it away."""
        self.name_label = QLabel()
        self.name_label.setFont(_font(1.1, bold=True))
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.form_label = QLabel()
        self.form_label.setStyleSheet(f"color:{MUTED}")
        self.open_button = QToolButton()
        self.open_button.setText("Open…")
        self.open_button.setToolTip("Open another script (File ▸ Open script…)")
        self.open_button.clicked.connect(self.openRequested)
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setToolTip("Put the script away")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.closeRequested)
        head = QHBoxLayout()
        names = QVBoxLayout()
        names.setSpacing(0)
        names.addWidget(self.name_label)
        names.addWidget(self.form_label)
        head.addLayout(names, 1)
        head.addWidget(self.open_button)
        head.addWidget(self.close_button)
        return head

    def _build_line_box(self) -> QFrame:
        """The line now (large), the next one, the scene, the readings and the cue."""
        self.counter_label = QLabel()
        self.counter_label.setStyleSheet(f"color:{MUTED}; letter-spacing:1px")
        self.counter_label.setFont(_font(0.95, bold=True))
        self.line_progress = QProgressBar()
        self.line_progress.setRange(0, 1000)
        self.line_progress.setTextVisible(False)
        self.line_progress.setMaximumHeight(5)
        self.line_progress.setToolTip("How far through this line's time you are")
        self.line_label = QLabel()
        self.line_label.setWordWrap(True)
        self.line_label.setTextFormat(Qt.TextFormat.PlainText)
        self.line_label.setFont(_font(1.9, bold=True))
        self.line_label.setMinimumHeight(60)
        self.line_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.line_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self.next_label = QLabel()
        self.next_label.setWordWrap(True)
        self.next_label.setTextFormat(Qt.TextFormat.RichText)
        # the whole scene, the line now highlighted (rebuilt only when the line changes)
        self.scene_label = QLabel()
        self.scene_label.setWordWrap(True)
        self.scene_label.setTextFormat(Qt.TextFormat.RichText)
        self.scene_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.scene_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self._scene_at: tuple[int, bool] | None = None

        line_box = QFrame()
        line_box.setObjectName("linebox")
        line_box.setStyleSheet(
            "QFrame#linebox { background:#15171c; border:1px solid #2f343c; border-radius:8px; }")
        box = QVBoxLayout(line_box)
        box.setContentsMargins(14, 10, 14, 12)
        box.setSpacing(6)
        box.addWidget(self.counter_label)
        box.addWidget(self.line_progress)
        box.addWidget(self.line_label)
        box.addSpacing(4)
        box.addWidget(self.next_label)
        box.addSpacing(10)
        box.addWidget(self.scene_label, 1)
        self._build_readings(box)
        return line_box

    def _build_readings(self, box: QVBoxLayout) -> None:
        """Target and what the face reads as, the on-target meter and the cue."""
        self.target_caption = QLabel("TARGET")
        self.detected_caption = QLabel("READS AS")
        for caption in (self.target_caption, self.detected_caption):
            caption.setStyleSheet(f"color:{MUTED}; font-size:8pt; letter-spacing:1px")
        self.target_label = QLabel()
        self.detected_label = QLabel()
        emotions = QHBoxLayout()
        for caption, label in ((self.target_caption, self.target_label),
                               (self.detected_caption, self.detected_label)):
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setFont(_font(1.15))
            column = QVBoxLayout()
            column.setSpacing(2)
            column.addWidget(caption)
            column.addWidget(label)
            emotions.addLayout(column, 1)
        self.meter = QProgressBar()
        self.meter.setRange(0, 100)
        self.meter.setFormat("on target %p% of this line")
        self.meter.setToolTip(
            "The share of this line's frames so far in which your face read as a target "
            "emotion (the model is often wrong: a rehearsal aid, not a judge)")
        self.meter.setMinimumHeight(22)
        self.hint_label = QLabel()
        self.hint_label.setFont(_font(1.45, bold=True))
        self.hint_label.setTextFormat(Qt.TextFormat.PlainText)
        self.hint_label.setWordWrap(True)
        box.addLayout(emotions)
        box.addWidget(self.meter)
        box.addWidget(self.hint_label)

    def _build_controls(self) -> QHBoxLayout:
        self.start_button = QPushButton()
        self.start_button.setObjectName("record")
        self.start_button.setMinimumHeight(36)
        self.start_button.clicked.connect(self._start_clicked)
        self.next_button = QPushButton("Next line  ▶")
        self.next_button.setMinimumHeight(36)
        self.next_button.setToolTip("Move to the next line (Space, → or Page Down)")
        self.next_button.clicked.connect(self._advance_clicked)
        controls = QHBoxLayout()
        controls.addWidget(self.start_button, 1)
        controls.addWidget(self.next_button, 1)
        return controls

    def _build_actor_row(self) -> QHBoxLayout:
        """The actor profile and the calibration switch."""
        self.actor_combo = QComboBox()
        self.actor_combo.setToolTip("Whose neutral calibration to use")
        self.actor_combo.setMinimumContentsLength(9)
        self.actor_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.actor_combo.activated.connect(self._actor_chosen)
        self.calibrated_check = QCheckBox("Calibrated")
        self.calibrated_check.setToolTip(
            "Correct the readings with this actor's relaxed (neutral) face; switch off to "
            "compare with the raw readings")
        self.calibrated_check.toggled.connect(self.calibratedToggled)
        self.calibrate_button = QToolButton()
        self.calibrate_button.setText("Calibrate…")
        self.calibrate_button.setToolTip("Learn your expression profile (a guided routine) or your relaxed face")
        self.calibrate_button.clicked.connect(self.calibrateRequested)
        row = QHBoxLayout()
        row.addWidget(QLabel("Actor"))
        row.addWidget(self.actor_combo, 1)
        row.addWidget(self.calibrate_button)
        row.addWidget(self.calibrated_check)
        return row

    def _build_empty_page(self) -> QWidget:
        """No script yet: what a script is, open one or try the example."""
        empty_page = QWidget()
        empty = QVBoxLayout(empty_page)
        title = QLabel("Rehearse a script")
        title.setFont(_font(1.4, bold=True))
        text = QLabel(
            "A script lists your lines and the emotion each should show, e.g.<br>"
            "<code>0:00-0:03 happy We made it!</code> (timed) or "
            "<code>happy We made it!</code> (teleprompter: you move on with a key).<br>"
            "Acting Mirror then shows each line, counts 3-2-1, records the take and "
            "tells you, line by line, how your face read.")
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        self.empty_open_button = QPushButton("Open script…")
        self.empty_open_button.setObjectName("primary")
        self.empty_open_button.clicked.connect(self.openRequested)
        self.example_button = QPushButton("Try the example")
        self.example_button.clicked.connect(self.exampleRequested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.empty_open_button)
        buttons.addWidget(self.example_button)
        buttons.addStretch(1)
        empty.addStretch(1)
        empty.addWidget(title)
        empty.addWidget(text)
        empty.addSpacing(8)
        empty.addLayout(buttons)
        empty.addStretch(2)
        return empty_page

    def _build_shortcuts(self) -> None:
        """Teleprompter keys (Space is the window's play key: the window routes it here
        during a teleprompter take, see handle_advance_key)."""
        self._shortcuts = []
        for key in ADVANCE_KEYS[1:]:
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(self._advance_key)
            self._shortcuts.append(shortcut)

    # ---------------------------------------------------------------- inputs

    @property
    def teleprompter(self) -> bool:
        return self.script is not None and not self.script.timed

    @property
    def meter_value(self) -> int:
        return self.meter.value()

    def set_script(self, script: Script | None, path: Path | None = None) -> None:
        """Show ``script`` (``None``: the "open a script" page)."""
        self.script = script
        self.script_path = Path(path) if path is not None else None
        self.state = None
        if script is None:
            self.pages.setCurrentWidget(self._empty_page)
        else:
            self.pages.setCurrentWidget(self._script_page)
            self.name_label.setText(script.source or (self.script_path.name if self.script_path else "script"))
            self.name_label.setToolTip(str(self.script_path) if self.script_path else "")
            self.form_label.setText(describe_script(script))
            self._scene_at = None
            self._show_waiting(script.cues[0])
            self._show_scene(None)
        self.set_phase("idle")

    def set_phase(self, phase: str) -> None:
        if phase not in PHASES:
            raise ValueError(f"unknown phase {phase!r}")
        phase = Phase(phase)
        self.phase = phase
        has_script = self.script is not None
        if phase == "idle":
            self.start_button.setText("●  Start take  (3-2-1)")
            self.start_button.setToolTip("Count 3-2-1, then record a take of this script (Ctrl+R)")
        elif phase == "countdown":
            self.start_button.setText("Cancel")
            self.start_button.setToolTip("Stop the countdown")
        else:
            self.start_button.setText("■  Stop take")
            self.start_button.setToolTip("Stop now; the lines so far are scored")
        self.start_button.setEnabled(has_script)
        self.next_button.setVisible(self.teleprompter)
        self.next_button.setEnabled(self.teleprompter and phase == "take")
        self.open_button.setEnabled(phase == "idle")
        self.close_button.setEnabled(phase == "idle")
        self.actor_combo.setEnabled(phase == "idle")
        self.calibrate_button.setEnabled(phase == "idle")

    def set_actors(self, names: Sequence[str], current: str = "") -> None:
        """The actor profiles to offer (``current`` selected; "" for none)."""
        self.actor_combo.blockSignals(True)
        self.actor_combo.clear()
        self.actor_combo.addItem("No profile", "")
        for name in names:
            self.actor_combo.addItem(name, name)
        index = self.actor_combo.findData(current)
        self.actor_combo.setCurrentIndex(max(index, 0))
        self.actor_combo.blockSignals(False)
        self._refresh_calibrated_enabled()

    @property
    def actor(self) -> str:
        return str(self.actor_combo.currentData() or "")

    def set_calibrated(self, on: bool) -> None:
        self.calibrated_check.blockSignals(True)
        self.calibrated_check.setChecked(bool(on))
        self.calibrated_check.blockSignals(False)

    @property
    def calibrated(self) -> bool:
        """True when the switch is on and an actor profile is chosen."""
        return self.calibrated_check.isChecked() and bool(self.actor)

    def _refresh_calibrated_enabled(self) -> None:
        has_actor = bool(self.actor)
        self.calibrated_check.setEnabled(has_actor)
        self.calibrated_check.setToolTip(
            "Correct the readings with this actor's relaxed (neutral) face; switch off to "
            "compare with the raw readings" if has_actor else
            "Choose an actor profile (or calibrate one) to use a neutral calibration")

    def _actor_chosen(self, _index: int) -> None:
        self._refresh_calibrated_enabled()
        self.actorChanged.emit(self.actor)

    def _start_clicked(self) -> None:
        if self.phase == "idle":
            self.startRequested.emit()
        elif self.phase == "countdown":
            self.cancelRequested.emit()
        else:
            self.stopRequested.emit()

    def _advance_clicked(self) -> None:
        if self.teleprompter and self.phase == "take":
            self.advanceRequested.emit()

    def _advance_key(self) -> None:
        if self.isVisible():
            self._advance_clicked()

    def handle_advance_key(self) -> bool:
        """For the window's own key handling (e.g. Space): advance and return True when a
        teleprompter take is running, else False (the key means something else)."""
        if self.teleprompter and self.phase == "take":
            self.advanceRequested.emit()
            return True
        return False

    # ---------------------------------------------------------------- states

    def show_state(self, state: CueState) -> None:
        """Show one frame's state of the script (call for every displayed frame)."""
        if self.script is None:
            return
        self.state = state
        self.states_shown += 1
        n = len(self.script.cues)
        cue = state.cue
        index = cue.index if cue is not None else None
        if index != self._revealed_cue:  # a reveal lasts for its line only
            self.revealed, self._revealed_cue = False, index
        if state.finished:
            self.counter_label.setText(f"ALL {n} LINES PLAYED")
            self.line_label.setText("Scene complete.")
            self._set_line_style(muted=False)
            self.target_label.setText("—")
            self.line_progress.setValue(1000)
        elif cue is not None:
            span = f"  ·  {format_span(cue)}" if cue.timed and self.script.timed else ""
            self.counter_label.setText(f"LINE {cue.index + 1} OF {n}{span}")
            self.line_label.setText(self._line_text(cue))
            self._set_line_style(muted=not cue.scored)
            self.target_label.setText(self._line_target(cue))
            self.line_progress.setValue(int(round(state.progress * 1000)))
        elif state.next_cue is not None:
            self._show_waiting(state.next_cue, state)
        self.line_progress.setVisible(self.script.timed)

        # what the face reads as now
        if state.detected is None:
            self.detected_label.setText(f"<span style='color:{MUTED}'>no face</span>")
        else:
            colour = emotion_color_hex(state.detected)
            share = ""
            if state.probs is not None:
                share = f" <span style='color:{MUTED}'>{round(100 * float(np.max(state.probs)))}%</span>"
            mark = " ✓" if state.on_target else ""
            self.detected_label.setText(
                f"<span style='color:{colour}; font-weight:600'>{state.detected}{mark}</span>{share}")

        scored = cue is not None and cue.scored  # partner lines, directions: nothing to meet
        self.meter.setValue(int(round(100 * state.on_target_meter)) if scored else 0)
        self.meter.setEnabled(scored)
        self._show_hint(state)
        self._show_next(state)
        self._show_scene(None if state.finished else (cue or state.next_cue), started=state.started,
                         finished=state.finished)

    def _show_waiting(self, cue: Cue, state: CueState | None = None) -> None:
        """Before the first line (or between timed lines): the line coming up, dimmed."""
        n = len(self.script.cues) if self.script else 0
        if state is None or not state.started:
            self.counter_label.setText(f"UP FIRST  ·  LINE {cue.index + 1} OF {n}")
        else:
            wait = state.time_to_next_ms
            when = f" IN {max(0, -(-wait // 1000))} S" if wait is not None else ""
            self.counter_label.setText(f"NEXT{when}  ·  LINE {cue.index + 1} OF {n}")
        self.line_label.setText(cue.text or NO_WORDS)
        self._set_line_style(muted=True)
        self.target_label.setText(target_chips_html(cue.targets))
        self.line_progress.setValue(0)
        self.meter.setValue(0)
        if state is None:
            self.detected_label.setText(f"<span style='color:{MUTED}'>—</span>")
            self.hint_label.setText("Press Start take when you are ready")
            self.hint_label.setStyleSheet(f"color:{MUTED}")
            self._show_next(None)

    def _show_scene(self, now: Cue | None, *, started: bool = False, finished: bool = False) -> None:
        """Every line of the script, small: played lines dimmed, the one now in bold."""
        if self.script is None:
            return
        index = len(self.script.cues) if finished else (now.index if now is not None else -1)
        key = (index, started)
        if key == self._scene_at:
            return
        self._scene_at = key
        rows = []
        cues = self.script.cues
        first = max(0, min(index - 2, len(cues) - SCENE_ROWS))
        shown = cues[first : first + SCENE_ROWS]
        if first > 0:
            rows.append(f"<tr><td></td><td colspan='3' style='color:#5f6670'>… {first} more</td></tr>")
        for cue in shown:
            colour = emotion_color_hex(cue.targets[0]) if cue.targets else MUTED
            if cue.index == index:
                style, mark = "color:#ffffff; font-weight:600", "▶"
            elif cue.index < index and started:
                style, mark = "color:#5f6670", "✓"
            else:
                style, mark = f"color:{MUTED}", "&nbsp;"
            when = f"{format_span(cue)} " if cue.timed else ""
            rows.append(
                f"<tr><td style='{style}; padding-right:4px'>{mark}</td>"
                f"<td style='{style}; padding-right:6px'>{cue.index + 1}</td>"
                f"<td style='color:{colour}; padding-right:6px'>{cue.target_label}</td>"
                f"<td style='{style}'>{_escape(cue.text or NO_WORDS)}"
                f"<span style='color:#5f6670'>&nbsp;&nbsp;{when}</span></td></tr>")
        rest = len(cues) - first - len(shown)
        if rest > 0:
            rows.append(f"<tr><td></td><td colspan='3' style='color:#5f6670'>… {rest} more</td></tr>")
        self.scene_label.setText(
            f"<div style='color:{MUTED}; font-size:8pt; letter-spacing:1px'>THE SCENE</div>"
            "<table cellspacing='0' cellpadding='1'>" + "".join(rows) + "</table>")

    def _set_line_style(self, *, muted: bool) -> None:
        self.line_label.setStyleSheet(f"color:{MUTED}" if muted else "color:#ffffff")

    def _show_hint(self, state: CueState) -> None:
        """One short cue: in face actions ("brows up", "let the jaw drop") when the face
        mesh reads the face, else in emotions ("more surprise"); never two at once."""
        hint = state.hint
        coach = state.coach if state.cue is not None and state.cue.scored else None
        if coach:
            on = coach == CUE_ON_TARGET
            self.hint_label.setText("✓ on target" if on else coach[:1].upper() + coach[1:])
            self.hint_label.setStyleSheet(f"color:{ON_TARGET_GREEN if on else HINT_AMBER}")
            return
        if hint == HINT_ON_TARGET:
            colour, text = ON_TARGET_GREEN, "✓ on target"
        elif hint == HINT_DONE:
            colour, text = ON_TARGET_GREEN, "Scene complete"
        elif hint == HINT_NO_FACE or state.cue is None:
            colour, text = MUTED, hint[:1].upper() + hint[1:]
        else:
            colour, text = HINT_AMBER, hint[:1].upper() + hint[1:]
        self.hint_label.setText(text)
        self.hint_label.setStyleSheet(f"color:{colour}")

    def _show_next(self, state: CueState | None) -> None:
        if self.script is None:
            return
        nxt = None
        if state is not None and state.cue is not None:
            nxt = state.next_cue
        elif state is None or not state.started:
            nxt = self.script.cues[1] if len(self.script.cues) > 1 else None
        if state is not None and state.finished:
            self.next_label.setText("")
            return
        if nxt is None:
            last = state is not None and state.cue is not None
            self.next_label.setText(
                f"<span style='color:{MUTED}'>Last line.</span>" if last else "")
            return
        when = ""
        if state is not None and state.cue is not None and self.script.timed:
            wait = state.time_to_next_ms
            if wait is not None:
                when = f" in {max(0, -(-wait // 1000))} s"
        elif self.teleprompter and self.phase == "take":
            when = " (Space)"
        text = nxt.text or NO_WORDS
        self.next_label.setText(
            f"<span style='color:{MUTED}'>NEXT{when}:</span> "
            f"{target_chips_html(nxt.targets, size='0.85em')} "
            f"<span style='color:#c8ccd2'>{_escape(text)}</span>")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


__all__ = [
    "ScriptPanel", "describe_script", "target_chips_html", "PHASES", "ADVANCE_KEYS",
]
