"""Where the actor speaks: voice-activity detection with WebRTC's VAD (``webrtcvad``, from
the BSD-licensed ``webrtcvad-wheels``), on a WAV file or a live stream of chunks.

- :func:`wav_segments` / :class:`VoiceDetector`: speech segments ``(start_ms, end_ms)``;
  30 ms frames, a segment opens after :data:`MIN_SPEECH_MS` of speech frames and closes
  after a pause of ``hangover_ms``.
- :func:`actor_segments`: the partner's voice is never the actor's: segments inside the
  known playback spans of the partner's lines (plus an echo tail) are removed, unless the
  actor wears a headset (then the microphone cannot hear the partner).
- :class:`VoiceAdvance`: teleprompter scripts, ``next_line_due``: the actor has spoken the
  line showing now and then paused ``pause_ms``: the next line comes up. On a partner's
  line the partner's own playback is the voice to wait for (it spoke, then the pause).
- :func:`write_speech` / :func:`read_speech`: ``speech.json`` in the take, which the
  report reads (:mod:`acting_mirror.core.speech_timing`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from acting_mirror.core.files import write_text_atomic
from acting_mirror.core.takefiles import SPEECH_JSON
from acting_mirror.errors import DependencyError

FRAME_MS = 30
RATES = (8000, 16000, 32000, 48000)
MIN_SPEECH_MS = 90
"""Shorter bursts (a click, a breath) are not speech."""
HANGOVER_MS = 300
"""A pause shorter than this stays inside one segment (between words)."""
ECHO_MS = 250
"""How long a partner line's sound lingers in a room after its playback ends."""

Segment = tuple[int, int]


def _vad(aggressiveness: int):
    try:
        import webrtcvad
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise DependencyError(
            "Voice detection needs webrtcvad: pip install webrtcvad-wheels") from exc
    return webrtcvad.Vad(int(aggressiveness))


class VoiceDetector:
    """Feed int16 chunks at ``sample_rate`` (any length) with :meth:`feed`; it returns
    each 30 ms frame's verdict as ``(time_ms, speech)`` and keeps the segments."""

    def __init__(self, sample_rate: int = 16000, *, aggressiveness: int = 2,
                 start_ms: float = 0.0, hangover_ms: int = HANGOVER_MS,
                 min_speech_ms: int = MIN_SPEECH_MS):
        if sample_rate not in RATES:
            raise ValueError(f"voice detection reads {RATES} Hz, not {sample_rate}")
        self.sample_rate = sample_rate
        self._vad = _vad(aggressiveness)
        self._frame = sample_rate * FRAME_MS // 1000
        self._buf = np.zeros(0, dtype=np.int16)
        self._t = float(start_ms)
        self.hangover_ms = hangover_ms
        self.min_speech_ms = min_speech_ms
        self._open: int | None = None  # start of the run of speech frames
        self._last_speech: float | None = None
        self.segments: list[Segment] = []

    def feed(self, samples: np.ndarray, time_ms: float | None = None) -> list[tuple[float, bool]]:
        if time_ms is not None and len(self._buf) == 0:
            self._t = float(time_ms)
        self._buf = np.concatenate([self._buf, np.asarray(samples, dtype=np.int16)])
        out = []
        n = self._frame
        while len(self._buf) >= n:
            frame, self._buf = self._buf[:n], self._buf[n:]
            speech = bool(self._vad.is_speech(frame.astype("<i2").tobytes(), self.sample_rate))
            out.append((self._t, speech))
            self._step(self._t, speech)
            self._t += FRAME_MS
        return out

    def _step(self, t: float, speech: bool) -> None:
        if speech:
            if self._open is None:
                self._open = int(round(t))
            self._last_speech = t + FRAME_MS
        elif self._open is not None and self._last_speech is not None and (
            t + FRAME_MS - self._last_speech >= self.hangover_ms
        ):
            self._close()

    def _close(self) -> None:
        if self._open is not None and self._last_speech is not None:
            end = int(round(self._last_speech))
            if end - self._open >= self.min_speech_ms:
                self.segments.append((self._open, end))
        self._open, self._last_speech = None, None

    @property
    def speaking(self) -> bool:
        """Inside a segment now (speech heard, the pause not yet long enough to end it)."""
        return self._open is not None

    def finish(self) -> list[Segment]:
        self._close()
        return list(self.segments)


