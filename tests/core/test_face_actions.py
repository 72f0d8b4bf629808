"""The face-action vocabulary on blendshape vectors with known answers, and the
emotion -> action table a teacher can read and change."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from acting_mirror.core.blendshapes import BLENDSHAPE_NAMES
from acting_mirror.core.face_actions import (
    ACTIONS, ALL_ACTIONS, SIDED, TABLE_PATH, FaceActionTableError, action_gaps, action_matrix,
    best_emotion, face_actions, load_table, match_score, parse_table,
)
from acting_mirror.core.types import EMOTIONS


def vec(**scores) -> np.ndarray:
    b = np.zeros(len(BLENDSHAPE_NAMES))
    for name, v in scores.items():
        b[BLENDSHAPE_NAMES.index(name)] = v
    return b


def test_the_vocabulary_is_the_documented_one():
    assert set(ACTIONS) == {
        "brow_raise", "brow_raise_inner", "brow_raise_outer", "brow_lower", "eye_widen",
        "eye_squint", "cheek_raise", "nose_wrinkle", "smile", "lip_corner_down", "lip_press",
        "upper_lip_raise", "jaw_drop", "lip_stretch"}
    assert "jaw_drop" not in SIDED and "brow_raise_inner" not in SIDED and "smile" in SIDED
    assert "smile_left" in ALL_ACTIONS and "brow_lower_right" in ALL_ACTIONS


def test_a_relaxed_face_does_nothing():
    a = face_actions(vec())
    assert all(v == 0.0 for v in a.values())
    assert best_emotion(a)[0] == "neutral"


def test_known_answers():
    a = face_actions(vec(browInnerUp=0.6, browOuterUpLeft=0.4, browOuterUpRight=0.2,
                         jawOpen=0.7, eyeWideLeft=0.2, eyeWideRight=0.3, noseSneerLeft=0.7,
                         mouthSmileLeft=0.5, mouthSmileRight=0.1))
    assert a["brow_raise_inner"] == pytest.approx(0.6)
    assert a["brow_raise_outer"] == pytest.approx(0.3)
    assert a["brow_raise"] == pytest.approx(0.45)
    assert a["jaw_drop"] == pytest.approx(0.7)
    assert a["eye_widen"] == pytest.approx(0.5)  # doubled: eyeWide reads low
    assert a["nose_wrinkle"] == pytest.approx(0.5)  # (1.4 capped to 1.0, + 0) / 2
    assert a["smile"] == pytest.approx(0.3)
    sided = face_actions(vec(mouthSmileLeft=0.5, mouthSmileRight=0.1), sided=True)
    assert sided["smile_left"] == pytest.approx(0.5) and sided["smile_right"] == pytest.approx(0.1)
    assert a["brow_lower"] == 0.0 and a["lip_press"] == 0.0


@pytest.mark.parametrize("emotion,scores", [
    ("surprise", dict(browInnerUp=0.6, browOuterUpLeft=0.6, browOuterUpRight=0.6,
                      eyeWideLeft=0.3, eyeWideRight=0.3, jawOpen=0.6)),
    ("happy", dict(cheekSquintLeft=0.5, cheekSquintRight=0.5, mouthSmileLeft=0.8,
                   mouthSmileRight=0.8)),
    ("sad", dict(browInnerUp=0.5, mouthFrownLeft=0.4, mouthFrownRight=0.4)),
    ("angry", dict(browDownLeft=0.6, browDownRight=0.6, eyeSquintLeft=0.4, eyeSquintRight=0.4,
                   mouthPressLeft=0.4, mouthPressRight=0.4)),
    ("fear", dict(browInnerUp=0.5, browOuterUpLeft=0.4, browOuterUpRight=0.4, browDownLeft=0.3,
                  browDownRight=0.3, eyeWideLeft=0.3, eyeWideRight=0.3, mouthStretchLeft=0.4,
                  mouthStretchRight=0.4)),
    ("disgust", dict(noseSneerLeft=0.3, noseSneerRight=0.3, mouthUpperUpLeft=0.4,
                     mouthUpperUpRight=0.4)),
])
def test_each_facs_prototype_reads_as_its_emotion(emotion, scores):
    a = face_actions(vec(**scores))
    assert match_score(emotion, a) == pytest.approx(1.0)
    assert best_emotion(a)[0] == emotion
    assert action_gaps(emotion, a)[0][3] == 0.0  # nothing missing, nothing against


def test_a_smile_against_surprise_asks_for_brows_and_jaw_and_names_the_smile():
    a = face_actions(vec(mouthSmileLeft=0.9, mouthSmileRight=0.9, cheekSquintLeft=0.5,
                         cheekSquintRight=0.5))
    gaps = {g[0]: g for g in action_gaps("surprise", a)}
    assert gaps["brow_raise"][1] > gaps["brow_raise"][2]  # wanted above seen
    assert gaps["jaw_drop"][1] > gaps["jaw_drop"][2]
    assert gaps["smile"][1] == 0.0 and gaps["smile"][2] == pytest.approx(0.9)
    assert best_emotion(a)[0] == "happy"


def test_a_turned_head_is_not_trusted():
    b = np.stack([vec(jawOpen=0.5), vec(jawOpen=0.5)])
    m = action_matrix(b, np.array([[0.0, 0.0, 0.0], [50.0, 0.0, 0.0]]))
    assert m[0, ACTIONS.index("jaw_drop")] == pytest.approx(0.5)
    assert np.isnan(m[1]).all()
    assert math.isnan(face_actions(vec(), pose=(0.0, 40.0, 0.0))["smile"])


def test_the_bundled_table_covers_the_seven_emotions_with_sources():
    table = load_table()
    assert set(table.emotions) == set(EMOTIONS)
    text = TABLE_PATH.read_text()
    assert "Ekman" in text and "EMFACS" in text
    assert set(table.emotions["surprise"].levels) == {"brow_raise", "eye_widen", "jaw_drop"}
    assert set(table.emotions["happy"].levels) == {"cheek_raise", "smile"}
    assert set(table.emotions["sad"].levels) == {"brow_raise_inner", "lip_corner_down"}
    assert set(table.emotions["angry"].levels) == {"brow_lower", "eye_squint", "lip_press"}
    assert set(table.emotions["fear"].levels) == {"brow_raise", "brow_lower", "eye_widen", "lip_stretch"}
    assert set(table.emotions["disgust"].levels) == {"nose_wrinkle", "upper_lip_raise"}
    assert table.emotions["neutral"].levels == {}
    for e in EMOTIONS:
        assert all(0 < v <= 1 for v in table.emotions[e].levels.values())
    assert table.words["jaw_drop"].more == "let the jaw drop"


def test_a_teacher_can_change_the_table(tmp_path):
    text = TABLE_PATH.read_text().replace(
        'actions = { cheek_raise = 0.35, smile = 0.6 }', 'actions = { smile = 0.3 }')
    path = tmp_path / "mine.toml"
    path.write_text(text)
    table = load_table(path)
    assert table.emotions["happy"].levels == {"smile": 0.3}
    a = face_actions(vec(mouthSmileLeft=0.3, mouthSmileRight=0.3))
    assert match_score("happy", a, table) == pytest.approx(1.0)
    assert match_score("happy", a) < 1.0


@pytest.mark.parametrize("change,words", [
    (('smile = 0.6', 'grin = 0.6'), "unknown action 'grin'"),
    (('smile = 0.6', 'smile = 1.6'), "level in (0, 1]"),
    (('[emotions.disgust]', '[emotions.contempt]'), "[emotions.disgust] is missing"),
    (('more = "let the jaw drop"', ''), "[actions.jaw_drop] needs"),
    (('actions = {}', 'actions = {'), "not TOML"),
])
def test_bad_tables_get_one_clear_line(tmp_path, change, words):
    path = tmp_path / "bad.toml"
    path.write_text(TABLE_PATH.read_text().replace(*change, 1))
    with pytest.raises(FaceActionTableError) as err:
        load_table(path)
    assert words in str(err.value) and "\n" not in str(err.value)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-2, 3, allow_nan=False), min_size=52, max_size=52))
def test_actions_stay_in_range_for_any_scores(scores):
    a = action_matrix(np.array(scores), sided=True)
    assert a.shape == (len(ALL_ACTIONS),) and ((a >= 0) & (a <= 1)).all()


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.text(max_size=8), st.one_of(st.integers(), st.text(max_size=5),
                                                        st.floats(), st.lists(st.integers()))))
def test_hostile_table_data_never_crashes(data):
    try:
        parse_table({"emotions": data, "actions": data})
    except FaceActionTableError:
        pass
