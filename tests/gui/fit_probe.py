"""Run as a program on a 1366x768 offscreen screen (see test_window_fit.py): opens the
review of TAKE, the takes library and the report dialog, shows them, and prints as JSON
each window's frame, whether its key controls lie inside the screen, and the size the
review reopens at after being resized to 1100x650."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication


def on_screen(widget, screen: QRect) -> bool:
    top_left = widget.mapToGlobal(QPoint(0, 0))
    return screen.contains(QRect(top_left, widget.size()))


def main(take: str) -> None:
    app = QApplication.instance() or QApplication([])
    from acting_mirror.controllers.review import open_take
    from acting_mirror.gui.report_view import ReportDialog
    from acting_mirror.gui.review import ReviewWindow
    from acting_mirror.gui.takes_library import TakesLibrary

    screen = app.primaryScreen().availableGeometry()
    out = {"screen": [screen.width(), screen.height()]}
    review = ReviewWindow(take)
    review.show()
    library = TakesLibrary(Path(take).parent)
    library.show()
    report = ReportDialog(open_take(take).report, Path(take))
    report.show()
    for _ in range(5):
        app.processEvents()
    table = review.report_view.table
    last = table.model().columnCount() - 1
    last_x = table.columnViewportPosition(last) + table.columnWidth(last)
    out["windows"] = {
        name: list(w.frameGeometry().getRect()) for name, w in
        (("review", review), ("library", library), ("report", report))
    }
    out["controls_on_screen"] = {
        "calibrated": on_screen(review.calibrated_check, screen),
        "rescore": on_screen(review.rescore_button, screen),
        "folder": on_screen(review.folder_button, screen),
        "report_last_column": last_x <= table.viewport().width(),
        "again": on_screen(report.again_button, screen),
    }
    review.resize(1100, 650)
    app.processEvents()
    for w in (review, library, report):
        w.close()
    review.shutdown()
    again = ReviewWindow(take)
    again.show()
    app.processEvents()
    out["review_reopened"] = [again.width(), again.height()]
    again.close()
    again.shutdown()
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
