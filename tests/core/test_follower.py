"""Following a script live: the right line at the right time, a meter, and useful hints."""

from __future__ import annotations

import numpy as np
import pytest

from acting_mirror.core.calibration import calibrate
from acting_mirror.core.follower import HINT_NO_FACE, HINT_ON_TARGET, ScriptFollower, hint_for
from acting_mirror.core.script import parse_script
from acting_mirror.core.types import EMOTIONS, Box, Face

SCENE = parse_script(
    "0:01-0:03 happy     We made it!\n"
    "0:03-0:05 surprise  Wait, what?\n"
    "0:07-0:09 neutral   Let's be calm.\n",
    name="scene.txt",
)
T0 = 50_000  # the clock when the countdown ends


def probs(emotion: str, p: float = 0.8) -> np.ndarray:
    out = np.full(len(EMOTIONS), (1.0 - p) / (len(EMOTIONS) - 1), dtype=np.float32)
    out[EMOTIONS.index(emotion)] = p
    return out


def face(emotion: str, p: float = 0.8) -> Face:
    return Face(Box(10, 10, 80, 80), probs=probs(emotion, p), face_id=1, primary=True)


def started(script=SCENE, calibration=None) -> ScriptFollower:
    follower = ScriptFollower(script, calibration)
    follower.start(T0)
    return follower


def test_before_the_countdown_ends_the_actor_is_told_to_get_ready():
    state = ScriptFollower(SCENE).update(0, face("happy"))
    assert not state.started and state.cue is None
    assert state.next_cue.index == 0 and state.hint == "get ready"


def test_the_current_line_follows_the_clock_from_start():
    f = started()
    before = f.update(T0 + 500, face("happy"))
    assert before.cue is None and before.next_cue.index == 0
    assert before.hint == "next: happy in 1 s"
    mid = f.update(T0 + 2000, face("happy"))
    assert mid.cue.index == 0 and mid.next_cue.index == 1
    assert mid.progress == pytest.approx(0.5)
    assert f.update(T0 + 3000, face("happy")).cue.index == 1
    gap = f.update(T0 + 6000, face("neutral"))
    assert gap.cue is None and gap.next_cue.index == 2 and gap.time_to_next_ms == 1000
    assert not gap.finished
    end = f.update(T0 + 9000, face("neutral"))
    assert end.finished and f.finished and end.cue is None and end.hint == "scene complete"


def test_on_target_face_gets_praise_and_a_full_meter():
    f = started()
    state = f.update(T0 + 1100, face("happy"))
    assert state.on_target and state.hint == HINT_ON_TARGET
    assert state.detected == "happy"
    assert state.target_prob == pytest.approx(0.8)


def test_the_meter_is_the_running_share_of_the_lines_face_frames_on_target():
    f = started()
    for i, emotion in enumerate(["happy", "happy", "neutral", "happy"]):
        state = f.update(T0 + 1000 + 40 * i, face(emotion))
    assert state.on_target_meter == pytest.approx(0.75)
    state = f.update(T0 + 1200, None)  # frames without a face do not count
    assert state.on_target_meter == pytest.approx(0.75) and state.face_frames == 4
    state = f.update(T0 + 3100, face("neutral"))  # a new line starts a new meter
    assert state.cue.index == 1 and state.on_target_meter == 0.0 and state.face_frames == 1


def test_no_face_asks_the_actor_to_show_it():
    state = started().update(T0 + 1500, None)
    assert state.detected is None and state.target_prob is None
    assert state.hint == HINT_NO_FACE == "show your face to the camera"


def test_a_blank_face_is_asked_for_more_of_the_target():
    state = started().update(T0 + 3500, face("neutral"))
    assert state.hint == "more surprise"


def test_a_face_near_the_target_is_told_it_is_almost_there():
    p = probs("neutral", 0.5)
    p[EMOTIONS.index("surprise")] = 0.4
    assert hint_for(("surprise",), p / p.sum()) == "almost — a bit more surprise"


def test_a_strong_other_emotion_on_a_neutral_line_asks_to_relax():
    state = started().update(T0 + 7500, face("angry"))
    assert state.hint == "relax — that reads as angry"


def test_the_wrong_emotion_is_named_with_the_target():
    state = started().update(T0 + 1500, face("sad"))
    assert state.hint == "that reads as sad — more joy"


def test_calibration_corrects_the_live_reading():
    relaxed = probs("sad", 0.6)
    calibration = calibrate(np.tile(relaxed, (10, 1)))
    plain = started().update(T0 + 7500, Face(Box(0, 0, 9, 9), probs=relaxed, primary=True))
    assert plain.hint == "relax — that reads as sad"
    fixed = started(calibration=calibration).update(
        T0 + 7500, Face(Box(0, 0, 9, 9), probs=relaxed, primary=True)
    )
    assert fixed.detected == "neutral" and fixed.on_target
    assert fixed.probs[EMOTIONS.index("neutral")] > 0.5


def test_a_teleprompter_moves_on_when_the_actor_advances_and_records_times():
    script = parse_script("happy Hello\nsad Goodbye\nneutral ...\n")
    f = ScriptFollower(script)
    f.start(T0)
    first = f.update(T0 + 100, face("happy"))
    assert first.cue.index == 0 and first.next_cue.index == 1 and first.progress == 0.0
    f.update(T0 + 2000, face("happy"))
    f.advance()  # at the last update's time
    assert f.update(T0 + 2500, face("sad")).cue.index == 1
    f.advance(T0 + 4000)
    assert f.update(T0 + 4100, face("neutral")).cue.index == 2
    partial = f.recorded_script()
    assert [(c.start_ms, c.end_ms) for c in partial.cues] == [(0, 2000), (2000, 4000), (4000, 4100)]
    f.advance(T0 + 5000)
    assert f.finished
    state = f.update(T0 + 5100, face("neutral"))
    assert state.finished and state.cue is None
    done = f.recorded_script()
    assert done.has_times and [(c.start_ms, c.end_ms) for c in done.cues][-1] == (4000, 5000)


def test_a_timed_script_cannot_be_advanced_by_hand():
    with pytest.raises(ValueError):
        started().advance()
