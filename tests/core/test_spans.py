"""Where a script's lines lie in take time (core.spans), from a real ScriptFollower's
states."""

from __future__ import annotations

import numpy as np

from acting_mirror.core.follower import ScriptFollower
from acting_mirror.core.script import parse_script
from acting_mirror.core.spans import LiveSpans, spans_of
from acting_mirror.core.types import EMOTIONS, Box, Face

TIMED = """\
0:00-0:02 happy    We made it!
0:02-0:04 surprise Wait, what is that?
0:05-0:07 sad      It's gone.
"""

TELEPROMPTER = """\
neutral  So. You came back.
happy    I can't believe it!
"""


def face(**probs: float) -> Face:
    p = np.zeros(len(EMOTIONS), dtype=np.float32)
    for name, value in probs.items():
        p[EMOTIONS.index(name)] = value
    rest = [i for i, e in enumerate(EMOTIONS) if e not in probs]
    p[rest] = (1.0 - p.sum()) / len(rest)
    return Face(Box(10, 10, 50, 50), probs=p, face_id=1, primary=True)


def test_spans_of_a_timed_script_are_its_lines_and_a_teleprompter_has_none():
    timed = parse_script(TIMED, name="scene.txt")
    assert [(s.start_ms, s.end_ms, s.targets, s.index) for s in spans_of(timed)] == [
        (0, 2000, ("happy",), 0), (2000, 4000, ("surprise",), 1), (5000, 7000, ("sad",), 2)]
    assert spans_of(parse_script(TELEPROMPTER, name="tele.txt")) == []
    live = LiveSpans(timed)
    assert live.spans == spans_of(timed)  # known up front


def test_live_spans_of_a_teleprompter_take_grow_as_the_actor_moves_on():
    script = parse_script(TELEPROMPTER, name="tele.txt")
    follower = ScriptFollower(script)
    spans = LiveSpans(script)
    follower.start(10_000)
    for t in (10_000, 10_500, 11_000):
        spans.update(follower.update(t, face(neutral=0.9)))
    assert [(s.start_ms, s.end_ms, s.targets) for s in spans.spans] == [(0, 1000, ("neutral",))]
    follower.advance(11_200)
    spans.update(follower.update(11_233, face(happy=0.9)))
    spans.update(follower.update(12_000, face(happy=0.9)))
    assert [(s.start_ms, s.end_ms) for s in spans.spans] == [(0, 1233), (1233, 2000)]
    follower.advance(12_500)
    spans.update(follower.update(12_533, face(happy=0.9)))
    assert spans.spans[-1].end_ms == 2533  # the scene is complete: the last line ends
