"""Calibration from the app: the guided expression-profile routine fed frames of a
synthetic actor (live picture, a step per emotion, Again, learning off the GUI thread,
reliability shown, saved), Esc never saving, too few frames said in one sentence; and
the quick neutral calibration turning a neutral-ish reading from sad into neutral."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core"))

from synthetic_face import blend_of, probs_of  # noqa: E402

from acting_mirror.controllers.routine import RoutineStep  # noqa: E402
from acting_mirror.core.calibration import ProfileStore  # noqa: E402
from acting_mirror.core.follower import ScriptFollower  # noqa: E402
from acting_mirror.core.profile import (  # noqa: E402
    GAP_MS, ROUTINE_ORDER, ExpressionProfileStore,
)
from acting_mirror.core.script import parse_script  # noqa: E402
from acting_mirror.core.types import EMOTIONS, Box, Face  # noqa: E402
from acting_mirror.gui.calibration import CalibrationDialog  # noqa: E402
from acting_mirror.gui.script_panel import ScriptPanel  # noqa: E402

FRAME_MS = 33
STEP_MS = 2000  # shorter steps than the routine's 4 s: the same code, fewer frames
STEPS = tuple(RoutineStep(e, f"Show {e}.", STEP_MS, i * (STEP_MS + GAP_MS))
              for i, e in enumerate(ROUTINE_ORDER))


def probs(**values: float) -> np.ndarray:
    p = np.zeros(len(EMOTIONS), dtype=np.float32)
    for name, v in values.items():
        p[EMOTIONS.index(name)] = v
    rest = [i for i, e in enumerate(EMOTIONS) if e not in values]
    p[rest] = (1.0 - p.sum()) / len(rest)
    return p


RELAXED = probs(sad=0.52, neutral=0.33)
NEUTRALISH = probs(sad=0.44, neutral=0.40)


class Picture:
    """What the window hands its picture observers (a DisplayFrame's two fields used)."""

    def __init__(self, color: str):
        self.image = QImage(64, 48, QImage.Format.Format_RGB888)
        self.image.fill(QColor(color))
        self.captured_at = 0.0


def make_dialog(qtbot, store, **kwargs):
    kwargs.setdefault("countdown_interval_ms", 10)
    dialog = CalibrationDialog(store, steps=STEPS, **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def act(qtbot, dialog, shown: str | None = None, *, detail=True, rng=None):
    """Wait for the 3-2-1, then feed the step's frames (and pictures) until it ends."""
    qtbot.waitUntil(lambda: dialog.phase == "recording", timeout=3000)
    assert dialog.pages.currentWidget() is dialog._live_page
    emotion = shown or dialog.controller.current.emotion
    rng = rng or np.random.default_rng(len(dialog.controller.recordings))
    t = 100_000
    while dialog.phase == "recording":
        dialog.show_picture(Picture("#336699"))
        b = blend_of(emotion, rng, 0.03) if detail else None
        dialog.feed(t, probs_of(emotion, rng, 0.03), b, (0.0, 0.0, 0.0))
        t += FRAME_MS


def test_the_routine_step_by_step_with_again_learns_and_saves_the_profile(qtbot, tmp_path):
    store = ProfileStore(tmp_path / "data")
    turned_on = []
    dialog = make_dialog(qtbot, store, actor="Ann", face_detail_on=False,
                         turn_face_detail_on=lambda: turned_on.append(True))
    assert dialog.phase == "intro" and dialog.full_radio.isChecked()
    assert "turns it on" in dialog.detail_label.text()
    dialog.start_button.click()
    assert turned_on == [True]  # the routine needs the face mesh: it switched it on
    qtbot.waitUntil(lambda: dialog.phase == "recording", timeout=3000)
    assert dialog.instruction_label.text() == "Relax your face"
    assert dialog.video.frames_shown == 0
    for i, emotion in enumerate(ROUTINE_ORDER):
        if emotion == "surprise":  # first the actor stays relaxed: flagged, recorded again
            act(qtbot, dialog, shown="neutral")
            assert "Not distinct" in dialog.check_label.text()
            assert dialog.again_button.isVisible() and dialog.next_button.isEnabled()
            dialog.again_button.click()
            qtbot.waitUntil(lambda: dialog.phase == "recording", timeout=3000)
            assert dialog.instruction_label.text() == "Now show: surprise"
        act(qtbot, dialog)
        assert dialog.phase == "check" and dialog.next_button.isEnabled()
        assert f"{emotion.capitalize()} recorded" in dialog.check_label.text()
        assert "Steady and clear" in dialog.check_label.text()
        assert all(f"✓ {e}" in dialog.steps_label.text() for e in ROUTINE_ORDER[:i])
        assert f"● {emotion}" in dialog.steps_label.text()
        assert dialog.video.frames_shown > 0  # the live picture is shown while it records
        if i < len(ROUTINE_ORDER) - 1:
            assert dialog.next_button.text() == f"Next: {ROUTINE_ORDER[i + 1]}"
        else:
            assert dialog.next_button.text() == "Learn my profile"
        assert store.list() == []  # nothing stored before Save
        dialog.next_button.click()
    qtbot.waitUntil(lambda: dialog.phase == "result", timeout=10_000)
    view = dialog.result_view
    assert "how well each emotion is told apart" in view.title.text()
    shares = {e: view.bars[e].value() for e in EMOTIONS}
    assert all(v >= 80 for v in shares.values()), shares
    assert view.verdict_labels["sad"].text() == "reliable"
    assert int(view.cnn_labels["sad"].text().rstrip("%")) < 20  # the model alone misses it
    assert "No warnings" in view.warnings_label.text()
    assert dialog.save_button.isEnabled()
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.save_button.click()
    assert saved.args == ["Ann"] and store.list() == ["Ann"]
    profile = ExpressionProfileStore(store.root).load("Ann")
    assert {e: round(100 * r) for e, r in profile.reliability.items()} == shares


def test_escape_mid_routine_saves_nothing(qtbot, tmp_path):
    store = ProfileStore(tmp_path / "data")
    dialog = make_dialog(qtbot, store, actor="Ann")
    dialog.start_button.click()
    for _ in range(3):
        act(qtbot, dialog)
        dialog.next_button.click()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and not dialog.countdown.running
    assert dialog.phase == "intro" and dialog.controller.recordings == []
    assert store.list() == [] and ExpressionProfileStore(store.root).list() == []


def test_a_step_without_face_detail_cannot_go_on_and_says_why(qtbot, tmp_path):
    store = ProfileStore(tmp_path / "data")
    dialog = make_dialog(qtbot, store, actor="Ann")
    dialog.start_button.click()
    act(qtbot, dialog, detail=False)
    assert dialog.phase == "check" and not dialog.next_button.isEnabled()
    assert "Too few frames" in dialog.check_label.text()
    assert "no face detail" in dialog.check_label.text()
    dialog.reject()


def test_the_quick_neutral_calibration_makes_a_neutralish_face_read_neutral(qtbot, tmp_path):
    store = ProfileStore(tmp_path / "data")
    dialog = make_dialog(qtbot, store, actor="Ada",
                         neutral_step=RoutineStep("neutral", "Relax.", 2000))
    dialog.neutral_radio.setChecked(True)
    dialog.start_button.click()
    qtbot.waitUntil(lambda: dialog.phase == "recording", timeout=3000)
    rng = np.random.default_rng(1)
    for i, t in enumerate(range(0, 2400, FRAME_MS)):
        noisy = np.clip(RELAXED + rng.normal(0, 0.02, RELAXED.shape), 0.001, None)
        dialog.feed(t + 10_000, (noisy / noisy.sum()).astype(np.float32) if i % 10 else None)
    qtbot.waitUntil(lambda: dialog.phase == "result", timeout=5000)
    text = dialog.result_view.title.text()
    assert "sad" in text and "Without calibration 0%" in text
    assert not dialog.result_view.table.isVisible()
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    assert store.list() == ["Ada"] and ExpressionProfileStore(store.root).list() == []
    assert EMOTIONS[int(np.argmax(store.load("Ada").baseline))] == "sad"

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
    assert reading(calibrated=False) == "sad"


def test_a_relaxed_face_missing_too_often_asks_to_record_again(qtbot, tmp_path):
    store = ProfileStore(tmp_path / "data")
    dialog = make_dialog(qtbot, store, actor="Ben",
                         neutral_step=RoutineStep("neutral", "Relax.", 1000))
    dialog.neutral_radio.setChecked(True)
    dialog.start_button.click()
    qtbot.waitUntil(lambda: dialog.phase == "recording", timeout=3000)
    for t in range(0, 1300, FRAME_MS):
        dialog.feed(t, None)
    qtbot.waitUntil(lambda: dialog.phase == "result", timeout=5000)
    assert dialog.result is None and not dialog.save_button.isEnabled()
    assert "record again" in dialog.result_view.title.text()
    dialog.again_button.click()  # "Start over"
    assert dialog.phase == "countdown"
    dialog.reject()
    assert not dialog.countdown.running and store.list() == []
