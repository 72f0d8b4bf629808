"""The face mesh's readings go everywhere the data goes: timeline.csv gains quality,
yaw/pitch/roll and the 52 blendshapes (named as MediaPipe names them, in its order, after
today's columns), summary.json the main face's mean blendshapes. Real weights, real photos."""

from __future__ import annotations

import csv
import json

import cv2
import numpy as np
import pytest

from acting_mirror.core.blendshapes import BLENDSHAPE_NAMES
from acting_mirror.core.timeline import TIMELINE_COLUMNS, read_timeline
from acting_mirror.core.types import EMOTIONS


def _square(image, size=320):
    h, w = image.shape[:2]
    side = min(h, w)
    y, x = (h - side) // 2, (w - side) // 2
    return cv2.resize(image[y:y + side, x:x + side], (size, size), interpolation=cv2.INTER_AREA)


def test_columns_follow_todays_in_mediapipes_order():
    today = ("frame", "time_ms", "face_id", "primary", "x", "y", "w", "h", *EMOTIONS,
             "top_emotion", "confidence", *(f"raw_{e}" for e in EMOTIONS))
    assert TIMELINE_COLUMNS[: len(today)] == today
    rest = TIMELINE_COLUMNS[len(today):]
    assert rest[:4] == ("quality", "yaw", "pitch", "roll")
    assert rest[4:56] == BLENDSHAPE_NAMES and rest[4] == "_neutral" and rest[55] == "noseSneerRight"
    assert rest[56:] == tuple(f"raw_{b}" for b in BLENDSHAPE_NAMES)


@pytest.mark.parametrize("detector,flag", [("haar", "--detail"), ("mesh", None)])
def test_the_astronaut_smiles_in_the_blendshapes_and_grace_hopper_does_not(
        cli, tmp_path, make_clip, astronaut_bgr, grace_hopper_bgr, detector, flag):
    frames = [_square(astronaut_bgr)] * 10 + [_square(grace_hopper_bgr)] * 10
    clip = make_clip(tmp_path / "two.avi", frames, 10)
    args = ["process", clip, "--out", tmp_path / "take", "--detector", detector, "--quiet",
            "--no-video"] + ([flag] if flag else [])
    code, out, err = cli(*args)
    assert code == 0, err
    table = read_timeline(tmp_path / "take" / "timeline.csv")
    main = table.primary_rows()
    assert main.has_blendshapes
    smile = [BLENDSHAPE_NAMES.index("mouthSmileLeft"), BLENDSHAPE_NAMES.index("mouthSmileRight")]
    astronaut = main.blendshapes[main.frame < 8][:, smile]
    hopper = main.blendshapes[main.frame >= 14][:, smile]
    assert np.nanmean(astronaut) > 0.5 and np.nanmean(hopper) < 0.2
    read = np.isfinite(main.pose).all(axis=1)
    assert read.mean() >= 0.9  # all but the frame of the cut, where the new face is seeded
    assert (np.abs(main.pose[read]) < 45).all()  # frontal portraits
    assert set(main.quality) == {"ok"}
    summary = json.loads((tmp_path / "take" / "summary.json").read_text())
    means = summary["mean_primary_blendshapes"]
    assert list(means) == list(BLENDSHAPE_NAMES) and 0 < means["mouthSmileLeft"] < 1


def test_without_the_mesh_the_new_columns_are_empty_and_old_timelines_still_read(
        cli, tmp_path, portrait_clip):
    assert cli("process", portrait_clip, "--out", tmp_path / "take", "--quiet", "--no-video")[0] == 0
    path = tmp_path / "take" / "timeline.csv"
    with path.open(newline="") as fh:
        rows = list(csv.reader(fh))
    header, first = rows[0], rows[1]
    assert header == list(TIMELINE_COLUMNS)
    assert first[header.index("quality")] == "ok"
    assert first[header.index("yaw")] == "" and first[header.index("jawOpen")] == ""
    assert json.loads((tmp_path / "take" / "summary.json").read_text())["mean_primary_blendshapes"] == {}
    # a timeline from before these columns: cut every row to today's columns
    old = tmp_path / "old.csv"
    with old.open("w", newline="") as fh:
        csv.writer(fh).writerows(r[: header.index("quality")] for r in rows)
    table = read_timeline(old)
    assert len(table) == len(rows) - 1 and not table.has_blendshapes
