"""The live scene partner: a script's partner lines rendered ahead of time and played
through the platform's audio player as a separate process, never blocking the caller.

For the live loop::

    voice = PartnerVoice(script, rate=160)      # starts rendering on a helper thread
    if not voice.available:                     # no speech program or no player:
        show(voice.message)                     #   say so once, show the lines instead
    ...
    voice.say(cue.index)    # when a partner line comes up: returns at once
    voice.follow(state.cue) # or: hand it every CueState's cue; says each partner line once
    voice.speaking          # True while the line is being played
    voice.stop()            # e.g. when the take stops
    voice.close()           # at the end: stops, joins the thread, removes the files

:meth:`PartnerVoice.say` on a line not rendered yet plays it as soon as it is (the lines
render in script order, so only the first may wait). One line plays at a time; a new
:meth:`say` cuts off the line still playing.
"""

from __future__ import annotations

import logging
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from acting_mirror.audio import speech
from acting_mirror.core.script import Script
from acting_mirror.errors import ActingMirrorError

log = logging.getLogger(__name__)

PLAYERS = ("paplay", "pw-play", "aplay", "afplay")
"""Audio players looked for on PATH, in order (PulseAudio, PipeWire, ALSA, macOS)."""


def find_player() -> list[str] | None:
    """The command that plays a WAV file (given after it, or in place of ``{file}``), or
    ``None``."""
    for name in PLAYERS:
        path = shutil.which(name)
        if path:
            return [path, "-q"] if name == "aplay" else [path]
    if sys.platform == "win32":
        ps = shutil.which("powershell") or shutil.which("pwsh")
        if ps:
            return [ps, "-NoProfile", "-Command",
                    "(New-Object Media.SoundPlayer '{file}').PlaySync()"]
    return None


class PartnerVoice:
    """Speaks ``script``'s partner lines on request (see the module docstring).

    ``player`` is the command that plays a WAV file (default :func:`find_player`);
    ``speak(text, rate, voice) -> (samples, sample_rate)`` the voice (default
    :func:`acting_mirror.audio.speech.synthesize`).
    """

    def __init__(self, script: Script, *, rate: int | None = None, voice: str | None = None,
                 player: list[str] | None = None, speak=None):
        self.script = script
        self.rate = rate
        self.voice = voice
        self._speak = speak or speech.synthesize
        self._player = player if player is not None else find_player()
        self._lines = {c.index: c for c in script.cues if c.partner}
        self._voices = speech.partner_voices([c.speaker for c in self._lines.values()], voice)
        self._files: dict[int, Path] = {}
        self._errors: dict[int, str] = {}
        self._lock = threading.Lock()
        self._rendered = threading.Condition(self._lock)
        self._pending: int | None = None
        self._proc: subprocess.Popen | None = None
        self._closed = False
        self._followed: int | None = None
        self._dir: Path | None = None
        self._thread: threading.Thread | None = None
        self.message = ""
        ok, what = speech.available() if speak is None else (True, "")
        if not ok:
            self.message = what
        elif self._player is None:
            self.message = ("No audio player found (paplay, pw-play or aplay): install "
                            "pulseaudio-utils or alsa-utils for the scene partner's voice.")
        if self.available and self._lines:
            self._dir = Path(tempfile.mkdtemp(prefix="acting-mirror-partner-"))
            self._todo: queue.SimpleQueue[int] = queue.SimpleQueue()
            for i in self._lines:
                self._todo.put(i)
            self._thread = threading.Thread(target=self._render_all, name="partner-voice",
                                            daemon=True)
            self._thread.start()

    # --- state ---------------------------------------------------------------------------

    @property
    def available(self) -> bool:
        """Whether lines can be spoken here; when not, :attr:`message` says why."""
        return not self.message

    @property
    def speaking(self) -> bool:
        """A line is being played now."""
        with self._lock:
            return self._proc is not None and self._proc.poll() is None

    def rendered(self, index: int) -> bool:
        with self._lock:
            return index in self._files

    def wait_rendered(self, timeout: float | None = None) -> bool:
        """Block until every partner line is rendered (or failed); for pre-roll and tests."""
        with self._rendered:
            return self._rendered.wait_for(
                lambda: self._closed or len(self._files) + len(self._errors) >= len(self._lines),
                timeout,
            )

    @property
    def errors(self) -> dict[int, str]:
        """Lines that could not be rendered: cue index -> reason."""
        with self._lock:
            return dict(self._errors)

    # --- actions -------------------------------------------------------------------------

    def say(self, index: int) -> bool:
        """Start speaking the partner line ``index`` (a cue index) and return at once.
        ``False`` when it is not a partner line, or the voice is not available."""
        if not self.available or index not in self._lines:
            return False
        with self._lock:
            if self._closed:
                return False
            self._stop_locked()
            if index in self._files:
                self._play_locked(index)
            elif index not in self._errors:
                self._pending = index  # the render thread plays it when it is ready
        return True

    def follow(self, cue) -> bool:
        """Feed the line showing now (``CueState.cue``, may be ``None``) on every frame:
        a partner line is said once when it comes up (again only after another line has
        come up in between). ``True`` when this call started a line."""
        index = None if cue is None else cue.index
        if index == self._followed:
            return False
        self._followed = index
        return cue is not None and cue.partner and self.say(index)

    def rewind(self) -> None:
        """Forget what :meth:`follow` has said, e.g. for a new take; stops the voice."""
        self._followed = None
        self.stop()

    def stop(self) -> None:
        """Cut off the line being played (and forget one waiting to be rendered)."""
        with self._lock:
            self._pending = None
            self._stop_locked()

    def close(self) -> None:
        """Stop, end the render thread and remove the rendered files."""
        with self._lock:
            self._closed = True
            self._pending = None
            self._stop_locked()
            self._rendered.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=speech.TIMEOUT_S)
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> "PartnerVoice":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- internals -----------------------------------------------------------------------

    def _render_all(self) -> None:
        while not self._closed:
            try:
                index = self._todo.get_nowait()
            except queue.Empty:
                return
            cue = self._lines[index]
            try:
                samples, sr = self._speak(cue.text, self.rate, self._voices[cue.speaker])
                path = self._dir / f"line-{index:04d}.wav"  # type: ignore[operator]
                speech.write_wav(path, samples, sr)
            except (ActingMirrorError, OSError, ValueError) as exc:
                log.warning("Cannot speak line %d: %s", index + 1, exc)
                with self._rendered:
                    self._errors[index] = str(exc)
                    self._rendered.notify_all()
                continue
            with self._rendered:
                self._files[index] = path
                if self._pending == index and not self._closed:
                    self._pending = None
                    self._play_locked(index)
                self._rendered.notify_all()

    def _play_locked(self, index: int) -> None:
        path = str(self._files[index])
        player = list(self._player)  # type: ignore[arg-type]
        if any("{file}" in part for part in player):
            cmd = [part.replace("{file}", path) for part in player]
        else:
            cmd = [*player, path]
        try:
            self._proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError as exc:
            log.warning("Cannot play line %d with %s: %s", index + 1, cmd[0], exc)
            self._proc = None

    def _stop_locked(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
