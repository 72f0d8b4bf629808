"""The takes library: every take in the takes folder, grouped by the script it was played
to (same script content, same group, whatever the file was called), with date, length
and score, so progress over attempts shows; open one for review, show it in the file
manager, or delete it (to the trash when the system has one).

Also "Analyse a video…": any recorded video (e.g. from a phone) analysed into a new take
on a worker thread, with a cancellable progress dialog (:class:`VideoAnalysis`).
"""

from __future__ import annotations

import logging
import shutil
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable

from PySide6.QtCore import QFile, QObject, QRectF, QSize, Qt, QThread, QUrl, Signal, Slot
from PySide6.QtGui import (
    QBrush, QColor, QDesktopServices, QIcon, QKeySequence, QPainter, QPen, QPixmap, QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from acting_mirror.core.files import read_json_object
from acting_mirror.config import AnalysisSettings
from acting_mirror.core.calibration import NeutralCalibration
from acting_mirror.core.takefiles import OUTPUT_AVI, REPORT_JSON, SCRIPT_TXT, SUMMARY_JSON, TIMELINE_CSV
from acting_mirror.core.script import Script
from acting_mirror.errors import ActingMirrorError, ScriptError
from acting_mirror.gui.report_view import score_colour
from acting_mirror.core.take_script import read_take_script, read_take_script_meta

log = logging.getLogger(__name__)

UNSCRIPTED = "Without a script"
VIDEO_FILTER = (
    "Videos (*.mp4 *.m4v *.mov *.avi *.mkv *.webm *.wmv *.mpg *.mpeg *.3gp);;All files (*)"
)


# ----------------------------------------------------------------------------- data


@dataclass(frozen=True)
class TakeEntry:
    """One take folder as the library lists it."""

    folder: Path
    created: datetime | None
    duration_s: float | None
    frames: int | None
    source: str | None
    score: float | None  # from report.json; None when not scored
    calibrated: bool | None
    script_name: str | None
    script_key: str | None
    has_video: bool

    @property
    def name(self) -> str:
        return self.folder.name

    @property
    def when(self) -> str:
        if self.created is None:
            return "—"
        return self.created.strftime("%Y-%m-%d %H:%M")

    @property
    def length(self) -> str:
        if self.duration_s is None:
            return "—"
        s = int(round(self.duration_s))
        return f"{s // 60:02d}:{s % 60:02d}"

    @property
    def score_text(self) -> str:
        return "not scored" if self.score is None else f"{round(100 * self.score)}%"




def read_take_entry(folder: Path | str) -> TakeEntry | None:
    """The library's view of ``folder``; ``None`` when it is not a take."""
    folder = Path(folder)
    if not (folder / TIMELINE_CSV).is_file() and not (folder / SUMMARY_JSON).is_file():
        return None
    summary = read_json_object(folder / SUMMARY_JSON)
    created = None
    if summary.get("created"):
        try:
            created = datetime.fromisoformat(str(summary["created"]))
        except ValueError:
            created = None
    if created is None:
        try:
            created = datetime.fromtimestamp(folder.stat().st_mtime).astimezone()
        except OSError:
            created = None
    report = read_json_object(folder / REPORT_JSON)
    score = report.get("score")
    try:
        score = None if score is None else float(score)
    except (TypeError, ValueError):
        score = None
    meta = read_take_script_meta(folder)
    name, key = meta.get("name"), meta.get("key")
    if key is None and (folder / SCRIPT_TXT).is_file():
        try:  # a take scored outside the app: group by the script's content
            take_script = read_take_script(folder)
        except ScriptError:
            take_script = None
        if take_script is not None:
            name, key = take_script.name, take_script.key
    if key is None and report.get("script"):
        name = str(report["script"])
        key = f"name:{name}"
    duration = summary.get("duration_s")
    frames = summary.get("frames")
    return TakeEntry(
        folder=folder,
        created=created,
        duration_s=float(duration) if isinstance(duration, (int, float)) else None,
        frames=int(frames) if isinstance(frames, (int, float)) else None,
        source=summary.get("source"),
        score=score,
        calibrated=report.get("calibrated") if report else None,
        script_name=str(name) if name else None,
        script_key=str(key) if key else None,
        has_video=(folder / OUTPUT_AVI).is_file(),
    )


def scan_takes(root: Path | str) -> list[TakeEntry]:
    """Every take directly inside ``root``, oldest first."""
    root = Path(root)
    if not root.is_dir():
        return []
    entries = []
    try:
        children = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError as exc:
        log.warning("Cannot list %s: %s", root, exc)
        return []
    for child in children:
        entry = read_take_entry(child)
        if entry is not None:
            entries.append(entry)
    return sorted(entries, key=_order)


def _order(entry: TakeEntry):
    stamp = entry.created.timestamp() if entry.created is not None else 0.0
    return (stamp, entry.name)


@dataclass(frozen=True)
class TakeGroup:
    """The takes of one script (``key`` None: takes without a script), oldest first."""

    key: str | None
    name: str
    takes: tuple[TakeEntry, ...] = field(default_factory=tuple)

    @property
    def scores(self) -> list[float]:
        return [t.score for t in self.takes if t.score is not None]

    @property
    def best(self) -> float | None:
        return max(self.scores) if self.scores else None

    @property
    def latest_score(self) -> float | None:
        return self.scores[-1] if self.scores else None

    @property
    def last_created(self) -> float:
        return max((_order(t)[0] for t in self.takes), default=0.0)


def group_takes(entries: Iterable[TakeEntry]) -> list[TakeGroup]:
    """Takes grouped by script: scripts with the most recent takes first, then the takes
    without a script. Two different scripts with one file name are told apart."""
    by_key: dict[str | None, list[TakeEntry]] = {}
    for entry in sorted(entries, key=_order):
        by_key.setdefault(entry.script_key, []).append(entry)
    names: dict[str, int] = {}
    groups = []
    for key, takes in by_key.items():
        if key is None:
            continue
        name = takes[-1].script_name or "script"
        names[name] = names.get(name, 0) + 1
        groups.append(TakeGroup(key, name, tuple(takes)))
    groups.sort(key=lambda g: g.last_created, reverse=True)
    seen: dict[str, int] = {}
    for i, group in enumerate(groups):
        if names[group.name] > 1:  # same file name, different content: say which version
            seen[group.name] = seen.get(group.name, 0) + 1
            first = group.takes[0].when
            groups[i] = TakeGroup(group.key, f"{group.name} (version of {first})", group.takes)
    if None in by_key:
        groups.append(TakeGroup(None, UNSCRIPTED, tuple(by_key[None])))
    return groups


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
COLUMNS = ("Take", "Date", "Length", "Score", "Progress")


class TakesLibrary(QWidget):
    """See the module docstring. ``confirm(title, text) -> bool`` asks before deleting
    (a message box by default; tests pass their own)."""

    openRequested = Signal(Path)  # review this take
    analyseRequested = Signal()  # "Analyse a video…"

    def __init__(self, takes_root: Path, *, confirm: Callable[[str, str], bool] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window)
        self.setWindowTitle("Takes library")
        self.resize(900, 600)
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

        self.tree = QTreeWidget()
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setIconSize(QSize(96, 22))
        self.tree.setUniformRowHeights(False)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, len(COLUMNS)):
            self.tree.header().setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemDoubleClicked.connect(self._double_clicked)
        self.tree.itemSelectionChanged.connect(self._selection_changed)

        self.empty_label = QLabel()
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet("color:#9aa3ad")

        self.open_button = QPushButton("Review")
        self.open_button.setToolTip("Watch the take with its curves, script and report (Enter)")
        self.open_button.clicked.connect(self.open_selected)
        self.reveal_button = QPushButton("Show in folder")
        self.reveal_button.clicked.connect(self.reveal_selected)
        self.delete_button = QPushButton("Delete…")
        self.delete_button.clicked.connect(self.delete_selected)
        self.analyse_button = QPushButton("Analyse a video…")
        self.analyse_button.setToolTip("Analyse any recorded video (e.g. from a phone) into a new take")
        self.analyse_button.clicked.connect(self.analyseRequested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.reveal_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        buttons.addWidget(self.analyse_button)

        close = QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self)
        close.activated.connect(self.close)
        review = QShortcut(QKeySequence(Qt.Key.Key_Return), self.tree)
        review.setContext(Qt.ShortcutContext.WidgetShortcut)
        review.activated.connect(self.open_selected)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty_label)
        layout.addLayout(buttons)
        self.refresh()

    # ---------------------------------------------------------------- content

    def set_takes_root(self, root: Path) -> None:
        self.takes_root = Path(root)
        self.refresh()

    def refresh(self) -> None:
        selected = self.selected_folder()
        self.folder_label.setText(f"Takes in <b>{self.takes_root}</b>")
        self.groups = group_takes(scan_takes(self.takes_root))
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
                child = QTreeWidgetItem([take.name, take.when, take.length, take.score_text, ""])
                child.setData(0, ROLE_FOLDER, str(take.folder))
                child.setToolTip(0, str(take.folder) + (f"\nfrom {take.source}" if take.source else ""))
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

    def _selection_changed(self) -> None:
        on = self.selected_folder() is not None
        for button in (self.open_button, self.reveal_button, self.delete_button):
            button.setEnabled(on)

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


