"""The voice-advance rule under any input (hypothesis): whatever the detector hears, a
line moves on at most once, never before it was spoken for min_speech_ms (or, for a
direction, read), never while the app's own voice plays on an actor's line unless a
headset is worn; and an untimed script timed by any sound gets contiguous, ordered spans
inside the sound."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings, strategies as st

from acting_mirror.audio.vad import ECHO_MS, FRAME_MS, VoiceAdvance, lines_by_voice
from acting_mirror.core.script import parse_script

frames = st.lists(st.tuples(st.booleans(), st.booleans()), max_size=300)  # (speech, app plays)


@settings(max_examples=200, deadline=None)
@given(frames, st.integers(300, 2000), st.booleans(), st.booleans())
def test_a_line_moves_on_once_and_only_after_the_actors_voice(heard, pause, headset, partner_line):
    advance = VoiceAdvance(pause, min_speech_ms=300, headset=headset)
    advance.line_shown(0, partner_line)
    fired, counted, last, echo_until = [], 0, None, -1
    for k, (speech, playing) in enumerate(heard):
        t = k * FRAME_MS
        if playing:
            echo_until = t + FRAME_MS + ECHO_MS
        if advance.update(t, speech, playing):
            fired.append(t)
            assert counted >= 300 and last is not None and t + FRAME_MS - last >= pause
        # what may count as the line's voice: never the app's playback, nor its echo
        gated = t < echo_until
        if (partner_line and playing) or (speech and (headset or not gated)):
            counted += FRAME_MS
            last = t + FRAME_MS
    assert len(fired) <= 1
    if not headset and not partner_line:  # the app's voice alone never moves an actor's line
        app_only = VoiceAdvance(pause, min_speech_ms=300)
        assert not any(app_only.update(k * FRAME_MS, playing, playing)
                       for k, (_s, playing) in enumerate(heard))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.booleans(), max_size=200), st.integers(0, 4000))
def test_a_direction_stays_up_exactly_its_reading_time(heard, read):
    advance = VoiceAdvance(800)
    advance.line_shown(0, read_ms=read)
    fired = [k * FRAME_MS for k, s in enumerate(heard) if advance.update(k * FRAME_MS, s, s)]
    if fired:
        assert fired == [fired[0]] and read - FRAME_MS <= fired[0] <= read
    else:
        assert len(heard) * FRAME_MS < read + FRAME_MS


SCRIPT = parse_script("happy One.\n[A beat]\n@MAYA: Two.\nsad Three.\n")


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 8000)), max_size=12),
       st.integers(300, 2000), st.integers(0, 2**31 - 1))
def test_any_sound_times_the_lines_in_order_inside_it(bursts, pause, seed):
    """Noise bursts (in 50 ms blocks) at random places in up to 4 s of sound."""
    rng = np.random.default_rng(seed)
    sound = np.zeros(16000 * 4, np.int16)
    for length, at in bursts:
        i = at * 8
        sound[i: i + length * 800] = rng.integers(-12000, 12000, len(sound[i: i + length * 800]))
    times = lines_by_voice(SCRIPT.cues, sound, 16000, pause_ms=pause)
    assert times.reached <= len(SCRIPT.cues)
    if times.spans:
        assert times.spans[0][0] == 0
        assert all(a[1] == b[0] for a, b in zip(times.spans, times.spans[1:]))
        assert all(s < e <= times.duration_ms for s, e in times.spans)
