"""Line-learning modes: passages, pace, and the actor's line shown in part."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from acting_mirror.core.line_learning import LineDisplay, paced, passage, shown_line
from acting_mirror.core.script import parse_script
from acting_mirror.errors import ScriptError

TIMED = parse_script("0:02-0:04 happy  One.\n0:04-0:07 sad  Two.\n0:07-0:09 fear  Three.\n")
UNTIMED = parse_script("happy  One.\nsad  Two.\n")


def test_a_passage_starts_at_zero_and_is_numbered_afresh():
    p = passage(TIMED, 1, 2)
    assert [(c.index, c.start_ms, c.end_ms, c.text) for c in p.cues] == [
        (0, 0, 3000, "Two."), (1, 3000, 5000, "Three.")]
    assert "lines 2-3" in p.source


@pytest.mark.parametrize("first,last", [(-1, 0), (2, 1), (0, 3)])
def test_a_passage_outside_the_script_is_refused(first, last):
    with pytest.raises(ScriptError):
        passage(TIMED, first, last)


def test_pace_scales_a_timed_script_and_leaves_an_untimed_one():
    fast = paced(TIMED, 1.5)
    assert [(c.start_ms, c.end_ms) for c in fast.cues] == [(1333, 2667), (2667, 4667), (4667, 6000)]
    slow = paced(TIMED, 0.75)
    assert slow.cues[-1].end_ms == 12000
    assert paced(UNTIMED, 1.5) is UNTIMED
    with pytest.raises(ScriptError):
        paced(TIMED, 2.0)


def test_the_line_in_full_as_initials_or_hidden():
    text = "Don't you dare, Theo—not now."
    assert shown_line(text, LineDisplay.FULL) == text
    assert shown_line(text, LineDisplay.INITIALS) == "D y d, T—n n."
    assert shown_line(text, LineDisplay.HIDDEN) == ""


@given(st.text())
def test_initials_never_grow_the_line(text):
    assert len(shown_line(text, LineDisplay.INITIALS)) <= len(text)
