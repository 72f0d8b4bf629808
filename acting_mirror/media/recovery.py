"""Repairing takes whose recording never closed cleanly (a kill, a crash, a power cut,
a full disk).

A take being written holds the marker :data:`~acting_mirror.core.takefiles.IN_PROGRESS`:
a JSON line (source, rate, detector, model) then one ``index time_ms`` line per frame
handed to the recorder, flushed with ``timeline.csv`` at least once a second. The k-th
line is the k-th frame of ``output.avi``, so the marker maps video frames to timeline
rows even when a camera skipped frames.

:func:`recover_take` then

1. makes ``output.avi`` seekable with a correct frame count: its index is rebuilt in
   place, no frame re-encoded (:mod:`acting_mirror.media.avirepair`); only an
   incomplete last chunk is cut; a file that cannot be patched is decoded and
   re-encoded instead;
2. cuts ``timeline.csv`` to the frames the video holds (in place, by truncation, so it
   works on a full disk), and drops a half-written last row;
3. rebuilds ``summary.json`` from the timeline with ``"complete": false`` and
   ``"interrupted": true`` (or the ``end_reason`` given, e.g. a full disk);
4. removes the marker last. Every step is idempotent: a recovery killed half-way is
   simply run again.

Frames the video holds beyond the last flushed timeline row (at most about a second)
are kept; they count in ``frames`` and have no timeline rows.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import os
from dataclasses import dataclass
from pathlib import Path

from acting_mirror.media import quiet_cv  # noqa: F401  (before cv2)

import cv2

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; a live take is then told apart by nothing
    fcntl = None  # type: ignore[assignment]

from acting_mirror.core.files import read_headed_pairs
from acting_mirror.core.summary import SummaryBuilder
from acting_mirror.core.takefiles import IN_PROGRESS, OUTPUT_AVI, SUMMARY_JSON, TIMELINE_CSV
from acting_mirror.core.timeline import TIMELINE_COLUMNS, read_timeline
from acting_mirror.audio.recorder import repair_take_audio
from acting_mirror.errors import ActingMirrorError, OutputError
from acting_mirror.media.avirepair import AviLayoutError, repair_avi

log = logging.getLogger(__name__)

RESERVE_FILE = ".reserve"
"""Space a recorder sets aside so a full disk still leaves room for the repair."""


@dataclass(frozen=True)
class Recovered:
    folder: Path
    frames: int  # frames the take holds now (the video's, or the timeline's without video)
    video_frames: int | None  # None: the take has no video
    timeline_frames: int  # frames with a known place in the timeline
    dropped_rows: int  # timeline rows past the video's end (or half-written) cut off
    repaired: bool  # False: the take needed nothing

    def line(self) -> str:
        if not self.repaired:
            return f"{self.folder}: nothing to repair ({self.frames} frames)."
        video = "no video" if self.video_frames is None else f"video {self.video_frames} frames"
        return (
            f"{self.folder}: repaired, keeps {self.frames} frames ({video}, timeline "
            f"{self.timeline_frames} frames, {self.dropped_rows} unusable rows cut); "
            f"marked interrupted."
        )


def needs_recovery(folder: Path | str) -> bool:
    """True for a take that did not close cleanly: it holds the in-progress marker, or a
    timeline without a summary (interrupted by an older version)."""
    folder = Path(folder)
    if (folder / IN_PROGRESS).is_file():
        return True
    return (folder / TIMELINE_CSV).is_file() and not (folder / SUMMARY_JSON).exists()


def lock_marker(fh) -> None:
    """Hold an exclusive advisory lock on an open marker while the take is recorded
    (released by the kernel when the recorder dies, however it dies)."""
    if fcntl is not None:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            pass  # a filesystem without locks: recording goes on regardless


def is_being_recorded(folder: Path | str) -> bool:
    """True while a live recorder (in any process) holds the take's marker."""
    if fcntl is None:
        return False
    try:
        fh = (Path(folder) / IN_PROGRESS).open("rb")
    except OSError:
        return False
    with fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        except OSError:
            return False
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        return False


def interrupted_takes(root: Path | str) -> list[Path]:
    """The takes in ``root`` (or ``root`` itself) that need :func:`recover_take` and are
    not being recorded right now: what the app repairs at launch."""
    return [t for t in find_takes(root) if needs_recovery(t) and not is_being_recorded(t)]


def find_takes(path: Path | str) -> list[Path]:
    """``path`` itself when it is a take folder, else the take folders directly in it."""
    path = Path(path)
    if _is_take(path):
        return [path]
    try:
        children = sorted(p for p in path.iterdir() if p.is_dir())
    except OSError:
        return []
    return [p for p in children if _is_take(p)]


def _is_take(folder: Path) -> bool:
    return any((folder / name).is_file() for name in (IN_PROGRESS, TIMELINE_CSV, OUTPUT_AVI))


# --------------------------------------------------------------------------- the marker


