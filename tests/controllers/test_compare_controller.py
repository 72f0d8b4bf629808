"""Comparing two real takes of the same script (made from real photos by process_to_take
and scored with report_for_take): what changed line by line, and the clock that keeps the
videos in step by script line."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from acting_mirror.app import process_to_take
from acting_mirror.controllers.compare import (
    CompareController, LineChange, line_changes, sync_knots,
)
from acting_mirror.core.report import report_for_take
from acting_mirror.core.scoring import LineScore
from acting_mirror.core.script import parse_script
from acting_mirror.core.take_catalog import read_take_meta, scan_takes, write_take_meta
from acting_mirror.core.take_script import write_take_script
from acting_mirror.errors import ScriptError

FPS = 10
SCRIPT = """\
0:00-0:02 happy    Look at that view!
0:02-0:04 neutral  The numbers don't add up.
"""
OTHER = "0:00-0:04 sad  Another scene altogether.\n"


def _square(image, size=240):
    h, w = image.shape[:2]
    side = min(h, w)
    y, x = (h - side) // 2, (w - side) // 2
    return cv2.resize(image[y:y + side, x:x + side], (size, size), interpolation=cv2.INTER_AREA)


@pytest.fixture(scope="module")
def takes(tmp_path_factory, make_clip, _photos):
    """Take 1: the smiling astronaut throughout (line 2 asks for neutral: missed).
    Take 2: the astronaut for 2 s, then Grace Hopper's calm face. "other": another script.
    "third": Grace Hopper throughout (line 1 asks for happy: missed)."""
    astronaut, hopper = _square(_photos["astronaut"]), _square(_photos["grace_hopper"])
    root = tmp_path_factory.mktemp("compare")
    made = {}
    for name, frames, text in (
        ("first", [astronaut] * (4 * FPS), SCRIPT),
        ("second", [astronaut] * (2 * FPS) + [hopper] * (2 * FPS), SCRIPT),
        ("other", [hopper] * (4 * FPS), OTHER),
        ("third", [hopper] * (4 * FPS), SCRIPT),
    ):
        clip = make_clip(root / f"{name}.avi", [f.copy() for f in frames], FPS)
        folder = process_to_take(str(clip), out_dir=root / "takes" / name, takes_root=root).folder
        script = parse_script(text, name="scene.txt")
        report_for_take(folder, script)
        write_take_script(folder, script, original_text=text)
        made[name] = folder
    return made


def test_what_changed_is_said_line_by_line(takes):
    compare = CompareController.open(takes["first"], takes["second"])
    try:
        first, second = compare.changes
        assert first.summary == f"line 1: {first.verdict_a} (same)" and first.verdict_a == "hit"
        assert second.verdict_a == "miss" and second.verdict_b in ("hit", "partial")
        assert second.summary == f"line 2: miss → {second.verdict_b}" and second.direction == 1
        sa, sb = round(100 * compare.a.report.score), round(100 * compare.b.report.score)
        assert sb > sa
        assert compare.headline.startswith(f"Score {sa}% → {sb}% (+{sb - sa} points); 1 line better")
    finally:
        compare.close()


def test_takes_of_different_scripts_or_without_a_report_are_refused_in_one_sentence(takes, tmp_path):
    with pytest.raises(ScriptError, match="not acted to the same script"):
        CompareController.open(takes["first"], takes["other"])
    with pytest.raises(ScriptError, match="two different takes"):
        CompareController.open(takes["first"], takes["first"])
    import shutil

    bare = tmp_path / "bare"
    shutil.copytree(takes["second"], bare)
    (bare / "report.json").unlink()
    with pytest.raises(ScriptError, match="has no report yet"):
        CompareController.open(takes["first"], bare)


def test_the_videos_stay_in_step_and_the_frames_match(takes):
    compare = CompareController.open(takes["first"], takes["second"])
    try:
        frame_a, frame_b = compare.seek(25)  # 2.5 s into take 1: line 2
        assert frame_a.index == 25 and abs(frame_b.time_ms - frame_a.time_ms) <= 100
        assert frame_a.image is not None and frame_b.image is not None
        assert compare.line_at(frame_a.time_ms).index == 1
    finally:
        compare.close()


def _line(index, start, end, verdict="hit"):
    return LineScore(index=index, start_ms=start, end_ms=end, targets=("happy",), text=f"l{index}",
                     on_target=1.0, mean_target_prob=1.0, dominant="happy",
                     time_to_target_ms=0, face_fraction=1.0, verdict=verdict)


def test_the_clock_follows_the_lines_not_the_time():
    # a teleprompter take B where the actor lingered on line 1 (0-4 s instead of 0-2 s)
    changes = [LineChange(0, "l0", ("happy",), _line(0, 0, 2000), _line(0, 0, 4000)),
               LineChange(1, "l1", ("happy",), _line(1, 2000, 3000), _line(1, 4000, 5000))]
    ka, kb = sync_knots(changes, 3000, 5000)
    assert np.interp(1000, ka, kb) == 2000  # halfway through line 1 in both
    assert np.interp(2500, ka, kb) == 4500  # halfway through line 2 in both


@given(st.lists(st.tuples(st.integers(0, 9000), st.integers(1, 3000), st.integers(0, 9000),
                          st.integers(1, 3000), st.sampled_from(["hit", "miss", "not_reached"])),
                max_size=8),
       st.integers(1, 20000), st.integers(1, 20000))
def test_the_clock_is_always_increasing_whatever_the_lines(lines, dur_a, dur_b):
    changes = [LineChange(i, "", (), _line(i, sa, sa + la, v), _line(i, sb, sb + lb, v))
               for i, (sa, la, sb, lb, v) in enumerate(lines)]
    ka, kb = sync_knots(changes, dur_a, dur_b)
    assert ka[0] == kb[0] == 0
    assert np.all(np.diff(ka) > 0) and np.all(np.diff(kb) > 0)


def test_a_take_can_be_named_and_noted_and_the_library_shows_the_name(takes, tmp_path):
    import shutil

    folder = tmp_path / "takes" / "t1"
    shutil.copytree(takes["first"], folder)
    assert read_take_meta(folder).name == ""
    meta = write_take_meta(folder, "  Warm-up\n take ", "Too fast on line 2.\nTry a pause.")
    assert meta.name == "Warm-up take" and meta.note == "Too fast on line 2.\nTry a pause."
    assert read_take_meta(folder) == meta
    [entry] = scan_takes(tmp_path / "takes")
    assert entry.name == "Warm-up take" and entry.note.startswith("Too fast")
    (folder / "take.json").write_text("{not json")
    assert read_take_meta(folder).name == ""  # a damaged file: no name, no error
    assert scan_takes(tmp_path / "takes")[0].name == "t1"


def test_three_takes_follow_take_a_and_say_what_changed_across_all(takes):
    compare = CompareController.open(takes["first"], takes["second"], takes["third"])
    try:
        assert compare.letters == "ABC" and len(compare.sides) == 3
        line1, line2 = compare.changes
        assert line1.verdicts[:2] == ["hit", "hit"] and line1.verdicts[2] != "hit"
        assert line1.summary == "line 1: " + " → ".join(line1.verdicts) and line1.direction == -1
        assert line2.verdict_a == "miss" and line2.verdicts[2] in ("hit", "partial")
        assert line2.direction == 1  # judged from A to the last take
        sa, sb, sc = compare.scores
        assert sb > sa and sb > sc and compare.best == "B"
        assert compare.headline.startswith(
            f"Score {sa}% → {sb}% → {sc}% ({'+' if sc >= sa else '−'}{abs(sc - sa)} points "
            "from A to C, best B); 1 line better, 1 worse")
        frames = compare.seek(25)  # 2.5 s into take A: line 2 in every take
        assert len(frames) == 3 and all(f is not None and f.image is not None for f in frames)
        assert all(abs(f.time_ms - frames[0].time_ms) <= 100 for f in frames)
    finally:
        compare.close()


def test_more_takes_are_refused_in_one_sentence_when_they_cannot_be_compared(takes, tmp_path):
    import shutil

    with pytest.raises(ScriptError, match="third|other") as refused:
        CompareController.open(takes["first"], takes["second"], takes["other"])
    assert "not acted to the same script" in str(refused.value) and "other" in str(refused.value)
    with pytest.raises(ScriptError, match="chosen twice"):
        CompareController.open(takes["first"], takes["second"], takes["first"])
    copies = []
    for i in range(3):
        copies.append(tmp_path / f"copy{i}")
        shutil.copytree(takes["second"], copies[-1])
    with pytest.raises(ScriptError, match="up to 4 takes"):
        CompareController.open(takes["first"], takes["third"], *copies)
    tie = CompareController.open(takes["second"], copies[0], takes["first"])
    try:
        assert tie.best == "A and B" and "best A and B" in tie.headline
    finally:
        tie.close()
