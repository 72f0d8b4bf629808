"""Windows that fit the screen, remember their size and close with Esc.

:func:`keep_geometry` sizes a window from what the settings remember for its ``key``
(else ``width`` x ``height``, shrunk to a small screen), always pulled back inside the
screen's available area, and saves the geometry again whenever the window is hidden or
closed. :func:`close_on_escape` makes Esc close a non-dialog window (a ``QDialog`` already
rejects on Esc).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

from acting_mirror.gui.preferences import open_settings

SCREEN_SHARE = 0.92
"""A new window takes at most this share of a screen that is smaller than it wants."""


def fit_rect(rect: QRect, available: QRect) -> QRect:
    """``rect`` made no larger than ``available`` and moved inside it."""
    width = min(rect.width(), available.width())
    height = min(rect.height(), available.height())
    x = min(max(rect.x(), available.x()), available.x() + available.width() - width)
    y = min(max(rect.y(), available.y()), available.y() + available.height() - height)
    return QRect(x, y, width, height)


def available_geometry(window: QWidget) -> QRect | None:
    screen = window.screen()
    if screen is None:
        return None
    available = screen.availableGeometry()
    return None if available.isEmpty() else available


def fit_inside_screen(window: QWidget) -> None:
    """Shrink and move ``window`` so all of it is on its screen."""
    available = available_geometry(window)
    if available is None:
        return
    fitted = fit_rect(window.geometry(), available)
    if fitted != window.geometry():
        window.setGeometry(fitted)


class _GeometryKeeper(QObject):
    """Saves ``window``'s geometry under ``key`` each time it is hidden or closed."""

    def __init__(self, window: QWidget, key: str):
        super().__init__(window)
        self.key = key
        window.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt name)
        if event.type() in (QEvent.Type.Close, QEvent.Type.Hide) and watched.isVisible():
            settings = open_settings()
            settings.setValue(f"windows/{self.key}", watched.saveGeometry())
            settings.sync()
        return False


def keep_geometry(window: QWidget, key: str, width: int, height: int) -> None:
    """See the module docstring."""
    saved = open_settings().value(f"windows/{key}")
    if saved is None or not window.restoreGeometry(saved):
        available = available_geometry(window)
        if available is not None:
            width = min(width, int(available.width() * SCREEN_SHARE))
            height = min(height, int(available.height() * SCREEN_SHARE))
        window.resize(max(width, window.minimumWidth()), max(height, window.minimumHeight()))
    fit_inside_screen(window)
    window._geometry_keeper = _GeometryKeeper(window, key)


def close_on_escape(window: QWidget) -> QShortcut:
    """Esc closes ``window`` (while it or one of its children has the focus)."""
    shortcut = QShortcut(QKeySequence(Qt.Key.Key_Escape), window)
    shortcut.activated.connect(window.close)
    return shortcut


__all__ = ["keep_geometry", "close_on_escape", "fit_rect", "fit_inside_screen", "SCREEN_SHARE"]
