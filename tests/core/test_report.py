"""Take reports: report.json and a self-contained report.html, never overwriting work."""

from __future__ import annotations

import csv
import json
import re

import numpy as np
import pytest

from acting_mirror.core.palette import EMOTION_COLORS_HEX
from acting_mirror.core.report import MAX_PLOT_POINTS, render_svg, report_for_take, write_report
from acting_mirror.core.script import parse_script
from acting_mirror.core.scoring import score_take
from acting_mirror.core.timeline import TIMELINE_COLUMNS, read_timeline, timeline_rows
from acting_mirror.core.types import EMOTIONS, Box, Face, Frame, FrameResult
from acting_mirror.errors import OutputError

SCRIPT = parse_script(
    "0:00-0:02 happy We <made> it & then some\n"
    "0:02-0:04 sad   Goodbye\n"
    "0:04-0:06 happy|surprise Hello again\n",
    name="scene.txt",
)
_IMAGE = np.zeros((4, 4, 3), dtype=np.uint8)


def probs(emotion: str, p: float = 0.8) -> np.ndarray:
    out = np.full(len(EMOTIONS), (1.0 - p) / (len(EMOTIONS) - 1), dtype=np.float32)
    out[EMOTIONS.index(emotion)] = p
    return out


def write_take(folder, labels, fps=25, summary_s=None):
    """A take folder whose timeline.csv has the primary face reading ``labels``."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "timeline.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(TIMELINE_COLUMNS)
        for i, label in enumerate(labels):
            faces = ()
            if label is not None:
                faces = (Face(Box(10, 10, 80, 80), probs=probs(label), face_id=1, primary=True),)
            result = FrameResult(Frame(_IMAGE, i, round(i * 1000 / fps)), faces)
            writer.writerows(timeline_rows(result))
    if summary_s is not None:
        (folder / "summary.json").write_text(json.dumps({"duration_s": summary_s, "fps": fps}))
    return folder


LABELS = ["happy"] * 50 + ["neutral"] * 50 + [None] * 10 + ["surprise"] * 40


@pytest.fixture
def take(tmp_path):
    return write_take(tmp_path / "take1", LABELS)


def test_report_for_take_writes_json_and_html(take):
    report = report_for_take(take, SCRIPT)
    assert [line.verdict for line in report.lines] == ["hit", "miss", "hit"]
    data = json.loads((take / "report.json").read_text(encoding="utf-8"))
    assert data == json.loads(json.dumps(report.to_dict()))
    assert set(data) == {"score", "script", "calibrated", "complete", "lines", "disclaimer"}
    assert data["complete"] is True
    assert data["script"] == "scene.txt"
    assert (take / "report.html").is_file()


def test_the_html_is_self_contained_and_honest(take):
    report_for_take(take, SCRIPT)
    page = (take / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<svg" in page and "</svg>" in page
    assert "<script" not in page.lower()
    assert not re.search(r"(src|href)\s*=", page, re.I)
    assert "http://" not in page and "https://" not in page and "@import" not in page
    assert "66%" in page and "never a judge" in page
    assert "take1" in page  # the title names the take
    assert "67%" in page  # the overall score (2 of 3 equal lines on target)


def test_the_html_plots_all_seven_curves_and_shades_each_line(take):
    report_for_take(take, SCRIPT)
    page = (take / "report.html").read_text(encoding="utf-8")
    for emotion in EMOTIONS:
        assert f'stroke="{EMOTION_COLORS_HEX[emotion]}"' in page
    assert page.count('fill-opacity="0.13"') == len(SCRIPT.cues)
    assert ">1 happy<" in page and ">2 sad<" in page and ">3 happy|surprise<" in page


def test_the_html_lists_each_line_with_a_badge_and_tips_for_misses(take):
    report_for_take(take, SCRIPT)
    page = (take / "report.html").read_text(encoding="utf-8")
    assert page.count('class="badge"') == 3
    assert ">hit<" in page and ">miss<" in page
    assert "We &lt;made&gt; it &amp; then some" in page  # script text is escaped
    assert "<made>" not in page
    assert page.count("Tip:") == 1 and "sadness" in page


def test_an_existing_report_is_never_overwritten_by_default(take):
    report_for_take(take, SCRIPT)
    before = (take / "report.json").read_bytes(), (take / "report.html").read_bytes()
    other = parse_script("0:00-0:06 angry All wrong\n")
    with pytest.raises(OutputError, match="already exists"):
        report_for_take(take, other)
    table = read_timeline(take / "timeline.csv")
    with pytest.raises(OutputError):
        write_report(take, score_take(other, table), table)
    assert ((take / "report.json").read_bytes(), (take / "report.html").read_bytes()) == before


def test_rescoring_keeps_the_earlier_report_numbered_without_temp_files(take):
    report_for_take(take, SCRIPT)
    first = (take / "report.json").read_bytes(), (take / "report.html").read_bytes()
    other = parse_script("0:00-0:06 angry All wrong\n")
    report = report_for_take(take, other, overwrite=True)
    data = json.loads((take / "report.json").read_text(encoding="utf-8"))
    assert data["lines"][0]["targets"] == ["angry"] and report.score == 0.0
    assert ((take / "report-1.json").read_bytes(), (take / "report-1.html").read_bytes()) == first
    report_for_take(take, SCRIPT, overwrite=True)
    assert json.loads((take / "report-2.json").read_text())["lines"][0]["targets"] == ["angry"]
    assert sorted(p.name for p in take.iterdir()) == [
        "report-1.html", "report-1.json", "report-2.html", "report-2.json",
        "report.html", "report.json", "timeline.csv",
    ]


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
def test_report_files_follow_the_users_umask(take, mask):
    import os

    old = os.umask(mask)
    try:
        report_for_take(take, SCRIPT)
    finally:
        os.umask(old)
    for name in ("report.json", "report.html"):
        assert (take / name).stat().st_mode & 0o777 == 0o666 & ~mask


def test_the_take_length_from_summary_marks_unreached_lines(tmp_path):
    take = write_take(tmp_path / "short", ["happy"] * 50, summary_s=2.0)
    report = report_for_take(take, SCRIPT)
    assert [line.verdict for line in report.lines] == ["hit", "not_reached", "not_reached"]
    assert report.score == pytest.approx(report.lines[0].on_target)  # only the line reached
    assert "not reached" in (take / "report.html").read_text(encoding="utf-8")


def test_writing_into_a_missing_folder_is_an_output_error(tmp_path):
    table = read_timeline(write_take(tmp_path / "t", LABELS) / "timeline.csv")
    with pytest.raises(OutputError):
        write_report(tmp_path / "nope", score_take(SCRIPT, table), table)


def test_long_takes_are_averaged_to_keep_the_page_small(tmp_path):
    labels = (["happy"] * 50 + ["sad"] * 50) * 40  # 4000 frames, 160 s
    table = read_timeline(write_take(tmp_path / "long", labels) / "timeline.csv")
    svg = render_svg(score_take(SCRIPT, table), table)
    paths = re.findall(r'<path d="([^"]*)"', svg)
    assert len(paths) == len(EMOTIONS)
    assert all(len(re.findall(r"[ML]", d)) <= MAX_PLOT_POINTS for d in paths)


def test_a_take_without_faces_still_gets_a_report(tmp_path):
    take = write_take(tmp_path / "empty", [None] * 150)
    report = report_for_take(take, SCRIPT)
    assert report.score == 0.0
    assert "No face was found" in (take / "report.html").read_text(encoding="utf-8")
