"""run_app: the QApplication, the look, and the main window."""

from __future__ import annotations

import logging
import signal
import sys
from pathlib import Path

import cv2
from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from acting_mirror.gui.preferences import APPLICATION, ORGANIZATION

_STYLE = """
QPushButton { padding: 5px 12px; border-radius: 5px; background: #2f333b;
              border: 1px solid #4a4f59; }
QPushButton:hover { background: #3a3f48; }
QPushButton:pressed { background: #25282e; }
QPushButton:disabled { color: #6b7079; border-color: #3a3d44; }
QToolButton { padding: 4px 8px; border-radius: 5px; background: #2f333b;
              border: 1px solid #4a4f59; }
QToolButton:hover { background: #3a3f48; }
QToolButton:checked { background: #24405f; border-color: #3d7bd9; }
QPushButton#record { font-weight: bold; color: white; background: #b71c1c;
                     border: 1px solid #e53935; }
QPushButton#record:hover { background: #c62828; }
QPushButton#record:checked { background: #e53935; }
QPushButton#record:disabled { background: #2b2d31; color: #6b7079; border-color: #3a3d44; }
QPushButton#primary { font-weight: bold; background: #2e7d5b; border: 1px solid #43a077;
                      color: white; padding: 6px 18px; }
QPushButton#primary:disabled { background: #25352e; border: 1px solid #34453d; color: #7d8a84; }
QStatusBar QLabel { padding: 0 6px; }
"""


_LIGHT_STYLE = """
QPushButton { padding: 5px 12px; border-radius: 5px; background: #f4f5f7;
              border: 1px solid #b9bec7; }
QPushButton:hover { background: #e8eaee; }
QPushButton:pressed { background: #d9dce2; }
QPushButton:disabled { color: #9aa0a8; border-color: #d3d6db; }
QToolButton { padding: 4px 8px; border-radius: 5px; background: #f4f5f7;
              border: 1px solid #b9bec7; }
QToolButton:hover { background: #e8eaee; }
QToolButton:checked { background: #d6e4fa; border-color: #3d7bd9; }
QPushButton#record { font-weight: bold; color: white; background: #c62828;
                     border: 1px solid #b71c1c; }
QPushButton#record:hover { background: #d32f2f; }
QPushButton#record:checked { background: #e53935; }
QPushButton#record:disabled { background: #eceef1; color: #9aa0a8; border-color: #d3d6db; }
QPushButton#primary { font-weight: bold; background: #2e7d5b; border: 1px solid #256b4d;
                      color: white; padding: 6px 18px; }
QPushButton#primary:disabled { background: #dfe9e4; border: 1px solid #c6d6ce; color: #8a9a92; }
QStatusBar QLabel { padding: 0 6px; }
"""


def theme_for(scheme) -> str:
    """``"light"`` when the system says it is light, else ``"dark"`` (also when it says
    nothing: ``Qt.ColorScheme.Unknown``)."""
    from PySide6.QtCore import Qt

    return "light" if scheme == Qt.ColorScheme.Light else "dark"


def apply_theme(app: QApplication, theme: str | None = None) -> str:
    """Fusion in the system's light or dark scheme (dark where the system says nothing:
    the picture and the coloured curves stand out); follows the system when it changes.
    Returns the theme applied."""
    hints = app.styleHints()
    if theme is None:
        theme = theme_for(hints.colorScheme() if hasattr(hints, "colorScheme") else None)
        if hasattr(hints, "colorSchemeChanged") and not getattr(app, "_am_follows_scheme", False):
            hints.colorSchemeChanged.connect(lambda scheme: apply_theme(app, theme_for(scheme)))
            app._am_follows_scheme = True
    app.setStyle("Fusion")
    app.theme = theme
    if theme == "light":
        app.setPalette(app.style().standardPalette())
        app.setStyleSheet(_LIGHT_STYLE)
        return theme
    palette = QPalette()
    base, window, text = QColor("#1b1d22"), QColor("#23262d"), QColor("#e8eaed")
    palette.setColor(QPalette.ColorRole.Window, window)
    palette.setColor(QPalette.ColorRole.WindowText, text)
    palette.setColor(QPalette.ColorRole.Base, base)
    palette.setColor(QPalette.ColorRole.AlternateBase, window)
    palette.setColor(QPalette.ColorRole.ToolTipBase, QColor("#2d3139"))
    palette.setColor(QPalette.ColorRole.ToolTipText, text)
    palette.setColor(QPalette.ColorRole.Text, text)
    palette.setColor(QPalette.ColorRole.Button, QColor("#2d3139"))
    palette.setColor(QPalette.ColorRole.ButtonText, text)
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#3d7bd9"))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("white"))
    palette.setColor(QPalette.ColorRole.Link, QColor("#8ab4f8"))
    palette.setColor(QPalette.ColorRole.PlaceholderText, QColor("#8a9099"))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText,
                 QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6b7079"))
    app.setPalette(palette)
    app.setStyleSheet(_STYLE)
    return theme


