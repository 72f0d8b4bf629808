"""CalibrationController without Qt: the steps, the recording, the outcome and saving the
profile, in a real ProfileStore."""

from __future__ import annotations

import numpy as np
import pytest

from acting_mirror.controllers.calibration import CalibrationController, Step
from acting_mirror.core.calibration import ProfileStore
from acting_mirror.core.types import EMOTIONS


def probs(**values: float) -> np.ndarray:
    p = np.zeros(len(EMOTIONS), dtype=np.float32)
    for name, v in values.items():
        p[EMOTIONS.index(name)] = v
    rest = [i for i, e in enumerate(EMOTIONS) if e not in values]
    p[rest] = (1.0 - p.sum()) / len(rest)
    return p


RELAXED = probs(sad=0.52, neutral=0.33)  # this actor's relaxed face reads sad


@pytest.fixture
def controller(tmp_path):
    return CalibrationController(ProfileStore(tmp_path / "profiles"), duration_ms=1000, warmup_ms=100)


def test_the_steps_from_the_instructions_to_a_saved_profile(controller):
    assert controller.step is Step.INTRO and controller.step == "intro"
    assert controller.can_start("Ada") and not controller.can_start("   ")
    assert not controller.feed(0, RELAXED, "Ada")  # nothing is recorded before the 3-2-1 ends
    controller.start()
    assert controller.step is Step.COUNTDOWN and not controller.feed(0, RELAXED, "Ada")
    controller.begin_recording()
    assert controller.step is Step.RECORDING
    ended = [controller.feed(t, RELAXED, "Ada") for t in range(5000, 6200, 33)]
    assert ended.count(True) == 1 and controller.step is Step.RESULT
    outcome = controller.outcome
    assert outcome.problem == "" and outcome.calibration is not None
    assert outcome.neutral_before == 0.0 and outcome.neutral_after == 1.0
    assert controller.can_save("Ada") and not controller.can_save("")
    path = controller.save("Ada")
    assert path.is_file() and controller.store.list() == ["Ada"]
    assert controller.store.load("Ada").n_frames == outcome.calibration.n_frames


def test_a_face_missing_too_often_gives_a_sentence_and_nothing_to_save(controller):
    controller.start()
    controller.begin_recording()
    for i, t in enumerate(range(0, 1200, 33)):
        controller.feed(t, RELAXED if i % 4 == 0 else None, "Ada")
    assert controller.step is Step.RESULT and controller.result is None
    assert "record again" in controller.outcome.problem
    assert not controller.can_save("Ada")
    with pytest.raises(ValueError):
        controller.save("Ada")
    controller.start()  # record again: the old outcome goes
    assert controller.outcome is None and controller.recorder.frames == 0
