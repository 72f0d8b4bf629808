"""Recording a take: every frame lands in output.avi, the timeline and summary are complete."""

from __future__ import annotations

import csv
import json

import cv2
import numpy as np
import pytest

from acting_mirror.core.summary import SUMMARY_KEYS, SummaryBuilder
from acting_mirror.core.timeline import TIMELINE_COLUMNS, read_timeline
from acting_mirror.core.types import EMOTIONS, Box, Face, Frame, FrameResult
from acting_mirror.errors import OutputError
from acting_mirror.media.annotate import Annotator
from acting_mirror.media.recorder import TakeRecorder
from acting_mirror.media.sources import open_source


def happy_face(frame: Frame) -> Face:
    p = np.full(7, 0.05, dtype=np.float32)
    p[EMOTIONS.index("happy")] = 0.7
    return Face(Box(40, 20, 60, 60), raw_probs=p, probs=p, face_id=0, primary=True)


def builder(fps=30.0) -> SummaryBuilder:
    return SummaryBuilder("astronaut_90.avi", fps, detector="haar", model="test.tflite")


def test_every_frame_of_a_90_frame_clip_lands_in_the_video(count_frames, tmp_path, clip_90):
    annotator = Annotator()
    summary = builder()
    with open_source(clip_90) as source, TakeRecorder(tmp_path, source.fps, summary=summary) as rec:
        for frame in source:
            result = FrameResult(frame, (happy_face(frame),))
            rec.write(result, annotator.annotate(frame.image, result))
    assert rec.frames_written == 90 and rec.frames_recorded == 90
    video = tmp_path / "output.avi"
    assert count_frames(video) == 90
    cap = cv2.VideoCapture(str(video))
    assert cap.get(cv2.CAP_PROP_FPS) == pytest.approx(30.0)
    ok, first = cap.read()
    cap.release()
    assert first.shape == (120, 160, 3)
    # the annotation made it into the file (JPEG-tolerant colour check on the box edge)
    assert np.abs(first[50, 40].astype(int) - (0, 179, 255)).max() < 60


def test_timeline_has_the_header_and_one_row_per_face(tmp_path, clip_90):
    with open_source(clip_90) as source, TakeRecorder(tmp_path, source.fps, summary=builder()) as rec:
        for frame in source:
            faces = (happy_face(frame),) if frame.index % 2 == 0 else ()
            rec.write(FrameResult(frame, faces))
    with (tmp_path / "timeline.csv").open(newline="") as fh:
        rows = list(csv.reader(fh))
    assert tuple(rows[0]) == TIMELINE_COLUMNS
    assert len(rows) == 1 + 45
    table = read_timeline(tmp_path / "timeline.csv")
    assert table.frame.tolist() == list(range(0, 90, 2))
    assert table.time_ms[:3].tolist() == [0, 67, 133]


def test_summary_json_holds_every_key(tmp_path, clip_90):
    with open_source(clip_90) as source, TakeRecorder(tmp_path, source.fps, summary=builder()) as rec:
        for frame in source:
            rec.write(FrameResult(frame, (happy_face(frame),)))
        data = rec.finish(processing_seconds=2.0)
    saved = json.loads((tmp_path / "summary.json").read_text())
    assert list(saved) == list(SUMMARY_KEYS)
    assert saved == data == rec.summary_dict
    assert saved["frames"] == 90
    assert saved["duration_s"] == pytest.approx(3.0)
    assert saved["processing"] == {"seconds": 2.0, "fps": 45.0}
    assert saved["primary_emotion_shares"]["happy"] == 1.0
    assert saved["faces_seen"] == 1 and saved["frames_with_face"] == 90


def test_timeline_rows_reach_disk_before_close(tmp_path, clip_25fps):
    rec = TakeRecorder(tmp_path, 25, summary=None, flush_every=5)
    with open_source(clip_25fps) as source:
        for frame in source:
            rec.write(FrameResult(frame, (happy_face(frame),)))
    # not closed yet (as after a crash): the flushed rows are already in the file
    lines = (tmp_path / "timeline.csv").read_text().splitlines()
    assert len(lines) >= 1 + 10
    rec.close()
    assert len((tmp_path / "timeline.csv").read_text().splitlines()) == 1 + 12
    assert not (tmp_path / "summary.json").exists()


