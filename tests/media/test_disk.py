"""Full, small and vanishing disks: checked before recording, noticed while recording,
and a take stopped by them is consistent and says what it kept. Uses real small tmpfs
filesystems when the machine allows mounting (root), else skips those tests."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid

import numpy as np
import pytest

from acting_mirror.core.summary import SummaryBuilder
from acting_mirror.core.timeline import read_timeline
from acting_mirror.core.types import EMOTIONS, Box, Face, Frame, FrameResult
from acting_mirror.errors import OutputError
from acting_mirror.media import recorder as recorder_module
from acting_mirror.media.recorder import TakeRecorder
from acting_mirror.media.takes import check_free_space


@pytest.fixture
def small_disk(tmp_path):
    """``small_disk(megabytes) -> Path``: a fresh tmpfs of that size."""
    mounts = []

    def make(megabytes: int):
        where = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
        where.mkdir()
        run = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(where)],
            capture_output=True, text=True,
        )
        if run.returncode != 0:
            pytest.skip(f"cannot mount a small filesystem here: {run.stderr.strip()}")
        mounts.append(where)
        return where

    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    yield make
    for where in mounts:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def noise_results(n: int, size=(640, 480)):
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)  # ~300 kB as JPEG
    p = np.full(7, 0.05, np.float32)
    p[EMOTIONS.index("sad")] = 0.7
    for i in range(n):
        face = Face(Box(10, 10, 80, 80), raw_probs=p, probs=p, face_id=0, primary=True)
        yield FrameResult(Frame(image, i, i * 33), (face,))


def record_until_it_stops(folder, n=2000):
    rec = TakeRecorder(folder, 30, summary=SummaryBuilder("noise", 30, "haar", "m"))
    with pytest.raises(OutputError) as err:
        for result in noise_results(n):
            rec.write(result)
    return rec, str(err.value)


def assert_consistent(folder, count_frames, kept):
    assert count_frames(folder / "output.avi") == kept
    assert sorted(set(read_timeline(folder / "timeline.csv").frame.tolist())) == list(range(kept))
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["frames"] == kept and summary["complete"] is False
    assert sorted(p.name for p in folder.iterdir()) == ["output.avi", "summary.json", "timeline.csv"]
    return summary


def test_too_little_free_space_is_refused_before_recording(small_disk):
    disk = small_disk(20)
    with pytest.raises(OutputError, match=r"^Only .* MB free on the disk holding .*; a take needs at least 67\.1 MB\."):
        TakeRecorder(disk / "take", 30, summary=None)
    assert not (disk / "take" / "timeline.csv").exists()
    assert check_free_space(disk, 1_000_000) > 1_000_000


def test_a_disk_filling_up_stops_the_take_with_every_file_agreeing(small_disk, count_frames):
    disk = small_disk(72)
    rec, message = record_until_it_stops(disk / "take")
    kept = int(message.split("keeps its first ")[1].split()[0])
    assert message.startswith(f"The disk holding {disk / 'take'} is full: the take in ")
    assert message.endswith(f"keeps its first {kept} frames ({kept / 30:.1f} s), every file agreeing.")
    assert kept > 50
    summary = assert_consistent(disk / "take", count_frames, kept)
    assert summary["end_reason"] == f"The disk holding {disk / 'take'} is full"
    assert rec.close() == summary  # no second error


def test_a_disk_full_to_the_last_byte_still_gives_a_consistent_take(small_disk, count_frames, monkeypatch):
    """The free-space guard switched off: FFmpeg and the timeline hit ENOSPC for real."""
    monkeypatch.setattr(recorder_module, "RUNNING_FREE_BYTES", 0)
    monkeypatch.setattr(recorder_module, "check_free_space", lambda *a, **k: None)
    disk = small_disk(12)
    rec, message = record_until_it_stops(disk / "take")
    kept = int(message.split("keeps its first ")[1].split()[0])
    assert "full" in message
    assert_consistent(disk / "take", count_frames, kept)
    assert kept > 5


def test_a_vanished_take_folder_stops_with_one_sentence(tmp_path):
    folder = tmp_path / "take"
    rec = TakeRecorder(folder, 30, summary=None, flush_every=1)
    results = noise_results(10, size=(64, 48))
    rec.write(next(results))
    shutil.rmtree(folder)
    with pytest.raises(OutputError) as err:
        for result in results:
            rec.write(result)
    assert str(err.value) == f"The take folder {folder} has vanished; nothing of the take is left."


def mixed_results(n: int, size, faces_cycle=(1, 2, 0)):
    """Noise frames with 0, 1 or 2 faces (0 to 2 timeline rows each), so the disk can
    fill between two rows of one frame as well as between frames."""
    rng = np.random.default_rng(1)
    image = rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    p = np.full(7, 0.05, np.float32)
    p[EMOTIONS.index("happy")] = 0.7
    for i in range(n):
        faces = tuple(
            Face(Box(10 + 90 * k, 10, 80, 80), raw_probs=p, probs=p, face_id=k, primary=k == 0)
            for k in range(faces_cycle[i % len(faces_cycle)])
        )
        yield FrameResult(Frame(image, i, i * 33), faces)


@pytest.mark.parametrize(
    "megabytes, size",
    [(3, (64, 48)), (5, (160, 120)), (7, (320, 240)), (8, (320, 240)), (10, (640, 480)), (11, (640, 480)), (13, (640, 480))],
)
def test_a_disk_full_at_any_moment_leaves_every_file_agreeing(small_disk, count_frames, monkeypatch, megabytes, size):
    """Guard off, ENOSPC for real, at moments set by the disk size and by how fast the
    video grows against the timeline (small frames: the timeline fills it first;
    large ones: the video does). Whoever hits the wall, every file holds the same
    frames, and a frame's rows are all there or none is."""
    monkeypatch.setattr(recorder_module, "RUNNING_FREE_BYTES", 0)
    monkeypatch.setattr(recorder_module, "check_free_space", lambda *a, **k: None)
    folder = small_disk(megabytes) / "take"
    rec = TakeRecorder(folder, 30, summary=SummaryBuilder("noise", 30, "haar", "m"))
    with pytest.raises(OutputError, match="full") as err:
        for result in mixed_results(200_000, size):
            rec.write(result)
    kept = int(str(err.value).split("keeps its first ")[1].split()[0])
    assert 0 < kept < rec.frames_recorded
    assert count_frames(folder / "output.avi") == kept
    table = read_timeline(folder / "timeline.csv")
    rows_per_frame = {f: table.frame.tolist().count(f) for f in set(table.frame.tolist())}
    expected = {i: (1, 2, 0)[i % 3] for i in range(kept) if (1, 2, 0)[i % 3]}
    assert rows_per_frame == expected
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["frames"] == kept and summary["complete"] is False
    assert sorted(p.name for p in folder.iterdir()) == ["output.avi", "summary.json", "timeline.csv"]
