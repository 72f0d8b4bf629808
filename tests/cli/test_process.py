"""`acting-mirror process`, end to end, with the real model and real photos."""

import csv
import json

import cv2
import numpy as np
import pytest

from acting_mirror.core.types import EMOTIONS


COLUMNS = ["frame", "time_ms", "face_id", "primary", "x", "y", "w", "h", *EMOTIONS]


def read_rows(take):
    with (take / "timeline.csv").open() as fh:
        return list(csv.DictReader(fh))


def test_clip_becomes_a_complete_take(count_frames, cli, portrait_clip, tmp_path):
    take = tmp_path / "take"
    code, out, err = cli("process", portrait_clip, "--out", take)
    assert code == 0, err
    assert "Analysed 20 frames" in out and str(take) in out
    assert count_frames(take / "output.avi") == 20  # every analysed frame kept
    with (take / "timeline.csv").open() as fh:
        header = next(csv.reader(fh))
    assert header[: len(COLUMNS)] == COLUMNS
    rows = read_rows(take)
    primary = [r for r in rows if r["primary"] == "1"]
    assert sorted({int(r["frame"]) for r in primary}) == list(range(20))
    assert [int(r["time_ms"]) for r in primary] == [i * 100 for i in range(20)]
    top = [max(EMOTIONS, key=lambda e: float(r[e])) for r in primary]
    assert top[:10].count("happy") >= 9  # the astronaut smiles
    assert top[-5:].count("neutral") == 5  # Grace Hopper, once the smoothing has caught up
    summary = json.loads((take / "summary.json").read_text())
    assert summary["frames"] == 20 and summary["detector"] == "haar"
    assert summary["model"] == "emotion_mini_xception.tflite"
    assert summary["primary_emotion_shares"]["happy"] > 0.4


def test_a_photo_without_faces_gives_no_rows(cli, faceless_bgr, tmp_path):
    photo = tmp_path / "coffee.png"
    cv2.imwrite(str(photo), faceless_bgr)
    code, _, err = cli("process", photo, "--out", tmp_path / "t", "--no-video")
    assert code == 0, err
    assert read_rows(tmp_path / "t") == []
    assert not (tmp_path / "t" / "output.avi").exists()


def test_mtcnn_detector_reads_the_same_faces(cli, portrait_clip, tmp_path):
    code, _, err = cli("process", portrait_clip, "--out", tmp_path / "m", "--detector", "mtcnn", "--no-video")
    assert code == 0, err
    rows = [r for r in read_rows(tmp_path / "m") if r["primary"] == "1"]
    assert len({r["frame"] for r in rows}) == 20
    summary = json.loads((tmp_path / "m" / "summary.json").read_text())
    assert summary["detector"] == "mtcnn"


def test_a_face_at_the_frame_edge(cli, astronaut_bgr, tmp_path):
    # the face half out of the picture, at the right edge
    img = np.full((400, 400, 3), 30, np.uint8)
    img[:, :220] = astronaut_bgr[20:420, 200:420]
    photo = tmp_path / "edge.png"
    cv2.imwrite(str(photo), img)
    code, _, err = cli("process", photo, "--out", tmp_path / "e", "--detector", "mtcnn")
    assert code == 0, err
    for r in read_rows(tmp_path / "e"):
        x, y, w, h = (int(r[k]) for k in "xywh")
        assert x >= 0 and y >= 0 and w > 0 and h > 0 and x + w <= 400 and y + h <= 400


