"""The sound of a video file kept with its take: ``process`` on a clip with an audio track
extracts it to the take's ``audio.wav`` (mono 16-bit, 16 kHz) with PyAV (``av``: BSD; its
wheels bundle an LGPL FFmpeg build, see README). Sample ``k`` is the video's time
``k / rate`` from its first frame, as the timeline counts it.

For the composition root (``process``)::

    from acting_mirror.audio.extract import extract_audio
    info = extract_audio(video_path, take_folder)   # None: the file has no sound
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from acting_mirror.audio.wavfile import StreamingWav
from acting_mirror.core.takefiles import AUDIO_WAV
from acting_mirror.errors import DependencyError, OutputError

log = logging.getLogger(__name__)

RATE = 16000


@dataclass(frozen=True)
class Extracted:
    path: Path
    sample_rate: int
    samples: int
    lead_ms: float  # silence put before the sound: it starts after the first frame

    @property
    def duration_s(self) -> float:
        return self.samples / self.sample_rate


def _av():
    try:
        import av
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise DependencyError("Keeping a video's sound needs PyAV: pip install av") from exc
    return av


def has_audio(video: Path | str) -> bool:
    av = _av()
    try:
        with av.open(str(video)) as box:
            return bool(box.streams.audio)
    except (av.FFmpegError, OSError):
        return False


def extract_audio(video: Path | str, take_folder: Path | str, *, rate: int = RATE) -> Extracted | None:
    """Write ``video``'s first audio track to ``take_folder/audio.wav``; ``None`` when it
    has none (or the file is not one FFmpeg reads: the picture is still processed).
    Never overwrites an existing ``audio.wav`` (OutputError)."""
    av = _av()
    out_path = Path(take_folder) / AUDIO_WAV
    if out_path.exists():
        raise OutputError(f"{out_path} already exists; a take's audio is never overwritten.")
    try:
        box = av.open(str(video))
    except (av.FFmpegError, OSError) as exc:
        log.info("No sound read from %s: %s", video, exc)
        return None
    with box:
        if not box.streams.audio:
            return None
        stream = box.streams.audio[0]
        first_video = None
        if box.streams.video:
            v = box.streams.video[0]
            if v.start_time is not None and v.time_base is not None:
                first_video = float(v.start_time * v.time_base)
        start = (float(stream.start_time * stream.time_base)
                 if stream.start_time is not None and stream.time_base is not None else 0.0)
        lead_s = max(0.0, start - first_video) if first_video is not None else 0.0
        trim = int(round(max(0.0, (first_video or 0.0) - start) * rate))
        resampler = av.AudioResampler(format="s16", layout="mono", rate=rate)
        wav = StreamingWav(out_path, rate)
        try:
            if lead_s:
                wav.write(np.zeros(int(round(lead_s * rate)), np.int16))
            for frame in box.decode(stream):
                for piece in resampler.resample(frame):
                    data = piece.to_ndarray().reshape(-1).astype(np.int16)
                    if trim:
                        cut = min(trim, len(data))
                        data, trim = data[cut:], trim - cut
                    wav.write(data)
            for piece in resampler.resample(None):
                wav.write(piece.to_ndarray().reshape(-1).astype(np.int16))
        except av.FFmpegError as exc:  # a damaged track: keep what was read
            log.warning("The sound of %s ends early: %s", video, exc)
        finally:
            wav.close()
    return Extracted(out_path, rate, wav.samples, lead_s * 1000.0)
