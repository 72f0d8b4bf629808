"""Web videos: the real yt-dlp path run offline on file:// URLs, failures, injection."""

from __future__ import annotations

import pytest
import yt_dlp

from acting_mirror.errors import SourceError
from acting_mirror.media.sources import StreamSource, open_source
from acting_mirror.media.streams import (
    OPENCV_FORMAT,
    ResolvedStream,
    StreamResolver,
    YtDlpResolver,
    short_reason,
)


def test_real_yt_dlp_resolves_a_loopback_url_and_opencv_reads_it(clip_25fps, http_server):
    resolver = YtDlpResolver(timeout_s=5)
    assert isinstance(resolver, StreamResolver)
    url = http_server.add("/astronaut_25fps.avi", clip_25fps.read_bytes(), type="video/x-msvideo")
    resolved = resolver.resolve(url)
    assert resolved.url == url
    assert resolved.title == "astronaut_25fps"
    with StreamSource(url, resolver=resolver) as source:
        assert source.name == "astronaut_25fps"
        assert source.fps == pytest.approx(25.0)
        frames = list(source)
    assert len(frames) == 12
    assert [f.time_ms for f in frames] == [i * 40 for i in range(12)]
    assert source.end_reason == "complete"


def test_file_urls_stay_disabled_by_default(clip_25fps):
    with pytest.raises(SourceError, match="Cannot open file://"):
        YtDlpResolver().resolve(clip_25fps.as_uri())


def test_unreachable_url_fails_fast_with_one_sentence():
    url = "http://127.0.0.1:9/none.mp4"  # the discard port: nothing listens
    with pytest.raises(SourceError) as err:
        open_source(url, resolver=YtDlpResolver(timeout_s=3))
    message = str(err.value)
    assert message.startswith(f"Cannot open {url}: ")
    assert message.endswith(".") and "\n" not in message
    assert "ERROR" not in message


