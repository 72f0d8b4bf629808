"""The analysis worker on its own: mirroring a camera, live sources, pausing, and the
hand-over channels between the threads."""

from __future__ import annotations

import threading
import time

import numpy as np
from PySide6.QtCore import QObject, Qt, QThread, QTimer

from acting_mirror.app import session_parts
from acting_mirror.core.types import Frame
from acting_mirror.session.mailbox import LatestMailbox
from acting_mirror.gui.worker import (
    AnalysisWorker,
    OpenSource,
    SetMirror,
    SetPlaying,
    WorkerHandle,
)
from acting_mirror.media.sources import CameraSource

WIDTH, HEIGHT = 160, 120


def _left_red_right_blue() -> np.ndarray:
    image = np.zeros((HEIGHT, WIDTH, 3), np.uint8)
    image[:, : WIDTH // 2] = (0, 0, 255)  # BGR red
    image[:, WIDTH // 2 :] = (255, 0, 0)  # BGR blue
    return image


class FakeCamera(CameraSource):
    """A camera that shows one still picture at ~50 fps, for as long as it is read."""

    def __init__(self, image: np.ndarray):  # no device: skip CameraSource's opening
        self.index = 0
        self.name = "camera 0"
        self.fps = 50.0
        self.width, self.height = image.shape[1], image.shape[0]
        self._image = image
        self._closed = False

    def __iter__(self):
        i = 0
        while not self._closed:
            time.sleep(0.02)
            yield Frame(self._image, i, i * 20)
            i += 1

    def close(self) -> None:
        self._closed = True


class Events(QObject):
    """Records the worker's signals on the GUI thread, as the window does. (Waiting on the
    worker's signals with a plain callable would run it on the worker's thread.)"""

    def __init__(self, worker: AnalysisWorker):
        super().__init__()
        self.opened = []
        self.playing = []
        self.mirror = []
        self.ended = []
        self.fatal = []
        worker.fatal.connect(self.on_fatal)
        worker.sourceOpened.connect(self.on_opened)
        worker.playingChanged.connect(self.on_playing)
        worker.mirrorChanged.connect(self.on_mirror)
        worker.sourceEnded.connect(self.on_ended)

    def on_opened(self, info) -> None:
        self.opened.append(info)

    def on_playing(self, playing: bool) -> None:
        self.playing.append(playing)

    def on_mirror(self, on: bool) -> None:
        self.mirror.append(on)

    def on_ended(self, spec: str) -> None:
        self.ended.append(spec)

    def on_fatal(self, message: str) -> None:
        self.fatal.append(message)


def _start(qtbot, opener, **kwargs) -> tuple[WorkerHandle, Events]:
    handle = WorkerHandle(AnalysisWorker(parts=session_parts(source_opener=opener), **kwargs))
    events = Events(handle.worker)
    handle.start()
    return handle, events


def _take_latest(handle: WorkerHandle, qtbot, timeout_s: float = 10.0):
    """The next picture the worker hands over (waits for a fresh one)."""
    handle.worker.display.take()
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        qtbot.wait(20)
        packet = handle.worker.display.take()
        if packet is not None:
            return packet
    raise AssertionError("no picture from the worker")


def test_a_camera_is_mirrored_before_annotating_and_the_mirror_toggles(qtbot):
    image = _left_red_right_blue()
    handle, events = _start(qtbot, lambda spec, loop: FakeCamera(image), mirror=True)
    try:
        handle.send(OpenSource("camera:0"))
        qtbot.waitUntil(lambda: bool(events.opened), timeout=10000)
        info = events.opened[0]
        assert info.camera and info.live
        packet = _take_latest(handle, qtbot)
        assert packet.image.pixelColor(5, 5).blue() == 255  # left side now shows the right
        assert packet.image.pixelColor(WIDTH - 5, 5).red() == 255

        handle.send(SetMirror(False))
        qtbot.waitUntil(lambda: events.mirror == [False], timeout=5000)
        packet = _take_latest(handle, qtbot)
        assert packet.image.pixelColor(5, 5).red() == 255
        assert packet.capture_fps > 0 and packet.analysed_fps > 0
    finally:
        assert handle.shutdown()


def test_a_paused_source_sends_no_pictures_and_resumes(qtbot, face_clip):
    from acting_mirror.media.sources import open_source

    handle, events = _start(qtbot, lambda spec, loop: open_source(spec, loop=True))
    try:
        handle.send(OpenSource(str(face_clip), loop=True))
        qtbot.waitUntil(lambda: bool(events.opened), timeout=10000)
        first = _take_latest(handle, qtbot)
        handle.send(SetPlaying(False))
        qtbot.waitUntil(lambda: events.playing[-1:] == [False], timeout=5000)
        qtbot.wait(100)
        handle.worker.display.take()
        qtbot.wait(300)
        assert handle.worker.display.take() is None
        handle.send(SetPlaying(True))
        later = _take_latest(handle, qtbot)
        assert later.index > first.index
        assert later.faces == 1 and later.primary_emotion is not None
    finally:
        assert handle.shutdown()


def test_every_analysed_frame_reaches_the_plots_even_when_pictures_are_skipped(qtbot, face_clip):
    from acting_mirror.media.sources import open_source

    handle, events = _start(qtbot, lambda spec, loop: open_source(spec, loop=loop))
    try:
        handle.send(OpenSource(str(face_clip)))
        qtbot.waitUntil(lambda: bool(events.ended), timeout=20000)
        # nobody took the pictures (latest wins), but all 15 points are queued in order
        times = [point[1] for point in handle.worker.points]
        assert len(times) == 15 and times == sorted(times)
        assert handle.worker.display.replaced >= 1
    finally:
        assert handle.shutdown()


def test_an_unexpected_error_is_reported_and_the_take_kept(qtbot, tmp_path):
    from acting_mirror.gui.worker import StartRecording

    frames_before_failure = 5

    class FailingCamera(FakeCamera):
        def __iter__(self):
            for i, frame in enumerate(super().__iter__()):
                if i == frames_before_failure:
                    raise RuntimeError("driver exploded")
                yield frame

    image = _left_red_right_blue()
    handle, events = _start(qtbot, lambda spec, loop: FailingCamera(image))
    handle.send(OpenSource("camera:0"))
    handle.send(StartRecording(tmp_path / "takes"))
    qtbot.waitUntil(lambda: bool(events.fatal), timeout=10000)
    assert "driver exploded" in events.fatal[0] and "saved" in events.fatal[0]
    qtbot.waitUntil(lambda: not handle.running, timeout=10000)
    (take,) = (tmp_path / "takes").iterdir()
    assert {p.name for p in take.iterdir()} >= {"timeline.csv", "summary.json", "output.avi"}


def test_latest_mailbox_keeps_only_the_newest_and_nudges_once():
    box: LatestMailbox[int] = LatestMailbox()
    assert box.take() is None
    assert box.put(1) is True  # consumer must be told
    assert box.put(2) is False  # already told: no second nudge
    assert box.put(3) is False
    assert box.take() == 3 and box.replaced == 2
    assert box.take() is None
    assert box.put(4) is True  # a new nudge after the consumer took


def test_latest_mailbox_across_threads_never_loses_the_last_item():
    box: LatestMailbox[int] = LatestMailbox()
    done = threading.Event()

    def produce():
        for i in range(20000):
            box.put(i)
        done.set()

    seen = []
    thread = threading.Thread(target=produce)
    thread.start()
    while not done.is_set():
        item = box.take()
        if item is not None:
            seen.append(item)
    thread.join()
    last = box.take()
    if last is not None:
        seen.append(last)
    assert seen[-1] == 19999 and seen == sorted(seen)


def test_the_leak_check_reports_running_threads_and_active_timers(qapp, find_leftovers):
    timer = QTimer()
    timer.start(1000)
    qthread = QThread()
    qthread.setObjectName("forgotten")
    qthread.start()
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, name="lingering")
    thread.start()
    try:
        found = find_leftovers()
        assert any("QTimer every 1000 ms" in f for f in found)
        assert any("QThread forgotten" in f for f in found)
        assert any("'lingering'" in f for f in found)
    finally:
        timer.stop()
        qthread.quit()
        qthread.wait()
        stop.set()
        thread.join()
    assert find_leftovers() == []


def test_a_take_that_cannot_restart_its_video_does_not_start_mid_video(qtbot, face_clip, tmp_path):
    """If the file cannot be reopened for a rewound take, nothing is recorded from the
    middle of the video: the take is refused with a message."""
    from acting_mirror.errors import SourceError
    from acting_mirror.gui.worker import StartRecording
    from acting_mirror.media.sources import open_source

    opened = []

    def opener(spec, loop):
        opened.append(spec)
        if len(opened) > 1:
            raise SourceError("the file went away")
        return open_source(spec, loop=True)

    handle, events = _start(qtbot, opener)
    failures = []
    handle.worker.recordingFailed.connect(failures.append, Qt.ConnectionType.DirectConnection)
    try:
        handle.send(OpenSource(str(face_clip), loop=True))
        qtbot.waitUntil(lambda: bool(events.opened), timeout=10000)
        handle.send(StartRecording(tmp_path / "takes", rewind=True))
        qtbot.waitUntil(lambda: bool(failures), timeout=10000)
        assert "could not be restarted" in failures[0]
        assert not (tmp_path / "takes").exists() or not any((tmp_path / "takes").iterdir())
    finally:
        assert handle.shutdown()
