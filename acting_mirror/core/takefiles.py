"""The names of the files in a take folder, defined once.

Every module that writes or reads a take uses these names (pure constants: no I/O here,
so ``core`` stays free of OpenCV and Qt).

A take being recorded holds :data:`IN_PROGRESS` (a small JSON marker) from its first
frame until a clean close removes it; a folder still holding the marker is a take that
was interrupted (a kill, a crash, a power cut, a full disk) and that
``acting-mirror recover`` repairs.
"""

from __future__ import annotations

OUTPUT_AVI = "output.avi"
"""The annotated video (MJPG in AVI)."""

OUTPUT_PNG = "output.png"
"""The annotated picture of a take of one still image (written instead of ``output.avi``)."""

TIMELINE_CSV = "timeline.csv"
"""One row per face per frame (see :mod:`acting_mirror.core.timeline`)."""

SUMMARY_JSON = "summary.json"
"""Counts, timing and the main face's emotions (see :mod:`acting_mirror.core.summary`)."""

REPORT_JSON = "report.json"
REPORT_HTML = "report.html"
"""The newest report of a scripted take; earlier ones are kept as ``report-N.*``."""

SCRIPT_TXT = "script.txt"
SCRIPT_JSON = "script.json"
"""The script a take was acted to, as the actor wrote it and as parsed."""

AUDIO_WAV = "audio.wav"
"""The actor's voice (mono 16-bit PCM): sample ``k`` is timeline time ``k / rate`` once the
recording is finished (see :mod:`acting_mirror.audio.recorder`)."""

AUDIO_CLOCK = "audio.clock"
"""The microphone's clock notes (``samples time_ms`` lines after a JSON line), written
while recording so an interrupted take's audio can still be put on the take's clock."""

SPEECH_JSON = "speech.json"
"""Where the actor spoke: voice-activity segments in timeline time (``audio.vad``)."""

TAKE_JSON = "take.json"
"""What the actor says about a take: ``{"name": ..., "note": ...}`` (both optional)."""

IN_PROGRESS = ".in-progress"
"""Marker: the take is being written, or was interrupted before a clean close."""

TAKE_FILES: tuple[str, ...] = (OUTPUT_AVI, OUTPUT_PNG, TIMELINE_CSV, SUMMARY_JSON)
"""The files a recording writes (never overwritten)."""

EXIT_COMPLETE = 0
EXIT_USER_ERROR = 2
EXIT_ENDED_EARLY = 3
"""``acting-mirror process`` exit statuses: 0 the input was read to its end; 2 the
user's mistake (one line on stderr); 3 the input ended early (a truncated file, a dropped
or stalled stream, a lost camera, a full disk): the take holds what was read."""
