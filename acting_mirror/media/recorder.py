"""Recording a take: ``output.avi`` (annotated video), ``timeline.csv`` and ``summary.json``.

A take of one still image (``still=True``) writes the annotated picture as ``output.png``
instead of a one-frame video.

Video frames are encoded on a background thread so the caller (the analysis loop) is
not held up by JPEG encoding. The hand-over uses a fixed pool of frame buffers: when
all are in flight ``write`` waits, it never drops a frame, so every frame written
offline lands in the file.

Crash safety: while a take is written its folder holds the marker ``.in-progress`` (see
:mod:`acting_mirror.media.recovery`), removed only by a clean close, after
``summary.json`` is in place. ``timeline.csv`` and the marker are flushed at least once
per second of frames and once per second of wall time, and fsynced every few seconds,
so a kill loses at most about a second of timeline. The video is made seekable by
``acting-mirror recover``; a kill loses its frames still in the encoder's queue
(``queue_size``, the one being encoded included), those wholly in FFmpeg's output
buffer (:data:`WRITER_BUFFER_BYTES`, written out only when full) and the one it was
writing out: :func:`video_lag_bound` frames behind the last flushed marker line.

Disk: free space is checked before the first frame (:func:`~acting_mirror.media.takes.
check_free_space`) and at every flush; a full disk, a file size limit (EFBIG) or a
vanished folder stops the take cleanly: the recorder repairs it at once (every file
agreeing on the frame count, ``summary.json`` marked ``"complete": false``) and raises
OutputError saying what was kept.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import logging
import math
import os
import queue
import threading
import time
from collections import deque
from pathlib import Path

try:
    import resource
except ImportError:  # Windows
    resource = None  # type: ignore[assignment]

from acting_mirror.media import quiet_cv  # noqa: F401  (before cv2)

import cv2
import numpy as np

from acting_mirror.core import takefiles
from acting_mirror.core.summary import SummaryBuilder
from acting_mirror.core.timeline import TIMELINE_COLUMNS, timeline_rows
from acting_mirror.core.types import FrameResult
from acting_mirror.errors import OutputError
from acting_mirror.media.recovery import RESERVE_FILE, lock_marker, recover_take
from acting_mirror.media.takes import MIN_FREE_BYTES, check_free_space, free_bytes

log = logging.getLogger(__name__)

VIDEO_FILE = takefiles.OUTPUT_AVI
PICTURE_FILE = takefiles.OUTPUT_PNG
TIMELINE_FILE = takefiles.TIMELINE_CSV
SUMMARY_FILE = takefiles.SUMMARY_JSON
TAKE_FILES = takefiles.TAKE_FILES
MARKER_FILE = takefiles.IN_PROGRESS

RUNNING_FREE_BYTES = 8 * 1024 * 1024
"""Below this much free space a running take stops (room left for its repair)."""
_RESERVE_BYTES = 1024 * 1024  # set aside for the index and summary of a full disk
_FSYNC_EVERY_S = 5.0

WRITER_BUFFER_BYTES = 256 * 1024
"""FFmpeg's output buffer behind ``cv2.VideoWriter``: the file grows in steps of this
size, so this much encoded video lives only in the process until the next step (a kill
loses it). Measured, and checked by tests/media/test_writer_buffer.py."""


def video_lag_bound(queue_size: int, min_frame_bytes: int) -> int:
    """The most frames the video on disk can be behind the frames handed to ``write``:
    the encoder's pool of ``queue_size`` buffers (the frame being encoded among them),
    the frames wholly inside FFmpeg's output buffer, and the one cut across its edge.
    ``min_frame_bytes``: the smallest encoded frame (small frames: many fit)."""
    return int(queue_size) + WRITER_BUFFER_BYTES // max(1, int(min_frame_bytes)) + 1

_FOURCC = cv2.VideoWriter_fourcc(*"MJPG")
_WRITER_APIS = (cv2.CAP_FFMPEG, cv2.CAP_OPENCV_MJPEG)
_GROWTH_CHECK_EVERY = 64  # frames between looks at the file size
_GROWTH_WINDOW = 256  # even tiny MJPEG frames (>= ~600 B) outgrow write buffers by then
_WAIT_S = 0.5  # how often a blocked write() looks whether the encoder died


class _FrameLog:
    """An append-only file that knows how many whole frames of it are on disk.

    Each frame's bytes are appended to a memory buffer and the frame's end offset is
    remembered; :meth:`flush` hands the buffer to the OS with ``os.write``. The file is
    therefore always a prefix of what was appended, even after ENOSPC or EFBIG cut a
    write short (the unwritten bytes stay in the buffer, a later flush goes on from
    there: no hole, unlike Python's buffered text files, which may drop a buffer
    whose write failed), and :attr:`durable_frames` is exact: the frames whose last
    byte the OS accepted. A full disk is then cut to a frame count every file holds.
    """

    _AUTO_FLUSH = 1 << 20  # bytes held before a flush is due whatever the clock says

    def __init__(self, path: Path):
        self.path = path
        self._fh = path.open("xb", buffering=0)
        self._pending = bytearray()
        self._appended = 0  # bytes appended so far
        self._on_disk = 0  # bytes the OS accepted
        self._ends: deque[int] = deque()  # end offsets of frames not wholly on disk yet
        self.durable_frames = 0
        self.closed = False

    def fileno(self) -> int:
        return self._fh.fileno()

    def append(self, data: bytes, *, frame: bool = True) -> None:
        """Append ``data``; ``frame`` False for a header (not counted as a frame)."""
        self._pending += data
        self._appended += len(data)
        if frame:
            self._ends.append(self._appended)
        else:
            self._settle()

    @property
    def pending_bytes(self) -> int:
        return len(self._pending)

    def flush(self) -> None:
        """Write everything appended; raises OSError with what did not fit still held."""
        while self._pending:
            n = os.write(self._fh.fileno(), self._pending)
            if n <= 0:  # not seen on Linux; never loop forever
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            del self._pending[:n]
            self._on_disk += n
            self._settle()

    def _settle(self) -> None:
        while self._ends and self._ends[0] <= self._on_disk:
            self._ends.popleft()
            self.durable_frames += 1

    def fsync(self) -> None:
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._fh.close()


def _to_bgr_uint8(image: np.ndarray) -> np.ndarray:
    if image.dtype != np.uint8:
        if np.issubdtype(image.dtype, np.floating):
            image = np.clip(image * (255.0 if image.max(initial=0) <= 1.0 else 1.0), 0, 255)
        else:
            image = np.clip(image, 0, 255)
        image = image.astype(np.uint8)
    if image.ndim == 2 or image.shape[2] == 1:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    return image


class _CriticalSection:
    """Where a stop signal must wait: writing one frame (video, timeline, marker and
    summary must all get it or none) and closing a take. A signal handler running in
    the main thread while :attr:`busy` calls :meth:`defer` with what to raise; the
    exception is raised as the outermost section ends (see commands/process.py)."""

    def __init__(self) -> None:
        self._depth = 0
        self._pending: BaseException | None = None

    @property
    def busy(self) -> bool:
        return self._depth > 0

    def defer(self, exc: BaseException) -> None:
        if self._pending is None:
            self._pending = exc

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self._depth += 1
        return self

    def __exit__(self, *exc_info) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        self._depth -= 1
        if self._depth == 0 and self._pending is not None:
            pending, self._pending = self._pending, None
            if exc_info[0] is None:
                raise pending


CRITICAL = _CriticalSection()
"""The recorder's critical section; only the main thread's sections count (signal
handlers run there)."""


class TakeRecorder:
    """Writes one take into ``folder`` (created if missing; existing take files are
    never overwritten).

    ``fps`` is the source's rate, used for ``output.avi``. The video's frame size is the
    first frame's; later frames of another size are resized to it. ``summary`` is
    updated with every frame and saved as ``summary.json`` on close (``None``: no
    summary). ``still``: the take is one still image; its annotated picture is written as
    ``output.png`` on close (no ``output.avi``). Raises OutputError (one sentence) when the
    files cannot be written.
    """

    def __init__(
        self,
        folder: Path | str,
        fps: float,
        *,
        write_video: bool = True,
        summary: SummaryBuilder | None,
        queue_size: int = 8,
        flush_every: int | None = None,
        flush_seconds: float = 1.0,
        min_free_bytes: int = MIN_FREE_BYTES,
        source_name: str | None = None,
        still: bool = False,
    ):
        self.folder = Path(folder)
        self.still = bool(still)
        self.picture_path = self.folder / PICTURE_FILE
        self._picture: np.ndarray | None = None
        self.fps = float(fps) if math.isfinite(fps) and 0 < fps <= 1000 else 30.0
        if self.fps < 1.0:
            # AVI stores the rate as a whole number of frames per second: a slideshow
            # under 1 fps (one photo every 2 s) is written at 1 fps, its times stay
            # exact in timeline.csv and summary.json.
            self.fps = 1.0
        self.write_video = write_video
        self.summary = summary
        self.video_path = self.folder / VIDEO_FILE
        self.timeline_path = self.folder / TIMELINE_FILE
        self.summary_path = self.folder / SUMMARY_FILE
        self.marker_path = self.folder / MARKER_FILE
        self._queue_size = max(1, int(queue_size))
        # at least once per second of frames, whatever the rate
        self._flush_every = max(1, int(flush_every) if flush_every else math.ceil(self.fps))
        self._flush_seconds = float(flush_seconds)
        self._unflushed = 0
        self._last_flush = time.monotonic()
        self._last_fsync = self._last_flush
        self._failure: OutputError | None = None
        self.complete = True
        self.end_reason: str | None = None
        self._started = time.perf_counter()
        self._frames_recorded = 0
        self._frames_written = 0
        self._closed = False
        self._error: OutputError | None = None
        self._writer: cv2.VideoWriter | None = None
        self._size: tuple[int, int] | None = None  # (width, height)
        self._free: queue.Queue[np.ndarray] = queue.Queue()
        self._work: queue.Queue[np.ndarray | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self.summary_dict: dict | None = None
        self.encode_ms: deque[float] = deque(maxlen=10_000)  # recent encode times, for bench

        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"Cannot create the take folder {self.folder}: {exc.strerror or exc}.") from exc
        existing = [name for name in (*TAKE_FILES, MARKER_FILE) if (self.folder / name).exists()]
        if existing:
            raise OutputError(
                f"The folder {self.folder} already holds {existing[0]}; choose a new take folder."
            )
        check_free_space(self.folder, min_free_bytes)
        self._size_limit = _file_size_limit()
        meta = {
            "format": 1,
            "source": source_name or (summary.source_name if summary is not None else None),
            "fps": summary.fps if summary is not None and summary.fps > 0 else self.fps,
            "detector": summary.detector if summary is not None else None,
            "model": summary.model if summary is not None else None,
            "write_video": bool(write_video),
            "started_unix": round(time.time(), 3),
        }
        try:
            self._marker = _FrameLog(self.marker_path)
            lock_marker(self._marker)  # `recover` leaves a take alone while this is held
            self._marker.append((json.dumps(meta) + "\n").encode("utf-8"), frame=False)
            self._marker.flush()
            self._csv_file = _FrameLog(self.timeline_path)
            self._csv_text = io.StringIO()
            self._csv = csv.writer(self._csv_text)
            self._csv.writerow(TIMELINE_COLUMNS)
            self._csv_file.append(self._take_csv_text(), frame=False)
            self._csv_file.flush()
        except OSError as exc:
            self._discard_marker()
            if getattr(self, "_csv_file", None) is not None:
                self._csv_file.close()
                self.timeline_path.unlink(missing_ok=True)
            raise OutputError(f"Cannot write a take in {self.folder}: {exc.strerror or exc}.") from exc
        self._reserve()

    def _take_csv_text(self) -> bytes:
        text = self._csv_text.getvalue()
        self._csv_text.seek(0)
        self._csv_text.truncate()
        return text.encode("utf-8")

    # ------------------------------------------------------------------ properties

    @property
    def frames_written(self) -> int:
        """Frames encoded into ``output.avi`` so far (0 when video is off)."""
        return self._frames_written

    @property
    def frames_recorded(self) -> int:
        """Calls to ``write`` so far (rows of every frame are in ``timeline.csv``)."""
        return self._frames_recorded

    @property
    def closed(self) -> bool:
        return self._closed

    # ------------------------------------------------------------------ writing

    def write(self, result: FrameResult, annotated: np.ndarray | None = None) -> None:
        """Record one analysed frame; ``annotated`` (or the raw frame) goes to the video.

        Blocks while the encoder is behind by ``queue_size`` frames. The array is
        copied, so the caller may reuse it at once. A stop signal arriving meanwhile
        (see :data:`CRITICAL`) takes effect once the frame is wholly recorded.
        """
        with CRITICAL:
            self._write(result, annotated)

    def _write(self, result: FrameResult, annotated: np.ndarray | None) -> None:
        if self._closed:
            if self._failure is not None:
                raise self._failure
            raise OutputError(f"The take in {self.folder} is already closed.")
        if self._error is not None:
            self._stop(self._error)
        try:
            if self.write_video and self.still:
                self._picture = _to_bgr_uint8(
                    annotated if annotated is not None else result.frame.image).copy()
            elif self.write_video:
                self._enqueue(annotated if annotated is not None else result.frame.image)
            # one whole frame to each log (kept in memory until the next flush)
            self._csv.writerows(timeline_rows(result))
            self._csv_file.append(self._take_csv_text())
            self._marker.append(f"{int(result.frame.index)} {int(result.frame.time_ms)}\n".encode())
        except OSError as exc:
            self._stop(_disk_error(self.timeline_path, exc))
        except OutputError as exc:
            self._stop(exc)
        self._frames_recorded += 1
        if self.summary is not None:
            self.summary.update(result)
        self._unflushed += 1
        if self._size_limit is not None:
            self._check_size_limit()
        now = time.monotonic()
        if (
            self._unflushed >= self._flush_every
            or now - self._last_flush >= self._flush_seconds
            or self._csv_file.pending_bytes >= _FrameLog._AUTO_FLUSH
        ):
            self._flush(now)

    def _flush(self, now: float) -> None:
        """Timeline then marker to the OS (a kill keeps them), fsync every few seconds
        (a power cut keeps them), and a look at the disk."""
        try:
            self._csv_file.flush()
            self._marker.flush()
            if now - self._last_fsync >= _FSYNC_EVERY_S:
                os.fsync(self._csv_file.fileno())
                os.fsync(self._marker.fileno())
                self._last_fsync = now
        except OSError as exc:
            self._stop(_disk_error(self.timeline_path, exc))
        self._unflushed = 0
        self._last_flush = now
        if not self.folder.is_dir():
            self._stop(OutputError(f"The take folder {self.folder} has vanished"))
        free = free_bytes(self.folder)
        if free is not None and free < RUNNING_FREE_BYTES:
            self._stop(OutputError(f"The disk holding {self.folder} is full"))

    def _check_size_limit(self) -> None:
        """Under a file size limit (``ulimit -f``) stop before a file reaches it: the
        video's frames still queued, and its index, must fit."""
        for path, count in ((self.video_path, self._frames_written), (self.timeline_path, self._frames_recorded)):
            try:
                size = path.stat().st_size
            except OSError:
                continue
            per_frame = size / max(count, 1)
            if size + (self._queue_size + 2) * per_frame + 16 * count + 64 * 1024 > self._size_limit:
                self._stop(OutputError(f"{path} reached the file size limit"))

    def _enqueue(self, image: np.ndarray) -> None:
        if self._writer is None:
            self._open_video(image)
        buf = self._take_buffer()
        width, height = self._size
        src = image
        if src.dtype != np.uint8 or src.ndim != 3 or src.shape[2] != 3:
            src = _to_bgr_uint8(src)
        if src.shape[0] != height or src.shape[1] != width:
            cv2.resize(src, (width, height), dst=buf, interpolation=cv2.INTER_AREA)
        else:
            np.copyto(buf, src)
        self._work.put(buf)

    def _take_buffer(self) -> np.ndarray:
        while True:
            try:
                return self._free.get(timeout=_WAIT_S)
            except queue.Empty:
                self._raise_pending()
                if self._thread is None or not self._thread.is_alive():
                    raise OutputError(f"Writing {self.video_path} stopped unexpectedly.")

    def _open_video(self, image: np.ndarray) -> None:
        height, width = int(image.shape[0]), int(image.shape[1])
        if width < 1 or height < 1:
            raise OutputError(f"Cannot write {self.video_path}: the frame is empty.")
        writer = None
        for api in _WRITER_APIS:
            candidate = cv2.VideoWriter(str(self.video_path), api, _FOURCC, self.fps, (width, height))
            if candidate.isOpened():
                writer = candidate
                break
            candidate.release()
        if writer is None:
            raise OutputError(f"Cannot write {self.video_path}: OpenCV could not start an MJPG video.")
        self._writer = writer
        self._size = (width, height)
        for _ in range(self._queue_size):
            self._free.put(np.empty((height, width, 3), dtype=np.uint8))
        self._thread = threading.Thread(target=self._encode_loop, name="take-video-writer", daemon=True)
        self._thread.start()

    def _encode_loop(self) -> None:
        writer = self._writer
        # VideoWriter.write reports nothing: a file that stops growing means a full disk.
        sizes: deque[int] = deque(maxlen=_GROWTH_WINDOW // _GROWTH_CHECK_EVERY + 1)
        while True:
            buf = self._work.get()
            if buf is None:
                return
            if self._error is None:
                try:
                    t0 = time.perf_counter()
                    writer.write(buf)
                    self.encode_ms.append((time.perf_counter() - t0) * 1e3)
                    self._frames_written += 1
                    if self._frames_written % _GROWTH_CHECK_EVERY == 0:
                        sizes.append(self.video_path.stat().st_size)
                        stalled = len(sizes) == sizes.maxlen and sizes[-1] <= sizes[0]
                        if stalled or not writer.isOpened():
                            self._error = OutputError(
                                f"Writing {self.video_path} failed: the file stopped growing; "
                                f"is the disk full?"
                            )
                except (cv2.error, OSError) as exc:
                    self._error = OutputError(f"Writing {self.video_path} failed: {exc}.")
            self._free.put(buf)

    def _raise_pending(self) -> None:
        if self._error is not None:
            self._stop(self._error)

    def _reserve(self) -> None:
        """Set aside a little space so a full disk still leaves room for the repair."""
        try:
            with (self.folder / RESERVE_FILE).open("xb") as fh:
                if hasattr(os, "posix_fallocate"):
                    os.posix_fallocate(fh.fileno(), 0, _RESERVE_BYTES)
                else:
                    fh.write(b"\0" * _RESERVE_BYTES)
        except OSError:  # a tiny disk or a file size limit: do without
            (self.folder / RESERVE_FILE).unlink(missing_ok=True)

    def _discard_marker(self) -> None:
        marker = getattr(self, "_marker", None)
        if marker is not None:
            try:
                marker.close()
            except OSError:
                pass
        self.marker_path.unlink(missing_ok=True)

    @property
    def _frames_on_disk(self) -> int:
        """Frames wholly in both the timeline and the marker as far as the OS knows."""
        return min(self._csv_file.durable_frames, self._marker.durable_frames)

    def _shut_down_files(self, *, release_reserve: bool = False) -> list[OutputError]:
        """Drain the encoder, flush and close the timeline and marker, release the video.

        ``release_reserve`` (a take stopped by a write error): the reserve file is
        removed after the video's queued frames are drained and before the logs are
        flushed, so what the drain could not write does not take the room the logs and
        the video's index need."""
        errors: list[OutputError] = []
        if self._thread is not None:
            self._work.put(None)
            self._thread.join()
            self._thread = None
        if release_reserve:
            (self.folder / RESERVE_FILE).unlink(missing_ok=True)
        for fh in (self._csv_file, self._marker):
            if fh.closed:
                continue
            try:
                fh.flush()
                fh.fsync()
            except OSError as exc:
                errors.append(_disk_error(fh.path, exc))
                if not release_reserve:
                    continue  # left open: the stop that follows tries again with the reserve freed
            try:
                fh.close()
            except OSError as exc:
                errors.append(_disk_error(fh.path, exc))
        if self._writer is not None:
            self._writer.release()
        if self._error is not None:
            errors.insert(0, self._error)
            self._error = None
        return errors

    def _stop(self, cause: OutputError) -> None:
        """Stop the take after a write error: repair it into a consistent, shorter take
        and raise OutputError saying what it keeps. Never returns."""
        if self._closed and self._failure is not None:
            raise self._failure
        self._closed = True
        self._shut_down_files(release_reserve=True)
        reason = str(cause).rstrip(".")
        if not self.folder.is_dir():
            self._failure = OutputError(f"{reason}; nothing of the take is left.")
            raise self._failure from cause
        try:
            # Keep only the frames every file holds: the timeline's and the marker's
            # whole frames on disk (known exactly, see _FrameLog), then the video's.
            kept = recover_take(
                self.folder,
                end_reason=reason,
                interrupted=False,
                force=True,
                keep_frames=self._frames_on_disk,
            )
        except OutputError as exc:
            self._failure = OutputError(
                f"{reason}; the take in {self.folder} could not be repaired ({exc}); "
                f"run acting-mirror recover on it once there is space."
            )
            raise self._failure from cause
        self.summary_dict = json.loads((self.folder / SUMMARY_FILE).read_text(encoding="utf-8"))
        self.complete = False
        self.end_reason = reason
        seconds = kept.frames / self.fps
        self._failure = OutputError(
            f"{reason}: the take in {self.folder} keeps its first {kept.frames} frames "
            f"({seconds:.1f} s), every file agreeing."
        )
        raise self._failure from cause

    # ------------------------------------------------------------------ closing

    def close(
        self,
        processing_seconds: float | None = None,
        *,
        complete: bool = True,
        end_reason: str | None = None,
    ) -> dict | None:
        with CRITICAL:
            return self._close(processing_seconds, complete=complete, end_reason=end_reason)

    def _close(
        self,
        processing_seconds: float | None,
        *,
        complete: bool,
        end_reason: str | None,
    ) -> dict | None:
        """Finish the take: drain and close the video, flush the timeline, save the
        summary, and only then remove the in-progress marker. Returns the summary dict
        (``None`` without a summary builder). ``processing_seconds`` defaults to the time
        since the recorder was created. ``complete=False`` with an ``end_reason``
        ("truncated", "dropped", "stalled", "camera lost"...) marks a take whose input
        ended early. Safe to call twice; after a write error (the take was already
        repaired and the error raised) it returns the repaired summary."""
        if self._closed:
            return self.summary_dict
        self._closed = True
        if processing_seconds is None:
            processing_seconds = time.perf_counter() - self._started
        errors = self._shut_down_files()
        if self._writer is not None and not errors:
            stored = self._count_video_frames()
            if stored != self._frames_written:
                errors.append(
                    OutputError(
                        f"{self.video_path} holds {stored} frames but {self._frames_written} "
                        f"were written"
                    )
                )
        if errors:
            self._closed = False
            self._stop(errors[0])
        (self.folder / RESERVE_FILE).unlink(missing_ok=True)
        if self._picture is not None:
            self._write_picture()
        self.complete = bool(complete)
        self.end_reason = None if complete else (end_reason or "ended early")
        if self.summary is not None:
            self.summary_dict = self.summary.build(
                processing_seconds, complete=self.complete, end_reason=self.end_reason
            )
            tmp = self.folder / f".{SUMMARY_FILE}.tmp"
            try:
                with tmp.open("w", encoding="utf-8") as fh:
                    fh.write(json.dumps(self.summary_dict, indent=2, allow_nan=False) + "\n")
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, self.summary_path)
            except OSError as exc:
                tmp.unlink(missing_ok=True)
                self._closed = False
                self._stop(_disk_error(self.summary_path, exc))
        self.marker_path.unlink(missing_ok=True)
        return self.summary_dict

    def _write_picture(self) -> None:
        """``output.png``, written whole or not at all."""
        tmp = self.folder / f".{PICTURE_FILE}.tmp.png"
        try:
            ok = cv2.imwrite(str(tmp), self._picture)
            if not ok:
                raise OSError(errno.EIO, "OpenCV could not encode the picture")
            os.replace(tmp, self.picture_path)
        except (OSError, cv2.error) as exc:
            tmp.unlink(missing_ok=True)
            raise OutputError(f"Cannot write {self.picture_path}: "
                              f"{getattr(exc, 'strerror', None) or exc}.") from exc

    def finish(
        self,
        processing_seconds: float | None = None,
        *,
        complete: bool = True,
        end_reason: str | None = None,
    ) -> dict | None:
        """Same as :meth:`close`; reads well as the last step inside a ``with`` block."""
        return self.close(processing_seconds, complete=complete, end_reason=end_reason)

    def _count_video_frames(self) -> int:
        """The frame count the finished file declares (read from its index, cheap)."""
        cap = cv2.VideoCapture(str(self.video_path), cv2.CAP_FFMPEG)
        try:
            if not cap.isOpened():
                return 0
            return int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
        finally:
            cap.release()

    def __enter__(self) -> "TakeRecorder":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
            return
        if self._frames_recorded == 0 and self._failure is None:
            self.discard()  # nothing was recorded: leave the folder as it was found
            return
        reason = "interrupted" if issubclass(exc_type, KeyboardInterrupt) else "stopped by an error"
        try:  # keep what was recorded, but let the original exception through
            self.close(complete=False, end_reason=reason)
        except OutputError as error:
            log.info("Closing the take after an error also failed: %s", error)


    def discard(self) -> None:
        """Stop and remove every file this recorder made (for a take with nothing worth
        keeping: a run that failed before its first frame). The folder itself stays:
        an ``--out`` folder that was empty is empty again."""
        if not self._closed:
            self._closed = True
            self._shut_down_files()
        for fh in (self._csv_file, self._marker):
            fh.close()
        for name in (VIDEO_FILE, PICTURE_FILE, TIMELINE_FILE, SUMMARY_FILE, MARKER_FILE, RESERVE_FILE,
                     f".{SUMMARY_FILE}.tmp"):
            try:
                (self.folder / name).unlink(missing_ok=True)
            except OSError:
                pass
        self.summary_dict = None


def _file_size_limit() -> int | None:
    """The process's file size limit (``ulimit -f``) in bytes, ``None`` when unlimited."""
    if resource is None:
        return None
    soft, _hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    return None if soft == resource.RLIM_INFINITY else int(soft)


def _disk_error(path: Path, exc: OSError) -> OutputError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return OutputError(f"The disk holding {path.parent} is full")
    if exc.errno == errno.EFBIG:
        return OutputError(f"{path} reached the file size limit")
    if exc.errno == errno.ENOENT:
        return OutputError(f"The take folder {path.parent} has vanished")
    return OutputError(f"Cannot write {path}: {exc.strerror or exc}")
