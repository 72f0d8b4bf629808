"""Where frames come from: cameras, video files, web videos, image files and folders.

:func:`open_source` turns what the user typed into a :class:`FrameSource` (see
``core.ports``). Every source is an iterable of :class:`Frame` with ``name``, ``fps``,
``frame_count`` (``None`` when unknown or endless), ``close()``, and is a context
manager. Problems the user can fix raise :class:`SourceError` with one sentence, at
open time: each source decodes its first frame before returning.

Iteration is single-pass, like a file: iterating again continues where the last
iteration stopped (so a finished source yields nothing more).

Times (``Frame.time_ms``) are integer milliseconds since the first frame and strictly
increase:

* video files and streams: the decoder's timestamp of each frame; when the backend
  reports nothing usable (0, negative, NaN, going backwards) ``index * 1000 / fps``;
* cameras: a monotonic clock started at the first frame;
* image folders: ``index * 1000 / fps`` at a nominal ``fps`` (default 1 frame per
  second, one photo per second of "timeline");
* a single image: 0.

``loop=True`` replays a file source endlessly (the GUI demo clip); indices and times
keep increasing across replays and ``frame_count`` becomes ``None``.

Traits, as data (the session reads them instead of checking classes): ``live`` (frames
arrive at the source's own pace: cameras, live streams), ``stills`` (separate pictures:
nothing to track from one to the next), ``endless`` (no last frame: cameras, live
streams, ``loop``).

How a source ended: ``end_reason`` is ``None`` while frames keep coming, then one of
``"complete"`` (the media's last frame was read, or the source was closed),
``"truncated"`` (a file whose decoded frames fall short of the count its container
declares), ``"dropped"`` (a stream that ended early), ``"stalled"`` (a stream or camera
that stopped answering within its read timeout), ``"camera lost"``. ``end_message``
says it in one sentence for anything but ``"complete"``. Reads are bounded: FFmpeg
captures get open and read timeouts, V4L2 cameras a 1 s select timeout, and a camera
that delivers nothing for :data:`CAMERA_STALL_S` seconds ends as ``"camera lost"``.
"""

from __future__ import annotations

import logging
import math
import os
import re
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urlparse
from urllib.request import url2pathname

from acting_mirror.media import quiet_cv  # noqa: F401  (before cv2: silences FFmpeg/OpenCV)

import cv2
import numpy as np

from acting_mirror.core.ports import FrameSource
from acting_mirror.core.types import Frame
from acting_mirror.errors import SourceError
from acting_mirror.media.streams import (
    ResolvedStream, StreamResolver, YtDlpResolver, ffmpeg_network_options, guard_resolved,
)

log = logging.getLogger(__name__)

IMAGE_EXTENSIONS: frozenset[str] = frozenset(
    {
        ".jpg", ".jpeg", ".jpe", ".png", ".bmp", ".dib", ".webp", ".tif", ".tiff",
        ".jp2", ".pbm", ".pgm", ".ppm", ".pnm", ".pxm", ".sr", ".ras", ".exr", ".hdr",
        ".pic", ".avif", ".gif",
    }
)
"""File name endings treated as still images (case-insensitive)."""

DEFAULT_VIDEO_FPS = 30.0
"""Used when a video or stream does not state a usable frame rate."""

DEFAULT_IMAGE_FPS = 1.0
"""Nominal rate of an image folder: one photo per second of timeline."""

COMPLETE, TRUNCATED, DROPPED, STALLED, CAMERA_LOST = (
    "complete", "truncated", "dropped", "stalled", "camera lost",
)
"""The values of ``end_reason``."""

CAMERA_STALL_S = 2.0
"""A camera that delivers no picture for this long counts as lost. With V4L2 reads
bounded at 1 s (see :mod:`acting_mirror.media.quiet_cv`) the loss is reported at most
3 s after the last picture."""

FILE_TIMEOUT_MS = 10_000
"""Open and read timeout of video files (a hung network share fails instead of blocking)."""

STREAM_RESUMES = 3
"""How many times a stream that broke is resolved again and resumed before it counts
as dropped."""

