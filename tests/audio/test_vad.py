"""Voice-activity detection on a spoken script rendered with the scene partner's voice
(espeak-ng, a real program): the segments are where the lines were said, the partner's
lines are not the actor's, and the teleprompter advances when the actor has finished a
line. One run goes through the real audio path: the scene is played into a null sink and
detected live from MicRecorder's chunks."""

from __future__ import annotations

import shutil
import time

import numpy as np
import pytest

from acting_mirror.audio import speech
from acting_mirror.audio.recorder import MicRecorder
from acting_mirror.audio.vad import (
    FRAME_MS, VoiceAdvance, VoiceDetector, actor_segments, next_line_due, segments_of,
    wav_segments, write_speech,
)
from acting_mirror.audio.wavfile import write_wav

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                reason="espeak-ng is not installed (CI installs it)")

SR = 16000
LINES = [  # (who, text): the actor's lines in one voice, the partner's in another
    ("actor", "So. You finally came back."),
    ("partner", "I saw the light on. I did not know if you would still be here."),
    ("actor", "Where else would I be?"),
    ("actor", "I kept the letter all this time."),
]
GAP_S = 1.5


def to_16k(samples: np.ndarray, rate: int) -> np.ndarray:
    n = int(round(len(samples) * SR / rate))
    return np.interp(np.linspace(0, len(samples) - 1, n), np.arange(len(samples)),
                     samples.astype(np.float64)).astype(np.int16)


@pytest.fixture(scope="module")
def scene():
    """The scene as one signal at 16 kHz and the spans (ms) where each line is said."""
    pieces, spans, t = [np.zeros(int(0.8 * SR), np.int16)], [], 0.8
    for who, text in LINES:
        samples, rate = speech.synthesize(text, 170, "en+f3" if who == "partner" else "en")
        s = to_16k(samples, rate)
        loud = np.flatnonzero(np.abs(s.astype(np.int32)) > 300)
        s = s[loud[0]: loud[-1] + 1]  # the speech itself, without espeak's own silence
        spans.append((who, int(t * 1000), int((t + len(s) / SR) * 1000)))
        pieces += [s, np.zeros(int(GAP_S * SR), np.int16)]
        t += len(s) / SR + GAP_S
    return np.concatenate(pieces), spans


def overlap(a, b):
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def test_segments_are_where_the_lines_were_said(scene, tmp_path):
    signal_, spans = scene
    write_wav(tmp_path / "scene.wav", signal_, SR)
    segs = wav_segments(tmp_path / "scene.wav")
    assert segs == segments_of(signal_, SR)
    assert len(segs) == len(spans)  # one segment per line: pauses between words stay inside
    for (who, a, b), (s, e) in zip(spans, segs):
        assert abs(s - a) <= 3 * FRAME_MS and abs(e - b) <= HANG, (who, (a, b), (s, e))
        assert overlap((a, b), (s, e)) >= 0.9 * (b - a)
    assert segments_of(np.zeros(3 * SR, np.int16), SR) == []  # silence is no one speaking


HANG = 300 + 2 * FRAME_MS  # the hangover closes a segment a pause after the voice


def test_the_partners_voice_is_never_the_actors(scene):
    signal_, spans = scene
    heard = segments_of(signal_, SR)
    partner = [(a, b) for who, a, b in spans if who == "partner"]
    mine = actor_segments(heard, partner)
    assert len(mine) == 3
    for s, e in mine:
        assert all(overlap((s, e), p) == 0 for p in partner)
    assert actor_segments(heard, partner, headset=True) == heard


def test_the_next_line_comes_up_when_the_actor_has_finished_speaking(scene):
    signal_, spans = scene
    advance = VoiceAdvance(pause_ms=700)
    det = VoiceDetector(SR)
    partner = [(a, b) for who, a, b in spans if who == "partner"]
    due: list[float] = []
    chunk = SR * 20 // 1000  # 20 ms chunks, as the recorder delivers them
    for i in range(0, len(signal_), chunk):
        frames = det.feed(signal_[i:i + chunk])
        for t, speaking in frames:
            playing = any(a <= t < b for a, b in partner)
            at = next_line_due([(t, speaking)], advance, partner_playing=playing)
            if at is not None:
                due.append(at)
                advance.line_shown(at)
    ends = [b for who, _a, b in spans if who == "actor"]
    assert len(due) == len(ends)  # once per actor line, never for the partner's
    for t, end in zip(due, ends):
        assert end + 700 - FRAME_MS <= t <= end + 700 + 6 * FRAME_MS  # VAD hears the tail


