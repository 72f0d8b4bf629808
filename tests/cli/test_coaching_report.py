"""Coaching in the report, on a take built from the bundled portraits: a line that
targets surprise while the face smiles (the astronaut) gets brow_raise and jaw_drop
wanted above seen and a tip naming them; the HTML shows them; a take without the mesh
keeps the old tip."""

from __future__ import annotations

import json

import cv2
import pytest


def _square(image, size=320):
    h, w = image.shape[:2]
    side = min(h, w)
    y, x = (h - side) // 2, (w - side) // 2
    return cv2.resize(image[y:y + side, x:x + side], (size, size), interpolation=cv2.INTER_AREA)


@pytest.fixture(scope="module")
def smiling_take(tmp_path_factory):
    from acting_mirror.cli import main

    root = tmp_path_factory.mktemp("coach")
    astronaut = cv2.imread(str(_portrait("astronaut.jpg")))
    hopper = cv2.imread(str(_portrait("grace_hopper.jpg")))
    frames = [_square(astronaut)] * 30 + [_square(hopper)] * 30
    clip = root / "smile.avi"
    writer = cv2.VideoWriter(str(clip), cv2.VideoWriter_fourcc(*"MJPG"), 10, (320, 320))
    for f in frames:
        writer.write(f)
    writer.release()
    script = root / "scene.txt"
    script.write_text("0:00-0:03 surprise Wait, what?\n0:03-0:06 neutral Fine.\n")
    code = main(["process", str(clip), "--detail", "--out", str(root / "take"), "--quiet",
                 "--no-video", "--script", str(script)])
    assert code == 0
    return root


def _portrait(name):
    from acting_mirror.config import assets_dir

    return assets_dir() / "portraits" / name


def test_a_smile_on_a_surprise_line_asks_for_brows_and_jaw(smiling_take):
    report = json.loads((smiling_take / "take" / "report.json").read_text())
    line = report["lines"][0]
    assert line["targets"] == ["surprise"] and line["dominant"] == "happy"
    acts = {a["action"]: a for a in line["face_actions"]}
    for action in ("brow_raise", "jaw_drop"):
        assert acts[action]["wanted"] > acts[action]["seen"]
        assert 0 <= acts[action]["seen"] <= 1 and 0 < acts[action]["wanted"] <= 1
    assert acts["smile"]["wanted"] == 0.0 and acts["smile"]["seen"] > 0.5  # works against it
    tip = line["tip"]
    assert "the brows stayed down" in tip and "the jaw stayed closed" in tip
    assert "the smile stayed on" in tip
    assert line["face_reading"] == "happy"  # CNN and face actions agree: no disagreement note
    assert "disagree" not in tip


def test_the_html_report_shows_the_face_actions(smiling_take):
    page = (smiling_take / "take" / "report.html").read_text()
    assert "the brows stayed down" in page
    assert 'class="acts"' in page and "brow raise" in page and "jaw drop" in page
    assert "works against the target" in page
    assert "Face actions over the take" in page
    assert 'aria-label="Face actions of the primary face over time"' in page


def test_without_the_mesh_there_are_no_face_actions_and_the_old_tip(cli, tmp_path, portrait_clip):
    script = tmp_path / "s.txt"
    script.write_text("0:00-0:01 surprise Wait!\n0:01-0:02 happy Yes.\n")
    code, _out, err = cli("process", portrait_clip, "--out", tmp_path / "take", "--quiet",
                          "--no-video", "--script", script)
    assert code == 0, err
    line = json.loads((tmp_path / "take" / "report.json").read_text())["lines"][0]
    assert "face_actions" not in line
    assert line["tip"].startswith("It read")


def test_a_relaxed_face_on_a_neutral_line_is_told_so(smiling_take):
    line = json.loads((smiling_take / "take" / "report.json").read_text())["lines"][1]
    assert line["targets"] == ["neutral"] and line["verdict"] == "hit"
    assert line["face_reading"] == "neutral"
    assert line["tip"] == "The face stayed relaxed, as this line wants."
