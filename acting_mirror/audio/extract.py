"""The sound of a video file kept with its take: ``process`` on a clip with an audio track
extracts it to the take's ``audio.wav`` (mono 16-bit, 16 kHz). FFmpeg does the decoding
as a separate program (see :mod:`acting_mirror.audio.ffmpeg`; nothing of it is linked
into the app). Sample ``k`` is the video's time ``k / rate`` from its first frame, as the
timeline counts it: sound that starts after the first frame gets silence before it, sound
that starts before it is trimmed.

For the composition root (``process``)::

    from acting_mirror.audio.extract import extract_audio
    info = extract_audio(video_path, take_folder)   # None: the file has no sound
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from acting_mirror.audio.ffmpeg import Ffmpeg, media_arg, probe
from acting_mirror.audio.wavfile import StreamingWav
from acting_mirror.core.takefiles import AUDIO_WAV
from acting_mirror.errors import OutputError

log = logging.getLogger(__name__)

RATE = 16000
_CHUNK = 1 << 16  # bytes read from ffmpeg at a time (2 s of 16 kHz mono)


@dataclass(frozen=True)
class Extracted:
    path: Path
    sample_rate: int
    samples: int
    lead_ms: float  # silence put before the sound: it starts after the first frame

    @property
    def duration_s(self) -> float:
        return self.samples / self.sample_rate


def has_audio(video: Path | str) -> bool:
    """Whether ``video`` is a file FFmpeg reads with at least one audio stream."""
    if not Path(video).is_file():
        return False
    found = probe(video)
    return found.readable and found.first("audio") is not None


def extract_audio(video: Path | str, take_folder: Path | str, *, rate: int = RATE) -> Extracted | None:
    """Write ``video``'s first audio track to ``take_folder/audio.wav``; ``None`` when it
    has none (or the file is not one FFmpeg reads: the picture is still processed).
    Never overwrites an existing ``audio.wav`` (OutputError). A track damaged part way
    keeps what was read before the damage."""
    out_path = Path(take_folder) / AUDIO_WAV
    if out_path.exists():
        raise OutputError(f"{out_path} already exists; a take's audio is never overwritten.")
    if not Path(video).is_file():
        log.info("No sound read from %s: not a file", video)
        return None
    facts = probe(video, first_frames=True)
    if not facts.readable:
        log.info("No sound read from %s: %s", video, facts.error)
        return None
    if facts.first("audio") is None:
        return None
    start = facts.first_audio_s or 0.0
    first_video = facts.first_video_s if facts.first("video") is not None else None
    lead_s = max(0.0, start - first_video) if first_video is not None else 0.0
    trim = int(round(max(0.0, (first_video or 0.0) - start) * rate))
    args = ["-copyts", "-i", media_arg(video), "-map", "0:a:0", "-vn", "-sn", "-dn",
            "-ac", "1", "-ar", str(rate), "-c:a", "pcm_s16le", "-f", "s16le", "pipe:1"]
    wav = StreamingWav(out_path, rate)
    try:
        if lead_s:
            wav.write(np.zeros(int(round(lead_s * rate)), np.int16))
        with Ffmpeg(args, stdout=True, purpose="Keeping a video's sound") as run:
            odd = b""
            while chunk := run.stdout.read(_CHUNK):
                run.touch()
                chunk, odd = odd + chunk, b""
                if len(chunk) % 2:
                    chunk, odd = chunk[:-1], chunk[-1:]
                data = np.frombuffer(chunk, "<i2").astype(np.int16)
                if trim:
                    cut = min(trim, len(data))
                    data, trim = data[cut:], trim - cut
                if len(data):
                    wav.write(data)
            code = run.wait()
            if code != 0:  # a damaged track: keep what was read
                log.warning("The sound of %s ends early: %s", video, run.message())
    finally:
        wav.close()
    return Extracted(out_path, rate, wav.samples, lead_s * 1000.0)