def test_frames_of_another_size_or_gray_are_fitted_to_the_video(count_frames, tmp_path, astronaut_bgr):
    frames = [
        astronaut_bgr,
        cv2.resize(astronaut_bgr, (300, 200)),
        cv2.cvtColor(astronaut_bgr, cv2.COLOR_BGR2GRAY),
        cv2.cvtColor(astronaut_bgr, cv2.COLOR_BGR2BGRA),
    ]
    with TakeRecorder(tmp_path, 10, summary=builder(10)) as rec:
        for i, image in enumerate(frames):
            rec.write(FrameResult(Frame(image, i, i * 100), ()))
    assert rec.frames_written == 4
    assert count_frames(tmp_path / "output.avi") == 4
    cap = cv2.VideoCapture(str(tmp_path / "output.avi"))
    for _ in range(4):
        ok, image = cap.read()
        assert ok and image.shape == (512, 512, 3)


def test_a_slow_disk_never_loses_frames(count_frames, tmp_path, astronaut_bgr):
    """A tiny queue forces write() to wait for the encoder: every frame still lands."""
    frame = cv2.resize(astronaut_bgr, (640, 480))
    reused = frame.copy()  # the caller reuses one buffer: the recorder must copy it
    with TakeRecorder(tmp_path, 30, summary=None, queue_size=1) as rec:
        for i in range(60):
            reused[:] = frame
            cv2.putText(reused, str(i), (20, 80), cv2.FONT_HERSHEY_SIMPLEX, 2, (0, 0, 255), 4)
            rec.write(FrameResult(Frame(reused, i, i * 33), ()), reused)
    assert rec.frames_written == 60
    assert count_frames(tmp_path / "output.avi") == 60


def test_no_video_when_switched_off(tmp_path, clip_25fps):
    with open_source(clip_25fps) as source, TakeRecorder(
        tmp_path, source.fps, write_video=False, summary=builder(25)
    ) as rec:
        for frame in source:
            rec.write(FrameResult(frame, ()))
    assert rec.frames_written == 0 and rec.frames_recorded == 12
    assert not (tmp_path / "output.avi").exists()
    assert (tmp_path / "timeline.csv").exists() and (tmp_path / "summary.json").exists()


def test_existing_take_files_are_not_overwritten(tmp_path):
    (tmp_path / "output.avi").write_bytes(b"yesterday's take")
    with pytest.raises(OutputError, match="already holds output.avi"):
        TakeRecorder(tmp_path, 30, summary=None)
    assert (tmp_path / "output.avi").read_bytes() == b"yesterday's take"


def test_unwritable_folder_is_an_output_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError):
        TakeRecorder(blocker / "take", 30, summary=None)


def test_write_after_close_is_refused_and_close_is_idempotent(tmp_path, astronaut_bgr):
    rec = TakeRecorder(tmp_path, 30, summary=builder())
    rec.write(FrameResult(Frame(astronaut_bgr, 0, 0), ()))
    first = rec.close()
    assert rec.close() is first
    with pytest.raises(OutputError):
        rec.write(FrameResult(Frame(astronaut_bgr, 1, 33), ()))


FULL_DISK_SCRIPT = r"""
import resource, signal, sys
import cv2, numpy as np
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))
from acting_mirror.core.types import Frame, FrameResult
from acting_mirror.errors import OutputError
from acting_mirror.media.recorder import TakeRecorder
rng = np.random.default_rng(0)
image = rng.integers(0, 256, (240, 320, 3), dtype=np.uint8)  # noise: big JPEG frames
from acting_mirror.core.summary import SummaryBuilder
from acting_mirror.core.types import Box, Face
rec = TakeRecorder(sys.argv[1], 30, summary=SummaryBuilder("noise", 30, "haar", "m"))
probs = np.full(7, 1 / 7, np.float32)
for i in range(2000):
    try:
        face = Face(Box(1, 1, 9, 9), raw_probs=probs, probs=probs, face_id=0, primary=True)
        rec.write(FrameResult(Frame(image, i, i * 33), (face,)))
    except OutputError as err:
        print(f"write {i}: {err}")
        break
else:
    print("no error while writing")
try:
    summary = rec.close()
    print(f"close: {summary['frames']} {summary['complete']} {summary['end_reason']}")
except OutputError as err:
    print(f"close failed: {err}")
"""


