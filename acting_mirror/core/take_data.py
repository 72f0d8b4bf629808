"""A take folder read once for review: its video's frame times, the timeline's rows, the
main face's curves (broken where the face was missing), its summary, script and report.
Reading the video itself is the caller's (``probe_video``: ``media.take_video``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from acting_mirror.core.files import read_json_object
from acting_mirror.core.scoring import TakeReport, estimate_frame_ms, primary_rows
from acting_mirror.core.script import Cue, Script
from acting_mirror.core.take_script import TakeScript, read_take_script
from acting_mirror.core.takefiles import OUTPUT_AVI, REPORT_JSON, SUMMARY_JSON, TIMELINE_CSV
from acting_mirror.core.timeline import TimelineTable, read_timeline
from acting_mirror.errors import ScriptError, SourceError

log = logging.getLogger(__name__)

DEFAULT_FPS = 30.0

VideoProbe = Callable[[Path], tuple[int, float]]
"""``(frame count, frames per second)`` of a video file; ``(0, 0.0)`` when unreadable."""


@dataclass
class TakeData:
    """What a take folder holds, read once. ``frame_times_ms[k]`` is the take time of
    video frame ``k`` (from the timeline; interpolated for frames without a face)."""

    folder: Path
    video_path: Path | None
    n_frames: int
    fps: float
    frame_times_ms: np.ndarray  # float64, (n_frames,)
    table: TimelineTable  # every row, times already relative to the take's frame 0
    curve_times_ms: np.ndarray  # primary face, sorted
    curve_probs: np.ndarray  # (n, 7) float32, NaN rows at gaps
    summary: dict
    take_script: TakeScript | None
    report: TakeReport | None
    script_problem: str | None = None

    @property
    def duration_ms(self) -> float:
        if self.n_frames == 0:
            return 0.0
        return float(self.frame_times_ms[-1] + 1000.0 / self.fps)


def load_take(folder: Path | str, *, probe_video: VideoProbe) -> TakeData:
    """Read the take in ``folder``; SourceError (one sentence) when it is not a take.
    ``probe_video(path)`` gives the frame count and rate of the take's video (0, 0.0 when
    it cannot be read): ``media.take_video.video_frames``."""
    folder = Path(folder)
    timeline = folder / TIMELINE_CSV
    video = folder / OUTPUT_AVI
    if not folder.is_dir():
        raise SourceError(f"{folder} is not a folder.")
    if not timeline.is_file():
        raise SourceError(f"{folder} is not an Acting Mirror take (it has no {TIMELINE_CSV}).")
    table = read_timeline(timeline)
    summary = read_json_object(folder / SUMMARY_JSON)
    n_video, video_fps = probe_video(video) if video.is_file() else (0, 0.0)
    fps = float(summary.get("fps") or 0) or video_fps or DEFAULT_FPS
    if not (0 < fps <= 1000):
        fps = DEFAULT_FPS
    period = 1000.0 / fps

    # video frame k <-> timeline frame index: takes number frames from 0; a take whose
    # indices start later (recorded from the middle of a source) is counted from its first
    frames_known = np.unique(table.frame)
    n = n_video or int(summary.get("frames") or 0) or (int(frames_known.max()) + 1 if frames_known.size else 0)
    first = int(frames_known.min()) if frames_known.size else 0
    offset = first if frames_known.size and int(frames_known.max()) >= n else 0
    if frames_known.size:
        ks = frames_known - offset
        ts = np.array([table.time_ms[table.frame == f].min() for f in frames_known], dtype=np.float64)
        k = np.arange(n, dtype=np.float64)
        times = np.interp(k, ks, ts)
        times[k < ks[0]] = ts[0] - (ks[0] - k[k < ks[0]]) * period
        times[k > ks[-1]] = ts[-1] + (k[k > ks[-1]] - ks[-1]) * period
        origin = float(times[0]) if n else float(ts[0])
    else:
        times = np.arange(n, dtype=np.float64) * period
        origin = 0.0
    times = times - origin
    if origin:
        table = TimelineTable(table.frame - offset, table.time_ms - int(round(origin)),
                              table.face_id, table.primary, table.boxes, table.probs,
                              table.blendshapes, table.pose, table.quality)

    rows = primary_rows(table)
    order = np.argsort(rows.time_ms, kind="stable")
    curve_t = rows.time_ms[order].astype(np.float64)
    curve_p = rows.probs[order].astype(np.float32)
    if curve_t.size > 1:  # break the curves where the face was missing
        gap = 2.5 * estimate_frame_ms(table)
        breaks = np.nonzero(np.diff(curve_t) > gap)[0]
        if breaks.size:
            curve_t = np.insert(curve_t, breaks + 1, curve_t[breaks] + gap / 2)
            curve_p = np.insert(curve_p, breaks + 1, np.nan, axis=0)

    take_script, problem = None, None
    try:
        take_script = read_take_script(folder)
    except ScriptError as exc:
        problem = str(exc)
    report = None
    data = read_json_object(folder / REPORT_JSON)
    if data:
        try:
            report = TakeReport.from_dict(data)
        except (KeyError, TypeError, ValueError) as exc:
            log.warning("Ignoring %s: %s", folder / REPORT_JSON, exc)
    return TakeData(
        folder=folder, video_path=video if n_video else None, n_frames=n, fps=fps,
        frame_times_ms=times, table=table, curve_times_ms=curve_t, curve_probs=curve_p,
        summary=summary, take_script=take_script, report=report, script_problem=problem,
    )


def script_of_report(report: TakeReport) -> Script:
    """The timed script a report was scored against (its lines carry the times)."""
    cues = tuple(
        Cue(i, line.start_ms, line.end_ms, tuple(line.targets), line.text)
        for i, line in enumerate(report.lines)
    )
    return Script(cues, timed=True, source=report.script)


__all__ = ["TakeData", "load_take", "script_of_report", "VideoProbe", "DEFAULT_FPS"]
