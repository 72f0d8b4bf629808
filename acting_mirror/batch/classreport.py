"""The class report: ``DIR/class-report.csv`` and ``DIR/class-report.html`` over a batch's
takes (one row per take; per actor across takes in date order; per script line across
the class). Built from the files in ``DIR`` alone (``batch.json``, each take's
``summary.json`` and ``report.json``), so it can be rebuilt at any time.

The HTML is self-contained (inline CSS, SVG and a few lines of JS that sort a table by
the clicked column) and links to each take's own report.
"""

from __future__ import annotations

import csv
import datetime as _dt
import html
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from acting_mirror.batch.inputs import PlannedTake, load_manifest
from acting_mirror.core.files import write_text_atomic
from acting_mirror.core.takefiles import REPORT_HTML, REPORT_JSON, SUMMARY_JSON

CLASS_HTML = "class-report.html"
CLASS_CSV = "class-report.csv"
CSV_HEADER = ("take", "input", "actor", "script", "date", "status", "score", "verdicts",
              "hit", "partial", "miss", "no_face", "not_reached", "main_emotions", "frames",
              "duration_s", "processing_s", "report")
VERDICTS = ("hit", "partial", "miss", "no_face", "not_reached")


@dataclass
class TakeRow:
    name: str
    input: str
    actor: str
    script: str
    date: str
    status: str
    message: str = ""
    score: float | None = None
    lines: list[dict] = field(default_factory=list)
    emotions: list[tuple[str, float]] = field(default_factory=list)
    frames: int = 0
    duration_s: float | None = None
    processing_s: float | None = None
    has_report: bool = False

    def verdicts(self) -> str:
        return ";".join(str(line.get("verdict", "")) for line in self.lines)

    def counts(self) -> dict[str, int]:
        return {v: sum(1 for line in self.lines if line.get("verdict") == v) for v in VERDICTS}

    def main_emotions(self) -> str:
        return ", ".join(f"{e} {share:.0%}" for e, share in self.emotions)


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _date(entry: dict) -> str:
    if entry.get("date"):
        return str(entry["date"])
    try:  # when the recording was made, as far as its file says
        mtime = Path(entry.get("input", "")).stat().st_mtime
        return _dt.datetime.fromtimestamp(mtime).strftime("%Y-%m-%d %H:%M")
    except (OSError, ValueError):
        return str(entry.get("finished", ""))[:16].replace("T", " ")


def collect_rows(out: Path, names: list[str] | None = None) -> list[TakeRow]:
    """One row per take of the batch in ``out`` (``names``: those, in that order;
    default every take in ``batch.json``)."""
    out = Path(out)
    manifest = load_manifest(out)
    rows = []
    for name in names if names is not None else sorted(manifest):
        entry = manifest.get(name, {})
        folder = out / name
        summary = _read_json(folder / SUMMARY_JSON)
        report = _read_json(folder / REPORT_JSON) if entry.get("script") else {}
        status = str(entry.get("status") or ("ok" if summary else "failed"))
        if summary and summary.get("complete") is False and status == "ok":
            status = "ended_early"
        shares = summary.get("primary_emotion_shares") or {}
        top = sorted(((str(k), float(v)) for k, v in shares.items()
                      if isinstance(v, (int, float)) and v > 0), key=lambda kv: -kv[1])[:3]
        score = report.get("score")
        rows.append(TakeRow(
            name=name,
            input=str(entry.get("input", "")),
            actor=str(entry.get("actor") or ""),
            script=str(entry.get("script") or ""),
            date=_date(entry),
            status=status,
            message=str(entry.get("message") or ""),
            score=float(score) if isinstance(score, (int, float)) else None,
            lines=[x for x in report.get("lines", []) if isinstance(x, dict)],
            emotions=top,
            frames=int(summary.get("frames") or entry.get("frames") or 0),
            duration_s=summary.get("duration_s"),
            processing_s=entry.get("seconds"),
            has_report=(folder / REPORT_HTML).is_file(),
        ))
    return rows


