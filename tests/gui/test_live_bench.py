"""`acting-mirror bench --live` as a user reads it: the real window on a simulated 720p
camera shows only pictures with their own analysis, the take keeps every analysed
frame, the report has every figure, and the app starts without TensorFlow on Haar.
No timing is asserted: the figures are for people to read (see the bench command)."""

from __future__ import annotations

import numpy as np

from acting_mirror.bench.live import (
    LiveBenchConfig,
    build_clip,
    format_live_report,
    format_startup,
    measure_startup,
    read_code,
    read_code_qimage,
    run_live_bench,
    stamp_code,
)


def test_frame_codes_read_back_whether_or_not_the_picture_is_mirrored():
    image = np.full((720, 1280, 3), 35, np.uint8)
    stamp_code(image, 70_001)
    assert read_code(image) == 70_001  # no wrap: 24 bits last 155 hours at 30 fps
    assert read_code(np.ascontiguousarray(image[:, ::-1])) == 70_001
    image[-10:, :] = 255 - image[-10:, :]  # both copies spoiled: unreadable, not a wrong index
    assert read_code(image) is None


def test_frame_codes_read_back_from_the_picture_the_window_shows(qapp):
    """The worker scales pictures to the video view (969 of 1280 px here): still readable."""
    from acting_mirror.gui.worker import display_image

    image = np.full((720, 1280, 3), 35, np.uint8)
    stamp_code(image, 4_321)
    shown = display_image(image, (969, 741))
    assert (shown.width(), shown.height()) == (969, 545)
    assert read_code_qimage(shown, 1280) == 4_321
    assert read_code_qimage(display_image(image), 1280) == 4_321  # unscaled


def test_live_bench_shows_fresh_pictures_records_every_analysed_frame_and_reports(qapp, tmp_path):
    report = run_live_bench(LiveBenchConfig(seconds=2.5, warmup_s=0.5, clip_frames=60), tmp_path)

    assert report.fatal is None
    assert report.frame_size == (1280, 720)
    # latest-wins: never more analyses than frames (one frame delivered just before the
    # measured window may be analysed inside it)
    assert 0 < report.analysed <= report.delivered + 1
    assert 0 < report.painted <= report.analysed + 1
    # every painted picture is the frame its analysis ran on
    assert report.stale == 0 and report.unreadable == 0 and report.stale_checked > 0
    for figures in (report.latency_ms, report.app_latency_ms):
        assert 0 < figures["p50"] <= figures["p95"] <= figures["max"]
    # the take recorded over the run holds exactly the frames analysed while recording
    take = report.take
    assert take is not None and take.error is None
    assert take.video_frames == take.analysed_while_recording == take.worker_frames > 0
    assert take.sequence_matches and take.unreadable_codes == 0
    assert take.timeline_frames == take.analysed_with_face > 0
    assert take.summary_frames == take.video_frames
    assert take.lossless
    assert report.cpu_percent["process"] > 0 and "GUI" in report.cpu_percent
    memory = report.rss_mb
    assert memory["samples"] >= 3 and memory["max"] >= max(memory["start"], memory["end"])

    text = format_live_report(report)
    for heading in ("input", "analysed", "painted", "latency", "stale", "recording", "cpu",
                    "memory"):
        assert f"  {heading} " in text
    assert "0 of" in text and "same frames in order: yes" in text

    startup = measure_startup(build_clip(tmp_path / "startup.mp4", 1, 20), "haar")
    assert startup.error is None and startup.exit_code == 0
    assert startup.first_paint_s > 0
    assert startup.tensorflow is False and startup.tensorflow_at_exit is False
    assert "TensorFlow imported: no" in format_startup(startup)