def make_application(argv: list[str] | None = None) -> QApplication:
    # The live pipeline's own threads (camera, analysis, full-frame detection, encoder)
    # already keep the cores busy; OpenCV's thread pool would split each small search into
    # chunks that then wait for a busy core. One OpenCV thread cut the 95th-percentile
    # latency with 20 faces from 44 to 28 ms on 2 cores (docs/performance.md).
    cv2.setNumThreads(1)
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(APPLICATION)
    return app


def run_app(
    *,
    source: str | None = None,
    script: Path | None = None,
    detector: str | None = None,
    stats_interval_s: float | None = None,
    services,
    on_window=None,
    model: Path | None = None,
) -> int:
    """Open the main window and run until it closes; returns the exit status.
    ``on_window(window)`` is called once the window exists (a documented hook)."""
    import pyqtgraph as pg

    from acting_mirror.gui.compat import check_qt_binding

    check_qt_binding()
    app = make_application()
    apply_theme(app)
    pg.setConfigOptions(antialias=True)
    from acting_mirror.gui.main_window import MainWindow

    window = MainWindow(source=source, script=script, detector=detector,
                        stats_interval_s=stats_interval_s, services=services, model=model)
    if on_window is not None:
        on_window(window)
    window.show()
    QTimer.singleShot(0, window.start)

    # Ctrl+C, a polite kill or a closed terminal closes the window without asking,
    # keeping any take (marked incomplete); the app quits when the window has closed
    window.closed.connect(app.quit)
    for signum in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if signum is not None:
            signal.signal(signum, lambda *_: window.quit_now())
    try:
        return _exec(app)
    finally:
        window.shutdown()
        logging.getLogger(__name__).debug("Acting Mirror closed.")


def _exec(app) -> int:
    """``app.exec()``, with a heartbeat that lets Python run its signal handlers while Qt
    waits."""
    heartbeat = QTimer()
    heartbeat.start(250)
    heartbeat.timeout.connect(lambda: None)
    try:
        return int(app.exec())
    finally:
        heartbeat.stop()


def run_review(take: Path, *others: Path | None, on_window=None) -> int:
    """Open the review of ``take`` (or, with ``others``, the comparison of them all) and
    run until it closes; ScriptError/SourceError (one sentence) when they cannot be opened.
    ``on_window(window)`` is called once the window exists."""
    import pyqtgraph as pg

    from acting_mirror.config import user_data_dir
    from acting_mirror.core.calibration import ProfileStore
    from acting_mirror.gui.compat import check_qt_binding

    check_qt_binding()
    app = make_application()
    apply_theme(app)
    pg.setConfigOptions(antialias=True)
    profiles = ProfileStore(user_data_dir())
    others = tuple(other for other in others if other is not None)
    if not others:
        from acting_mirror.gui.review import ReviewWindow

        window = ReviewWindow(take, profiles=profiles)
    else:
        from acting_mirror.gui.compare import CompareWindow

        window = CompareWindow(take, *others, profiles=profiles)
    if on_window is not None:
        on_window(window)
    window.closed.connect(app.quit)
    window.show()
    previous = {signum: signal.signal(signum, lambda *_: window.close())
                for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        return _exec(app)
    finally:
        window.shutdown()
        window.deleteLater()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
