"""The report table's rows are each as tall as their content, the first one too (it was
sized before the columns had their widths and stayed short), and they follow when the
columns change width."""

from __future__ import annotations

import pytest

from acting_mirror.app import process_to_take
from acting_mirror.core.report import report_for_take
from acting_mirror.core.script import parse_script
from acting_mirror.gui.report_view import COLUMNS, ReportDialog

SCRIPT = """\
0:00-0:02 happy  Look at that view, the whole planet right there below us, blue and white.
0:02-0:04 sad    I never thought I would see it.
0:04-0:06 happy  We made it.
0:06-0:08 happy  (after the clip's end: not reached)
"""


@pytest.fixture(scope="module")
def scored(make_scene, tmp_path_factory):
    clip = make_scene(6.0, 2.0, 10)  # the astronaut (happy) for 2 s, then Grace Hopper
    root = tmp_path_factory.mktemp("rows")
    folder = process_to_take(str(clip), out_dir=root / "take", takes_root=root).folder
    return folder, report_for_take(folder, parse_script(SCRIPT, name="scene.txt"))


def _needs(table, row: int) -> int:
    """The height row ``row``'s tallest cell needs at the columns' current widths."""
    return max(table.sizeHintForRow(row), table.verticalHeader().minimumSectionSize())


def test_every_row_is_as_tall_as_its_content_the_first_too(qtbot, scored):
    folder, report = scored
    assert any(line.tip for line in report.lines)  # some rows hold two lines of text
    dialog = ReportDialog(report, folder)
    qtbot.addWidget(dialog)
    dialog.resize(820, 560)
    dialog.show()
    qtbot.waitExposed(dialog)
    table = dialog.view.table
    assert dialog.view.cell_text(3, "Verdict") == "not reached"  # words, not "not_reached"
    heights = [table.rowHeight(r) for r in range(table.rowCount())]
    assert heights == [_needs(table, r) for r in range(table.rowCount())], heights
    assert heights[0] >= heights[-1]  # the first row: never shorter than a one-line row
    # narrower columns: the long first line wraps, and its row grows with it
    before = table.rowHeight(0)
    table.horizontalHeader().setSectionResizeMode(COLUMNS.index("Line"),
                                                  table.horizontalHeader().ResizeMode.Interactive)
    table.setColumnWidth(COLUMNS.index("Line"), 120)
    qtbot.waitUntil(lambda: table.rowHeight(0) > before)
    assert [table.rowHeight(r) for r in range(table.rowCount())] == \
        [_needs(table, r) for r in range(table.rowCount())]
    dialog.close()
