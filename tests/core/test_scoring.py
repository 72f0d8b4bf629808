"""Scoring a take against its script, on timelines with known answers."""

from __future__ import annotations

import json

import numpy as np
import pytest

from acting_mirror.core.calibration import calibrate
from acting_mirror.core.script import parse_script
from acting_mirror.core.scoring import (
    DISCLAIMER, TakeReport, estimate_frame_ms, line_tip, score_take,
)
from acting_mirror.core.timeline import TimelineTable
from acting_mirror.core.types import EMOTIONS

FPS = 25
FRAME_MS = 1000 // FPS  # 40 ms


def probs(emotion: str, p: float = 0.8) -> np.ndarray:
    out = np.full(len(EMOTIONS), (1.0 - p) / (len(EMOTIONS) - 1), dtype=np.float32)
    out[EMOTIONS.index(emotion)] = p
    return out


def make_table(labels: list[str | None], *, extra_face: str | None = None,
               flag_primary: bool = True) -> TimelineTable:
    """One frame per label at 25 fps: the primary face reading that emotion (None: no
    face in that frame). ``extra_face`` adds a second, non-primary face to every frame."""
    frame, time, fid, primary, rows = [], [], [], [], []
    for i, label in enumerate(labels):
        if label is not None:
            frame.append(i); time.append(i * FRAME_MS); fid.append(1)
            primary.append(flag_primary); rows.append(probs(label))
        if extra_face is not None:
            frame.append(i); time.append(i * FRAME_MS); fid.append(2)
            primary.append(False); rows.append(probs(extra_face))
    n = len(frame)
    return TimelineTable(
        frame=np.array(frame, dtype=np.int64), time_ms=np.array(time, dtype=np.int64),
        face_id=np.array(fid, dtype=np.int64), primary=np.array(primary, dtype=bool),
        boxes=np.tile(np.array([10, 10, 80, 80], dtype=np.int64), (n, 1)),
        probs=np.array(rows, dtype=np.float32).reshape(n, len(EMOTIONS)),
    )


HAPPY_SAD_HAPPY = parse_script(
    "0:00-0:02 happy Line one\n0:02-0:04 sad Line two\n0:04-0:06 happy Line three\n",
    name="three.txt",
)


def test_happy_neutral_happy_against_happy_sad_happy():
    table = make_table(["happy"] * 50 + ["neutral"] * 50 + ["happy"] * 50)
    report = score_take(HAPPY_SAD_HAPPY, table)
    assert [line.verdict for line in report.lines] == ["hit", "miss", "hit"]
    assert [line.on_target for line in report.lines] == [1.0, 0.0, 1.0]
    assert [line.dominant for line in report.lines] == ["happy", "neutral", "happy"]
    assert all(line.face_fraction == 1.0 for line in report.lines)
    assert report.lines[0].mean_target_prob == pytest.approx(0.8)
    assert report.lines[1].mean_target_prob == pytest.approx(0.2 / 6, abs=1e-4)
    assert report.score == pytest.approx(2 / 3)
    assert report.script == "three.txt" and not report.calibrated


def test_a_line_without_face_rows_is_no_face_and_counts_zero():
    table = make_table(["happy"] * 50 + [None] * 50 + ["happy"] * 50)
    report = score_take(HAPPY_SAD_HAPPY, table)
    line = report.lines[1]
    assert line.verdict == "no_face" and line.face_fraction == 0.0
    assert line.dominant is None and line.mean_target_prob is None
    assert line.time_to_target_ms is None
    assert report.score == pytest.approx(2 / 3)


def test_a_face_seen_less_than_half_the_line_is_no_face_even_if_on_target():
    table = make_table(["happy"] * 20 + [None] * 30 + ["neutral"] * 100)
    line = score_take(HAPPY_SAD_HAPPY, table).lines[0]
    assert line.face_fraction == pytest.approx(0.4)
    assert line.on_target == 1.0 and line.verdict == "no_face"


def test_partial_between_thirty_and_sixty_percent():
    table = make_table((["happy"] * 20 + ["neutral"] * 30) + ["sad"] * 50 + ["happy"] * 50)
    report = score_take(HAPPY_SAD_HAPPY, table)
    assert report.lines[0].on_target == pytest.approx(0.4)
    assert report.lines[0].verdict == "partial"
    assert report.score == pytest.approx((0.4 + 1 + 1) / 3)


def test_score_is_weighted_by_line_duration():
    script = parse_script("0:00-0:01 happy short\n0:01-0:04 sad long\n")
    table = make_table(["happy"] * 25 + ["neutral"] * 75)
    assert score_take(script, table).score == pytest.approx(0.25)


def test_time_to_target_waits_for_a_held_expression():
    # 10 neutral frames, a 3-frame (120 ms) flicker of happy, 5 neutral, then happy held
    labels = ["neutral"] * 10 + ["happy"] * 3 + ["neutral"] * 5 + ["happy"] * 32
    line = score_take(HAPPY_SAD_HAPPY, make_table(labels + ["sad"] * 100)).lines[0]
    assert line.time_to_target_ms == 18 * FRAME_MS
    never = score_take(HAPPY_SAD_HAPPY, make_table(["neutral"] * 150)).lines[0]
    assert never.time_to_target_ms is None