_MAX_SANE_FPS = 1000.0
_CAMERA_FAILED_READS = 30  # grabs a camera may drop while it warms up...
_CAMERA_WARM_UP_S = 5.0  # ...within this long
_SHORT_TOLERANCE = 0.005  # container frame counts may be estimates: allow 0.5 % (>= 1 frame)
_OPEN_LOCK = threading.Lock()  # OPENCV_FFMPEG_CAPTURE_OPTIONS is process-wide
_STREAM_SCHEMES = ("http", "https")
_DIRECT_SCHEMES = ("rtsp", "rtsps", "rtmp", "rtmps", "udp", "tcp", "srt")
_DEV_VIDEO = re.compile(r"^/dev/video(\d+)$")
_CAMERA_SPEC = re.compile(r"^camera:(\d+)$", re.IGNORECASE)


@dataclass(frozen=True)
class CameraInfo:
    """A camera the GUI can offer: its index for ``camera:N`` and a human name."""

    index: int
    name: str
    path: str | None = None  # /dev/videoN on Linux

    @property
    def spec(self) -> str:
        return f"camera:{self.index}"


# --------------------------------------------------------------------------- helpers


def mirrored(image: np.ndarray) -> np.ndarray:
    """A new, left-right flipped copy of ``image`` (a camera shown as a mirror).

    ``cv2.flip`` is about 12x faster than NumPy's ``ascontiguousarray(image[:, ::-1])`` on
    a 720p BGR frame (0.8 vs 10 ms here) and lets go of the GIL while it copies."""
    return cv2.flip(image, 1)


def _sane_fps(value: float, default: float) -> float:
    return float(value) if math.isfinite(value) and 0 < value <= _MAX_SANE_FPS else default


def _as_bgr(image: np.ndarray) -> np.ndarray:
    """A decoded image as 3-channel BGR ``uint8`` (gray and BGRA converted)."""
    if image.dtype != np.uint8:
        if np.issubdtype(image.dtype, np.integer):
            shift = 8 * (image.dtype.itemsize - 1)
            image = (image >> shift).astype(np.uint8)
        else:
            image = np.clip(image * 255.0, 0, 255).astype(np.uint8)
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    if image.shape[2] == 1:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    return image


def read_image(path: Path) -> np.ndarray | None:
    """Decode an image file to BGR ``uint8`` (EXIF orientation applied); None if it
    cannot be decoded. Reads bytes with NumPy so non-ASCII paths work everywhere."""
    try:
        data = np.fromfile(str(path), dtype=np.uint8)
    except OSError:
        return None
    if data.size == 0:
        return None
    image = cv2.imdecode(data, cv2.IMREAD_COLOR)
    return None if image is None else _as_bgr(image)


def _check_file(path: Path) -> None:
    """Raise SourceError for a missing, unreadable or empty file."""
    if not path.exists():
        raise SourceError(f"No such file or folder: {path}.")
    if not path.is_file():
        raise SourceError(f"{path} is not a file, a folder or a camera.")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SourceError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    if size == 0:
        raise SourceError(f"{path} is empty (0 bytes).")
    if not os.access(path, os.R_OK):
        raise SourceError(f"Cannot read {path}: permission denied.")


def _natural_key(path: Path) -> list:
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", path.name)]


class _Lifecycle:
    """``close()`` on exit from a ``with`` block; by default it stops iteration and
    releases the OpenCV capture, if the source has one.

    Every source declares its traits as data, so nobody recognises sources by class:
    ``live`` (frames come at the world's pace: read the newest, never fall behind),
    ``camera`` (a camera: mirrored in the app), ``stills`` (every frame is another
    picture: nothing is tracked from one to the next)."""

    _closed: bool
    live: bool = False
    camera: bool = False
    stills: bool = False
    endless: bool = False
    end_reason: str | None = None
    end_message: str | None = None

    def close(self) -> None:
        self._closed = True
        if self.end_reason is None:
            self.end_reason = COMPLETE  # stopped by the user: nothing went wrong
        capture = getattr(self, "_capture", None)
        if capture is not None:
            capture.release()

    def _ended(self, reason: str, message: str | None = None) -> None:
        if self.end_reason is None:
            self.end_reason = reason
            self.end_message = message
            if message:
                log.info("%s", message)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


