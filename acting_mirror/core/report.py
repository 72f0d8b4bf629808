"""A take's report files: ``report.json`` (the scores) and ``report.html`` (the same for
people: one self-contained page with an inline SVG plot, no scripts, no external files).

Reports never replace earlier ones silently: without ``overwrite`` an existing report is
refused; with ``overwrite=True`` (re-scoring) the new report becomes ``report.json`` /
``report.html`` and the earlier one is kept, renamed ``report-1.*`` (then ``report-2.*``,
...: the lowest free number). Files are written to a temporary name and renamed into
place, so a crash never leaves half a report.
"""

from __future__ import annotations

import html
import json
import math
import os
from pathlib import Path

import numpy as np

from acting_mirror.core.files import write_text_atomic
from acting_mirror.core.calibration import NeutralCalibration
from acting_mirror.core.face_actions import ACTIONS, action_matrix
from acting_mirror.core.palette import emotion_color_hex
from acting_mirror.core.script import Script, format_time
from acting_mirror.core.scoring import (
    HIT_ON_TARGET, MIN_FACE_FRACTION, PARTIAL_ON_TARGET, LineScore, TakeReport,
    estimate_frame_ms, primary_rows, score_take,
)
from acting_mirror.core.speech_timing import listening_words, report_extras, speech_words
from acting_mirror.core.timeline import TimelineTable, read_timeline
from acting_mirror.core.types import EMOTIONS
from acting_mirror.core.takefiles import (  # noqa: F401  (the GUI imports them from here)
    REPORT_HTML, REPORT_JSON, SUMMARY_JSON, TIMELINE_CSV,
)
from acting_mirror.errors import OutputError

MAX_PLOT_POINTS = 1500
"""Longer takes are averaged into this many time bins per curve (keeps the page small)."""

_VERDICT_STYLE = {
    "hit": ("#2E7D32", "hit"),
    "partial": ("#F9A825", "partial"),
    "miss": ("#C62828", "miss"),
    "no_face": ("#616161", "no face"),
    "not_reached": ("#9E9E9E", "not reached"),
}


def report_for_take(
    take_dir: Path | str,
    script: Script,
    calibration: NeutralCalibration | None = None,
    overwrite: bool = False,
    *,
    complete: bool | None = None,
    unplayed: tuple = (),
    profile=None,
) -> TakeReport:
    """Score the take in ``take_dir`` (its ``timeline.csv``) against ``script`` and write
    ``report.json`` and ``report.html`` there. When the take's ``summary.json`` gives its
    ``duration_s``, lines the take never reached are ``not_reached``. ``complete``
    (default: what ``summary.json`` says) marks a take that was cut short. ``profile``
    (an actor's :class:`acting_mirror.core.profile.ExpressionProfile`) re-reads the
    emotions with the actor's personal mapping (see ``score_take``)."""
    take_dir = Path(take_dir)
    _refuse_existing(take_dir, overwrite)
    table = read_timeline(take_dir / TIMELINE_CSV)
    if complete is None:
        complete = _summary_says_complete(take_dir)
    report = score_take(script, table, calibration, take_end_ms=_take_end_ms(take_dir),
                        complete=complete, unplayed=tuple(unplayed), profile=profile)
    write_report(take_dir, report, table, overwrite=overwrite, calibration=calibration,
                 profile=profile, script=script)
    return report


