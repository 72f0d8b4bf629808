"""Detectors' background passes run on a niced helper thread (Linux), so the per-frame
work the actor sees takes the cores first."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from acting_mirror.vision.helper_thread import helper_executor


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux's")
def test_the_helper_thread_runs_at_the_lowest_priority_and_the_caller_keeps_its_own():
    mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    executor = helper_executor("test-helper")
    try:
        name, niceness = executor.submit(lambda: (
            threading.current_thread().name,
            os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))).result(timeout=10)
    finally:
        executor.shutdown(wait=True)
    assert name.startswith("test-helper")
    assert niceness == 19
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == mine
