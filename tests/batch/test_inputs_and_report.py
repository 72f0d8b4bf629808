"""The batch's plan (inputs, CSV lists, take names) and the class report, without a cluster."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from acting_mirror.batch.classreport import (
    CSV_HEADER, actor_summary, collect_rows, line_summary, render_csv, render_html,
    write_class_report,
)
from acting_mirror.batch.inputs import (
    MANIFEST, BatchItem, collect_inputs, parse_csv, plan, take_name,
)
from acting_mirror.errors import ActingMirrorError


def test_folders_are_searched_for_videos_in_order(tmp_path):
    (tmp_path / "b").mkdir()
    for name in ("b/two.MOV", "one.mp4", "notes.txt", ".hidden.mp4", "b/three.avi"):
        (tmp_path / name).write_bytes(b"x")
    items = collect_inputs([str(tmp_path)], script=Path("s.txt"))
    assert [Path(i.input).name for i in items] == ["three.avi", "two.MOV", "one.mp4"]
    assert {i.script for i in items} == {"s.txt"}
    with pytest.raises(ActingMirrorError, match="holds no videos"):
        collect_inputs([str(tmp_path / "b" / "..") + "/nothing"] if False else [str(_empty(tmp_path))])
    with pytest.raises(ActingMirrorError, match="No such input"):
        collect_inputs([str(tmp_path / "nope.mp4")])


def _empty(tmp_path: Path) -> Path:
    folder = tmp_path / "empty"
    folder.mkdir()
    return folder


def test_a_csv_resolves_paths_from_its_folder_and_needs_a_header(tmp_path):
    items = parse_csv("input,actor,script\n# a comment\nclips/a.mp4, Ada ,a.txt\n\n/abs/b.mp4,Ben,\n",
                      base=tmp_path)
    assert items == [BatchItem(str(tmp_path / "clips/a.mp4"), str(tmp_path / "a.txt"), "Ada"),
                     BatchItem("/abs/b.mp4", None, "Ben")]
    for bad, message in (("", "empty"), ("a.mp4,x.txt\n", "header"),
                         ("input\n", "lists no takes"), ("input,actor\n,Ada\n", "row 2: no input")):
        with pytest.raises(ActingMirrorError, match=message):
            parse_csv(bad, base=tmp_path)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_as_a_csv_is_rows_or_one_clear_error(text):
    try:
        items = parse_csv("input,script,actor\n" + text, base=Path("/x"))
    except ActingMirrorError as exc:
        assert "\n" not in str(exc).strip()
        return
    assert items and all(isinstance(i.input, str) and i.input for i in items)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_as_a_csv_file_are_rows_or_one_clear_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("csv") / "list.csv"
    path.write_bytes(data)
    try:
        collect_inputs([str(path)])
    except ActingMirrorError as exc:
        assert str(exc).strip() and "\n" not in str(exc).strip()


def test_names_come_from_the_input_and_never_take_a_used_folder(tmp_path):
    items = [BatchItem("/a/clip.mp4"), BatchItem("/b/clip.mp4"), BatchItem("/c/My take!.mov", actor="Zoë K"),
             BatchItem("/d/other.mp4")]
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "x").write_text("someone else's")
    (tmp_path / "clip").mkdir()  # empty: process would use it, so may we
    names = [p.name for p in plan(items, tmp_path)]
    assert names == ["clip", "clip-2", "Zoë-K-My-take", "other-2"]
    assert take_name(BatchItem("/x/ada-1.mp4", actor="Ada")) == "ada-1"
    # once in batch.json, an input keeps its name on every run, whatever order it comes in
    (tmp_path / MANIFEST).write_text(json.dumps({"takes": {
        "clip-2": {"input": "/b/clip.mp4"}, "clip": {"input": "/a/clip.mp4"}}}))
    again = plan(list(reversed(items[:2])), tmp_path)
    assert [(Path(p.item.input).parent.name, p.name) for p in again] == [("b", "clip-2"), ("a", "clip")]


def test_without_dask_batch_says_how_to_install_it(monkeypatch, capsys, tmp_path):
    from acting_mirror.cli import main

    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    code = main(["batch", str(tmp_path), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and "pip install 'acting-mirror[batch]'" in err
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "o").exists()


def _fake_take(out: Path, name: str, *, actor: str, date: str, score: float | None,
               verdicts: list[str], on: list[float], status: str = "ok"):
    """A take folder's summary and report as process and report_for_take write them."""
    folder = out / name
    folder.mkdir(parents=True)
    (folder / "summary.json").write_text(json.dumps({
        "frames": 30, "duration_s": 1.0, "complete": True,
        "primary_emotion_shares": {"happy": 0.6, "sad": 0.3, "angry": 0.1, "fear": 0.0}}))
    if score is not None:
        lines = [{"index": i, "text": f"line {i}", "targets": ["happy"], "verdict": v,
                  "on_target": o} for i, (v, o) in enumerate(zip(verdicts, on))]
        (folder / "report.json").write_text(json.dumps({"score": score, "lines": lines}))
        (folder / "report.html").write_text("<html></html>")
    return name, {"input": f"/in/{name}.mp4", "actor": actor, "date": date,
                  "script": "/s/scene.txt", "status": status, "seconds": 1.5}