def test_page_without_video_is_unsupported(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>No video here.</p></body></html>")
    with pytest.raises(SourceError, match="not supported"):
        YtDlpResolver(allow_file_urls=True).resolve(page.as_uri())


def test_injected_resolver_feeds_stream_source(clip_25fps, http_server):
    media = http_server.add("/v.avi", clip_25fps.read_bytes())

    class FakeResolver:
        def __init__(self):
            self.asked = []

        def resolve(self, url):
            self.asked.append(url)
            return ResolvedStream(url=media, title="Monologue rehearsal", fps=25.0)

    fake = FakeResolver()
    page = http_server.url("/watch?v=abc")  # the user's URL names this server
    with open_source(page, resolver=fake) as source:
        assert isinstance(source, StreamSource)
        assert source.name == "Monologue rehearsal"
        assert source.frame_count == 12
        assert not source.live and not source.endless and not source.stills
        assert len(list(source)) == 12
    assert fake.asked == [page]


def test_resolver_errors_reach_the_user_unchanged():
    class Refusing:
        def resolve(self, url):
            raise SourceError(f"Cannot open {url}: private video.")

    with pytest.raises(SourceError, match="private video"):
        open_source("https://example.com/v", resolver=Refusing())


def test_resolved_url_opencv_cannot_decode_is_a_source_error(http_server):
    media = http_server.add("/not_video.mp4", b"hello " * 1000, type="video/mp4")

    class Fake:
        def resolve(self, url):
            return ResolvedStream(url=media, title="x")

    page = http_server.url("/v")
    with pytest.raises(SourceError, match=f"Cannot open {page}"):
        StreamSource(page, resolver=Fake())


def _offline_ydl(info):
    """A real YoutubeDL whose extraction returns ``info``: format selection runs for real."""

    class OfflineYDL(yt_dlp.YoutubeDL):
        seen_params: dict = {}

        def __init__(self, params=None):
            super().__init__(params)
            OfflineYDL.seen_params = dict(params or {})

        def extract_info(self, url, download=True, **kwargs):
            return self.process_ie_result(dict(info), download=False)

    return OfflineYDL


def _scripted_ydl(extract):
    """A stand-in YoutubeDL (context manager) whose ``extract_info(url)`` is ``extract``."""

    class ScriptedYDL:
        def __init__(self, params):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def extract_info(self, url, download=True):
            return extract(url)

    return ScriptedYDL


def _formats():
    def fmt(fid, vcodec, height, protocol="https", acodec="none", **extra):
        return dict(format_id=fid, url=f"https://cdn.example/{fid}", vcodec=vcodec, acodec=acodec,
                    height=height, width=height * 16 // 9, protocol=protocol, ext="mp4", **extra)

    return [
        fmt("vp9-1080", "vp9", 1080),
        fmt("avc-1080", "avc1.640028", 1080),
        fmt("avc-720-dash", "avc1.4d401f", 720, protocol="http_dash_segments", fragments=[{"url": "a"}]),
        fmt("avc-720", "avc1.4d401f", 720, fps=30),
        fmt("avc-360-muxed", "avc1.42001E", 360, acodec="mp4a.40.2"),
        dict(format_id="audio", url="https://cdn.example/a", vcodec="none", acodec="opus",
             protocol="https", ext="webm"),
    ]


def test_format_choice_prefers_h264_at_most_720p_and_no_dash():
    info = {"id": "abc", "title": "Hamlet, Act 3", "formats": _formats(),
            "extractor": "fake", "extractor_key": "Fake", "webpage_url": "https://v.example/abc"}
    factory = _offline_ydl(info)
    resolved = YtDlpResolver(ydl_factory=factory).resolve("https://v.example/abc")
    assert resolved.url == "https://cdn.example/avc-720"
    assert resolved.title == "Hamlet, Act 3"
    assert resolved.fps == 30.0
    params = factory.seen_params
    assert params["format"] == OPENCV_FORMAT
    assert params["noplaylist"] is True and params["quiet"] is True
    assert params["socket_timeout"] == 15


def test_without_h264_the_best_small_format_is_taken():
    formats = [f for f in _formats() if not f["vcodec"].startswith("avc1")]
    formats.append(dict(format_id="vp9-480", url="https://cdn.example/vp9-480", vcodec="vp9",
                        acodec="none", height=480, width=854, protocol="https", ext="webm"))
    info = {"id": "x", "title": "t", "formats": formats, "extractor": "fake",
            "extractor_key": "Fake", "webpage_url": "https://v.example/x"}
    resolved = YtDlpResolver(ydl_factory=_offline_ydl(info)).resolve("https://v.example/x")
    assert resolved.url == "https://cdn.example/vp9-480"


def test_playlist_gives_its_first_video():
    playlist = _scripted_ydl(lambda url: {"_type": "playlist", "title": "Scenes", "entries": [
        {"url": "https://cdn.example/1.mp4", "title": "Scene 1"},
        {"url": "https://cdn.example/2.mp4", "title": "Scene 2"},
    ]})
    resolved = YtDlpResolver(ydl_factory=playlist).resolve("https://v.example/list")
    assert resolved.url == "https://cdn.example/1.mp4"
    assert resolved.title == "Scene 1"


def test_download_errors_become_one_short_sentence():
    def private(url):
        raise yt_dlp.utils.DownloadError(
            "ERROR: [youtube] abc123: Video unavailable. This video is private\n"
            "extra detail line"
        )

    failing = _scripted_ydl(private)

    with pytest.raises(SourceError) as err:
        YtDlpResolver(ydl_factory=failing).resolve("https://www.youtube.com/watch?v=abc123")
    assert str(err.value) == (
        "Cannot open https://www.youtube.com/watch?v=abc123: Video unavailable. This video is private."
    )


def test_short_reason_strips_yt_dlp_decoration():
    assert short_reason("\x1b[0;31mERROR:\x1b[0m [generic] none: Unable to download webpage "
                        "(caused by URLError())") == "Unable to download webpage"
    assert len(short_reason("x" * 500)) <= 160
