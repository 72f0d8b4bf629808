"""The personal expression profile: learned from a synthetic routine take, it moves
readings the right way, reports per-emotion reliability, warns about poor recordings,
and refuses bad files and takes that are not the routine with one line."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from acting_mirror.core.profile import (
    ROUTINE_ORDER, ExpressionProfile, ExpressionProfileStore, ProfileError, learn_profile,
    routine_script, routine_text,
)
from acting_mirror.core.script import parse_script
from acting_mirror.core.scoring import score_take
from acting_mirror.core.types import EMOTIONS

from synthetic_face import blend_of, probs_of, routine_table


@pytest.fixture(scope="module")
def profile():
    return learn_profile(routine_table(), "Ann")


def test_the_routine_is_neutral_then_each_emotion_on_cue():
    script = routine_script()
    assert [c.targets for c in script.cues] == [(e,) for e in ROUTINE_ORDER]
    assert ROUTINE_ORDER[0] == "neutral" and set(ROUTINE_ORDER) == set(EMOTIONS)
    assert all(3000 <= c.end_ms - c.start_ms <= 6000 for c in script.cues)
    again = parse_script(routine_text(), name="again")
    assert [(c.start_ms, c.end_ms, c.targets) for c in again.cues] == \
        [(c.start_ms, c.end_ms, c.targets) for c in script.cues]
    assert "let the jaw drop" in routine_text()


def test_the_profile_reads_this_actors_sad_face_as_sad(profile):
    rng = np.random.default_rng(99)  # fresh frames, not the routine's
    for emotion in ("sad", "disgust"):  # the CNN reads them as neutral / angry
        blend = np.array([blend_of(emotion, rng, 0.03) for _ in range(20)])
        cnn = np.array([probs_of(emotion, rng, 0.03) for _ in range(20)])
        mine = profile.predict(blend, cnn)
        k = EMOTIONS.index(emotion)
        assert (np.argmax(cnn, axis=1) != k).all()
        assert (np.argmax(mine, axis=1) == k).mean() >= 0.9
        assert mine[:, k].mean() > cnn[:, k].mean() + 0.3
        assert np.allclose(mine.sum(axis=1), 1.0)
    # happy stays happy; frames without blendshapes keep the CNN's reading
    happy = profile.predict(blend_of("happy")[None], probs_of("happy")[None])
    assert EMOTIONS[int(np.argmax(happy))] == "happy"
    nan = profile.predict(np.full((1, 52), np.nan), probs_of("sad")[None])
    assert np.allclose(nan, probs_of("sad")[None])


def test_reliability_is_cross_validated_per_emotion_next_to_the_cnn_alone(profile):
    assert set(profile.reliability) == set(EMOTIONS)
    assert all(r >= 0.8 for r in profile.reliability.values())
    assert profile.cnn_agreement["sad"] < 0.2 and profile.cnn_agreement["happy"] > 0.8
    assert profile.warnings == ()
    lines = profile.summary_lines()
    assert any(line.split()[0] == "sad" and "reliable" in line for line in lines[1:])
    # the relaxed baseline: this actor's resting squint
    assert profile.baseline["eye_squint"] == pytest.approx(0.3, abs=0.03)
    assert profile.baseline["smile"] < 0.05


def test_indistinct_and_unsteady_recordings_are_warned_about():
    alike = learn_profile(routine_table(alike=("sad",)), "Ann")
    assert any("sad recording was not distinct" in w for w in alike.warnings)
    assert alike.reliability["sad"] < 0.8
    shaky = learn_profile(routine_table(shaky=("happy",), seed=3), "Ann")
    assert any("happy recording was not steady" in w for w in shaky.warnings)
    assert not any("steady" in w for w in learn_profile(routine_table(seed=4), "A").warnings)


@pytest.mark.parametrize("kwargs,words", [
    (dict(end_s=20), "ends at"),
    (dict(drop=("fear",)), "fear line"),
    (dict(order=("neutral", "happy", "sad")), "before the end of its surprise line"),
])
def test_takes_that_do_not_match_the_routine_are_refused_in_one_line(kwargs, words):
    with pytest.raises(ProfileError) as err:
        learn_profile(routine_table(**kwargs), "Ann")
    assert "does not match the profile routine" in str(err.value) and words in str(err.value)
    assert "\n" not in str(err.value)


def test_a_take_without_face_detail_is_refused():
    table = routine_table()
    from dataclasses import replace
    bare = replace(table, blendshapes=np.full_like(table.blendshapes, np.nan))
    with pytest.raises(ProfileError, match="no face detail"):
        learn_profile(bare, "Ann")


def test_profiles_round_trip_as_readable_json_in_the_user_data_folder(tmp_path, profile):
    store = ExpressionProfileStore(tmp_path)
    path = store.save(profile)
    assert path == tmp_path / "profiles" / "expression" / "Ann.json"
    data = json.loads(path.read_text())
    assert data["kind"] == "acting-mirror expression profile" and data["actor"] == "Ann"
    assert set(data["reliability"]) == set(EMOTIONS) and "baseline" in data
    again = store.load("Ann")
    b, p = blend_of("sad")[None], probs_of("sad")[None]
    assert np.allclose(again.predict(b, p), profile.predict(b, p), atol=1e-6)
    assert store.list() == ["Ann"]
    # the neutral calibrations beside it do not see it
    from acting_mirror.core.calibration import ProfileStore
    assert ProfileStore(tmp_path).list() == []


@pytest.mark.parametrize("text,words", [
    ("{", "not JSON"),
    ("[]", "not an expression profile"),
    ('{"kind": "acting-mirror expression profile", "version": 9}', "newer"),
    ("MUTATE_SHAPE", "wrong shape"),
    ("MUTATE_NAN", "not numbers"),
])
def test_bad_profile_files_get_one_clear_line(tmp_path, profile, text, words):
    d = profile.to_dict()
    if text == "MUTATE_SHAPE":
        d["model"]["weights"] = d["model"]["weights"][:3]
        text = json.dumps(d)
    elif text == "MUTATE_NAN":
        d["model"]["bias"][0] = "NaN"
        text = json.dumps(d).replace('"NaN"', "NaN")
    path = tmp_path / "profiles" / "expression" / "Bo.json"
    path.parent.mkdir(parents=True)
    path.write_text(text)
    with pytest.raises(ProfileError) as err:
        ExpressionProfileStore(tmp_path).load("Bo")
    assert words in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(ProfileError, match="No expression profile for 'Cy'"):
        ExpressionProfileStore(tmp_path).load("Cy")


@settings(max_examples=50, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=6),
                    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=6), kids, max_size=4),
                    max_leaves=20))
def test_hostile_profile_json_never_crashes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("p") / "x.json"
    d = {"kind": "acting-mirror expression profile", "model": data, "baseline": data,
         "reliability": data} if isinstance(data, dict) else data
    path.write_text(json.dumps(d))
    with pytest.raises(ProfileError):
        ExpressionProfile.load(path)


def test_scoring_with_the_profile_hits_the_sad_line_the_cnn_misses(profile):
    script = parse_script("0:00-0:04 sad Oh no.\n0:05-0:09 happy Yes!\n", name="s")
    take = routine_table(order=("sad", "happy"), seed=7)
    plain = score_take(script, take)
    mine = score_take(script, take, profile=profile)
    assert plain.lines[0].verdict == "miss" and plain.lines[0].dominant == "neutral"
    assert mine.lines[0].verdict == "hit" and mine.lines[0].dominant == "sad"
    assert mine.lines[1].verdict == "hit"
    assert mine.to_dict()["profile"] == "Ann" and "profile" not in plain.to_dict()
    # honesty: without the profile, the CNN says neutral while the face actions say sad
    assert plain.lines[0].face_reading == "sad"
    assert "disagree" in plain.lines[0].tip and "neutral" in plain.lines[0].tip


def test_a_profile_no_better_than_the_cnn_is_not_used_to_read_emotions():
    wooden = learn_profile(routine_table(alike=("sad", "surprise", "angry", "fear", "disgust")), "W")
    assert not wooden.usable
    assert any("no better than the CNN" in line for line in wooden.summary_lines())
    script = parse_script("0:00-0:04 sad Oh no.\n", name="s")
    take = routine_table(order=("sad",), seed=2)
    plain, mine = score_take(script, take), score_take(script, take, profile=wooden)
    assert mine.lines[0].on_target == plain.lines[0].on_target
    assert mine.to_dict()["profile"] == "W" and mine.to_dict()["profile_mapping"] is False
    good = learn_profile(routine_table(), "Ann")
    assert good.usable and score_take(script, take, profile=good).profile_mapping
