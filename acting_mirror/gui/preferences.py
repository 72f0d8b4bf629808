"""Preferences: what the app remembers between runs, stored with QSettings.

Organisation "ActingMirror", application "Acting Mirror" (the platform's usual place).
``$ACTING_MIRROR_SETTINGS`` names an ini file to use instead; the tests point it at a
temporary file so they never touch a user's settings.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings

from acting_mirror.config import DEFAULT_APP_DETECTOR, DETECTORS, default_takes_dir

ORGANIZATION = "ActingMirror"
APPLICATION = "Acting Mirror"
SETTINGS_ENV = "ACTING_MIRROR_SETTINGS"

PLOT_WINDOWS_S: tuple[int, ...] = (10, 20, 30, 60)
"""The plot window lengths offered in the View menu, in seconds."""

MAX_RECENT = 8
PARTNER_RATES: tuple[int, ...] = (130, 160, 190)
"""The scene partner's speaking rates offered (words per minute): slow, normal, quick."""


def open_settings() -> QSettings:
    """The app's QSettings: the ini file named by ``$ACTING_MIRROR_SETTINGS`` if set."""
    path = os.environ.get(SETTINGS_ENV)
    if path:
        return QSettings(str(Path(path).expanduser()), QSettings.Format.IniFormat)
    return QSettings(ORGANIZATION, APPLICATION)