# ----------------------------------------------------------------------------- analysis


class _Cancelled(Exception):
    """Raised inside the analysis loop when the user cancels."""


class AnalyseJob(QObject):
    """Analyses one video into a new take (on the thread it is moved to). Emits
    ``progress(done, total)`` (total -1 when unknown), then exactly one of ``finished``
    (the take folder), ``failed`` (one sentence) or ``cancelled``; then ``done``."""

    progress = Signal(int, int)
    finished = Signal(object)  # Path
    failed = Signal(str)
    cancelled = Signal()
    done = Signal()

    def __init__(self, spec: str, takes_root: Path, settings: AnalysisSettings = AnalysisSettings(),
                 *, process: Callable[..., object], script: Script | None = None,
                 script_text: str | None = None,
                 calibration: NeutralCalibration | None = None, actor: str = ""):
        super().__init__()
        self.process = process  # app.process_to_take, from the window's services
        self.spec = spec
        self.takes_root = Path(takes_root)
        self.settings = settings
        self.script = script
        self.script_text = script_text
        self.calibration = calibration
        self.actor = actor
        self.folder: Path | None = None
        self._cancel = threading.Event()
        self._last_emit = -1

    def cancel(self) -> None:
        self._cancel.set()

    def _progress(self, n: int, total: int | None) -> None:
        if self._cancel.is_set():
            raise _Cancelled()
        if total and n < total and n - self._last_emit < max(1, total // 200):
            return
        self._last_emit = n
        self.progress.emit(n, int(total) if total else -1)

    @Slot()
    def run(self) -> None:
        from acting_mirror.core.report import report_for_take
        from acting_mirror.media.takes import new_take_dir

        try:
            label = Path(self.spec).stem if "://" not in self.spec else "web"
            self.folder = new_take_dir(self.takes_root, label)
            self.process(self.spec, out_dir=self.folder, takes_root=self.takes_root,
                            settings=self.settings, progress=self._progress)
            if self.script is not None:
                from acting_mirror.core.take_script import write_take_script

                write_take_script(self.folder, self.script, original_text=self.script_text,
                                  actor=self.actor, calibrated=self.calibration is not None)
                if self.script.has_times:
                    report_for_take(self.folder, self.script, self.calibration)
        except _Cancelled:
            self._discard()
            self.cancelled.emit()
        except ActingMirrorError as exc:
            self._discard()
            self.failed.emit(str(exc))
        except (OSError, ValueError, RuntimeError) as exc:  # e.g. a decoder giving up
            log.exception("Analysing %s failed", self.spec)
            self._discard()
            self.failed.emit(f"Analysing {self.spec} failed: {exc}")
        else:
            self.finished.emit(self.folder)
        finally:
            self.done.emit()

    def _discard(self) -> None:
        if self.folder is not None and self.folder.is_dir():
            shutil.rmtree(self.folder, ignore_errors=True)


class VideoAnalysis(QObject):
    """Runs an :class:`AnalyseJob` on its own thread with a progress dialog (Cancel
    stops it and removes the half-made take). ``succeeded(folder)``, ``failed(message)``
    or ``cancelled``, then ``ended``."""

    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    ended = Signal()

    def __init__(self, job: AnalyseJob, parent: QWidget | None = None, *, show_dialog: bool = True):
        super().__init__(parent)
        self.job = job
        self.thread = QThread()
        self.thread.setObjectName("acting-mirror-analyse-video")
        job.moveToThread(self.thread)
        self.thread.started.connect(job.run)
        job.done.connect(self.thread.quit, Qt.ConnectionType.DirectConnection)
        job.finished.connect(self.succeeded)
        job.failed.connect(self.failed)
        job.cancelled.connect(self.cancelled)
        self.thread.finished.connect(self._ended)
        self.dialog: QProgressDialog | None = None
        if show_dialog:
            self.dialog = QProgressDialog(f"Analysing {Path(job.spec).name}…", "Cancel", 0, 0, parent)
            self.dialog.setWindowTitle("Analyse a video")
            self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
            self.dialog.setMinimumDuration(0)
            self.dialog.setAutoClose(False)
            self.dialog.setAutoReset(False)
            self.dialog.canceled.connect(self.cancel)
            job.progress.connect(self._progress)

    @property
    def running(self) -> bool:
        return self.thread.isRunning()

    def start(self) -> None:
        if self.dialog is not None:
            self.dialog.show()
        self.thread.start()

    def cancel(self) -> None:
        self.job.cancel()
        if self.dialog is not None:
            self.dialog.setLabelText("Stopping…")

    def wait(self, timeout_ms: int = 30000) -> bool:
        return self.thread.wait(timeout_ms)

    def _progress(self, n: int, total: int) -> None:
        if self.dialog is None:
            return
        if total > 0:
            self.dialog.setMaximum(total)
            self.dialog.setValue(min(n, total))
            self.dialog.setLabelText(f"Analysing {Path(self.job.spec).name}: frame {n} of {total}")
        else:
            self.dialog.setLabelText(f"Analysing {Path(self.job.spec).name}: frame {n}")

    def _ended(self) -> None:
        if self.dialog is not None:
            self.dialog.canceled.disconnect(self.cancel)
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
        self.ended.emit()


__all__ = [
    "TakeEntry", "TakeGroup", "read_take_entry", "scan_takes", "group_takes", "sparkline",
    "TakesLibrary", "AnalyseJob", "VideoAnalysis", "move_to_trash_or_delete", "UNSCRIPTED",
    "VIDEO_FILTER",
]
