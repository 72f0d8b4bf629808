"""Opening every kind of source from what a user types, and the errors they see."""

from __future__ import annotations

import itertools
import os
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from acting_mirror.core.ports import FrameSource
from acting_mirror.errors import SourceError
from acting_mirror.media.sources import (
    CameraInfo,
    CameraSource,
    ImageFolderSource,
    ImageSource,
    VideoFileSource,
    list_cameras,
    open_source,
)

ABSENT_CAMERA = 63  # no machine running the tests has 64 cameras


# ------------------------------------------------------------------ video files


def test_video_file_frames_carry_media_time_and_index(clip_25fps):
    with open_source(str(clip_25fps)) as source:
        assert isinstance(source, VideoFileSource)
        assert isinstance(source, FrameSource)
        assert source.fps == pytest.approx(25.0)
        assert source.frame_count == 12
        assert source.name == clip_25fps.name
        frames = list(source)
    assert [f.index for f in frames] == list(range(12))
    assert [f.time_ms for f in frames] == [i * 40 for i in range(12)]
    assert all(f.image.shape == (120, 160, 3) and f.image.dtype == np.uint8 for f in frames)


def test_consecutive_frames_differ_so_none_is_repeated_or_skipped(clip_25fps):
    with open_source(clip_25fps) as source:  # a Path works as well as a str
        images = [f.image for f in source]
    # The white bar moves 7 px per frame: its column tells the frame apart.
    bar_columns = [int(np.argmax(img[60, :, :].min(axis=1) > 230)) for img in images]
    assert bar_columns == sorted(bar_columns)
    assert len(set(bar_columns)) == 12


def test_mp4_file_opens_with_media_times(clip_mp4):
    with open_source(clip_mp4) as source:
        assert isinstance(source, VideoFileSource)
        times = [f.time_ms for f in source]
    assert times == [i * 40 for i in range(10)]


def test_loop_replays_with_time_still_increasing(clip_25fps):
    with open_source(clip_25fps, loop=True) as source:
        assert source.frame_count is None
        frames = list(itertools.islice(source, 30))
    assert [f.index for f in frames] == list(range(30))
    times = [f.time_ms for f in frames]
    assert all(b > a for a, b in zip(times, times[1:]))
    assert times[12] == 12 * 40  # the replay starts one frame period after the last frame
    assert np.array_equal(frames[0].image, frames[12].image)


def test_iteration_is_single_pass_and_close_stops_it(clip_25fps):
    source = open_source(clip_25fps)
    first = list(itertools.islice(source, 5))
    rest = list(source)
    assert [f.index for f in first + rest] == list(range(12))
    source.close()
    assert list(source) == []
    source.close()  # closing twice is harmless


# ------------------------------------------------------------------ errors


def test_missing_file_is_a_source_error(tmp_path):
    with pytest.raises(SourceError, match="No such file"):
        open_source(tmp_path / "nope.mp4")


def test_empty_file_is_a_source_error(tmp_path):
    empty = tmp_path / "empty.avi"
    empty.touch()
    with pytest.raises(SourceError, match="empty"):
        open_source(empty)


def test_corrupt_video_fails_at_open_not_mid_iteration(tmp_path):
    junk = tmp_path / "broken.avi"
    junk.write_bytes(np.random.default_rng(0).integers(0, 256, 50_000, dtype=np.uint8).tobytes())
    with pytest.raises(SourceError, match="Cannot decode") as err:
        open_source(junk)
    assert "\n" not in str(err.value)


def test_text_file_named_like_a_video_is_a_source_error(tmp_path):
    fake = tmp_path / "notes.mp4"
    fake.write_text("these are my lines, not a video\n" * 100)
    with pytest.raises(SourceError):
        open_source(fake)


def test_corrupt_image_is_a_source_error(tmp_path):
    bad = tmp_path / "headshot.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 50)
    with pytest.raises(SourceError, match="Cannot decode"):
        open_source(bad)


def test_unsupported_address_is_a_source_error():
    with pytest.raises(SourceError, match="Unsupported"):
        open_source("ftp://example.com/take.mp4")


def test_empty_spec_is_a_source_error():
    with pytest.raises(SourceError):
        open_source("  ")


# ------------------------------------------------------------------ images


def test_image_file_is_one_frame_at_time_zero(tmp_path, astronaut_bgr):
    path = tmp_path / "astronaut.png"
    cv2.imwrite(str(path), astronaut_bgr)
    with open_source(path) as source:
        assert isinstance(source, ImageSource)
        assert source.frame_count == 1
        frames = list(source)
    assert len(frames) == 1
    assert frames[0].index == 0 and frames[0].time_ms == 0
    assert np.array_equal(frames[0].image, astronaut_bgr)


def test_gray_and_alpha_images_become_bgr(tmp_path, astronaut_bgr):
    gray = tmp_path / "gray.png"
    cv2.imwrite(str(gray), cv2.cvtColor(astronaut_bgr, cv2.COLOR_BGR2GRAY))
    alpha = tmp_path / "alpha.png"
    cv2.imwrite(str(alpha), cv2.cvtColor(astronaut_bgr, cv2.COLOR_BGR2BGRA))
    for path in (gray, alpha):
        with open_source(path) as source:
            (frame,) = list(source)
        assert frame.image.shape == (512, 512, 3) and frame.image.dtype == np.uint8


