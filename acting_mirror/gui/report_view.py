"""A take's report in the app: the score, line by line verdicts with a tip each, and the
reminder that emotion recognition is uncertain. :class:`ReportView` is the widget (the
review window shows it beside the video); :class:`ReportDialog` shows it when a scripted
take ends, with "Review take", "Open report (HTML)" and "Try again"."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QBrush, QColor, QDesktopServices, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from acting_mirror.controllers.mirror import could_not_open
from acting_mirror.core.palette import emotion_color_hex
from acting_mirror.core.takefiles import REPORT_HTML
from acting_mirror.core.script import format_time
from acting_mirror.core.speech_timing import (
    listening_words,
    read_line_speech,
    read_listening,
    speech_words,
)
from acting_mirror.core.scoring import (
    DISCLAIMER,
    HIT_ON_TARGET,
    MIN_FACE_FRACTION,
    PARTIAL_ON_TARGET,
    LineScore,
    TakeReport,
)
from acting_mirror.gui.window_memory import keep_geometry

VERDICT_COLORS = {
    "hit": ("#2E7D32", "hit"),
    "partial": ("#F9A825", "partial"),
    "miss": ("#C62828", "miss"),
    "no_face": ("#616161", "no face"),
    "not_reached": ("#455a64", "not reached"),
}
"""The verdict badges' colours and words (as in report.html)."""

COLUMNS = ("#", "Time", "Target", "Line", "Verdict", "On target", "Read as", "Voice")
MODEL_NOTE = DISCLAIMER  # for reports written before they carried their own disclaimer


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{round(100 * x)}%"


def score_colour(score: float) -> str:
    if score >= HIT_ON_TARGET:
        return "#66bb6a"
    if score >= PARTIAL_ON_TARGET:
        return "#ffca28"
    return "#ef5350"


