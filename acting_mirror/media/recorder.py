"""Recording a take: ``output.avi`` (annotated video), ``timeline.csv`` and ``summary.json``.

Video frames are encoded on a background thread so the caller (the analysis loop) is
not held up by JPEG encoding. The hand-over uses a fixed pool of frame buffers: when
all are in flight ``write`` waits, it never drops a frame, so every frame written
offline lands in the file. ``timeline.csv`` is written as frames arrive and flushed
every few frames, so a crash keeps what was recorded.
"""

from __future__ import annotations

import csv
import json
import logging
import math
import os
import queue
import threading
import time
from collections import deque
from pathlib import Path

import cv2
import numpy as np

from acting_mirror.core.summary import SummaryBuilder
from acting_mirror.core.takefiles import OUTPUT_AVI, SUMMARY_JSON, TIMELINE_CSV
from acting_mirror.core.timeline import TIMELINE_COLUMNS, timeline_rows
from acting_mirror.core.types import FrameResult
from acting_mirror.errors import OutputError

log = logging.getLogger(__name__)

TAKE_FILES = (OUTPUT_AVI, TIMELINE_CSV, SUMMARY_JSON)

_FOURCC = cv2.VideoWriter_fourcc(*"MJPG")
_WRITER_APIS = (cv2.CAP_FFMPEG, cv2.CAP_OPENCV_MJPEG)
_GROWTH_CHECK_EVERY = 64  # frames between looks at the file size
_GROWTH_WINDOW = 256  # even tiny MJPEG frames (>= ~600 B) outgrow write buffers by then
_WAIT_S = 0.5  # how often a blocked write() looks whether the encoder died


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


class TakeRecorder:
    """Writes one take into ``folder`` (created if missing; existing take files are
    never overwritten).

    ``fps`` is the source's rate, used for ``output.avi``. The video's frame size is the
    first frame's; later frames of another size are resized to it. ``summary`` is
    updated with every frame and saved as ``summary.json`` on close (``None``: no
    summary). Raises OutputError (one sentence) when the files cannot be written.
    """

    def __init__(
        self,
        folder: Path | str,
        fps: float,
        *,
        write_video: bool = True,
        summary: SummaryBuilder | None,
        queue_size: int = 8,
        flush_every: int = 30,
    ):
        self.folder = Path(folder)
        self.fps = float(fps) if math.isfinite(fps) and 0 < fps <= 1000 else 30.0
        self.write_video = write_video
        self.summary = summary
        self.video_path = self.folder / OUTPUT_AVI
        self.timeline_path = self.folder / TIMELINE_CSV
        self.summary_path = self.folder / SUMMARY_JSON
        self._queue_size = max(1, int(queue_size))
        self._flush_every = max(1, int(flush_every))
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
        existing = [name for name in TAKE_FILES if (self.folder / name).exists()]
        if existing:
            raise OutputError(
                f"The folder {self.folder} already holds {existing[0]}; choose a new take folder."
            )
        try:
            self._csv_file = self.timeline_path.open("x", newline="", encoding="utf-8")
        except OSError as exc:
            raise OutputError(f"Cannot write {self.timeline_path}: {exc.strerror or exc}.") from exc
        self._csv = csv.writer(self._csv_file)
        self._csv.writerow(TIMELINE_COLUMNS)
        self._csv_file.flush()

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
        copied, so the caller may reuse it at once.
        """
        if self._closed:
            raise OutputError(f"The take in {self.folder} is already closed.")
        self._raise_pending()
        if self.write_video:
            self._enqueue(annotated if annotated is not None else result.frame.image)
        try:
            self._csv.writerows(timeline_rows(result))
            self._frames_recorded += 1
            if self._frames_recorded % self._flush_every == 0:
                self._csv_file.flush()
        except OSError as exc:
            raise OutputError(f"Cannot write {self.timeline_path}: {exc.strerror or exc}.") from exc
        if self.summary is not None:
            self.summary.update(result)

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
            error, self._error = self._error, None
            raise error

    # ------------------------------------------------------------------ closing

    def close(self, processing_seconds: float | None = None) -> dict | None:
        """Finish the take: drain and close the video, flush the timeline, save the
        summary. Returns the summary dict (``None`` without a summary builder).
        ``processing_seconds`` defaults to the time since the recorder was created.
        Safe to call twice."""
        if self._closed:
            return self.summary_dict
        self._closed = True
        if processing_seconds is None:
            processing_seconds = time.perf_counter() - self._started
        errors: list[OutputError] = []
        if self._thread is not None:
            self._work.put(None)
            self._thread.join()
        if self._writer is not None:
            self._writer.release()
        if self._error is not None:
            errors.append(self._error)
            self._error = None
        try:
            self._csv_file.close()
        except OSError as exc:
            errors.append(OutputError(f"Cannot write {self.timeline_path}: {exc.strerror or exc}."))
        if self._writer is not None and not errors:
            stored = self._count_video_frames()
            if stored != self._frames_written:
                errors.append(
                    OutputError(
                        f"{self.video_path} holds {stored} frames but {self._frames_written} "
                        f"were written; is the disk full?"
                    )
                )
        if self.summary is not None:
            self.summary_dict = self.summary.build(processing_seconds)
            try:
                tmp = self.summary_path.with_suffix(".json.tmp")
                tmp.write_text(json.dumps(self.summary_dict, indent=2) + "\n", encoding="utf-8")
                os.replace(tmp, self.summary_path)
            except OSError as exc:
                errors.append(OutputError(f"Cannot write {self.summary_path}: {exc.strerror or exc}."))
        if errors:
            raise errors[0]
        return self.summary_dict

    def finish(self, processing_seconds: float | None = None) -> dict | None:
        """Same as :meth:`close`; reads well as the last step inside a ``with`` block."""
        return self.close(processing_seconds)

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
        try:  # keep what was recorded, but let the original exception through
            self.close()
        except OutputError as error:
            log.warning("Closing the take after an error also failed: %s", error)
