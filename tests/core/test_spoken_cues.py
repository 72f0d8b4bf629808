"""One short word between lines, from how the line went."""

from __future__ import annotations

from acting_mirror.core.follower import CueState
from acting_mirror.core.script import parse_script
from acting_mirror.core.spoken_cues import AGAIN, GOOD, CueWords

SCENE = parse_script("0:00-0:01 happy  One.\n0:01-0:02 @THEO: Two.\n0:02-0:03 sad  Three.\n"
                     "0:03-0:04 -  Four.\n")


def state(cue, meter, faces=10):
    return CueState(True, False, 0, cue, None, 0.0, None, None, False, meter, faces, "")


def test_a_word_when_a_scored_line_ends_good_or_again():
    words = CueWords()
    one, two, three, four = SCENE.cues
    assert [words.update(state(one, m)) for m in (0.2, 0.5, 0.8)] == [None, None, None]
    assert words.update(state(two, 0.0)) == GOOD  # "One." ended 80% on target
    assert words.update(state(two, 0.0)) is None  # one word per line
    words.update(state(three, 0.1))
    assert words.update(state(four, 0.0)) == AGAIN
    assert words.update(state(None, 0.0)) is None  # "Four." has no target: nothing to say


def test_no_word_for_a_line_without_a_face():
    words = CueWords()
    one, two = SCENE.cues[:2]
    words.update(state(one, 0.0, faces=0))
    assert words.update(state(two, 0.0)) is None
