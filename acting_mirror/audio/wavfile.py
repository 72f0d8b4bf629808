"""Mono 16-bit PCM WAV files written as the samples arrive, and repaired after a kill.

:class:`StreamingWav` appends samples and rewrites the 44-byte header (RIFF and data
sizes) at most every :data:`HEADER_EVERY_S` seconds of audio and at :meth:`close`, so a
process killed mid-recording leaves a file every player opens, holding all but the last
second or so. :func:`repair_wav` makes such a file's header match its data again (and cuts
a half-written last sample): the ``recover`` command calls it.
"""

from __future__ import annotations

import os
import struct
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HEADER_BYTES = 44
HEADER_EVERY_S = 1.0


def _header(data_bytes: int, sample_rate: int, channels: int = 1) -> bytes:
    block = 2 * channels
    return struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF", 36 + data_bytes, b"WAVE", b"fmt ", 16, 1, channels, sample_rate,
        sample_rate * block, block, 16, b"data", data_bytes,
    )


class StreamingWav:
    """A WAV file being written; ``write(int16 samples)`` appends them."""

    def __init__(self, path: Path | str, sample_rate: int):
        self.path = Path(path)
        self.sample_rate = int(sample_rate)
        self._fh = open(self.path, "wb")
        self._fh.write(_header(0, self.sample_rate))
        self._fh.flush()
        self.samples = 0
        self._at_header = 0

    def write(self, samples: np.ndarray | bytes) -> None:
        data = samples if isinstance(samples, (bytes, bytearray, memoryview)) else (
            np.asarray(samples, dtype="<i2").tobytes())
        self._fh.write(data)
        self.samples += len(data) // 2
        if self.samples - self._at_header >= HEADER_EVERY_S * self.sample_rate:
            self.sync_header()

    def sync_header(self) -> None:
        """Flush the samples and make the header count them."""
        self._fh.flush()
        self._fh.seek(0)
        self._fh.write(_header(self.samples * 2, self.sample_rate))
        self._fh.seek(0, os.SEEK_END)
        self._fh.flush()
        self._at_header = self.samples

    def close(self) -> None:
        if self._fh.closed:
            return
        self.sync_header()
        os.fsync(self._fh.fileno())
        self._fh.close()


@dataclass(frozen=True)
class WavRepair:
    path: Path
    samples: int  # the samples the file holds now
    sample_rate: int
    repaired: bool  # False: the header already matched


def _find_data(head: bytes) -> tuple[int, int, int] | None:
    """``(sample rate, channels, offset of the data)`` of a PCM16 WAV header, or None."""
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    pos, rate, channels = 12, 0, 0
    while pos + 8 <= len(head):
        tag, size = head[pos:pos + 4], struct.unpack("<I", head[pos + 4:pos + 8])[0]
        if tag == b"fmt " and pos + 24 <= len(head):
            fmt, channels, rate = struct.unpack("<HHI", head[pos + 8:pos + 16])
            bits = struct.unpack("<H", head[pos + 22:pos + 24])[0]
            if fmt != 1 or bits != 16 or not channels or not rate:
                return None
        elif tag == b"data":
            return (rate, channels, pos + 8) if rate else None
        pos += 8 + size + (size & 1)
    return None


def repair_wav(path: Path | str) -> WavRepair:
    """Make the sizes in ``path``'s header match the samples it holds (in place).

    Raises ValueError for a file that is not a 16-bit PCM WAV file at all."""
    path = Path(path)
    size = path.stat().st_size
    with path.open("r+b") as fh:
        head = fh.read(4096)
        found = _find_data(head)
        if found is None:
            raise ValueError(f"{path} is not a 16-bit PCM WAV file")
        rate, channels, offset = found
        block = 2 * channels
        data = max(0, size - offset) // block * block
        riff, declared = struct.unpack("<I", head[4:8])[0], struct.unpack("<I", head[offset - 4:offset])[0]
        if declared == data and riff == offset - 8 + data and size == offset + data:
            return WavRepair(path, data // block, rate, repaired=False)
        if size > offset + data:
            fh.truncate(offset + data)
        fh.seek(4)
        fh.write(struct.pack("<I", offset - 8 + data))
        fh.seek(offset - 4)
        fh.write(struct.pack("<I", data))
        fh.flush()
        os.fsync(fh.fileno())
    return WavRepair(path, data // block, rate, repaired=True)


def read_wav(path: Path | str) -> tuple[np.ndarray, int]:
    """Mono int16 samples (channels averaged) and the sample rate of a 16-bit WAV file."""
    with wave.open(str(path), "rb") as w:
        if w.getsampwidth() != 2:
            raise ValueError(f"{path} is not a 16-bit WAV file")
        rate, channels = w.getframerate(), w.getnchannels()
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    if channels > 1:
        data = data[: len(data) // channels * channels].reshape(-1, channels).mean(axis=1)
    return data.astype(np.int16), rate


def write_wav(path: Path | str, samples: np.ndarray, sample_rate: int) -> None:
    """Write mono int16 ``samples`` (through a temporary file renamed into place)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, "wb") as fh:
            data = np.asarray(samples, dtype="<i2").tobytes()
            fh.write(_header(len(data), int(sample_rate)))
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