def _as_bool(value, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on")


class Preferences:
    """Typed access to the stored settings; every setter saves at once."""

    def __init__(self, settings: QSettings | None = None):
        self._s = settings if settings is not None else open_settings()

    def sync(self) -> None:
        self._s.sync()

    # ---------------------------------------------------------------- sources
    @property
    def last_source(self) -> str | None:
        value = self._s.value("source/last")
        return str(value) if value else None

    @property
    def recent_sources(self) -> list[str]:
        value = self._s.value("source/recent")
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in value if v][:MAX_RECENT]

    def remember_source(self, spec: str) -> None:
        """``spec`` becomes the last source and moves to the top of the recent list."""
        recent = [spec] + [s for s in self.recent_sources if s != spec]
        self._s.setValue("source/last", spec)
        self._s.setValue("source/recent", recent[:MAX_RECENT])

    def clear_recent(self) -> None:
        self._s.remove("source/recent")

    # ---------------------------------------------------------------- analysis
    @property
    def detector(self) -> str:
        """The face detector the app starts with: the last one picked, else the mesh (face
        detail on every face within the live targets; Haar with face detail on the main face
        costs more: docs/performance.md)."""
        value = str(self._s.value("analysis/detector", DEFAULT_APP_DETECTOR))
        return value if value in DETECTORS else DEFAULT_APP_DETECTOR

    @detector.setter
    def detector(self, name: str) -> None:
        self._s.setValue("analysis/detector", name)

    @property
    def model_path(self) -> Path | None:
        """The emotion model the app uses (``None``: the bundled mini-Xception); a file
        that has gone is forgotten."""
        value = self._s.value("analysis/model", "")
        path = Path(str(value)) if value else None
        return path if path is not None and path.is_file() else None

    @model_path.setter
    def model_path(self, path: Path | None) -> None:
        self._s.setValue("analysis/model", str(path) if path else "")

    @property
    def mirror(self) -> bool:
        return _as_bool(self._s.value("view/mirror"), True)

    @mirror.setter
    def mirror(self, on: bool) -> None:
        self._s.setValue("view/mirror", bool(on))

    # ---------------------------------------------------------------- scene partner
    @property
    def partner_speaks(self) -> bool:
        """Speak the partner's lines aloud (else they are only shown)."""
        return _as_bool(self._s.value("partner/speaks"), True)

    @partner_speaks.setter
    def partner_speaks(self, on: bool) -> None:
        self._s.setValue("partner/speaks", bool(on))

    @property
    def spoken_cues(self) -> bool:
        """One short spoken word between lines ("good", "again"); off by default."""
        return _as_bool(self._s.value("partner/spoken_cues"), False)

    @spoken_cues.setter
    def spoken_cues(self, on: bool) -> None:
        self._s.setValue("partner/spoken_cues", bool(on))

    @property
    def partner_voice(self) -> str | None:
        """The speech program's voice id (``None``: its default)."""
        value = self._s.value("partner/voice", "")
        return str(value) if value else None

    @partner_voice.setter
    def partner_voice(self, voice: str | None) -> None:
        self._s.setValue("partner/voice", voice or "")

    @property
    def partner_rate(self) -> int:
        """Words per minute."""
        try:
            value = int(self._s.value("partner/rate", PARTNER_RATES[1]))
        except (TypeError, ValueError):
            return PARTNER_RATES[1]
        return value if value in PARTNER_RATES else PARTNER_RATES[1]

    @partner_rate.setter
    def partner_rate(self, rate: int) -> None:
        self._s.setValue("partner/rate", int(rate))

    # ---------------------------------------------------------------- view
    @property
    def face_detail(self) -> bool:
        """With Haar or MTCNN, run the face mesh on the main face too (blendshapes, head
        pose, the face detail view, coaching in face actions). Off by default: it makes
        them slower than the mesh detector, which reads every face (docs/performance.md)."""
        return _as_bool(self._s.value("analysis/face_detail"), False)

    @face_detail.setter
    def face_detail(self, on: bool) -> None:
        self._s.setValue("analysis/face_detail", bool(on))

    @property
    def record_voice(self) -> bool:
        """Record the actor's voice with every take (on by default; no microphone is fine)."""
        return _as_bool(self._s.value("audio/record_voice"), True)

    @record_voice.setter
    def record_voice(self, on: bool) -> None:
        self._s.setValue("audio/record_voice", bool(on))

    @property
    def microphone(self) -> str | None:
        """The input to record from (``None``: the default one)."""
        value = self._s.value("audio/microphone", "")
        return str(value) if value else None

    @microphone.setter
    def microphone(self, device: str | None) -> None:
        self._s.setValue("audio/microphone", device or "")

    @property
    def voice_advance(self) -> bool:
        """Untimed scripts' lines come up when the actor has spoken and paused (on by
        default; it needs the voice recorded)."""
        return _as_bool(self._s.value("audio/voice_advance"), True)

    @voice_advance.setter
    def voice_advance(self, on: bool) -> None:
        self._s.setValue("audio/voice_advance", bool(on))

    @property
    def voice_pause_ms(self) -> int:
        """How long a pause brings the next line (ms; 300-5000, default 800)."""
        try:
            value = int(self._s.value("audio/voice_pause_ms", 800))
        except (TypeError, ValueError):
            return 800
        return min(5000, max(300, value))

    @voice_pause_ms.setter
    def voice_pause_ms(self, ms: int) -> None:
        self._s.setValue("audio/voice_pause_ms", int(ms))

    @property
    def headset(self) -> bool:
        """The actor wears headphones: the microphone cannot hear the partner's voice."""
        return _as_bool(self._s.value("audio/headset"), False)

    @headset.setter
    def headset(self, on: bool) -> None:
        self._s.setValue("audio/headset", bool(on))

    @property
    def draw_mesh(self) -> bool:
        """Dot the face mesh on the picture (off by default)."""
        return _as_bool(self._s.value("view/draw_mesh"), False)

    @draw_mesh.setter
    def draw_mesh(self, on: bool) -> None:
        self._s.setValue("view/draw_mesh", bool(on))

    @property
    def plot_seconds(self) -> int:
        try:
            value = int(self._s.value("view/plot_seconds", 20))
        except (TypeError, ValueError):
            return 20
        return value if value in PLOT_WINDOWS_S else 20

    @plot_seconds.setter
    def plot_seconds(self, seconds: int) -> None:
        self._s.setValue("view/plot_seconds", int(seconds))

    @property
    def show_bars(self) -> bool:
        return _as_bool(self._s.value("view/show_bars"), True)

    @show_bars.setter
    def show_bars(self, on: bool) -> None:
        self._s.setValue("view/show_bars", bool(on))

    @property
    def window_geometry(self):
        return self._s.value("view/geometry")

    @window_geometry.setter
    def window_geometry(self, data) -> None:
        self._s.setValue("view/geometry", data)

    # ---------------------------------------------------------------- takes
    @property
    def takes_dir(self) -> Path:
        value = self._s.value("takes/folder")
        return Path(str(value)).expanduser() if value else default_takes_dir()

    @takes_dir.setter
    def takes_dir(self, folder: Path) -> None:
        self._s.setValue("takes/folder", str(folder))

    # ---------------------------------------------------------------- scripts
    @property
    def reopen_script(self) -> bool:
        """Reopen the script used last when the app starts (on unless switched off)."""
        return _as_bool(self._s.value("scripts/reopen_last"), True)

    @reopen_script.setter
    def reopen_script(self, on: bool) -> None:
        self._s.setValue("scripts/reopen_last", bool(on))

    @property
    def last_script(self) -> Path | None:
        value = self._s.value("scripts/last")
        return Path(str(value)) if value else None

    @last_script.setter
    def last_script(self, path: Path | None) -> None:
        self._s.setValue("scripts/last", str(path) if path else "")

    # ---------------------------------------------------------------- actor profiles
    @property
    def actor(self) -> str:
        """The actor last chosen in the script panel ("" for none)."""
        return str(self._s.value("profiles/actor", "") or "")

    @actor.setter
    def actor(self, name: str) -> None:
        self._s.setValue("profiles/actor", name)

    @property
    def calibrated(self) -> bool:
        """Whether readings are corrected with the actor's neutral calibration."""
        return _as_bool(self._s.value("profiles/calibrated"), False)

    @calibrated.setter
    def calibrated(self, on: bool) -> None:
        self._s.setValue("profiles/calibrated", bool(on))