def segments_of(samples: np.ndarray, sample_rate: int, **kw) -> list[Segment]:
    """Speech segments of int16 ``samples`` (time 0 = the first sample)."""
    if sample_rate not in RATES:  # resample to 16 kHz for the detector
        n = int(round(len(samples) * 16000 / sample_rate))
        samples = np.interp(np.linspace(0, len(samples) - 1, n), np.arange(len(samples)),
                            samples.astype(np.float64)).astype(np.int16) if len(samples) else samples
        sample_rate = 16000
    det = VoiceDetector(sample_rate, **kw)
    det.feed(samples)
    return det.finish()


def wav_segments(path: Path | str, **kw) -> list[Segment]:
    from acting_mirror.audio.wavfile import read_wav

    samples, rate = read_wav(path)
    return segments_of(samples, rate, **kw)


def actor_segments(segments: list[Segment], partner_spans: list[Segment], *,
                   headset: bool = False, echo_ms: int = ECHO_MS,
                   min_ms: int = MIN_SPEECH_MS) -> list[Segment]:
    """``segments`` without the parts heard while the partner's lines played (each span
    ``(start_ms, end_ms)`` of playback, extended by ``echo_ms``). With a headset the
    microphone cannot hear the partner: nothing is removed."""
    if headset or not partner_spans:
        return list(segments)
    spans = sorted((int(a), int(b) + echo_ms) for a, b in partner_spans)
    out: list[Segment] = []
    for start, end in segments:
        pieces = [(start, end)]
        for a, b in spans:
            cut = []
            for s, e in pieces:
                if e <= a or s >= b:
                    cut.append((s, e))
                    continue
                if s < a:
                    cut.append((s, a))
                if e > b:
                    cut.append((b, e))
            pieces = cut
        out.extend((s, e) for s, e in pieces if e - s >= min_ms)
    return out


class VoiceAdvance:
    """``next_line_due``: call :meth:`update` with each VAD frame (``time_ms``, speech)
    and whether the partner's voice is playing; it answers True once, when the actor has
    spoken at least ``min_speech_ms`` since the line came up and then been silent for
    ``pause_ms``. Call :meth:`line_shown` when a line comes up (by voice or by key).
    With ``headset=False`` frames heard while the partner plays (and ``echo_ms`` after)
    are not the actor's. A partner's line (``line_shown(t, partner_line=True)``) waits
    for the partner's playback instead: it counts as the line's voice, so the next line
    comes up ``pause_ms`` after the partner has finished (or, with no playback, after the
    actor has read it aloud). A line nobody says (a stage direction:
    ``line_shown(t, read_ms=...)``) stays up for ``read_ms``, then the next comes up."""

    def __init__(self, pause_ms: int = 800, *, min_speech_ms: int = 300,
                 headset: bool = False, echo_ms: int = ECHO_MS):
        self.pause_ms = pause_ms
        self.min_speech_ms = min_speech_ms
        self.headset = headset
        self.echo_ms = echo_ms
        self._partner_until = -1e18  # kept across lines: an echo outlasts a key press
        self.line_shown(0.0)

    def line_shown(self, time_ms: float, partner_line: bool = False,
                   read_ms: float | None = None) -> None:
        self._shown = float(time_ms)
        self._partner_line = bool(partner_line)
        self._read_until = None if read_ms is None else float(time_ms) + float(read_ms)
        self._spoken = 0.0
        self._last_voice: float | None = None
        self._due = False

    def update(self, time_ms: float, speech: bool, partner_playing: bool = False) -> bool:
        if partner_playing:
            self._partner_until = time_ms + FRAME_MS + self.echo_ms
        if time_ms < self._shown:
            return False
        if self._read_until is not None:  # a line to read, not to say
            if not self._due and time_ms + FRAME_MS >= self._read_until:
                self._due = True
                return True
            return False
        heard = (partner_playing and self._partner_line) or (
            speech and (self.headset or time_ms >= self._partner_until))
        if heard:
            self._spoken += FRAME_MS
            self._last_voice = time_ms + FRAME_MS
            return False
        if (not self._due and self._spoken >= self.min_speech_ms and self._last_voice is not None
                and time_ms + FRAME_MS - self._last_voice >= self.pause_ms):
            self._due = True
            return True
        return False

    @property
    def spoken_ms(self) -> float:
        return self._spoken


