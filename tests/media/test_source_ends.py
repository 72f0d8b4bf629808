"""How sources end: complete, truncated, dropped, stalled, camera lost; and their traits."""

from __future__ import annotations

import numpy as np
import pytest

from acting_mirror.media import sources
from acting_mirror.media.sources import (
    CameraSource, ImageFolderSource, ImageSource, VideoFileSource, open_source,
)


def test_a_whole_file_ends_complete(clip_90):
    with open_source(clip_90) as source:
        assert source.end_reason is None
        assert len(list(source)) == 90
    assert source.end_reason == "complete" and source.end_message is None


def test_a_truncated_file_says_how_much_was_decoded(tmp_path, clip_90):
    data = clip_90.read_bytes()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(data[: int(len(data) * 0.4)])
    with open_source(cut) as source:
        assert source.frame_count == 90  # the header still claims them all
        frames = list(source)
    assert 0 < len(frames) < 90
    assert source.end_reason == "truncated"
    assert source.end_message == f"cut.avi is truncated: {len(frames)} of its 90 frames could be decoded."


def test_closing_early_is_complete_not_an_error(clip_90):
    source = open_source(clip_90)
    for i, _frame in enumerate(source):
        if i == 5:
            break
    source.close()
    assert source.end_reason == "complete"


def test_a_looped_file_is_endless_and_replays_even_if_cut(tmp_path, clip_25fps):
    with VideoFileSource(clip_25fps, loop=True) as source:
        assert source.endless and not source.live and not source.stills
        frames = []
        for frame in source:
            frames.append(frame)
            if len(frames) == 30:
                break
    assert len(frames) == 30


def test_traits_are_data_on_every_source(tmp_path, clip_25fps, astronaut_small):
    import cv2

    image = tmp_path / "a.png"
    cv2.imwrite(str(image), astronaut_small)
    with open_source(clip_25fps) as video:
        assert (video.live, video.stills, video.endless) == (False, False, False)
    with open_source(image) as still:
        assert isinstance(still, ImageSource)
        assert (still.live, still.stills, still.endless) == (False, True, False)
    with ImageSource(image, loop=True) as looped:
        assert looped.endless
    with open_source(tmp_path) as folder:
        assert isinstance(folder, ImageFolderSource)
        assert (folder.live, folder.stills, folder.endless) == (False, True, False)
        list(folder)
    assert folder.end_reason == "complete"
    assert (CameraSource.live, CameraSource.stills, CameraSource.endless) == (True, False, True)


class _StallingCapture:
    """A camera capture that delivers ``good`` pictures, then nothing (no error): what
    a camera does when its cable is pulled or another program grabs it."""

    def __init__(self, good: int):
        self.good = good
        self.reads = 0

    def read(self):
        self.reads += 1
        if self.reads <= self.good:
            return np.zeros((4, 4, 3), np.uint8), 0.0
        return None, 0.0

    def release(self):
        pass


def _camera_on(capture, stall_s: float) -> CameraSource:
    camera = object.__new__(CameraSource)
    camera.index = 7
    camera.name = "camera 7"
    camera._closed = False
    camera._capture = capture
    camera._pending = None
    camera._start = 0.0
    camera._clock = sources._Clock()
    camera._index = 0
    camera.stall_s = stall_s
    return camera


def test_a_camera_that_stops_delivering_ends_as_lost_instead_of_waiting(monkeypatch):
    camera = _camera_on(_StallingCapture(good=5), stall_s=0.3)
    frames = list(camera)  # ends by itself: no exception, no endless wait
    assert len(frames) == 5
    assert camera.end_reason == "camera lost"
    assert camera.end_message.startswith("Camera 7 stopped delivering pictures (")


def test_the_default_stall_limit_is_within_three_seconds():
    import os

    # worst case: the last read before the limit blocks for a whole V4L2 select timeout
    assert CameraSource.stall_s + float(os.environ["OPENCV_VIDEOIO_V4L_SELECT_TIMEOUT"]) <= 3.0


@pytest.mark.parametrize("fps", [0.5, 0.2])
def test_a_slideshow_under_1_fps_is_recorded_at_a_valid_rate(tmp_path, fps, astronaut_small, count_frames):
    from acting_mirror.core.summary import SummaryBuilder
    from acting_mirror.core.types import Frame, FrameResult
    from acting_mirror.media.recorder import TakeRecorder

    summary = SummaryBuilder("slides", fps, "haar", "m")
    with TakeRecorder(tmp_path / "t", fps, summary=summary) as rec:
        for i in range(3):
            rec.write(FrameResult(Frame(astronaut_small, i, int(i * 1000 / fps)), ()))
    assert count_frames(tmp_path / "t" / "output.avi") == 3
    assert rec.summary_dict["duration_s"] == pytest.approx(3 / fps)


def test_the_prefetcher_passes_traits_and_the_end_through(tmp_path, clip_90):
    from acting_mirror.media.prefetch import Prefetcher

    data = clip_90.read_bytes()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(data[: len(data) // 2])
    with Prefetcher(open_source(cut)) as source:
        assert (source.live, source.stills, source.endless) == (False, False, False)
        n = len(list(source))
        assert source.end_reason == "truncated" and str(n) in source.end_message
