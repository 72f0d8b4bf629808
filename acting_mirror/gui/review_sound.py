"""ReviewSound: the review window's sound. The take's ``audio.wav`` plays in step with the
picture and the curves, and a waveform strip under the curves shows where the actor spoke.

While the sound plays, **the picture follows the sound's clock**
(:meth:`acting_mirror.audio.player.TakePlayer.position_ms`, what is heard now): each play
tick shows the frame at that time, so the picture can neither run ahead of the sound nor
fall behind it, whatever the decoding costs. Without sound (no ``audio.wav``, no audio
output, or the sound past its end) the window's own frame-by-frame ticks play as before.
A seek while playing (slider, a click on the curves or the strip, a line of the report)
starts the sound again where the picture went; stepping frame by frame plays a short grain
of that frame's sound; **M** (or the button) mutes: the sound plays on in silence and the
clock with it. No sound in the take, or no audio output, is said once under the strip.

The window keeps the few calls into this object (``play``, ``pause``, ``clock_frame``,
``follow``, ``grain``, ``close``); everything else is here.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from acting_mirror.audio.player import TakePlayer, load_take_sound
from acting_mirror.core.speech_timing import read_line_speech, read_listening, read_segments
from acting_mirror.core.takefiles import AUDIO_WAV
from acting_mirror.gui.review_waveform import WaveformStrip

log = logging.getLogger(__name__)

PLAY_TICK_MS = 8
"""How often the picture looks at the sound's clock while the sound plays (a frame is
shown at most this late)."""

NO_SOUND = "No sound in this take."
MUTE_TEXT = ("Mute (M)", "Muted (M)")


def length_note(sound_s: float, picture_s: float) -> str:
    """What to say when the sound and the picture of a take differ in length by more than
    a second and a twentieth ("" when they agree)."""
    if abs(sound_s - picture_s) <= max(1.0, 0.05 * max(sound_s, picture_s)):
        return ""
    return (f"The sound ({sound_s:.1f} s) and the picture ({picture_s:.1f} s) of this take "
            "differ in length: they may not line up.")


class ReviewSound(QObject):
    """The sound of ``window`` (a ReviewWindow); :attr:`widget` goes under its curves."""

    def __init__(self, window, *, player_factory=TakePlayer):
        super().__init__(window)
        self.window = window
        take = window.take
        self.player: TakePlayer | None = None
        self.message = ""
        self.restarts = 0  # times the sound started again after a seek while playing
        self._clock_ms: float | None = None  # the sound's clock at the last play tick
        sound = load_take_sound(take.folder / AUDIO_WAV)
        self.strip = WaveformStrip(window.plot)
        self.strip.scene().sigMouseClicked.connect(self._strip_clicked)
        if sound is None:
            self.message = NO_SOUND
            self.strip.setVisible(False)
        else:
            samples, rate = sound
            self.message = length_note(len(samples) / rate, take.duration_ms / 1000.0)
            self.strip.set_sound(samples, rate)
            self.strip.set_segments(read_segments(take.folder) or [])
            player = player_factory(samples, rate)
            if player.available:
                self.player = player
            else:
                self.message = player.message or "No audio output."
                player.close()
        self.mute_button = QToolButton()
        self.mute_button.setCheckable(True)
        self.mute_button.setText(MUTE_TEXT[0])
        self.mute_button.setToolTip("Mute or unmute the take's sound (M)")
        self.mute_button.toggled.connect(self._muted)
        self.mute_button.setEnabled(self.player is not None)
        self.note = QLabel(self.message)
        self.note.setStyleSheet("color:#9aa3ad")
        self.legend = QLabel("<span style='color:#4fc3f7'>▇</span> you speaking")
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setVisible(bool(self.strip.segments))
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.mute_button)
        row.addWidget(self.note, 1)
        row.addWidget(self.legend)
        self.widget = QWidget()
        layout = QVBoxLayout(self.widget)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.strip)
        layout.addLayout(row)
        self.mute_shortcut = QShortcut(QKeySequence(Qt.Key.Key_M), window)
        self.mute_shortcut.activated.connect(
            lambda: self.mute_button.isEnabled() and self.mute_button.toggle())
        window.reportChanged.connect(lambda _r: self.show_line_speech())

    # --- state ---------------------------------------------------------------------------

    @property
    def available(self) -> bool:
        return self.player is not None

    @property
    def muted(self) -> bool:
        return self.mute_button.isChecked()

    def set_muted(self, on: bool) -> None:
        self.mute_button.setChecked(bool(on))

    def _muted(self, on: bool) -> None:
        self.mute_button.setText(MUTE_TEXT[1 if on else 0])
        if self.player is not None:
            self.player.muted = bool(on)

    @property
    def driving(self) -> bool:
        """The sound plays and the picture follows it."""
        return self.player is not None and self.player.playing

    # --- the window's calls --------------------------------------------------------------

    def play(self, from_ms: float) -> None:
        """The window started playing at ``from_ms``."""
        if self.player is None:
            return
        if from_ms * 1.0 >= self.player.duration_ms:
            return  # past the sound's end: the picture plays on alone
        self._clock_ms = None
        if self.player.play(from_ms):
            self.window.play_timer.setInterval(PLAY_TICK_MS)
        elif self.player.message and self.player.message != self.note.text():
            self.note.setText(self.player.message)

    def pause(self) -> None:
        if self.player is not None:
            self.player.stop()
        timer = getattr(self.window, "play_timer", None)
        if timer is not None:
            timer.setInterval(max(5, int(round(1000.0 / self.window.take.fps))))

    def clock_frame(self) -> int | None:
        """The frame to show now while the sound drives; ``None`` when it does not (the
        window then steps on by itself, and stops at the last frame)."""
        if not self.driving:
            return None
        pos = self._clock_ms = self.player.position_ms()
        if pos is None:
            return self.window.current  # the device has not started: the picture waits
        w = self.window
        if pos >= w.take.duration_ms and w.current >= w.take.n_frames - 1:
            return None
        return w.frame_at(pos)

    def follow(self, time_ms: float) -> None:
        """The window shows the frame at ``time_ms``: move the strip's cursor, and when
        playing and that is not where the sound is (a seek), start the sound there."""
        self.strip.set_cursor(time_ms)
        if not self.driving or not self.window.playing:
            return
        # the clock this tick's frame was chosen by (decoding it may have taken a while)
        pos = self._clock_ms if self._clock_ms is not None else self.player.position_ms()
        frame_ms = 1000.0 / max(1.0, self.window.take.fps)
        if pos is not None and abs(pos - time_ms) > 2.5 * frame_ms + 50.0:
            self.restarts += 1
            self._clock_ms = None
            self.player.play(time_ms)

    def grain(self, time_ms: float) -> None:
        """Stepping: the sound of one frame (at least 60 ms) from ``time_ms``."""
        if self.player is None or self.muted:
            return
        self.player.grain(time_ms, max(60.0, 1000.0 / max(1.0, self.window.take.fps)))

    def close(self) -> None:
        if self.player is not None:
            self.player.close()
            self.player = None

    # --- the strip and the report ---------------------------------------------------------

    def _strip_clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        vb = self.strip.getPlotItem().getViewBox()
        pos = event.scenePos()
        if vb.sceneBoundingRect().contains(pos):
            self.window.seek_time(vb.mapSceneToView(pos).x() * 1000.0)
            event.accept()

    def show_line_speech(self) -> None:
        """The report's speech timing into the window's line table (nothing without)."""
        view = getattr(self.window, "report_view", None)
        if view is not None and hasattr(view, "set_speech"):
            view.set_speech(read_line_speech(self.window.folder))
            view.set_listening(read_listening(self.window.folder))


__all__ = ["ReviewSound", "NO_SOUND", "PLAY_TICK_MS"]