def read_marker(folder: Path) -> tuple[dict, list[tuple[int, int]]]:
    """The marker's metadata and its ``(frame index, time_ms)`` lines; a half-written
    last line is ignored. ``({}, [])`` when there is no readable marker."""
    return read_headed_pairs(Path(folder) / IN_PROGRESS, lambda a, b: (int(a), int(b)))


# --------------------------------------------------------------------------- video


def video_frame_count(path: Path) -> int:
    """Frames the (indexed) video declares, as a player sees them."""
    cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    try:
        return int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) if cap.isOpened() else 0
    finally:
        cap.release()


def repair_video(path: Path, *, cut_to: int | None = None) -> int:
    """Make the video at ``path`` seekable; returns the frames it holds, checked against
    what OpenCV then declares. Raises OutputError (one sentence) when it cannot."""
    try:
        try:
            result = repair_avi(path, keep_frames=cut_to)
        except OSError as exc:
            log.info("Rebuilding the index of %s in place failed (%s); dropping frames to fit.", path, exc)
            result = repair_avi(path, keep_frames=cut_to, no_growth=True)
    except AviLayoutError:
        return _reencode(path, cut_to)
    except OSError as exc:
        raise OutputError(f"Cannot repair {path}: {exc.strerror or exc}.") from exc
    declared = video_frame_count(path)
    if declared != result.frames:
        raise OutputError(
            f"Cannot repair {path}: it declares {declared} frames after the repair, not {result.frames}."
        )
    return result.frames


def _reencode(path: Path, cut_to: int | None) -> int:
    """Decode every readable frame and write them to a fresh indexed file (slow, lossy:
    only for files the in-place repair cannot handle)."""
    cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    if not cap.isOpened():
        raise OutputError(f"Cannot repair {path}: no frame can be read from it.")
    fps = cap.get(cv2.CAP_PROP_FPS)
    fps = fps if math.isfinite(fps) and 0 < fps <= 1000 else 30.0
    tmp = path.with_name(f".{path.name}.repair.avi")
    writer = None
    n = 0
    try:
        while cut_to is None or n < cut_to:
            ok, image = cap.read()
            if not ok or image is None:
                break
            if writer is None:
                h, w = image.shape[:2]
                writer = cv2.VideoWriter(str(tmp), cv2.CAP_FFMPEG, cv2.VideoWriter_fourcc(*"MJPG"), fps, (w, h))
                if not writer.isOpened():
                    raise OutputError(f"Cannot repair {path}: OpenCV cannot write {tmp}.")
            writer.write(image)
            n += 1
    finally:
        cap.release()
        if writer is not None:
            writer.release()
    if n == 0:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"Cannot repair {path}: no frame can be read from it.")
    if video_frame_count(tmp) != n:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"Cannot repair {path}: the rebuilt video is incomplete (is the disk full?).")
    os.replace(tmp, path)
    return n


# --------------------------------------------------------------------------- timeline


def _cut_timeline(path: Path, keep: set[int] | None, keep_below: int | None) -> int:
    """Truncate ``timeline.csv`` at its first row whose frame is not kept (rows are in
    recording order) or that is half-written. Returns the rows cut."""
    with path.open("r+b") as fh:
        data = fh.read()
        header_end = data.find(b"\n")
        if header_end < 0:  # not even a header: write one
            fh.seek(0)
            fh.truncate()
            fh.write((",".join(TIMELINE_COLUMNS) + "\r\n").encode())
            return 0
        offset = header_end + 1
        cut_at = None
        width = len(TIMELINE_COLUMNS)
        while offset < len(data):
            end = data.find(b"\n", offset)
            if end < 0:
                cut_at = offset  # a half-written last row
                break
            line = data[offset:end]
            try:
                row = next(csv.reader(io.StringIO(line.decode("utf-8"))))
                frame = int(row[0])
                ok = len(row) == width
            except (UnicodeDecodeError, ValueError, IndexError, StopIteration, csv.Error):
                ok, frame = False, -1
            if not ok or (keep is not None and frame not in keep) or (
                keep_below is not None and frame >= keep_below
            ):
                cut_at = offset
                break
            offset = end + 1
        if cut_at is None:
            return 0
        rest = data[cut_at:]
        dropped = rest.count(b"\n") + (0 if rest.endswith(b"\n") else 1)
        fh.truncate(cut_at)
        fh.flush()
        os.fsync(fh.fileno())
        return dropped


# --------------------------------------------------------------------------- summary


