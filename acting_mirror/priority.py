"""Lower scheduling priority for the threads whose work can wait: a detector's background
passes.

Live, what the actor sees is one frame's analysis, hand-over and paint; beside it runs a
keyframe's full-frame detection (Haar: 80 ms or more on one core) or the mesh's MTCNN seed
pass. On Linux that helper thread is niced (only when live: ``AnalysisSettings.live``), so
the per-frame work takes the cores first and the helper uses what it leaves (this machine
has a third of its two cores to spare at 30 fps). A pass then ends a few frames later,
which only delays when a *new* face appears. Elsewhere the thread keeps the normal
priority.

Measured live with Haar and face detail (`bench --live --face-detail`, p95 capture to
paint, paired runs): helper at nice 0 / 10 / 19: 61-63 / 45-57 / 36-50 ms. The take's
video encoder is left at par: niced, it fell behind under load, and a kill then lost the
frames still in its queue.
"""

from __future__ import annotations

import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

HELPER_NICENESS = 19
"""Added to a detection helper's nice value (Linux: 0 normal, 19 lowest): the most, since
nothing waits on a pass but the next one."""

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
