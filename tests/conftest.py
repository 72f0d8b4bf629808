"""Shared fixtures: real public-domain photos and a clip builder. Nothing is downloaded.

Photos are decoded once per session and handed out as fresh copies, so a test may draw
on its image freely.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import settings

# Fuzz tests check what happens, never how fast: a loaded CI machine must not turn a slow
# example into a failure (Hypothesis' default deadline is 200 ms per example).
settings.register_profile("acting-mirror", deadline=None)
settings.load_profile("acting-mirror")


@pytest.fixture(scope="session")
def _photos() -> dict[str, np.ndarray]:
    from matplotlib import cbook
    from skimage import data

    with cbook.get_sample_data("grace_hopper.jpg") as fh:
        hopper = cv2.imdecode(np.frombuffer(fh.read(), dtype=np.uint8), cv2.IMREAD_COLOR)
    return {
        "astronaut": np.ascontiguousarray(data.astronaut()[:, :, ::-1]),  # 512x512, one face
        "grace_hopper": hopper,  # 600x512 portrait, one face
        "coffee": np.ascontiguousarray(data.coffee()[:, :, ::-1]),  # 400x600, no face
    }


@pytest.fixture
def astronaut_bgr(_photos) -> np.ndarray:
    """skimage's astronaut (Eileen Collins), 512x512 BGR uint8: one frontal face."""
    return _photos["astronaut"].copy()


@pytest.fixture
def grace_hopper_bgr(_photos) -> np.ndarray:
    """matplotlib's Grace Hopper portrait, 600x512 BGR uint8: one frontal face."""
    return _photos["grace_hopper"].copy()


@pytest.fixture
def faceless_bgr(_photos) -> np.ndarray:
    """skimage's coffee cup, 400x600 BGR uint8: no face at all."""
    return _photos["coffee"].copy()


@pytest.fixture(scope="session")
def _lfw() -> np.ndarray:
    from skimage import data

    faces = data.lfw_subset()[:100]  # the first 100 of the subset are faces
    return np.round(faces * 255.0).astype(np.uint8)


@pytest.fixture
def lfw_faces(_lfw) -> np.ndarray:
    """100 tightly cropped LFW faces, gray ``uint8``, shape (100, 25, 25) (a copy)."""
    return _lfw.copy()


def write_clip(path: Path | str, frames: list[np.ndarray], fps: float) -> Path:
    """Write ``frames`` (BGR uint8, all one size) to an MJPG ``.avi`` at ``fps``."""
    path = Path(path)
    if not frames:
        raise ValueError("a clip needs at least one frame")
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.CAP_FFMPEG, cv2.VideoWriter_fourcc(*"MJPG"), fps, (width, height))
    if not writer.isOpened():
        raise RuntimeError(f"cannot write test clip {path}")
    try:
        for frame in frames:
            if frame.shape[:2] != (height, width):
                raise ValueError("all clip frames must have one size")
            writer.write(frame)
    finally:
        writer.release()
    return path


def decoded_frames(path: Path | str) -> int:
    """How many frames OpenCV decodes from the video at ``path``."""
    cap = cv2.VideoCapture(str(path))
    n = 0
    try:
        while cap.read()[0]:
            n += 1
    finally:
        cap.release()
    return n


@pytest.fixture(scope="session")
def count_frames():
    """``count_frames(path) -> int``: frames decoded from a video file."""
    return decoded_frames


@pytest.fixture(scope="session")
def make_clip():
    """``make_clip(path, frames, fps) -> Path``: write an MJPG ``.avi`` test clip."""
    return write_clip
