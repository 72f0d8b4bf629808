"""The live script panel, the 3-2-1 countdown and the script shading on the curves, fed
with the states a real ScriptFollower produces."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from acting_mirror.core.follower import ScriptFollower
from acting_mirror.core.palette import emotion_color_hex
from acting_mirror.core.script import parse_script
from acting_mirror.core.types import EMOTIONS, Box, Face
from acting_mirror.gui.countdown import ACTION_TEXT, Countdown, CountdownOverlay
from acting_mirror.core.spans import spans_of
from acting_mirror.gui.script_panel import ScriptPanel
from acting_mirror.gui.script_regions import ScriptRegions

TIMED = """\
0:00-0:02 happy    We made it!
0:02-0:04 surprise Wait, what is that?
0:05-0:07 sad      It's gone.
"""

TELEPROMPTER = """\
neutral  So. You came back.
happy    I can't believe it!
"""


def face(**probs: float) -> Face:
    """A primary face whose probabilities are ``probs`` (the rest share what is left)."""
    p = np.zeros(len(EMOTIONS), dtype=np.float32)
    for name, value in probs.items():
        p[EMOTIONS.index(name)] = value
    rest = [i for i, e in enumerate(EMOTIONS) if e not in probs]
    p[rest] = (1.0 - p.sum()) / len(rest)
    return Face(Box(10, 10, 50, 50), probs=p, face_id=1, primary=True)


def test_panel_follows_a_timed_take_line_by_line(qtbot):
    script = parse_script(TIMED, name="scene.txt")
    panel = ScriptPanel()
    qtbot.addWidget(panel)
    panel.set_script(script)
    panel.show()
    assert panel.name_label.text() == "scene.txt"
    assert "timed" in panel.form_label.text() and "3 lines" in panel.form_label.text()
    # before the take: the first line, dimmed, and how to begin
    assert panel.line_label.text() == "We made it!"
    assert "UP FIRST" in panel.counter_label.text()
    assert "Start take" in panel.start_button.text()
    assert not panel.next_button.isVisible()  # a timed script follows the clock

    follower = ScriptFollower(script)
    panel.show_state(follower.update(0, face(neutral=0.8)))
    assert "get ready" in panel.hint_label.text().lower()

    follower.start(1000)
    panel.set_phase("take")
    assert "Stop take" in panel.start_button.text()

    # line 1, happy: the face reads neutral, then happy
    panel.show_state(follower.update(1000, face(neutral=0.7, happy=0.1)))
    assert panel.line_label.text() == "We made it!"
    assert "LINE 1 OF 3" in panel.counter_label.text()
    assert "HAPPY" in panel.target_label.text()
    assert emotion_color_hex("happy") in panel.target_label.text()
    assert "neutral" in panel.detected_label.text()
    assert panel.hint_label.text() == "More joy"
    assert panel.meter_value == 0
    assert "surprise" in panel.next_label.text().lower() and "Wait, what is that?" in panel.next_label.text()
    for t in (1100, 1200, 1300):
        panel.show_state(follower.update(t, face(happy=0.8)))
    assert panel.meter_value == 75  # 3 of the line's 4 face frames on target
    assert "on target" in panel.hint_label.text()
    assert "happy" in panel.detected_label.text() and "✓" in panel.detected_label.text()

    # line 2, surprise: the meter starts again
    panel.show_state(follower.update(3100, face(happy=0.6)))
    assert panel.line_label.text() == "Wait, what is that?"
    assert "LINE 2 OF 3" in panel.counter_label.text()
    assert "SURPRISE" in panel.target_label.text()
    assert panel.meter_value == 0
    assert panel.hint_label.text() == "That reads as happy — more surprise"
    assert "It's gone." in panel.next_label.text()
    # the whole scene is listed: line 1 played (✓), line 2 now (▶), line 3 to come
    scene = panel.scene_label.text()
    assert scene.index("✓") < scene.index("We made it!") < scene.index("▶") < scene.index("Wait, what")
    assert scene.count("✓") == 1 and scene.count("▶") == 1 and "It's gone." in scene

    # the gap between lines 2 and 3: the next line, dimmed, with the wait
    panel.show_state(follower.update(5300, face(neutral=0.9)))
    assert panel.line_label.text() == "It's gone."
    assert "NEXT IN 1 S" in panel.counter_label.text()
    assert not panel.meter.isEnabled()

    # line 3 with no face, then the end
    panel.show_state(follower.update(6200, None))
    assert panel.line_label.text() == "It's gone."
    assert "no face" in panel.detected_label.text()
    assert "face to the camera" in panel.hint_label.text()
    assert "Last line" in panel.next_label.text()
    panel.show_state(follower.update(8100, face(sad=0.9)))
    assert panel.line_label.text() == "Scene complete."
    assert panel.state.finished


def test_panel_teleprompter_advances_with_the_keys_only_during_a_take(qtbot):
    script = parse_script(TELEPROMPTER, name="tele.txt")
    panel = ScriptPanel()
    qtbot.addWidget(panel)
    panel.set_script(script)
    panel.show()
    panel.windowHandle().requestActivate()  # shortcuts need the active window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is panel)
    assert "teleprompter" in panel.form_label.text()
    assert panel.next_button.isVisible() and not panel.next_button.isEnabled()

    advanced = []
    panel.advanceRequested.connect(lambda: advanced.append(True))
    qtbot.keyClick(panel, Qt.Key.Key_Right)
    assert not panel.handle_advance_key()  # Space before the take: the window's play key
    assert advanced == []

    panel.set_phase("take")
    assert panel.next_button.isEnabled()
    qtbot.keyClick(panel, Qt.Key.Key_Right)
    qtbot.keyClick(panel, Qt.Key.Key_PageDown)
    assert panel.handle_advance_key()  # what the window does with Space
    qtbot.mouseClick(panel.next_button, Qt.MouseButton.LeftButton)
    assert len(advanced) == 4

    follower = ScriptFollower(script)
    follower.start(0)
    panel.show_state(follower.update(0, face(neutral=0.9)))
    assert panel.line_label.text() == "So. You came back."
    assert "(Space)" in panel.next_label.text() and "I can't believe it!" in panel.next_label.text()
    follower.advance(500)
    panel.show_state(follower.update(533, face(happy=0.9)))
    assert panel.line_label.text() == "I can't believe it!"
    assert panel.meter_value == 100


def test_panel_buttons_ask_for_start_cancel_and_stop(qtbot):
    panel = ScriptPanel()
    qtbot.addWidget(panel)
    assert panel.pages.currentIndex() == 0  # no script: the open / example page
    asked = []
    panel.exampleRequested.connect(lambda: asked.append("example"))
    qtbot.mouseClick(panel.example_button, Qt.MouseButton.LeftButton)
    panel.set_script(parse_script(TIMED, name="scene.txt"))
    for signal, name in ((panel.startRequested, "start"), (panel.cancelRequested, "cancel"),
                         (panel.stopRequested, "stop")):
        signal.connect(lambda n=name: asked.append(n))
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    panel.set_phase("countdown")
    assert not panel.open_button.isEnabled()
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    panel.set_phase("take")
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    assert asked == ["example", "start", "cancel", "stop"]


def test_panel_actor_choice_enables_the_calibrated_switch(qtbot):
    panel = ScriptPanel()
    qtbot.addWidget(panel)
    panel.set_actors(["Ada", "Ben"], current="")
    assert not panel.calibrated_check.isEnabled() and not panel.calibrated
    chosen = []
    panel.actorChanged.connect(chosen.append)
    panel.actor_combo.setCurrentIndex(panel.actor_combo.findData("Ben"))
    panel.actor_combo.activated.emit(panel.actor_combo.currentIndex())
    assert chosen == ["Ben"] and panel.actor == "Ben"
    assert panel.calibrated_check.isEnabled()
    panel.calibrated_check.setChecked(True)
    assert panel.calibrated


def test_countdown_counts_three_two_one_then_starts(qtbot):
    countdown = Countdown(3, interval_ms=40)
    ticks = []
    countdown.tick.connect(ticks.append)
    with qtbot.waitSignal(countdown.started, timeout=3000):
        countdown.start()
        assert countdown.running and countdown.remaining == 3
    assert ticks == [3, 2, 1]
    assert not countdown.running


def test_countdown_overlay_shows_the_numbers_over_its_widget_and_can_be_cancelled(qtbot):
    video = pg.QtWidgets.QWidget()
    qtbot.addWidget(video)
    video.resize(640, 360)
    video.show()
    overlay = CountdownOverlay(video)
    countdown = Countdown(3, interval_ms=40)
    overlay.attach(countdown)
    overlay.set_caption("Up first: happy — We made it!")
    seen = []
    countdown.tick.connect(lambda n: seen.append(overlay.text))
    with qtbot.waitSignal(countdown.started, timeout=3000):
        countdown.start()
    assert seen == ["3", "2", "1"]
    assert overlay.text == ACTION_TEXT and overlay.geometry() == video.rect()
    qtbot.waitUntil(lambda: not overlay.isVisible(), timeout=3000)  # "Action!" goes away
    video.resize(800, 450)
    countdown.start()
    assert overlay.isVisible() and overlay.geometry() == video.rect()
    with qtbot.waitSignal(countdown.cancelled, timeout=1000):
        countdown.cancel()
    assert not overlay.isVisible()


def test_script_regions_shade_each_line_in_its_target_colour_and_slide_with_time(qtbot):
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    plot.setXRange(-20, 0, padding=0)
    script = parse_script(TIMED, name="scene.txt")
    regions = ScriptRegions(plot.getPlotItem())
    regions.set_spans(spans_of(script))
    assert regions.regions() == [(0.0, 2.0), (2.0, 4.0), (5.0, 7.0)]
    assert regions.region_colors() == [emotion_color_hex(e).lower() for e in ("happy", "surprise", "sad")]
    regions.set_shift(7000)  # live: the take is 7 s in, "now" is x = 0
    assert regions.regions() == [(-7.0, -5.0), (-5.0, -3.0), (-2.0, 0.0)]
    items = len(plot.getPlotItem().items)
    regions.set_spans(spans_of(script)[:1])
    assert regions.regions() == [(-7.0, -5.0)]
    assert len(plot.getPlotItem().items) == items  # hidden and reused, never re-created
