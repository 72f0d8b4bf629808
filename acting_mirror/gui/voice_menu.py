"""View › Lines follow my voice: in an untimed script the next line comes up when the
actor has spoken the line showing and paused (the key still works), how long that pause
is, and whether the actor wears headphones (then the partner's playback cannot reach the
microphone and nothing it hears is set aside). The rules live in the session
(:class:`~acting_mirror.session.commands.SetVoiceAdvance`, :mod:`acting_mirror.audio.vad`).
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QActionGroup

from acting_mirror.gui.preferences import Preferences
from acting_mirror.session.commands import SetVoiceAdvance

PAUSES_MS: tuple[int, ...] = (500, 800, 1200, 2000)
"""The pauses offered, in ms (800: the default)."""


def voice_advance_command(prefs: Preferences) -> SetVoiceAdvance:
    """The session's setting, from the preferences."""
    return SetVoiceAdvance(prefs.voice_advance, prefs.voice_pause_ms, prefs.headset)


def listening_message(pause_ms: int, headset: bool) -> str:
    """What the status bar says when a take starts following the voice."""
    return (f"Listening… the next line comes up when you pause ({pause_ms / 1000:g} s); "
            "Space still works." + (" Headphones: the partner's voice is not set aside."
                                     if headset else ""))


def install_voice_advance_menu(view_menu, window, prefs: Preferences):
    """The submenu, under View; each change is saved and sent to the session at once."""
    menu = view_menu.addMenu("Lines follow my v&oice")
    follow = QAction("&Next line when I pause (scripts without times)", window, checkable=True,
                     checked=prefs.voice_advance)
    menu.addAction(follow)
    menu.addSeparator()
    group = QActionGroup(menu)
    pauses = {}
    for ms in PAUSES_MS:
        action = QAction(f"Pause of {ms / 1000:g} s" + (" (default)" if ms == 800 else ""),
                         window, checkable=True, checked=ms == prefs.voice_pause_ms)
        group.addAction(action)
        menu.addAction(action)
        pauses[ms] = action
    menu.addSeparator()
    headset = QAction("I wear &headphones (the microphone cannot hear the partner)", window,
                      checkable=True, checked=prefs.headset)
    menu.addAction(headset)

    def changed(**what) -> None:
        for key, value in what.items():
            setattr(prefs, key, value)
        window.send(voice_advance_command(prefs))

    follow.toggled.connect(lambda on: changed(voice_advance=on))
    for ms, action in pauses.items():
        action.triggered.connect(lambda _=False, x=ms: changed(voice_pause_ms=x))
    headset.toggled.connect(lambda on: changed(headset=on))
    menu.follow_action, menu.pause_actions, menu.headset_action = follow, pauses, headset
    return menu


__all__ = ["PAUSES_MS", "install_voice_advance_menu", "listening_message",
           "voice_advance_command"]
