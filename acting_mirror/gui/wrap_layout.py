"""WrapLayout: a bar of widgets that wraps onto a second row instead of squeezing them.

Each item keeps at least its size hint (so a combo box, a field or a label always shows
its full text); when the row is too narrow the next item starts a new row. Items added
with ``stretch=True`` share a row's spare width (the link field, the "what is playing"
line). The main window's source and transport bars use it (:mod:`gui.window_bars`).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QSizePolicy, QWidget


class WrapLayout(QLayout):
    """See the module docstring. ``spacing`` between items and rows, in pixels."""

    def __init__(self, parent: QWidget | None = None, *, spacing: int = 6):
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._stretch: set[int] = set()  # id() of the items that share the spare width
        self._gap_before: dict[int, int] = {}  # id() of an item -> extra space before it
        self.setSpacing(spacing)
        self.setContentsMargins(0, 0, 0, 0)

    # ---------------------------------------------------------------- building

    def add(self, widget: QWidget, *, stretch: bool = False, gap: int = 0) -> QWidget:
        """Add ``widget``; ``stretch``: it takes its row's spare width; ``gap``: extra
        pixels before it when it is not the first of its row."""
        self.addWidget(widget)
        item = self._items[-1]
        if stretch:
            self._stretch.add(id(item))
        if gap:
            self._gap_before[id(item)] = gap
        return widget

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 (Qt name)
        self._items.append(item)
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 (Qt name)
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 (Qt name)
        if not 0 <= index < len(self._items):
            return None
        item = self._items.pop(index)
        self._stretch.discard(id(item))
        self._gap_before.pop(id(item), None)
        self.invalidate()
        return item

    # ---------------------------------------------------------------- sizes

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 (Qt name)
        return Qt.Orientation.Horizontal

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt name)
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt name)
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt name)
        """Everything on one row."""
        shown = self._shown()
        width = sum(self._hint(item).width() for item in shown)
        width += sum(self.spacing() + self._gap_before.get(id(item), 0) for item in shown[1:])
        height = max((self._hint(item).height() for item in shown), default=0)
        m = self.contentsMargins()
        return QSize(width + m.left() + m.right(), height + m.top() + m.bottom())

    def minimumSize(self) -> QSize:  # noqa: N802 (Qt name)
        """As wide as the widest item (the others wrap under it)."""
        shown = self._shown()
        width = max((self._hint(item).width() for item in shown), default=0)
        height = max((self._hint(item).height() for item in shown), default=0)
        m = self.contentsMargins()
        return QSize(width + m.left() + m.right(), height + m.top() + m.bottom())

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 (Qt name)
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    # ---------------------------------------------------------------- placing

    def _shown(self) -> list[QLayoutItem]:
        return [item for item in self._items if not item.isEmpty()]

    @staticmethod
    def _hint(item: QLayoutItem) -> QSize:
        hint = item.sizeHint().expandedTo(item.minimumSize())
        widget = item.widget()
        if widget is not None:
            hint = hint.expandedTo(widget.minimumSizeHint()).expandedTo(widget.minimumSize())
        return hint

    def rows(self, width: int) -> list[list[QLayoutItem]]:
        """The items shown, row by row, for a bar ``width`` pixels wide (margins
        included)."""
        m = self.contentsMargins()
        inner = width - m.left() - m.right()
        rows: list[list[QLayoutItem]] = []
        x = 0
        for item in self._shown():
            w = self._hint(item).width()
            gap = self.spacing() + self._gap_before.get(id(item), 0)
            if rows and rows[-1] and x + gap + w <= inner:
                rows[-1].append(item)
                x += gap + w
            else:
                rows.append([item])
                x = w
        return rows

    def _arrange(self, rect: QRect, *, apply: bool) -> int:
        m = self.contentsMargins()
        inner = rect.width() - m.left() - m.right()
        y = rect.y() + m.top()
        for row in self.rows(rect.width()):
            hints = [self._hint(item) for item in row]
            height = max(h.height() for h in hints)
            gaps = [0] + [self.spacing() + self._gap_before.get(id(item), 0) for item in row[1:]]
            spare = max(0, inner - sum(h.width() for h in hints) - sum(gaps))
            stretchers = [i for i, item in enumerate(row) if id(item) in self._stretch]
            extra = [0] * len(row)
            for n, i in enumerate(stretchers):  # the spare width, shared
                extra[i] = spare // len(stretchers) + (1 if n < spare % len(stretchers) else 0)
            x = rect.x() + m.left()
            for item, hint, gap, more in zip(row, hints, gaps, extra):
                x += gap
                if apply:
                    h = height if _grows_vertically(item) else min(hint.height(), height)
                    top = y + (height - h) // 2
                    item.setGeometry(QRect(QPoint(x, top), QSize(hint.width() + more, h)))
                x += hint.width() + more
            y += height + self.spacing()
        return y - self.spacing() - rect.y() + m.bottom() if self._shown() else m.top() + m.bottom()


def _grows_vertically(item: QLayoutItem) -> bool:
    widget = item.widget()
    if widget is None:
        return False
    return widget.sizePolicy().verticalPolicy() in (QSizePolicy.Policy.Expanding,
                                                     QSizePolicy.Policy.MinimumExpanding)


__all__ = ["WrapLayout"]
