"""The review's face-action picker: choose any face action (``core.face_actions.ACTIONS``)
and its curve over the take is drawn over the emotion curves, dashed, on the same 0-100%
scale. A take recorded without face detail says "no face detail in this take" instead of
drawing an empty curve. The curve itself is ``controllers.face_action_curve``'s."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from acting_mirror.controllers.face_action_curve import (
    NO_DETAIL, ActionCurve, action_choices, action_curve, has_face_detail,
)
from acting_mirror.core.timeline import TimelineTable

CURVE_COLOR = "#ffffff"
NONE_LABEL = "none"


class FaceActionPicker(QWidget):
    """A row under the review's curves: "Face action [jaw drop — let the jaw drop ▾]
    median 0.12, peak 0.64 at 0:03.2". ``plot`` is the review's curve plot."""

    def __init__(self, table: TimelineTable, plot: pg.PlotItem, parent: QWidget | None = None):
        super().__init__(parent)
        self.table = table
        self.detail = has_face_detail(table)
        self.combo = QComboBox()
        self.combo.addItem(NONE_LABEL, "")
        for action, label in action_choices():
            self.combo.addItem(label, action)
        self.combo.setToolTip("Draw what one part of the face did over the take (from the "
                              "face mesh's blendshapes), over the emotion curves")
        self.combo.setEnabled(self.detail)
        self.combo.currentIndexChanged.connect(lambda _i: self.show_action(self.action))
        self.info = QLabel("" if self.detail else NO_DETAIL)
        self.info.setStyleSheet("color:#9aa3ad")
        self.info.setTextFormat(Qt.TextFormat.PlainText)
        self.curve_item = plot.plot(pen=pg.mkPen(CURVE_COLOR, width=2.2, style=Qt.PenStyle.DashLine))
        self.curve_item.setSkipFiniteCheck(False)
        self.curve_item.setZValue(40)  # over the emotions, under the cursor
        self.curve: ActionCurve | None = None
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Face action"))
        row.addWidget(self.combo)
        row.addWidget(self.info, 1)

    @property
    def action(self) -> str:
        return self.combo.currentData() or ""

    def choose(self, action: str) -> None:
        """Pick ``action`` ("" for none) as the user would."""
        i = self.combo.findData(action)
        if i < 0:
            raise ValueError(f"unknown face action {action!r}")
        self.combo.setCurrentIndex(i)

    def show_action(self, action: str) -> None:
        if not action or not self.detail:
            self.curve = None
            self.curve_item.setData([], [])
            self.info.setText("" if self.detail else NO_DETAIL)
            return
        self.curve = action_curve(self.table, action)
        if self.curve is None:  # cannot happen with detail; kept honest anyway
            self.info.setText(NO_DETAIL)
            return
        self.curve_item.setData(self.curve.t_s, self.curve.values, connect="finite")
        self.info.setText(f"- - - {action.replace('_', ' ')}: {self.curve.summary}")


__all__ = ["FaceActionPicker"]
