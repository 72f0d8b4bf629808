"""Offline speech through the platform's own speech program, as a separate process.

- Linux (and anywhere it is installed): ``espeak-ng`` (GPL-3, run as a program, never
  linked), ``espeak-ng -w FILE --stdin``;
- macOS: ``say -o FILE --data-format=LEI16@22050 -f -``;
- Windows: SAPI through PowerShell's ``System.Speech.Synthesis.SpeechSynthesizer``.

:func:`synthesize` returns mono int16 samples and their sample rate; :func:`voices` lists
the voices; :func:`available` says whether speech works here, with one sentence naming what
to install when not. The text goes to the program on its standard input, never on the
command line, so it cannot be read as an option.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from acting_mirror.errors import ActingMirrorError, DependencyError

DEFAULT_RATE = 160
"""Words per minute: an unhurried speaking pace."""
MIN_RATE, MAX_RATE = 40, 600
TIMEOUT_S = 60.0
"""No line of a scene takes a speech program longer than this to render."""


class SpeechUnavailable(DependencyError):
    """No speech program on this machine (the message says what to install)."""


class UnknownVoice(ActingMirrorError):
    """A voice name the speech program does not have."""


@dataclass(frozen=True)
class Voice:
    id: str  # what ``voice=`` takes
    name: str
    language: str = ""


def engine() -> str | None:
    """The speech program found here: ``espeak-ng``, ``say``, ``sapi`` or ``None``."""
    if shutil.which("espeak-ng"):
        return "espeak-ng"
    if sys.platform == "darwin" and shutil.which("say"):
        return "say"
    if sys.platform == "win32" and _powershell():
        return "sapi"
    return None


def _powershell() -> str | None:
    return shutil.which("powershell") or shutil.which("pwsh")


def missing_message() -> str:
    """The one sentence to show when there is no speech here."""
    if sys.platform == "darwin":
        return "No speech: the macOS 'say' program is missing."
    if sys.platform == "win32":
        return "No speech: Windows PowerShell (for the system SAPI voice) was not found."
    return ("No speech: install espeak-ng for the scene partner's voice "
            "(Debian/Ubuntu: sudo apt install espeak-ng; Fedora: sudo dnf install espeak-ng).")


def available() -> tuple[bool, str]:
    """``(True, engine name)`` or ``(False, what to install)``."""
    name = engine()
    return (True, name) if name else (False, missing_message())


def require() -> str:
    """The engine name; :class:`SpeechUnavailable` when there is none."""
    ok, what = available()
    if not ok:
        raise SpeechUnavailable(what)
    return what


def voices() -> list[Voice]:
    """The voices the speech program offers ([] when there is none)."""
    name = engine()
    try:
        if name == "espeak-ng":
            out = _run(["espeak-ng", "--voices"], b"").stdout.decode("utf-8", "replace")
            return _parse_espeak_voices(out)
        if name == "say":
            out = _run(["say", "-v", "?"], b"").stdout.decode("utf-8", "replace")
            return [Voice(line.split()[0], line.split()[0], line.split()[1])
                    for line in out.splitlines() if len(line.split()) >= 2]
        if name == "sapi":
            script = ("Add-Type -AssemblyName System.Speech; "
                      "(New-Object System.Speech.Synthesis.SpeechSynthesizer).GetInstalledVoices()"
                      " | ForEach-Object { $_.VoiceInfo.Name + '|' + $_.VoiceInfo.Culture }")
            out = _run([_powershell(), "-NoProfile", "-Command", script], b"").stdout.decode(
                "utf-8", "replace")
            return [Voice(n, n, c) for n, _, c in (x.partition("|") for x in out.splitlines()) if n]
    except SpeechUnavailable:
        return []
    return []


def _parse_espeak_voices(out: str) -> list[Voice]:
    found = []
    for line in out.splitlines()[1:]:
        cols = line.split()
        if len(cols) >= 5:  # Pty Language Age/Gender VoiceName File [Other languages]
            found.append(Voice(cols[1], cols[3].replace("_", " "), cols[1]))
    return found


def synthesize(text: str, rate: int | None = None, voice: str | None = None) -> tuple[np.ndarray, int]:
    """``text`` spoken: mono int16 samples and the sample rate. Empty text gives no
    samples. :class:`SpeechUnavailable` without a speech program or when it fails."""
    rate = DEFAULT_RATE if rate is None else int(rate)
    if not MIN_RATE <= rate <= MAX_RATE:
        raise ValueError(f"rate {rate} is outside {MIN_RATE}-{MAX_RATE} words per minute")
    text = " ".join(str(text).split())
    name = require()
    if not text:
        return np.zeros(0, dtype=np.int16), 22050
    with tempfile.TemporaryDirectory(prefix="acting-mirror-speech-") as tmp:
        out = Path(tmp) / "line.wav"
        data = text.encode("utf-8")
        if name == "espeak-ng":
            cmd = ["espeak-ng", "-s", str(rate), "-w", str(out), "--stdin"]
            if voice:
                _check_espeak_voice(voice)
                cmd[1:1] = ["-v", voice]
        elif name == "say":
            cmd = ["say", "-r", str(rate), "-o", str(out), "--file-format=WAVE",
                   "--data-format=LEI16@22050", "-f", "-"]
            if voice:
                cmd[1:1] = ["-v", voice]
        else:  # sapi: SAPI's rate is -10..10 around ~180 wpm
            sapi_rate = max(-10, min(10, round((rate - 180) / 18)))
            select = f"$s.SelectVoice('{voice.replace(chr(39), '')}'); " if voice else ""
            script = (
                "Add-Type -AssemblyName System.Speech; "
                "$s = New-Object System.Speech.Synthesis.SpeechSynthesizer; "
                f"{select}$s.Rate = {sapi_rate}; "
                f"$s.SetOutputToWaveFile('{out}'); "
                "$s.Speak([Console]::In.ReadToEnd()); $s.Dispose()"
            )
            cmd = [_powershell(), "-NoProfile", "-Command", script]
        _run(cmd, data)
        return read_wav(out)


ESPEAK_VARIANTS = ("f3", "m7", "f4", "m2", "f2")
"""espeak-ng voice variants given to the second, third... scene partner, so two partners
never sound alike."""


def partner_voices(names, voice: str | None = None) -> dict[str, str | None]:
    """A voice for each partner: the first gets ``voice`` (the default when ``None``);
    with espeak-ng the others get the same voice with a different variant
    (``en+f3``, ``en+m7``...), unless ``voice`` already names a variant."""
    names = list(dict.fromkeys(names))
    out: dict[str, str | None] = {n: voice for n in names}
    if engine() != "espeak-ng" or len(names) < 2 or (voice and "+" in voice):
        return out
    base = voice or "en"
    for k, name in enumerate(names[1:]):
        out[name] = f"{base}+{ESPEAK_VARIANTS[k % len(ESPEAK_VARIANTS)]}"
    return out


def _check_espeak_voice(voice: str) -> None:
    """espeak-ng falls back to its default voice without a word; we say so instead.
    ``voice`` is a voice id, name or file (``en-us``, ``English_(America)``, ``gmw/en-US``)
    with an optional ``+variant`` (``en+f3``)."""
    base = voice.split("+", 1)[0].strip().lower()
    out = _run(["espeak-ng", "--voices"], b"").stdout.decode("utf-8", "replace")
    known = set()
    for line in out.splitlines()[1:]:
        cols = line.split()
        if len(cols) >= 5:
            known.update({cols[1].lower(), cols[3].lower(), cols[4].lower(),
                          cols[4].rsplit("/", 1)[-1].lower()})
    if base not in known:
        ids = sorted(v.id for v in _parse_espeak_voices(out))
        sample = ", ".join(i for i in ids if i.startswith("en")) or ", ".join(ids[:10])
        raise UnknownVoice(f"espeak-ng has no voice {voice!r} (try one of: {sample}; "
                           "all: espeak-ng --voices).")


def _run(cmd: list, data: bytes) -> subprocess.CompletedProcess:
    try:
        proc = subprocess.run(cmd, input=data, capture_output=True, timeout=TIMEOUT_S,
                              env={**os.environ, "LC_ALL": os.environ.get("LC_ALL", "C.UTF-8")})
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SpeechUnavailable(f"The speech program {cmd[0]} failed: {exc}.") from exc
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = err[-1] if err else f"exit status {proc.returncode}"
        raise SpeechUnavailable(f"The speech program {Path(cmd[0]).name} failed: {detail}.")
    return proc


def read_wav(path: Path | str) -> tuple[np.ndarray, int]:
    """Mono int16 samples and sample rate of a 16-bit PCM WAV (channels are averaged)."""
    with wave.open(str(path), "rb") as w:
        rate, channels, width = w.getframerate(), w.getnchannels(), w.getsampwidth()
        raw = w.readframes(w.getnframes())
    if width != 2:
        raise SpeechUnavailable(f"The speech program wrote {8 * width}-bit audio, not 16-bit.")
    samples = np.frombuffer(raw, dtype="<i2")
    if channels > 1:
        samples = samples[: len(samples) // channels * channels].reshape(-1, channels)
        samples = samples.mean(axis=1).astype(np.int16)
    return samples.astype(np.int16, copy=True), int(rate)


def write_wav(path: Path | str, samples: np.ndarray, sample_rate: int) -> None:
    """Write mono int16 ``samples`` as a 16-bit PCM WAV; the file must not exist."""
    data = np.asarray(samples, dtype="<i2").tobytes()
    with open(path, "xb") as fh, wave.open(fh, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(int(sample_rate))
        w.writeframes(data)