class _Clock:
    """Turns candidate timestamps into strictly increasing integer milliseconds."""

    __slots__ = ("last",)

    def __init__(self) -> None:
        self.last = -1

    def stamp(self, candidate_ms: float) -> int:
        t = int(round(candidate_ms)) if math.isfinite(candidate_ms) else self.last + 1
        if t <= self.last:
            t = self.last + 1
        self.last = t
        return t


# --------------------------------------------------------------------------- video capture


class _Capture:
    """A ``cv2.VideoCapture`` read frame by frame with media timestamps.

    Thread-safe against ``release()`` from another thread (the GUI stops a worker).
    """

    def __init__(
        self,
        target: str | int,
        apis: tuple[int, ...],
        params: list[int] | None = None,
        ffmpeg_options: str | None = None,
    ):
        self._lock = threading.Lock()
        self.cap: cv2.VideoCapture | None = None
        self._waits: list[float] = [0.0, 0.0, 0.0]  # how long the last reads waited
        with _OPEN_LOCK, _capture_options(ffmpeg_options):
            for api in apis:
                try:
                    cap = cv2.VideoCapture(target, api, params or [] if api == cv2.CAP_FFMPEG else [])
                except cv2.error:
                    continue
                if cap.isOpened():
                    self.cap = cap
                    break
                cap.release()

    @property
    def opened(self) -> bool:
        return self.cap is not None

    def get(self, prop: int) -> float:
        with self._lock:
            return float(self.cap.get(prop)) if self.cap is not None else 0.0

    def read(self) -> tuple[np.ndarray | None, float]:
        """The next frame and its position in ms as the backend reports it (may be 0)."""
        with self._lock:
            if self.cap is None:
                return None, 0.0
            t0 = time.monotonic()
            ok, image = self.cap.read()
            self._waits = [*self._waits[1:], time.monotonic() - t0]
            if not ok or image is None:
                return None, 0.0
            return image, float(self.cap.get(cv2.CAP_PROP_POS_MSEC))

    @property
    def last_read_s(self) -> float:
        """The longest of the last three reads (FFmpeg may still hand out a buffered
        frame after the read that timed out)."""
        return max(self._waits)

    def release(self) -> None:
        with self._lock:
            if self.cap is not None:
                self.cap.release()
                self.cap = None


class _capture_options:
    """Add ``options`` to OPENCV_FFMPEG_CAPTURE_OPTIONS for one open (under _OPEN_LOCK)."""

    def __init__(self, options: str | None):
        self.options = options
        self.saved: str | None = None

    def __enter__(self):
        if self.options:
            self.saved = os.environ.get("OPENCV_FFMPEG_CAPTURE_OPTIONS")
            merged = f"{self.saved}|{self.options}" if self.saved else self.options
            os.environ["OPENCV_FFMPEG_CAPTURE_OPTIONS"] = merged
        return self

    def __exit__(self, *exc):
        if self.options:
            if self.saved is None:
                os.environ.pop("OPENCV_FFMPEG_CAPTURE_OPTIONS", None)
            else:
                os.environ["OPENCV_FFMPEG_CAPTURE_OPTIONS"] = self.saved


class _MediaTimes:
    """Frame times from decoder positions, relative to the first frame of a pass."""

    def __init__(self, fps: float):
        self.fps = fps
        self.clock = _Clock()
        self.offset_ms = 0.0  # where the current pass starts on the output timeline
        self.first_pos: float | None = None
        self.last_pos = -math.inf
        self.pass_index = 0  # frames read in this pass

    def new_pass(self) -> None:
        self.offset_ms = self.clock.last + 1000.0 / self.fps
        self.first_pos = None
        self.last_pos = -math.inf
        self.pass_index = 0

    def stamp(self, pos_ms: float) -> int:
        nominal = self.pass_index * 1000.0 / self.fps
        usable = math.isfinite(pos_ms) and pos_ms >= 0 and pos_ms > self.last_pos
        if usable and self.pass_index > 0 and pos_ms == 0:
            usable = False
        if usable:
            if self.first_pos is None:
                self.first_pos = pos_ms
            rel = pos_ms - self.first_pos
            self.last_pos = pos_ms
        else:
            rel = nominal
        self.pass_index += 1
        return self.clock.stamp(self.offset_ms + rel)


