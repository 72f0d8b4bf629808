"""Neutral calibration: an actor's relaxed face reads neutral, clear expressions keep theirs."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acting_mirror.core.calibration import (
    MIN_FRAMES, NeutralCalibration, ProfileStore, calibrate, profile_name,
)
from acting_mirror.core.types import EMOTIONS
from acting_mirror.errors import SourceError

NEUTRAL = EMOTIONS.index("neutral")


def row(**weights: float) -> np.ndarray:
    """A probability row: the named emotions as given, the rest sharing what is left."""
    out = np.zeros(len(EMOTIONS))
    for name, value in weights.items():
        out[EMOTIONS.index(name)] = value
    rest = [i for i, e in enumerate(EMOTIONS) if e not in weights]
    out[rest] = (1.0 - out.sum()) / len(rest)
    return out


RELAXED_SAD = row(sad=0.6, neutral=0.25)  # this actor's relaxed face reads 60% sad


def relaxed_frames(n: int = 30, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    noisy = RELAXED_SAD * rng.uniform(0.9, 1.1, size=(n, len(EMOTIONS)))
    return noisy / noisy.sum(axis=1, keepdims=True)


def top(p: np.ndarray) -> str:
    return EMOTIONS[int(np.argmax(p))]


def test_a_biased_relaxed_face_reads_neutral_after_calibration():
    calibration = calibrate(relaxed_frames(), actor="Ann")
    assert top(RELAXED_SAD) == "sad"
    corrected = calibration.apply(RELAXED_SAD)
    assert top(corrected) == "neutral" and corrected[NEUTRAL] > 0.6
    assert corrected.sum() == pytest.approx(1.0, abs=1e-5)


def test_a_clearly_happy_face_stays_happy():
    calibration = calibrate(relaxed_frames())
    happy = row(happy=0.8, sad=0.1, neutral=0.05)
    corrected = calibration.apply(happy)
    assert top(corrected) == "happy" and corrected[EMOTIONS.index("happy")] > 0.7


def test_a_strongly_sad_face_still_reads_sad():
    calibration = calibrate(relaxed_frames())
    assert top(calibration.apply(row(sad=0.97, neutral=0.01))) == "sad"


def test_apply_works_on_one_row_and_on_many():
    calibration = calibrate(relaxed_frames())
    rows = np.stack([RELAXED_SAD, row(happy=0.8), row(angry=0.9)])
    many = calibration.apply(rows)
    assert many.shape == (3, len(EMOTIONS)) and many.dtype == np.float32
    assert [top(p) for p in many] == ["neutral", "happy", "angry"]
    np.testing.assert_allclose(many[1], calibration.apply(rows[1]), rtol=1e-6)
    np.testing.assert_allclose(many.sum(axis=1), 1.0, atol=1e-5)


def test_a_well_calibrated_actor_is_barely_changed():
    ideal = row(neutral=0.64)
    calibration = calibrate(np.tile(ideal, (10, 1)))
    for p in (ideal, row(happy=0.7), row(fear=0.5, neutral=0.3)):
        np.testing.assert_allclose(calibration.apply(p), p, atol=1e-5)


def test_frames_without_a_face_are_ignored_and_too_few_frames_refused():
    frames = relaxed_frames(10)
    frames[::2] = np.nan
    calibration = calibrate(frames)
    assert calibration.n_frames == 5
    with pytest.raises(ValueError, match=f"at least {MIN_FRAMES}"):
        calibrate(relaxed_frames(MIN_FRAMES - 1))
    with pytest.raises(ValueError):
        calibrate(np.zeros((10, 3)))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=7, max_size=7))
def test_any_relaxed_face_reads_neutral_once_calibrated(values):
    base = np.array(values) + 1e-6
    base /= base.sum()
    if base[NEUTRAL] < 0.01:  # a face that never reads neutral at all is out of reach
        base[NEUTRAL] = 0.01
        base /= base.sum()
    assert top(NeutralCalibration(base, 10).apply(base)) == "neutral"


def test_save_and_load_round_trip(tmp_path):
    calibration = calibrate(relaxed_frames(), actor="Ann")
    path = calibration.save(tmp_path / "ann.json")
    data = json.loads(path.read_text())
    assert data["actor"] == "Ann" and set(data["baseline"]) == set(EMOTIONS)
    loaded = NeutralCalibration.load(path)
    assert loaded.actor == "Ann" and loaded.n_frames == 30
    np.testing.assert_allclose(loaded.baseline, calibration.baseline, atol=1e-5)


def test_broken_profiles_are_source_errors(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(SourceError, match="not a calibration profile"):
        NeutralCalibration.load(bad)
    bad.write_text(json.dumps({"baseline": [1, 2]}))
    with pytest.raises(SourceError, match="not a valid calibration profile"):
        NeutralCalibration.load(bad)
    with pytest.raises(SourceError):
        NeutralCalibration.load(tmp_path / "missing.json")


def test_profile_store_keeps_one_profile_per_actor(tmp_path):
    store = ProfileStore(tmp_path)
    assert store.list() == []
    path = store.save(calibrate(relaxed_frames(), actor="Ann Lee"))
    assert path == tmp_path / "profiles" / "Ann Lee.json"
    store.save(calibrate(np.tile(row(neutral=0.64), (10, 1)), actor="Bo"))
    assert store.list() == ["Ann Lee", "Bo"]
    assert top(store.load("Ann Lee").apply(RELAXED_SAD)) == "neutral"
    store.save(calibrate(np.tile(row(neutral=0.64), (10, 1)), actor="Ann Lee"))  # recalibrate
    assert top(store.load("Ann Lee").apply(RELAXED_SAD)) == "sad"
    with pytest.raises(SourceError, match="No neutral calibration for 'Cy'"):
        store.load("Cy")


def test_actor_names_cannot_escape_the_profiles_folder(tmp_path):
    store = ProfileStore(tmp_path)
    path = store.path_for("../../etc/passwd")
    assert path.parent == tmp_path / "profiles"
    assert profile_name("Zoë") == "Zoë"
    with pytest.raises(ValueError):
        profile_name(" .. ")
