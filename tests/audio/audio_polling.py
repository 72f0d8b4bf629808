"""Polling for the audio tests, whose sound arrives from real processes in its own time."""

from __future__ import annotations

import time


def wait_for(predicate, timeout=20.0, step=0.02):
    """Poll until ``predicate()`` (the deadline only guards against hanging forever)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return predicate()
