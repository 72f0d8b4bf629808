"""Qt tests run offscreen, with throw-away settings and takes folders, and fail when a
test leaves a thread running or a timer ticking."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any QApplication exists

import gc  # noqa: E402
import threading  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import shiboken6  # noqa: E402
from PySide6.QtCore import QThread, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def leftovers(known_threads: set[int] = frozenset()) -> list[str]:
    """Running QThreads, active QTimers and live Python threads (other than the
    ``known_threads`` idents) that exist right now, described for a failure message."""
    found = []
    for obj in gc.get_objects():
        if isinstance(obj, (QThread, QTimer)) and shiboken6.isValid(obj):
            if isinstance(obj, QThread) and obj.isRunning():
                name = obj.objectName() or repr(obj)
                found.append(f"QThread {name} is still running")
            elif isinstance(obj, QTimer) and obj.isActive():
                owner = obj.parent()
                found.append(f"QTimer every {obj.interval()} ms (owner {type(owner).__name__}) is active")
    for thread in threading.enumerate():
        if isinstance(thread, threading._DummyThread) or thread is threading.main_thread():
            continue  # Qt's own threads show up as dummies that never go away
        if thread.ident not in known_threads and thread.is_alive():
            found.append(f"Python thread {thread.name!r} is still running")
    return found


@pytest.fixture
def find_leftovers():
    """The check the leak fixture runs, for testing the check itself."""
    return leftovers


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path, monkeypatch):
    """Settings in a temporary ini file, takes under a temporary home: never the user's."""
    monkeypatch.setenv("ACTING_MIRROR_SETTINGS", str(tmp_path / "settings" / "acting-mirror.ini"))
    monkeypatch.setenv("ACTING_MIRROR_HOME", str(tmp_path / "home"))


@pytest.fixture(autouse=True)
def _no_threads_or_timers_left(qapp):
    """Fails the test (at teardown) when it leaves a QThread running, a QTimer active or a
    Python thread alive; then cleans up so the next test starts clean."""
    known = {t.ident for t in threading.enumerate()}
    yield
    qapp.processEvents()
    found = leftovers(known)
    if found:
        for widget in QApplication.topLevelWidgets():
            widget.close()
        qapp.processEvents()
        pytest.fail("left running after the test: " + "; ".join(found), pytrace=False)


@pytest.fixture
def make_window(qtbot):
    """``make_window(**kwargs)``: a shown MainWindow whose worker has loaded the models.
    No camera unless the test passes ``camera_lister``."""
    from acting_mirror.app import app_services
    from acting_mirror.controllers.mirror import QuitChoice
    from acting_mirror.gui.main_window import MainWindow

    def make(**kwargs):
        kwargs.setdefault("camera_lister", lambda: [])
        kwargs.setdefault("services", app_services())
        # closing during a take keeps it, as "Stop and save the take" does (no dialog)
        kwargs.setdefault("confirm_quit", lambda: QuitChoice.SAVE)
        window = MainWindow(**kwargs)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window.is_ready, timeout=15000)
        return window

    return make


@pytest.fixture(scope="session")
def face_clip(tmp_path_factory, make_clip):
    """15 frames (320x320, 25 fps) of the astronaut with a moving bright bar: a face in
    every frame, frames distinguishable."""
    from skimage import data

    base = cv2.resize(np.ascontiguousarray(data.astronaut()[:, :, ::-1]), (320, 320),
                      interpolation=cv2.INTER_AREA)
    frames = []
    for i in range(15):
        frame = base.copy()
        frame[-12:, (i * 20) % 300 : (i * 20) % 300 + 20] = 255
        frames.append(frame)
    return make_clip(tmp_path_factory.mktemp("gui_clips") / "face15.avi", frames, 25)


@pytest.fixture(scope="session")
def make_scene(tmp_path_factory, make_clip, _photos):
    """``make_scene(seconds, switch_s, fps)``: a 240x240 MJPG clip of the smiling
    astronaut until ``switch_s``, then Grace Hopper (a take with two readable parts)."""

    def square(image: np.ndarray, size: int = 240) -> np.ndarray:
        h, w = image.shape[:2]
        side = min(h, w)
        y, x = (h - side) // 2, (w - side) // 2
        return cv2.resize(image[y : y + side, x : x + side], (size, size),
                          interpolation=cv2.INTER_AREA)

    astronaut, hopper = square(_photos["astronaut"]), square(_photos["grace_hopper"])

    def make(seconds: float, switch_s: float, fps: int):
        frames = [(astronaut if i < switch_s * fps else hopper).copy()
                  for i in range(int(seconds * fps))]
        return make_clip(tmp_path_factory.mktemp("scene") / "scene.avi", frames, fps)

    return make

