"""URLs cannot reach what the user did not ask for: real yt-dlp, real FFmpeg, real
loopback HTTP servers (127.0.0.1 only; nothing leaves the machine)."""

from __future__ import annotations

import pytest

from acting_mirror.errors import SourceError
from acting_mirror.media.sources import StreamSource, open_source
from acting_mirror.media.streams import (
    ResolvedStream, YtDlpResolver, check_media_url, ffmpeg_network_options,
)


class Fixed:
    """A resolver that answers ``url`` whatever it is asked (what a hostile page makes
    yt-dlp answer)."""

    def __init__(self, url: str):
        self.url = url

    def resolve(self, asked: str) -> ResolvedStream:
        return ResolvedStream(url=self.url, title="t")


def page_with_video(src: str) -> bytes:
    return f'<html><head><title>Rehearsal</title></head><body><video src="{src}"></video></body></html>'.encode()


@pytest.mark.parametrize(
    "media",
    [
        "file:///etc/passwd",
        "concat:/etc/passwd|/etc/hostname",
        "subfile,,start,0,end,100,,:/etc/passwd",
        "pipe:0",
        "/etc/passwd",
        "data:video/avi;base64,AAAA",
        "ftp://127.0.0.1/x.avi",
        "gopher://127.0.0.1/x",
    ],
)
def test_non_http_media_is_refused_in_one_line(http_server, media):
    page = http_server.url("/page")
    with pytest.raises(SourceError) as err:
        StreamSource(page, resolver=Fixed(media))
    message = str(err.value)
    assert "\n" not in message and message.startswith(f"Refused the video address found for {page}")
    assert "only http(s) media is opened" in message
    assert http_server.hits == []  # refused before anything was fetched


def test_real_yt_dlp_on_a_page_pointing_at_a_local_file_is_refused(http_server, clip_25fps):
    """The attack as it happens: yt-dlp's generic extractor finds <video src="file://...">."""
    page = http_server.add("/page.html", page_with_video(clip_25fps.as_uri()), type="text/html")
    with pytest.raises(SourceError, match="a file: address"):
        open_source(page, resolver=YtDlpResolver(timeout_s=5))


def test_media_on_another_loopback_port_is_refused(http_server, other_server, clip_25fps):
    media = other_server.add("/v.avi", clip_25fps.read_bytes())
    page = http_server.add("/page.html", page_with_video(media), type="text/html")
    with pytest.raises(SourceError, match=r"127\.0\.0\.1 is a local or private address \(127\.0\.0\.1\) that your URL did not name"):
        open_source(page, resolver=YtDlpResolver(timeout_s=5))
    assert other_server.hits == []


def test_media_on_the_host_and_port_the_user_named_is_allowed(http_server, clip_25fps):
    http_server.add("/v.avi", clip_25fps.read_bytes())
    page = http_server.add("/page.html", page_with_video("/v.avi"), type="text/html")
    with open_source(page, resolver=YtDlpResolver(timeout_s=5)) as source:
        assert len(list(source)) == 12
    assert source.end_reason == "complete"


def test_a_redirect_to_a_local_address_is_refused(http_server, other_server, clip_25fps):
    target = other_server.add("/v.avi", clip_25fps.read_bytes())
    hop = http_server.add("/r", redirect=target)
    with pytest.raises(SourceError, match="local or private address"):
        StreamSource(http_server.url("/page"), resolver=Fixed(hop))
    assert other_server.hits == []


def test_a_redirect_on_the_same_server_is_followed_and_checked(http_server, clip_25fps):
    http_server.add("/v.avi", clip_25fps.read_bytes())
    hop = http_server.add("/r", redirect="/v.avi")
    with StreamSource(http_server.url("/page"), resolver=Fixed(hop)) as source:
        assert source.resolved.url == http_server.url("/v.avi")
        assert len(list(source)) == 12


def test_an_hls_playlist_with_a_local_segment_is_refused(http_server, other_server):
    playlist = (
        "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nseg0.ts\n"
        f"#EXTINF:1,\n{other_server.url('/seg1.ts')}\n#EXT-X-ENDLIST\n"
    ).encode()
    media = http_server.add("/live.m3u8", playlist, type="application/vnd.apple.mpegurl")
    with pytest.raises(SourceError, match="local or private address"):
        StreamSource(http_server.url("/page"), resolver=Fixed(media))
    assert other_server.hits == []


