"""Lines that follow the actor's voice, in the main window: View › Lines follow my voice
(on by default, the pause, headphones) is remembered and reaches the session; in a
teleprompter take with the microphone on, the status bar and the indicator say the app is
listening, and the lines move on when the (recorded) actor pauses, with no key pressed."""

from __future__ import annotations

import dataclasses
import shutil
import threading
import time

import numpy as np
import pytest

from acting_mirror.app import app_services
from acting_mirror.audio import speech

TIMEOUT_MS = 30000
SR = 16000
TELEPROMPTER = """\
happy    Look at that view!
neutral  The numbers don't add up.
"""


def spoken_lines() -> np.ndarray:
    """Both lines said at 16 kHz, each followed by 1.8 s of silence."""
    pieces = [np.zeros(int(0.5 * SR), np.int16)]
    for text in ("Look at that view!", "The numbers don't add up."):
        samples, rate = speech.synthesize(text, 170, "en")
        n = int(round(len(samples) * SR / rate))
        pieces += [np.interp(np.linspace(0, len(samples) - 1, n), np.arange(len(samples)),
                             samples.astype(np.float64)).astype(np.int16),
                   np.zeros(int(1.8 * SR), np.int16)]
    return np.concatenate(pieces)


class SpeakingMic:
    """A microphone that, once started, hands its listeners a prepared signal in real
    time from its own thread (20 ms chunks on the session's clock), as MicRecorder does."""

    available, message, device, rate = True, "", None, SR

    def __init__(self, signal_):
        self.signal, self.listeners, self.active = signal_, [], False
        self._thread = None

    def on_chunk(self, listener):
        self.listeners.append(listener)

    def start(self, folder, clock_origin):
        self.active = True
        self._thread = threading.Thread(target=self._feed, args=(clock_origin,), daemon=True)
        self._thread.start()

    def _feed(self, origin):
        step, fed = SR * 20 // 1000, 0
        while self.active and fed + step <= len(self.signal):
            due = origin + (fed + step) / SR
            time.sleep(max(0.0, due - time.perf_counter()))
            for listener in self.listeners:
                listener(self.signal[fed: fed + step], 1000.0 * fed / SR)
            fed += step

    def stop(self):
        self.active = False
        if self._thread is not None:
            self._thread.join(5)
        return None


def test_the_menu_is_remembered_and_sent(make_window, qtbot):
    from acting_mirror.session.commands import SetVoiceAdvance

    window = make_window()
    menu = window.menus.voice_advance_menu
    assert menu.follow_action.isChecked() and menu.pause_actions[800].isChecked()
    assert not menu.headset_action.isChecked()
    sent, send = [], window.send
    window.send = lambda command: (sent.append(command), send(command))
    menu.pause_actions[1200].trigger()
    menu.headset_action.setChecked(True)
    assert window.prefs.voice_pause_ms == 1200 and window.prefs.headset
    menu.follow_action.setChecked(False)
    assert not window.prefs.voice_advance
    assert sent == [SetVoiceAdvance(True, 1200, False), SetVoiceAdvance(True, 1200, True),
                    SetVoiceAdvance(False, 1200, True)]


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_a_teleprompter_take_follows_the_voice(make_window, qtbot, tmp_path, make_scene):
    mic = SpeakingMic(spoken_lines())
    base = app_services()
    services = dataclasses.replace(base, parts=dataclasses.replace(
        base.parts, microphone=lambda device: mic))
    script_file = tmp_path / "scene.txt"
    script_file.write_text(TELEPROMPTER, encoding="utf-8")
    window = make_window(script=script_file, services=services)
    window.prefs.takes_dir = tmp_path / "takes"
    window.rehearsal.countdown.set_interval(30)
    window.open_source(str(make_scene(seconds=4, switch_s=2, fps=10)), loop=True)
    qtbot.waitUntil(lambda: window.video.frames_shown >= 2, timeout=TIMEOUT_MS)
    panel = window.rehearsal.panel
    window.rehearsal.start_take()
    qtbot.waitUntil(lambda: window.recording_folder is not None, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: "listening" in window.mic_label.text(), timeout=TIMEOUT_MS)
    assert "when you pause" in window.mic_label.toolTip()
    assert window.mic_label.isVisible()
    assert "next line comes up when you pause (0.8 s)" in window.statusBar().currentMessage()
    assert panel.line_label.text() == "Look at that view!"
    qtbot.waitUntil(lambda: panel.state is not None and panel.state.cue is not None
                    and panel.state.cue.index == 1, timeout=TIMEOUT_MS)  # no key pressed
    qtbot.waitUntil(lambda: window.last_take is not None, timeout=TIMEOUT_MS)  # the script ended it
    assert window.last_take.complete and window.last_take.scripted
    assert (window.last_take.folder / "speech.json").is_file()
    assert window.mic_label.text() == "🎙 voice"
