"""Checks that the installed Qt binding can run the app.

PySide6 6.12.0 on CPython < 3.12 loses a reference to ``True`` on every ``Signal.emit``
called from Python; after a few hundred signals Python aborts with "bool_dealloc:
deallocating True or False". The app emits one signal per frame (and pyqtgraph several
per redraw), so it would crash within seconds. We detect the bug instead of guessing
from version numbers.
"""

from __future__ import annotations

import sys

from acting_mirror.errors import DependencyError

_PROBE_EMITS = 16


def emit_loses_references() -> bool:
    """True when ``Signal.emit`` drops a reference to its return value (the 6.12.0 bug)."""
    if sys.version_info >= (3, 12):  # True and False are immortal: the bug is harmless
        return False
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(_PROBE_EMITS):
        probe.ping.emit()
    lost = before - sys.getrefcount(True)
    if lost > 0:  # put back what the probe took, so the probe itself is harmless
        import ctypes

        for _ in range(lost):
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))
    return lost >= _PROBE_EMITS // 2


def check_qt_binding() -> None:
    """Raise DependencyError (one sentence) when the Qt binding would crash the app."""
    if emit_loses_references():
        import PySide6

        raise DependencyError(
            f"PySide6 {PySide6.__version__} has a bug that crashes the app after a few seconds "
            "on this Python; install another version: pip install 'PySide6-Essentials!=6.12.0'."
        )
