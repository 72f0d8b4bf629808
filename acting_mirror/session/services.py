"""Services: what the windows need from the composition root, handed to them at start.

The GUI never imports ``app``: ``commands/gui.py`` (or a test, or the live bench) builds
a :class:`Services` with :func:`acting_mirror.app.app_services` and gives it to the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from acting_mirror.session.session import SessionParts


@dataclass(frozen=True)
class Services:
    """``parts`` wire the live session; ``process`` analyses a recording into a take
    (``app.process_to_take``'s signature); ``recover(root)`` repairs the interrupted takes
    in a takes folder and returns one sentence per take (the app runs it at launch)."""

    parts: SessionParts
    process: Callable[..., object]
    recover: Callable[[Path], list[str]] = lambda root: []
