"""Starting another process that runs one of Acting Mirror's modules, installed or packaged.

Installed, a module runs as ``python -m acting_mirror.x ...``. A packaged (frozen) app has
no Python interpreter to hand ``-m`` to: ``sys.executable`` is the app itself. Its launcher
(``packaging/launcher.py``) therefore reads ``-m acting_mirror.x ...`` as its first
arguments and runs that module, and :func:`module_command` builds the command line for
either case. Only ``acting_mirror`` modules may be run that way.
"""

from __future__ import annotations

import runpy
import sys

PACKAGE = "acting_mirror"


def module_command(module: str, *args: str, executable: str | None = None) -> list[str]:
    """The command line that runs ``module`` (an ``acting_mirror`` module with a
    ``__main__`` block) with ``args`` in a new process. Installed: ``python -m module``
    with this interpreter. Frozen: ``sys.executable`` alone, which is the packaged app,
    with ``-m module`` for its launcher to read (see :func:`run_module_argv`)."""
    if not _is_ours(module):
        raise ValueError(f"not an {PACKAGE} module: {module!r}")
    executable = sys.executable if executable is None else executable
    # the same shape either way: an interpreter reads -m itself, the frozen launcher does
    return [executable, "-m", module, *args]


def module_to_run(argv: list[str]) -> str | None:
    """The module a frozen app's command line asks for (``APP -m acting_mirror.x ...``),
    else None (an ordinary ``acting-mirror`` command line)."""
    if len(argv) >= 3 and argv[1] == "-m" and _is_ours(argv[2]):
        return argv[2]
    return None


def run_module_argv(argv: list[str]) -> bool:
    """In a frozen app: if ``argv`` asks for a module, run it as ``__main__`` with the
    remaining arguments (as ``python -m`` would) and return True; else return False."""
    module = module_to_run(argv)
    if module is None:
        return False
    sys.argv = [argv[0], *argv[3:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)
    return True


def _is_ours(module: str) -> bool:
    parts = module.split(".")
    return parts[0] == PACKAGE and all(p.isidentifier() for p in parts)
