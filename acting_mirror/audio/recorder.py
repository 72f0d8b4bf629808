"""The actor's microphone recorded into the take, through the platform's recording
program as a separate process (``parec`` for PulseAudio/PipeWire, ``pw-record``,
``arecord`` for ALSA): raw 16-bit mono PCM on a pipe, read by a thread and written to
``audio.wav`` in the take folder as it arrives. Nothing is linked: the programs' licences
stay theirs.

For the live loop (the session)::

    mic = MicRecorder(device=None)         # the default input, or a name from devices()
    if not mic.available:                  # no recording program, no sound server,
        show(mic.message)                  #   no input: a normal state, said once
    mic.start(take_folder, clock_origin)   # clock_origin: the clock() reading that is
                                           #   the timeline's time_ms 0
    mic.level()                            # 0..1 peak of the last 100 ms, for a meter
    mic.active                             # the microphone is open (show an indicator)
    info = mic.stop()                      # AudioInfo; audio.wav is then on the take's clock

    mic.start_level_check() / mic.stop_level_check()   # the meter without a take

Time: every read notes ``(samples so far, clock time)``; the least-delayed read of each
second goes into the sidecar ``audio.clock`` (flushed as written), and :meth:`stop` fits
the device's true rate and start (:mod:`acting_mirror.audio.clock`) and resamples
``audio.wav`` so that its sample ``k`` is timeline time ``k / sample_rate`` exactly. The
WAV header is rewritten every second, so a kill leaves a playable file; ``recover``
calls :func:`repair_take_audio` (header, then the same alignment from the sidecar).
The microphone is open only between start and stop (or during a level check).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from acting_mirror.audio.clock import (
    ClockFit, ClockNotes, align, fit_clock, read_notes, write_note, write_sidecar,
)
from acting_mirror.audio.wavfile import StreamingWav, read_wav, repair_wav, write_wav
from acting_mirror.core.takefiles import AUDIO_CLOCK, AUDIO_WAV
from acting_mirror.errors import ActingMirrorError

log = logging.getLogger(__name__)

DEFAULT_RATE = 16000
"""Samples per second: plenty for a voice, and what the voice-activity detector reads."""
READ_MS = 10
PROGRAMS = ("parec", "pw-record", "arecord")


class MicError(ActingMirrorError):
    """The microphone cannot record (the message says why, in one sentence)."""


@dataclass(frozen=True)
class InputDevice:
    id: str  # what ``MicRecorder(device=...)`` takes
    description: str
    monitor: bool = False  # a loudspeaker's monitor (what is played), not a microphone


@dataclass(frozen=True)
class AudioInfo:
    path: Path | None  # None: nothing was recorded
    sample_rate: int
    samples: int  # in the finished (aligned) file
    first_sample_ms: float  # timeline time the microphone's first sample was heard
    measured_rate: float  # the device's rate against the take's clock
    drift_ppm: float
    residual_ms: float  # read jitter around the fitted clock
    program: str
    message: str = ""  # why the recording ended early, if it did

    @property
    def duration_s(self) -> float:
        return self.samples / self.sample_rate if self.sample_rate else 0.0


def find_program() -> tuple[str, str] | None:
    """``(name, path)`` of the first recording program on PATH."""
    for name in PROGRAMS:
        path = shutil.which(name)
        if path:
            return name, path
    return None


def record_command(program: tuple[str, str], rate: int, device: str | None) -> list[str]:
    name, path = program
    if name == "parec":
        cmd = [path, "--format=s16le", f"--rate={rate}", "--channels=1",
               f"--latency-msec={READ_MS}", "--client-name=acting-mirror"]
        return cmd + ([f"--device={device}"] if device else [])
    if name == "pw-record":
        cmd = [path, "--format", "s16", "--rate", str(rate), "--channels", "1"]
        return cmd + (["--target", device] if device else []) + ["-"]
    cmd = [path, "-q", "-t", "raw", "-f", "S16_LE", "-r", str(rate), "-c", "1"]
    return cmd + (["-D", device] if device else [])


def devices() -> list[InputDevice]:
    """The inputs the recording program can open, for a picker (may be empty)."""
    program = find_program()
    if program is None:
        return []
    try:
        if program[0] in ("parec", "pw-record") and shutil.which("pactl"):
            out = subprocess.run(["pactl", "list", "sources"], capture_output=True, text=True,
                                 timeout=5)
            if out.returncode != 0:
                return []
            found, name = [], None
            for line in out.stdout.splitlines():
                line = line.strip()
                if line.startswith("Name:"):
                    name = line.split(":", 1)[1].strip()
                elif line.startswith("Description:") and name:
                    desc = line.split(":", 1)[1].strip()
                    found.append(InputDevice(name, desc, name.endswith(".monitor")))
                    name = None
            return found
        if program[0] == "arecord":
            out = subprocess.run([program[1], "-L"], capture_output=True, text=True, timeout=5)
            found, name = [], None
            for line in out.stdout.splitlines():
                if line and not line[0].isspace():
                    name = line.strip()
                elif name and name != "null":
                    found.append(InputDevice(name, line.strip()))
                    name = None
            return found
    except (OSError, subprocess.TimeoutExpired):
        return []
    return []


class MicRecorder:
    """Records one input into take folders (see the module docstring).

    ``clock`` is the session's clock (seconds; ``time.perf_counter`` like the session);
    ``program`` overrides the command (a list, raw s16le mono PCM on stdout; for tests)."""

    def __init__(self, device: str | None = None, *, rate: int = DEFAULT_RATE,
                 clock: Callable[[], float] = time.perf_counter,
                 program: list[str] | None = None):
        self.device = device
        self.rate = int(rate)
        self._clock = clock
        self.message = ""
        self._program_name = "custom"
        if program is not None:
            self._cmd = list(program)
        else:
            found = find_program()
            if found is None:
                self._cmd = []
                self.message = ("No microphone: no recording program found (install "
                                "pulseaudio-utils, pipewire or alsa-utils).")
            else:
                self._program_name = found[0]
                self._cmd = record_command(found, self.rate, device)
                inputs = devices() if found[0] != "arecord" or device else None
                if inputs is not None and not inputs and found[0] != "arecord":
                    self.message = "No microphone: the sound server has no input."
                elif device and inputs is not None and device not in {d.id for d in inputs}:
                    self.message = f"No microphone named {device!r}."
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        self._thread: threading.Thread | None = None
        self._recent: deque[float] = deque(maxlen=max(1, 100 // READ_MS))
        self._folder: Path | None = None
        self._wav: StreamingWav | None = None
        self._notes: ClockNotes | None = None
        self._sidecar = None
        self._origin = 0.0
        self._ended = ""
        self._stopping = False
        self._chunk_listeners: list[Callable[[np.ndarray, float], None]] = []

    # --- state ---------------------------------------------------------------------------

    @property
    def available(self) -> bool:
        return not self.message

    @property
    def active(self) -> bool:
        """The microphone is open (a take records or a level check runs) and its program
        is still running."""
        with self._lock:
            return self._proc is not None and self._proc.poll() is None

    @property
    def recording(self) -> bool:
        return self._wav is not None

    def level(self) -> float:
        """Peak level of the last ~100 ms, 0 (silence or closed) to 1 (full scale)."""
        with self._lock:
            return max(self._recent) if self._recent else 0.0

    def on_chunk(self, listener: Callable[[np.ndarray, float], None]) -> None:
        """Call ``listener(int16 samples, timeline time_ms of the chunk's first sample)``
        from the reader thread for every chunk (e.g. the voice-activity detector)."""
        self._chunk_listeners.append(listener)

    # --- actions -------------------------------------------------------------------------

    def start(self, folder: Path | str, clock_origin: float) -> None:
        """Open the microphone and record into ``folder/audio.wav``; ``clock_origin`` is
        the clock reading of the timeline's time 0. Raises MicError when it cannot."""
        if not self.available:
            raise MicError(self.message)
        self.stop_level_check()
        folder = Path(folder)
        path = folder / AUDIO_WAV
        if path.exists():
            raise MicError(f"{path} already exists; a take's audio is never overwritten.")
        self._folder = folder
        self._origin = float(clock_origin)
        self._notes = ClockNotes(self.rate)
        try:
            self._wav = StreamingWav(path, self.rate)
            self._sidecar = open(folder / AUDIO_CLOCK, "w", encoding="utf-8")
            self._sidecar.write(json.dumps({"sample_rate": self.rate, "device": self.device,
                                            "program": self._program_name,
                                            "aligned": False}) + "\n")
            self._sidecar.flush()
        except OSError as exc:
            self._close_files()
            raise MicError(f"Cannot record the sound into {folder}: {exc.strerror or exc}.") from exc
        self._ended = ""
        try:
            self._open()
        except MicError:
            self._close_files()
            path.unlink(missing_ok=True)
            (folder / AUDIO_CLOCK).unlink(missing_ok=True)
            raise

    def stop(self) -> AudioInfo:
        """Close the microphone and finish ``audio.wav`` on the take's clock."""
        self._close_proc()
        if self._wav is None:
            return AudioInfo(None, self.rate, 0, 0.0, float(self.rate), 0.0, 0.0,
                             self._program_name, self._ended)
        notes = self._notes.finish() if self._notes else []
        if notes and self._sidecar is not None:
            write_note(self._sidecar, *notes[-1])
        self._close_files()
        info = finish_take_audio(self._folder)  # type: ignore[arg-type]
        self._folder = None
        if info is None:
            return AudioInfo(None, self.rate, 0, 0.0, float(self.rate), 0.0, 0.0,
                             self._program_name, self._ended or "no sound arrived")
        return AudioInfo(info.path, info.sample_rate, info.samples, info.first_sample_ms,
                         info.measured_rate, info.drift_ppm, info.residual_ms,
                         self._program_name, self._ended)

    def start_level_check(self) -> None:
        """Open the microphone for the level meter only (nothing is written)."""
        if self.available and not self.active:
            self._open()

    def stop_level_check(self) -> None:
        if self._wav is None:
            self._close_proc()

    def close(self) -> None:
        if self._wav is not None:
            self.stop()
        self._close_proc()

    # --- internals -----------------------------------------------------------------------

    def _open(self) -> None:
        try:
            proc = subprocess.Popen(self._cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, bufsize=0)
        except OSError as exc:
            raise MicError(f"Cannot open the microphone with {self._cmd[0]}: {exc.strerror or exc}.") from exc
        with self._lock:
            self._proc = proc
            self._stopping = False
            self._recent.clear()
        self._thread = threading.Thread(target=self._read, args=(proc,), name="mic", daemon=True)
        self._thread.start()

    def _read(self, proc: subprocess.Popen) -> None:
        fd = proc.stdout.fileno()  # type: ignore[union-attr]
        want = self.rate * 2 * READ_MS // 1000
        total = 0
        odd = b""
        while True:
            try:
                data = os.read(fd, want)
            except OSError:
                data = b""
            now = self._clock()
            if not data:
                break
            data = odd + data
            cut = len(data) // 2 * 2
            data, odd = data[:cut], data[cut:]
            if not data:
                continue
            chunk = np.frombuffer(data, dtype="<i2")
            peak = float(np.abs(chunk.astype(np.int32)).max()) / 32768.0
            with self._lock:
                self._recent.append(peak)
            wav, notes = self._wav, self._notes
            if wav is None:
                continue  # a level check
            try:
                wav.write(data)
            except OSError as exc:
                self._ended = f"cannot write the audio: {exc.strerror or exc}"
                break
            total += len(chunk)
            t_ms = (now - self._origin) * 1000.0
            done = notes.add(total, t_ms) if notes else None
            if done is not None and self._sidecar is not None:
                try:
                    write_note(self._sidecar, *done)
                except OSError:
                    pass
            for listener in self._chunk_listeners:
                try:
                    listener(chunk, t_ms - 1000.0 * len(chunk) / self.rate)
                except Exception:  # a listener's bug never stops the recording
                    log.exception("audio chunk listener failed")
        try:
            proc.wait(timeout=2)  # the pipe closed: the program is ending
        except subprocess.TimeoutExpired:
            return
        with self._lock:
            stopped_by_us = self._stopping
        if not stopped_by_us:
            err = b""
            try:
                err = proc.stderr.read() or b""  # type: ignore[union-attr]
            except (OSError, ValueError):
                pass
            reason = err.decode("utf-8", "replace").strip().splitlines()
            self._ended = self._ended or (
                "the microphone stopped" + (f": {reason[-1]}" if reason else ""))
            log.warning("Microphone: %s", self._ended)

    def _close_proc(self) -> None:
        with self._lock:
            proc, self._proc = self._proc, None
            # a program that already ended on its own (an unplugged microphone) was not
            # stopped by us: its reader thread still says why
            self._stopping = proc is not None and proc.poll() is None
            self._recent.clear()
        if proc is not None:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=3)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if proc is not None:
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()

    def _close_files(self) -> None:
        if self._wav is not None:
            self._wav.close()
            self._wav = None
        if self._sidecar is not None:
            self._sidecar.flush()
            os.fsync(self._sidecar.fileno())
            self._sidecar.close()
            self._sidecar = None
        self._notes = None


