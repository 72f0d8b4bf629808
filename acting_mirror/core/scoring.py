"""Scoring a take against its script, line by line, from the take's timeline.

Only the primary face's rows count. For each line (its half-open span ``[start, end)``):

- ``face_fraction``: frames with the primary face / frames the line lasted (the frame
  period is estimated from the timeline itself);
- ``on_target``: the fraction of those face frames whose top emotion is a target;
- ``mean_target_prob``: the mean probability that a target shows (sum over targets);
- ``dominant``: the most frequent top emotion;
- ``time_to_target_ms``: from the line's start until a target first stays on top for
  :data:`TARGET_HOLD_MS` (``None`` if never);
- ``verdict``: ``not_reached`` when the take ended before the line began (the media
  was shorter than the script, or the take was cut short), else ``no_face`` below
  :data:`MIN_FACE_FRACTION`, else ``hit`` from :data:`HIT_ON_TARGET`, ``partial`` from
  :data:`PARTIAL_ON_TARGET`, else ``miss``.

The take's ``score`` is the duration-weighted mean ``on_target`` over the lines the take
reached, with ``no_face`` lines counting 0; ``not_reached`` lines are left out.

Only the actor's lines with targets are scored (``Cue.scored``): partner lines, stage
directions and lines with no target get no ``LineScore`` (``index`` keeps each scored
line's position in the script).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from acting_mirror.core.calibration import NeutralCalibration
from acting_mirror.core.emotions import ADJECTIVES, NOUNS
from acting_mirror.core.face_actions import (
    ACTIONS, MET_FRACTION, STRONG, ActionTable, action_matrix, best_emotion, load_table,
    opposed_to, relative_to_baseline,
)
from acting_mirror.core.script import Script
from acting_mirror.core.timeline import TimelineTable
from acting_mirror.core.types import EMOTIONS
from acting_mirror.errors import ScriptError

HIT_ON_TARGET = 0.6
"""A line is a ``hit`` when at least this fraction of its face frames read as a target."""
PARTIAL_ON_TARGET = 0.3
"""...and ``partial`` from this fraction on; below it, a ``miss``."""
MIN_FACE_FRACTION = 0.5
"""A line where the face was visible in fewer of its frames than this is ``no_face``."""
TARGET_HOLD_MS = 200
"""How long a target must stay on top to count as reached (``time_to_target_ms``)."""
DEFAULT_FRAME_MS = 1000.0 / 30.0
"""Frame period assumed when the timeline is too short to measure it."""
_GAP_FRAMES = 2.5
"""A gap of more than this many frame periods without the face breaks a hold."""

VERDICTS = ("hit", "partial", "miss", "no_face", "not_reached")

DISCLAIMER = (
    "Emotion recognition is uncertain: the model reads about 66% of faces right on the "
    "FER2013 benchmark, and less on faces, light or angles unlike its training photos. "
    "This report is a rehearsal aid, never a judge of your acting."
)


@dataclass(frozen=True)
class LineScore:
    """How one script line went. ``index`` is the cue's 0-based position."""

    index: int
    start_ms: int
    end_ms: int
    targets: tuple[str, ...]
    text: str
    on_target: float
    mean_target_prob: float | None  # None: no face frames
    dominant: str | None  # None: no face frames
    time_to_target_ms: int | None
    face_fraction: float
    verdict: str
    # from the face mesh's blendshapes (None: the line had none): the target's actions
    # and strong ones against it, each {"action", "wanted", "seen"} (+ "late": reached
    # only in the line's last third); the tip naming them; the emotion the face actions
    # show best (to say so when the CNN disagrees)
    face_actions: tuple[dict, ...] | None = None
    face_tip: str | None = None
    face_reading: str | None = None
    # why the picture was too poor to read for most of the line's face frames ("dark",
    # "blurred|small"...; core.quality), None when it was fine or not assessed
    poor_picture: str | None = None

    def to_dict(self) -> dict:
        extra = {} if self.face_actions is None else {
            "face_actions": [dict(a) for a in self.face_actions],
            "face_reading": self.face_reading,
        }
        return {
            "index": self.index,
            "start_ms": self.start_ms,
            "end_ms": self.end_ms,
            "targets": list(self.targets),
            "text": self.text,
            "on_target": round(self.on_target, 4),
            "mean_target_prob": (
                None if self.mean_target_prob is None else round(self.mean_target_prob, 4)
            ),
            "dominant": self.dominant,
            "time_to_target_ms": self.time_to_target_ms,
            "face_fraction": round(self.face_fraction, 4),
            "verdict": self.verdict,
            **extra,
            **({"poor_picture": self.poor_picture} if self.poor_picture else {}),
            "tip": self.tip,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "LineScore":
        return cls(
            index=int(d["index"]), start_ms=int(d["start_ms"]), end_ms=int(d["end_ms"]),
            targets=tuple(d["targets"]), text=str(d.get("text", "")),
            on_target=float(d["on_target"]),
            mean_target_prob=None if d.get("mean_target_prob") is None else float(d["mean_target_prob"]),
            dominant=d.get("dominant"),
            time_to_target_ms=None if d.get("time_to_target_ms") is None else int(d["time_to_target_ms"]),
            face_fraction=float(d["face_fraction"]), verdict=str(d["verdict"]),
            face_actions=None if d.get("face_actions") is None else tuple(
                dict(a) for a in d["face_actions"]),
            face_tip=(str(d["tip"]) if d.get("face_actions") is not None and "tip" in d else None),
            face_reading=d.get("face_reading"),
            poor_picture=d.get("poor_picture") or None,
        )

    @property
    def tip(self) -> str:
        """One actionable suggestion for this line ("" for a hit)."""
        return line_tip(self)


@dataclass(frozen=True)
class TakeReport:
    """A take scored against its script."""

    score: float
    script: str | None
    calibrated: bool
    lines: tuple[LineScore, ...]
    disclaimer: str = DISCLAIMER
    complete: bool = True  # False: the take was cut short (quit during it)
    profile: str | None = None  # the actor whose expression profile was used
    profile_mapping: bool = False  # whether its personal reading re-read the emotions

    @property
    def reached(self) -> tuple[LineScore, ...]:
        """The lines the take reached (scored)."""
        return tuple(line for line in self.lines if line.verdict != "not_reached")

    def to_dict(self) -> dict:
        return {
            "score": round(self.score, 4),
            "script": self.script,
            "calibrated": self.calibrated,
            "complete": self.complete,
            **({} if self.profile is None else {"profile": self.profile,
                                                "profile_mapping": self.profile_mapping}),
            "lines": [line.to_dict() for line in self.lines],
            "disclaimer": self.disclaimer,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "TakeReport":
        return cls(
            score=float(d["score"]), script=d.get("script"), calibrated=bool(d.get("calibrated")),
            lines=tuple(LineScore.from_dict(x) for x in d["lines"]),
            disclaimer=str(d.get("disclaimer", DISCLAIMER)),
            complete=bool(d.get("complete", True)), profile=d.get("profile"),
            profile_mapping=bool(d.get("profile_mapping", False)),
        )

    def counts(self) -> dict[str, int]:
        """How many lines got each verdict."""
        return {v: sum(1 for line in self.lines if line.verdict == v) for v in VERDICTS}


POOR_PICTURE_SHARE = 0.5
"""A line is flagged when at least this share of its face frames were too poor to read."""

_PICTURE_FIX = {
    "dark": "put a light in front of you", "bright": "move out of the glare",
    "blurred": "hold still, or focus or clean the camera", "small": "come closer to the camera",
    "turned": "face the camera",
}


def poor_picture_tip(reasons: str) -> str:
    """The tip of a line read on poor frames: it blames the picture, never the actor."""
    words = [r for r in reasons.split("|") if r in _PICTURE_FIX]
    what = " and ".join({"dark": "too dark", "bright": "too bright", "blurred": "blurred",
                         "small": "too small", "turned": "turned away"}[r] for r in words)
    fixes = "; ".join(_PICTURE_FIX[r] for r in words)
    return (f"The picture was {what} for most of this line, so its reading says little "
            f"about your acting: {fixes}, and try the line again.")


def _poor_picture(quality: np.ndarray | None) -> str | None:
    """The reasons shared by most of these frames' quality labels, or ``None``."""
    if quality is None or len(quality) == 0:
        return None
    labels = [str(q) for q in quality if q]
    if not labels:
        return None
    poor = [q for q in labels if q != "ok"]
    if len(poor) < POOR_PICTURE_SHARE * len(labels):
        return None
    counts: dict[str, int] = {}
    for label in poor:
        for reason in label.split("|"):
            counts[reason] = counts.get(reason, 0) + 1
    common = [r for r, n in counts.items() if n >= POOR_PICTURE_SHARE * len(poor)]
    return "|".join(sorted(common, key=lambda r: -counts[r])) or None


def line_tip(line: LineScore) -> str:
    """What to try next time on this line, in one sentence ("" for a hit); from the face
    actions when the line has them."""
    if line.verdict in ("hit", "not_reached"):
        return "" if line.face_tip is None or line.verdict == "not_reached" else line.face_tip
    if line.poor_picture:  # fix the light or the camera, not the face
        return poor_picture_tip(line.poor_picture)
    if line.face_tip is not None and line.verdict != "no_face":
        return line.face_tip
    target = line.targets[0] if line.targets else "neutral"
    wanted = " or ".join(NOUNS[t] for t in line.targets) if line.targets else "calm"
    if line.verdict == "no_face":
        return (
            "Your face was out of view for much of this line: stay facing the camera, "
            "in even light, with nothing covering your face."
        )
    dominant = line.dominant
    if target == "neutral" and dominant is not None and dominant != "neutral":
        advice = (
            f"It read as {ADJECTIVES[dominant]}: relax your brow, jaw and mouth for this line."
        )
    elif dominant == "neutral":
        advice = (
            f"It read as neutral: let the {wanted} show more clearly — a bigger, "
            "held expression reads better on camera."
        )
    elif dominant is not None and dominant not in line.targets:
        advice = f"It read mostly as {ADJECTIVES[dominant]}: aim for {wanted} instead."
    else:
        advice = f"Hold the {wanted} for the whole line rather than letting it fade."
    late = line.time_to_target_ms
    if late is not None and late > (line.end_ms - line.start_ms) / 2:
        advice += " It came late: reach the expression earlier in the line."
    return advice


def estimate_frame_ms(table: TimelineTable) -> float:
    """The frame period of a timeline (mean over its span of frame indices)."""
    if len(table) >= 2:
        df = int(table.frame.max() - table.frame.min())
        if df > 0:
            i_max, i_min = int(np.argmax(table.frame)), int(np.argmin(table.frame))
            dt = float(table.time_ms[i_max] - table.time_ms[i_min])
            if dt > 0:
                return dt / df
    return DEFAULT_FRAME_MS


def primary_rows(table: TimelineTable) -> TimelineTable:
    """The primary face's rows; a frame's lone face counts as primary when no face in
    that frame is flagged (as in ``summary.json``)."""
    if len(table) == 0:
        return table
    frames, inverse, counts = np.unique(table.frame, return_inverse=True, return_counts=True)
    flagged = np.zeros(frames.size, dtype=bool)
    np.logical_or.at(flagged, inverse, table.primary)
    lone = (counts[inverse] == 1) & ~flagged[inverse]
    return table.select(table.primary | lone)


def _time_to_target(times: np.ndarray, hits: np.ndarray, start_ms: int, frame_ms: float) -> int | None:
    hold = max(1, int(round(TARGET_HOLD_MS / frame_ms)))
    max_gap = _GAP_FRAMES * frame_ms
    run = 0
    run_start = 0
    prev_t = None
    for t, hit in zip(times.tolist(), hits.tolist()):
        if hit and run and prev_t is not None and t - prev_t <= max_gap:
            run += 1
        elif hit:
            run, run_start = 1, t
        else:
            run = 0
        prev_t = t
        if run >= hold:
            return int(max(0, run_start - start_ms))
    return None


def score_take(
    script: Script,
    table: TimelineTable,
    calibration: NeutralCalibration | None = None,
    *,
    profile=None,
    table_of_actions: ActionTable | None = None,
    offset_ms: int = 0,
    take_end_ms: int | None = None,
    complete: bool = True,
    unplayed: tuple = (),
) -> TakeReport:
    """Score ``table`` (a take's timeline) against ``script``.

    Every cue needs times (a timed script, or a teleprompter script with the times the take
    showed each line, see ``Script.with_times``). Script time 0 is timeline time
    ``offset_ms``. ``take_end_ms`` (timeline time) cuts lines short at the take's end,
    and a line starting at or after it is ``not_reached``; without it, the take is
    assumed to cover the whole script. ``complete=False`` marks a take cut short;
    ``unplayed`` are cues a teleprompter take never showed (``not_reached`` too).
    ``profile`` (an :class:`acting_mirror.core.profile.ExpressionProfile`) re-reads the
    emotions of frames with blendshapes with the actor's personal mapping (when it is
    ``usable``: it beat the CNN on the routine), and its
    relaxed baseline is taken off the face actions; ``table_of_actions`` replaces the
    bundled emotion -> face-action table.
    """
    if not script.has_times:
        raise ScriptError(
            f"{script.source or 'This script'} has no times, so a take cannot be scored "
            "against it; use a timed script, or the script saved with a teleprompter take.",
            problems=["the script's lines have no start and end times"],
        )
    frame_ms = estimate_frame_ms(table)
    rows = primary_rows(table)
    order = np.argsort(rows.time_ms, kind="stable")
    times = rows.time_ms[order]
    frames = rows.frame[order]
    probs = rows.probs[order].astype(np.float64)
    blend = rows.blendshapes[order] if rows.blendshapes is not None else None
    quality = rows.quality[order] if rows.quality is not None else None
    pose = rows.pose[order] if rows.pose is not None else None
    if calibration is not None and len(probs):
        probs = calibration.apply(probs).astype(np.float64)
    if profile is not None and profile.usable and blend is not None and len(probs):
        has = np.isfinite(blend).all(axis=1)
        if has.any():
            probs[has] = profile.predict(blend[has], rows.probs[order][has],
                                         None if pose is None else pose[has])
    top = np.argmax(probs, axis=1) if len(probs) else np.zeros(0, dtype=np.int64)
    levels = None
    if blend is not None and np.isfinite(blend).any():
        levels = action_matrix(blend, pose)
    act_table = table_of_actions or load_table()
    baseline = None if profile is None else profile.baseline

    lines = []
    weighted = 0.0
    total = 0
    for cue in script.cues:
        if not cue.scored:  # partner lines, stage directions, lines with no target
            continue
        start, end = int(cue.start_ms), int(cue.end_ms)  # type: ignore[arg-type]
        w0, w1 = start + offset_ms, end + offset_ms
        if take_end_ms is not None and w0 >= int(take_end_ms):
            lines.append(_not_reached(cue, start, end))
            continue
        if take_end_ms is not None:
            w1 = min(w1, int(take_end_ms))
        expected = int(round((w1 - w0) / frame_ms)) if w1 > w0 else 0
        lo, hi = np.searchsorted(times, w0, "left"), np.searchsorted(times, w1, "left")
        if w1 <= w0:
            hi = lo
        idx = np.arange(lo, hi)
        target_idx = [EMOTIONS.index(t) for t in cue.targets]
        n_face = int(np.unique(frames[idx]).size)
        face_fraction = min(1.0, n_face / max(expected, 1)) if expected else 0.0
        if n_face:
            hits = np.isin(top[idx], target_idx)
            on_target = float(hits.mean())
            mean_tp = float(np.minimum(probs[idx][:, target_idx].sum(axis=1), 1.0).mean())
            counts = np.bincount(top[idx], minlength=len(EMOTIONS))
            dominant = EMOTIONS[int(np.argmax(counts))]
            ttt = _time_to_target(times[idx] - offset_ms, hits, start, frame_ms)
        else:
            on_target, mean_tp, dominant, ttt = 0.0, None, None, None
        if face_fraction < MIN_FACE_FRACTION:
            verdict = "no_face"
        elif on_target >= HIT_ON_TARGET:
            verdict = "hit"
        elif on_target >= PARTIAL_ON_TARGET:
            verdict = "partial"
        else:
            verdict = "miss"
        duration = end - start
        weighted += (0.0 if verdict == "no_face" else on_target) * duration
        total += duration
        fa = tip = reading = None
        if levels is not None and n_face:
            fa, tip, reading = line_face_actions(levels[idx], cue.targets, dominant, act_table,
                                                 baseline)
        poor = _poor_picture(quality[idx]) if quality is not None and n_face else None
        lines.append(
            LineScore(cue.index, start, end, cue.targets, cue.text, on_target, mean_tp,
                      dominant, ttt, face_fraction, verdict, fa, tip, reading, poor)
        )
    end = int(take_end_ms) if take_end_ms is not None else (lines[-1].end_ms if lines else 0)
    lines.extend(_not_reached(cue, end, end) for cue in unplayed if cue.scored)
    score = weighted / total if total > 0 else 0.0
    return TakeReport(
        score=float(score), script=script.source, calibrated=calibration is not None,
        lines=tuple(lines), complete=complete,
        profile=None if profile is None else (profile.actor or "actor"),
        profile_mapping=profile is not None and profile.usable,
    )


MIN_ACTION_FRAMES = 3
"""A line needs this many frames with face actions to report them."""


def line_face_actions(levels: np.ndarray, targets: tuple[str, ...], dominant: str | None,
                      table: ActionTable, baseline: dict[str, float] | None = None,
                      ) -> tuple[tuple[dict, ...] | None, str | None, str | None]:
    """A line's ``face_actions``, face-action tip and face-action reading from its frames'
    action levels (``(n, len(ACTIONS))``, NaN rows skipped; in time order)."""
    ok = np.isfinite(levels).all(axis=1)
    if int(ok.sum()) < MIN_ACTION_FRAMES:
        return None, None, None
    lv = levels[ok]
    if baseline:
        base = np.clip(np.array([float(baseline.get(a, 0.0)) for a in ACTIONS]), 0.0, 0.9)
        lv = np.clip((lv - base) / (1.0 - base), 0.0, 1.0)
    median = dict(zip(ACTIONS, np.median(lv, axis=0).tolist()))
    last = dict(zip(ACTIONS, np.median(lv[len(lv) * 2 // 3:], axis=0).tolist()))
    target = targets[0] if len(targets) == 1 else best_emotion(median, table, among=targets)[0]
    entry = table.for_emotion(target)
    out, missing, late, against = [], [], [], []
    for action, wanted in entry.levels.items():
        seen = median[action]
        item = {"action": action, "wanted": round(wanted, 3), "seen": round(seen, 3)}
        if seen < wanted * MET_FRACTION:
            if last[action] >= wanted * MET_FRACTION:
                item["late"] = True
                late.append(action)
            else:
                missing.append(action)
        out.append(item)
    for action in opposed_to(target, table):
        if median[action] >= STRONG:
            out.append({"action": action, "wanted": 0.0, "seen": round(median[action], 3)})
            against.append(action)
    reading = best_emotion(median, table)[0]
    words = table.words
    parts = ([f"{words[a].noun} {words[a].low}" for a in missing]
             + [f"{words[a].noun} {words[a].late}" for a in late]
             + [f"{words[a].noun} {words[a].high}" for a in against])
    if parts:
        tries = [words[a].more for a in missing + late] + [words[a].less for a in against]
        tip = "; ".join(parts)
        tip = f"For {NOUNS[target]}: {tip}. Try: {', '.join(dict.fromkeys(tries))}."
    elif not entry.levels:
        tip = "The face stayed relaxed, as this line wants."
    else:
        tip = f"The face showed {NOUNS[target]}: every action it needs was there."
    if dominant is not None and reading != dominant:
        tip += (f" The emotion model read this line as {ADJECTIVES[dominant]}, but the face "
                f"actions look {ADJECTIVES[reading]}: the two disagree, so trust neither blindly.")
    return tuple(out), tip, reading


def _not_reached(cue, start: int, end: int) -> LineScore:
    return LineScore(cue.index, start, end, cue.targets, cue.text, 0.0, None, None, None,
                     0.0, "not_reached")
