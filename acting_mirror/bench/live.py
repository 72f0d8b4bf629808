"""The live benchmark behind ``acting-mirror bench --live``: the real main window, fed by
a simulated 720p 30 fps camera, measured from the outside.

What it measures (the "Real-time performance" targets):

* **rates**: frames the camera delivers, frames analysed, analysed pictures painted;
* **latency** from the camera's capture instant to the annotated picture being painted
  (p50/p95/max), split into where the time goes (waiting for the worker, analysing,
  handing over to the GUI thread, waiting for the paint);
* **stale pictures**: every frame the camera delivers carries its index as a barcode in
  its bottom rows. When a picture is painted, the barcode read from its pixels must be
  the index of the frame the analysis ran on (the display packet's ``index``); a
  mismatch would be a picture showing another frame's analysis;
* **recording**: the whole run is one take; afterwards every frame of ``output.avi`` is
  decoded and its barcode read, and the sequence must be exactly the frames analysed
  while recording (none dropped, none repeated), with the same frames in ``timeline.csv``;
* **memory**: the process's RSS, sampled every few seconds, with the slope after warm-up;
* **startup** (:func:`measure_startup`): ``acting-mirror gui --source CLIP`` launched as a
  fresh process that reports the time to its first painted frame and whether TensorFlow
  was imported, then closes itself.

The simulated camera (:class:`SimulatedCamera`) is a :class:`CameraSource` as far as the
worker can tell, so it takes the live path: decoded on its own thread, latest-wins
(``Prefetcher(latest_only=True)``), mirrored, takes at the analysed rate. It delivers at
wall-clock pace whether or not anyone keeps up, as a camera does.

Hooks used (documented, nothing is patched): the window's services with the simulated
camera as source opener (``app.app_services(source_opener=...)``), the worker's
``observers`` (each session event: when each analysis started, which frames were read),
``MainWindow.picture_observers`` (which packet is about to be painted) and
``VideoView.paint_observers`` (each first paint, with its latency).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from acting_mirror.config import screen_configured
from acting_mirror.core.files import read_json_object
from acting_mirror.core.timeline import read_timeline
from acting_mirror.core.types import Frame
from acting_mirror.errors import SourceError
from acting_mirror.core.takefiles import OUTPUT_AVI, SUMMARY_JSON, TIMELINE_CSV
from acting_mirror.media.sources import CameraSource, VideoFileSource
from acting_mirror.relaunch import module_command
from acting_mirror.session.events import FrameAnalysed

SIMULATED_CAMERA_SPEC = "simulated-camera"
STARTUP_MARKER = "ACTING_MIRROR_STARTUP "
_RING = 8192  # per-index bookkeeping (capture and analysis instants) kept for this many frames

# --------------------------------------------------------------------------- frame barcode

_CODE_CELL = 10  # px: one bit is a CELL x CELL black or white square
_CODE_INDEX_BITS = 24  # 155 hours at 30 fps: no run wraps
_CODE_CHECK_BITS = 8
_CODE_BITS = _CODE_INDEX_BITS + _CODE_CHECK_BITS
_CODE_MASK = (1 << _CODE_INDEX_BITS) - 1


def _check_bits(value: int) -> int:
    return ((value * 2654435761) >> 24) & 0xFF


def _code_word(index: int) -> int:
    value = index & _CODE_MASK
    return value | (_check_bits(value) << _CODE_INDEX_BITS)


def stamp_code(image: np.ndarray, index: int) -> None:
    """Write ``index`` (24 bits, with 8 check bits) as black/white squares along the
    bottom edge of ``image``, once from the left and once mirrored from the right, so the
    code reads the same whether or not the picture is flipped left-right."""
    height, width = image.shape[:2]
    word = _code_word(index)
    strip = image[height - _CODE_CELL:height]
    for bit in range(_CODE_BITS):
        value = 255 if (word >> bit) & 1 else 0
        x = bit * _CODE_CELL
        strip[:, x:x + _CODE_CELL] = value
        strip[:, width - x - _CODE_CELL:width - x] = value


def _decode_word(read: Callable[[int, int], int], width: int, height: int,
                 scale: float = 1.0) -> int | None:
    """The index coded in a picture (``read(x, y)`` gives a pixel's brightness), trying the
    left copy then the right one; ``None`` when neither passes its check bits (e.g. a face
    box was drawn over both). ``scale``: the picture's size against the stamped frame's."""
    y = min(height - 1, int((height / scale - _CODE_CELL / 2) * scale))
    for side in (0, 1):
        word = 0
        for bit in range(_CODE_BITS):
            x = int((bit * _CODE_CELL + _CODE_CELL / 2) * scale)
            if side:
                x = width - 1 - x
            if read(x, y) > 127:
                word |= 1 << bit
        value = word & _CODE_MASK
        if word >> _CODE_INDEX_BITS == _check_bits(value):
            return value
    return None


def read_code(image: np.ndarray) -> int | None:
    """The index :func:`stamp_code` wrote into a BGR ``image``, or ``None``."""
    height, width = image.shape[:2]
    return _decode_word(lambda x, y: int(image[y, x].mean()), width, height)


def read_code_qimage(image, frame_width: int | None = None) -> int | None:
    """:func:`read_code` for a ``QImage``, which may be the stamped frame scaled down from
    ``frame_width`` pixels wide."""
    def brightness(x: int, y: int) -> int:
        rgb = image.pixel(x, y)
        return (((rgb >> 16) & 0xFF) + ((rgb >> 8) & 0xFF) + (rgb & 0xFF)) // 3

    scale = image.width() / frame_width if frame_width else 1.0
    return _decode_word(brightness, image.width(), image.height(), scale)


# --------------------------------------------------------------------------- camera


class SimulatedCamera(CameraSource):
    """A camera played from a clip: frames at wall-clock pace (``fps``), looping, each
    with its index barcoded in (:func:`stamp_code`), ``time_ms`` from a clock started at
    the first frame, endless. It is a :class:`CameraSource` to the app (that is how a
    camera is recognised), without opening any device.

    ``captured_at(index)`` is the instant the frame was "captured" (its slot on the
    camera's clock). When the reading thread falls more than one frame behind, the
    missed slots are skipped (``skipped``), as a camera overwrites its buffers; a late
    frame keeps its slot's capture instant, so the delay counts as latency.
    """

    def __init__(self, clip: Path, fps: float = 30.0, clock: Callable[[], float] = time.perf_counter):
        # deliberately not CameraSource.__init__: there is no device to open
        self.clip = Path(clip)
        self.name = f"simulated camera ({self.clip.name})"
        self.fps = float(fps)
        self._clock = clock
        self._closed = False
        self._frames = VideoFileSource(self.clip, loop=True)
        self.width, self.height = self._frames.width, self._frames.height
        self._due = np.full(_RING, np.nan)
        self._due_index = np.full(_RING, -1, dtype=np.int64)
        self.delivered = 0
        self.skipped = 0
        self.started_at: float | None = None

    def captured_at(self, index: int) -> float | None:
        slot = index % _RING
        if self._due_index[slot] != index:
            return None
        return float(self._due[slot])

    def __iter__(self):
        period = 1.0 / self.fps
        index = 0
        for decoded in self._frames:
            if self._closed:
                return
            image = decoded.image
            stamp_code(image, index)
            now = self._clock()
            if self.started_at is None:
                self.started_at = now
            due = self.started_at + index * period
            if now - due > period:  # behind by more than a frame: those slots are gone
                missed = int((now - self.started_at) / period) - index
                index += missed
                self.skipped += missed
                stamp_code(image, index)
                due = self.started_at + index * period
            elif due > now:
                time.sleep(due - now)
            slot = index % _RING
            self._due[slot] = due
            self._due_index[slot] = index
            self.delivered += 1
            yield Frame(image=image, index=index, time_ms=int(round((due - self.started_at) * 1000)))
            index += 1

    def close(self) -> None:
        self._closed = True
        self._frames.close()


# --------------------------------------------------------------------------- figures


def rss_mb() -> float:
    """This process's resident memory in MB (``/proc/self/statm``)."""
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def loadavg() -> str:
    try:
        with open("/proc/loadavg") as fh:
            return " ".join(fh.read().split()[:3])
    except OSError:
        return "?"


_OS_THREAD_NAMES = {  # OS thread names (15 characters at most) as the report says them
    "acting-mirror-a": "analysis worker",
    "Thread (pooled)": "Qt thread pool",
}
_NATIVE_THREADS = "native threads (OpenCV, LiteRT)"  # named like the process: started by C code


def _proc_stat(path: str) -> tuple[str, list[str]]:
    """A ``/proc/.../stat`` file as (command name, the fields after it: field 3 onwards)."""
    with open(path) as fh:
        head, rest = fh.read().rsplit(")", 1)
    return head.split("(", 1)[1], rest.split()


def thread_cpu_seconds() -> dict[str, float]:
    """CPU seconds (user + system) used so far by each thread of this process, by name
    (Python threads by their ``threading`` name, the main thread as "GUI", others by
    their OS name), plus "process" for the whole."""
    names = {t.native_id: t.name for t in threading.enumerate() if t.native_id is not None}
    names[threading.main_thread().native_id] = "GUI"
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[str, float] = {}
    try:
        with open("/proc/self/comm") as fh:
            process_name = fh.read().strip()
        _, fields = _proc_stat("/proc/self/stat")
        out["process"] = (int(fields[11]) + int(fields[12])) / tick
        for tid in os.listdir("/proc/self/task"):
            try:
                os_name, fields = _proc_stat(f"/proc/self/task/{tid}/stat")
            except OSError:
                continue  # the thread ended meanwhile
            name = names.get(int(tid)) or os_name
            if name.startswith("Dummy-"):  # a Qt thread running Python: its OS name says more
                name = os_name
            name = _NATIVE_THREADS if name == process_name else _OS_THREAD_NAMES.get(name, name)
            out[name] = out.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    except OSError:
        return {}
    return out


def _cpu_percent(before: dict[str, float], after: dict[str, float], seconds: float) -> dict[str, float]:
    if seconds <= 0:
        return {}
    used = {k: (v - before.get(k, 0.0)) / seconds * 100.0 for k, v in after.items()}
    return {k: round(v, 1) for k, v in sorted(used.items(), key=lambda kv: -kv[1]) if v >= 0.5}


def _slope_per_min(samples: list[tuple[float, float]]) -> float | None:
    if len(samples) < 3:
        return None
    t = np.array([s[0] for s in samples]) / 60.0
    y = np.array([s[1] for s in samples])
    if np.ptp(t) <= 0:
        return None
    return float(np.polyfit(t, y, 1)[0])


@dataclass
class TakeCheck:
    """The take recorded over the run, checked frame by frame."""

    folder: str
    video_frames: int  # frames decoded from output.avi
    analysed_while_recording: int  # analyses from the take's first to its last frame
    worker_frames: int  # what the worker says it recorded (TakeInfo.frames)
    timeline_frames: int  # distinct frames in timeline.csv (a row per face)
    analysed_with_face: int  # of the analysed-while-recording frames, those with a face
    summary_frames: int | None
    sequence_matches: bool  # output.avi's barcodes == the analysed frames' indices, in order
    timeline_matches: bool  # timeline.csv's frame numbers == the analysed frames with a face
    unreadable_codes: int
    error: str | None = None

    @property
    def lossless(self) -> bool:
        return (self.error is None and self.sequence_matches and self.timeline_matches
                and self.video_frames == self.analysed_while_recording == self.worker_frames
                == self.summary_frames)


@dataclass
class LiveReport:
    detector: str
    faces: int
    platform: str
    seconds: float  # the measured window (after warm-up)
    warmup_s: float
    frame_size: tuple[int, int]
    view_size: tuple[int, int]
    input_fps: float
    analysed_fps: float
    painted_fps: float
    delivered: int
    analysed: int
    painted: int
    skipped_slots: int  # camera slots missed because its thread ran late
    shown_not_painted: int  # pictures replaced on the view before a paint happened
    mailbox_replaced: int  # analysed pictures the GUI never took (latest-wins)
    latency_ms: dict | None  # capture instant -> painted
    app_latency_ms: dict | None  # the app's own measure (decoder stamp -> painted)
    latency_parts_ms: dict  # wait / analyse / handover / paint, each p50/p95/max
    stages_ms: dict  # per-stage p50/p95/max of the pictures the GUI took, as the worker timed them
    stale: int
    stale_checked: int
    unreadable: int
    unflagged: int  # analysed frames beyond the probe's per-frame flags (the take check fails)
    rss_mb: dict
    cpu_percent: dict  # per thread over the measured window (100 = one core), "process" total
    take: TakeCheck | None
    load_start: str
    load_end: str
    fatal: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class StartupReport:
    detector: str
    first_paint_s: float | None  # launch (fork) -> first painted frame, as the parent saw it
    since_process_start_s: float | None  # the child's own measure from /proc/self/stat
    models_ready_s: float | None  # process start -> worker loaded the models
    gui_imported_s: float | None  # process start -> main window module imported
    tensorflow: bool | None  # imported by the time the first frame was painted
    tensorflow_at_exit: bool | None
    exit_code: int | None
    error: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


# --------------------------------------------------------------------------- probe


class LatencyHistogram:
    """Milliseconds counted in fixed 0.1 ms bins up to ``limit_ms`` (longer ones land in
    the last bin; the maximum is kept exactly): percentiles of a whole soak in memory
    that is all allocated, and touched, up front, so the benchmark's own bookkeeping
    does not show up as growth in the RSS it reports."""

    def __init__(self, limit_ms: float = 2000.0, step_ms: float = 0.1):
        self.step_ms = step_ms
        self.counts = np.empty(int(limit_ms / step_ms) + 1, dtype=np.int64)
        self.clear()

    def clear(self) -> None:
        self.counts.fill(0)
        self.n = 0
        self.max_ms = 0.0

    def add(self, ms: float) -> None:
        i = min(max(int(ms / self.step_ms), 0), self.counts.size - 1)
        self.counts[i] += 1
        self.n += 1
        if ms > self.max_ms:
            self.max_ms = ms

    def summary(self, qs=(50, 95)) -> dict | None:
        if self.n == 0:
            return None
        cumulative = np.cumsum(self.counts)
        out = {}
        for q in qs:
            i = int(np.searchsorted(cumulative, q / 100.0 * self.n))
            out[f"p{q}"] = round(min((i + 0.5) * self.step_ms, self.max_ms), 1)
        out["max"] = round(self.max_ms, 1)
        out["n"] = self.n
        return out


_PARTS = ("wait", "analyse", "handover", "paint")
_STAGES = ("detect", "classify", "detail", "track", "annotate", "record")  # as the worker times them


class _Probe:
    """Everything measured inside the running app, in fixed-size storage (see
    :class:`LatencyHistogram`). The worker thread writes only its own slots and counters
    (atomic under the GIL); the rest runs on the GUI thread. ``capacity``: camera frame
    indices the per-frame flags cover (a whole run's worth)."""

    def __init__(self, capacity: int):
        self.camera: SimulatedCamera | None = None
        self.clip: Path | None = None
        self.fps = 30.0
        self.capacity = int(capacity)
        self.analysed_flags = np.empty(self.capacity, dtype=bool)  # by camera frame index
        self.face_flags = np.empty(self.capacity, dtype=bool)
        self.analysed_flags.fill(False)
        self.face_flags.fill(False)
        self.analysed = 0
        self.beyond_capacity = 0
        self._analysis_start = np.full(_RING, np.nan)
        self._analysis_index = np.full(_RING, -1, dtype=np.int64)
        self.latency = LatencyHistogram()
        self.app_latency = LatencyHistogram()
        self.parts = {k: LatencyHistogram() for k in _PARTS}
        self.stages = {k: LatencyHistogram() for k in _STAGES}
        self.painted = 0
        self.stale = 0
        self.unreadable = 0
        self._pending = None  # (packet, taken_at) of the picture handed to the view
        self.window = None
        self.fatal: str | None = None
        self.measuring = False

    # -- worker thread (a session observer)
    def on_event(self, event) -> None:
        if not isinstance(event, FrameAnalysed) or not event.fresh:
            return
        index = event.result.frame.index
        slot = index % _RING
        self._analysis_start[slot] = event.analysis_started_at
        self._analysis_index[slot] = index
        if index < self.capacity:
            self.analysed_flags[index] = True
            self.face_flags[index] = any(f.shown_probs is not None for f in event.result.faces)
        else:
            self.beyond_capacity += 1
        self.analysed += 1

    def open_source(self, spec: str, loop: bool):
        if spec != SIMULATED_CAMERA_SPEC or self.clip is None:
            raise SourceError(f"The live benchmark only plays its simulated camera, not {spec}.")
        self.camera = SimulatedCamera(self.clip, self.fps)
        return self.camera

    # -- GUI thread
    def install(self, window) -> None:
        """Watch ``window`` through its documented hooks: the session's events (worker
        observers), each picture the window takes to show, each first paint."""
        self.window = window
        window.worker.worker.observers.append(self.on_event)
        window.picture_observers.append(self._on_picture)
        window.video.paint_observers.append(self._on_painted)
        window.worker.worker.fatal.connect(self._on_fatal)

    def _on_picture(self, packet) -> None:
        self._pending = (packet, time.perf_counter())
        if self.measuring:
            for key, ms in packet.timings_ms.items():
                if key in self.stages:
                    self.stages[key].add(ms)

    def _on_fatal(self, message: str) -> None:
        self.fatal = message

    def start_measuring(self) -> None:
        """Collect latencies and stage timings from now on (counters run throughout)."""
        for histogram in (self.latency, self.app_latency, *self.parts.values(),
                          *self.stages.values()):
            histogram.clear()
        self.measuring = True

    def stop_measuring(self) -> None:
        self.measuring = False

    def _on_painted(self, latency_s: float) -> None:
        now = time.perf_counter()
        if self._pending is None:
            return
        (packet, taken_at), self._pending = self._pending, None
        if self.window is not None and self.window.video.image is not packet.image:
            return  # something else is on the view (not a frame of ours)
        self.painted += 1
        camera = self.camera
        code = read_code_qimage(packet.image, camera.width if camera is not None else None)
        if code is None:
            self.unreadable += 1
        elif code != packet.index & _CODE_MASK:
            self.stale += 1
        if not self.measuring:
            return
        self.app_latency.add(latency_s * 1e3)
        captured = self.camera.captured_at(packet.index) if self.camera is not None else None
        if captured is None:
            return
        self.latency.add((now - captured) * 1e3)
        slot = packet.index % _RING
        if self._analysis_index[slot] == packet.index:
            started = float(self._analysis_start[slot])
            self.parts["wait"].add((started - captured) * 1e3)
            self.parts["analyse"].add((packet.analysed_at - started) * 1e3)
        self.parts["handover"].add((taken_at - packet.analysed_at) * 1e3)
        self.parts["paint"].add((now - taken_at) * 1e3)

    def snapshot(self) -> dict:
        return {
            "t": time.perf_counter(),
            "delivered": self.camera.delivered if self.camera else 0,
            "skipped": self.camera.skipped if self.camera else 0,
            "analysed": self.analysed,
            "painted": self.painted,
            "shown": self.window.video.frames_shown if self.window is not None else 0,
            "replaced": self.window.worker.worker.display.replaced if self.window is not None else 0,
        }


# --------------------------------------------------------------------------- running


@dataclass(frozen=True)
class LiveBenchConfig:
    """``seconds`` measured after ``warmup_s`` (default: 10% of the run, 1 to 60 s)."""

    seconds: float = 60.0
    detector: str = "haar"
    faces: int = 1
    fps: float = 30.0
    warmup_s: float | None = None
    clip_frames: int = 150
    window_size: tuple[int, int] = (1400, 860)
    face_detail: bool = False  # with haar or mtcnn, the mesh on the main face (View › Face detail)

    @property
    def warmup(self) -> float:
        if self.warmup_s is not None:
            return self.warmup_s
        return min(60.0, max(1.0, 0.1 * self.seconds))

    @property
    def rss_interval(self) -> float:
        """Every 5 s, more often for short runs."""
        return min(5.0, max(0.25, (self.seconds + self.warmup) / 60.0))


def build_clip(path: Path, faces: int, frames: int) -> Path:
    """The looping clip behind the simulated camera: 720p, one face or a crowd."""
    from acting_mirror.media.clips import crowd_clip, one_face_clip

    if faces == 1:
        return one_face_clip(path, frames)
    return crowd_clip(path, frames, faces=faces)


def _wait_until(predicate: Callable[[], bool], timeout_s: float) -> bool:
    from PySide6.QtCore import QEventLoop, QTimer

    if predicate():
        return True
    loop = QEventLoop()
    deadline = time.monotonic() + timeout_s
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: (predicate() or time.monotonic() > deadline) and loop.quit())
    timer.start()
    loop.exec()
    timer.stop()
    return predicate()


def _run_events(seconds: float, every_s: float, tick: Callable[[], None]) -> None:
    """Run the event loop for ``seconds``, calling ``tick`` every ``every_s``."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    ticker = QTimer()
    ticker.setInterval(max(1, int(every_s * 1000)))
    ticker.timeout.connect(tick)
    stopper = QTimer()
    stopper.setSingleShot(True)
    stopper.setInterval(max(1, int(seconds * 1000)))
    stopper.timeout.connect(loop.quit)
    ticker.start()
    stopper.start()
    loop.exec()
    ticker.stop()
    stopper.stop()


def run_live_bench(config: LiveBenchConfig, workdir: Path, *,
                   log: Callable[[str], None] = lambda s: None) -> LiveReport:
    """Run the real main window on the simulated camera for the warm-up plus
    ``config.seconds``, recording one take throughout, and measure it. Needs a
    ``QApplication``; takes and settings stay in ``workdir``."""
    from PySide6.QtCore import QCoreApplication, QEvent, QSettings
    from PySide6.QtWidgets import QApplication

    from acting_mirror.app import app_services
    from acting_mirror.controllers.mirror import QuitChoice
    from acting_mirror.gui.main_window import MainWindow
    from acting_mirror.gui.preferences import Preferences

    app = QApplication.instance()
    if app is None:
        raise RuntimeError("run_live_bench needs a QApplication")
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    clip = workdir / f"live-720p-{config.faces}face{'s' if config.faces != 1 else ''}.mp4"
    if not clip.exists():
        log(f"building the simulated camera's clip ({config.clip_frames} frames, {config.faces} face(s))…")
        build_clip(clip, config.faces, config.clip_frames)

    load_start = loadavg()
    rss: list[tuple[float, float]] = []
    t_launch = time.perf_counter()
    rss.append((0.0, rss_mb()))
    # per-frame flags for every camera index the run can reach (with room for slow starts)
    probe = _Probe(capacity=int((config.warmup + config.seconds + 600) * config.fps * 1.1))
    probe.clip, probe.fps = clip, config.fps
    prefs = Preferences(QSettings(str(workdir / "settings.ini"), QSettings.Format.IniFormat))
    prefs.takes_dir = workdir / "takes"
    prefs.face_detail = config.face_detail
    log(f"opening the main window ({config.detector}"
        f"{' + face detail' if config.face_detail and config.detector != 'mesh' else ''})…")
    window = MainWindow(prefs, detector=config.detector, camera_lister=lambda: [],
                        confirm_quit=lambda: QuitChoice.SAVE,
                        services=app_services(source_opener=probe.open_source))
    try:
        probe.install(window)
        window.resize(*config.window_size)
        window.show()
        if not _wait_until(lambda: window.is_ready or probe.fatal is not None, 180):
            raise RuntimeError("the analysis worker did not start within 180 s")
        if probe.fatal:
            raise RuntimeError(probe.fatal)
        window.open_source(SIMULATED_CAMERA_SPEC)
        if not _wait_until(lambda: probe.painted > 0 or probe.fatal is not None, 60):
            raise RuntimeError("no analysed frame was painted within 60 s")
        window.start_recording()
        if not _wait_until(lambda: window.recording_folder is not None, 10):
            raise RuntimeError("recording did not start within 10 s")
        sample = lambda: rss.append((time.perf_counter() - t_launch, rss_mb()))  # noqa: E731
        log(f"warming up for {config.warmup:.0f} s…")
        _run_events(config.warmup, config.rss_interval, sample)
        start = probe.snapshot()
        cpu_start = thread_cpu_seconds()
        probe.start_measuring()
        sample()
        rss_warm = len(rss) - 1  # the sample at the warm-up's end
        log(f"measuring for {config.seconds:.0f} s…")
        _run_events(config.seconds, config.rss_interval, sample)
        end = probe.snapshot()
        cpu_end = thread_cpu_seconds()
        probe.stop_measuring()
        sample()
        take_error = None
        if window.recording_folder is not None:
            window.stop_recording()
            if not _wait_until(lambda: window.recording_folder is None
                               and window.last_take is not None, 300):
                take_error = "the take was not finished within 300 s of stopping"
        take_info = window.last_take  # None, or a take that ended by itself (an error)
        view = window.video.size()
        view_size = (view.width(), view.height())
    finally:
        window.close()
        window.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    load_end = loadavg()

    elapsed = end["t"] - start["t"]

    def rate(key: str) -> float:
        return (end[key] - start[key]) / elapsed if elapsed > 0 else 0.0

    camera = probe.camera
    take = _check_take(take_info, probe, take_error) if take_info is not None else None
    warm_rss = rss[rss_warm:]
    return LiveReport(
        detector=config.detector + (" + face detail" if config.face_detail
                                     and config.detector != "mesh" else ""),
        faces=config.faces,
        platform=QApplication.platformName(),
        seconds=round(elapsed, 2),
        warmup_s=config.warmup,
        frame_size=(camera.width, camera.height) if camera else (0, 0),
        view_size=view_size,
        input_fps=round(rate("delivered"), 2),
        analysed_fps=round(rate("analysed"), 2),
        painted_fps=round(rate("painted"), 2),
        delivered=end["delivered"] - start["delivered"],
        analysed=end["analysed"] - start["analysed"],
        painted=end["painted"] - start["painted"],
        skipped_slots=end["skipped"] - start["skipped"],
        shown_not_painted=max(0, (end["shown"] - start["shown"]) - (end["painted"] - start["painted"])),
        mailbox_replaced=end["replaced"] - start["replaced"],
        latency_ms=probe.latency.summary(),
        app_latency_ms=probe.app_latency.summary(),
        latency_parts_ms={k: h.summary() for k, h in probe.parts.items()},
        stages_ms={k: d for k, h in probe.stages.items() if (d := h.summary()) is not None},
        stale=probe.stale,
        stale_checked=probe.painted,
        unreadable=probe.unreadable,
        unflagged=probe.beyond_capacity,
        rss_mb={
            "start": round(rss[0][1], 1),
            "after_warmup": round(warm_rss[0][1], 1) if warm_rss else None,
            "end": round(rss[-1][1], 1),
            "max": round(max(v for _, v in rss), 1),
            "slope_per_min": (None if (s := _slope_per_min(warm_rss)) is None else round(s, 3)),
            "samples": len(rss),
        },
        cpu_percent=_cpu_percent(cpu_start, cpu_end, elapsed),
        take=take,
        load_start=load_start,
        load_end=load_end,
        fatal=probe.fatal,
    )


def _check_take(info, probe: _Probe, error: str | None = None) -> TakeCheck:
    """The take's files against what the probe saw analysed: output.avi's barcodes must be
    the analysed frames from the take's first to its last, in order; timeline.csv must
    hold exactly those of them with a face (numbered from the take's first frame)."""
    folder = Path(info.folder)
    try:
        with VideoFileSource(folder / OUTPUT_AVI) as video:
            codes = [read_code(frame.image) for frame in video]
    except SourceError as exc:
        codes, error = [], error or str(exc)
    unreadable = sum(c is None for c in codes)
    known = [c for c in codes if c is not None]
    analysed = np.flatnonzero(probe.analysed_flags)  # camera indices analysed, in order
    in_take = analysed[(analysed >= known[0]) & (analysed <= known[-1])] if known else analysed[:0]
    with_face = in_take[probe.face_flags[in_take]]
    try:
        timeline = np.unique(read_timeline(folder / TIMELINE_CSV).frame)
    except SourceError as exc:
        timeline, error = np.zeros(0, np.int64), error or str(exc)
    expected_timeline = with_face - in_take[0] if in_take.size else with_face
    summary = read_json_object(folder / SUMMARY_JSON)
    return TakeCheck(
        folder=str(folder),
        video_frames=len(codes),
        analysed_while_recording=int(in_take.size),
        worker_frames=int(info.frames),
        timeline_frames=int(timeline.size),
        analysed_with_face=int(with_face.size),
        summary_frames=summary.get("frames"),
        sequence_matches=unreadable == 0 and codes == in_take.tolist(),
        timeline_matches=np.array_equal(timeline, expected_timeline),
        unreadable_codes=unreadable,
        error=info.error or error,
    )


# --------------------------------------------------------------------------- startup


def _seconds_since_process_start() -> float | None:
    """Seconds since this process was started (``/proc/self/stat``, 10 ms resolution)."""
    try:
        start_ticks = int(_proc_stat("/proc/self/stat")[1][19])  # field 22 of the file; fields here start at field 3
        return time.clock_gettime(time.CLOCK_BOOTTIME) - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def _startup_probe(argv: list[str]) -> int:
    """In a fresh process: open the app as ``acting-mirror gui`` does and print one
    :data:`STARTUP_MARKER` line at the first painted frame (then close the window), and
    one at exit. It watches the window through ``run_app``'s ``on_window`` hook."""
    from PySide6.QtCore import QTimer

    from acting_mirror.session.events import Ready

    facts: dict = {"gui_imported_s": _seconds_since_process_start()}

    def on_window(window) -> None:
        def on_event(event) -> None:  # on the worker's thread
            if isinstance(event, Ready):
                facts.setdefault("models_ready_s", _seconds_since_process_start())

        def painted(latency_s: float) -> None:
            if "first_paint_s" not in facts:
                facts["first_paint_s"] = _seconds_since_process_start()
                facts["first_paint_monotonic"] = time.monotonic()
                facts["tensorflow"] = "tensorflow" in sys.modules
                print(STARTUP_MARKER + json.dumps(facts), flush=True)
                QTimer.singleShot(0, window.close)

        window.worker.worker.observers.append(on_event)
        window.video.paint_observers.append(painted)

    import argparse

    from acting_mirror.app import app_services
    from acting_mirror.gui.app import run_app

    parser = argparse.ArgumentParser(prog="startup-probe")
    parser.add_argument("--source", required=True)
    parser.add_argument("--detector", default="haar")
    args = parser.parse_args(argv)
    code = run_app(services=app_services(), source=args.source, detector=args.detector,
                   on_window=on_window)
    print(STARTUP_MARKER + json.dumps({"tensorflow_at_exit": "tensorflow" in sys.modules,
                                       "exit_code": code}), flush=True)
    return code


def measure_startup(source: Path, detector: str, *, timeout_s: float = 180.0,
                    env: dict[str, str] | None = None) -> StartupReport:
    """Launch ``acting-mirror gui --source SOURCE --detector DETECTOR`` in a new process
    (offscreen when there is no display; throw-away settings and takes folder) and
    report the time from launch to its first painted frame and whether TensorFlow was
    imported."""
    with tempfile.TemporaryDirectory(prefix="acting-mirror-startup-") as tmp:
        child_env = dict(os.environ if env is None else env)
        child_env["ACTING_MIRROR_SETTINGS"] = str(Path(tmp) / "settings.ini")
        child_env["ACTING_MIRROR_HOME"] = str(Path(tmp) / "home")
        if not screen_configured(child_env):
            child_env["QT_QPA_PLATFORM"] = "offscreen"
        command = module_command("acting_mirror.bench.live", "--startup-probe",
                                 "--source", str(source), "--detector", detector)
        launched = time.monotonic()
        try:
            done = subprocess.run(command, env=child_env, capture_output=True, text=True,
                                  timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return StartupReport(detector, None, None, None, None, None, None, None,
                                 error=f"no exit within {timeout_s:.0f} s")
    facts: dict = {}
    for line in done.stdout.splitlines():
        if line.startswith(STARTUP_MARKER):
            facts.update(json.loads(line[len(STARTUP_MARKER):]))
    monotonic = facts.get("first_paint_monotonic")
    error = None
    if "first_paint_s" not in facts:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        error = f"no frame was painted (exit {done.returncode}: {tail})"
    return StartupReport(
        detector=detector,
        first_paint_s=None if monotonic is None else round(monotonic - launched, 3),
        since_process_start_s=_round(facts.get("first_paint_s")),
        models_ready_s=_round(facts.get("models_ready_s")),
        gui_imported_s=_round(facts.get("gui_imported_s")),
        tensorflow=facts.get("tensorflow"),
        tensorflow_at_exit=facts.get("tensorflow_at_exit"),
        exit_code=done.returncode,
        error=error,
    )


def _round(value, digits: int = 3):
    return None if value is None else round(value, digits)


# --------------------------------------------------------------------------- printing


def _dist(d: dict | None) -> str:
    if not d:
        return "-"
    return f"p50 {d['p50']:.0f} ms, p95 {d['p95']:.0f} ms, max {d['max']:.0f} ms"


def format_live_report(r: LiveReport) -> str:
    lines = [
        f"live · {r.detector} · {r.faces} face{'s' if r.faces != 1 else ''} · "
        f"{r.frame_size[0]}x{r.frame_size[1]} simulated camera · {r.platform} · "
        f"video view {r.view_size[0]}x{r.view_size[1]} · {r.seconds:.0f} s after "
        f"{r.warmup_s:.0f} s warm-up · load {r.load_start} -> {r.load_end}",
    ]
    if r.fatal:
        lines.append(f"  FATAL     {r.fatal}")
    lines += [
        f"  input     {r.input_fps:5.1f} fps  ({r.delivered} frames delivered, "
        f"{r.skipped_slots} camera slots missed)",
        f"  analysed  {r.analysed_fps:5.1f} fps  ({r.analysed} frames; "
        f"{max(r.delivered - r.analysed, 0)} older frames skipped by latest-wins)",
        f"  painted   {r.painted_fps:5.1f} fps  ({r.painted} frames; {r.mailbox_replaced} analysed "
        f"pictures replaced before the GUI took them, {r.shown_not_painted} shown but not painted)",
        f"  latency   capture -> painted {_dist(r.latency_ms)}  "
        f"(app's own stamp: {_dist(r.app_latency_ms)})",
        "            " + "; ".join(
            f"{k} p50 {d['p50']:.1f}/p95 {d['p95']:.1f}" for k, d in r.latency_parts_ms.items() if d
        ) + " ms",
        "  stages    " + "; ".join(
            f"{k} p50 {d['p50']:.1f}/p95 {d['p95']:.1f}" for k, d in r.stages_ms.items()
        ) + " ms",
        f"  stale     {r.stale} of {r.stale_checked} painted frames (whole run) show another "
        "frame's analysis"
        + (f" ({r.unreadable} codes unreadable)" if r.unreadable else ""),
    ]
    if r.unflagged:
        lines.append(f"  WARNING   {r.unflagged} frames analysed past the probe's capacity: "
                     "the recording check cannot follow them")
    t = r.take
    if t is not None:
        lines.append(
            f"  recording {t.video_frames} frames in output.avi, {t.analysed_while_recording} "
            f"analysed while recording, {t.timeline_frames} frames in timeline.csv "
            f"({t.analysed_with_face} analysed with a face), worker {t.worker_frames}, "
            f"summary {t.summary_frames}; same frames in order: "
            f"{'yes' if t.sequence_matches and t.timeline_matches else 'NO'}"
            + (f"; error: {t.error}" if t.error else "")
        )
    if r.cpu_percent:
        cpu = dict(r.cpu_percent)
        total = cpu.pop("process", None)
        lines.append(f"  cpu       process {total or 0:.0f}% of a core: "
                     + ", ".join(f"{k} {v:.0f}%" for k, v in cpu.items()))
        if r.analysed:  # CPU time per analysed frame: comparable across loaded and quiet machines
            per = r.seconds * 1e3 / 100 / r.analysed
            lines.append(f"            per analysed frame: process {(total or 0) * per:.1f} ms of CPU, "
                         + ", ".join(f"{k} {v * per:.1f} ms" for k, v in cpu.items()))
    m = r.rss_mb
    slope = m["slope_per_min"]
    lines.append(
        f"  memory    RSS start {m['start']:.0f} MB, after warm-up {m['after_warmup'] or 0:.0f} MB, "
        f"end {m['end']:.0f} MB, max {m['max']:.0f} MB; slope after warm-up "
        + ("-" if slope is None else f"{slope:+.2f} MB/min") + f" ({m['samples']} samples)"
    )
    return "\n".join(lines)


def format_startup(s: StartupReport) -> str:
    if s.error:
        return f"startup   {s.detector}: {s.error}"
    tf = "yes" if s.tensorflow else "no"
    if s.tensorflow_at_exit and not s.tensorflow:
        tf += " (imported later, before exit)"
    parts = []
    if s.gui_imported_s is not None:
        parts.append(f"window code imported {s.gui_imported_s:.2f} s")
    if s.models_ready_s is not None:
        parts.append(f"models ready {s.models_ready_s:.2f} s")
    return (f"startup   {s.detector}: first painted frame {s.first_paint_s:.2f} s after launch "
            f"({', '.join(parts)}), TensorFlow imported: {tf}")


def run_live_command(configs: list[LiveBenchConfig], *, startup_detectors=("haar", "mtcnn"),
                     startup_runs: int = 1, workdir: Path,
                     log: Callable[[str], None] = lambda s: None
                     ) -> tuple[list[LiveReport], list[StartupReport]]:
    """What ``acting-mirror bench --live`` runs: the startup probes (first, while nothing
    else of ours runs), then each live configuration in this process's QApplication."""
    import pyqtgraph as pg

    from acting_mirror.gui.app import apply_theme, make_application

    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    startups: list[StartupReport] = []
    if startup_detectors:
        clip = workdir / "startup-720p-1face.mp4"
        if not clip.exists():
            log("building the startup clip…")
            build_clip(clip, 1, 60)
        for detector in startup_detectors:
            for _ in range(max(1, startup_runs)):
                log(f"startup · {detector}…")
                startups.append(measure_startup(clip, detector))
    app = make_application()
    apply_theme(app)
    pg.setConfigOptions(antialias=True)
    reports = [run_live_bench(c, workdir, log=log) for c in configs]
    return reports, startups


if __name__ == "__main__":
    if sys.argv[1:2] == ["--startup-probe"]:
        sys.exit(_startup_probe(sys.argv[2:]))
    print("usage: python -m acting_mirror.bench.live --startup-probe [gui options]",
          file=sys.stderr)
    sys.exit(2)