def test_image_folder_input(count_frames, cli, letterboxed, astronaut_bgr, grace_hopper_bgr, tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    cv2.imwrite(str(folder / "1.png"), letterboxed(astronaut_bgr))
    cv2.imwrite(str(folder / "2.jpg"), letterboxed(grace_hopper_bgr))
    code, out, err = cli("process", folder, "--out", tmp_path / "f")
    assert code == 0, err
    assert count_frames(tmp_path / "f" / "output.avi") == 2


def test_without_out_a_new_take_folder_appears_in_the_library(cli, portrait_clip, tmp_path, monkeypatch):
    monkeypatch.setenv("ACTING_MIRROR_HOME", str(tmp_path / "home"))
    for _ in range(2):
        assert cli("process", portrait_clip, "--no-video", "--quiet")[0] == 0
    takes = sorted((tmp_path / "home" / "takes").iterdir())
    assert len(takes) == 2 and all((t / "timeline.csv").is_file() for t in takes)


@pytest.mark.parametrize(
    "make_input, message",
    [
        (lambda d: d / "nope.mp4", "no such file"),
        (lambda d: (d / "empty.mp4").write_bytes(b"") or d / "empty.mp4", "empty"),
        (lambda d: (d / "junk.avi").write_bytes(b"\x00garbage" * 500) or d / "junk.avi", ""),
        (lambda d: "http://127.0.0.1:9/clip.mp4", "127.0.0.1"),
        (lambda d: "ftp://example.invalid/clip.mp4", ""),
    ],
    ids=["missing", "empty", "corrupt", "unreachable-url", "unsupported-url"],
)
def test_bad_input_is_one_line_and_exit_2_and_leaves_nothing(cli, tmp_path, make_input, message):
    out_dir = tmp_path / "take"
    code, out, err = cli("process", make_input(tmp_path), "--out", out_dir)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and message in err.lower()
    assert "Traceback" not in err
    assert not out_dir.exists()


def test_an_existing_take_is_never_touched(cli, portrait_clip, tmp_path):
    take = tmp_path / "take"
    take.mkdir()
    (take / "notes.txt").write_text("mine")
    code, _, err = cli("process", portrait_clip, "--out", take)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert [p.name for p in take.iterdir()] == ["notes.txt"]


def test_a_broken_model_file_is_refused(cli, portrait_clip, tmp_path):
    model = tmp_path / "broken.tflite"
    model.write_bytes(b"not a model")
    code, _, err = cli("process", portrait_clip, "--out", tmp_path / "t", "--model", model)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "t").exists()


def test_unknown_detector_is_a_usage_error(cli, portrait_clip):
    with pytest.raises(SystemExit) as exc:
        cli("process", portrait_clip, "--detector", "nope")
    assert exc.value.code == 2


def test_installed_command_finds_its_models(run_installed, portrait_clip, tmp_path):
    """The installed console script, run from outside the repository."""
    version = run_installed("--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("acting-mirror ")
    result = run_installed("process", portrait_clip, "--out", tmp_path / "t", "--no-video", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "t" / "summary.json").is_file()


def test_a_teleprompter_script_is_refused_before_any_frame_is_analysed(cli, portrait_clip, tmp_path):
    script = tmp_path / "lines.txt"
    script.write_text("happy  I got the part!\nsad  ...but it's in Antarctica.\n")
    code, out, err = cli("process", portrait_clip, "--out", tmp_path / "take", "--script", script)
    assert code == 2 and "teleprompter" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "take").exists()


def test_a_script_longer_than_the_media_warns_and_marks_lines_not_reached(cli, portrait_clip, tmp_path):
    script = tmp_path / "scene.txt"
    script.write_text("0:00-0:01 happy  Hello!\n0:01-0:02 neutral Well.\n0:05-0:08 sad  Later.\n")
    code, out, err = cli("process", portrait_clip, "--out", tmp_path / "take", "--script", script,
                         "--quiet")
    assert code == 0
    assert "longer than the media" in err and "8.0 s" in err and "2.0 s" in err
    report = json.loads((tmp_path / "take" / "report.json").read_text())
    assert [line["verdict"] for line in report["lines"]][2] == "not_reached"
    assert "no_face" not in [line["verdict"] for line in report["lines"]]
    assert f"-> {tmp_path / 'take' / 'report.html'}" in out and "Score " in out


def test_a_take_folder_without_a_script_asks_for_one(cli, portrait_clip, tmp_path):
    assert cli("process", portrait_clip, "--out", tmp_path / "take", "--quiet")[0] == 0
    code, out, err = cli("process", tmp_path / "take")
    assert code == 2 and "is a take folder" in err and "--script" in err


def test_demo_is_the_bundled_clip_as_in_the_app(cli, tmp_path):
    code, out, err = cli("process", "demo", "--out", tmp_path / "take", "--no-video",
                         "--max-frames", "5", "--quiet")
    assert code == 0 and "Analysed 5 frames" in out


def test_a_truncated_file_keeps_its_take_says_so_in_one_line_and_exits_3(cli, portrait_clip, tmp_path):
    data = portrait_clip.read_bytes()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    code, out, err = cli("process", cut, "--out", tmp_path / "take", "--quiet")
    assert code == 3
    assert len(err.strip().splitlines()) == 1 and "ended early" in err and "truncated" in err
    summary = json.loads((tmp_path / "take" / "summary.json").read_text())
    assert summary["complete"] is False and "truncated" in summary["end_reason"]
    assert 0 < summary["frames"] < 20