def test_time_to_target_is_measured_from_the_lines_start():
    table = make_table(["happy"] * 50 + ["neutral"] * 5 + ["sad"] * 45 + ["happy"] * 50)
    assert score_take(HAPPY_SAD_HAPPY, table).lines[1].time_to_target_ms == 5 * FRAME_MS


def test_only_the_primary_face_counts():
    table = make_table(["happy"] * 50 + ["sad"] * 50 + ["happy"] * 50, extra_face="angry")
    report = score_take(HAPPY_SAD_HAPPY, table)
    assert [line.verdict for line in report.lines] == ["hit", "hit", "hit"]


def test_a_lone_unflagged_face_counts_as_primary():
    table = make_table(["happy"] * 150, flag_primary=False)
    assert score_take(HAPPY_SAD_HAPPY, table).lines[0].verdict == "hit"


def test_calibration_turns_an_actors_relaxed_sad_look_into_neutral():
    script = parse_script("0:00-0:02 neutral Just breathe.\n")
    table = make_table(["sad"] * 50)  # relaxed face reads 80% sad
    plain = score_take(script, table)
    assert plain.lines[0].verdict == "miss" and plain.lines[0].dominant == "sad"
    calibration = calibrate(np.tile(probs("sad"), (20, 1)), actor="ann")
    fixed = score_take(script, table, calibration)
    assert fixed.calibrated and fixed.lines[0].verdict == "hit"


def test_lines_after_the_take_ended_are_not_reached_and_left_out_of_the_score():
    table = make_table(["happy"] * 50 + ["sad"] * 25)  # stopped at 3 s
    report = score_take(HAPPY_SAD_HAPPY, table, take_end_ms=3000, complete=False)
    assert [line.verdict for line in report.lines] == ["hit", "hit", "not_reached"]
    assert report.lines[1].face_fraction == 1.0
    assert report.lines[2].tip == ""  # never "your face was out of view"
    # the score covers the two lines the take reached, both fully on target
    assert report.score == pytest.approx(1.0)
    assert report.complete is False and report.to_dict()["complete"] is False
    assert report.counts()["not_reached"] == 1


def test_an_offset_moves_script_time_zero():
    table = make_table(["neutral"] * 25 + ["happy"] * 50 + ["sad"] * 50 + ["happy"] * 50)
    report = score_take(HAPPY_SAD_HAPPY, table, offset_ms=1000)
    assert [line.verdict for line in report.lines] == ["hit", "hit", "hit"]


def test_an_untimed_script_needs_the_times_of_the_take():
    script = parse_script("happy a\nsad b\n")
    from acting_mirror.errors import ScriptError

    with pytest.raises(ScriptError, match="no times"):
        score_take(script, make_table(["happy"] * 10))
    shown = script.with_times([(0, 2000), (2000, 4000)])
    report = score_take(shown, make_table(["happy"] * 50 + ["sad"] * 50))
    assert [line.verdict for line in report.lines] == ["hit", "hit"]


def test_an_empty_timeline_scores_zero_with_no_face_everywhere():
    report = score_take(HAPPY_SAD_HAPPY, make_table([]))
    assert report.score == 0.0 and {line.verdict for line in report.lines} == {"no_face"}


def test_the_frame_period_comes_from_the_timeline():
    assert estimate_frame_ms(make_table(["happy"] * 10)) == pytest.approx(40.0)
    assert estimate_frame_ms(make_table(["happy"])) == pytest.approx(1000 / 30)


def test_report_dict_has_the_documented_keys_and_round_trips():
    report = score_take(HAPPY_SAD_HAPPY, make_table(["happy"] * 150))
    d = json.loads(json.dumps(report.to_dict()))
    assert set(d) == {"score", "script", "calibrated", "complete", "lines", "disclaimer"}
    assert set(d["lines"][0]) == {
        "index", "start_ms", "end_ms", "targets", "text", "on_target", "mean_target_prob",
        "dominant", "time_to_target_ms", "face_fraction", "verdict", "tip",
    }
    assert d["lines"][1]["targets"] == ["sad"] and d["disclaimer"] == DISCLAIMER
    assert "66%" in d["disclaimer"] and "never a judge" in d["disclaimer"]
    assert TakeReport.from_dict(d).to_dict() == d


def test_missed_lines_get_an_actionable_tip():
    table = make_table(["happy"] * 50 + ["neutral"] * 50 + [None] * 50)
    report = score_take(HAPPY_SAD_HAPPY, table)
    assert line_tip(report.lines[0]) == ""
    assert "sadness" in report.lines[1].tip and "neutral" in report.lines[1].tip
    assert "camera" in report.lines[2].tip
