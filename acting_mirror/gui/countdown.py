"""The 3-2-1 before a take: a :class:`Countdown` (the clock) and a
:class:`CountdownOverlay` (the big number drawn over the video).

The countdown ticks once per second (``tick(3)``, ``tick(2)``, ``tick(1)``) and then emits
``started``: that is the moment the take, its recording and the script's clock begin
together. ``cancel()`` stops it quietly (``cancelled``).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QWidget

DEFAULT_SECONDS = 3
ACTION_TEXT = "Action!"
ACTION_SHOWN_MS = 700


class Countdown(QObject):
    """Counts ``seconds`` down to zero, one ``tick`` per ``interval_ms``, then ``started``."""

    tick = Signal(int)  # the number to show: seconds, ..., 1
    started = Signal()  # the count reached zero: action
    cancelled = Signal()

    def __init__(self, seconds: int = DEFAULT_SECONDS, interval_ms: int = 1000,
                 parent: QObject | None = None):
        super().__init__(parent)
        if seconds < 1:
            raise ValueError("a countdown needs at least one second")
        self.seconds = int(seconds)
        self._remaining = 0
        self._timer = QTimer(self)
        self._timer.setInterval(int(interval_ms))
        self._timer.timeout.connect(self._step)

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    @property
    def interval_ms(self) -> int:
        return self._timer.interval()

    def set_interval(self, ms: int) -> None:
        """The time between numbers (1000 ms in the app; tests count faster)."""
        self._timer.setInterval(int(ms))

    @property
    def remaining(self) -> int:
        """The number showing now (0 when not counting)."""
        return self._remaining if self.running else 0

    def start(self) -> None:
        """Start (or restart) from ``seconds``; the first ``tick`` is emitted at once."""
        self._remaining = self.seconds
        self._timer.start()
        self.tick.emit(self._remaining)

    def cancel(self) -> None:
        if self._timer.isActive():
            self._timer.stop()
            self._remaining = 0
            self.cancelled.emit()

    def _step(self) -> None:
        self._remaining -= 1
        if self._remaining > 0:
            self.tick.emit(self._remaining)
            return
        self._timer.stop()
        self.started.emit()


class CountdownOverlay(QWidget):
    """A translucent veil over ``target`` (e.g. the video view) with a big number in a
    ring and a caption under it (e.g. the first line to play). Follows ``target``'s
    size, ignores the mouse, and is hidden when idle.

    :meth:`attach` connects it to a :class:`Countdown`: numbers while counting,
    "Action!" for a moment when it ends, nothing when cancelled.
    """

    def __init__(self, target: QWidget):
        super().__init__(target)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self._text = ""
        self._caption = ""
        self._fraction = 1.0
        self._hide_timer = QTimer(self)
        self._hide_timer.setSingleShot(True)
        self._hide_timer.timeout.connect(self.dismiss)
        target.installEventFilter(self)
        self.setGeometry(target.rect())
        self.hide()

    # ---------------------------------------------------------------- content

    @property
    def text(self) -> str:
        return self._text if self.isVisible() else ""

    @property
    def caption(self) -> str:
        return self._caption

    def set_caption(self, caption: str) -> None:
        self._caption = caption
        self.update()

    def show_text(self, text: str, *, hide_after_ms: int | None = None) -> None:
        self._hide_timer.stop()
        self._text = text
        self.setGeometry(self.parentWidget().rect())
        self.raise_()
        self.show()
        self.update()
        if hide_after_ms:
            self._hide_timer.start(int(hide_after_ms))

    def dismiss(self) -> None:
        self._hide_timer.stop()
        self._text = ""
        self.hide()

    def attach(self, countdown: Countdown) -> None:
        countdown.tick.connect(lambda n: self.show_text(str(n)))
        countdown.started.connect(lambda: self.show_text(ACTION_TEXT, hide_after_ms=ACTION_SHOWN_MS))
        countdown.cancelled.connect(self.dismiss)

    # ---------------------------------------------------------------- Qt

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt name)
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.parentWidget().rect())
        return False

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt name)
        if not self._text:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(0, 0, 0, 110))
        side = min(self.width(), self.height())
        radius = side * 0.22
        cx, cy = self.width() / 2, self.height() / 2 - side * 0.04
        ring = QRectF(cx - radius, cy - radius, 2 * radius, 2 * radius)
        path = QPainterPath()
        path.addEllipse(ring)
        painter.fillPath(path, QColor(0, 0, 0, 150))
        painter.setPen(QPen(QColor("#ffb300"), max(3.0, side / 80)))
        painter.drawEllipse(ring)

        font = QFont(self.font())
        font.setBold(True)
        big = len(self._text) <= 2
        font.setPixelSize(max(12, int(radius * (1.2 if big else 0.42))))
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(ring, Qt.AlignmentFlag.AlignCenter, self._text)

        if self._caption:
            font.setBold(False)
            font.setPixelSize(max(12, int(side / 26)))
            painter.setFont(font)
            metrics = painter.fontMetrics()
            width = min(self.width() - 40, metrics.horizontalAdvance(self._caption) + 32)
            box = QRectF((self.width() - width) / 2, ring.bottom() + side * 0.05,
                         width, metrics.height() * 2.4)
            back = QPainterPath()
            back.addRoundedRect(box, 8, 8)
            painter.fillPath(back, QColor(0, 0, 0, 170))
            painter.setPen(QColor("#e8eaed"))
            painter.drawText(box.adjusted(12, 4, -12, -4),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                             self._caption)
        painter.end()


__all__ = ["Countdown", "CountdownOverlay", "DEFAULT_SECONDS", "ACTION_TEXT"]
