"""A take whose app was killed is repaired at the next launch: the window says so, the
library lists it as interrupted with its real length, and it can be reviewed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import acting_mirror
from acting_mirror.core.take_catalog import scan_takes
from acting_mirror.core.takefiles import IN_PROGRESS, SUMMARY_JSON
from acting_mirror.media.recovery import read_marker

ROOT = Path(acting_mirror.__file__).resolve().parent.parent


def _killed_take(clip: Path, out: Path, home: Path) -> None:
    """``acting-mirror process`` SIGKILLed mid-take, as a crash or a power cut leaves it."""
    env = dict(os.environ, ACTING_MIRROR_HOME=str(home), PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "acting_mirror", "process", str(clip),
                             "--out", str(out), "--quiet"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(read_marker(out)[1]) < 20:
            assert proc.poll() is None, "the process ended before the kill"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()


def test_a_killed_take_is_repaired_at_launch_and_listed_as_interrupted(
        make_window, qtbot, tmp_path, make_clip, astronaut_bgr):
    clip = make_clip(tmp_path / "long.avi", [astronaut_bgr] * 300, 30)
    library = tmp_path / "takes"
    take = library / "monologue"
    _killed_take(clip, take, tmp_path)
    assert (take / IN_PROGRESS).exists() and not (take / SUMMARY_JSON).exists()
    (entry,) = scan_takes(library)
    assert entry.state == "unrepaired" and entry.length == "—"

    window = make_window()
    window.prefs.takes_dir = library
    window.start()
    assert window.banner.isVisible() and "repaired" in window.banner.text
    assert "monologue" in window.banner.text
    summary = json.loads((take / SUMMARY_JSON).read_text())
    assert summary["interrupted"] is True and summary["frames"] >= 20
    (entry,) = scan_takes(library)
    assert entry.state == "interrupted" and entry.label == "monologue (interrupted)"
    assert entry.length != "—"

    library_window = window.rehearsal.show_library()
    qtbot.waitUntil(lambda: library_window.tree.topLevelItemCount() > 0, timeout=10000)
    texts = [library_window.tree.topLevelItem(0).child(i).text(0)
             for i in range(library_window.tree.topLevelItem(0).childCount())]
    assert "monologue (interrupted)" in texts
    review = window.rehearsal.open_review(take)
    assert review is not None
    qtbot.waitUntil(lambda: review.isVisible(), timeout=10000)


def test_the_app_killed_mid_take_finds_it_repaired_at_the_next_launch(make_window, tmp_path):
    from test_signals_end_the_app import CHILD

    home = tmp_path / "home"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", ACTING_MIRROR_HOME=str(home),
               ACTING_MIRROR_SETTINGS=str(tmp_path / "settings.ini"), PYTHONPATH=str(ROOT))
    child = subprocess.Popen([sys.executable, "-c", CHILD], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True)
    try:
        folder = None
        for line in child.stdout:
            if line.startswith("RECORDING "):
                folder = Path(line.split(" ", 1)[1].strip())
                break
        assert folder is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(read_marker(folder)[1]) < 15:
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)  # a crash, a power cut
    finally:
        child.wait()
    assert (folder / IN_PROGRESS).exists()
    window = make_window()
    window.prefs.takes_dir = folder.parent
    window.start()
    assert "repaired" in window.banner.text and folder.name in window.banner.text
    (entry,) = scan_takes(folder.parent)
    assert entry.state == "interrupted" and entry.frames >= 15
