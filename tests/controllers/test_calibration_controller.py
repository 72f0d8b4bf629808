"""CalibrationController without Qt: the guided routine's steps, Again, cancelling,
too few frames, and the learned profile saved with its reliability; the quick neutral
calibration; all in real ProfileStore / ExpressionProfileStore folders, fed synthetic
frames of a synthetic actor (``tests/core/synthetic_face.py``)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core"))

from synthetic_face import blend_of, probs_of  # noqa: E402

from acting_mirror.controllers.calibration import CalibrationController, Step  # noqa: E402
from acting_mirror.controllers.routine import (  # noqa: E402
    RoutineStep, reliability_rows, routine_steps,
)
from acting_mirror.core.calibration import ProfileStore  # noqa: E402
from acting_mirror.core.profile import (  # noqa: E402
    GAP_MS, LINE_MS, ROUTINE_ORDER, SETTLE_MS, ExpressionProfileStore, routine_script,
)
from acting_mirror.core.types import EMOTIONS  # noqa: E402

FRAME_MS = 33


def probs(**values: float) -> np.ndarray:
    p = np.zeros(len(EMOTIONS), dtype=np.float32)
    for name, v in values.items():
        p[EMOTIONS.index(name)] = v
    rest = [i for i, e in enumerate(EMOTIONS) if e not in values]
    p[rest] = (1.0 - p.sum()) / len(rest)
    return p


RELAXED = probs(sad=0.52, neutral=0.33)  # this actor's relaxed face reads sad


@pytest.fixture
def store(tmp_path):
    return ProfileStore(tmp_path / "data")


@pytest.fixture
def controller(store):
    return CalibrationController(store)


def record_step(c: CalibrationController, emotion: str | None = None, *, t0: int = 50_000,
                rng=None, shown: str | None = None, face=True, detail=True) -> int:
    """Count down, then feed the current step's frames of the synthetic actor showing
    ``shown`` (default: what the step asks); returns the frames fed."""
    rng = rng if rng is not None else np.random.default_rng(len(c.recordings))
    assert c.step is Step.COUNTDOWN
    c.begin_recording()
    assert c.step is Step.RECORDING
    what = shown or emotion or c.current.emotion
    n = 0
    t = t0
    while c.step is Step.RECORDING:
        p = probs_of(what, rng, 0.03) if face else None
        b = blend_of(what, rng, 0.03) if (face and detail) else None
        c.feed(t, p, b, (0.0, 0.0, 0.0) if b is not None else None)
        t += FRAME_MS
        n += 1
        assert n < 10_000
    return n


def test_the_routine_has_the_profile_scripts_steps_and_timing():
    steps = routine_steps()
    script = routine_script()
    assert [s.emotion for s in steps] == list(ROUTINE_ORDER)
    assert [(s.start_ms, s.start_ms + s.duration_ms) for s in steps] == \
        [(c.start_ms, c.end_ms) for c in script.cues]
    assert all(s.duration_ms == LINE_MS for s in steps)
    assert steps[3].instruction == "Now show: surprise" and "jaw drop" in steps[3].text
    assert steps[0].instruction == "Relax your face"
    assert steps[1].start_ms == LINE_MS + GAP_MS


def test_the_whole_routine_learns_a_profile_and_saves_it_with_the_calibration(controller, store):
    c = controller
    assert c.step is Step.INTRO and c.can_start("Ann") and not c.can_start("  ")
    assert not c.feed(0, RELAXED)  # nothing is recorded before a step's 3-2-1 ends
    c.start(full=True)
    seen = []
    for i, emotion in enumerate(ROUTINE_ORDER):
        assert c.index == i and c.current.emotion == emotion
        frames = record_step(c)
        # each step lasts its LINE_MS of source time, whatever time the source started at
        assert frames == pytest.approx(LINE_MS / FRAME_MS, abs=2)
        assert c.step is Step.CHECK
        check = c.check()
        assert check.ok and check.warnings == (), check
        assert "Face found in 100%" in check.facts and "face detail in 100%" in check.facts
        seen.append(c.next())
    assert seen == [False] * 6 + [True] and c.step is Step.LEARNING
    assert store.list() == []  # nothing stored before Save
    outcome = c.learn("Ann")
    assert outcome.problem == "" and outcome.saveable
    assert c.finish(outcome) and c.step is Step.RESULT
    rows = {r.emotion: r for r in reliability_rows(outcome.profile)}
    assert set(rows) == set(EMOTIONS) and all(r.share >= 0.8 for r in rows.values())
    assert rows["sad"].cnn < 0.2  # the CNN alone reads this actor's sad face as neutral
    assert rows["sad"].verdict == "reliable" and rows["sad"].frames >= 80
    assert outcome.profile.warnings == ()
    assert c.can_save("Ann") and not c.can_save("")
    paths = c.save("Ann ")
    assert {p.name for p in paths} == {"Ann.json"}
    assert store.list() == ["Ann"] and ExpressionProfileStore(store.root).list() == ["Ann"]
    loaded = ExpressionProfileStore(store.root).load("Ann")
    assert loaded.actor == "Ann" and loaded.reliability == pytest.approx(outcome.profile.reliability, abs=1e-3)
    # the relaxed face's actions: this actor's resting squint is the baseline
    assert loaded.baseline["eye_squint"] == pytest.approx(0.3, abs=0.03)
    # and the neutral calibration learned on the same relaxed frames
    assert EMOTIONS[int(np.argmax(store.load("Ann").baseline))] == "neutral"


def test_again_records_one_step_again_and_keeps_the_others(controller):
    c = controller
    c.start()
    record_step(c)
    c.next()  # neutral kept
    record_step(c, shown="neutral")  # asked for happy, stayed relaxed
    check = c.check()
    assert check.ok and any("Not distinct" in w for w in check.warnings)
    c.again()
    assert c.step is Step.COUNTDOWN and c.index == 1 and c.current.emotion == "happy"
    record_step(c)
    assert c.check().warnings == ()
    c.next()
    assert [r.step.emotion for r in c.recordings] == ["neutral", "happy"]
    happy = c.recordings[1].actions()
    assert np.median(happy[:, 8]) > 0.5  # the smile of the second happy take, not the first


def test_an_unsteady_step_is_warned_about_before_moving_on(controller):
    c = controller
    c.start()
    c.begin_recording()
    rng = np.random.default_rng(5)
    t = 0
    while c.step is Step.RECORDING:
        shown = ("happy", "angry", "surprise")[int(rng.integers(3))]
        c.feed(t, probs_of(shown, rng), blend_of(shown, rng, 0.02))
        t += FRAME_MS
    assert any("Not steady" in w for w in c.check().warnings) and c.can_go_on


def test_too_few_frames_with_face_detail_block_the_step_with_one_message(controller):
    c = controller
    c.start()
    record_step(c, detail=False)  # faces, but the face mesh is off
    check = c.check()
    assert not check.ok and not c.can_go_on and len(check.problems) == 1
    assert "Too few frames" in check.problems[0] and "no face detail" in check.problems[0]
    assert not c.next() and c.step is Step.CHECK
    c.again()
    record_step(c, face=False)  # nobody in front of the camera
    assert "face was not found" in c.check().problems[0]
    c.again()
    record_step(c)
    assert c.can_go_on


def test_learning_from_too_few_frames_is_one_clear_sentence_and_saves_nothing(store):
    # a routine whose steps are so short they hold too few settled frames
    steps = tuple(RoutineStep(e, "", SETTLE_MS + 100, i * 2000) for i, e in enumerate(ROUTINE_ORDER))
    c = CalibrationController(store, steps=steps)
    c.start()
    for _ in steps:
        record_step(c)
        c.recordings = c.recordings[: c.index] + [c.recording]  # force past the check
        c.step = Step.CHECK if not c.last_step else Step.LEARNING
        if not c.last_step:
            c.index += 1
            c.step = Step.COUNTDOWN
    outcome = c.learn("Ann")
    assert outcome.profile is None and not outcome.saveable
    assert "only" in outcome.problem and "frames with face detail" in outcome.problem
    assert "\n" not in outcome.problem
    c.finish(outcome)
    assert not c.can_save("Ann")
    with pytest.raises(ValueError):
        c.save("Ann")
    assert store.list() == [] and ExpressionProfileStore(store.root).list() == []


def test_cancelling_mid_routine_drops_everything_and_stale_learning_is_ignored(controller, store):
    c = controller
    c.start()
    for _ in range(3):
        record_step(c)
        c.next()
    c.cancel()
    assert c.step is Step.INTRO and c.recordings == [] and c.outcome is None
    assert store.list() == [] and ExpressionProfileStore(store.root).list() == []
    # a learning that began before a restart does not land in the new run
    c.start()
    for _ in ROUTINE_ORDER:
        record_step(c)
        c.next()
    generation = c.generation
    outcome = c.learn("Ann")
    c.cancel()
    assert not c.finish(outcome, generation) and c.outcome is None


def test_a_looping_clip_does_not_end_a_step_early(controller):
    c = controller
    c.start()
    c.begin_recording()
    times = list(range(3000, 5000, FRAME_MS)) + list(range(0, 3000, FRAME_MS))  # loops back
    for t in times:
        c.feed(t, probs_of("neutral"), blend_of("neutral"))
    assert c.step is Step.CHECK and c.recording.frames == pytest.approx(LINE_MS / FRAME_MS, abs=2)


def test_the_quick_neutral_calibration_is_one_step(controller, store):
    c = controller
    c.start(full=False)
    assert c.steps == (c.neutral_step,) and c.current.duration_ms == 5000
    c.begin_recording()
    t = 10_000
    while c.step is Step.RECORDING:
        c.feed(t, RELAXED)
        t += FRAME_MS
    assert c.step is Step.LEARNING  # no check, no blendshapes needed
    outcome = c.learn("Ada")
    c.finish(outcome)
    assert outcome.profile is None and outcome.saveable
    assert outcome.neutral_before == 0.0 and outcome.neutral_after == 1.0
    c.save("Ada")
    assert store.list() == ["Ada"] and ExpressionProfileStore(store.root).list() == []


def test_a_face_missing_too_often_gives_a_sentence_and_nothing_to_save(controller):
    c = controller
    c.start(full=False)
    c.begin_recording()
    i, t = 0, 0
    while c.step is Step.RECORDING:
        c.feed(t, RELAXED if i % 4 == 0 else None)
        i, t = i + 1, t + FRAME_MS
    outcome = c.learn("Ada")
    c.finish(outcome)
    assert c.result is None and "record again" in outcome.problem
    assert not c.can_save("Ada")
    c.start()  # record again: the old outcome goes
    assert c.outcome is None and c.recordings == []
