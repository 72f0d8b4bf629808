"""Reading acting scripts: both forms, every kind of mistake reported by line number."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acting_mirror.config import assets_dir
from acting_mirror.core.emotions import parse_emotion
from acting_mirror.core.script import (
    Cue, Script, format_script, format_time, load_script, parse_script, parse_time,
)
from acting_mirror.core.types import EMOTIONS
from acting_mirror.errors import ScriptError


def problems_of(text: str) -> list[str]:
    with pytest.raises(ScriptError) as info:
        parse_script(text)
    assert info.value.problems, "a ScriptError must list its problems"
    return info.value.problems


# --- emotion names ---------------------------------------------------------------------

@pytest.mark.parametrize("name", EMOTIONS)
def test_the_seven_labels_read_as_themselves_in_any_case(name):
    assert parse_emotion(name) == name
    assert parse_emotion(name.upper()) == name
    assert parse_emotion(f"  {name.title()} ") == name


@pytest.mark.parametrize(
    "word, label",
    [
        ("joy", "happy"), ("joyful", "happy"), ("happiness", "happy"), ("glad", "happy"),
        ("smile", "happy"), ("anger", "angry"), ("mad", "angry"), ("furious", "angry"),
        ("scared", "fear"), ("afraid", "fear"), ("fearful", "fear"), ("fright", "fear"),
        ("surprised", "surprise"), ("shock", "surprise"), ("shocked", "surprise"),
        ("astonished", "surprise"), ("sadness", "sad"), ("unhappy", "sad"), ("sorrow", "sad"),
        ("disgusted", "disgust"), ("calm", "neutral"), ("relaxed", "neutral"),
        ("none", "neutral"), ("JOY", "happy"),
    ],
)
def test_common_synonyms_map_to_the_labels(word, label):
    assert parse_emotion(word) == label


def test_an_unknown_emotion_names_the_valid_ones_and_a_likely_fix():
    with pytest.raises(ValueError) as info:
        parse_emotion("hapy")
    message = str(info.value)
    assert "did you mean happy?" in message
    for label in EMOTIONS:
        assert label in message


# --- times -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "token, ms",
    [("12", 12000), ("12.5", 12500), ("0:12", 12000), ("01:02.5", 62500), ("0:00.25", 250),
     ("1:02:03", 3723000), ("0", 0), ("90", 90000)],
)
def test_times_read_as_seconds_or_minutes_and_seconds(token, ms):
    assert parse_time(token) == ms


@pytest.mark.parametrize("token", ["1:75", "1:2:3:4", "1..2", "1:", ":5", "1.2.3", "1:61:00"])
def test_malformed_times_are_refused(token):
    with pytest.raises(ValueError):
        parse_time(token)


def test_times_format_as_minutes_and_seconds():
    assert format_time(3000) == "00:03"
    assert format_time(62500) == "01:02.5"
    assert format_time(3723000) == "1:02:03"


# --- valid scripts ---------------------------------------------------------------------

TIMED = """\
# a comment line