# --------------------------------------------------------------------------- sources


class _CapturedMedia(_Lifecycle):
    """A source read through an OpenCV capture (files and web streams): the first frame is
    decoded at open time so bad media fails there, times come from the media, and
    ``loop`` replays from the start with time running on."""

    loop: bool
    name: str

    def _open(self) -> _Capture:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def _start(self, failure: str, fallback_fps: float) -> None:
        self._closed = False
        self._capture = self._open()
        first, pos = self._capture.read()
        if first is None:
            self._capture.release()
            raise SourceError(failure)
        self.fps = _sane_fps(self._capture.get(cv2.CAP_PROP_FPS), fallback_fps)
        count = int(self._capture.get(cv2.CAP_PROP_FRAME_COUNT))
        self.declared_frames: int | None = count if count > 0 else None  # per pass
        self.frame_count: int | None = None if self.loop or count <= 0 else count
        self.endless = bool(self.loop or self.frame_count is None and self.live)
        self._pass_frames = 0
        self.width, self.height = int(first.shape[1]), int(first.shape[0])
        self._times = _MediaTimes(self.fps)
        self._pending: tuple[np.ndarray, float] | None = (first, pos)
        self._index = 0

    def _rewind(self) -> bool:
        self._capture.release()
        self._capture = self._open()
        if self._closed:  # closed from another thread while reopening
            self._capture.release()
            return False
        self._times.new_pass()
        self._pass_frames = 0
        image, pos = self._capture.read()
        if image is None:
            return False
        self._pending = (image, pos)
        return True

    def _why_it_ended(self) -> None:
        """Set ``end_reason`` once the capture gives no more frames."""
        if self._closed:
            self._ended(COMPLETE)
            return
        timeout_s = getattr(self, "_read_timeout_s", None)
        if timeout_s and self._capture.last_read_s >= 0.8 * timeout_s:
            self._ended(STALLED, f"{self.name} stalled: no frame within {timeout_s:g} s.")
            return
        declared = self.declared_frames
        short = declared is not None and self._pass_frames < declared - max(1, declared * _SHORT_TOLERANCE)
        if isinstance(self, StreamSource) and (short or declared is None):
            self._ended(
                DROPPED,
                f"The stream {self.name} dropped after {self._pass_frames} frames"
                + (f" of {declared}." if declared else "."),
            )
        elif short:
            self._ended(
                TRUNCATED,
                f"{self.name} is truncated: {self._pass_frames} of its {declared} frames could be decoded.",
            )
        else:
            self._ended(COMPLETE)

    def __iter__(self) -> Iterator[Frame]:
        while not self._closed:
            if self._pending is not None:
                image, pos = self._pending
                self._pending = None
            else:
                image, pos = self._capture.read()
                if image is None:
                    if self._try_resume():
                        continue
                    if self.loop and not self._closed and self._pass_frames > 0:
                        self._check_pass()
                        if self._rewind():
                            continue
                    self._why_it_ended()
                    return
            frame = Frame(image=image, index=self._index, time_ms=self._times.stamp(pos))
            self._index += 1
            self._pass_frames += 1
            yield frame
        self._ended(COMPLETE)

    def _try_resume(self) -> bool:
        """Pick up again after a break (streams only); True when a frame is pending."""
        return False

    def _check_pass(self) -> None:
        """A looped file that broke mid-way is still replayed; the break is logged."""
        declared = self.declared_frames
        if declared is not None and self._pass_frames < declared - max(1, declared * _SHORT_TOLERANCE):
            log.info("%s: only %d of %d frames decoded in this pass.", self.name, self._pass_frames, declared)