def rebuild_summary(
    folder: Path,
    frames: int,
    order: list[tuple[int, int]],
    meta: dict,
    *,
    end_reason: str,
    interrupted: bool,
) -> dict:
    """``summary.json`` for ``frames`` frames, from the timeline (core.summary's
    builder). ``order`` maps recording order to ``(frame index, time_ms)``."""
    table = read_timeline(folder / TIMELINE_CSV)
    fps = meta.get("fps")
    fps = float(fps) if isinstance(fps, (int, float)) and math.isfinite(fps) and fps > 0 else 0.0
    by_frame: dict[int, list[int]] = {}
    for row, frame in enumerate(table.frame.tolist()):
        by_frame.setdefault(frame, []).append(row)
    if not order:  # no marker: the timeline's own frames, in order
        order = [(int(f), int(table.time_ms[rows[0]])) for f, rows in sorted(by_frame.items())]
        if not fps and len(order) > 1:
            span = order[-1][1] - order[0][1]
            fps = 1000.0 * (len(order) - 1) / span if span > 0 else 0.0
    builder = SummaryBuilder(
        source_name=str(meta.get("source") or "unknown"),
        fps=fps,
        detector=str(meta.get("detector") or "unknown"),
        model=str(meta.get("model") or "unknown"),
    )
    period = 1000.0 / fps if fps else 1000.0 / 30.0
    last_ms = -1
    for k in range(frames):
        if k < len(order):
            index, t = order[k]
        else:  # a video frame past the last flushed line: no rows, time extrapolated
            index, t = -1, int(round(last_ms + period))
        last_ms = t
        rows = by_frame.get(index, [])
        ids = [int(table.face_id[r]) for r in rows]
        primary = [r for r in rows if table.primary[r]]
        if not primary and len(rows) == 1:
            primary = rows
        probs = table.probs[primary[0]] if primary else None
        builder.count_frame(t, ids, probs)
    seconds = 0.0
    started = meta.get("started_unix")
    try:
        if isinstance(started, (int, float)):
            seconds = max(0.0, (folder / IN_PROGRESS).stat().st_mtime - float(started))
    except OSError:
        pass
    return builder.build(seconds, complete=False, end_reason=end_reason, interrupted=interrupted)


def _write_json(path: Path, data: dict) -> None:
    """Write ``data`` through a temporary file; the temporary never outlives a failure."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            fh.write(json.dumps(data, indent=2, allow_nan=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------- recovery


def recover_take(
    folder: Path | str,
    *,
    end_reason: str = "interrupted",
    interrupted: bool = True,
    force: bool = False,
    keep_frames: int | None = None,
) -> Recovered:
    """Repair the take in ``folder`` (see the module doc). A take that closed cleanly is
    left alone unless ``force``. ``keep_frames`` (the recorder stopping itself after a
    write error) keeps at most that many frames: the count its timeline and marker are
    known to hold whole, so the video is cut to it too and every file agrees. Raises
    OutputError when it cannot be repaired."""
    folder = Path(folder)
    if not force and not needs_recovery(folder):
        summary = _read_summary(folder)
        return Recovered(folder, int(summary.get("frames", 0) or 0), None, 0, 0, repaired=False)
    if not force and is_being_recorded(folder):
        raise OutputError(f"The take in {folder} is still being recorded; it was left alone.")
    (folder / RESERVE_FILE).unlink(missing_ok=True)  # give the repair its space back
    (folder / f".{SUMMARY_JSON}.tmp").unlink(missing_ok=True)
    (folder / f"{SUMMARY_JSON}.tmp").unlink(missing_ok=True)  # older versions' litter
    meta, order = read_marker(folder)
    video = folder / OUTPUT_AVI
    timeline = folder / TIMELINE_CSV
    try:
        if not timeline.is_file():
            timeline.write_text(",".join(TIMELINE_COLUMNS) + "\n", encoding="utf-8")
        video_frames: int | None = None
        if video.is_file() and video.stat().st_size > 0:
            video_frames = repair_video(video, cut_to=keep_frames)
        elif video.is_file():
            video.unlink()  # zero bytes: not a video, nothing to keep
        if video_frames is not None:
            frames = video_frames
            known = order[:video_frames]
            if order:
                dropped = _cut_timeline(timeline, {i for i, _t in known}, None)
            else:  # no marker (an older take): assume frame index = video position
                dropped = _cut_timeline(timeline, None, video_frames)
                known = []
        else:
            if keep_frames is not None:  # the recorder's own count: exact, even when 0
                known = order[:keep_frames]
                dropped = _cut_timeline(timeline, {i for i, _t in known}, None)
                frames = len(known)
            else:
                known = order
                dropped = _cut_timeline(timeline, {i for i, _t in order} if order else None, None)
                frames = len(order) if order else len(set(read_timeline(timeline).frame.tolist()))
        summary = rebuild_summary(folder, frames, known, meta, end_reason=end_reason, interrupted=interrupted)
        repair_take_audio(folder)  # audio.wav: its header, then onto the take's clock
        _write_json(folder / SUMMARY_JSON, summary)
    except OSError as exc:
        raise OutputError(f"Cannot repair the take in {folder}: {exc.strerror or exc}.") from exc
    except ActingMirrorError as exc:
        raise OutputError(f"Cannot repair the take in {folder}: {exc}") from exc
    (folder / IN_PROGRESS).unlink(missing_ok=True)
    timeline_frames = len(known) if known else len(set(read_timeline(timeline).frame.tolist()))
    return Recovered(folder, frames, video_frames, timeline_frames, dropped, repaired=True)


def _read_summary(folder: Path) -> dict:
    try:
        data = json.loads((folder / SUMMARY_JSON).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}