def reading_ms(text: str, pause_ms: int = 800) -> int:
    """How long a line nobody says (a stage direction) stays up when the lines follow the
    voice: time to read it (about 250 words a minute) and the pause, at least 1.5 s."""
    return int(max(1500, 240 * len(text.split()) + pause_ms))


def next_line_due(frames: list[tuple[float, bool]], advance: VoiceAdvance,
                  partner_playing: bool = False) -> float | None:
    """Feed one chunk's VAD frames; the time the next line is due, or None."""
    for t, speech in frames:
        if advance.update(t, speech, partner_playing):
            return t + FRAME_MS
    return None


@dataclass(frozen=True)
class SpeechRecord:
    segments: tuple[Segment, ...]  # the actor's, in timeline ms
    heard: tuple[Segment, ...]  # everything the detector heard
    partner: tuple[Segment, ...]  # the partner's playback spans
    headset: bool = False


def write_speech(folder: Path | str, heard: list[Segment], partner: list[Segment] = (),
                 *, headset: bool = False) -> SpeechRecord:
    """Write ``speech.json`` (the actor's segments = heard minus partner) into the take."""
    mine = actor_segments(list(heard), list(partner), headset=headset)
    record = SpeechRecord(tuple(mine), tuple(map(tuple, heard)), tuple(map(tuple, partner)), headset)
    data = {"segments": [list(s) for s in record.segments],
            "heard": [list(s) for s in record.heard],
            "partner": [list(s) for s in record.partner], "headset": headset,
            "frame_ms": FRAME_MS}
    write_text_atomic(Path(folder) / SPEECH_JSON, json.dumps(data, indent=1) + "\n")
    return record


class ActorVoice:
    """The glue for a live take: hears the microphone's chunks (``mic.on_chunk``), tells
    the partner's playback from the actor's voice, says when the next line is due and
    writes ``speech.json`` at the end. Thread-safe: chunks arrive on the recorder's
    thread; the session calls :meth:`line_shown`, :meth:`due` and :meth:`finish`.

    ``partner_playing()`` says whether the partner's voice is playing now (e.g.
    ``lambda: voice.speaking`` for a PartnerVoice); its spans are noted in timeline time.
    ``pause_ms=None`` only records (no voice-driven advance)."""

    def __init__(self, sample_rate: int = 16000, *, pause_ms: int | None = 800,
                 headset: bool = False, partner_playing=lambda: False, aggressiveness: int = 2,
                 min_speech_ms: int = 300):
        import threading

        self._lock = threading.Lock()
        self._det = VoiceDetector(sample_rate, aggressiveness=aggressiveness)
        self._min_speech_ms = min_speech_ms
        self._advance = None if pause_ms is None else VoiceAdvance(
            pause_ms, headset=headset, min_speech_ms=min_speech_ms)
        self.headset = headset
        self._partner_playing = partner_playing
        self._partner: list[list[float]] = []
        self._due: float | None = None

    @property
    def advancing(self) -> bool:
        """Whether the lines follow the voice (``pause_ms`` was not ``None``)."""
        with self._lock:
            return self._advance is not None

    def set_advance(self, pause_ms: int | None, headset: bool) -> None:
        """Change the settings mid-take (``None``: stop following the voice); the line
        showing now starts its wait again."""
        with self._lock:
            self.headset = bool(headset)
            self._due = None
            if pause_ms is None:
                self._advance = None
            elif self._advance is None:
                self._advance = VoiceAdvance(pause_ms, headset=headset,
                                             min_speech_ms=self._min_speech_ms)
                self._advance.line_shown(self._det._t)
            else:
                self._advance.pause_ms, self._advance.headset = int(pause_ms), bool(headset)

    def attach(self, mic) -> "ActorVoice":
        mic.on_chunk(self.hear)
        return self

    def hear(self, chunk: np.ndarray, time_ms: float) -> None:
        """One chunk of the microphone, its first sample at timeline ``time_ms``."""
        playing = bool(self._partner_playing())
        with self._lock:
            frames = self._det.feed(chunk, time_ms)
            for t, _speech in frames:
                if playing and (not self._partner or self._partner[-1][1] is not None):
                    self._partner.append([t, None])
                elif not playing and self._partner and self._partner[-1][1] is None:
                    self._partner[-1][1] = t
            if self._advance is not None and self._due is None:
                self._due = next_line_due(frames, self._advance, playing)

    def line_shown(self, time_ms: float, partner_line: bool = False,
                   read_ms: float | None = None) -> None:
        """A new line came up (by voice or by key) at timeline ``time_ms``;
        ``partner_line``: the partner's, whose playback is the voice to wait for;
        ``read_ms``: a line nobody says (a stage direction), up for that long."""
        with self._lock:
            self._due = None
            if self._advance is not None:
                self._advance.line_shown(time_ms, partner_line, read_ms)

    def due(self) -> float | None:
        """The timeline time the actor finished the line showing now (once), or None."""
        with self._lock:
            due, self._due = self._due, None
            return due

    @property
    def speaking(self) -> bool:
        with self._lock:
            return self._det.speaking

    def partner_spans(self) -> list[Segment]:
        with self._lock:
            end = self._det._t
            return [(int(a), int(b if b is not None else end)) for a, b in self._partner]

    def finish(self, folder: Path | str) -> SpeechRecord:
        """Close the last segment and write ``speech.json`` into the take ``folder``."""
        spans = self.partner_spans()
        with self._lock:
            heard = self._det.finish()
        return write_speech(folder, heard, spans, headset=self.headset)