0:00-0:02.5  happy          What a view!   # trailing comment
3            Surprised|JOY  We're #1 in the queue
0:06-9       sad | fear     ...the last shuttle home?
"""


def test_a_timed_script_reads_cue_by_cue():
    script = parse_script(TIMED, name="scene.txt")
    assert script.timed and script.source == "scene.txt"
    assert [(c.start_ms, c.end_ms) for c in script.cues] == [(0, 2500), (3000, 6000), (6000, 9000)]
    assert [c.targets for c in script.cues] == [("happy",), ("surprise", "happy"), ("sad", "fear")]
    assert [c.text for c in script.cues] == [
        "What a view!", "We're #1 in the queue", "...the last shuttle home?",
    ]
    assert [c.line for c in script.cues] == [3, 4, 5]
    assert [c.index for c in script.cues] == [0, 1, 2]
    assert script.duration_ms == 9000


def test_a_line_without_end_lasts_until_the_next_one_starts():
    script = parse_script("0:01 happy a\n0:04-0:05 sad b\n")
    assert script.cues[0].end_ms == 4000


def test_the_text_of_a_line_is_optional():
    script = parse_script("0:01-0:02 happy\n")
    assert script.cues[0].text == ""


def test_an_untimed_script_is_a_teleprompter():
    script = parse_script("neutral So.\njoy|surprised You came back!\n\n# end\nsad\n")
    assert not script.timed and not script.has_times
    assert [c.targets for c in script.cues] == [("neutral",), ("happy", "surprise"), ("sad",)]
    assert all(c.start_ms is None and c.end_ms is None for c in script.cues)
    assert script.duration_ms is None


def test_windows_line_endings_and_a_byte_order_mark_are_fine():
    script = parse_script("\ufeff0:00-0:01 happy Hi\r\n0:01-0:02 sad Bye\r\n")
    assert [c.text for c in script.cues] == ["Hi", "Bye"]


def test_cue_lookup_follows_half_open_spans():
    script = parse_script("0:01-0:02 happy a\n0:03-0:04 sad b\n")
    assert script.cue_at(500) is None
    assert script.cue_at(1000).index == 0
    assert script.cue_at(1999).index == 0
    assert script.cue_at(2000) is None  # the gap
    assert script.next_cue_after(2000).index == 1
    assert script.cue_at(4000) is None


def test_formatting_a_script_reads_back_the_same():
    script = parse_script(TIMED)
    again = parse_script(format_script(script))
    assert [(c.start_ms, c.end_ms, c.targets, c.text) for c in again.cues] == [
        (c.start_ms, c.end_ms, c.targets, c.text) for c in script.cues
    ]


def test_a_teleprompter_take_fills_in_times_and_saves_as_timed():
    script = parse_script("happy a\nsad b\n")
    shown = script.with_times([(0, 1500), (1500, 4000)])
    assert shown.has_times and shown.cues[1].end_ms == 4000
    assert parse_script(format_script(shown)).timed


def test_the_bundled_examples_parse_and_fit_the_demo_clip():
    timed = load_script(assets_dir() / "example_script.txt")
    assert timed.timed and 3 <= len(timed) <= 4
    assert timed.duration_ms <= 12000
    assert timed.cues[0].targets[0] == "happy" and timed.cues[-1].targets == ("neutral",)
    prompter = load_script(assets_dir() / "example_teleprompter.txt")
    assert not prompter.timed and len(prompter) >= 3


# --- invalid scripts: every problem, by line -------------------------------------------

def test_end_before_start_is_reported_with_its_line():
    assert problems_of("0:00-0:02 happy a\n\n\n0:05-0:03 sad b\n") == [
        "line 4: end 00:03 is before start 00:05"
    ]


def test_overlapping_lines_are_reported():
    problems = problems_of("0:00-0:01 happy\n\n\n\n0:10-0:14 sad a\n0:12-0:16 happy b\n")
    assert problems == ["line 6: overlaps line 5 (00:10-00:14)"]


def test_unknown_emotions_come_with_a_suggestion():
    problems = problems_of("0:00-0:01 happy\n0:01-0:02 hapy\n")
    assert problems == ["line 2: unknown emotion 'hapy' (did you mean happy?)"]


def test_comma_separated_emotions_are_explained():
    (problem,) = problems_of("0:00-0:01 happy,sad\n")
    assert problem.startswith("line 1:") and "separate several emotions with |" in problem


def test_the_last_timed_line_needs_an_end():
    problems = problems_of("0:00 happy\n0:03 sad\n\n\n\n\n\n\n0:05 neutral\n")
    assert problems == ["line 9: the last timed line needs an end time (e.g. 0:12-0:15 happy ...)"]


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n   \n"])
def test_an_empty_script_is_refused(text):
    (problem,) = problems_of(text)
    assert "empty" in problem


def test_timed_and_untimed_lines_cannot_mix():
    problems = problems_of("0:00-0:01 happy a\nsad b\n")
    assert len(problems) == 1 and problems[0].startswith("line 2:")
    assert "all timed or all untimed" in problems[0]


def test_times_must_increase():
    problems = problems_of("0:05-0:06 happy\n0:02-0:03 sad\n0:02-0:03 sad\n")
    assert problems[0].startswith("line 2: starts at 00:02, before line 1")
    assert problems[1] == "line 3: starts at the same time as line 2 (00:02)"


def test_unreadable_times_and_missing_emotions_are_reported():
    problems = problems_of("1:75-2:00 happy\n0:1a happy\n2:05-2:06\n2:07-2:08 happy |\n")
    assert [p.split(":")[0] for p in problems] == ["line 1", "line 2", "line 3", "line 4"]
    assert "start time '1:75'" in problems[0]
    assert "no emotion" in problems[2]
    assert "empty emotion" in problems[3]


def test_every_problem_is_listed_in_line_order():
    text = (
        "0:05-0:03 hapy a\n"  # two problems on line 1
        "0:10-0:14 sad\n"
        "0:12 angry\n"  # overlap, and the last line has no end
    )
    with pytest.raises(ScriptError) as info:
        parse_script(text, name="scene.txt")
    problems = info.value.problems
    assert len(problems) == 4
    assert [int(p.split(":")[0].split()[1]) for p in problems] == [1, 1, 3, 3]
    assert "scene.txt" in str(info.value) and "4 problems" in str(info.value)


def test_unreadable_files_raise_script_errors(tmp_path):
    with pytest.raises(ScriptError, match="Cannot read script"):
        load_script(tmp_path / "missing.txt")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00\x81 happy")
    with pytest.raises(ScriptError, match="not a UTF-8 text file"):
        load_script(binary)


def test_cues_built_in_code_work_too():
    script = Script((Cue(0, 0, 1000, ("happy",), "hi"),), timed=True)
    assert script.has_times and script.duration_ms == 1000


# --- fuzz: nothing but ScriptError escapes ---------------------------------------------

_script_chars = st.sampled_from(list("0123456789:.-| #\n\t\r") + ["happy", "sad", "joy", "hapy", "x"])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), st.lists(_script_chars, max_size=60).map("".join)))
def test_random_text_never_raises_anything_but_script_error(text):
    try:
        script = parse_script(text)
    except ScriptError as exc:
        assert exc.problems
        return
    assert script.cues
    if script.timed:
        spans = [(c.start_ms, c.end_ms) for c in script.cues]
        assert all(s < e for s, e in spans)
        assert all(e0 <= s1 for (_, e0), (s1, _) in zip(spans, spans[1:]))
