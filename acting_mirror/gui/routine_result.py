"""The end of the expression-profile routine: how well each emotion can be told apart
for this actor (cross-validated agreement on the routine, a bar per emotion, next to
what the CNN alone read right), the warnings, and the neutral calibration's effect. It
only shows a ``controllers.routine.Outcome``."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

from acting_mirror.controllers.routine import Outcome, reliability_rows
from acting_mirror.core.palette import emotion_color_hex
from acting_mirror.core.types import EMOTIONS

VERDICT_COLORS = {"reliable": "#43a047", "fair": "#f9a825", "unreliable": "#e53935",
                  "not recorded": "#616161"}
MUTED = "color:#9aa3ad"
WARNING = "color:#ffb74d"


class RoutineResultView(QWidget):
    """See the module docstring; :meth:`show_outcome` fills it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(10)
        self.grid.setVerticalSpacing(4)
        for col, text in enumerate(("", "read right", "model alone", "")):
            head = QLabel(text)
            head.setStyleSheet(MUTED)
            head.setToolTip("Share of the routine's frames of each emotion read right by a "
                            "profile fitted without them (cross-validated), and by the "
                            "emotion model alone")
            self.grid.addWidget(head, 0, col)
        self.bars: dict[str, QProgressBar] = {}
        self.cnn_labels: dict[str, QLabel] = {}
        self.verdict_labels: dict[str, QLabel] = {}
        for row, emotion in enumerate(EMOTIONS, start=1):
            name = QLabel(f"<b style='color:{emotion_color_hex(emotion)}'>{emotion}</b>")
            name.setTextFormat(Qt.TextFormat.RichText)
            bar = QProgressBar()
            bar.setRange(0, 100)
            bar.setFixedHeight(16)
            bar.setMinimumWidth(120)
            cnn, word = QLabel(), QLabel()
            cnn.setStyleSheet(MUTED)
            self.bars[emotion], self.cnn_labels[emotion], self.verdict_labels[emotion] = bar, cnn, word
            for col, widget in enumerate((name, bar, cnn, word)):
                self.grid.addWidget(widget, row, col)
        self.grid.setColumnStretch(1, 1)
        self.table = QWidget()
        self.table.setLayout(self.grid)
        self.warnings_label = QLabel()
        self.warnings_label.setWordWrap(True)
        self.warnings_label.setTextFormat(Qt.TextFormat.RichText)
        self.note_label = QLabel()
        self.note_label.setWordWrap(True)
        self.note_label.setTextFormat(Qt.TextFormat.RichText)
        self.note_label.setStyleSheet(MUTED)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.table)
        layout.addWidget(self.warnings_label)
        layout.addWidget(self.note_label)
        layout.addStretch(1)

    def show_outcome(self, outcome: Outcome, neutral_html: str = "") -> None:
        profile = outcome.profile
        self.table.setVisible(profile is not None)
        if outcome.problem:
            self.title.setText(f"<p><b>That did not work.</b></p><p>{outcome.problem}</p>")
            self.warnings_label.clear()
            self.note_label.clear()
            return
        calibration = outcome.calibration
        neutral = (f"<p>Your relaxed face ({calibration.n_frames} frames) read as: {neutral_html}. "
                   f"Without calibration {round(100 * outcome.neutral_before)}% of those frames "
                   f"read as neutral; with it, {round(100 * outcome.neutral_after)}%.</p>")
        if profile is None:
            self.title.setText(f"<p><b>Done: your relaxed face is calibrated.</b></p>{neutral}")
            self.warnings_label.clear()
            self.note_label.setText(
                "With calibration on, an emotion your relaxed face already leans towards has "
                "to be shown a little more strongly to count. Recalibrate when the light or "
                "the camera changes.")
            return
        self.title.setText(
            f"<p><b>Your expression profile: how well each emotion is told apart on your face</b></p>"
            f"<p style='{MUTED}'>Share of the routine's frames read right by a profile that had "
            "not seen them (cross-validated), next to the emotion model alone.</p>")
        for r in reliability_rows(profile):
            bar = self.bars[r.emotion]
            bar.setValue(0 if r.share is None else round(100 * r.share))
            bar.setFormat("—" if r.share is None else f"{round(100 * r.share)}%")
            bar.setStyleSheet(f"QProgressBar::chunk{{background:{VERDICT_COLORS[r.verdict]}}}")
            self.cnn_labels[r.emotion].setText("" if r.cnn is None else f"{round(100 * r.cnn)}%")
            word = self.verdict_labels[r.emotion]
            word.setText(r.verdict)
            word.setStyleSheet(f"color:{VERDICT_COLORS[r.verdict]}")
        warnings = list(profile.warnings)
        if not profile.usable:
            warnings.append("The personal reading did no better than the model alone on this "
                            "routine, so scores keep the model's reading (your relaxed baseline "
                            "is still used). Record it again with clearer expressions.")
        self.warnings_label.setText(
            "".join(f"<p style='{WARNING}; margin:0 0 4px 0'>⚠ {w[0].upper() + w[1:].rstrip('.')}.</p>"
                    for w in warnings)
            if warnings else "<p>No warnings: every recording was steady and distinct.</p>")
        self.note_label.setText(
            neutral + "<p>Save it under your name; with <b>Calibrated</b> on, the live cues, "
            "the reports and re-scoring use it. It stays on this computer.</p>")


__all__ = ["RoutineResultView", "VERDICT_COLORS"]
