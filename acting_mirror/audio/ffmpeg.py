"""FFmpeg as a separate program: found, run and watched, never linked into the app.

The ``ffmpeg`` executable is the static binary shipped by ``imageio-ffmpeg`` (BSD-2
wrapper; the binary itself is a GPL build of FFmpeg, which is fine for a separate
program we only run), or a system ``ffmpeg`` on PATH when that package is missing.
Nothing of FFmpeg is loaded into our process: we pass it argv (never a shell), hand it
files as ``file:`` + an absolute path (so a name like ``-y`` or ``a|b`` is only a name),
read its stderr on a thread, and kill it when it stops making progress or when we stop.

- :func:`ffmpeg_exe`: the program, or one clear :class:`DependencyError`.
- :func:`probe`: a media file's streams (from ``ffmpeg -i``) and the time of the first
  decoded frame of its first video and first audio stream (``showinfo``/``ashowinfo``).
- :class:`Ffmpeg`: one running ffmpeg with pipes, a stderr reader and a stall watchdog.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from acting_mirror.errors import DependencyError

INSTALL_HINT = (
    "install FFmpeg's ffmpeg program (Debian/Ubuntu: sudo apt install ffmpeg)"
    if getattr(sys, "frozen", False)  # the double-clickable app: pip means nothing there
    else "pip install imageio-ffmpeg (or install FFmpeg's ffmpeg program on PATH)"
)
# an ffmpeg that neither writes, reads nor says anything for this long is hung: killed
STALL_S = 60.0
PROBE_TIMEOUT_S = 120.0


def ffmpeg_exe(purpose: str = "This") -> str:
    """The ``ffmpeg`` program to run: imageio-ffmpeg's (or the one ``IMAGEIO_FFMPEG_EXE``
    names), else ``ffmpeg`` on PATH; else a :class:`DependencyError` naming the package."""
    try:
        import imageio_ffmpeg
    except ImportError:
        imageio_ffmpeg = None
    if imageio_ffmpeg is not None:
        try:
            exe = imageio_ffmpeg.get_ffmpeg_exe()
        except (RuntimeError, OSError):
            exe = None
        if exe and (os.path.isfile(exe) or shutil.which(exe)):
            return exe
    exe = shutil.which("ffmpeg")
    if exe:
        return exe
    raise DependencyError(f"{purpose} needs the ffmpeg program, which is not installed: {INSTALL_HINT}.")


def media_arg(path: Path | str) -> str:
    """A file name as ffmpeg must see it: the ``file:`` protocol and an absolute path, so
    nothing in the name is read as an option, a protocol (``pipe:``, ``http:``) or a pattern."""
    return "file:" + str(Path(path).absolute())


def _popen_flags() -> dict:
    # its own process group: the terminal's Ctrl+C reaches us, and we stop ffmpeg ourselves
    if sys.platform == "win32":
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    return {"start_new_session": True}


@dataclass
class StreamFacts:
    kind: str  # "video", "audio", "subtitle", "data"...
    codec: str
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    start_s: float | None = None  # said only when it differs from the file's start


@dataclass
class Probe:
    """What ``ffmpeg -i`` says of a file, and when its first frames are (``None``: not
    measured or no such stream)."""

    readable: bool
    streams: list[StreamFacts] = field(default_factory=list)
    duration_s: float | None = None
    start_s: float | None = None
    first_video_s: float | None = None
    first_audio_s: float | None = None
    error: str = ""

    def first(self, kind: str) -> StreamFacts | None:
        return next((s for s in self.streams if s.kind == kind), None)


_STREAM = re.compile(r"^\s*Stream #0:\d+\S*: (\w+): ([^\s,]+)(.*)$")
_SIZE = re.compile(r", (\d{1,5})x(\d{1,5})\b")
_FPS = re.compile(r", (\d+(?:\.\d+)?)(k?) (?:fps|tbr)\b")
_DURATION = re.compile(r"^\s*Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)(?:.*?, start: (-?\d+(?:\.\d+)?))?")
_START = re.compile(r", start (-?\d+(?:\.\d+)?)\b")
_FIRST = re.compile(r"\[Parsed_(a?)showinfo_\d+ @ [^\]]*\] n:\s*0 pts:\s*-?\d+ pts_time:\s*(-?[\d.e+-]+)")


def parse_header(stderr: str) -> Probe:
    """The input's streams and duration from ffmpeg's stderr (the ``Input #0`` section)."""
    # ffmpeg ends its lines with \n; a title with a form feed or U+2028 is still one line
    lines = [line.rstrip("\r") for line in stderr.split("\n")]
    start = next((i for i, line in enumerate(lines) if line.startswith("Input #0")), None)
    if start is None:
        tail = [line.strip() for line in lines if line.strip()]
        return Probe(False, error=tail[-1] if tail else "ffmpeg read nothing")
    probe = Probe(True)
    for line in lines[start + 1:]:
        if not line.startswith(" "):  # "Stream mapping:", "Output #0", a log line
            break
        if probe.duration_s is None and (m := _DURATION.match(line)):
            probe.duration_s = int(m[1]) * 3600 + int(m[2]) * 60 + float(m[3])
            probe.start_s = float(m[4]) if m[4] else None
            continue
        m = _STREAM.match(line)
        if m is None:
            continue
        facts = StreamFacts(m[1].lower(), m[2].lower())
        if start := _START.search(m[3]):
            facts.start_s = float(start[1])
        if facts.kind == "video":
            if size := _SIZE.search(m[3]):
                facts.width, facts.height = int(size[1]), int(size[2])
            if fps := _FPS.search(m[3]):
                facts.fps = float(fps[1]) * (1000 if fps[2] else 1)
        probe.streams.append(facts)
    return probe


def _stderr_of(args: list[str], timeout: float) -> str | None:
    """ffmpeg's stderr for ``args``; None when it ran over ``timeout`` (it is killed)."""
    try:
        done = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, timeout=timeout, **_popen_flags())
    except subprocess.TimeoutExpired:  # run() has killed it
        return None
    except OSError as exc:
        raise DependencyError(f"Cannot run ffmpeg ({exc.strerror or exc}): {INSTALL_HINT}.") from exc
    return done.stderr.decode("utf-8", "replace")