@dataclass(frozen=True)
class VoiceTimes:
    """An untimed script's lines timed by a recorded voice (:func:`lines_by_voice`)."""

    spans: tuple[Segment, ...]  # (start_ms, end_ms) of each line reached, in order
    heard: tuple[Segment, ...]  # the voice's segments
    duration_ms: int

    @property
    def reached(self) -> int:
        return len(self.spans)


def lines_by_voice(cues, samples: np.ndarray, sample_rate: int, *, pause_ms: int = 800,
                   min_speech_ms: int = 300) -> VoiceTimes:
    """When each of ``cues`` (an untimed script's lines) would have come up had the take
    followed the voice in ``samples`` (int16, time 0 = the first sample), by the live
    take's rule: a line moves on once it has been spoken and a pause of ``pause_ms``
    followed; a stage direction after its reading time. A recording holds no known
    playback, so a partner's line moves on after whatever voice says it (the partner's,
    played aloud while recording, or the actor reading it) and the pause. A line the sound
    ends in (never finished) runs to its end; the lines after it are not reached."""
    if sample_rate not in RATES:
        n = int(round(len(samples) * 16000 / sample_rate))
        samples = np.interp(np.linspace(0, len(samples) - 1, n), np.arange(len(samples)),
                            samples.astype(np.float64)).astype(np.int16) if len(samples) else samples
        sample_rate = 16000
    detector = VoiceDetector(sample_rate)
    frames = detector.feed(np.asarray(samples, dtype=np.int16))
    duration = int(round(1000 * len(samples) / sample_rate))
    advance = VoiceAdvance(pause_ms, min_speech_ms=min_speech_ms, headset=True)
    cues = list(cues)
    spans: list[Segment] = []
    start = 0

    def show(k: int, at: int) -> None:
        cue = cues[k]
        advance.line_shown(at, read_ms=reading_ms(cue.text, pause_ms) if cue.direction else None)

    if cues:
        show(0, 0)
        for t, speech in frames:
            if advance.update(t, speech):
                at = int(round(t + FRAME_MS))
                spans.append((start, at))
                start = at
                if len(spans) == len(cues):
                    break
                show(len(spans), at)
        if len(spans) < len(cues) and duration > start:
            spans.append((start, max(duration, start + 1)))
    return VoiceTimes(tuple(spans), tuple(detector.finish()), duration)
