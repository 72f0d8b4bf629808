"""The rehearsal's line-learning, scene-partner and screenplay controls: View › Your lines
(in full, first letters, hidden), View › Rehearse (pace, a looped passage), View › Scene
partner (speak or not, voice, rate, spoken cues), and File › Import screenplay….

A mixin of :class:`~acting_mirror.gui.rehearsal.Rehearsal` (it uses its panel, controller,
window and preferences); the rules live in :mod:`acting_mirror.controllers.rehearsal` and
:mod:`acting_mirror.core.line_learning`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QFileDialog, QInputDialog

from acting_mirror.config import assets_dir
from acting_mirror.core.line_learning import LineDisplay, parse_passage
from acting_mirror.errors import ActingMirrorError
from acting_mirror.gui.import_screenplay import (
    SCREENPLAY_FILTER, ImportScreenplayDialog, open_screenplay,
)
from acting_mirror.gui.preferences import PARTNER_RATES


class RehearsalModes:
    """See the module docstring."""

    def _install_line_learning(self, view_menu) -> None:
        """View › Your lines (full, first letters, hidden; H reveals) and View › Rehearse
        (pace of a timed script; loop a passage of lines)."""
        w = self.window
        lines = view_menu.addMenu("Your &lines")
        group = QActionGroup(w)
        self.line_display_actions = {}
        for display, text in ((LineDisplay.FULL, "In &full"),
                              (LineDisplay.INITIALS, "&First letters only"),
                              (LineDisplay.HIDDEN, "&Hidden (H shows the line)")):
            action = QAction(text, w, checkable=True, checked=display is LineDisplay.FULL)
            action.triggered.connect(lambda _=False, d=display: self.panel.set_line_display(d))
            group.addAction(action)
            lines.addAction(action)
            self.line_display_actions[display] = action
        self.reveal_action = QAction("&Reveal the line", w, shortcut=QKeySequence("H"))
        self.reveal_action.triggered.connect(self.panel.reveal)
        lines.addSeparator()
        lines.addAction(self.reveal_action)
        w.addAction(self.reveal_action)
        rehearse = view_menu.addMenu("&Rehearse")
        pace_group = QActionGroup(w)
        self.pace_actions = {}
        for pace in (0.75, 1.0, 1.25, 1.5):
            action = QAction(f"Pace {pace:g}×" + (" (as written)" if pace == 1.0 else ""), w,
                             checkable=True, checked=pace == 1.0)
            action.triggered.connect(lambda _=False, x=pace: self.set_rehearsal(pace=x))
            pace_group.addAction(action)
            rehearse.addAction(action)
            self.pace_actions[pace] = action
        rehearse.addSeparator()
        self.loop_action = QAction("&Loop some lines…", w)
        self.loop_action.triggered.connect(self.choose_passage)
        self.whole_action = QAction("Rehearse the &whole script", w)
        self.whole_action.triggered.connect(lambda: self.set_rehearsal(passage=None, loop=False))
        rehearse.addActions([self.loop_action, self.whole_action])
        self._idle_actions += [self.loop_action, self.whole_action, *self.pace_actions.values()]
        self._install_partner_menu(view_menu)

    def _install_partner_menu(self, view_menu) -> None:
        """View › Scene partner: speak the partner's lines or not, the voice, the rate
        (they apply to the next script loaded)."""
        w, prefs = self.window, self._prefs
        menu = view_menu.addMenu("Scene &partner")
        self.partner_speaks_action = QAction("&Speak the partner's lines", w, checkable=True,
                                             checked=prefs.partner_speaks)
        self.partner_speaks_action.toggled.connect(self._partner_speaks_toggled)
        menu.addAction(self.partner_speaks_action)
        self.spoken_cues_action = QAction("Spoken &cues between lines (\"good\", \"again\")", w,
                                          checkable=True, checked=prefs.spoken_cues)
        self.spoken_cues_action.toggled.connect(self._spoken_cues_toggled)
        self.controller.spoken_cues = prefs.spoken_cues
        menu.addAction(self.spoken_cues_action)
        self.voice_menu = menu.addMenu("&Voice")
        self.voice_menu.aboutToShow.connect(self._fill_voice_menu)
        rates = menu.addMenu("&Rate")
        group = QActionGroup(w)
        self.rate_actions = {}
        for rate, label in zip(PARTNER_RATES, ("&Slow", "&Normal", "&Quick")):
            action = QAction(f"{label} ({rate} words a minute)", w, checkable=True,
                             checked=rate == prefs.partner_rate)
            action.triggered.connect(lambda _=False, r=rate: self._partner_changed(rate=r))
            group.addAction(action)
            rates.addAction(action)
            self.rate_actions[rate] = action

    def _fill_voice_menu(self) -> None:
        from acting_mirror.audio import speech

        self.voice_menu.clear()
        group = QActionGroup(self.voice_menu)
        current = self._prefs.partner_voice
        choices = [(None, "The speech program's default")]
        try:
            choices += [(v.id, f"{v.name} ({v.language})") for v in speech.voices()]
        except ActingMirrorError as exc:
            self.voice_menu.addAction(str(exc)).setEnabled(False)
        for voice, label in choices:
            action = QAction(label, self.voice_menu, checkable=True, checked=voice == current)
            action.triggered.connect(lambda _=False, v=voice: self._partner_changed(voice=v))
            group.addAction(action)
            self.voice_menu.addAction(action)

    def _spoken_cues_toggled(self, on: bool) -> None:
        self._prefs.spoken_cues = on
        self.controller.spoken_cues = on
        self._partner_changed()

    def _partner_speaks_toggled(self, on: bool) -> None:
        self._prefs.partner_speaks = on
        self._partner_changed()

    def _partner_changed(self, **changes) -> None:
        if "rate" in changes:
            self._prefs.partner_rate = changes["rate"]
        if "voice" in changes:
            self._prefs.partner_voice = changes["voice"]
        if self.controller.loaded is not None and self.controller.can_change_script:
            self.set_rehearsal()  # the script again, with the partner as now chosen

    def set_rehearsal(self, **changes) -> bool:
        """Pace, passage or loop changed: the panel and the session follow the lines played."""
        if not self.controller.set_rehearsal(**changes):
            return False
        self._show_script()
        for pace, action in self.pace_actions.items():
            action.setChecked(pace == self.controller.pace)
        if self.controller.passage is not None:
            first, last = self.controller.passage
            self.window.statusBar().showMessage(
                f"Rehearsing lines {first + 1}-{last + 1}"
                + (", take after take" if self.controller.loop else ""), 6000)
        return True

    def choose_screenplay(self) -> None:
        """File › Import screenplay…: pick a Fountain or Final Draft file and a character,
        check the targets, save the script, and rehearse it."""
        path, _ = QFileDialog.getOpenFileName(self.window, "Import a screenplay",
                                              str(assets_dir()), SCREENPLAY_FILTER)
        if path:
            self.import_screenplay(Path(path))

    def import_screenplay(self, path: Path) -> ImportScreenplayDialog | None:
        try:
            play = open_screenplay(path)
        except ActingMirrorError as exc:
            self.window.banner.show_message("error", str(exc))
            return None
        if not play.characters():
            self.window.banner.show_message("error", f"{path.name} has no dialogue to rehearse.")
            return None
        dialog = ImportScreenplayDialog(play, self.window, save_dir=path.parent)
        dialog.accepted.connect(lambda: dialog.saved and self.load_script_file(dialog.saved))
        dialog.open()
        self.import_dialog = dialog
        return dialog

    def choose_passage(self) -> None:
        """Ask which lines to loop (e.g. "3-5"); each take of them is a take in the library."""
        loaded = self.controller.loaded
        if loaded is None:
            self.window.banner.show_message("info", "Open a script first, then choose its lines.")
            return
        n = len(loaded.cues)
        text, ok = QInputDialog.getText(
            self.window, "Loop some lines", f"Lines to rehearse again and again (1-{n}), "
            "e.g. 3-5:", text=f"1-{min(n, 3)}")
        if not ok:
            return
        passage = parse_passage(text, n)
        if passage is None:
            self.window.banner.show_message("error", f"Give the lines as FIRST-LAST between 1 "
                                            f"and {n}, e.g. 2-4 (you wrote {text!r}).")
            return
        self.set_rehearsal(passage=passage, loop=True)
