"""ReviewController: a take under review, without Qt.

Which frame is current (seek, step, play on, clamped to the take), which script line and
which reading go with it, and which report is shown: the saved one, or the take re-scored
with or without the actor's calibration when the switch differs from how it was saved.
``gui.review.ReviewWindow`` shows this and forwards the user's clicks and keys.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from acting_mirror.core.calibration import NeutralCalibration, ProfileStore
from acting_mirror.core.report import report_for_take
from acting_mirror.core.scoring import LineScore, TakeReport, score_take
from acting_mirror.core.script import Script
from acting_mirror.core.spans import Span, spans_of
from acting_mirror.core.take_data import TakeData, load_take, script_of_report
from acting_mirror.core.take_script import read_take_script, write_take_script
from acting_mirror.core.takefiles import REPORT_HTML, REPORT_JSON
from acting_mirror.core.types import EMOTIONS, Box
from acting_mirror.errors import OutputError, ScriptError, SourceError
from acting_mirror.media.take_video import FrameReader, video_frames

log = logging.getLogger(__name__)


def open_take(folder: Path | str) -> TakeData:
    """Read the take in ``folder`` (its video probed with OpenCV); SourceError when it
    is not a take."""
    return load_take(folder, probe_video=video_frames)


@dataclass(frozen=True)
class Reading:
    """What the face in one frame reads as (``emotion`` None: no face in that frame)."""

    emotion: str | None
    share: float = 0.0


@dataclass(frozen=True)
class Frame:
    """The frame just sought: its number, take time and decoded image (``None`` when the
    take has no video or the frame could not be decoded)."""

    index: int
    time_ms: float
    image: np.ndarray | None
    decoded: bool


class ReviewController:
    """See the module docstring. ``profiles`` gives the actors' calibrations; the take's
    video is read with ``reader`` (a FrameReader by default; ``None`` for no video)."""

    def __init__(self, take: TakeData, *, profiles: ProfileStore | None = None,
                 reader: FrameReader | None = None):
        self.take = take
        self.folder = take.folder
        self.profiles = profiles
        self.reader = reader if reader is not None else (
            FrameReader(take.video_path) if take.video_path else None)
        self.current = -1
        self.playing = False
        self.saved_report: TakeReport | None = take.report
        self.report: TakeReport | None = take.report
        self.note = ""  # why the report shown is not the saved one
        self.calibration: NeutralCalibration | None = None

    @classmethod
    def open(cls, folder: Path | str, *, profiles: ProfileStore | None = None) -> "ReviewController":
        return cls(open_take(folder), profiles=profiles)

    # ------------------------------------------------------------------ frames

    @property
    def n_frames(self) -> int:
        return self.take.n_frames

    @property
    def current_time_ms(self) -> float:
        return 0.0 if self.current < 0 else float(self.take.frame_times_ms[self.current])

    def frame_at(self, time_ms: float) -> int:
        """The frame showing at take time ``time_ms``."""
        times = self.take.frame_times_ms
        if times.size == 0:
            return 0
        k = int(np.searchsorted(times, time_ms + 0.5, side="right")) - 1
        return int(min(max(k, 0), times.size - 1))

    def seek(self, k: int) -> Frame | None:
        """Make frame ``k`` (clamped) current and decode it; ``None`` for an empty take."""
        if self.n_frames == 0:
            return None
        k = int(min(max(k, 0), self.n_frames - 1))
        image = self.reader.read(k) if self.reader is not None else None
        self.current = k
        return Frame(k, float(self.take.frame_times_ms[k]), image,
                     decoded=self.reader is None or image is not None)

    def seek_time(self, time_ms: float) -> Frame | None:
        return self.seek(self.frame_at(time_ms))

    def line_start(self, row: int) -> float | None:
        """Where the report's line ``row`` starts (``None``: no such line)."""
        if self.report is not None and 0 <= row < len(self.report.lines):
            return float(self.report.lines[row].start_ms)
        return None

    # ------------------------------------------------------------------ playing

    def play(self) -> int | None:
        """Start playing; returns the frame to play from (the first one when at the end,
        else the current one); ``None`` when nothing starts (no frames, or playing)."""
        if self.n_frames == 0 or self.playing:
            return None
        self.playing = True
        return 0 if self.at_end else max(self.current, 0)

    @property
    def at_end(self) -> bool:
        return self.current >= self.n_frames - 1

    def pause(self) -> None:
        self.playing = False

    def next_frame(self) -> int | None:
        """The frame a play tick shows next; ``None`` (and paused) at the end."""
        if self.at_end:
            self.pause()
            return None
        return self.current + 1

    # ------------------------------------------------------------------ what is current

    def line_at(self, time_ms: float) -> LineScore | None:
        """The report's line playing at ``time_ms``."""
        if self.report is None:
            return None
        return next((ln for ln in self.report.lines if ln.start_ms <= time_ms < ln.end_ms), None)

    def reading(self, k: int) -> Reading:
        """What frame ``k``'s main face reads as (corrected when calibrated)."""
        table = self.take.table
        rows = np.nonzero((table.frame == k) & table.primary)[0]
        if rows.size == 0:
            rows = np.nonzero(table.frame == k)[0][:1]
        if rows.size == 0:
            return Reading(None)
        probs = table.probs[rows[0]]
        if self.calibration is not None:
            probs = self.calibration.apply(probs)
        return Reading(EMOTIONS[int(np.argmax(probs))], float(np.max(probs)))

    def main_face_box(self, k: int) -> Box | None:
        """Where frame ``k``'s main face is (``None``: no face in that frame)."""
        table = self.take.table
        rows = np.nonzero((table.frame == k) & table.primary)[0]
        if rows.size == 0:
            rows = np.nonzero(table.frame == k)[0][:1]
        if rows.size == 0:
            return None
        x, y, w, h = (int(v) for v in table.boxes[rows[0]])
        return Box(x, y, w, h)

    def blendshapes(self, k: int) -> np.ndarray | None:
        """Frame ``k``'s main-face blendshapes (``None``: the face mesh did not read it)."""
        table = self.take.table
        if table.blendshapes is None:
            return None
        rows = np.nonzero((table.frame == k) & table.primary)[0]
        if rows.size == 0:
            rows = np.nonzero(table.frame == k)[0][:1]
        if rows.size == 0 or not np.isfinite(table.blendshapes[rows[0]]).all():
            return None
        return table.blendshapes[rows[0]]

    def curves(self) -> tuple[np.ndarray, np.ndarray]:
        """The main face's curves: seconds and (n, 7) probabilities, calibrated or not."""
        probs = self.take.curve_probs
        if self.calibration is not None and len(probs):
            probs = self.calibration.apply(probs)
        return self.take.curve_times_ms / 1000.0, probs

    # ------------------------------------------------------------------ calibration, scoring

    def load_calibration(self, actor: str, on: bool) -> str | None:
        """Use ``actor``'s calibration when ``on`` (else none) and re-score; returns the
        problem (one sentence) when the profile cannot be read."""
        calibration, problem = None, None
        if on and actor and self.profiles is not None:
            try:
                calibration = self.profiles.load(actor)
            except SourceError as exc:
                problem = str(exc)
        self.set_calibration(calibration)
        return problem

    def set_calibration(self, calibration: NeutralCalibration | None) -> None:
        self.calibration = calibration
        self.refresh_report()

    def scorable_script(self) -> Script | None:
        if self.take.take_script is not None:
            return self.take.take_script.script
        if self.saved_report is not None:
            return script_of_report(self.saved_report)
        return None

    def refresh_report(self) -> TakeReport | None:
        """The report to show: the saved one, or the take scored here (not saved) when
        the calibration switch differs from how it was saved."""
        saved, script = self.saved_report, self.scorable_script()
        wanted = self.calibration is not None
        self.report, self.note = saved, ""
        if saved is not None and saved.calibrated != wanted and script is not None:
            self.report = score_take(script, self.take.table, self.calibration,
                                     take_end_ms=self.take_end_ms())
            self.note = ("Shown with the neutral calibration; the saved report was made without it."
                         if wanted else
                         "Shown without calibration; the saved report used the actor's calibration.")
        return self.report

    def spans(self) -> list[Span]:
        """The script's lines to shade on the curves."""
        if self.report is not None:
            return spans_of(script_of_report(self.report))
        script = self.scorable_script()
        return spans_of(script) if script is not None else []

    def no_report_text(self) -> str:
        take = self.take
        if take.script_problem:
            return f"This take's script cannot be read: {take.script_problem}"
        if take.take_script is not None:
            return (f"This take was played to <b>{take.take_script.name}</b> but has "
                    "no report yet.")
        return ("This take has no report. Score it against an acting script (its "
                "times count from the start of the take) to see, line by line, how "
                "your face read.")

    @property
    def has_html_report(self) -> bool:
        return (self.folder / REPORT_HTML).is_file()

    @property
    def has_saved_report(self) -> bool:
        """Scoring again would replace a report on disk (ask first)."""
        return (self.folder / REPORT_JSON).exists() or (self.folder / REPORT_HTML).exists()

    def take_end_ms(self) -> int | None:
        duration = self.take.summary.get("duration_s")
        try:
            return int(round(float(duration) * 1000)) if duration else None
        except (TypeError, ValueError):
            return None

    def score_with(self, script: Script, *, actor: str = "", overwrite: bool = False) -> TakeReport:
        """Score the take against ``script``, write report.json/report.html (and the
        script, when the take had none); the new report becomes the saved one."""
        if not script.has_times:
            raise ScriptError(
                f"{script.source or 'This script'} is a teleprompter script without times, so "
                "it cannot be matched to a take afterwards; use a timed script.",
                problems=["no times"])
        report = report_for_take(self.folder, script, self.calibration, overwrite=overwrite)
        if self.take.take_script is None:
            try:
                write_take_script(self.folder, script,
                                  actor=actor if self.calibration else "",
                                  calibrated=self.calibration is not None)
                self.take.take_script = read_take_script(self.folder)
            except (OutputError, ScriptError) as exc:
                log.warning("Could not store the script with the take: %s", exc)
        self.saved_report = report
        self.refresh_report()
        return report

    def close(self) -> None:
        self.playing = False
        if self.reader is not None:
            self.reader.close()


__all__ = ["ReviewController", "Reading", "Frame", "open_take"]