def test_an_hls_playlist_with_a_file_key_is_refused(http_server):
    playlist = b'#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI="file:///etc/passwd"\n#EXTINF:1,\nseg0.ts\n'
    media = http_server.add("/live.m3u8", playlist, type="application/vnd.apple.mpegurl")
    with pytest.raises(SourceError, match="a file: address"):
        StreamSource(http_server.url("/page"), resolver=Fixed(media))


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/v.mp4", "http://192.168.1.20/v.mp4", "http://169.254.169.254/latest",
        "http://[::1]:8080/v", "http://0.0.0.0/v", "http://[fe80::1]/v", "http://localhost/v",
        "http://[::ffff:127.0.0.1]/v", "http://100.64.0.1/v", "http://224.0.0.1/v",
    ],
)
def test_every_non_public_address_is_refused(url):
    with pytest.raises(SourceError, match="local or private address"):
        check_media_url(url, "https://www.youtube.com/watch?v=abc")


def test_the_users_own_private_host_is_allowed():
    check_media_url("http://192.168.1.20:8000/v.mp4", "http://192.168.1.20:8000/page")
    with pytest.raises(SourceError):
        check_media_url("http://192.168.1.20:8001/v.mp4", "http://192.168.1.20:8000/page")


def test_ffmpeg_gets_only_network_protocols():
    options = ffmpeg_network_options()
    assert options.startswith("protocol_whitelist;")
    allowed = set(options.split(";", 1)[1].split(","))
    assert {"http", "https"} <= allowed
    assert not allowed & {"file", "pipe", "concat", "subfile", "data", "fd", "udp", "rtp"}


def test_yt_dlp_keeps_nothing_on_disk_and_sends_no_cookies():
    options = YtDlpResolver().options()
    assert options["cachedir"] is False
    assert options["skip_download"] is True
    assert options["cookiefile"] is None and options["cookiesfrombrowser"] is None


# --------------------------------------------------------------------------- ends


def test_a_stream_that_drops_mid_way_says_so(http_server, clip_90):
    media = http_server.add("/v.avi", clip_90.read_bytes(), fraction=0.4, drop=True)
    with StreamSource(http_server.url("/p"), resolver=Fixed(media), timeout_s=5) as source:
        frames = list(source)
    assert 0 < len(frames) < 90
    assert source.end_reason == "dropped"
    assert source.end_message == f"The stream t dropped after {len(frames)} frames of 90."


def test_a_stream_that_stalls_is_cut_off_by_the_read_timeout(http_server, clip_90):
    media = http_server.add("/v.avi", clip_90.read_bytes(), fraction=0.4, stall=True)
    with StreamSource(http_server.url("/p"), resolver=Fixed(media), timeout_s=2) as source:
        frames = list(source)
    assert len(frames) < 90
    assert source.end_reason == "stalled"
    assert source.end_message == "t stalled: no frame within 2 s."



def test_a_dropped_stream_is_resolved_again_and_resumed_where_it_broke(http_server, clip_90):
    """The first URL breaks at 40 % (as an expired YouTube URL does); resolving again
    gives a working one: the take gets every frame once, in order."""
    data = clip_90.read_bytes()
    first = http_server.add("/expiring.avi", data, fraction=0.4, drop=True)
    second = http_server.add("/fresh.avi", data)

    class Renewing:
        def __init__(self):
            self.asked = 0

        def resolve(self, url):
            self.asked += 1
            return ResolvedStream(url=first if self.asked == 1 else second, title="t")

    resolver = Renewing()
    with StreamSource(http_server.url("/p"), resolver=resolver, timeout_s=5) as source:
        frames = list(source)
    assert resolver.asked == 2 and source.resumes == 1
    assert source.end_reason == "complete"
    times = [f.time_ms for f in frames]
    assert times == sorted(set(times))  # never a frame twice
    assert len(frames) == 90


def test_resuming_gives_up_after_a_bounded_number_of_tries(http_server, clip_90):
    media = http_server.add("/v.avi", clip_90.read_bytes(), fraction=0.4, drop=True)
    with StreamSource(http_server.url("/p"), resolver=Fixed(media), timeout_s=5) as source:
        frames = list(source)
    assert source.resumes == 3 and source.end_reason == "dropped" and len(frames) < 90
