"""Clips for the media tests, built once per session from a real photo."""

from __future__ import annotations

import cv2
import numpy as np
import pytest


def numbered_frames(base: np.ndarray, n: int, size: tuple[int, int] = (160, 120)) -> list[np.ndarray]:
    """``n`` frames of ``base`` resized to ``size`` (w, h), each with a bright bar whose
    position encodes its index, so a test can tell frames apart after JPEG."""
    small = cv2.resize(base, size, interpolation=cv2.INTER_AREA)
    frames = []
    for i in range(n):
        frame = small.copy()
        x = (i * 7) % (size[0] - 8)
        frame[:, x : x + 8] = 255
        frames.append(frame)
    return frames


@pytest.fixture(scope="session")
def astronaut_small():
    from skimage import data

    return np.ascontiguousarray(data.astronaut()[:, :, ::-1])


@pytest.fixture(scope="session")
def clip_25fps(tmp_path_factory, make_clip, astronaut_small):
    """A 12-frame MJPG clip at 25 fps (160x120)."""
    path = tmp_path_factory.mktemp("clips") / "astronaut_25fps.avi"
    return make_clip(path, numbered_frames(astronaut_small, 12), 25)


@pytest.fixture(scope="session")
def clip_90(tmp_path_factory, make_clip, astronaut_small):
    """A 90-frame MJPG clip at 30 fps (160x120)."""
    path = tmp_path_factory.mktemp("clips") / "astronaut_90.avi"
    return make_clip(path, numbered_frames(astronaut_small, 90), 30)


@pytest.fixture(scope="session")
def clip_mp4(tmp_path_factory, astronaut_small):
    """A 10-frame MPEG-4 Part 2 ``.mp4`` at 25 fps (what a phone-ish container looks like)."""
    path = tmp_path_factory.mktemp("clips") / "astronaut.mp4"
    frames = numbered_frames(astronaut_small, 10)
    writer = cv2.VideoWriter(str(path), cv2.CAP_FFMPEG, cv2.VideoWriter_fourcc(*"mp4v"), 25, (160, 120))
    assert writer.isOpened()
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path


class LoopbackServer:
    """A real HTTP server on 127.0.0.1 (a free port) serving what a test adds: files with
    byte ranges, pages, playlists, redirects, and media that drops or stalls part-way."""

    def __init__(self):
        import http.server
        import threading

        routes = self.routes = {}
        self.hits: list[str] = []
        hits = self.hits
        stop = self.stop = threading.Event()

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                hits.append(self.path)
                route = routes.get(self.path.split("?")[0])
                if route is None:
                    self.send_error(404)
                    return
                if route.get("redirect"):
                    self.send_response(302)
                    self.send_header("Location", route["redirect"])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = route["body"]
                start = 0
                ranged = self.headers.get("Range", "")
                if ranged.startswith("bytes="):
                    start = int(ranged[6:].split("-")[0] or 0)
                cut = int(len(body) * route.get("fraction", 1.0))
                if start >= len(body) or (route.get("drop") and start >= cut):
                    self.send_response(416)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(206 if ranged else 200)
                self.send_header("Content-Type", route.get("type", "application/octet-stream"))
                self.send_header("Accept-Ranges", "bytes")
                self.send_header("Content-Length", str(len(body) - start))
                if ranged:
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                self.end_headers()
                if not (route.get("drop") or route.get("stall")) or start >= cut:
                    self.wfile.write(body[start:])  # a stall spares the index at the end
                    return
                if start < cut:
                    self.wfile.write(body[start:cut])
                    self.wfile.flush()
                if route.get("stall"):
                    stop.wait(60)  # keeps the connection open and silent
                self.close_connection = True

        class Server(http.server.ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # a client hanging up early (a probe, FFmpeg seeking) is normal

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def add(self, path: str, body: bytes = b"", **route) -> str:
        self.routes[path] = dict(body=body, **route)
        return self.url(path)

    def close(self):
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def http_server():
    server = LoopbackServer()
    yield server
    server.close()


@pytest.fixture
def other_server():
    """A second loopback server: another port than the one the user's URL names."""
    server = LoopbackServer()
    yield server
    server.close()