def test_the_class_report_sorts_out_actors_and_hard_lines(tmp_path):
    entries = dict([
        _fake_take(tmp_path, "ada-2", actor="Ada", date="2026-09-08", score=0.8,
                   verdicts=["hit", "partial"], on=[0.9, 0.4]),
        _fake_take(tmp_path, "ada-1", actor="Ada", date="2026-09-01", score=0.3,
                   verdicts=["miss", "miss"], on=[0.2, 0.1]),
        _fake_take(tmp_path, "ben-1", actor="Ben <b>", date="2026-09-01", score=0.5,
                   verdicts=["hit", "not_reached"], on=[0.7, 0.0]),
    ])
    entries["cy-1"] = {"input": "/in/cy.mp4", "actor": "Cy", "status": "failed",
                       "message": "Cannot decode /in/cy.mp4."}
    (tmp_path / MANIFEST).write_text(json.dumps({"takes": entries}))
    rows = collect_rows(tmp_path)
    ada = next(a for a in actor_summary(rows) if a["actor"] == "Ada")
    assert [r.name for r in ada["scored"]] == ["ada-1", "ada-2"]  # by date, not by name order
    assert ada["change"] == pytest.approx(0.5) and ada["best"] == 0.8
    lines = line_summary(rows)
    assert [s["index"] for s in lines] == [1, 0]  # line 2 is the hard one (on target 25%)
    assert lines[0]["counts"]["not_reached"] == 1 and lines[0]["reached"] == 2
    assert lines[0]["mean_on_target"] == pytest.approx(0.25)
    table = list(csv.DictReader(io.StringIO(render_csv(rows))))
    assert tuple(table[0]) == CSV_HEADER
    by = {r["take"]: r for r in table}
    assert by["ada-1"]["verdicts"] == "miss;miss" and by["ada-1"]["miss"] == "2"
    assert by["ada-2"]["main_emotions"] == "happy 60%, sad 30%, angry 10%"
    assert by["cy-1"]["status"] == "failed" and by["cy-1"]["report"] == ""
    page = render_html(rows, title="class")
    assert "Ben &lt;b&gt;" in page and "Ben <b>" not in page
    assert 'href="ada-2/report.html"' in page and 'href="cy-1/' not in page
    text = re.sub(r"<[^>]+>", "", page)
    assert "30% → 80%" in text and "+50 pts" in page and "Cannot decode" in page
    html_path, csv_path = write_class_report(tmp_path)
    assert html_path.read_text() == render_html(rows, title=tmp_path.name)
    assert csv_path.read_text() == render_csv(rows)


def test_bench_batch_refuses_what_it_cannot_time(capsys):
    from acting_mirror.cli import main

    pytest.importorskip("distributed")
    for args, message in ((["--batch", "--live"], "two different benchmarks"),
                          (["--batch", "0"], "at least 1 take"),
                          (["--batch", "2", "--detector", "both"], "one detector")):
        assert main(["bench", *args]) == 2
        assert message in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs chromium (apt-get install chromium)")
def test_the_class_report_sorts_in_a_real_browser(tmp_path):
    entries = dict(_fake_take(tmp_path, f"t{i}", actor="A", date=f"2026-09-0{i}", score=s,
                              verdicts=["hit"], on=[s]) for i, s in enumerate((0.5, 0.9, 0.1), 1))
    (tmp_path / MANIFEST).write_text(json.dumps({"takes": entries}))
    page, _ = write_class_report(tmp_path)
    dom = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
         f"{page.resolve().as_uri()}#sort=takes:4:desc"],
        capture_output=True, text=True, timeout=120).stdout
    takes = dom[dom.index('id="takes"'):dom.index('id="actors"')]
    assert re.findall(r'href="(t\d)/report.html"', takes) == ["t2", "t1", "t3"]
