"""Turning a web page URL (YouTube and the like) into a media URL OpenCV can decode,
and making sure that URL cannot reach what the user did not ask for.

Resolution sits behind the :class:`StreamResolver` protocol so tests and the GUI can
inject their own; :class:`YtDlpResolver` is the real one, built on yt-dlp (no cache on
disk, no cookies, nothing downloaded).

Whatever a resolver returns passes :func:`guard_resolved` before FFmpeg sees it: only
``http(s)`` media (HLS playlists over http(s) included, every URI in them checked too),
never ``file:``, ``concat:``, ``subfile:``, ``pipe:`` or any other FFmpeg protocol, and
never a loopback, private, link-local or otherwise non-public address (every address
the name resolves to is checked) unless the user's own URL names that host and port.
Redirects are followed here, one hop at a time, each hop checked, and FFmpeg gets the
final URL with a protocol whitelist (:func:`ffmpeg_network_options`). A refusal is one
SourceError sentence. (Not covered: a DNS answer that changes between the check and
FFmpeg's own lookup.)
"""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
import urllib.error
import urllib.request
from urllib.parse import urljoin, urlparse
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
            "cachedir": False,  # nothing written under the user's home
            "cookiefile": None,
            "cookiesfrombrowser": None,
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


# --------------------------------------------------------------------------- URL guard

MEDIA_SCHEMES = ("http", "https")
"""The only schemes a resolved media URL may use."""

FFMPEG_NETWORK_PROTOCOLS = "http,https,tls,tcp,crypto"
"""FFmpeg's protocol whitelist for web media: HTTP(S) and what HLS over it needs
(``crypto`` for AES-128 segments); no file, pipe, concat, subfile, data, udp..."""

_MAX_REDIRECTS = 5
_MAX_PLAYLIST_BYTES = 1 << 20
_MAX_PLAYLISTS = 8
_HLS_TYPES = ("mpegurl", "x-mpegurl", "vnd.apple.mpegurl")
_URI_ATTR = re.compile(r'URI="([^"]*)"')


def ffmpeg_network_options() -> str:
    """The OPENCV_FFMPEG_CAPTURE_OPTIONS entry for opening web media."""
    return f"protocol_whitelist;{FFMPEG_NETWORK_PROTOCOLS}"


def _origin(url: str) -> tuple[str, int] | None:
    parts = urlparse(url)
    if not parts.hostname:
        return None
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        return None
    return parts.hostname.lower().rstrip("."), port


def _resolve_addresses(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise SourceError(f"Cannot open the video: its host {host} cannot be found ({exc}).") from exc
    return sorted({info[4][0] for info in infos})


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_media_url(url: str, user_url: str) -> None:
    """Raise SourceError unless ``url`` is http(s) media the user may reach from
    ``user_url``: public addresses only, or the very host and port the user named."""
    shown = url if len(url) <= 120 else url[:117] + "..."
    if any(ord(c) < 33 for c in url):
        raise SourceError(f"Refused the video address {shown!r} found for {user_url}: it holds control characters.")
    scheme = urlparse(url).scheme.lower()
    if scheme not in MEDIA_SCHEMES:
        kind = f"a {scheme}: address" if scheme else "not a web address"
        raise SourceError(
            f"Refused the video address found for {user_url}: {kind} ({shown}); only http(s) media is opened."
        )
    origin = _origin(url)
    if origin is None:
        raise SourceError(f"Refused the video address {shown} found for {user_url}: it names no host.")
    if origin == _origin(user_url):
        return  # the user asked for this very server
    host, port = origin
    for address in _resolve_addresses(host, port):
        if not _is_public(address):
            raise SourceError(
                f"Refused the video address found for {user_url}: {host} is a local or private "
                f"address ({address}) that your URL did not name."
            )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: D401 - hand the 3xx back to us
        return None


def _open_checked(url: str, user_url: str, timeout_s: float):
    """GET ``url`` following at most a few redirects, each hop checked; returns
    ``(final_url, response)`` (the caller closes it)."""
    opener = urllib.request.build_opener(_NoRedirect())
    for _hop in range(_MAX_REDIRECTS + 1):
        check_media_url(url, user_url)
        request = urllib.request.Request(url, headers={"Range": "bytes=0-", "User-Agent": "acting-mirror"})
        try:
            response = opener.open(request, timeout=timeout_s)
        except urllib.error.HTTPError as exc:
            if exc.code in (301, 302, 303, 307, 308) and exc.headers.get("Location"):
                url = urljoin(url, exc.headers["Location"])
                exc.close()
                continue
            exc.close()
            raise SourceError(f"Cannot open {user_url}: the video answered HTTP {exc.code}.") from exc
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SourceError(f"Cannot open {user_url}: the video could not be reached ({reason}).") from exc
        return url, response
    raise SourceError(f"Cannot open {user_url}: the video redirects too many times.")


def _playlist_uris(text: str, base: str) -> list[str]:
    uris = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("#"):
            uris.extend(urljoin(base, m) for m in _URI_ATTR.findall(line))
        else:
            uris.append(urljoin(base, line))
    return uris


def _is_playlist(url: str, content_type: str, head: bytes) -> bool:
    return (
        urlparse(url).path.lower().endswith((".m3u8", ".m3u"))
        or any(t in content_type.lower() for t in _HLS_TYPES)
        or head.lstrip().startswith(b"#EXTM3U")
    )


def guard_resolved(resolved: ResolvedStream, user_url: str, *, timeout_s: float = 15) -> ResolvedStream:
    """``resolved`` with its URL checked (see the module doc) and replaced by where its
    redirects lead; an HLS playlist's entries (and nested playlists') are checked too.
    Raises SourceError with one sentence on a refusal."""
    final, response = _open_checked(resolved.url, user_url, timeout_s)
    try:
        head = response.read(_MAX_PLAYLIST_BYTES) if _is_playlist(final, response.headers.get("Content-Type", ""), b"") else response.read(16)
        content_type = response.headers.get("Content-Type", "")
    finally:
        response.close()
    if _is_playlist(final, content_type, head):
        if not head.lstrip().startswith(b"#EXTM3U"):  # sniffed late: read it whole
            final, response = _open_checked(final, user_url, timeout_s)
            with response:
                head = response.read(_MAX_PLAYLIST_BYTES)
        _check_playlist(final, head, user_url, timeout_s, budget=[_MAX_PLAYLISTS])
    return ResolvedStream(url=final, title=resolved.title, http_headers=resolved.http_headers, fps=resolved.fps)


def _check_playlist(url: str, body: bytes, user_url: str, timeout_s: float, budget: list[int]) -> None:
    text = body.decode("utf-8", errors="replace")
    for uri in _playlist_uris(text, url):
        check_media_url(uri, user_url)
        if urlparse(uri).path.lower().endswith((".m3u8", ".m3u")) and budget[0] > 0:
            budget[0] -= 1
            nested, response = _open_checked(uri, user_url, timeout_s)
            with response:
                _check_playlist(nested, response.read(_MAX_PLAYLIST_BYTES), user_url, timeout_s, budget)