class VideoFileSource(_CapturedMedia):
    """Frames of a video file, decoded by OpenCV (FFmpeg)."""

    def __init__(self, path: Path | str, *, loop: bool = False):
        self.path = Path(path)
        self.name = self.path.name
        self.loop = loop
        _check_file(self.path)
        self._start(f"Cannot decode {self.path}: no frame could be read.", DEFAULT_VIDEO_FPS)

    def _open(self) -> _Capture:
        params = [
            cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, FILE_TIMEOUT_MS,
            cv2.CAP_PROP_READ_TIMEOUT_MSEC, FILE_TIMEOUT_MS,
        ]
        capture = _Capture(str(self.path), (cv2.CAP_FFMPEG, cv2.CAP_ANY), params)
        if not capture.opened:
            raise SourceError(
                f"Cannot decode {self.path}: not a video or image format OpenCV can read."
            )
        return capture


class StreamSource(_CapturedMedia):
    """Frames of a web video: the page URL is resolved (yt-dlp by default) to a media
    URL that OpenCV's FFmpeg backend reads directly, nothing is downloaded to disk.

    HTTP headers suggested by the resolver are not forwarded (OpenCV has no per-capture
    header option); the formats chosen by :class:`YtDlpResolver` do not need them.
    ``rtsp://``-like URLs skip resolution. ``frame_count`` is known for on-demand
    videos whose container states it, ``None`` for live streams (``live``).
    """

    def __init__(
        self,
        url: str,
        *,
        resolver: StreamResolver | None = None,
        timeout_s: float = 15,
        loop: bool = False,
    ):
        self.url = url
        self.loop = loop
        self.live = True  # until the container states a length
        self._wake = threading.Event()
        scheme = urlparse(url).scheme.lower()
        self._direct = scheme in _DIRECT_SCHEMES
        if self._direct:  # the user's own rtsp:// etc. address, opened as given
            self.resolved = ResolvedStream(url=url, title=url)
        else:
            resolved = (resolver or YtDlpResolver(timeout_s=timeout_s)).resolve(url)
            self.resolved = guard_resolved(resolved, url, timeout_s=timeout_s)
        self.name = self.resolved.title
        self._resolver = resolver
        self._timeout_s = float(timeout_s)
        self._timeout_ms = int(timeout_s * 1000)
        self._read_timeout_s = float(timeout_s)
        self.resumes = 0  # times the stream was picked up again after a break
        self._start(
            f"Cannot open {url}: the video could not be decoded.",
            self.resolved.fps or DEFAULT_VIDEO_FPS,
        )
        self.live = self.declared_frames is None
        self.endless = bool(self.loop or self.live)

    def _open(self) -> _Capture:
        params = [
            cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, self._timeout_ms,
            cv2.CAP_PROP_READ_TIMEOUT_MSEC, self._timeout_ms,
        ]
        options = None if self._direct else ffmpeg_network_options()
        capture = _Capture(self.resolved.url, (cv2.CAP_FFMPEG,), params, options)
        if not capture.opened:
            raise SourceError(f"Cannot open {self.url}: the video could not be reached or decoded.")
        return capture

    def _try_resume(self) -> bool:
        """A stream that broke before its end (a dropped connection, an expired URL) is
        resolved again, reopened and, when it has a length, sought back to where it
        broke; at most :data:`STREAM_RESUMES` times, waiting a little longer each time.
        Frames up to the break are never repeated."""
        if self._closed or self.resumes >= STREAM_RESUMES:
            return False
        declared = self.declared_frames
        if declared is not None and self._pass_frames >= declared - max(1, declared * _SHORT_TOLERANCE):
            return False  # it simply ended
        self.resumes += 1
        self._wake.wait(min(2.0, 0.25 * 2 ** (self.resumes - 1)))
        if self._closed:
            return False
        try:
            if not self._direct:
                resolver = self._resolver or YtDlpResolver(timeout_s=self._timeout_s)
                resolved = resolver.resolve(self.url)
                self.resolved = guard_resolved(resolved, self.url, timeout_s=self._timeout_s)
            capture = self._open()
        except SourceError as exc:
            log.info("Resuming %s failed: %s", self.url, exc)
            return False
        last = self._times.last_pos
        if declared is not None and capture.cap is not None and math.isfinite(last):
            capture.cap.set(cv2.CAP_PROP_POS_MSEC, last + 500.0 / self.fps)
        for _ in range(int(self.fps * 4) + 2):  # skip what was already delivered
            image, pos = capture.read()
            if image is None:
                capture.release()
                return self._try_resume()
            if declared is None or not math.isfinite(last) or pos > last:
                break
        old, self._capture = self._capture, capture
        old.release()
        if self._closed:
            capture.release()
            return False
        self._pending = (image, pos)
        log.info("Resumed %s after a break (try %d of %d).", self.name, self.resumes, STREAM_RESUMES)
        return True

    def close(self) -> None:
        self._wake.set()
        super().close()


