"""The main window's menus: File (open a file, a link, the demo, recent sources, the
takes folder, quit), View (mirror, how many seconds the curves show, emotion bars) and
Help (getting started, keyboard shortcuts, about). The rehearsal
adds its own actions to File and View (``Rehearsal.install_menus``)."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow

from acting_mirror.controllers.mirror import describe_spec
from acting_mirror.gui.preferences import PLOT_WINDOWS_S, Preferences
from acting_mirror.gui.voice_menu import install_voice_advance_menu
from acting_mirror.session.session import DEMO_SPEC


class MenuHost(Protocol):
    """What the menus call on the window."""

    prefs: Preferences

    def choose_file(self) -> None: ...
    def focus_url(self) -> None: ...
    def play_demo(self) -> None: ...
    def open_source(self, spec: str, *, loop: bool = False) -> None: ...
    def choose_takes_folder(self) -> None: ...
    def open_folder(self, folder: Path) -> None: ...
    def close(self) -> bool: ...
    def set_mirror(self, on: bool) -> None: ...
    def set_plot_window(self, seconds: int) -> None: ...
    def set_bars_visible(self, on: bool) -> None: ...
    def show_about(self) -> None: ...
    def show_shortcuts(self) -> None: ...
    def show_guide(self) -> None: ...


class WindowMenus:
    """Builds the menus of ``window`` (a QMainWindow that is a :class:`MenuHost`)."""

    def __init__(self, window: QMainWindow):
        self.window = window
        self.prefs = window.prefs
        bar = window.menuBar()
        self._build_file_menu(bar.addMenu("&File"))
        self._build_view_menu(bar.addMenu("&View"))
        help_menu = bar.addMenu("&Help")
        self.guide_action = QAction("&Getting started", window, shortcut=QKeySequence.StandardKey.HelpContents)
        self.guide_action.triggered.connect(window.show_guide)
        help_menu.addAction(self.guide_action)
        self.shortcuts_action = QAction("&Keyboard shortcuts", window)
        self.shortcuts_action.triggered.connect(window.show_shortcuts)
        help_menu.addAction(self.shortcuts_action)
        help_menu.addSeparator()
        about = QAction("&About Acting Mirror", window)
        about.triggered.connect(window.show_about)
        help_menu.addAction(about)
        self.rebuild_recent()

    def _build_file_menu(self, file_menu) -> None:
        w = self.window
        self.file_menu = file_menu
        self.open_file_action = QAction("&Open file…", w, shortcut=QKeySequence.StandardKey.Open)
        self.open_file_action.triggered.connect(w.choose_file)
        self.open_url_action = QAction("Open &URL…", w, shortcut=QKeySequence("Ctrl+L"))
        self.open_url_action.triggered.connect(w.focus_url)
        self.demo_action = QAction("Play the &demo clip", w, shortcut=QKeySequence("Ctrl+D"))
        self.demo_action.triggered.connect(w.play_demo)
        self.recent_menu = file_menu.addMenu("Open &recent")
        file_menu.insertAction(self.recent_menu.menuAction(), self.open_file_action)
        file_menu.insertAction(self.recent_menu.menuAction(), self.open_url_action)
        file_menu.addAction(self.demo_action)
        file_menu.addSeparator()
        self.takes_folder_action = QAction("Choose where takes are &saved…", w)
        self.takes_folder_action.triggered.connect(w.choose_takes_folder)
        file_menu.addAction(self.takes_folder_action)
        self.show_takes_action = QAction("Open the takes &folder", w)
        self.show_takes_action.triggered.connect(lambda: w.open_folder(self.prefs.takes_dir))
        file_menu.addAction(self.show_takes_action)
        self.reopen_script_action = QAction("Reopen the last script at start", w, checkable=True)
        self.reopen_script_action.setChecked(self.prefs.reopen_script)
        self.reopen_script_action.toggled.connect(
            lambda on: setattr(self.prefs, "reopen_script", on))
        file_menu.addAction(self.reopen_script_action)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", w, shortcut=QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(w.close)
        file_menu.addAction(quit_action)

    def _build_view_menu(self, view_menu) -> None:
        w = self.window
        self.view_menu = view_menu
        self.mirror_action = QAction("&Mirror the camera", w, checkable=True,
                                     shortcut=QKeySequence("Ctrl+M"))
        self.mirror_action.setChecked(self.prefs.mirror)
        self.mirror_action.toggled.connect(w.set_mirror)
        view_menu.addAction(self.mirror_action)
        window_menu = view_menu.addMenu("&Curves show the last…")
        group = QActionGroup(w)
        self.plot_window_actions: dict[int, QAction] = {}
        for seconds in PLOT_WINDOWS_S:
            action = QAction(f"{seconds} seconds", w, checkable=True)
            action.setChecked(seconds == self.prefs.plot_seconds)
            action.triggered.connect(lambda _=False, s=seconds: w.set_plot_window(s))
            group.addAction(action)
            window_menu.addAction(action)
            self.plot_window_actions[seconds] = action
        self.bars_action = QAction("Show emotion &bars", w, checkable=True)
        self.bars_action.setChecked(self.prefs.show_bars)
        self.bars_action.toggled.connect(w.set_bars_visible)
        view_menu.addAction(self.bars_action)
        self.detail_action = QAction("Read the &face detail (face mesh)", w, checkable=True)
        self.detail_action.setChecked(self.prefs.face_detail)
        self.detail_action.toggled.connect(w.set_face_detail)
        view_menu.addAction(self.detail_action)
        self.voice_action = QAction("Record my &voice with takes", w, checkable=True)
        self.voice_action.setChecked(self.prefs.record_voice)
        self.voice_action.toggled.connect(w.set_voice_recording)
        view_menu.addAction(self.voice_action)
        self.microphone_menu = view_menu.addMenu("Micro&phone")
        self.microphone_menu.aboutToShow.connect(self._fill_microphones)
        self.voice_advance_menu = install_voice_advance_menu(view_menu, w, self.prefs)
        self.mesh_action = QAction("Draw the face &mesh", w, checkable=True)
        self.mesh_action.setChecked(self.prefs.draw_mesh)
        self.mesh_action.toggled.connect(w.set_mesh_drawn)
        view_menu.addAction(self.mesh_action)

    def _fill_microphones(self) -> None:
        from acting_mirror.audio.recorder import devices

        menu, w = self.microphone_menu, self.window
        menu.clear()
        group = QActionGroup(menu)
        current = self.prefs.microphone
        for device, label in [(None, "The default input")] + [
                (d.id, d.description or d.id) for d in devices() if not d.monitor]:
            action = QAction(label, menu, checkable=True, checked=device == current)
            action.triggered.connect(lambda _=False, d=device: w.set_microphone(d))
            group.addAction(action)
            menu.addAction(action)

    def rebuild_recent(self) -> None:
        """Open recent: the sources opened last, newest first."""
        self.recent_menu.clear()
        recent = self.prefs.recent_sources
        for spec in recent:
            action = self.recent_menu.addAction(describe_spec(spec))
            action.setToolTip(spec)
            action.triggered.connect(
                lambda _=False, s=spec: self.window.open_source(s, loop=(s == DEMO_SPEC)))
        if recent:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear the list", self._clear_recent)
        self.recent_menu.setEnabled(bool(recent))

    def _clear_recent(self) -> None:
        self.prefs.clear_recent()
        self.rebuild_recent()


__all__ = ["WindowMenus", "MenuHost"]
