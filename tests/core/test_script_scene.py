"""Scene scripts: partner lines, lines with no target and stage directions, read, written
back, followed live and left out of the score."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acting_mirror.core.follower import HINT_DIRECTION, HINT_NO_TARGET, ScriptFollower
from acting_mirror.core.script import (
    ACTOR, DIRECTION, PARTNER, Cue, Script, format_script, parse_script,
)
from acting_mirror.core.scoring import score_take
from acting_mirror.core.timeline import TimelineTable
from acting_mirror.core.types import EMOTIONS, Box, Face
from acting_mirror.errors import ScriptError

TIMED_SCENE = (
    "# a timed scene with a partner\n"
    "0:00-0:02   [Maya holds up the letter]\n"
    "0:02-0:04   @MAYA: You kept it.\n"
    "0:04-0:06   sad        I had to.\n"
    "0:06-0:08   @MAYA:     For ten years?\n"
    "0:08-0:10   -          Yes.\n"
    "0:10-0:12   happy|surprise  And I'd do it again!\n"
)
UNTIMED_SCENE = (
    "[INT. KITCHEN - NIGHT]\n"
    "@OLD MAN: Get off: my lawn.\n"
    "angry   No.\n"
    "- Well...\n"
    "@MAYA:Fine\n"
)


def kinds(script: Script) -> list[str]:
    return [c.kind for c in script.cues]


def test_a_timed_scene_reads_partner_lines_directions_and_untargeted_lines():
    s = parse_script(TIMED_SCENE, name="scene.txt")
    assert s.timed and s.has_times and len(s) == 6
    assert kinds(s) == [DIRECTION, PARTNER, ACTOR, PARTNER, ACTOR, ACTOR]
    assert [c.speaker for c in s.cues] == [None, "MAYA", None, "MAYA", None, None]
    assert [c.targets for c in s.cues] == [(), (), ("sad",), (), (), ("happy", "surprise")]
    assert [c.text for c in s.cues] == [
        "Maya holds up the letter", "You kept it.", "I had to.", "For ten years?", "Yes.",
        "And I'd do it again!",
    ]
    assert [c.scored for c in s.cues] == [False, False, True, False, False, True]
    assert [c.line for c in s.cues] == [2, 3, 4, 5, 6, 7]
    assert [(c.start_ms, c.end_ms) for c in s.cues][1] == (2000, 4000)
    assert s.partners == ("MAYA",)
    assert [c.index for c in s.scored_cues] == [2, 5]


def test_an_untimed_scene_keeps_names_with_spaces_and_colons_in_the_text():
    s = parse_script(UNTIMED_SCENE)
    assert not s.timed and kinds(s) == [DIRECTION, PARTNER, ACTOR, ACTOR, PARTNER]
    assert s.cues[1].speaker == "OLD MAN" and s.cues[1].text == "Get off: my lawn."
    assert s.cues[3].targets == () and s.cues[3].text == "Well..."
    assert s.cues[4].speaker == "MAYA" and s.cues[4].text == "Fine"
    assert s.cues[0].text == "INT. KITCHEN - NIGHT"


def test_old_scripts_read_exactly_as_before():
    s = parse_script("0:00-0:02 happy Hi\n0:02-0:04 sad|fear Bye\n")
    assert all(c.kind == ACTOR and c.speaker is None and c.scored for c in s.cues)
    assert format_script(s) == "00:00-00:02 happy Hi\n00:02-00:04 sad|fear Bye\n"


@pytest.mark.parametrize("text", [TIMED_SCENE, UNTIMED_SCENE])
def test_scene_scripts_format_and_read_back_the_same(text):
    s = parse_script(text)
    again = parse_script(format_script(s))
    strip = [(c.kind, c.speaker, c.targets, c.text, c.start_ms, c.end_ms) for c in s.cues]
    assert [(c.kind, c.speaker, c.targets, c.text, c.start_ms, c.end_ms) for c in again.cues] == strip


def test_a_dash_then_a_number_after_a_start_time_is_a_range_so_format_writes_the_end():
    s = parse_script("0:04-0:06 - 5 apples\n")
    assert s.cues[0].targets == () and s.cues[0].text == "5 apples"
    assert format_script(s) == "00:04-00:06 - 5 apples\n"
    with pytest.raises(ScriptError):  # 0:04-0:05 with the emotion "apples"
        parse_script("0:04 - 5 apples\n0:09-0:10 happy x\n")


def test_the_json_form_has_every_field_with_nulls_when_untimed():
    d = parse_script(UNTIMED_SCENE, name="u.txt").to_dict()
    assert d["source"] == "u.txt" and d["timed"] is False
    first = d["lines"][1]
    assert {k: first[k] for k in ("index", "speaker", "partner", "targets", "text",
                                  "start_ms", "end_ms")} == {
        "index": 1, "speaker": "OLD MAN", "partner": True, "targets": [],
        "text": "Get off: my lawn.", "start_ms": None, "end_ms": None,
    }
    assert d["lines"][2]["targets"] == ["angry"] and d["lines"][2]["partner"] is False


@pytest.mark.parametrize("line, message", [
    ("@MAYA You kept it.", "line 1: write a partner's line as @NAME: text"),
    ("@: You kept it.", "line 1: no name after @"),
    ("@MAYA:", "line 1: MAYA's line has no text"),
    ("[She turns away", "line 1: a stage direction starts with [ and ends with ]"),
    ("[ ]", "line 1: empty stage direction"),
    ("0:00-0:02 @MAYA", "line 1: write a partner's line as @NAME: text"),
])
def test_malformed_scene_lines_are_reported_by_line(line, message):
    with pytest.raises(ScriptError) as err:
        parse_script(line + "\n")
    assert err.value.problems[0].startswith(message)


def test_scene_lines_in_a_timed_script_need_times_like_every_line():
    with pytest.raises(ScriptError) as err:
        parse_script("0:00-0:02 happy Hi\n@MAYA: Hello\n[She waves]\n")
    assert [p.split(":")[0] for p in err.value.problems] == ["line 2", "line 3"]
    assert "has no time" in err.value.problems[0]


def test_a_role_line_names_who_the_actor_plays():
    s = parse_script("# scene\nrole: Nora  Bright\n0:00-0:02 happy Hi\n0:02-0:04 @THEO: Hey\n")
    assert s.role == "Nora Bright" and s.timed and len(s) == 2
    lines = s.to_dict()["lines"]
    assert [x["speaker"] for x in lines] == ["Nora Bright", "THEO"]
    assert s.to_dict()["role"] == "Nora Bright"
    again = parse_script(format_script(s))
    assert again.role == "Nora Bright"
    assert [c.written for c in again.cues] == [c.written for c in s.cues]
    assert parse_script("happy Hi\n").role is None


@pytest.mark.parametrize("text, problem", [
    ("role: A\nrole: B\nhappy Hi\n", "line 2: a second role: line (line 1"),
    ("role:\nhappy Hi\n", "line 1: write the role as role: NAME"),
    ("role: A\n", "the script is empty"),
])
def test_bad_role_lines_are_reported(text, problem):
    with pytest.raises(ScriptError) as err:
        parse_script(text)
    assert err.value.problems[0].startswith(problem)


# --- followed live and scored -----------------------------------------------------------

def probs(emotion: str, p: float = 0.8) -> np.ndarray:
    out = np.full(len(EMOTIONS), (1.0 - p) / (len(EMOTIONS) - 1), dtype=np.float32)
    out[EMOTIONS.index(emotion)] = p
    return out


def face(emotion: str) -> Face:
    return Face(Box(10, 10, 80, 80), probs=probs(emotion), face_id=1, primary=True)


def test_the_follower_shows_partner_lines_and_directions_without_scoring_them():
    f = ScriptFollower(parse_script(TIMED_SCENE))
    f.start(1000)
    d = f.update(1000 + 500, face("angry"))
    assert d.cue.direction and d.hint == HINT_DIRECTION and d.target_prob is None
    assert not d.on_target and d.face_frames == 0
    p = f.update(1000 + 2500, face("angry"))
    assert p.cue.partner and p.hint == "listen to MAYA" and p.face_frames == 0
    assert p.next_cue.index == 2
    a = f.update(1000 + 4500, face("sad"))
    assert a.cue.index == 2 and a.on_target and a.face_frames == 1
    u = f.update(1000 + 8500, face("sad"))
    assert u.cue.index == 4 and u.hint == HINT_NO_TARGET and u.on_target_meter == 0.0


def test_the_wait_before_a_partner_line_names_the_partner():
    f = ScriptFollower(parse_script("0:00-0:01 happy Hi\n0:03-0:05 @MAYA: Hello\n"
                                    "0:07-0:08 [Door]\n0:10-0:11 - Bye\n"))
    f.start(0)
    assert f.update(1500, None).hint == "next: MAYA in 2 s"
    assert f.update(5500, None).hint == "next: stage direction in 2 s"
    assert f.update(8500, None).hint == "next: your line in 2 s"


def test_a_teleprompter_advances_over_every_kind_of_line():
    f = ScriptFollower(parse_script(UNTIMED_SCENE))
    f.start(0)
    seen = []
    for i in range(5):
        seen.append(f.update(i * 1000 + 10, face("angry")).cue.kind)
        f.advance(i * 1000 + 900)
    assert seen == [DIRECTION, PARTNER, ACTOR, ACTOR, PARTNER] and f.finished
    recorded = f.recorded_script()
    assert len(recorded) == 5 and recorded.has_times


def make_table(labels: list[str], frame_ms: float = 40.0) -> TimelineTable:
    n = len(labels)
    return TimelineTable(
        frame=np.arange(n, dtype=np.int64),
        time_ms=(np.arange(n) * frame_ms).astype(np.int64),
        face_id=np.ones(n, dtype=np.int64), primary=np.ones(n, dtype=bool),
        boxes=np.tile(np.array([10, 10, 80, 80], dtype=np.int64), (n, 1)),
        probs=np.array([probs(x) for x in labels], dtype=np.float32).reshape(n, len(EMOTIONS)),
    )


def test_only_the_actors_targeted_lines_are_scored():
    s = parse_script(TIMED_SCENE)
    # 12 s at 25 fps; the face reads sad throughout: the sad line hits, the happy one misses
    report = score_take(s, make_table(["sad"] * 300))
    assert [line.index for line in report.lines] == [2, 5]
    assert [line.verdict for line in report.lines] == ["hit", "miss"]
    assert report.score == pytest.approx(0.5)
    # the partner lines' and the untargeted line's frames changed nothing
    angry_elsewhere = ["angry"] * 100 + ["sad"] * 50 + ["angry"] * 100 + ["sad"] * 50
    report2 = score_take(s, make_table(angry_elsewhere))
    assert [line.on_target for line in report2.lines] == [1.0, 0.0]


def test_a_scene_with_no_targeted_line_scores_zero_with_no_lines():
    s = parse_script("0:00-0:02 @MAYA: Hi\n0:02-0:04 - Hello\n")
    report = score_take(s, make_table(["happy"] * 100))
    assert report.lines == () and report.score == 0.0


def test_cues_built_in_code_default_to_the_actors_lines():
    c = Cue(0, 0, 1000, ("happy",), "Hi")
    assert c.kind == ACTOR and c.scored and c.speaker is None and c.written == "happy Hi"


_ALPHABET = st.sampled_from(list("@[]:-|# \t0123456789.happysadMAYA\n\r(),;"))


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=120).map("".join))
def test_random_scene_text_never_raises_anything_but_script_error(text):
    try:
        s = parse_script(text)
    except ScriptError as exc:
        assert exc.problems and all(p.startswith(("line ", "the script")) for p in exc.problems)
        return
    again = parse_script(format_script(s))
    assert [(c.kind, c.speaker, c.targets) for c in again.cues] == [
        (c.kind, c.speaker, c.targets) for c in s.cues
    ]