def test_lines_read_on_a_poor_picture_blame_the_picture_not_the_actor(cli, tmp_path, make_clip,
                                                                     astronaut_bgr):
    dark = (astronaut_bgr * 0.2).astype("uint8")  # still found, too dark to read well
    clip = make_clip(tmp_path / "dark.avi", [dark] * 20, 10)
    script = tmp_path / "s.txt"
    script.write_text("0:00-0:02 sad  Nobody came.\n")
    code, out, err = cli("process", clip, "--out", tmp_path / "take", "--script", script, "--quiet")
    assert code == 0, err
    line = json.loads((tmp_path / "take" / "report.json").read_text())["lines"][0]
    assert "dark" in line["poor_picture"]
    assert "light" in line["tip"] and "says little about your acting" in line["tip"]


@pytest.mark.parametrize("flag", ["--align", "--clahe"])
def test_aligned_or_equalised_crops_are_a_process_switch(cli, portrait_clip, tmp_path, flag):
    code, out, err = cli("process", portrait_clip, "--out", tmp_path / "take", "--quiet",
                         "--no-video", "--detector", "mtcnn", flag)
    assert code == 0, err
    summary = json.loads((tmp_path / "take" / "summary.json").read_text())
    assert summary["frames_with_primary"] == summary["frames"]  # every face still read

def test_a_still_picture_gives_an_annotated_png_and_a_one_frame_take(cli, astronaut_bgr, tmp_path):
    photo = tmp_path / "astronaut.png"
    cv2.imwrite(str(photo), astronaut_bgr)
    take = tmp_path / "take"
    code, out, err = cli("process", photo, "--out", take)
    assert code == 0, err
    assert not (take / "output.avi").exists()
    picture = cv2.imread(str(take / "output.png"))
    assert picture.shape == astronaut_bgr.shape
    assert np.abs(picture.astype(int) - astronaut_bgr.astype(int)).max() > 100  # boxes drawn
    rows = read_rows(take)
    assert {r["frame"] for r in rows} == {"0"} and any(r["primary"] == "1" for r in rows)
    summary = json.loads((take / "summary.json").read_text())
    assert summary["frames"] == 1 and summary["complete"] is not False
    assert out.startswith("Analysed 1 picture in ") and "1 face seen" in out
    assert "frames" not in out and "face(s)" not in out


def test_an_image_folder_still_gives_a_video(count_frames, cli, astronaut_bgr, grace_hopper_bgr, tmp_path):
    folder = tmp_path / "pictures"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), astronaut_bgr)
    cv2.imwrite(str(folder / "b.png"), grace_hopper_bgr)
    code, out, err = cli("process", folder, "--out", tmp_path / "take")
    assert code == 0, err
    assert count_frames(tmp_path / "take" / "output.avi") == 2
    assert not (tmp_path / "take" / "output.png").exists()
    assert "Analysed 2 frames" in out


def test_a_scored_take_keeps_its_script_so_it_groups_and_compares_with_the_apps(
        cli, portrait_clip, tmp_path):
    from acting_mirror.controllers.compare import CompareController
    from acting_mirror.core.script import parse_script
    from acting_mirror.core.take_catalog import group_takes, scan_takes
    from acting_mirror.core.take_script import read_take_script, script_key, write_take_script

    text = "0:00-0:01 happy  Hello!\n0:01-0:02 neutral Well.\n"
    script = tmp_path / "scene.txt"
    script.write_text(text)
    takes = tmp_path / "takes"
    code, out, _ = cli("process", portrait_clip, "--out", takes / "cli", "--script", script, "--quiet")
    assert code == 0
    stored = read_take_script(takes / "cli")
    assert stored is not None and stored.key == script_key(parse_script(text, name="scene.txt"))
    # a take the app recorded of the same script (it stores the script the same way)
    assert cli("process", portrait_clip, "--out", takes / "app", "--quiet")[0] == 0
    from acting_mirror.core.report import report_for_take

    played = parse_script("# my copy, other comments\n" + text, name="my copy.txt")
    report_for_take(takes / "app", played)
    write_take_script(takes / "app", played)
    assert [len(g.takes) for g in group_takes(scan_takes(takes))] == [2]  # one script, two takes
    CompareController.open(takes / "cli", takes / "app").close()  # comparable
    # rescoring a take keeps the script it was acted to
    other = tmp_path / "other.txt"
    other.write_text("0:00-0:02 sad  Something else.\n")
    assert cli("process", takes / "app", "--script", other, "--quiet")[0] == 0
    assert read_take_script(takes / "app").key == script_key(played)
