"""LiteRT housekeeping shared by the classifier and MTCNN."""

from __future__ import annotations

import os
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

_lock = threading.Lock()
_quieted = False


@contextmanager
def native_stderr_silenced():
    """Point file descriptor 2 at /dev/null for a moment (native code writes there)."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def quiet_delegate_banner(model: Path) -> None:
    """LiteRT prints "INFO: Created TensorFlow Lite XNNPACK delegate for CPU." on stderr the
    first time a process allocates an interpreter. Do that first allocation here, silenced,
    so users of the CLI see only our own messages. Later calls do nothing."""
    global _quieted
    with _lock:
        if _quieted:
            return
        _quieted = True
        from ai_edge_litert.interpreter import Interpreter

        with native_stderr_silenced():
            try:
                Interpreter(model_path=str(model)).allocate_tensors()
            except (ValueError, RuntimeError, OSError):
                pass  # the caller opens the model itself and reports any problem
