"""Float a widget over the top edge of another, so that showing it moves nothing.

The main window's message banner ("Take saved … Review this take · Open folder") floats
over the top of the video instead of pushing the picture down when it appears and back
up when it goes (:func:`float_over`)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRect
from PySide6.QtWidgets import QWidget

MARGIN = 6  # pixels between the floating widget and the edges it floats over


class _Follower(QObject):
    def __init__(self, floating: QWidget, target: QWidget):
        super().__init__(floating)
        self.floating, self.target = floating, target
        target.installEventFilter(self)
        floating.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt name)
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Move, QEvent.Type.Show,
                            QEvent.Type.LayoutRequest):
            self.place()
        return False

    def place(self) -> None:
        floating, target = self.floating, self.target
        if not floating.isVisible() or floating.parentWidget() is None:
            return
        width = max(0, target.width() - 2 * MARGIN)
        height = (floating.heightForWidth(width) if floating.hasHeightForWidth() else -1)
        height = max(height, floating.minimumSizeHint().height(), floating.sizeHint().height()
                     if height < 0 else 0)
        height = min(height, max(0, target.height() - 2 * MARGIN))
        top_left = target.mapTo(floating.parentWidget(), QPoint(MARGIN, MARGIN))
        floating.setGeometry(QRect(top_left.x(), top_left.y(), width, height))
        floating.raise_()


def float_over(floating: QWidget, target: QWidget) -> None:
    """Keep ``floating`` (a child of ``target``'s parent, in no layout) over the top of
    ``target``, as wide as it, as tall as its content needs, whenever it shows."""
    floating.setParent(target.parentWidget())
    follower = _Follower(floating, target)
    floating._overlay_follower = follower  # kept alive with the widget
    follower.place()


__all__ = ["float_over"]
