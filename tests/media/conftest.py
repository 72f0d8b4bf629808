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
