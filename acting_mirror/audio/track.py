"""The scene partner's track: every partner line of a script spoken, in one signal.

Timed scripts put each partner line at its start time, with silence elsewhere (the track
lasts until the script ends, or until the last partner line has been said). Untimed ones
chain the partner lines; each of the actor's own lines in between leaves a pause sized by
its length at a speaking pace (:func:`pause_for`), so the actor can say it over the track.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from acting_mirror.audio.speech import (
    DEFAULT_RATE, engine, partner_voices, synthesize, write_wav,
)
from acting_mirror.core.script import Script
from acting_mirror.errors import ScriptError

GAP_S = 0.4
"""Silence after each partner line in an untimed track."""
MIN_PAUSE_S = 1.0
"""The shortest pause left for one of the actor's lines."""
LEAD_S = 0.5
"""Silence before the first line of an untimed track."""

__all__ = ["Span", "Track", "pause_for", "render_partner_track", "write_wav"]


@dataclass(frozen=True)
class Span:
    """Where one partner line sits in the track."""

    index: int  # the cue's position in the script
    speaker: str
    text: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class Track:
    samples: np.ndarray  # mono int16
    sample_rate: int
    spans: tuple[Span, ...]
    voice_note: str = ""

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate if self.sample_rate else 0.0

    overruns: tuple[str, ...] = ()
    """Timed scripts: partner lines whose speech lasts longer than the line (the voice
    then runs into what follows), one sentence each."""


def pause_for(text: str, rate: int = DEFAULT_RATE) -> float:
    """Seconds to leave for the actor to say ``text`` at ``rate`` words per minute."""
    words = len(text.split())
    return max(MIN_PAUSE_S, words * 60.0 / rate + 0.5)


def render_partner_track(script: Script, *, rate: int | None = None, voice: str | None = None,
                         speak=synthesize) -> Track:
    """Speak ``script``'s partner lines into one track (see the module docstring).
    ``speak(text, rate, voice) -> (samples, sample_rate)`` is the voice."""
    partner = [c for c in script.cues if c.partner]
    if not partner:
        raise ScriptError(
            f"{script.source or 'The script'} has no partner lines to speak "
            "(write them as @NAME: text)."
        )
    rate = DEFAULT_RATE if rate is None else rate
    rendered: dict[int, np.ndarray] = {}
    sr = 0
    who = partner_voices([c.speaker for c in partner], voice)
    for c in partner:
        samples, r = speak(c.text, rate, who[c.speaker])
        if sr and r != sr:  # one program, one rate; resample if it ever changes
            n = int(round(len(samples) * sr / r))
            samples = np.interp(np.linspace(0, len(samples) - 1, n), np.arange(len(samples)),
                                samples).astype(np.int16) if len(samples) else samples
        sr = sr or r
        rendered[c.index] = samples

    pieces: list[tuple[int, np.ndarray]] = []  # (start sample, samples)
    spans: list[Span] = []
    if script.timed:
        end = int(round((script.duration_ms or 0) / 1000 * sr))
        for c in partner:
            at = int(round(c.start_ms / 1000 * sr))  # type: ignore[operator]
            pieces.append((at, rendered[c.index]))
    else:
        cursor = LEAD_S
        for c in script.cues:
            if c.partner:
                n = len(rendered[c.index])
                pieces.append((int(round(cursor * sr)), rendered[c.index]))
                cursor += n / sr + GAP_S
            elif c.kind == "actor":
                cursor += pause_for(c.text, rate)
        end = int(round(cursor * sr))
    total = max([end] + [at + len(s) for at, s in pieces])
    out = np.zeros(total, dtype=np.int32)
    for (at, s), c in zip(pieces, partner):
        out[at : at + len(s)] += s
        spans.append(Span(c.index, c.speaker or "", c.text, at / sr, (at + len(s)) / sr))
    out = np.clip(out, -32768, 32767).astype(np.int16)
    note = f"{engine() or 'speech'}, {rate} words/min"
    if len(who) > 1:
        note += ", " + ", ".join(f"{n}: {v or 'default voice'}" for n, v in who.items())
    elif voice:
        note += f", voice {voice}"
    overruns = []
    if script.timed:
        for c, span in zip(partner, spans):
            said, slot = span.end_s - span.start_s, (c.end_ms - c.start_ms) / 1000  # type: ignore[operator]
            if said > slot + 0.05:
                overruns.append(
                    f"line {c.line}: {c.speaker}'s line takes {said:.1f} s to say but lasts "
                    f"{slot:.1f} s; give it more time or a faster --rate"
                )
    return Track(out, sr, tuple(spans), note, tuple(overruns))