def test_a_short_pause_between_words_does_not_advance():
    advance = VoiceAdvance(pause_ms=800, min_speech_ms=300)
    frames = [(t, True) for t in range(0, 600, FRAME_MS)]
    frames += [(t, False) for t in range(600, 1200, FRAME_MS)]  # 600 ms: a breath
    frames += [(t, True) for t in range(1200, 1800, FRAME_MS)]
    assert next_line_due(frames, advance) is None
    quiet = [(t, False) for t in range(1800, 2700, FRAME_MS)]
    assert next_line_due(quiet, advance) == pytest.approx(1800 + 800, abs=FRAME_MS)
    assert next_line_due([(2700, False)], advance) is None  # said once


def test_without_speaking_the_line_never_advances():
    advance = VoiceAdvance(pause_ms=500)
    assert next_line_due([(t, False) for t in range(0, 5000, FRAME_MS)], advance) is None


def test_speech_json_keeps_the_actors_segments(tmp_path):
    import json

    record = write_speech(tmp_path, [(0, 900), (1000, 2000)], [(950, 1900)])
    data = json.loads((tmp_path / "speech.json").read_text())
    assert data["segments"] == [[0, 900]] == [list(s) for s in record.segments]
    assert data["heard"] == [[0, 900], [1000, 2000]]


def test_live_detection_through_the_null_sink(scene, pulse, tmp_path):
    """The scene played into the null sink, recorded by MicRecorder, detected from its
    chunks as they arrive: the live segments match the offline ones of the played file."""
    signal_, spans = scene
    mic = MicRecorder(device=pulse.monitor)
    det = VoiceDetector(SR)
    mic.on_chunk(lambda chunk, t_ms: det.feed(chunk, t_ms))
    take = tmp_path / "take"
    take.mkdir()
    origin = time.perf_counter()
    mic.start(take, origin)
    end = time.monotonic() + 20
    while mic.level() == 0.0 and time.monotonic() < end and not (take / "audio.wav").stat().st_size > 44:
        time.sleep(0.05)
    player = pulse.play(signal_, SR, "scene")
    player.wait(timeout=60)
    time.sleep(0.6)
    mic.stop()
    live = det.finish()
    offline = wav_segments(take / "audio.wav")
    assert len(live) == len(offline) == len(spans)
    for (s, e), (s2, e2) in zip(live, offline):
        # the live times are the chunks' clock times, the file's are aligned samples
        assert abs(s - s2) <= 2 * FRAME_MS and abs(e - e2) <= 2 * FRAME_MS
    durations = [e - s for s, e in live]
    said = [b - a for _w, a, b in spans]
    assert np.allclose(durations, said, atol=HANG)


def test_actor_voice_glue_advances_and_writes_speech_json(scene, tmp_path):
    """ActorVoice as the session uses it: chunks with their timeline times from the
    recorder's thread, partner playback from a callable, the line advance polled."""
    import json

    from acting_mirror.audio.vad import ActorVoice

    signal_, spans = scene
    partner = [(a, b) for who, a, b in spans if who == "partner"]
    now = {"t": 0.0}
    voice = ActorVoice(SR, pause_ms=700,
                       partner_playing=lambda: any(a <= now["t"] < b for a, b in partner))
    chunk = SR * 20 // 1000
    due = []
    for i in range(0, len(signal_), chunk):
        now["t"] = i * 1000 / SR
        voice.hear(signal_[i:i + chunk], now["t"])
        at = voice.due()
        if at is not None:
            due.append(at)
            voice.line_shown(now["t"])
    assert len(due) == 3
    record = voice.finish(tmp_path)
    assert len(record.heard) == 4 and len(record.segments) == 3
    (span,) = record.partner
    assert abs(span[0] - partner[0][0]) <= 2 * FRAME_MS and abs(span[1] - partner[0][1]) <= 2 * FRAME_MS
    assert json.loads((tmp_path / "speech.json").read_text())["segments"] == [list(s) for s in record.segments]
