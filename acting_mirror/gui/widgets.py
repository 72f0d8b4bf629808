"""The window's own widgets: the video view, the message banner and the empty state."""

from __future__ import annotations

import time
from typing import Callable

from PySide6.QtCore import QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from acting_mirror.controllers.mirror import NO_CAMERA, QuitChoice

RECORD_RED = "#e53935"


def fit_rect(image_size: QSize, area: QRect) -> QRect:
    """The largest rectangle of ``image_size``'s aspect ratio centred in ``area``."""
    if image_size.isEmpty() or area.isEmpty():
        return QRect(area)
    scaled = image_size.scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
    x = area.x() + (area.width() - scaled.width()) // 2
    y = area.y() + (area.height() - scaled.height()) // 2
    return QRect(x, y, scaled.width(), scaled.height())


class VideoView(QWidget):
    """Paints the newest annotated picture, scaled to fit, with a recording badge.

    Every callable in ``paint_observers`` is called as ``observer(latency_s)`` the first
    time each new picture is painted, with the time from its capture to now (the
    window's live figures and the live bench listen here). Every callable in
    ``size_observers`` is called as ``observer((width, height))`` with the view's size in
    device pixels whenever it changes, so a picture can be made at that size beforehand: one
    that already fits (within a pixel or two) is painted as it is, not rescaled.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 180)
        self._image: QImage | None = None
        self._captured_at: float | None = None
        self._badge: str | None = None
        self._badge_pixmap: tuple[tuple, QPixmap] | None = None  # (what it shows, the badge)
        self._note: str | None = None
        self.paint_observers: list[Callable[[float], None]] = []
        self.size_observers: list[Callable[[tuple[int, int]], None]] = []
        self.frames_shown = 0

    def device_size(self) -> tuple[int, int]:
        ratio = self.devicePixelRatioF()
        return (round(self.width() * ratio), round(self.height() * ratio))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().resizeEvent(event)
        size = self.device_size()
        for observer in self.size_observers:
            observer(size)

    def sizeHint(self) -> QSize:
        return QSize(960, 540)

    def show_image(self, image: QImage, captured_at: float | None = None) -> None:
        self._image = image
        self._captured_at = captured_at
        self.frames_shown += 1
        self.update()

    def clear(self) -> None:
        self._image = None
        self._captured_at = None
        self.update()

    @property
    def image(self) -> QImage | None:
        return self._image

    def set_badge(self, text: str | None) -> None:
        """The red recording badge (``None`` hides it)."""
        if text != self._badge:
            self._badge = text
            self.update()

    @property
    def note(self) -> str | None:
        return self._note

    def set_note(self, text: str | None) -> None:
        """A quiet line at the bottom of the picture, e.g. "Paused"."""
        if text != self._note:
            self._note = text
            self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt name)
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#0b0c0f"))
        picture = self.rect()
        if self._image is not None:
            picture = fit_rect(self._image.size(), self.rect())
            ratio = self.devicePixelRatioF()
            own = self._image.size()
            if (abs(picture.width() * ratio - own.width()) <= 2
                    and abs(picture.height() * ratio - own.height()) <= 2):
                # made to fit already (see size_observers): a copy, no rescale
                self._image.setDevicePixelRatio(ratio)
                painter.drawImage(picture.topLeft(), self._image)
            else:
                painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
                painter.drawImage(picture, self._image)
        if self._badge:
            self._paint_badge(painter, self._badge, picture)
        if self._note:
            self._paint_note(painter, self._note, picture)
        painter.end()
        if self._captured_at is not None:
            latency = time.perf_counter() - self._captured_at
            self._captured_at = None
            for observer in self.paint_observers:
                observer(latency)

    def _paint_badge(self, painter: QPainter, text: str, picture: QRect) -> None:
        """The badge, drawn once per text and size (it is painted with every frame)."""
        key = (text, self.height(), self.devicePixelRatioF(), self.font().key())
        if self._badge_pixmap is None or self._badge_pixmap[0] != key:
            self._badge_pixmap = (key, self._render_badge(text))
        painter.drawPixmap(picture.x() + 14, picture.y() + 14, self._badge_pixmap[1])

    def _render_badge(self, text: str) -> QPixmap:
        font = QFont(self.font())
        font.setPointSizeF(max(11.0, self.height() / 40))
        font.setBold(True)
        metrics = QFontMetrics(font)
        h = metrics.height() + 12
        dot = h - 16
        w = metrics.horizontalAdvance(text) + dot + 30
        ratio = self.devicePixelRatioF()
        pixmap = QPixmap(round(w * ratio), round(h * ratio))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setFont(font)
        box = QRectF(0, 0, w, h)
        path = QPainterPath()
        path.addRoundedRect(box, h / 2, h / 2)
        painter.fillPath(path, QColor(0, 0, 0, 170))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(RECORD_RED))
        painter.drawEllipse(QRectF(10, 8, dot, dot))
        painter.setPen(QPen(QColor("white")))
        painter.drawText(box.adjusted(dot + 18, 0, -10, 0),
                         Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text)
        painter.end()
        return pixmap

    def _paint_note(self, painter: QPainter, text: str, picture: QRect) -> None:
        font = QFont(self.font())
        font.setPointSizeF(max(11.0, self.height() / 36))
        painter.setFont(font)
        metrics = painter.fontMetrics()
        w = metrics.horizontalAdvance(text) + 28
        h = metrics.height() + 12
        box = QRectF(picture.x() + (picture.width() - w) / 2, picture.bottom() - h - 16, w, h)
        path = QPainterPath()
        path.addRoundedRect(box, 8, 8)
        painter.fillPath(path, QColor(0, 0, 0, 170))
        painter.setPen(QPen(QColor("white")))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)


class MessageBanner(QFrame):
    """A non-modal strip above the video for errors, warnings and news, with an optional
    action button (e.g. "Open folder") and a close button."""

    LEVEL_STYLES = {
        "info": ("#173224", "#7fd6a4"),
        "warning": ("#3a2f12", "#ffd26a"),
        "error": ("#3d1618", "#ff8a80"),
    }

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("banner")
        self.level: str | None = None
        self.about: str | None = None  # what the message concerns (see show_message)
        self.text_label = QLabel()
        self.text_label.setWordWrap(True)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.action_button = QPushButton()
        self.action_button.setVisible(False)
        self.second_button = QPushButton()  # a second choice ("Open folder" beside "Review")
        self.second_button.setVisible(False)
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setToolTip("Dismiss")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.dismiss)
        self._action: Callable[[], None] | None = None
        self._second: Callable[[], None] | None = None
        self.action_button.clicked.connect(self._run_action)
        self.second_button.clicked.connect(lambda: self._second() if self._second else None)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        layout.addWidget(self.text_label, 1)
        layout.addWidget(self.action_button)
        layout.addWidget(self.second_button)
        layout.addWidget(self.close_button)
        self.setVisible(False)

    @property
    def text(self) -> str:
        return self.text_label.text()

    def show_message(self, level: str, text: str, action_text: str | None = None,
                     action: Callable[[], None] | None = None, *, about: str | None = None,
                     second: tuple[str, Callable[[], None]] | None = None) -> None:
        """Show ``text``; ``about`` names what it concerns (e.g. ``"source"``), so that
        news on that subject can take it away (:meth:`dismiss_about`) and nothing else.
        ``second``: ``(text, action)`` of a second button."""
        background, foreground = self.LEVEL_STYLES[level]
        self.level = level
        self.about = about
        self.setStyleSheet(
            f"QFrame#banner {{ background: {background}; border: 1px solid {foreground};"
            f" border-radius: 6px; }} QFrame#banner QLabel {{ color: {foreground}; }}"
        )
        self.text_label.setText(text)
        self._action = action
        self.action_button.setVisible(action is not None)
        if action_text:
            self.action_button.setText(action_text)
        self._second = second[1] if second else None
        self.second_button.setVisible(second is not None)
        if second:
            self.second_button.setText(second[0])
        self.setVisible(True)

    def dismiss(self) -> None:
        self.level = None
        self.about = None
        self._action = None
        self._second = None
        self.setVisible(False)

    def dismiss_about(self, about: str) -> None:
        """Take the message away if it concerns ``about`` (it is out of date)."""
        if self.about == about:
            self.dismiss()

    def _run_action(self) -> None:
        if self._action is not None:
            self._action()


class EmptyState(QWidget):
    """Shown instead of the video when nothing plays (no camera here, or the source
    stopped): says why, and offers the demo clip, a file, or a web link."""

    demoRequested = Signal()
    openFileRequested = Signal()
    urlRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel()
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setFixedWidth(520)  # a wrapped label needs a width to know its height
        self.message.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Minimum)

        buttons, url_row = self._build_buttons()

        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(self.title)
        layout.addSpacing(8)
        layout.addWidget(self.message, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(20)
        layout.addLayout(buttons)
        layout.addSpacing(10)
        layout.addLayout(url_row)
        layout.addStretch(3)
        self.set_reason(*NO_CAMERA)

    def _build_buttons(self) -> tuple[QHBoxLayout, QHBoxLayout]:
        """The demo clip and a file; a link."""
        self.demo_button = QPushButton("▶  Play the demo clip")
        self.demo_button.setObjectName("primary")
        self.demo_button.setMinimumHeight(40)
        self.demo_button.clicked.connect(self.demoRequested)
        self.file_button = QPushButton("Open file…")
        self.file_button.setMinimumHeight(40)
        self.file_button.clicked.connect(self.openFileRequested)
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText("or paste a YouTube or video link")
        self.url_edit.setMinimumWidth(360)
        self.url_edit.setMinimumHeight(34)
        self.url_edit.returnPressed.connect(self._emit_url)
        self.url_button = QPushButton("Open link")
        self.url_button.setMinimumHeight(34)
        self.url_button.clicked.connect(self._emit_url)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.demo_button)
        buttons.addWidget(self.file_button)
        buttons.addStretch(1)
        url_row = QHBoxLayout()
        url_row.addStretch(1)
        url_row.addWidget(self.url_edit)
        url_row.addWidget(self.url_button)
        url_row.addStretch(1)
        return buttons, url_row

    def set_reason(self, title: str, message: str) -> None:
        self.title.setText(title)
        self.message.setText(message)

    def _emit_url(self) -> None:
        text = self.url_edit.text().strip()
        if text:
            self.urlRequested.emit(text)


def ask_quit_choice(parent: QWidget, title: str, question: tuple[str, str], *,
                    opened: Callable[[QMessageBox | None], None] = lambda _box: None) -> QuitChoice:
    """Ask what to do with the take being recorded: Stop and save / Discard / Cancel.
    ``opened(box)`` is told of the open question (and ``opened(None)`` once it is
    answered), so that the window can take it away when the take ends meanwhile (a
    question taken away answers Cancel)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, question[0],
                      QMessageBox.StandardButton.NoButton, parent)
    box.setInformativeText(question[1])
    save = box.addButton("Stop and save the take", QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(save)
    box.setEscapeButton(cancel)
    opened(box)
    try:
        box.exec()
    finally:
        opened(None)
    clicked = box.clickedButton()
    if clicked is save:
        return QuitChoice.SAVE
    return QuitChoice.DISCARD if clicked is discard else QuitChoice.CANCEL
