"""How far ``output.avi`` on disk trails the frames handed to OpenCV's FFmpeg writer:
the figure behind :func:`acting_mirror.media.recorder.video_lag_bound` (what a SIGKILL
can cost the video, see tests/cli/test_recover.py)."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from acting_mirror.media import quiet_cv  # noqa: F401  (before cv2)

import cv2

from acting_mirror.media.recorder import WRITER_BUFFER_BYTES, video_lag_bound


def avi_frame_chunks(path) -> list[tuple[int, int]]:
    """``(data offset, size)`` of each video frame, from a closed AVI's idx1 index."""
    data = path.read_bytes()
    movi, idx = data.find(b"movi"), data.rfind(b"idx1")
    assert movi > 0 and idx > movi
    n = struct.unpack("<I", data[idx + 4 : idx + 8])[0] // 16
    entries = (struct.unpack("<4sIII", data[idx + 8 + 16 * k : idx + 24 + 16 * k]) for k in range(n))
    return [(movi + off + 8, size) for cid, _flags, off, size in entries if cid[2:4] in (b"dc", b"db")]


@pytest.mark.parametrize("shape", [(48, 64), (240, 320), (480, 640)])
def test_the_video_on_disk_trails_the_writer_by_at_most_its_output_buffer(tmp_path, shape):
    path = tmp_path / "v.avi"
    writer = cv2.VideoWriter(str(path), cv2.CAP_FFMPEG, cv2.VideoWriter_fourcc(*"MJPG"), 30, shape[::-1])
    assert writer.isOpened()
    rng = np.random.default_rng(0)
    sizes = []
    for i in range(90):  # alternate busy and quiet frames: frame sizes vary
        writer.write(rng.integers(0, 256 if i % 2 else 40, (*shape, 3), dtype=np.uint8))
        sizes.append(path.stat().st_size)
    writer.release()
    chunks = avi_frame_chunks(path)
    assert len(chunks) == 90
    smallest = min(size for _off, size in chunks)
    for i, on_disk in enumerate(sizes):
        end = chunks[i][0] + chunks[i][1]
        assert end - on_disk <= WRITER_BUFFER_BYTES  # never more than the buffer held back
        whole = sum(1 for off, size in chunks if off + size <= on_disk)
        assert i + 1 - whole <= video_lag_bound(0, smallest)
    assert max(chunks[i][0] + chunks[i][1] - sizes[i] for i in range(90)) > 0  # it does buffer