class CameraSource(_Lifecycle):
    """Live frames from a camera, read on demand; ``time_ms`` is a monotonic clock
    started at the first frame. Endless: ``frame_count`` is ``None``. A camera that
    delivers nothing for :data:`CAMERA_STALL_S` ends the iteration with ``end_reason``
    ``"camera lost"`` (V4L2 reads wait at most 1 s each)."""

    frame_count = None
    live = True
    camera = True
    endless = True
    stall_s = CAMERA_STALL_S

    def __init__(self, index: int = 0, *, width: int | None = None, height: int | None = None):
        self.index = int(index)
        self.name = f"camera {self.index}"
        self._closed = False
        self._capture: _Capture | None = None
        if sys.platform.startswith("linux") and not Path(f"/dev/video{self.index}").exists():
            raise SourceError(f"No camera found at index {self.index}.")
        capture = _Capture(self.index, (cv2.CAP_ANY,))
        if not capture.opened:
            if sys.platform.startswith("linux"):
                raise SourceError(
                    f"Camera {self.index} cannot be opened; another application may be using it."
                )
            raise SourceError(f"No camera found at index {self.index}.")
        self._capture = capture
        if width and height and capture.cap is not None:
            capture.cap.set(cv2.CAP_PROP_FRAME_WIDTH, int(width))
            capture.cap.set(cv2.CAP_PROP_FRAME_HEIGHT, int(height))
        first = None
        give_up = time.monotonic() + _CAMERA_WARM_UP_S
        for _ in range(_CAMERA_FAILED_READS):  # cameras often drop the first grabs
            first, _pos = capture.read()
            if first is not None or time.monotonic() > give_up:
                break
        if first is None:
            capture.release()
            raise SourceError(
                f"Camera {self.index} delivers no picture; another application may be using it."
            )
        self._start = time.monotonic()
        self._clock = _Clock()
        self._pending: np.ndarray | None = first
        self.fps = _sane_fps(capture.get(cv2.CAP_PROP_FPS), DEFAULT_VIDEO_FPS)
        self.width, self.height = int(first.shape[1]), int(first.shape[0])
        self._index = 0

    def __iter__(self) -> Iterator[Frame]:
        last_picture = time.monotonic()
        while not self._closed:
            if self._pending is not None:
                image, self._pending = self._pending, None
            else:
                image, _pos = self._capture.read()
            if image is None:
                if self._closed:
                    break
                silent = time.monotonic() - last_picture
                if silent >= self.stall_s:
                    self._ended(
                        CAMERA_LOST,
                        f"Camera {self.index} stopped delivering pictures ({silent:.1f} s without one).",
                    )
                    return
                time.sleep(0.01)  # a failed grab can return at once: do not spin
                continue
            last_picture = time.monotonic()
            elapsed_ms = (time.monotonic() - self._start) * 1000.0
            frame = Frame(image=image, index=self._index, time_ms=self._clock.stamp(elapsed_ms))
            self._index += 1
            yield frame
        self._ended(COMPLETE)