def test_image_with_an_unusual_ending_still_opens(tmp_path, grace_hopper_bgr):
    path = tmp_path / "portrait.data"
    ok, encoded = cv2.imencode(".png", grace_hopper_bgr)
    path.write_bytes(encoded.tobytes())
    with open_source(path) as source:
        assert isinstance(source, ImageSource)
        (frame,) = list(source)
    assert frame.image.shape == grace_hopper_bgr.shape


def test_image_loop_repeats_the_picture(tmp_path, faceless_bgr):
    path = tmp_path / "coffee.jpg"
    cv2.imwrite(str(path), faceless_bgr)
    with open_source(path, loop=True) as source:
        frames = list(itertools.islice(source, 3))
    assert [f.index for f in frames] == [0, 1, 2]
    assert [f.time_ms for f in frames] == [0, 1000, 2000]


# ------------------------------------------------------------------ folders


def test_folder_yields_images_in_natural_order_and_skips_the_rest(
    tmp_path, astronaut_bgr, grace_hopper_bgr, faceless_bgr
):
    cv2.imwrite(str(tmp_path / "shot10.png"), faceless_bgr)
    cv2.imwrite(str(tmp_path / "shot2.jpg"), grace_hopper_bgr)
    cv2.imwrite(str(tmp_path / "shot1.png"), astronaut_bgr)
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / "shot5.png").write_bytes(b"\x89PNG broken")
    with open_source(tmp_path) as source:
        assert isinstance(source, ImageFolderSource)
        assert source.fps == 1.0
        frames = list(source)
        skipped = [p.name for p in source.skipped]
    assert [f.image.shape for f in frames] == [(512, 512, 3), (600, 512, 3), (400, 600, 3)]
    assert [f.index for f in frames] == [0, 1, 2]
    assert [f.time_ms for f in frames] == [0, 1000, 2000]
    assert skipped == ["shot5.png"]


def test_folder_at_a_chosen_rate(tmp_path, astronaut_bgr):
    for i in range(3):
        cv2.imwrite(str(tmp_path / f"{i}.png"), astronaut_bgr)
    with ImageFolderSource(tmp_path, fps=4) as source:
        assert [f.time_ms for f in source] == [0, 250, 500]


def test_folder_without_images_is_a_source_error(tmp_path):
    (tmp_path / "readme.md").write_text("hello")
    with pytest.raises(SourceError, match="holds no images"):
        open_source(tmp_path)


# ------------------------------------------------------------------ cameras


@pytest.mark.parametrize("spec", [f"camera:{ABSENT_CAMERA}", ABSENT_CAMERA, f"/dev/video{ABSENT_CAMERA}"])
def test_absent_camera_is_a_one_sentence_error(spec):
    with pytest.raises(SourceError, match=f"No camera found at index {ABSENT_CAMERA}\\."):
        open_source(spec)


def test_camera_class_directly():
    with pytest.raises(SourceError, match="No camera found"):
        CameraSource(ABSENT_CAMERA)


def test_list_cameras_lists_only_existing_devices():
    cameras = list_cameras()
    assert isinstance(cameras, list)
    for cam in cameras:
        assert isinstance(cam, CameraInfo)
        assert cam.spec == f"camera:{cam.index}"
        if sys.platform.startswith("linux"):
            assert os.path.exists(f"/dev/video{cam.index}")
    if sys.platform.startswith("linux") and not any(Path("/dev").glob("video*")):
        assert cameras == []


def test_media_times_fall_back_to_the_frame_rate_and_never_go_back():
    from acting_mirror.media.sources import _MediaTimes

    times = _MediaTimes(fps=25.0)
    # a backend that reports 0 after the first frame, then jumps back: nonsense
    reported = [0.0, 0.0, 0.0, 120.0, 80.0, float("nan"), 240.0]
    stamped = [times.stamp(p) for p in reported]
    assert stamped[:4] == [0, 40, 80, 120]
    assert all(b > a for a, b in zip(stamped, stamped[1:]))
    assert stamped[-1] == 240


def test_media_times_start_at_zero_for_streams_that_start_late():
    from acting_mirror.media.sources import _MediaTimes

    times = _MediaTimes(fps=30.0)
    assert [times.stamp(p) for p in (5000.0, 5033.3, 5066.7)] == [0, 33, 67]


def test_probing_for_cameras_stops_after_two_missing_indices(monkeypatch):
    """Where cameras must be opened to be found (not Linux), a machine with cameras 0 and
    1 is not made to wait for six more failed opens before the window shows."""
    from acting_mirror.media import sources

    tried = []

    class FakeCapture:
        def __init__(self, index):
            tried.append(index)
            self.index = index

        def isOpened(self):  # noqa: N802 (OpenCV's name)
            return self.index in (0, 1)

        def release(self):
            pass

    monkeypatch.setattr(sources.cv2, "VideoCapture", FakeCapture)
    found = sources._probed_cameras(8)
    assert [c.index for c in found] == [0, 1]
    assert tried == [0, 1, 2, 3]