def write_class_report(out: Path, planned: list[PlannedTake] | None = None) -> tuple[Path, Path]:
    """Write ``class-report.html`` and ``class-report.csv`` in ``out``; their paths."""
    out = Path(out)
    names = [t.name for t in planned] if planned is not None else None
    if names is not None:  # this batch's takes first, then earlier ones still listed
        names += [n for n in sorted(load_manifest(out)) if n not in names]
    rows = collect_rows(out, names)
    html_path, csv_path = out / CLASS_HTML, out / CLASS_CSV
    write_text_atomic(csv_path, render_csv(rows))
    write_text_atomic(html_path, render_html(rows, title=out.resolve().name))
    return html_path, csv_path


def render_csv(rows: list[TakeRow]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for r in rows:
        c = r.counts()
        writer.writerow([
            r.name, r.input, r.actor, Path(r.script).name if r.script else "", r.date, r.status,
            "" if r.score is None else f"{r.score:.4f}", r.verdicts(),
            *(c[v] if r.lines else "" for v in VERDICTS), r.main_emotions(), r.frames,
            "" if r.duration_s is None else r.duration_s,
            "" if r.processing_s is None else r.processing_s,
            f"{r.name}/{REPORT_HTML}" if r.has_report else "",
        ])
    return buf.getvalue()


# --------------------------------------------------------------------------- summaries


def actor_summary(rows: list[TakeRow]) -> list[dict]:
    """Per actor: their scored takes in date order, first, last, best and the change."""
    by_actor: dict[str, list[TakeRow]] = {}
    for r in rows:
        by_actor.setdefault(r.actor or "(no actor)", []).append(r)
    out = []
    for actor, takes in sorted(by_actor.items()):
        scored = sorted((r for r in takes if r.score is not None), key=lambda r: (r.date, r.name))
        scores = [r.score for r in scored]
        out.append({
            "actor": actor, "takes": len(takes), "scored": scored,
            "first": scores[0] if scores else None, "last": scores[-1] if scores else None,
            "best": max(scores) if scores else None,
            "mean": sum(scores) / len(scores) if scores else None,
            "change": scores[-1] - scores[0] if len(scores) > 1 else None,
        })
    return out


def line_summary(rows: list[TakeRow]) -> list[dict]:
    """Per script line across the class: how each take did on it; hardest first (lowest
    mean on-target share over the takes that reached it)."""
    lines: dict[tuple[str, int], dict] = {}
    for r in rows:
        for line in r.lines:
            try:
                key = (Path(r.script).name, int(line.get("index", 0)))
            except (TypeError, ValueError):
                continue
            slot = lines.setdefault(key, {
                "script": key[0], "index": key[1], "text": str(line.get("text", "")),
                "targets": "/".join(str(t) for t in line.get("targets", [])),
                "counts": dict.fromkeys(VERDICTS, 0), "on_target": [],
            })
            verdict = str(line.get("verdict", ""))
            if verdict in slot["counts"]:
                slot["counts"][verdict] += 1
            if verdict not in ("not_reached", "no_face") and isinstance(line.get("on_target"), (int, float)):
                slot["on_target"].append(float(line["on_target"]))
    out = []
    for slot in lines.values():
        ons = slot.pop("on_target")
        slot["mean_on_target"] = sum(ons) / len(ons) if ons else None
        slot["reached"] = sum(v for k, v in slot["counts"].items() if k != "not_reached")
        out.append(slot)
    out.sort(key=lambda s: (s["mean_on_target"] is None,
                            s["mean_on_target"] if s["mean_on_target"] is not None else 0,
                            s["script"], s["index"]))
    return out


# --------------------------------------------------------------------------- HTML

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2em auto;
max-width:1200px;padding:0 1em;color:#212121;background:#fafafa}
h1{margin-bottom:.2em}h2{margin-top:1.6em}
.muted{color:#616161}
.disclaimer{border-left:4px solid #F9A825;background:#FFF8E1;padding:.6em 1em;margin:1em 0}
table{border-collapse:collapse;width:100%;background:#fff;font-size:.94em}
th,td{border-bottom:1px solid #e0e0e0;padding:.4em .5em;text-align:left;vertical-align:top}
th{background:#f5f5f5;font-weight:600}
table.sortable th{cursor:pointer;user-select:none}
table.sortable th:after{content:" \\2195";color:#9e9e9e}
.num{text-align:right;white-space:nowrap}
.v{display:inline-block;width:1.1em;height:1.1em;border-radius:3px;margin-right:2px;
color:#fff;font-size:.75em;text-align:center;line-height:1.1em}
.hit{background:#2E7D32}.partial{background:#F9A825}.miss{background:#C62828}
.no_face{background:#616161}.not_reached{background:#BDBDBD}
.failed{color:#C62828}.ended_early{color:#E65100}
"""

_JS = """
document.querySelectorAll('table.sortable').forEach(function(t){
 t.querySelectorAll('th').forEach(function(th,i){th.addEventListener('click',function(){
  var b=t.tBodies[0],rows=Array.from(b.rows),asc=th.dataset.dir!=='asc';
  t.querySelectorAll('th').forEach(function(h){delete h.dataset.dir});th.dataset.dir=asc?'asc':'desc';
  rows.sort(function(x,y){var a=x.cells[i].dataset.sort||x.cells[i].textContent,
   c=y.cells[i].dataset.sort||y.cells[i].textContent,na=parseFloat(a),nc=parseFloat(c);
   var r=(!isNaN(na)&&!isNaN(nc))?na-nc:a.localeCompare(c);return asc?r:-r;});
  rows.forEach(function(r){b.appendChild(r)});});});});
var m=location.hash.match(/^#sort=(\\w+):(\\d+)(:desc)?$/),t=m&&document.getElementById(m[1]);
if(t&&t.tHead.rows[0].cells[+m[2]]){var h=t.tHead.rows[0].cells[+m[2]];h.click();if(m[3])h.click();}
"""

_LETTER = {"hit": "✓", "partial": "~", "miss": "✗", "no_face": "?", "not_reached": "·"}


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{round(100 * x)}%"


def _num(x, sort_missing: float = -1.0) -> str:
    return f' data-sort="{sort_missing if x is None else x}"'


def _verdict_chips(lines: list[dict]) -> str:
    chips = []
    for line in lines:
        v = str(line.get("verdict", ""))
        title = f"line {int(line.get('index', 0)) + 1}: {v} — {line.get('text', '')}"
        chips.append(f'<span class="v {_e(v)}" title="{_e(title)}">{_LETTER.get(v, "")}</span>')
    return "".join(chips)


def _sparkline(scores: list[float]) -> str:
    if len(scores) < 2:
        return ""
    w, h = 120, 28
    pts = " ".join(f"{4 + i * (w - 8) / (len(scores) - 1):.1f},{h - 4 - s * (h - 8):.1f}"
                   for i, s in enumerate(scores))
    return (f'<svg width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" '
            f'aria-label="scores over time"><polyline points="{pts}" fill="none" '
            f'stroke="#1565C0" stroke-width="2"/></svg>')


def render_html(rows: list[TakeRow], *, title: str) -> str:
    scored = [r.score for r in rows if r.score is not None]
    failed = sum(1 for r in rows if r.status == "failed")
    head = (f"{len(rows)} take(s), {len(scored)} scored"
            + (f", class mean {_pct(sum(scored) / len(scored))}" if scored else "")
            + (f", {failed} failed" if failed else ""))
    parts = [
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        f"<title>Class report — {_e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>Class report</h1><p class=\"muted\">{_e(title)} · {_e(head)}. Click a column "
        "heading to sort (or open the page with <code>#sort=takes:4:desc</code>: table "
        "<code>takes</code>, <code>actors</code> or <code>lines</code>, column from 0); a "
        "take's name opens its own report.</p>",
        "<p class=\"disclaimer\">Emotion recognition is uncertain: these are what a camera-"
        "based reader saw, a rehearsal aid, never a grade of anyone's acting.</p>",
        "<h2>Takes</h2>", _takes_table(rows),
        "<h2>Actors across takes</h2>", _actors_table(actor_summary(rows)),
        "<h2>Script lines across the class</h2>",
        "<p class=\"muted\">Hardest first: the lowest mean share of frames on target.</p>",
        _lines_table(line_summary(rows)),
        f"<script>{_JS}</script></body></html>",
    ]
    return "\n".join(parts) + "\n"


def _takes_table(rows: list[TakeRow]) -> str:
    out = ['<table class="sortable" id="takes"><thead><tr><th>Take</th><th>Actor</th>'
           '<th>Script</th><th>Date</th><th>Score</th><th>Lines</th><th>Main emotions</th>'
           '<th>Frames</th><th>Time&nbsp;s</th><th>Status</th></tr></thead><tbody>']
    for r in rows:
        name = (f'<a href="{_e(r.name)}/{REPORT_HTML}">{_e(r.name)}</a>' if r.has_report
                else _e(r.name))
        status = _e(r.status) + (f": {_e(r.message)}" if r.message and r.status != "ok" else "")
        out.append(
            f'<tr><td title="{_e(r.input)}">{name}</td><td>{_e(r.actor)}</td>'
            f"<td>{_e(Path(r.script).name if r.script else '')}</td><td>{_e(r.date)}</td>"
            f'<td class="num"{_num(r.score)}>{_pct(r.score)}</td>'
            f'<td data-sort="{r.counts()["hit"]}">{_verdict_chips(r.lines)}</td>'
            f"<td>{_e(r.main_emotions())}</td>"
            f'<td class="num">{r.frames}</td>'
            f'<td class="num"{_num(r.processing_s)}>'
            f"{'' if r.processing_s is None else f'{float(r.processing_s):.1f}'}</td>"
            f'<td class="{_e(r.status)}">{status}</td></tr>')
    out.append("</tbody></table>")
    return "".join(out)


def _actors_table(actors: list[dict]) -> str:
    out = ['<table class="sortable" id="actors"><thead><tr><th>Actor</th><th>Takes</th>'
           '<th>Scores by date</th><th>Progress</th><th>First</th><th>Last</th><th>Change</th>'
           '<th>Best</th><th>Mean</th></tr></thead><tbody>']
    for a in actors:
        seq = " → ".join(f'<span title="{_e(r.date)} {_e(r.name)}">{_pct(r.score)}</span>'
                         for r in a["scored"]) or "—"
        change = a["change"]
        change_text = "—" if change is None else f"{'+' if change >= 0 else ''}{round(100 * change)} pts"
        out.append(
            f"<tr><td>{_e(a['actor'])}</td><td class=\"num\">{a['takes']}</td><td>{seq}</td>"
            f"<td>{_sparkline([r.score for r in a['scored']])}</td>"
            + "".join(f'<td class="num"{_num(a[k])}>{_pct(a[k])}</td>' for k in ("first", "last"))
            + f'<td class="num"{_num(change, -99)}>{change_text}</td>'
            + "".join(f'<td class="num"{_num(a[k])}>{_pct(a[k])}</td>' for k in ("best", "mean"))
            + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _lines_table(lines: list[dict]) -> str:
    if not lines:
        return "<p class=\"muted\">No take was scored against a script.</p>"
    out = ['<table class="sortable" id="lines"><thead><tr><th>Script</th><th>Line</th>'
           '<th>Text</th><th>Target</th><th>Takes reaching it</th><th>Mean on target</th>'
           + "".join(f"<th>{v.replace('_', ' ')}</th>" for v in VERDICTS)
           + "</tr></thead><tbody>"]
    for s in lines:
        out.append(
            f"<tr><td>{_e(s['script'])}</td><td class=\"num\">{s['index'] + 1}</td>"
            f"<td>{_e(s['text'])}</td><td>{_e(s['targets'])}</td>"
            f"<td class=\"num\">{s['reached']}</td>"
            f'<td class="num"{_num(s["mean_on_target"])}>{_pct(s["mean_on_target"])}</td>'
            + "".join(f'<td class="num">{s["counts"][v]}</td>' for v in VERDICTS)
            + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)