class ImageSource(_Lifecycle):
    """One still image as a one-frame source (``time_ms`` 0); endless with ``loop``."""

    stills = True

    def __init__(self, path: Path | str, *, loop: bool = False, fps: float = DEFAULT_IMAGE_FPS):
        self.path = Path(path)
        self.name = self.path.name
        self.loop = loop
        self.fps = float(fps)
        _check_file(self.path)
        image = read_image(self.path)
        if image is None:
            raise SourceError(f"Cannot decode {self.path}: the image is corrupt or unsupported.")
        self.image = image
        self.width, self.height = int(image.shape[1]), int(image.shape[0])
        self.frame_count: int | None = None if loop else 1
        self.endless = bool(loop)
        self._index = 0
        self._closed = False

    def __iter__(self) -> Iterator[Frame]:
        while not self._closed and (self.loop or self._index == 0):
            i = self._index
            self._index += 1
            yield Frame(image=self.image, index=i, time_ms=int(round(i * 1000.0 / self.fps)))
        self._ended(COMPLETE)


class ImageFolderSource(_Lifecycle):
    """The images of a folder in natural name order (``img2`` before ``img10``), at a
    nominal ``fps``. Files that cannot be decoded are skipped (logged, and listed in
    ``skipped``); ``frame_count`` counts image files, so it is an upper bound."""

    stills = True

    def __init__(self, folder: Path | str, *, fps: float = DEFAULT_IMAGE_FPS, loop: bool = False):
        self.folder = Path(folder)
        self.name = self.folder.name or str(self.folder)
        if not self.folder.is_dir():
            raise SourceError(f"No such folder: {self.folder}.")
        if not (math.isfinite(fps) and fps > 0):
            raise ValueError("fps must be positive")
        self.fps = float(fps)
        self.loop = loop
        try:
            entries = list(self.folder.iterdir())
        except OSError as exc:
            raise SourceError(f"Cannot read the folder {self.folder}: {exc.strerror or exc}.") from exc
        self.files: list[Path] = sorted(
            (p for p in entries if p.suffix.lower() in IMAGE_EXTENSIONS and p.is_file()),
            key=_natural_key,
        )
        if not self.files:
            raise SourceError(f"The folder {self.folder} holds no images.")
        self.skipped: list[Path] = []
        first = None
        while self.files and first is None:
            first = read_image(self.files[0])
            if first is None:
                self.skipped.append(self.files.pop(0))
        if first is None:
            raise SourceError(f"None of the images in {self.folder} can be decoded.")
        self.frame_count: int | None = None if loop else len(self.files)
        self.endless = bool(loop)
        self.width, self.height = int(first.shape[1]), int(first.shape[0])
        self._first: np.ndarray | None = first
        self._position = 0  # next file to read
        self._index = 0
        self._closed = False

    def __iter__(self) -> Iterator[Frame]:
        while not self._closed:
            if self._position >= len(self.files):
                if not self.loop:
                    self._ended(COMPLETE)
                    return
                self._position = 0
            path = self.files[self._position]
            self._position += 1
            if self._first is not None:
                image, self._first = self._first, None
            else:
                image = read_image(path)
            if image is None:
                if path not in self.skipped:
                    self.skipped.append(path)
                    log.warning("Skipping %s: cannot decode it.", path)
                if self.loop and len(self.skipped) >= len(self.files):
                    self._ended(COMPLETE)
                    return
                continue
            i = self._index
            self._index += 1
            yield Frame(image=image, index=i, time_ms=int(round(i * 1000.0 / self.fps)))


# --------------------------------------------------------------------------- opening


def _camera_index(spec: str | int) -> int | None:
    if isinstance(spec, (int, np.integer)) and not isinstance(spec, bool):
        return int(spec)
    text = str(spec).strip()
    for pattern in (_CAMERA_SPEC, _DEV_VIDEO):
        m = pattern.match(text)
        if m:
            return int(m.group(1))
    if text.isdigit() and not Path(text).exists():
        return int(text)
    return None


