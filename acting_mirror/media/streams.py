"""Turning a web page URL (YouTube and the like) into a media URL OpenCV can decode.

Resolution sits behind the :class:`StreamResolver` protocol so tests and the GUI can
inject their own; :class:`YtDlpResolver` is the real one, built on yt-dlp.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol, runtime_checkable

from acting_mirror.errors import DependencyError, SourceError

OPENCV_FORMAT = (
    "bv*[vcodec^=avc1][height<=720][protocol!*=dash]"
    "/b[vcodec^=avc1][height<=720][protocol!*=dash]"
    "/bv*[height<=?720][protocol!*=dash]"
    "/b[height<=?720][protocol!*=dash]"
    "/b[protocol!*=dash]"
    "/b"
)
"""yt-dlp format selector: H.264 (avc1) at most 720p first, video-only or muxed, never
DASH fragments (OpenCV cannot play those from a URL); then anything up to 720p; then
the best single file. Audio is irrelevant: only frames are read."""


@dataclass(frozen=True)
class ResolvedStream:
    """A direct media URL plus what is known about it."""

    url: str
    title: str
    http_headers: dict[str, str] = field(default_factory=dict)
    fps: float | None = None


@runtime_checkable
class StreamResolver(Protocol):
    """Turns a page URL into a :class:`ResolvedStream`; raises SourceError on failure."""

    def resolve(self, url: str) -> ResolvedStream: ...


class _QuietLogger:
    """Swallows yt-dlp's output; the last error becomes the SourceError reason."""

    def __init__(self) -> None:
        self.last_error = ""

    def debug(self, msg: str) -> None:
        pass

    def info(self, msg: str) -> None:
        pass

    def warning(self, msg: str) -> None:
        pass

    def error(self, msg: str) -> None:
        self.last_error = msg


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def short_reason(message: str, limit: int = 160) -> str:
    """A yt-dlp error message cut down to one plain clause."""
    text = _ANSI.sub("", str(message)).strip()
    text = text.splitlines()[0] if text else ""
    text = re.sub(r"^(ERROR:\s*)+", "", text)
    text = re.sub(r"^(\[[^\]]+\]\s*)+", "", text)  # "[generic] ", "[youtube] abc: "
    text = re.sub(r"^[^\s:]+:\s+", "", text)  # the video id: "abc123: Unable to ..."
    text = text.split(" (caused by ", 1)[0]
    text = re.sub(r";\s*please report this issue.*$", "", text, flags=re.IGNORECASE)
    text = text.strip().rstrip(".")
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text or "unknown error"


def _pick_entry(info: dict[str, Any]) -> dict[str, Any] | None:
    """The single video in ``info``; the first playable entry of a playlist."""
    if info.get("url"):
        return info
    for entry in info.get("entries") or ():
        if isinstance(entry, dict):
            picked = _pick_entry(entry)
            if picked is not None:
                return picked
    return None


class YtDlpResolver:
    """Resolves page URLs with yt-dlp, choosing a format OpenCV can decode.

    ``timeout_s`` bounds each network wait (yt-dlp's ``socket_timeout``);
    ``deadline_s`` bounds the whole resolution. ``allow_file_urls`` lets yt-dlp open
    ``file://`` URLs (off by default, as in yt-dlp; tests use it to run the real code
    path offline). ``ydl_factory`` builds the ``YoutubeDL`` object from an options dict.
    """

    def __init__(
        self,
        timeout_s: float = 15,
        ydl_factory: Callable[[dict[str, Any]], Any] | None = None,
        *,
        deadline_s: float = 60,
        allow_file_urls: bool = False,
        format_selector: str = OPENCV_FORMAT,
    ):
        self.timeout_s = float(timeout_s)
        self.deadline_s = float(deadline_s)
        self.allow_file_urls = allow_file_urls
        self.format_selector = format_selector
        self._ydl_factory = ydl_factory

    def options(self, logger: Any = None) -> dict[str, Any]:
        """The yt-dlp options used for one resolution."""
        return {
            "format": self.format_selector,
            "quiet": True,
            "no_warnings": True,
            "noprogress": True,
            "noplaylist": True,
            "skip_download": True,
            "socket_timeout": self.timeout_s,
            "retries": 1,
            "extractor_retries": 1,
            "enable_file_urls": self.allow_file_urls,
            "logger": logger,
        }

    def _factory(self) -> Callable[[dict[str, Any]], Any]:
        if self._ydl_factory is not None:
            return self._ydl_factory
        try:
            import yt_dlp
        except ImportError as exc:
            raise DependencyError("Opening web videos needs yt-dlp: pip install yt-dlp.") from exc
        return yt_dlp.YoutubeDL

    def resolve(self, url: str) -> ResolvedStream:
        factory = self._factory()
        logger = _QuietLogger()
        outcome: dict[str, Any] = {}

        def extract() -> None:
            try:
                with factory(self.options(logger)) as ydl:
                    outcome["info"] = ydl.extract_info(url, download=False)
            except Exception as exc:  # noqa: BLE001 - re-raised in the caller's thread
                outcome["error"] = exc

        worker = threading.Thread(target=extract, name="yt-dlp-resolve", daemon=True)
        worker.start()
        worker.join(self.deadline_s)
        if worker.is_alive():
            raise SourceError(f"Cannot open {url}: no answer within {self.deadline_s:g} s.")
        if "error" in outcome:
            exc = outcome["error"]
            error = self._source_error(url, exc, logger)
            if error is None:
                raise exc  # not a media problem: a bug, keep its traceback
            raise error from exc
        info = outcome.get("info")
        entry = _pick_entry(info) if isinstance(info, dict) else None
        if entry is None:
            raise SourceError(f"Cannot open {url}: no playable video found.")
        fps = entry.get("fps")
        return ResolvedStream(
            url=str(entry["url"]),
            title=str(entry.get("title") or (info or {}).get("title") or url),
            http_headers={str(k): str(v) for k, v in (entry.get("http_headers") or {}).items()},
            fps=float(fps) if isinstance(fps, (int, float)) and fps > 0 else None,
        )

    @staticmethod
    def _source_error(url: str, exc: BaseException, logger: _QuietLogger) -> SourceError | None:
        try:
            from yt_dlp.utils import UnsupportedError, YoutubeDLError
        except ImportError:  # an injected factory without yt-dlp installed
            UnsupportedError = YoutubeDLError = ()  # type: ignore[assignment]
        cause = getattr(exc, "exc_info", None)
        inner = cause[1] if cause and len(cause) > 1 else None
        if isinstance(exc, UnsupportedError) or isinstance(inner, UnsupportedError):
            return SourceError(f"Cannot open {url}: this site or address is not supported.")
        if isinstance(exc, YoutubeDLError) or isinstance(exc, OSError):
            reason = short_reason(str(exc) or logger.last_error)
            return SourceError(f"Cannot open {url}: {reason}.")
        return None
