"""Neutral calibration from the app: record a relaxed face that the model reads as sad,
store it as the actor's profile, and see the Calibrated switch turn a neutral-ish
reading from sad into neutral (live, in the script panel)."""

from __future__ import annotations

import numpy as np

from acting_mirror.core.calibration import ProfileStore
from acting_mirror.core.follower import ScriptFollower
from acting_mirror.core.script import parse_script
from acting_mirror.core.types import EMOTIONS, Box, Face
from acting_mirror.gui.calibration import CalibrationDialog
from acting_mirror.gui.script_panel import ScriptPanel


def probs(**values: float) -> np.ndarray:
    p = np.zeros(len(EMOTIONS), dtype=np.float32)
    for name, v in values.items():
        p[EMOTIONS.index(name)] = v
    rest = [i for i, e in enumerate(EMOTIONS) if e not in values]
    p[rest] = (1.0 - p.sum()) / len(rest)
    return p


# this actor's relaxed face: the model says sad more than neutral
RELAXED = probs(sad=0.52, neutral=0.33)
# later, a face that is only a little sad-looking: raw, it still reads sad
NEUTRALISH = probs(sad=0.44, neutral=0.40)


def _record(qtbot, dialog, rows_by_time):
    dialog.start()
    qtbot.waitUntil(lambda: dialog.phase == "recording", timeout=3000)
    for t, row in rows_by_time:
        dialog.feed(t, row)
    assert dialog.phase == "result"


def test_calibrating_a_biased_relaxed_face_makes_a_neutralish_face_read_neutral(qtbot, tmp_path):
    store = ProfileStore(tmp_path / "data")
    dialog = CalibrationDialog(store, actor="Ada", countdown_interval_ms=20, duration_ms=2000)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.phase == "intro" and dialog.start_button.isEnabled()
    rng = np.random.default_rng(1)
    rows = []
    for i, t in enumerate(range(0, 2400, 33)):
        noisy = np.clip(RELAXED + rng.normal(0, 0.02, RELAXED.shape), 0.001, None)
        rows.append((t + 10_000, (noisy / noisy.sum()).astype(np.float32) if i % 10 else None))
    _record(qtbot, dialog, rows)
    assert "sad" in dialog.result_label.text() and "Without calibration 0%" in dialog.result_label.text()
    assert dialog.save_button.isEnabled()
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.save_button.click()
    assert saved.args == ["Ada"] and store.list() == ["Ada"]
    baseline = store.load("Ada").baseline
    assert EMOTIONS[int(np.argmax(baseline))] == "sad"

    # the script panel: pick the actor, switch Calibrated on and off
    script = parse_script("neutral Sit down. Tell me everything.\n", name="tele.txt")
    panel = ScriptPanel()
    qtbot.addWidget(panel)
    panel.set_script(script)
    panel.set_actors(store.list(), current="Ada")
    face = Face(Box(0, 0, 40, 40), probs=NEUTRALISH, face_id=1, primary=True)

    def reading(calibrated: bool) -> str:
        panel.calibrated_check.setChecked(calibrated)
        calibration = store.load(panel.actor) if panel.calibrated else None
        follower = ScriptFollower(script, calibration=calibration)
        follower.start(0)
        panel.show_state(follower.update(0, face))
        return panel.state.detected

    assert reading(calibrated=True) == "neutral"
    assert "neutral" in panel.detected_label.text() and "on target" in panel.hint_label.text()
    assert reading(calibrated=False) == "sad"
    assert "sad" in panel.detected_label.text()
    assert panel.hint_label.text().startswith("Relax")


def test_a_recording_without_a_face_asks_to_record_again(qtbot, tmp_path):
    store = ProfileStore(tmp_path / "data")
    dialog = CalibrationDialog(store, actor="Ben", countdown_interval_ms=20, duration_ms=1000)
    qtbot.addWidget(dialog)
    _record(qtbot, dialog, [(t, None) for t in range(0, 1300, 33)])
    assert dialog.result is None and not dialog.save_button.isEnabled()
    assert "record again" in dialog.result_label.text()
    assert store.list() == []
    dialog.again_button.click()
    assert dialog.phase == "countdown"
    dialog.reject()  # closing stops the countdown
    assert not dialog.countdown.running
