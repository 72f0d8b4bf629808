"""The actor's voice with a take: the microphone opens only while a take records, an
indicator says so, and no microphone is a normal state said once."""

from __future__ import annotations

import dataclasses

from acting_mirror.app import app_services

TIMEOUT_MS = 30000


class FakeMic:
    """A microphone that writes a marker file instead of sound."""

    def __init__(self, device=None, available=True):
        self.device, self.available = device, available
        self.message = "" if available else "No microphone found (PulseAudio has no input)"
        self.active = False
        self.starts = []

    def start(self, folder, clock_origin):
        self.active = True
        self.starts.append(folder)
        (folder / "audio.wav").write_bytes(b"RIFF")

    def stop(self):
        self.active = False
        return None


def _window(make_window, mics, available=True):
    base = app_services()
    parts = dataclasses.replace(
        base.parts, microphone=lambda device: mics.append(FakeMic(device, available)) or mics[-1])
    return make_window(services=dataclasses.replace(base, parts=parts))


def test_the_voice_is_recorded_with_a_take_and_the_indicator_shows(make_window, qtbot, tmp_path,
                                                                   face_clip):
    mics = []
    window = _window(make_window, mics)
    window.prefs.takes_dir = tmp_path / "takes"
    qtbot.waitUntil(lambda: bool(mics), timeout=TIMEOUT_MS)  # made once the models loaded
    assert not mics[0].active and not window.mic_label.isVisible()  # closed until a take
    window.open_source(str(face_clip), loop=True)
    qtbot.waitUntil(lambda: window.video.frames_shown >= 2, timeout=TIMEOUT_MS)
    window.start_recording()
    qtbot.waitUntil(lambda: window.mic_label.isVisible(), timeout=TIMEOUT_MS)
    folder = window.recording_folder
    window.stop_recording()
    qtbot.waitUntil(lambda: not window.mic_label.isVisible(), timeout=TIMEOUT_MS)
    assert mics[0].starts == [folder] and (folder / "audio.wav").exists()
    assert not mics[0].active


def test_no_microphone_is_said_once_and_takes_go_on_without_it(make_window, qtbot, tmp_path,
                                                               face_clip):
    mics = []
    window = _window(make_window, mics, available=False)
    qtbot.waitUntil(lambda: "No microphone" in window.statusBar().currentMessage(),
                    timeout=TIMEOUT_MS)
    assert "without your voice" in window.statusBar().currentMessage()
    assert not window.banner.isVisible()  # a normal state: no banner to dismiss
    window.prefs.takes_dir = tmp_path / "takes"
    window.open_source(str(face_clip), loop=True)
    qtbot.waitUntil(lambda: window.video.frames_shown >= 2, timeout=TIMEOUT_MS)
    window.start_recording()
    qtbot.waitUntil(lambda: window.recording_folder is not None and window.recorded_frames > 2,
                    timeout=TIMEOUT_MS)
    window.stop_recording()
    qtbot.waitUntil(lambda: window.last_take is not None, timeout=TIMEOUT_MS)
    assert window.last_take.frames > 0 and not (window.last_take.folder / "audio.wav").exists()
