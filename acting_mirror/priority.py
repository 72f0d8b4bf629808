"""Lower scheduling priority for the threads whose work can wait: a detector's background
passes and the take's video encoder.

Live, what the actor sees is one frame's analysis, hand-over and paint; beside it run a
keyframe's full-frame detection (Haar: 80 ms or more on one core) or the mesh's MTCNN seed
pass, and the MJPG encoder (8 ms a 720p frame, behind a queue). On Linux those threads are
niced (only when live: ``AnalysisSettings.live``, the window's takes), so the per-frame
work takes the cores first and they use what it leaves (this machine has a third of its
two cores to spare at 30 fps). A detection pass then ends a few frames later, which only
delays when a *new* face appears; the encoder catches up from its queue and, if it ever
fills, holds the analysis back rather than drop a frame. Elsewhere the threads keep the
normal priority.

Measured live with Haar and face detail (`bench --live`, p95 capture to paint, paired
runs): detection helper at nice 0 / 10 / 19: 61-63 / 45-57 / 36-50 ms; the encoder at
nice 0 / 5 (helper at 19): 61-69 / 48-60 ms.
"""

from __future__ import annotations

import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

HELPER_NICENESS = 19
"""Added to a detection helper's nice value (Linux: 0 normal, 19 lowest): the most, since
nothing waits on a pass but the next one."""

ENCODER_NICENESS = 5
"""Added to the video encoder's nice value for the window's takes: behind the frame's own
work, but enough share of a busy machine to keep up with 30 fps. ``process`` keeps its
encoder at par (niced, it ran 5% slower: Haar 52 against 55 frames/s)."""


def lower_priority(niceness: int) -> None:
    """Make the calling thread ``niceness`` nicer (Linux; elsewhere, or when not allowed,
    nothing changes)."""
    if not sys.platform.startswith("linux"):
        return  # elsewhere setpriority(PRIO_PROCESS, id) means the process, not the thread
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + niceness))
    except OSError:
        pass  # not allowed here: the thread runs at the normal priority


def helper_executor(name: str, niceness: int = HELPER_NICENESS) -> ThreadPoolExecutor:
    """A one-thread executor named ``name`` whose thread runs ``niceness`` nicer (live
    analysis gives ``HELPER_NICENESS``; a file's, which wants its passes back soon, 0)."""
    return ThreadPoolExecutor(1, thread_name_prefix=name, initializer=lower_priority,
                              initargs=(niceness,))
