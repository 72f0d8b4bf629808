"""Per-line speech timing from the actor's voice segments (``speech.json``, written by
:mod:`acting_mirror.audio.vad`) and the take's timeline.

For each of the actor's lines (with times): when they started speaking relative to the
line's start, how long they spoke inside it, and how the face read while speaking and
while silent; for the partner's lines: how the face read while listening. Pure: the
segments and the timeline come in, plain dicts go out (``report.json``'s ``speech`` under
each line, and ``listening`` beside the lines).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from acting_mirror.core.script import Script
from acting_mirror.core.takefiles import REPORT_JSON, SPEECH_JSON
from acting_mirror.core.timeline import TimelineTable
from acting_mirror.core.types import EMOTIONS

Segment = tuple[int, int]


@dataclass(frozen=True)
class LineSpeech:
    index: int
    start_ms: int | None  # first speech after the line's start (None: silent line)
    spoken_ms: int
    speaking: dict | None  # the face while speaking: {"dominant", "frames", "mean"}
    silent: dict | None  # the face during the rest of the line

    def to_dict(self) -> dict | None:
        if self.start_ms is None:
            return None
        return {"start_ms": self.start_ms, "spoken_ms": self.spoken_ms,
                "face_speaking": self.speaking, "face_silent": self.silent}


def read_segments(take_dir: Path | str) -> list[Segment] | None:
    """The actor's segments from ``speech.json``; ``None`` when the take has none (or it
    cannot be read: the report is then written without speech timing)."""
    try:
        data = json.loads((Path(take_dir) / SPEECH_JSON).read_text(encoding="utf-8"))
        segs = [(int(a), int(b)) for a, b in data["segments"]]
    except (OSError, ValueError, KeyError, TypeError, OverflowError):
        return None
    return sorted((a, b) for a, b in segs if b > a)


def merge(segments: list[Segment]) -> list[Segment]:
    """Sorted, with overlapping or touching segments joined."""
    out: list[Segment] = []
    for a, b in sorted((int(a), int(b)) for a, b in segments if b > a):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _overlap(segments: list[Segment], lo: int, hi: int) -> list[Segment]:
    return [(max(a, lo), min(b, hi)) for a, b in segments if b > lo and a < hi]


def _face(times: np.ndarray, probs: np.ndarray, spans: list[Segment]) -> dict | None:
    if not spans or len(times) == 0:
        return None
    mask = np.zeros(len(times), dtype=bool)
    for a, b in spans:
        mask |= (times >= a) & (times < b)
    if not mask.any():
        return None
    mean = probs[mask].mean(axis=0)
    return {"dominant": EMOTIONS[int(np.argmax(np.bincount(np.argmax(probs[mask], axis=1),
                                                           minlength=len(EMOTIONS))))],
            "frames": int(mask.sum()),
            "mean": {e: round(float(p), 4) for e, p in zip(EMOTIONS, mean)}}


def speech_timing(script: Script, segments: list[Segment], table: TimelineTable,
                  *, offset_ms: int = 0) -> tuple[dict[int, LineSpeech], list[dict]]:
    """``(per actor line: LineSpeech by cue index, per partner line: listening face)``.
    ``script`` needs times (timed, or with the times a teleprompter take showed each line);
    script time 0 is timeline time ``offset_ms`` (segments are in timeline time)."""
    rows = table.select(table.primary) if len(table) and table.primary.any() else table
    order = np.argsort(rows.time_ms, kind="stable")
    times = rows.time_ms[order].astype(np.int64)
    probs = rows.probs[order].astype(np.float64)
    segments = merge(segments)
    lines: dict[int, LineSpeech] = {}
    listening: list[dict] = []
    for cue in script.cues:
        if cue.start_ms is None or cue.end_ms is None:
            continue
        lo, hi = int(cue.start_ms) + offset_ms, int(cue.end_ms) + offset_ms
        inside = _overlap(segments, lo, hi)
        if cue.partner:
            listen = [(lo, hi)]
            for a, b in inside:  # the actor talking over the partner is not listening
                listen = [p for s, e in listen for p in ((s, min(e, a)), (max(s, b), e)) if p[1] > p[0]]
            listening.append({"index": cue.index, "speaker": cue.speaker,
                              "face_listening": _face(times, probs, listen)})
            continue
        if cue.kind != "actor":
            continue
        if not inside:
            lines[cue.index] = LineSpeech(cue.index, None, 0, None, None)
            continue
        silent, cursor = [], lo
        for a, b in inside:
            if a > cursor:
                silent.append((cursor, a))
            cursor = max(cursor, b)
        if cursor < hi:
            silent.append((cursor, hi))
        lines[cue.index] = LineSpeech(
            cue.index, inside[0][0] - lo, sum(b - a for a, b in inside),
            _face(times, probs, inside), _face(times, probs, silent))
    return lines, listening


def report_extras(script: Script, table: TimelineTable, take_dir: Path | str,
                  line_dicts: list[dict], *, offset_ms: int = 0) -> dict:
    """Add ``speech`` to each of ``line_dicts`` (report.json's lines) from the take's
    ``speech.json``; returns the top-level additions (``listening``), ``{}`` without one."""
    segments = read_segments(take_dir)
    if segments is None or not script.has_times:
        return {}
    lines, listening = speech_timing(script, segments, table, offset_ms=offset_ms)
    for d in line_dicts:
        found = lines.get(int(d["index"]))
        d["speech"] = found.to_dict() if found is not None else None
    return {"listening": listening}


def speech_words(speech: dict | None) -> str:
    """A line's ``speech`` entry (report.json) in a few words, for the report's tables:
    ``"in 0.4 s · spoke 1.8 s · face: happy speaking, neutral silent"``; ``"not spoken"``
    for ``None``."""
    if not isinstance(speech, dict):
        return "not spoken"
    try:
        parts = [f"in {int(speech['start_ms']) / 1000:.1f} s",
                 f"spoke {int(speech['spoken_ms']) / 1000:.1f} s"]
    except (KeyError, TypeError, ValueError):
        return "not spoken"
    faces = []
    for key, word in (("face_speaking", "speaking"), ("face_silent", "silent")):
        face = speech.get(key)
        if isinstance(face, dict) and face.get("dominant"):
            faces.append(f"{face['dominant']} {word}")
    if faces:
        parts.append("face: " + ", ".join(faces))
    return " · ".join(parts)


def listening_words(entry: dict) -> str:
    """A partner line's ``listening`` entry in words: ``"line 3 (ANNA): listening neutral"``."""
    face = entry.get("face_listening") if isinstance(entry, dict) else None
    who = f" ({entry.get('speaker')})" if isinstance(entry, dict) and entry.get("speaker") else ""
    index = entry.get("index") if isinstance(entry, dict) else None
    head = f"line {int(index) + 1}{who}" if isinstance(index, int) else f"a partner line{who}"
    if isinstance(face, dict) and face.get("dominant"):
        return f"{head}: listening {face['dominant']} ({face.get('frames', 0)} frames)"
    return f"{head}: no face while listening"


def read_listening(take_dir: Path | str) -> list[dict]:
    """The take's ``listening`` entries from its ``report.json`` (the face during each
    partner line); ``[]`` when there are none or the report cannot be read."""
    try:
        data = json.loads((Path(take_dir) / REPORT_JSON).read_text(encoding="utf-8"))
        entries = data.get("listening") or []
    except (OSError, ValueError, AttributeError):
        return []
    return [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []


def read_line_speech(take_dir: Path | str) -> dict[int, dict | None] | None:
    """Each line's ``speech`` entry from the take's ``report.json``, by line index;
    ``None`` when the report has no speech timing (a take without sound)."""
    try:
        data = json.loads((Path(take_dir) / REPORT_JSON).read_text(encoding="utf-8"))
        found = {int(d["index"]): d.get("speech") for d in data["lines"] if "speech" in d}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return found or None
