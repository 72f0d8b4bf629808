"""Synthetic clips built from the bundled public-domain portraits, for benchmarks.

``assets/portraits`` holds Eileen Collins (NASA) and Grace Hopper (US Navy), both in the
public domain. The clips move gently (slow zoom and drift) so trackers and decoders do
real work, and are written with OpenCV's MPEG-4 codec like an ordinary recording.
"""

from __future__ import annotations

import math
from pathlib import Path

from acting_mirror.media import quiet_cv  # noqa: F401  (before cv2)

import cv2
import numpy as np

from acting_mirror.config import assets_dir
from acting_mirror.errors import OutputError, SourceError

PORTRAITS = ("astronaut.jpg", "grace_hopper.jpg")
# where each portrait's face is (x, y, w, h in the photo's pixels), for tiling crowds
_FACE_BOXES = {"astronaut.jpg": (160, 50, 130, 130), "grace_hopper.jpg": (140, 90, 250, 250)}


def load_portraits() -> dict[str, np.ndarray]:
    out = {}
    for name in PORTRAITS:
        path = assets_dir() / "portraits" / name
        image = cv2.imread(str(path))
        if image is None:
            raise SourceError(f"The bundled portrait {path} is missing or unreadable.")
        out[name] = image
    return out


def _writer(path: Path, fps: float, size: tuple[int, int]) -> cv2.VideoWriter:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    if not writer.isOpened():
        raise OutputError(f"Cannot write the clip {path}.")
    return writer


def _place(canvas: np.ndarray, image: np.ndarray, cx: float, cy: float, height: float) -> None:
    """Draw ``image`` scaled to ``height`` pixels, centred at (cx, cy), clipped to canvas."""
    s = height / image.shape[0]
    small = cv2.resize(image, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
    h, w = small.shape[:2]
    x0, y0 = int(round(cx - w / 2)), int(round(cy - h / 2))
    H, W = canvas.shape[:2]
    xa, ya, xb, yb = max(x0, 0), max(y0, 0), min(x0 + w, W), min(y0 + h, H)
    if xb > xa and yb > ya:
        canvas[ya:yb, xa:xb] = small[ya - y0 : yb - y0, xa - x0 : xb - x0]


def one_face_clip(path: Path, frames: int = 300, size=(1280, 720), fps: float = 30.0) -> Path:
    """One face at a time: the astronaut (first half) then Grace Hopper, slowly zooming
    and drifting, on a dark backdrop."""
    photos = load_portraits()
    W, H = size
    writer = _writer(path, fps, size)
    try:
        for i in range(frames):
            name = PORTRAITS[0] if i < frames // 2 else PORTRAITS[1]
            t = i / max(frames - 1, 1)
            canvas = np.full((H, W, 3), 35, np.uint8)
            _place(
                canvas, photos[name],
                W / 2 + 60 * math.sin(2 * math.pi * t),
                H / 2 + 20 * math.cos(2 * math.pi * t),
                H * (0.95 + 0.1 * math.sin(math.pi * t)),
            )
            writer.write(canvas)
    finally:
        writer.release()
    return path


def crowd_clip(
    path: Path, frames: int = 300, faces: int = 20, size=(1280, 720), fps: float = 30.0
) -> Path:
    """``faces`` faces on a grid (both portraits, mirrored and at varied sizes), each
    drifting a little on its own."""
    photos = load_portraits()
    tiles = []
    for name in PORTRAITS:
        x, y, w, h = _FACE_BOXES[name]
        pad = int(0.6 * w)
        img = photos[name]
        crop = img[max(y - pad, 0) : y + h + pad, max(x - pad, 0) : x + w + pad]
        tiles += [crop, cv2.flip(crop, 1)]
    W, H = size
    cols = math.ceil(math.sqrt(faces * W / H))
    rows = math.ceil(faces / cols)
    cw, ch = W / cols, H / rows
    rng = np.random.default_rng(7)
    phase = rng.uniform(0, 2 * math.pi, faces)
    scale = rng.uniform(0.85, 1.0, faces)
    writer = _writer(path, fps, size)
    try:
        for i in range(frames):
            t = i / fps
            canvas = np.full((H, W, 3), 35, np.uint8)
            for k in range(faces):
                r, c = divmod(k, cols)
                _place(
                    canvas, tiles[k % len(tiles)],
                    (c + 0.5) * cw + 6 * math.sin(t + phase[k]),
                    (r + 0.5) * ch + 4 * math.cos(0.7 * t + phase[k]),
                    ch * scale[k],
                )
            writer.write(canvas)
    finally:
        writer.release()
    return path