def _take_end_ms(take_dir: Path) -> int | None:
    try:
        data = json.loads((take_dir / SUMMARY_JSON).read_text(encoding="utf-8"))
        duration = float(data["duration_s"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return int(round(duration * 1000)) if duration > 0 and math.isfinite(duration) else None


def _summary_says_complete(take_dir: Path) -> bool:
    try:
        data = json.loads((take_dir / SUMMARY_JSON).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True
    return not (isinstance(data, dict) and data.get("complete") is False)


def _refuse_existing(take_dir: Path, overwrite: bool) -> None:
    if overwrite:
        return
    for name in (REPORT_JSON, REPORT_HTML):
        if (take_dir / name).exists():
            raise OutputError(
                f"{take_dir / name} already exists; choose overwrite to replace the report."
            )


def numbered_report(take_dir: Path, n: int, name: str) -> Path:
    stem, dot, ext = name.partition(".")
    return Path(take_dir) / f"{stem}-{n}{dot}{ext}"


def keep_earlier_report(take_dir: Path | str) -> int | None:
    """Rename an existing ``report.json``/``report.html`` to the lowest free
    ``report-N.*``; returns N (``None`` when there was no report)."""
    take_dir = Path(take_dir)
    present = [name for name in (REPORT_JSON, REPORT_HTML) if (take_dir / name).exists()]
    if not present:
        return None
    n = 1
    while any(numbered_report(take_dir, n, name).exists() for name in (REPORT_JSON, REPORT_HTML)):
        n += 1
    try:
        for name in present:
            os.replace(take_dir / name, numbered_report(take_dir, n, name))
    except OSError as exc:
        raise OutputError(f"Cannot keep the earlier report in {take_dir}: {exc.strerror or exc}.") from exc
    return n


def write_report(
    take_dir: Path | str,
    report: TakeReport,
    table: TimelineTable,
    *,
    overwrite: bool = False,
    calibration: NeutralCalibration | None = None,
    profile=None,
    script: Script | None = None,
) -> tuple[Path, Path]:
    """Write ``report.json`` and ``report.html`` into ``take_dir``; returns their paths.

    Raises OutputError when either exists and ``overwrite`` is false, or on write errors;
    with ``overwrite`` the earlier report is kept as ``report-N.*`` (see the module doc).
    ``calibration`` (if the report used one) is applied to the plotted curves too.
    With ``script`` and a ``speech.json`` in the take, each line gains ``speech`` (see
    :mod:`acting_mirror.core.speech_timing`).
    """
    take_dir = Path(take_dir)
    if not take_dir.is_dir():
        raise OutputError(f"Cannot write the report: {take_dir} is not a folder.")
    _refuse_existing(take_dir, overwrite)
    keep_earlier_report(take_dir)
    data = report.to_dict()
    if script is not None:
        data.update(report_extras(script, table, take_dir, data["lines"]))
    json_text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    html_text = render_html(report, table, title=take_dir.name, calibration=calibration,
                            profile=profile, speech=data)
    json_path, html_path = take_dir / REPORT_JSON, take_dir / REPORT_HTML
    write_text_atomic(json_path, json_text)
    write_text_atomic(html_path, html_text)
    return json_path, html_path


# --- HTML ----------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2em auto;
max-width:1000px;padding:0 1em;color:#212121;background:#fafafa}
h1{margin-bottom:.2em}
.score{font-size:3em;font-weight:700;margin:.1em 0}
.muted{color:#616161}
.disclaimer{border-left:4px solid #F9A825;background:#FFF8E1;padding:.6em 1em;margin:1em 0}
.plot{background:#fff;border:1px solid #e0e0e0;border-radius:6px;padding:.5em}
.legend{display:flex;flex-wrap:wrap;gap:1em;margin:.5em 0 1.5em}
.legend span{display:inline-flex;align-items:center;gap:.35em}
.swatch{width:1.4em;height:.35em;border-radius:2px;display:inline-block}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border-bottom:1px solid #e0e0e0;padding:.45em .5em;text-align:left;vertical-align:top}
th{background:#f5f5f5;font-weight:600}
.badge{color:#fff;border-radius:1em;padding:.1em .7em;font-size:.9em;white-space:nowrap}
.num{text-align:right;white-space:nowrap}
.voice{color:#0277BD;font-size:.92em}
td.line{min-width:16em}
.table-wrap{max-width:100%;overflow-x:auto}
.tip{color:#424242;font-size:.92em}
.acts{margin:.3em 0 0;font-size:.85em;color:#424242;border-collapse:collapse;width:auto}
.acts td{border:none;padding:.05em .4em .05em 0}
.bar{display:inline-block;position:relative;width:8em;height:.7em;background:#eeeeee;border-radius:2px}
.bar i{position:absolute;left:0;top:0;bottom:0;background:#1976D2;border-radius:2px}
.bar b{position:absolute;top:-.15em;bottom:-.15em;width:2px;background:#212121}
"""


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{round(100 * x)}%"


def render_html(
    report: TakeReport,
    table: TimelineTable,
    *,
    title: str = "take",
    calibration: NeutralCalibration | None = None,
    profile=None,
    speech: dict | None = None,
) -> str:
    """The report as one self-contained HTML page. ``speech``: report.json's data; when
    its lines carry speech timing, each line's cell says when the actor started speaking,
    how long, and the face while speaking and silent; the partner's lines get a list of
    the face while listening."""
    esc = html.escape
    counts = report.counts()
    tally = ", ".join(
        f"{counts[v]} {label}" for v, label in
        (("hit", "hit"), ("partial", "partial"), ("miss", "missed"), ("no_face", "without face"),
         ("not_reached", "not reached")) if v != "not_reached" or counts[v]
    )
    cut_short = "" if report.complete else (
        '<p class="disclaimer"><strong>This take was stopped before the end of the script.'
        "</strong> Lines it never reached are marked <em>not reached</em> and are left out "
        "of the score.</p>"
    )
    calib = (
        "Readings were corrected with the actor's neutral calibration."
        if report.calibrated else
        "No neutral calibration was used (calibrating helps when your relaxed face reads as "
        "an emotion)."
    )
    if report.profile and report.profile_mapping:
        calib += (f" Emotions were re-read with {report.profile}'s expression profile "
                  "and face actions measured from their relaxed face.")
    elif report.profile:
        calib += (f" Face actions were measured from {report.profile}'s relaxed face; their "
                  "profile's personal reading did no better than the model on its routine, "
                  "so the model's reading was kept.")
    voice = {int(d["index"]): d.get("speech") for d in (speech or {}).get("lines", ())
             if isinstance(d, dict) and "speech" in d}
    rows = "\n".join(_table_row(line, voice if voice else None) for line in report.lines)
    listening = _listening_html((speech or {}).get("listening")) if voice else ""
    legend = "".join(
        f'<span><i class="swatch" style="background:{emotion_color_hex(e)}"></i>{esc(e)}</span>'
        for e in EMOTIONS
    )
    script_name = esc(report.script or "script")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Take report — {esc(title)}</title>
<style>{_CSS}</style>
</head>
<body>
<h1>Take report — {esc(title)}</h1>
<p class="muted">Script: {script_name} · {len(report.lines)} lines · {esc(tally)}</p>
<div class="score" title="duration-weighted share of face frames on target">{_pct(report.score)}</div>
<p class="muted">of the scripted time your face read as the target emotion. {esc(calib)}</p>
{cut_short}
<div class="disclaimer"><strong>Please read:</strong> {esc(report.disclaimer)}</div>
<h2>Your emotions over the take</h2>
<div class="plot">
{render_svg(report, table, calibration=calibration, profile=profile)}
</div>
<div class="legend">{legend}</div>
{_actions_section(report, table, profile)}
<h2>Line by line</h2>
<div class="table-wrap">
<table>
<thead><tr><th>#</th><th>Time</th><th>Target</th><th>Line</th><th>Verdict</th>
<th class="num">On target</th><th class="num">Target prob.</th><th>Read as</th>
<th class="num">Reached after</th><th class="num">Face visible</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
</div>
{listening}
<p class="muted">A line is a <em>hit</em> when at least {_pct(HIT_ON_TARGET)} of its face
frames read as a target, <em>partial</em> from {_pct(PARTIAL_ON_TARGET)}, otherwise a
<em>miss</em>; <em>no face</em> when your face was visible in under
{_pct(MIN_FACE_FRACTION)} of it. Lines without a face count zero in the score.
Face actions (when the face mesh ran) come from its blendshapes: each bar is the line's
median, the mark the level the target calls for (Ekman &amp; Friesen's FACS prototypes,
in <code>face_actions.toml</code>); eye widening and nose wrinkling read low on some faces.</p>
</body>
</html>
"""


def _actions_section(report: TakeReport, table: TimelineTable, profile) -> str:
    svg = render_actions_svg(report, table, profile=profile)
    if not svg:
        return ""
    legend = "".join(
        f'<span><i class="swatch" style="background:{c}"></i>{html.escape(n.replace("_", " "))}</span>'
        for n, c in zip(plotted_actions(report), ACTION_COLOURS)
    )
    return (f'<h2>Face actions over the take</h2>\n<p class="muted">From the face mesh\'s '
            "blendshapes, 0 = relaxed, 1 = as strong as the face makes it; the line-by-line "
            f'table below gives each line\'s median.</p>\n<div class="plot">\n{svg}\n</div>\n'
            f'<div class="legend">{legend}</div>')


def _actions_html(line: LineScore) -> str:
    """The line's face actions: a bar of what was seen (the line's median) with a mark
    at what the target wants."""
    if not line.face_actions:
        return ""
    esc = html.escape
    rows = []
    for a in line.face_actions:
        wanted, seen = float(a["wanted"]), float(a["seen"])
        what = f"wanted {_pct(wanted)}" if wanted > 0 else "works against the target"
        late = " (only at the end)" if a.get("late") else ""
        rows.append(
            f'<tr><td>{esc(str(a["action"]).replace("_", " "))}</td>'
            f'<td><span class="bar" title="seen {_pct(seen)}, {what}">'
            f'<i style="width:{100 * min(seen, 1):.0f}%"></i>'
            + (f'<b style="left:{100 * min(wanted, 1):.0f}%"></b>' if wanted > 0 else "")
            + f'</span></td><td>seen {_pct(seen)}, {esc(what)}{late}</td></tr>'
        )
    return f'<table class="acts">{"".join(rows)}</table>'


def _listening_html(listening) -> str:
    if not isinstance(listening, list) or not listening:
        return ""
    items = "".join(f"<li>{html.escape(listening_words(e))}</li>" for e in listening)
    return (f'<p class="muted">Your face while your partner spoke (the face while '
            f"listening):</p>\n<ul class=\"muted\">{items}</ul>")


def _voice_html(speech) -> str:
    """Under the line: when the actor started speaking from the line's start, how long
    they spoke, and the face while speaking and while silent."""
    return f'<div class="voice">Voice: {html.escape(speech_words(speech))}</div>'


def _table_row(line: LineScore, voice: dict | None = None) -> str:
    esc = html.escape
    colour, label = _VERDICT_STYLE.get(line.verdict, ("#616161", line.verdict))
    targets = " or ".join(
        f'<span style="color:{emotion_color_hex(t)};font-weight:600">{esc(t)}</span>'
        for t in line.targets
    )
    reached = "never" if line.time_to_target_ms is None else f"{line.time_to_target_ms / 1000:.1f} s"
    if line.dominant is None:
        reached = "—"
    tip = line.tip
    tip_html = f'<div class="tip">Tip: {esc(tip)}</div>' if tip else ""
    if voice is not None:
        tip_html += _voice_html(voice.get(line.index))
    tip_html += _actions_html(line)
    return (
        f"<tr><td>{line.index + 1}</td>"
        f"<td>{format_time(line.start_ms)}–{format_time(line.end_ms)}</td>"
        f'<td>{targets}</td><td class="line">{esc(line.text)}{tip_html}</td>'
        f'<td><span class="badge" style="background:{colour}">{esc(label)}</span></td>'
        f'<td class="num">{_pct(line.on_target)}</td>'
        f'<td class="num">{_pct(line.mean_target_prob)}</td>'
        f"<td>{esc(line.dominant or '—')}</td>"
        f'<td class="num">{reached}</td>'
        f'<td class="num">{_pct(line.face_fraction)}</td></tr>'
    )


# --- SVG plot ------------------------------------------------------------------------

_W, _H = 940, 300
_ML, _MR, _MT, _MB = 44, 26, 30, 34  # margins: left, right, top (cue labels), bottom


def _nice_step(span_s: float) -> float:
    for step in (0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600):
        if span_s / step <= 12:
            return step
    return 7200.0


def _curve_points(
    times: np.ndarray, probs: np.ndarray, frame_ms: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Times and probs to plot, averaged into at most MAX_PLOT_POINTS bins, with NaN rows
    where the face was missing (so the curves show gaps)."""
    if len(times) > MAX_PLOT_POINTS:
        t0, t1 = float(times[0]), float(times[-1])
        edges = np.linspace(t0, t1 + 1e-6, MAX_PLOT_POINTS + 1)
        bins = np.clip(np.searchsorted(edges, times, "right") - 1, 0, MAX_PLOT_POINTS - 1)
        n = np.bincount(bins, minlength=MAX_PLOT_POINTS).astype(np.float64)
        sums = np.stack(
            [np.bincount(bins, probs[:, k], minlength=MAX_PLOT_POINTS) for k in range(probs.shape[1])],
            axis=1,
        )
        tsum = np.bincount(bins, times.astype(np.float64), minlength=MAX_PLOT_POINTS)
        with np.errstate(invalid="ignore", divide="ignore"):
            probs = sums / n[:, None]
            times = tsum / n
        keep = n > 0
        gap_ms = 2.5 * max(frame_ms, (t1 - t0) / MAX_PLOT_POINTS)
        times, probs = times[keep], probs[keep]
    else:
        gap_ms = 2.5 * frame_ms
        times = times.astype(np.float64)
    breaks = np.diff(times) > gap_ms
    return times, probs, breaks


def render_svg(
    report: TakeReport, table: TimelineTable, *, calibration: NeutralCalibration | None = None,
    profile=None,
) -> str:
    """An inline SVG: the primary face's seven emotion curves over time, with the script's
    lines shaded and labelled with their targets (read with ``calibration`` and the
    actor's expression ``profile`` when given, as the scores were)."""
    rows = primary_rows(table)
    order = np.argsort(rows.time_ms, kind="stable")
    times = rows.time_ms[order]
    probs = rows.probs[order].astype(np.float64)
    if calibration is not None and len(probs):
        probs = calibration.apply(probs).astype(np.float64)
    if profile is not None and profile.usable and rows.blendshapes is not None and len(probs):
        blend = rows.blendshapes[order]
        has = np.isfinite(blend).all(axis=1)
        if has.any():
            pose = rows.pose[order][has] if rows.pose is not None else None
            probs[has] = profile.predict(blend[has], rows.probs[order][has], pose)
    colours = [emotion_color_hex(e) for e in EMOTIONS]
    return _plot_svg(report, table, times, probs, EMOTIONS, colours,
                     "Emotion probabilities of the primary face over time",
                     "No face was found in this take.")


ACTION_COLOURS = ("#1565C0", "#C62828", "#2E7D32", "#EF6C00", "#6A1B9A", "#00838F", "#5D4037",
                  "#AD1457")


def plotted_actions(report: TakeReport) -> tuple[str, ...]:
    """The face actions the report's lines name (at most 8, first named first)."""
    names: dict[str, None] = {}
    for line in report.lines:
        for a in line.face_actions or ():
            names.setdefault(str(a["action"]), None)
    return tuple(names)[: len(ACTION_COLOURS)]


def render_actions_svg(report: TakeReport, table: TimelineTable, *, profile=None) -> str:
    """An inline SVG of the face actions the lines name, over the take ("" when the take
    has no blendshapes)."""
    names = plotted_actions(report)
    if not names or not table.has_blendshapes:
        return ""
    rows = primary_rows(table)
    order = np.argsort(rows.time_ms, kind="stable")
    times = rows.time_ms[order]
    levels = action_matrix(rows.blendshapes[order], rows.pose[order] if rows.pose is not None else None)
    if profile is not None:
        base = np.clip(np.array([float(profile.baseline.get(a, 0.0)) for a in ACTIONS]), 0.0, 0.9)
        levels = np.clip((levels - base) / (1.0 - base), 0.0, 1.0)
    keep = np.isfinite(levels).all(axis=1)
    cols = [ACTIONS.index(n) for n in names]
    return _plot_svg(report, table, times[keep], levels[keep][:, cols],
                     tuple(n.replace("_", " ") for n in names), ACTION_COLOURS[: len(names)],
                     "Face actions of the primary face over time", "")


def _plot_svg(report, table, times, values, names, colours, aria, empty) -> str:
    end_ms = max(
        [float(times[-1]) if len(times) else 0.0] + [float(line.end_ms) for line in report.lines] + [1000.0]
    )
    pw, ph = _W - _ML - _MR, _H - _MT - _MB

    def x(t: float) -> float:
        return _ML + pw * (t / end_ms)

    def y(p: float) -> float:
        return _MT + ph * (1.0 - p)

    parts = [
        f'<svg viewBox="0 0 {_W} {_H}" width="100%" role="img" '
        f'aria-label="{html.escape(aria)}" '
        f'font-family="sans-serif" font-size="11">',
        f'<rect x="{_ML}" y="{_MT}" width="{pw}" height="{ph}" fill="#ffffff" stroke="#bdbdbd"/>',
    ]
    for line in report.lines:
        colour = emotion_color_hex(line.targets[0]) if line.targets else "#bdbdbd"
        x0, x1 = x(line.start_ms), x(line.end_ms)
        label = html.escape(f"{line.index + 1} {'|'.join(line.targets)}")
        parts.append(
            f'<rect x="{x0:.1f}" y="{_MT}" width="{max(x1 - x0, 0.5):.1f}" height="{ph}" '
            f'fill="{colour}" fill-opacity="0.13"><title>{label}: '
            f'{html.escape(line.text)}</title></rect>'
            f'<line x1="{x0:.1f}" x2="{x0:.1f}" y1="{_MT}" y2="{_MT + ph}" stroke="{colour}" '
            f'stroke-opacity="0.6"/>'
        )
        parts.append(
            f'<text x="{x0 + 3:.1f}" y="{_MT - 8}" fill="{colour}" font-weight="bold">{label}</text>'
        )
    for p in (0.0, 0.5, 1.0):
        parts.append(
            f'<line x1="{_ML}" x2="{_ML + pw}" y1="{y(p):.1f}" y2="{y(p):.1f}" '
            f'stroke="#e0e0e0" stroke-dasharray="3,3"/>'
            f'<text x="{_ML - 6}" y="{y(p) + 4:.1f}" text-anchor="end" fill="#616161">{p:.1f}</text>'
        )
    step = _nice_step(end_ms / 1000.0)
    k = 0
    while k * step * 1000 <= end_ms + 1e-6:
        t = k * step * 1000
        parts.append(
            f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{_MT + ph}" y2="{_MT + ph + 4}" stroke="#9e9e9e"/>'
            f'<text x="{x(t):.1f}" y="{_MT + ph + 16}" text-anchor="middle" fill="#616161">'
            f"{format_time(int(t))}</text>"
        )
        k += 1
    parts.append(
        f'<text x="{_ML + pw / 2:.1f}" y="{_H - 4}" text-anchor="middle" fill="#616161">time (mm:ss)</text>'
    )
    if len(times):
        pts_t, pts_p, breaks = _curve_points(times, values, estimate_frame_ms(table))
        xs = [f"{x(t):.1f}" for t in pts_t]
        for k, (emotion, colour) in enumerate(zip(names, colours)):
            d = []
            for i, xv in enumerate(xs):
                cmd = "M" if i == 0 or breaks[i - 1] else "L"
                d.append(f"{cmd}{xv},{y(float(pts_p[i, k])):.1f}")
            parts.append(
                f'<path d="{" ".join(d)}" fill="none" stroke="{colour}" '
                f'stroke-width="1.6" stroke-linejoin="round"><title>{emotion}</title></path>'
            )
    else:
        parts.append(
            f'<text x="{_ML + pw / 2:.1f}" y="{_MT + ph / 2:.1f}" text-anchor="middle" '
            f'fill="#616161">{html.escape(empty)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)