def open_source(
    spec: str | int | os.PathLike,
    *,
    resolver: StreamResolver | None = None,
    loop: bool = False,
) -> FrameSource:
    """Open what ``spec`` names as a frame source.

    * ``camera:N``, an int, a bare digit string or ``/dev/videoN`` -> :class:`CameraSource`
    * an ``http(s)://`` URL -> :class:`StreamSource` (resolved by ``resolver``, yt-dlp by
      default); ``rtsp://`` and similar are opened directly; ``file://`` URLs are local paths
    * a folder -> :class:`ImageFolderSource`
    * an image file (known ending and decodable) -> :class:`ImageSource`
    * any other file -> :class:`VideoFileSource` (a file whose header is an image format
      still opens as an image, whatever its ending)

    Raises SourceError (one sentence) for anything that cannot be opened.
    """
    if isinstance(spec, os.PathLike):
        spec = os.fspath(spec)
    index = _camera_index(spec)
    if index is not None:
        return CameraSource(index)
    text = str(spec).strip()
    if not text:
        raise SourceError("No source given: name a video, image, folder, URL or camera:N.")
    scheme = urlparse(text).scheme.lower()
    if scheme == "file":
        text = url2pathname(unquote(urlparse(text).path))
    elif scheme in _STREAM_SCHEMES or scheme in _DIRECT_SCHEMES:
        return StreamSource(text, resolver=resolver, loop=loop)
    elif len(scheme) > 1 and "://" in text:
        raise SourceError(f"Unsupported address {text}: use http(s), rtsp, a file or camera:N.")
    path = Path(text).expanduser()
    if path.is_dir():
        return ImageFolderSource(path, loop=loop)
    _check_file(path)
    if path.suffix.lower() in IMAGE_EXTENSIONS or _looks_like_image(path):
        return ImageSource(path, loop=loop)
    return VideoFileSource(path, loop=loop)


def _looks_like_image(path: Path) -> bool:
    """True when the file's header is an image format OpenCV decodes (FFmpeg would
    otherwise open a still image as a one-frame video)."""
    try:
        return bool(cv2.haveImageReader(str(path)))
    except cv2.error:
        return False


# --------------------------------------------------------------------------- cameras


def _linux_cameras(max_index: int) -> list[CameraInfo]:
    found = []
    for n in range(max_index):
        dev = Path(f"/dev/video{n}")
        if not dev.exists():
            continue
        sysfs = Path(f"/sys/class/video4linux/video{n}")
        # A camera often exposes a second, metadata-only node; its sysfs index is not 0.
        try:
            if int((sysfs / "index").read_text().strip()) != 0:
                continue
        except (OSError, ValueError):
            pass
        try:
            name = (sysfs / "name").read_text().strip() or f"Camera {n}"
        except OSError:
            name = f"Camera {n}"
        found.append(CameraInfo(index=n, name=name, path=str(dev)))
    return found


def _probed_cameras(max_index: int, give_up_after: int = 2) -> list[CameraInfo]:
    """Open each index in turn; camera indices are contiguous in practice, so the probe
    stops after ``give_up_after`` misses in a row (each failed open can take a second
    on some systems, and this runs before the window shows)."""
    found: list[CameraInfo] = []
    misses = 0
    for n in range(max_index):
        cap = cv2.VideoCapture(n)
        try:
            opened = cap.isOpened()
        finally:
            cap.release()
        if opened:
            found.append(CameraInfo(index=n, name=f"Camera {n}"))
            misses = 0
        else:
            misses += 1
            if misses >= give_up_after:
                break
    return found


def list_cameras(max_index: int = 8) -> list[CameraInfo]:
    """The cameras at indices ``0 .. max_index-1``, for a picker.

    On Linux this reads ``/dev/video*`` and sysfs (fast, opens nothing, skips metadata
    nodes); elsewhere indices are probed by opening them, until two in a row fail. Empty when there is no camera.
    """
    if sys.platform.startswith("linux"):
        return _linux_cameras(max_index)
    return _probed_cameras(max_index)
