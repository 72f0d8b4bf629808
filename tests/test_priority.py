"""A detector's background passes run at a lower priority when live (Linux), so the
per-frame work the actor sees takes the cores first."""

from __future__ import annotations

import os
import sys
import threading

import numpy as np
import pytest

from acting_mirror.priority import helper_executor

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="per-thread nice values are Linux's")


def _nice(native_id: int) -> int:
    return os.getpriority(os.PRIO_PROCESS, native_id)


@linux_only
def test_a_detection_helper_runs_at_the_lowest_priority_and_the_caller_keeps_its_own():
    mine = _nice(threading.get_native_id())
    executor = helper_executor("test-helper")
    try:
        name, niceness = executor.submit(lambda: (
            threading.current_thread().name, _nice(threading.get_native_id()))).result(timeout=10)
    finally:
        executor.shutdown(wait=True)
    assert name.startswith("test-helper")
    assert niceness == 19
    assert _nice(threading.get_native_id()) == mine


@linux_only
def test_live_analysis_nices_the_detectors_helper_and_a_files_analysis_does_not(astronaut_bgr):
    import cv2

    from acting_mirror.app import build_detector
    from acting_mirror.config import AnalysisSettings

    frame = np.full((720, 1280, 3), 35, np.uint8)
    frame[200:500, 500:800] = cv2.resize(astronaut_bgr, (300, 300))
    mine = _nice(threading.get_native_id())
    for live, expected in ((True, min(19, mine + 19)), (False, mine)):
        detector = build_detector(AnalysisSettings(detector="haar", keyframe_interval=2, live=live))
        try:
            for _ in range(4):  # a face known, then a keyframe: its pass goes to the helper
                detector.detect(frame)
            helper = next(t for t in threading.enumerate() if t.name.startswith("full-face-detection"))
            assert _nice(helper.native_id) == expected, live
        finally:
            detector.close()
