"""The names of the files in a take folder, defined once."""

from __future__ import annotations

OUTPUT_AVI = "output.avi"
"""Every analysed frame, annotated (MJPG)."""
TIMELINE_CSV = "timeline.csv"
"""One row per face per frame."""
SUMMARY_JSON = "summary.json"
"""Frames, duration, faces, speed, detector, model, the main face's emotion shares."""
REPORT_JSON = "report.json"
"""A scripted take's line-by-line report."""
REPORT_HTML = "report.html"
"""The same report, self-contained HTML."""
SCRIPT_TXT = "script.txt"
"""The script a take was played to, in the script format (with times)."""
SCRIPT_JSON = "script.json"
"""What the takes library needs to group takes of one script."""
