"""``acting-mirror gui`` (also what ``acting-mirror`` alone runs): open the desktop app."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from acting_mirror.config import DETECTORS, screen_configured
from acting_mirror.errors import ActingMirrorError

DEFAULT_STATS_INTERVAL_S = 5.0


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "gui",
        help="open the desktop app (the default when no command is given)",
        description="Open Acting Mirror's window: your camera as a mirror with the emotions "
        "your face shows, live curves, and one-click takes. Without --source it opens the "
        "first camera, or offers the demo clip when there is none.",
    )
    p.add_argument("--source", metavar="SRC",
                   help="what to play: camera:N, a video or picture file, a folder of "
                   "pictures, an http(s)/YouTube link, or 'demo' for the bundled clip")
    p.add_argument("--model", type=Path, metavar="PATH",
                   help="a compatible emotion .tflite model (e.g. one `model train` or "
                   "`model export --int8` made); kept for the next starts")
    p.add_argument("--script", type=Path, metavar="FILE",
                   help="an acting script to rehearse with (shown in the window)")
    p.add_argument("--detector", choices=DETECTORS,
                   help="face detector to start with (default: the last one used, else mesh)")
    p.add_argument("--stats", nargs="?", type=float, const=DEFAULT_STATS_INTERVAL_S,
                   metavar="SECONDS",
                   help="print capture/analysed/painted fps and latency to stderr every "
                   f"SECONDS (default {DEFAULT_STATS_INTERVAL_S:g})")
    return p


def run(args: argparse.Namespace, *, on_window=None) -> int:
    """Open the app; ``on_window(window)`` (if given) is called once the main window
    exists, before it shows a frame (the live bench's start-up probe watches it so)."""
    script = getattr(args, "script", None)
    if script is not None and not Path(script).is_file():
        raise ActingMirrorError(f"Script file not found: {script}.")
    model = getattr(args, "model", None)
    if model is not None and not Path(model).is_file():
        raise ActingMirrorError(f"Model file not found: {model}.")
    if sys.platform.startswith("linux") and not screen_configured():
        raise ActingMirrorError(
            "No screen found (DISPLAY is not set): the desktop app needs a graphical session; "
            "the command-line tools (acting-mirror process ...) work without one."
        )
    stats = getattr(args, "stats", None)
    if stats is not None:
        if stats <= 0:
            raise ActingMirrorError("--stats needs a positive number of seconds.")
        stats_logger = logging.getLogger("acting_mirror.gui.stats")
        if not stats_logger.handlers:  # once per process, however often the app is run
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
            stats_logger.addHandler(handler)
        stats_logger.setLevel(logging.INFO)
    from acting_mirror.system_check import check_qt_libraries

    check_qt_libraries()  # a missing libxcb-cursor0 & co: one line, not Qt's abort
    try:
        from acting_mirror.gui.app import run_app
    except ImportError as exc:  # PySide6 or pyqtgraph missing, or no display libraries
        raise ActingMirrorError(
            f"The desktop app cannot start ({exc}); the command-line tools still work."
        ) from exc
    from acting_mirror.app import app_services

    return run_app(
        services=app_services(),
        source=getattr(args, "source", None),
        script=script,
        detector=getattr(args, "detector", None),
        stats_interval_s=stats,
        on_window=on_window,
        model=model,
    )