# --------------------------------------------------------------------------- finishing


@dataclass(frozen=True)
class FinishedAudio:
    path: Path
    sample_rate: int
    samples: int
    first_sample_ms: float
    measured_rate: float
    drift_ppm: float
    residual_ms: float


def finish_take_audio(folder: Path | str) -> FinishedAudio | None:
    """Put ``folder/audio.wav`` on the take's clock using its ``audio.clock`` notes
    (idempotent: an aligned file is left as it is). ``None`` when the take has no audio."""
    folder = Path(folder)
    path, sidecar = folder / AUDIO_WAV, folder / AUDIO_CLOCK
    if not path.is_file():
        return None
    meta, notes = read_notes(sidecar)
    samples, rate = read_wav(path)
    if meta.get("aligned"):
        fit = meta.get("fit") or {}
        return FinishedAudio(path, rate, len(samples), float(fit.get("offset_ms", 0.0)),
                             float(fit.get("rate", rate)), float(fit.get("drift_ppm", 0.0)),
                             float(fit.get("residual_ms", 0.0)))
    nominal = int(meta.get("sample_rate") or rate)
    fit = fit_clock([(s, t) for s, t in notes if s <= len(samples)], nominal)
    if fit is None:  # no note survived: the first sample is taken as time 0
        fit = ClockFit(0.0, float(nominal), nominal, 0.0, 0)
    aligned = align(samples, fit)
    tmp = folder / f".{AUDIO_WAV}.aligned"
    write_wav(tmp, aligned, nominal)
    record = {**meta, "aligned": True, "fit": {
        "offset_ms": round(fit.offset_ms, 3), "rate": round(fit.rate, 4),
        "drift_ppm": round(fit.drift_ppm, 2), "residual_ms": round(fit.residual_ms, 3),
        "notes": fit.notes, "recorded_samples": int(len(samples))}}
    write_sidecar(sidecar, record, notes)
    os.replace(tmp, path)
    return FinishedAudio(path, nominal, len(aligned), fit.offset_ms, fit.rate, fit.drift_ppm,
                         fit.residual_ms)


def repair_take_audio(folder: Path | str) -> FinishedAudio | None:
    """For ``recover``: a killed recording's ``audio.wav`` gets a header matching its
    data, then is aligned like a clean stop would. ``None``: no audio (or unreadable:
    logged, the rest of the take is still recovered)."""
    folder = Path(folder)
    path = folder / AUDIO_WAV
    if not path.is_file():
        return None
    (folder / f".{AUDIO_WAV}.aligned").unlink(missing_ok=True)
    try:
        meta, _notes = read_notes(folder / AUDIO_CLOCK)
        if not meta.get("aligned"):
            repair_wav(path)
        return finish_take_audio(folder)
    except (OSError, ValueError, EOFError) as exc:
        log.warning("Cannot repair %s: %s", path, exc)
        return None