def test_a_full_disk_is_reported_not_ignored(tmp_path, count_frames):
    """A file size limit (like a full disk) makes VideoWriter fail silently; the
    recorder notices while writing and on close."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    import acting_mirror

    env = dict(os.environ, OPENCV_LOG_LEVEL="SILENT",
               PYTHONPATH=str(Path(acting_mirror.__file__).parent.parent))
    run = subprocess.run(
        [sys.executable, "-c", FULL_DISK_SCRIPT, str(tmp_path / "take")],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stderr == ""  # SIGXFSZ ignored, FFmpeg silent: no noise around our line
    lines = run.stdout.strip().splitlines()
    assert lines[0].startswith("write ") and "reached the file size limit" in lines[0]
    stopped_at = int(lines[0].split()[1].rstrip(":"))
    assert stopped_at < 2000
    kept = int(lines[0].split("keeps its first ")[1].split()[0])
    assert 0 < kept <= stopped_at
    # close() after the stop hands back the repaired summary, without a second error
    assert lines[1] == f"close: {kept} False {lines[0].split(': ', 1)[1].split(': the take')[0]}"
    take = tmp_path / "take"
    # every file agrees on what was kept; nothing is left in progress
    assert count_frames(take / "output.avi") == kept
    assert sorted(set(read_timeline(take / "timeline.csv").frame.tolist())) == list(range(kept))
    saved = json.loads((take / "summary.json").read_text())
    assert saved["frames"] == kept and saved["complete"] is False
    assert sorted(p.name for p in take.iterdir()) == ["output.avi", "summary.json", "timeline.csv"]


def test_a_take_being_written_is_marked_in_progress_until_a_clean_close(tmp_path, clip_25fps):
    from acting_mirror.media.recovery import needs_recovery, read_marker

    rec = TakeRecorder(tmp_path, 10, summary=builder(10), flush_seconds=1e9)  # frames only
    with open_source(clip_25fps) as source:
        for frame in source:
            rec.write(FrameResult(frame, (happy_face(frame),)))
    assert (tmp_path / ".in-progress").is_file() and needs_recovery(tmp_path)
    meta, order = read_marker(tmp_path)
    assert meta["source"] == "astronaut_90.avi" and meta["detector"] == "haar"
    assert meta["fps"] == 10.0
    assert [i for i, _t in order] == list(range(10))  # a second of frames at 10 fps: flushed
    summary = rec.close()
    assert summary["complete"] is True and "end_reason" not in summary
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output.avi", "summary.json", "timeline.csv"]
    assert not needs_recovery(tmp_path)


def test_the_timeline_is_flushed_every_second_of_frames_whatever_the_rate(tmp_path, astronaut_bgr):
    """At 10 fps ten frames are a second: they are on disk before the take closes (the
    old recorder flushed every 30 rows, three seconds at this rate)."""
    rec = TakeRecorder(tmp_path, 10, summary=None, flush_seconds=1e9)  # by frame count only
    for i in range(10):
        face = happy_face(Frame(astronaut_bgr, i, i * 100))
        rec.write(FrameResult(Frame(astronaut_bgr, i, i * 100), (face,)))
    assert len((tmp_path / "timeline.csv").read_text().splitlines()) == 1 + 10
    rec.close()


def test_a_take_that_ended_early_says_why(tmp_path, clip_25fps):
    with open_source(clip_25fps) as source, TakeRecorder(tmp_path, source.fps, summary=builder(25)) as rec:
        for frame in source:
            rec.write(FrameResult(frame, ()))
        summary = rec.finish(complete=False, end_reason="dropped")
    saved = json.loads((tmp_path / "summary.json").read_text())
    assert saved == summary
    assert saved["complete"] is False and saved["end_reason"] == "dropped"
    assert rec.complete is False and rec.end_reason == "dropped"


def test_an_exception_in_the_loop_closes_the_take_as_interrupted(tmp_path, clip_25fps):
    with pytest.raises(KeyboardInterrupt):
        with open_source(clip_25fps) as source, TakeRecorder(tmp_path, 25, summary=builder(25)) as rec:
            for frame in source:
                rec.write(FrameResult(frame, ()))
                if frame.index == 5:
                    raise KeyboardInterrupt
    saved = json.loads((tmp_path / "summary.json").read_text())
    assert saved["frames"] == 6 and saved["complete"] is False and saved["end_reason"] == "interrupted"
    assert not (tmp_path / ".in-progress").exists()


def test_a_leftover_in_progress_marker_is_never_overwritten(tmp_path):
    (tmp_path / ".in-progress").write_text("{}\n")
    with pytest.raises(OutputError, match="already holds .in-progress"):
        TakeRecorder(tmp_path, 30, summary=None)


def test_a_run_that_fails_before_its_first_frame_leaves_the_folder_as_it_found_it(tmp_path):
    out = tmp_path / "out"
    out.mkdir()  # a pre-existing empty --out
    with pytest.raises(RuntimeError):
        with TakeRecorder(out, 30, summary=builder()):
            raise RuntimeError("the model failed to load")
    assert list(out.iterdir()) == []
    # and a retry into it is accepted
    with TakeRecorder(out, 30, summary=None):
        pass
