"""Run as a program on a 1366x768 offscreen screen (see test_window_bars.py): opens the
main window at its first-start size with SCRIPT loaded (so the script panel takes its
share of the width), shows a source's line and a take's elapsed time, and prints as JSON,
for every widget of the source and transport bars, its width, the width its text needs
and its geometry in the window; and the video view's geometry with and without a banner."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QLineEdit, QAbstractButton


def needed_width(widget) -> int:
    """The width ``widget`` needs to show its whole text (its size hint at least)."""
    fm = widget.fontMetrics()
    need = widget.sizeHint().width()
    if isinstance(widget, QLabel):
        doc = widget.text()
        if widget.textFormat() != widget.textFormat().PlainText and "<" in doc:
            from PySide6.QtGui import QTextDocument

            d = QTextDocument()
            d.setDefaultFont(widget.font())
            d.setHtml(doc)
            need = max(need, int(d.idealWidth()) - 8)
        else:
            need = max(need, fm.horizontalAdvance(doc))
    elif isinstance(widget, QLineEdit):
        need = max(need, fm.horizontalAdvance(widget.placeholderText() or widget.text()) + 24)
    elif isinstance(widget, QComboBox):
        for i in range(widget.count()):
            need = max(need, fm.horizontalAdvance(widget.itemText(i)) + 24)
    elif isinstance(widget, QAbstractButton):
        need = max(need, fm.horizontalAdvance(widget.text()) + 8)
    return need


def bar_widgets(layout) -> list:
    found = []
    for i in range(layout.count()):
        item = layout.itemAt(i)
        widget = item.widget()
        if widget is None or not widget.isVisible():
            continue
        if type(widget).__name__ == "QWidget" and widget.layout() is not None:
            found.extend(bar_widgets(widget.layout()))  # a group of widgets
        else:
            found.append(widget)
    return found


def main(script: str) -> None:
    app = QApplication.instance() or QApplication([])
    from acting_mirror.app import app_services
    from acting_mirror.controllers.mirror import QuitChoice
    from acting_mirror.gui.main_window import MainWindow

    window = MainWindow(services=app_services(), camera_lister=lambda: [],
                        script=Path(script), confirm_quit=lambda: QuitChoice.DISCARD)
    window.show()
    window.source_label.setText("Demo clip  ·  960×540  ·  25 fps")
    window.transport.show_recording(True)
    window.transport.show_elapsed("00:12", 300)
    window.mic_label.setVisible(True)
    for _ in range(10):
        app.processEvents()
    out = {"window": list(window.frameGeometry().getRect()), "bars": {}}
    for name, bar in (("source", window.source_bar), ("transport", window.transport)):
        rows = []
        for widget in bar_widgets(bar):
            top_left = widget.mapTo(window, QPoint(0, 0))
            rows.append({"widget": type(widget).__name__,
                         "text": getattr(widget, "text", lambda: "")() if not isinstance(widget, QComboBox)
                         else widget.currentText(),
                         "width": widget.width(), "needs": needed_width(widget),
                         "rect": [top_left.x(), top_left.y(), widget.width(), widget.height()]})
        out["bars"][name] = rows
    from PySide6.QtGui import QFontMetrics

    view = window.plots.bar_plot.getPlotItem().getViewBox()
    metrics = QFontMetrics(window.plots.bar_plot.font())
    out["bar_labels"] = {"texts": window.plots.bar_label_texts, "slot": view.width() / 7,
                         "widths": [metrics.horizontalAdvance(t) for t in window.plots.bar_label_texts]}
    central = window.centralWidget()
    out["central"] = [0, 0, central.width(), central.height()]
    out["central_at"] = [central.mapTo(window, QPoint(0, 0)).x(), central.mapTo(window, QPoint(0, 0)).y()]

    def video_rect() -> list:
        at = window.stack.mapTo(window, QPoint(0, 0))
        return [at.x(), at.y(), window.stack.width(), window.stack.height()]

    out["video_without_banner"] = video_rect()
    window.banner.show_message("info", "Take saved: take-2026-12-01 (12.0 s, 300 frames).",
                               "Review this take", lambda: None, second=("Open folder", lambda: None))
    for _ in range(10):
        app.processEvents()
    out["video_with_banner"] = video_rect()
    out["banner_visible"] = window.banner.isVisible()
    out["banner_rect"] = [window.banner.mapTo(window, QPoint(0, 0)).x(),
                          window.banner.mapTo(window, QPoint(0, 0)).y(),
                          window.banner.width(), window.banner.height()]
    out["banner_needs"] = window.banner.sizeHint().height()
    window.transport.show_recording(False)
    window.close()
    for _ in range(5):
        app.processEvents()
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
