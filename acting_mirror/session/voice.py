"""The actor's voice during a take, for the session: an ActorVoice
(:mod:`acting_mirror.audio.vad`) fed by the microphone's chunks, which writes
``speech.json`` when the take ends and, in an untimed scripted take, says when the actor
has finished the line showing (spoken, then a pause), so the session shows the next one
as the key would (:class:`~acting_mirror.session.commands.SetVoiceAdvance`).

The session owns one :class:`TakeVoice` and calls it on its own thread; only
:meth:`TakeVoice.hear` runs on the microphone's reader thread (it reads one attribute).
Times are the take's timeline: ms since the clock reading of its first frame, which is
the microphone's time 0.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Callable

from acting_mirror.errors import ActingMirrorError
from acting_mirror.session import commands as cmd
from acting_mirror.session import events as ev
from acting_mirror.session.script_run import ScriptRun

log = logging.getLogger(__name__)


class TakeVoice:
    """See the module docstring. ``app_speaking()`` says whether the app's own voice (the
    partner, a spoken cue) is playing now; it is called from the microphone's thread."""

    def __init__(self, emit: Callable[[ev.Event], None], clock: Callable[[], float],
                 app_speaking: Callable[[], bool]):
        self._emit = emit
        self._clock = clock
        self._app_speaking = app_speaking
        self.setting = cmd.SetVoiceAdvance()  # on by default
        self._voice = None  # the take's ActorVoice
        self._origin = 0.0
        self._line: int | None = None  # the line the voice was last told about
        self._heard_mics: set[int] = set()

    @property
    def listening(self) -> bool:
        """The lines of the take in progress follow the voice."""
        return self._voice is not None and self._voice.advancing

    def start(self, mic, origin: float, script: ScriptRun | None, scripted: bool) -> None:
        """Before ``mic`` starts on a take whose time 0 is clock reading ``origin``."""
        from acting_mirror.audio.vad import ActorVoice

        self._voice, self._origin, self._line = None, origin, None
        if not hasattr(mic, "on_chunk"):
            return
        try:
            self._voice = ActorVoice(int(getattr(mic, "rate", 16000)),
                                     pause_ms=self._pause(script, scripted),
                                     headset=self.setting.headset,
                                     partner_playing=self._app_speaking)
        except (ActingMirrorError, ValueError) as exc:
            log.warning("No voice detection: %s", exc)
            return
        if id(mic) not in self._heard_mics:
            self._heard_mics.add(id(mic))
            mic.on_chunk(self.hear)

    def started(self, script: ScriptRun | None) -> None:
        """The microphone records: the first line is showing; say it if lines follow."""
        self.line_up(script)
        if self.listening:
            self._emit(ev.VoiceListening(True, self.setting.pause_ms, self.setting.headset))

    def cancel(self) -> None:
        """The microphone could not start: nothing to listen to."""
        self._voice = None

    def hear(self, chunk, time_ms: float) -> None:
        """The microphone's reader thread: one chunk for the take's ActorVoice."""
        voice = self._voice
        if voice is not None:
            voice.hear(chunk, time_ms)

    def set(self, command: cmd.SetVoiceAdvance, script: ScriptRun | None, scripted: bool) -> None:
        low, high = cmd.PAUSE_MS_RANGE
        self.setting = replace(command, on=bool(command.on), headset=bool(command.headset),
                               pause_ms=int(min(high, max(low, command.pause_ms))))
        if self._voice is None:
            return
        was = self.listening
        self._voice.set_advance(self._pause(script, scripted), self.setting.headset)
        self._line = None
        self.line_up(script)
        if self.listening or was:
            self._emit(ev.VoiceListening(self.listening, self.setting.pause_ms,
                                         self.setting.headset))

    def line_up(self, script: ScriptRun | None) -> None:
        """Tell the voice when a new line comes up (by voice or by key)."""
        voice = self._voice
        if voice is None or script is None or script.shown == self._line:
            return
        self._line = script.shown
        cue = script.shown_cue
        if cue is not None:
            from acting_mirror.audio.vad import reading_ms

            read = reading_ms(cue.text, self.setting.pause_ms) if cue.direction else None
            voice.line_shown((self._clock() - self._origin) * 1000.0, cue.partner, read)

    def due(self) -> bool:
        """The actor finished the line showing (once per line)."""
        return self._voice is not None and self._voice.due() is not None

    def stop(self, folder, recorded: bool) -> None:
        """The take ends: no longer listening; ``speech.json`` when sound was ``recorded``."""
        voice, self._voice = self._voice, None
        if voice is None:
            return
        if voice.advancing:
            self._emit(ev.VoiceListening(False, self.setting.pause_ms, self.setting.headset))
        if recorded:
            try:
                voice.finish(folder)  # speech.json, read by the report
            except OSError as exc:
                log.warning("Cannot write speech.json: %s", exc)

    def _pause(self, script: ScriptRun | None, scripted: bool) -> int | None:
        """The pause the lines wait for, or None: they do not follow the voice (switched
        off, not a scripted take, or a timed script, which follows its clock)."""
        if not self.setting.on or not scripted or script is None or script.script.timed:
            return None
        return self.setting.pause_ms