class ReportView(QWidget):
    """Shows one :class:`TakeReport`. ``lineActivated(index)`` when a line is double-
    clicked (the review seeks there)."""

    lineActivated = Signal(int)

    def __init__(self, parent: QWidget | None = None, *, compact: bool = False):
        super().__init__(parent)
        self.report: TakeReport | None = None
        self.speech: dict[int, dict | None] | None = None  # report.json's per-line timing
        self.score_label = QLabel()
        font = QFont()
        font.setPointSizeF(font.pointSizeF() * 2.6)
        font.setBold(True)
        self.score_label.setFont(font)
        self.score_caption = QLabel()
        self.score_caption.setWordWrap(True)
        self.tally_label = QLabel()
        self.tally_label.setWordWrap(True)
        self.tally_label.setTextFormat(Qt.TextFormat.RichText)
        self.calibration_label = QLabel()
        self.calibration_label.setWordWrap(True)
        self.calibration_label.setStyleSheet("color:#9aa3ad")
        self.disclaimer_label = QLabel()
        self.disclaimer_label.setWordWrap(True)
        self.disclaimer_label.setObjectName("disclaimer")
        self.disclaimer_label.setStyleSheet(
            "QLabel#disclaimer { background:#3a2f12; color:#ffe082; border-left:4px solid #F9A825;"
            " padding:6px 10px; border-radius:3px; }")

        self._compact = compact
        self._build_table(compact)
        self.legend_label = QLabel(
            f"<span style='color:#9aa3ad'>hit: at least {_pct(HIT_ON_TARGET)} of the line's face "
            f"frames read as a target · partial: from {_pct(PARTIAL_ON_TARGET)} · no face: "
            f"face visible in under {_pct(MIN_FACE_FRACTION)} of the line. Hover a line for a "
            "tip.</span>")
        self.legend_label.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(self.score_label)
        words = QVBoxLayout()
        words.addWidget(self.score_caption)
        words.addWidget(self.tally_label)
        top.addLayout(words, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.calibration_label)
        layout.addWidget(self.disclaimer_label)
        layout.addWidget(self.table, 1)
        self.listening_label = QLabel()  # the face while the partner spoke, with sound only
        self.listening_label.setWordWrap(True)
        self.listening_label.setVisible(False)
        layout.addWidget(self.listening_label)
        layout.addWidget(self.legend_label)

    def _build_table(self, compact: bool) -> None:
        """One row per line; double-click to seek there."""
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(True)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        for col in range(len(COLUMNS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COLUMNS.index("Line"), QHeaderView.ResizeMode.Stretch)
        self.table.cellDoubleClicked.connect(lambda row, _col: self.lineActivated.emit(row))
        # every row as tall as its content, kept so as the columns change width (rows
        # sized once, before the columns had their widths, left the first row short)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.table.setColumnHidden(COLUMNS.index("Voice"), True)  # shown with speech timing
        if compact:  # beside a video: the time and reading are in each row's tooltip
            for name in ("Time", "Read as"):
                self.table.setColumnHidden(COLUMNS.index(name), True)

    def set_report(self, report: TakeReport | None) -> None:
        self.report = report
        self.table.setRowCount(0)
        if report is None:
            for label in (self.score_label, self.score_caption, self.tally_label,
                          self.calibration_label, self.disclaimer_label):
                label.clear()
            return
        self.score_label.setText(_pct(report.score))
        self.score_label.setStyleSheet(f"color:{score_colour(report.score)}")
        self.score_caption.setText(
            f"of the scripted time your face read as the target emotion"
            f"{' (' + report.script + ')' if report.script else ''}.")
        counts = report.counts()
        parts = []
        for verdict, word in (("hit", "hit"), ("partial", "partial"), ("miss", "missed"),
                              ("no_face", "without face")):
            if counts[verdict]:
                colour = VERDICT_COLORS[verdict][0]
                parts.append(f"<b style='color:{colour}'>{counts[verdict]}</b> {word}")
        self.tally_label.setText(f"{len(report.lines)} lines: " + ", ".join(parts))
        self.calibration_label.setText(
            "Readings corrected with the actor's neutral calibration." if report.calibrated
            else "Without neutral calibration.")
        self.disclaimer_label.setText(report.disclaimer or MODEL_NOTE)
        self.table.setRowCount(len(report.lines))
        for row, line in enumerate(report.lines):
            self._fill_row(row, line)
        self.set_speech(self.speech)

    def set_speech(self, speech: dict[int, dict | None] | None) -> None:
        """Each line's speech timing (report.json's ``speech``, by line index) in the Voice
        column; ``None`` (a take without sound) hides the column."""
        self.speech = speech
        self.table.setColumnHidden(COLUMNS.index("Voice"), not speech)
        lines = self.report.lines if self.report is not None else []
        for row, line in enumerate(lines if speech else []):
            words = speech_words(speech.get(line.index))
            parts = words.split(" · ")  # beside a video: the face while speaking in the tooltip
            cell = QTableWidgetItem("\n".join(parts[:2] if self._compact else parts))
            cell.setToolTip(f"Your voice on line {line.index + 1}: {words}")
            self.table.setItem(row, COLUMNS.index("Voice"), cell)

    def set_listening(self, entries: list[dict]) -> None:
        """How the face read while the partner spoke (report.json's ``listening``), under
        the table; hidden when there is none."""
        words = [listening_words(e) for e in entries]
        self.listening_label.setText("While your partner spoke: " + "; ".join(words) + "."
                                     if words else "")
        self.listening_label.setVisible(bool(words))

    def _fill_row(self, row: int, line: LineScore) -> None:
        def item(text: str, align=Qt.AlignmentFlag.AlignLeft) -> QTableWidgetItem:
            it = QTableWidgetItem(text)
            it.setTextAlignment(align | Qt.AlignmentFlag.AlignVCenter)
            return it

        tip = line.tip
        cells = [
            item(str(line.index + 1), Qt.AlignmentFlag.AlignRight),
            item(f"{format_time(line.start_ms)}–{format_time(line.end_ms)}"),
            item(" | ".join(line.targets)),
            item(line.text + (f"\nTip: {tip}" if tip else "")),
            item(VERDICT_COLORS.get(line.verdict, ("#616161", line.verdict))[1],
                 Qt.AlignmentFlag.AlignHCenter),
            item(_pct(line.on_target), Qt.AlignmentFlag.AlignRight),
            item(line.dominant or "—"),
        ]
        if line.targets:
            cells[2].setForeground(QBrush(QColor(emotion_color_hex(line.targets[0]))))
        if line.dominant:
            cells[6].setForeground(QBrush(QColor(emotion_color_hex(line.dominant))))
        colour = VERDICT_COLORS.get(line.verdict, ("#616161", ""))[0]
        cells[4].setBackground(QBrush(QColor(colour)))
        cells[4].setForeground(QBrush(QColor("white")))
        bold = QFont()
        bold.setBold(True)
        cells[4].setFont(bold)
        reached = ("never" if line.time_to_target_ms is None
                   else f"after {line.time_to_target_ms / 1000:.1f} s")
        span = cells[1].text()
        detail = (f"Line {line.index + 1} ({span}): {line.verdict.replace('_', ' ')} — read as "
                  f"{line.dominant or 'nothing (no face)'}, on target "
                  f"{_pct(line.on_target)}, target probability {_pct(line.mean_target_prob)}, "
                  f"reached {reached}, face visible {_pct(line.face_fraction)}."
                  + (f"\nTip: {tip}" if tip else ""))
        for col, cell in enumerate(cells):
            cell.setToolTip(detail)
            self.table.setItem(row, col, cell)

    # for tests and callers
    def verdicts(self) -> list[str]:
        return [] if self.report is None else [line.verdict for line in self.report.lines]

    def cell_text(self, row: int, column: str) -> str:
        item = self.table.item(row, COLUMNS.index(column))
        return item.text() if item is not None else ""


class ReportDialog(QDialog):
    """The report of a take that just ended, with what to do next."""

    reviewRequested = Signal(Path)
    tryAgainRequested = Signal()

    def __init__(self, report: TakeReport, take_dir: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.take_dir = Path(take_dir)
        self.setWindowTitle(f"Take report — {self.take_dir.name}")
        self.setModal(False)
        self.view = ReportView()
        self.view.set_report(report)
        self.view.set_speech(read_line_speech(self.take_dir))
        self.view.set_listening(read_listening(self.take_dir))
        self.review_button = QPushButton("Review take")
        self.review_button.setToolTip("Watch the take with its curves and the script")
        self.review_button.clicked.connect(self._review)
        self.html_button = QPushButton("Open report (HTML)")
        self.html_button.setToolTip(str(self.take_dir / REPORT_HTML))
        self.html_button.setEnabled((self.take_dir / REPORT_HTML).is_file())
        self.html_button.clicked.connect(self.open_html)
        self.again_button = QPushButton("Try again")
        self.again_button.setObjectName("primary")
        self.again_button.setToolTip("Another take of the same script")
        self.again_button.clicked.connect(self._again)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.review_button)
        buttons.addWidget(self.html_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        buttons.addWidget(self.again_button)
        folder = QLabel(f"<span style='color:#9aa3ad'>Saved in {self.take_dir}</span>")
        folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        folder.setWordWrap(True)
        self.folder_label = folder
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(folder)
        layout.addLayout(buttons)
        keep_geometry(self, "report", 820, 560)

    def open_html(self) -> None:
        path = self.take_dir / REPORT_HTML
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            self.folder_label.setText(f"<span style='color:#ffca28'>"
                                      f"{could_not_open('the report', path)}</span>")

    def _review(self) -> None:
        self.reviewRequested.emit(self.take_dir)
        self.close()

    def _again(self) -> None:
        self.close()
        self.tryAgainRequested.emit()


__all__ = ["ReportView", "ReportDialog", "VERDICT_COLORS", "MODEL_NOTE", "score_colour"]
