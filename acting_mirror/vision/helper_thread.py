"""One helper thread for a detector's background passes, at a lower scheduling priority.

A keyframe's full-frame detection (Haar: 80 ms or more on one core) or the mesh's MTCNN
seed pass runs beside the per-frame work: the analysis, painting and writing of every
frame, whose latency is what the actor sees. On Linux the helper thread is niced
(``HELPER_NICENESS``), so those take the cores first and the helper uses what they leave
(this machine has a third of its two cores to spare at 30 fps); a pass then ends a few
frames later, which only delays when a *new* face appears. Elsewhere the thread keeps the
normal priority.
"""

from __future__ import annotations

import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

HELPER_NICENESS = 19
"""Added to the helper thread's nice value (Linux: 0 normal, 19 lowest): the most, since
nothing waits on a pass but the next one (measured: p95 latency 36-50 ms live with Haar
and face detail at 19, 45-57 at 10, 61-63 at 0)."""


def _lower_priority() -> None:
    if not sys.platform.startswith("linux"):
        return  # elsewhere setpriority(PRIO_PROCESS, id) means the process, not the thread
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + HELPER_NICENESS))
    except OSError:
        pass  # not allowed here: the pass runs at the normal priority


def helper_executor(name: str) -> ThreadPoolExecutor:
    """A one-thread executor named ``name`` whose thread runs niced (see the module)."""
    return ThreadPoolExecutor(1, thread_name_prefix=name, initializer=_lower_priority)