def _first_frame_s(base: list[str], path: Path | str, kind: str, timeout: float) -> float | None:
    """When the first decoded frame of ``path``'s first ``kind`` ("v"/"a") stream is, on
    the file's own clock (``-copyts``); one stream per run (two streams in one run race
    each other to the end of the output)."""
    show = "showinfo" if kind == "v" else "ashowinfo"
    text = _stderr_of([*base, "-copyts", "-i", media_arg(path), "-map", f"0:{kind}:0",
                       f"-frames:{kind}", "1", f"-filter:{kind}", show, "-f", "null", "-"],
                      timeout)
    match = _FIRST.search(text or "")
    return float(match[2]) if match else None


def probe(path: Path | str, *, first_frames: bool = False, timeout: float = PROBE_TIMEOUT_S) -> Probe:
    """``path``'s streams; with ``first_frames``, also the time (s, on the file's own
    clock) of the first decoded frame of its first video and audio streams, as a player
    shows them (an AAC encoder's priming samples already dropped)."""
    base = [ffmpeg_exe("Reading a video's sound"), "-hide_banner", "-nostdin", "-nostats"]
    text = _stderr_of([*base, "-i", media_arg(path)], timeout)
    if text is None:
        return Probe(False, error=f"ffmpeg took over {timeout:.0f} s to read {path}")
    found = parse_header(text)
    if first_frames and found.readable:
        for kind, attr in (("video", "first_video_s"), ("audio", "first_audio_s")):
            stream = found.first(kind)
            if stream is None:
                continue
            first = _first_frame_s(base, path, kind[0], timeout)
            if first is None:  # nothing decoded: the stream's start as the file says it
                first = stream.start_s if stream.start_s is not None else found.start_s
            setattr(found, attr, first)
    return found


class Ffmpeg:
    """One ffmpeg run with pipes: stderr is read on a thread (its last lines kept for the
    error message), and a watchdog kills it when nothing has moved for ``stall_s``
    (callers :meth:`touch` when they move data). A context manager: leaving it, by an
    error or a Ctrl+C, kills a still running ffmpeg and waits for it."""

    def __init__(self, args: list[str], *, stdin: bool = False, stdout: bool = False,
                 stall_s: float = STALL_S, purpose: str = "This"):
        exe = ffmpeg_exe(purpose)
        argv = [exe, "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error", *args]
        try:
            self.proc = subprocess.Popen(
                argv, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                stdout=subprocess.PIPE if stdout else subprocess.DEVNULL,
                stderr=subprocess.PIPE, **_popen_flags())
        except OSError as exc:
            raise DependencyError(
                f"Cannot run ffmpeg ({exc.strerror or exc}): {INSTALL_HINT}.") from exc
        self.stall_s = stall_s
        self.stalled = False
        self._last = time.monotonic()
        self._lines: deque[str] = deque(maxlen=20)
        self._done = threading.Event()
        self._reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._watchdog = threading.Thread(target=self._watch, daemon=True)
        self._reader.start()
        self._watchdog.start()

    @property
    def stdin(self):
        return self.proc.stdin

    @property
    def stdout(self):
        return self.proc.stdout

    def touch(self) -> None:
        self._last = time.monotonic()

    def _read_stderr(self) -> None:
        for raw in iter(self.proc.stderr.readline, b""):
            self.touch()
            line = raw.decode("utf-8", "replace").strip()
            if line:
                self._lines.append(line)

    def _watch(self) -> None:
        while not self._done.wait(min(1.0, self.stall_s / 4)):
            if self.proc.poll() is not None:
                return
            if time.monotonic() - self._last > self.stall_s:
                self.stalled = True
                self.kill()
                return

    def message(self) -> str:
        """Why it failed, in a few words: its last error line, or how it ended."""
        code = self.proc.returncode
        if self.stalled:
            return f"ffmpeg made no progress for {self.stall_s:.0f} s and was stopped"
        if code is not None and code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            return f"ffmpeg was killed ({name})"
        lines = [line for line in self._lines if line]
        return lines[-1] if lines else f"ffmpeg exited with status {code}"

    def kill(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.kill()
            except OSError:  # pragma: no cover - it ended meanwhile
                pass

    def wait(self, timeout: float | None = None) -> int:
        """Its exit status; killed (and then waited for) when it outlasts ``timeout``."""
        pipe = self.proc.stdin  # our end of its input: closed, it sees the end
        if pipe is not None and not pipe.closed:
            try:
                pipe.close()
            except OSError:  # BrokenPipe: it has gone already
                pass
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                code = self.proc.wait(timeout=1.0)
                break
            except subprocess.TimeoutExpired:
                if self.stalled or (deadline is not None and time.monotonic() > deadline):
                    self.stalled = True
                    self.kill()
        self._reader.join(timeout=5)
        return code

    def close(self) -> None:
        self._done.set()
        self.kill()
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None and not pipe.closed:
                try:
                    pipe.close()
                except OSError:
                    pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover - a kill is not refused
            pass
        self._reader.join(timeout=5)
        if self.proc.stderr is not None:
            self.proc.stderr.close()

    def __enter__(self) -> "Ffmpeg":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
