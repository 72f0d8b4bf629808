"""The review's sound without a sound server: a take with no audio.wav reviews silently
and says so once; a take with sound but no audio output shows its waveform and plays
silently; the waveform strip shares the curves' time axis and shades the actor's speech;
the report (HTML and the review's line table) shows each line's speech timing."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from acting_mirror.app import process_to_take
from acting_mirror.audio import player as player_module
from acting_mirror.audio.vad import write_speech
from acting_mirror.audio.wavfile import write_wav
from acting_mirror.core.script import parse_script
from acting_mirror.core.takefiles import AUDIO_WAV, REPORT_HTML, REPORT_JSON, SPEECH_JSON
from acting_mirror.gui.review import ReviewWindow
from acting_mirror.gui.review_sound import NO_SOUND
from acting_mirror.gui.review_waveform import ENVELOPE_POINTS, envelope

FPS = 10
RATE = 16000
SCRIPT = """\
0:00-0:02 happy    Look at that view!
0:02-0:04 neutral  The numbers don't add up.
"""
SPOKEN = [(300, 1500), (2300, 3600)]


@pytest.fixture(scope="module")
def silent_take(tmp_path_factory, make_clip, _photos):
    """A 4 s take at 10 fps (astronaut, then Grace Hopper) with no sound."""
    a = cv2.resize(_photos["astronaut"][:400, 50:450], (200, 200))
    h = cv2.resize(_photos["grace_hopper"][:500, :500], (200, 200))
    frames = [(a if i < 2 * FPS else h).copy() for i in range(4 * FPS)]
    for i, f in enumerate(frames):
        f[-8:, (i * 4) % 180 : (i * 4) % 180 + 20] = 255
    root = tmp_path_factory.mktemp("silent")
    clip = make_clip(root / "scene.avi", frames, FPS)
    return process_to_take(str(clip), out_dir=root / "take", takes_root=root).folder


def _copy_take(src, dst):
    import shutil

    shutil.copytree(src, dst)
    return dst


def _voice(seconds: float = 4.0) -> np.ndarray:
    """A tone where the actor 'speaks' (SPOKEN), quiet hiss elsewhere."""
    t = np.arange(int(seconds * RATE)) / RATE
    x = np.random.default_rng(3).normal(0, 60, t.size)
    for a, b in SPOKEN:
        on = (t >= a / 1000) & (t < b / 1000)
        x[on] += 9000 * np.sin(2 * np.pi * 220 * t[on])
    return x.astype(np.int16)


@pytest.fixture
def sound_take(silent_take, tmp_path):
    folder = _copy_take(silent_take, tmp_path / "take")
    write_wav(folder / AUDIO_WAV, _voice(), RATE)
    write_speech(folder, SPOKEN)
    return folder


@pytest.fixture
def no_output(monkeypatch):
    """A real miniaudio device that cannot open: only JACK asked for, and no JACK server."""
    import miniaudio

    monkeypatch.setattr(player_module, "_backends", lambda: [miniaudio.Backend.JACK])


def _open(qtbot, folder):
    window = ReviewWindow(folder)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_a_take_without_sound_reviews_silently_and_says_so_once(qtbot, silent_take):
    window = _open(qtbot, silent_take)
    sound = window.sound
    assert not sound.available
    assert sound.note.text() == NO_SOUND
    assert not sound.strip.isVisible() and not sound.mute_button.isEnabled()
    window.play()
    qtbot.waitUntil(lambda: not window.playing, timeout=20000)  # plays to the end
    assert window.current == window.take.n_frames - 1
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    QTest.keyClick(window, Qt.Key.Key_M)  # nothing to mute
    assert not sound.muted
    window.step(-1)  # no grain, no error
    assert window.current == window.take.n_frames - 2
    assert sound.note.text() == NO_SOUND
    assert sound.restarts == 0
    window.close()


def test_sound_without_an_audio_output_plays_silently_with_its_waveform(qtbot, sound_take,
                                                                         no_output):
    window = _open(qtbot, sound_take)
    sound = window.sound
    assert not sound.available
    assert sound.note.text().startswith("No audio output")
    assert sound.strip.isVisible() and sound.strip.points > 0
    window.play()
    qtbot.waitUntil(lambda: not window.playing, timeout=20000)
    assert window.current == window.take.n_frames - 1
    window.close()


def test_the_waveform_shares_the_curves_time_axis_and_shades_the_speech(qtbot, sound_take,
                                                                        no_output):
    window = _open(qtbot, sound_take)
    strip, plot = window.sound.strip, window.plot
    assert strip.x_range() == pytest.approx(tuple(plot.getPlotItem().getViewBox().viewRange()[0]))
    window.resize(window.width() - 200, window.height())
    qtbot.wait(50)
    assert strip.x_range() == pytest.approx(tuple(plot.getPlotItem().getViewBox().viewRange()[0]))
    # the same time is drawn at the same x on screen in both
    for t_ms in (500.0, 3000.0):
        on_plot = plot.mapToGlobal(window.plot_point_for(t_ms)).x()
        vb = strip.getPlotItem().getViewBox()
        from PySide6.QtCore import QPointF

        on_strip = strip.mapToGlobal(strip.mapFromScene(vb.mapViewToScene(QPointF(t_ms / 1000, 0)))).x()
        assert abs(on_plot - on_strip) <= 2
    assert strip.segments == SPOKEN
    # the envelope is loud where the actor spoke, quiet between
    t, peak = strip.upper.getData()
    assert peak[(t > 0.4) & (t < 1.4)].min() > 0.8
    assert peak[(t > 1.6) & (t < 2.2)].max() < 0.05
    # a click on the strip seeks there
    vb = strip.getPlotItem().getViewBox()
    from PySide6.QtCore import QPointF

    point = strip.mapFromScene(vb.mapViewToScene(QPointF(2.5, 0.0)))
    QTest.mouseClick(strip.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.waitUntil(lambda: abs(window.current_time_ms - 2500) <= 100, timeout=5000)
    assert strip.cursor.value() == pytest.approx(window.current_time_ms / 1000)
    window.close()


def test_m_toggles_the_mute_button(qtbot, sound_take, no_output):
    window = _open(qtbot, sound_take)
    button = window.sound.mute_button
    button.setEnabled(True)  # no output here: the key still flips the switch
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    QTest.keyClick(window, Qt.Key.Key_M)
    assert window.sound.muted and button.text().startswith("Muted")
    QTest.keyClick(window, Qt.Key.Key_M)
    assert not window.sound.muted
    window.close()


def test_envelope_of_a_ten_minute_take_is_small_and_in_place():
    n = 10 * 60 * RATE
    x = np.zeros(n, dtype=np.int16)
    x[300 * RATE : 301 * RATE] = 20000  # one loud second at 5:00
    x[-10:] = -32768  # the most negative sample counts as loud (no int16 overflow)
    t, peak = envelope(x, RATE)
    assert len(t) <= ENVELOPE_POINTS and len(t) >= ENVELOPE_POINTS - 1
    loud = t[peak > 0.5]
    assert loud.min() >= 299.8 and loud[loud < 500].max() <= 301.2
    assert peak[-1] == pytest.approx(1.0)
    assert peak[np.abs(t - 100) < 1].max() == 0.0
    assert envelope(np.zeros(0, np.int16), RATE)[0].size == 0


def test_the_report_shows_speech_timing_where_the_take_has_it(qtbot, sound_take, silent_take,
                                                              no_output):
    window = _open(qtbot, sound_take)
    window.score_with(parse_script(SCRIPT))
    data = json.loads((sound_take / REPORT_JSON).read_text())
    assert [line["speech"]["start_ms"] for line in data["lines"]] == [300, 300]
    assert [line["speech"]["spoken_ms"] for line in data["lines"]] == [1200, 1300]
    view = window.report_view
    col = view.table.horizontalHeaderItem(7).text()
    assert col == "Voice" and not view.table.isColumnHidden(7)
    assert view.cell_text(0, "Voice").splitlines()[:2] == ["in 0.3 s", "spoke 1.2 s"]
    tip = view.table.item(1, 7).toolTip()  # beside the video, the face is in the tooltip
    assert "face:" in tip and "speaking" in tip
    page = (sound_take / REPORT_HTML).read_text()
    assert 'class="voice">Voice: in 0.3 s · spoke 1.2 s · face:' in page
    assert "Voice: in 0.3 s · spoke 1.3 s" in page
    window.close()

    # a take without sound: no Voice column anywhere
    quiet = _copy_take(silent_take, sound_take.parent / "quiet")
    other = _open(qtbot, quiet)
    other.score_with(parse_script(SCRIPT))
    assert other.report_view.table.isColumnHidden(7)
    assert "Voice:" not in (quiet / REPORT_HTML).read_text()
    assert not (quiet / SPEECH_JSON).exists()
    other.close()


def test_a_sound_and_picture_of_different_lengths_are_said_to_differ():
    from acting_mirror.gui.review_sound import length_note

    assert length_note(12.3, 12.0) == ""
    assert length_note(600.0, 590.0) == ""  # within 5 %
    note = length_note(48.5, 11.5)
    assert "48.5 s" in note and "11.5 s" in note and "may not line up" in note


def test_the_review_says_how_the_face_read_while_the_partner_spoke(qtbot, sound_take, no_output):
    scene = parse_script(
        "0:00-0:02 happy  I got the part!\n"
        "0:02-0:04 @THEO: Where is it?\n",
        name="scene.txt",
    )
    window = _open(qtbot, sound_take)
    window.score_with(scene)
    data = json.loads((sound_take / REPORT_JSON).read_text())
    assert [entry["speaker"] for entry in data["listening"]] == ["THEO"]
    label = window.report_view.listening_label
    assert label.isVisible()
    assert label.text().startswith("While your partner spoke: line 2 (THEO): ")
    window.close()
