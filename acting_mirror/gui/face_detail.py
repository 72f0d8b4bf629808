"""FaceDetailView: what the main face is doing, region by region, read at a glance.

Six rows (brows, eyes, cheeks, nose, mouth, jaw), each with the region's strongest
movements as short bars ("inner brows up", "jaw dropped"), from the face mesh's 52
blendshapes (see :func:`acting_mirror.core.blendshapes.region_summary`).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

from acting_mirror.core.blendshapes import region_summary

_ROW_H = 22
_BAR = QColor("#6aa9ff")
_TRACK = QColor("#2d3139")
_TEXT = QColor("#e8eaed")
_MUTED = QColor("#8a9099")


class FaceDetailView(QWidget):
    """Paints the newest blendshapes given to :meth:`show_scores` (``None``: no mesh)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._rows: list[tuple[str, list[tuple[str, float]]]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(_ROW_H * 6 + 28)
        self.setToolTip("What the main face is doing, from the face mesh's 52 blendshapes "
                        "(0 = not at all, a full bar = as much as the model knows)")

    def sizeHint(self) -> QSize:
        return QSize(380, _ROW_H * 6 + 28)

    @property
    def rows(self) -> list[tuple[str, list[tuple[str, float]]]]:
        return self._rows

    def show_scores(self, scores: np.ndarray | None) -> None:
        rows = [] if scores is None else region_summary(scores)
        if rows != self._rows:
            self._rows = rows
            self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt name)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(_MUTED)
        painter.drawText(QRectF(6, 2, self.width() - 12, 20), Qt.AlignmentFlag.AlignLeft,
                         "Face detail" + ("" if self._rows else ": no face mesh reading"))
        y = 24.0
        half = (self.width() - 70) / 2
        for region, movements in self._rows:
            painter.setPen(_MUTED)
            painter.drawText(QRectF(6, y, 60, _ROW_H), Qt.AlignmentFlag.AlignVCenter, region)
            for k, (label, level) in enumerate(movements):
                x = 66 + k * half
                self._bar(painter, QRectF(x, y + 3, half - 8, _ROW_H - 6), label, level)
            y += _ROW_H
        painter.end()

    @staticmethod
    def _bar(painter: QPainter, rect: QRectF, label: str, level: float) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(_TRACK)
        painter.drawRoundedRect(rect, 3, 3)
        filled = QRectF(rect.x(), rect.y(), rect.width() * max(0.0, min(1.0, level)), rect.height())
        painter.setBrush(_BAR)
        painter.drawRoundedRect(filled, 3, 3)
        painter.setPen(_TEXT)
        painter.drawText(rect.adjusted(5, 0, -3, 0), Qt.AlignmentFlag.AlignVCenter, label)
