"""Build the bundled demo clip ``assets/demo.avi`` from two public-domain portraits.

The clip is what the app plays when there is no camera: about 12 seconds at 25 fps,
960x540. First Eileen Collins (NASA, ``skimage.data.astronaut()``, usually read as happy),
then Grace Hopper (US Navy, matplotlib's ``grace_hopper.jpg``, usually read as neutral),
each with a slow zoom and pan so the picture feels alive, and a short crossfade between.
The portrait sits on a blurred, darkened copy of itself filling the 16:9 frame.

Run from the repository root::

    python assets/build_demo.py            # writes assets/demo.avi
    python assets/build_demo.py OUT.avi --seconds 6

Needs scikit-image and matplotlib (the test extra) for the two photos; the clip itself is
encoded with OpenCV's MPEG-4 Part 2 (XVID) codec so it stays small (well under 3 MB).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np

WIDTH, HEIGHT = 960, 540
FPS = 25
SECONDS = 12.0
CROSSFADE_S = 1.0
FOURCC = "XVID"
ASTRONAUT_KEEP_COLUMNS = 360
ASTRONAUT_FACE_XY = (246, 113)  # face centre in skimage's 512x512 photo, pixels
SOFTEN_SIGMA = 0.8
"""Gaussian blur applied to the photos once: OpenCV's MPEG-4 writer has a fixed quantiser,
so film grain is what costs bytes; this keeps the clip near 2.5 MB instead of 4."""


def portraits() -> list[np.ndarray]:
    """The two public-domain portraits as BGR uint8 arrays (astronaut first)."""
    import matplotlib.cbook as cbook
    import matplotlib.image as mpimg
    import skimage.data

    # without the model shuttle on the right, which Haar likes to take for a second face
    astronaut = cv2.cvtColor(skimage.data.astronaut()[:, :ASTRONAUT_KEEP_COLUMNS], cv2.COLOR_RGB2BGR)
    hopper_rgb = mpimg.imread(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))
    if hopper_rgb.dtype != np.uint8:
        hopper_rgb = (np.clip(hopper_rgb, 0, 1) * 255).astype(np.uint8)
    hopper = cv2.cvtColor(np.ascontiguousarray(hopper_rgb[..., :3]), cv2.COLOR_RGB2BGR)
    return [cv2.GaussianBlur(p, (0, 0), SOFTEN_SIGMA) for p in (astronaut, hopper)]


def _backdrop(image: np.ndarray) -> np.ndarray:
    """``image`` stretched over the whole frame, blurred and darkened."""
    wide = cv2.resize(image, (WIDTH // 4, HEIGHT // 4), interpolation=cv2.INTER_AREA)
    wide = cv2.GaussianBlur(wide, (0, 0), 6)
    wide = cv2.resize(wide, (WIDTH, HEIGHT), interpolation=cv2.INTER_LINEAR)
    return (wide.astype(np.float32) * 0.45).astype(np.uint8)


def _ease(t: float) -> float:
    """Smooth 0..1 ramp (no jerk at either end)."""
    t = min(max(t, 0.0), 1.0)
    return t * t * (3.0 - 2.0 * t)


def shot(image: np.ndarray, progress: float, *, focus: tuple[float, float],
         zoom: tuple[float, float], at: tuple[tuple[float, float], tuple[float, float]]) -> np.ndarray:
    """One frame of a slow zoom/pan over ``image``; ``progress`` runs 0..1 over the shot.

    ``focus`` is the point of the image to follow (fractions of its width and height; the
    face), ``zoom`` the start and end scale relative to fitting the image's height, and
    ``at`` the start and end positions of the focus in the frame (fractions of its size).
    """
    backdrop = _backdrop(image)
    e = _ease(progress)
    scale = (zoom[0] + (zoom[1] - zoom[0]) * e) * HEIGHT / image.shape[0]
    px = (at[0][0] + (at[1][0] - at[0][0]) * e) * WIDTH
    py = (at[0][1] + (at[1][1] - at[0][1]) * e) * HEIGHT
    fx, fy = focus[0] * image.shape[1], focus[1] * image.shape[0]
    m = np.array([[scale, 0.0, px - scale * fx], [0.0, scale, py - scale * fy]], dtype=np.float32)
    warped = cv2.warpAffine(image, m, (WIDTH, HEIGHT), flags=cv2.INTER_LINEAR,
                            borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0))
    mask = cv2.warpAffine(np.full(image.shape[:2], 255, np.uint8), m, (WIDTH, HEIGHT),
                          flags=cv2.INTER_LINEAR, borderValue=0)
    alpha = (mask.astype(np.float32) / 255.0)[..., None]
    return (warped * alpha + backdrop * (1.0 - alpha)).astype(np.uint8)


def frames(seconds: float = SECONDS, fps: int = FPS):
    """Yield the clip's BGR frames in order."""
    first, second = portraits()
    n = int(round(seconds * fps))
    half = seconds / 2.0
    face = (ASTRONAUT_FACE_XY[0] / first.shape[1], ASTRONAUT_FACE_XY[1] / first.shape[0])
    for i in range(n):
        t = i / fps
        a = shot(first, t / (half + CROSSFADE_S / 2), focus=face, zoom=(1.25, 1.5),
                 at=((0.47, 0.34), (0.52, 0.36)))
        if t < half - CROSSFADE_S / 2:
            yield a
            continue
        b = shot(second, (t - half + CROSSFADE_S / 2) / (half + CROSSFADE_S / 2),
                 focus=(0.5, 0.38), zoom=(1.4, 1.15), at=((0.53, 0.42), (0.48, 0.40)))
        mix = _ease((t - (half - CROSSFADE_S / 2)) / CROSSFADE_S)
        yield b if mix >= 1.0 else cv2.addWeighted(a, 1.0 - mix, b, mix, 0.0)


def build(out: Path, seconds: float = SECONDS) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*FOURCC), FPS, (WIDTH, HEIGHT))
    if not writer.isOpened():
        raise SystemExit(f"OpenCV cannot write {FOURCC} video to {out}.")
    try:
        for frame in frames(seconds):
            writer.write(frame)
    finally:
        writer.release()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path,
                        default=Path(__file__).resolve().parent / "demo.avi")
    parser.add_argument("--seconds", type=float, default=SECONDS)
    args = parser.parse_args(argv)
    path = build(args.out, args.seconds)
    size_mb = path.stat().st_size / 1e6
    print(f"wrote {path} ({size_mb:.2f} MB, {int(round(args.seconds * FPS))} frames)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
