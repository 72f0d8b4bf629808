"""The takes library: every take in the takes folder, grouped by the script it was played
to (same script content, same group, whatever the file was called), with date, length
and score, so progress over attempts shows; open one for review, show it in the file
manager, or delete it (to the trash when the system has one). What a take folder holds
and how takes group is :mod:`acting_mirror.core.take_catalog`; "Analyse a video…" is
:mod:`acting_mirror.gui.video_analysis`.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QFile, QRectF, QSize, Qt, QUrl, Signal
from PySide6.QtGui import (
    QBrush, QColor, QDesktopServices, QIcon, QKeySequence, QPainter, QPen, QPixmap, QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from acting_mirror.controllers.compare import MAX_TAKES
from acting_mirror.core.take_catalog import (
    UNSCRIPTED, TakeGroup, TakeMeta, group_takes, read_take_meta, scan_takes, write_take_meta,
)
from acting_mirror.errors import ActingMirrorError
from acting_mirror.gui.report_view import score_colour
from acting_mirror.gui.window_memory import close_on_escape, keep_geometry

log = logging.getLogger(__name__)


# ----------------------------------------------------------------------------- data


def sparkline(scores: list[float], size: QSize = QSize(96, 22)) -> QPixmap:
    """A small score-over-attempts line (0..100%), the last point marked."""
    pixmap = QPixmap(size)
    pixmap.fill(Qt.GlobalColor.transparent)
    if not scores:
        return pixmap
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    w, h = size.width() - 6, size.height() - 6
    painter.setPen(QPen(QColor("#3a3f48"), 1))
    painter.drawLine(3, 3 + h, 3 + w, 3 + h)
    n = len(scores)
    points = [(3 + (w * i / (n - 1) if n > 1 else w / 2), 3 + h * (1 - s)) for i, s in enumerate(scores)]
    painter.setPen(QPen(QColor("#8ab4f8"), 1.6))
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        painter.drawLine(int(x0), int(y0), int(x1), int(y1))
    x, y = points[-1]
    painter.setBrush(QBrush(QColor(score_colour(scores[-1]))))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(QRectF(x - 3, y - 3, 6, 6))
    painter.end()
    return pixmap


def move_to_trash_or_delete(folder: Path, *, allow_delete: Callable[[], bool]) -> str:
    """Move ``folder`` to the system trash; when there is none, delete it for good if
    ``allow_delete()`` says so. Returns "trash", "deleted" or "kept"."""
    if QFile.moveToTrash(str(folder)):
        return "trash"
    if not allow_delete():
        return "kept"
    shutil.rmtree(folder)
    return "deleted"


# ----------------------------------------------------------------------------- window

ROLE_FOLDER = Qt.ItemDataRole.UserRole
ROLE_GROUP = Qt.ItemDataRole.UserRole + 1  # the script group a take belongs to
COLUMNS = ("Take", "Date", "Length", "Score", "Progress")
COMPARE_TIP = (f"Select two to {MAX_TAKES} takes of the same script (Ctrl+click) to see them "
               "side by side, the oldest as the reference")


class TakesLibrary(QWidget):
    """See the module docstring. ``confirm(title, text) -> bool`` asks before deleting
    (a message box by default; tests pass their own)."""

    openRequested = Signal(Path)  # review this take
    compareRequested = Signal(list)  # compare these 2-4 takes (list of Path, oldest first)
    analyseRequested = Signal()  # "Analyse a video…"

    def __init__(self, takes_root: Path, *, confirm: Callable[[str, str], bool] | None = None,
                 ask_meta: Callable[[TakeMeta], TakeMeta | None] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._ask_meta = ask_meta or self._ask_name_and_note
        self.setWindowFlag(Qt.WindowType.Window)
        self.setWindowTitle("Takes library")
        self.takes_root = Path(takes_root)
        self._confirm = confirm or self._ask
        self.groups: list[TakeGroup] = []

        self.folder_label = QLabel()
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        refresh = QPushButton("Refresh")
        refresh.clicked.connect(self.refresh)
        head = QHBoxLayout()
        head.addWidget(self.folder_label, 1)
        head.addWidget(refresh)

        self._build_tree()
        self.empty_label = QLabel()
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet("color:#9aa3ad")
        self.selection_label = QLabel()  # why the selected takes cannot be compared
        self.selection_label.setWordWrap(True)
        self.selection_label.setStyleSheet("color:#ffca28")
        self.selection_label.setVisible(False)

        buttons = self._build_buttons()

        close = QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self)
        close.activated.connect(self.close)
        review = QShortcut(QKeySequence(Qt.Key.Key_Return), self.tree)
        review.setContext(Qt.ShortcutContext.WidgetShortcut)
        review.activated.connect(self.open_selected)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.selection_label)
        layout.addLayout(buttons)
        close_on_escape(self)
        keep_geometry(self, "library", 900, 600)
        self.refresh()

    def _build_tree(self) -> None:
        """Scripts at the top level, their takes (newest first) under them."""
        self.tree = QTreeWidget()
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(COLUMNS)
        # two to four takes (Ctrl+click) can be compared
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setIconSize(QSize(96, 22))
        self.tree.setUniformRowHeights(False)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, len(COLUMNS)):
            self.tree.header().setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemDoubleClicked.connect(self._double_clicked)
        self.tree.itemSelectionChanged.connect(self._selection_changed)

    def _build_buttons(self) -> QHBoxLayout:
        self.open_button = QPushButton("Review")
        self.open_button.setToolTip("Watch the take with its curves, script and report (Enter)")
        self.open_button.clicked.connect(self.open_selected)
        self.reveal_button = QPushButton("Show in folder")
        self.reveal_button.clicked.connect(self.reveal_selected)
        self.delete_button = QPushButton("Delete…")
        self.delete_button.clicked.connect(self.delete_selected)
        self.compare_button = QPushButton("Compare")
        self.compare_button.setToolTip(COMPARE_TIP)
        self.compare_button.clicked.connect(self.compare_selected)
        self.rename_button = QPushButton("Name and note…")
        self.rename_button.setToolTip("Give the take a name and a note (kept in its folder)")
        self.rename_button.clicked.connect(lambda: self.rename_selected())
        self.analyse_button = QPushButton("Analyse a video…")
        self.analyse_button.setToolTip("Analyse any recorded video (e.g. from a phone) into a new take")
        self.analyse_button.clicked.connect(self.analyseRequested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.compare_button)
        buttons.addWidget(self.rename_button)
        buttons.addWidget(self.reveal_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        buttons.addWidget(self.analyse_button)
        return buttons

    # ---------------------------------------------------------------- content

    def set_takes_root(self, root: Path) -> None:
        self.takes_root = Path(root)
        self.refresh()

    def refresh(self) -> None:
        selected = self.selected_folder()
        self.folder_label.setText(f"Takes in <b>{self.takes_root}</b>")
        entries = scan_takes(self.takes_root)
        self._created = {e.folder: (e.created.timestamp() if e.created else 0.0) for e in entries}
        self.groups = group_takes(entries)
        self.tree.clear()
        for group in self.groups:
            n = len(group.takes)
            top = QTreeWidgetItem([group.name, f"{n} take" + ("s" if n != 1 else ""), "", "", ""])
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            if group.scores:
                best, last = group.best, group.latest_score
                top.setText(3, f"last {round(100 * last)}% · best {round(100 * best)}%")
                top.setForeground(3, QBrush(QColor(score_colour(last))))
                top.setIcon(4, QIcon(sparkline(group.scores)))
                top.setToolTip(4, "Score over attempts: " + " → ".join(
                    f"{round(100 * s)}%" for s in group.scores))
            top.setFlags(top.flags() & ~Qt.ItemFlag.ItemIsSelectable)
            self.tree.addTopLevelItem(top)
            for take in reversed(group.takes):  # newest first
                child = QTreeWidgetItem([take.label, take.when, take.length, take.score_text, ""])
                child.setData(0, ROLE_FOLDER, str(take.folder))
                child.setData(0, ROLE_GROUP, group.key or group.name)
                child.setToolTip(0, str(take.folder) + (f"\nfrom {take.source}" if take.source else "")
                                 + (f"\n\n{take.note}" if take.note else ""))
                if take.score is not None:
                    child.setForeground(3, QBrush(QColor(score_colour(take.score))))
                top.addChild(child)
                if selected is not None and take.folder == selected:
                    child.setSelected(True)
            top.setExpanded(True)
        has_takes = any(g.takes for g in self.groups)
        self.empty_label.setVisible(not has_takes)
        self.empty_label.setText(
            "No takes yet. Record one in the main window (Ctrl+R, or Start take with a "
            "script), or analyse a video you already have.")
        self._selection_changed()

    # ---------------------------------------------------------------- selection

    def take_items(self) -> list[QTreeWidgetItem]:
        items = []
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            items.extend(top.child(j) for j in range(top.childCount()))
        return items

    def select_folder(self, folder: Path) -> bool:
        for item in self.take_items():
            if Path(item.data(0, ROLE_FOLDER)) == Path(folder):
                self.tree.setCurrentItem(item)
                item.setSelected(True)
                return True
        return False

    def selected_folder(self) -> Path | None:
        items = self.tree.selectedItems() if hasattr(self, "tree") else []
        for item in items:
            data = item.data(0, ROLE_FOLDER)
            if data:
                return Path(data)
        return None

    def selected_folders(self) -> list[Path]:
        return [Path(item.data(0, ROLE_FOLDER)) for item in self.tree.selectedItems()
                if item.data(0, ROLE_FOLDER)]

    def comparable(self) -> list[Path] | None:
        """The selected takes, oldest first, when there are two to four of one script."""
        return self._comparable()[0]

    def comparable_pair(self) -> tuple[Path, Path] | None:
        """The two selected takes, older first, when they are of the same script."""
        chosen = self.comparable()
        return (chosen[0], chosen[1]) if chosen is not None and len(chosen) == 2 else None

    def _comparable(self) -> tuple[list[Path] | None, str]:
        """The takes to compare (or ``None``) and what to say about the selection."""
        items = [i for i in self.tree.selectedItems() if i.data(0, ROLE_FOLDER)]
        if len(items) < 2:
            return None, ""
        if len({i.data(0, ROLE_GROUP) for i in items}) > 1:
            return None, ("These takes follow different scripts: select takes of one script "
                          "to compare them.")
        if items[0].parent() is None or items[0].parent().text(0) == UNSCRIPTED:
            return None, ("Takes without a script have no lines to compare: rehearse a script "
                          "to compare takes of it.")
        if len(items) > MAX_TAKES:
            return None, f"Compare up to {MAX_TAKES} takes at a time ({len(items)} are selected)."
        chosen = sorted((Path(i.data(0, ROLE_FOLDER)) for i in items),
                        key=lambda f: self._created.get(f, 0.0))
        return chosen, ""

    def _selection_changed(self) -> None:
        one = len(self.selected_folders()) == 1
        for button in (self.open_button, self.reveal_button, self.delete_button,
                       self.rename_button):
            button.setEnabled(one)
        chosen, why_not = self._comparable()
        self.compare_button.setEnabled(chosen is not None)
        self.compare_button.setText(f"Compare {len(chosen)}" if chosen and len(chosen) > 2
                                    else "Compare")
        self.selection_label.setText(why_not)
        self.selection_label.setVisible(bool(why_not))

    def compare_selected(self) -> None:
        chosen = self.comparable()
        if chosen is not None:
            self.compareRequested.emit(chosen)

    def rename_selected(self, meta: TakeMeta | None = None) -> TakeMeta | None:
        """Give the selected take a name and note (``meta``, else asked); the new ones."""
        folder = self.selected_folder()
        if folder is None:
            return None
        if meta is None:
            meta = self._ask_meta(read_take_meta(folder))
            if meta is None:
                return None
        try:
            saved = write_take_meta(folder, meta.name, meta.note)
        except ActingMirrorError as exc:
            self.empty_label.setText(str(exc))
            self.empty_label.setVisible(True)
            return None
        self.refresh()
        return saved

    def _ask_name_and_note(self, meta: TakeMeta) -> TakeMeta | None:
        from PySide6.QtWidgets import QInputDialog

        name, ok = QInputDialog.getText(self, "Name this take", "Name:", text=meta.name)
        if not ok:
            return None
        note, ok = QInputDialog.getMultiLineText(self, "A note on this take", "Note:", meta.note)
        return TakeMeta(name, note if ok else meta.note)

    def _double_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        data = item.data(0, ROLE_FOLDER)
        if data:
            self.openRequested.emit(Path(data))

    # ---------------------------------------------------------------- actions

    def open_selected(self) -> None:
        folder = self.selected_folder()
        if folder is not None:
            self.openRequested.emit(folder)

    def reveal_selected(self) -> None:
        folder = self.selected_folder()
        if folder is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def delete_selected(self) -> str | None:
        """Delete the selected take after asking; returns what happened."""
        folder = self.selected_folder()
        if folder is None:
            return None
        if not self._confirm("Delete this take?",
                             f"Move the take {folder.name} (video, timeline and report) to the "
                             "trash?"):
            return "kept"
        outcome = move_to_trash_or_delete(
            folder,
            allow_delete=lambda: self._confirm(
                "No trash here", f"{folder.name} cannot be moved to a trash on this system. "
                "Delete it permanently?"),
        )
        self.refresh()
        return outcome

    def _ask(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text)
        return answer == QMessageBox.StandardButton.Yes


__all__ = ["sparkline", "TakesLibrary", "move_to_trash_or_delete"]
