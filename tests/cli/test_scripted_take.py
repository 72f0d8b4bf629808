"""Done when: a clip whose face plays happy, then neutral, then happy (the smiling
astronaut, then Grace Hopper's calm portrait, then the astronaut again), processed into a
take and scored against a happy / sad / happy script: lines 1 and 3 are hits, line 2 is
not. Through the same calls the app makes (app.process_to_take, report_for_take)."""

from __future__ import annotations

import json

import cv2
import numpy as np

from acting_mirror.app import process_to_take
from acting_mirror.core.report import report_for_take
from acting_mirror.core.script import parse_script
from acting_mirror.core.scoring import TakeReport

FPS = 10
SCRIPT = """\
0:00-0:02 happy  We made it!
0:02-0:04 sad    But the others never will.
0:04-0:06 happy  Still... look at that view.
"""


def _square(image: np.ndarray, size: int = 320) -> np.ndarray:
    h, w = image.shape[:2]
    side = min(h, w)
    y, x = (h - side) // 2, (w - side) // 2
    return cv2.resize(image[y : y + side, x : x + side], (size, size), interpolation=cv2.INTER_AREA)


def test_happy_neutral_happy_against_happy_sad_happy(tmp_path, make_clip, astronaut_bgr, grace_hopper_bgr):
    happy, neutral = _square(astronaut_bgr), _square(grace_hopper_bgr)
    frames = [happy] * (2 * FPS) + [neutral] * (2 * FPS) + [happy] * (2 * FPS)
    clip = make_clip(tmp_path / "happy-neutral-happy.avi", frames, FPS)

    outcome = process_to_take(str(clip), out_dir=tmp_path / "take", takes_root=tmp_path)
    assert outcome.frames == 60
    report = report_for_take(outcome.folder, parse_script(SCRIPT, name="scene.txt"))

    verdicts = [line.verdict for line in report.lines]
    assert verdicts[0] == "hit" and verdicts[2] == "hit"
    assert verdicts[1] != "hit"
    assert report.lines[1].dominant == "neutral"  # Grace Hopper reads calm, not sad
    assert "neutral" in report.lines[1].tip  # and the tip says so
    assert 0.5 < report.score < 0.8  # two of three equal lines on target

    saved = TakeReport.from_dict(json.loads((outcome.folder / "report.json").read_text()))
    assert [line.verdict for line in saved.lines] == verdicts
    html = (outcome.folder / "report.html").read_text()
    assert "66%" in html and "rehearsal aid" in html
