"""A real app process, recording, ends cleanly on SIGTERM, SIGHUP and SIGINT: it exits
(no dialog, no report keeps it alive) and the take is kept, marked incomplete."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

CHILD = textwrap.dedent("""
    import sys
    from acting_mirror.app import app_services
    from acting_mirror.gui.app import run_app

    def on_window(window):
        worker = window.worker.worker
        worker.recordingStarted.connect(lambda folder: print("RECORDING", folder, flush=True))
        def painted(latency_s):
            if window.recording_folder is None and not getattr(window, "_asked", False):
                window._asked = True
                window.start_recording()
        window.video.paint_observers.append(painted)

    sys.exit(run_app(services=app_services(), source="demo", on_window=on_window))
""")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_during_a_take_ends_the_app_and_keeps_the_take(tmp_path, signum):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen",
               ACTING_MIRROR_HOME=str(tmp_path / "home"),
               ACTING_MIRROR_SETTINGS=str(tmp_path / "settings.ini"))
    child = subprocess.Popen([sys.executable, "-c", CHILD], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        folder = None
        for line in child.stdout:  # the child prints once it records
            if line.startswith("RECORDING "):
                folder = Path(line.split(" ", 1)[1].strip())
                break
        assert folder is not None, child.stderr.read()
        time.sleep(1.0)  # some frames into the take
        child.send_signal(signum)
        code = child.wait(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert code == 0
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["complete"] is False and summary["frames"] > 0
