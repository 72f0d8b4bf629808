"""``acting-mirror profile script|learn|show|list`` and ``process ... --actor NAME``, as a
user runs them; every mistake is one line and exit 2."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "core"))
from synthetic_face import routine_table, write_timeline  # noqa: E402

from acting_mirror.core.profile import routine_text  # noqa: E402


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("ACTING_MIRROR_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def take_of(folder: Path, **kwargs) -> Path:
    folder.mkdir(parents=True)
    write_timeline(routine_table(**kwargs), folder / "timeline.csv")
    return folder


def one_line(err: str) -> bool:
    return err.count("\n") == 1 and err.startswith("acting-mirror")


def test_script_prints_the_routine_and_writes_it_once(cli, tmp_path, home):
    code, out, _ = cli("profile", "script")
    assert code == 0 and out == routine_text()
    assert "neutral" in out and "surprise" in out
    code, out, _ = cli("profile", "script", "--out", tmp_path / "routine.txt")
    assert code == 0 and (tmp_path / "routine.txt").read_text() == routine_text()
    code, _, err = cli("profile", "script", "--out", tmp_path / "routine.txt")
    assert code == 2 and one_line(err) and "already exists" in err
    # the printed routine is a script the app reads
    code, out, err = cli("script", "check", tmp_path / "routine.txt")
    assert code == 0, err


def test_learn_then_show_then_score_with_the_profile(cli, tmp_path, home):
    take = take_of(tmp_path / "routine-take")
    code, out, err = cli("profile", "learn", take, "--actor", "Ann")
    assert code == 0, err
    assert "reliability" in out and "sad" in out and "Saved" in out
    saved = home / "profiles" / "expression" / "Ann.json"
    assert json.loads(saved.read_text())["actor"] == "Ann"
    code, out, _ = cli("profile", "show", "Ann")
    assert code == 0
    sad = next(line for line in out.splitlines() if line.split()[:1] == ["sad"])
    assert "reliable" in sad and "CNN alone 0%" in sad
    assert cli("profile", "list")[1].split() == ["Ann"]
    assert json.loads(cli("profile", "show", "Ann", "--json")[1])["kind"].endswith("profile")

    # a scene take: the CNN reads this actor's sad as neutral; the profile reads it as sad
    scene = take_of(tmp_path / "scene-take", order=("sad", "happy"), seed=11)
    script = tmp_path / "scene.txt"
    script.write_text("0:00-0:04 sad Oh no.\n0:05-0:09 happy Yes!\n")
    code, out, err = cli("process", scene, "--script", script)
    assert code == 0, err
    plain = json.loads((scene / "report.json").read_text())
    code, out, err = cli("process", scene, "--script", script, "--actor", "Ann")
    assert code == 0, err
    mine = json.loads((scene / "report.json").read_text())
    assert plain["lines"][0]["verdict"] == "miss" and mine["lines"][0]["verdict"] == "hit"
    assert mine["profile"] == "Ann" and "profile" not in plain
    assert "expression profile" in (scene / "report.html").read_text()


@pytest.mark.parametrize("make,words", [
    (lambda d: take_of(d, end_s=12), "does not match the profile routine"),
    (lambda d: take_of(d, drop=("angry",)), "angry line"),
    (lambda d: d.mkdir() or d, "is not a take folder"),
])
def test_takes_that_are_not_the_routine_get_one_line(cli, tmp_path, home, make, words):
    take = make(tmp_path / "take")
    code, _, err = cli("profile", "learn", take, "--actor", "Ann")
    assert code == 2 and one_line(err) and words in err
    assert not (home / "profiles" / "expression" / "Ann.json").exists()


def test_a_take_recorded_against_another_script_is_refused(cli, tmp_path, home):
    from acting_mirror.core.script import parse_script
    from acting_mirror.core.take_script import write_take_script

    take = take_of(tmp_path / "take")
    other = parse_script("0:00-0:04 happy Hi.\n0:05-0:09 sad Bye.\n", name="other.txt")
    write_take_script(take, other)
    code, _, err = cli("profile", "learn", take, "--actor", "Ann")
    assert code == 2 and one_line(err) and "another script" in err


def test_a_take_without_face_detail_is_refused(cli, tmp_path, home, portrait_clip):
    assert cli("process", portrait_clip, "--out", tmp_path / "t", "--quiet", "--no-video")[0] == 0
    code, _, err = cli("profile", "learn", tmp_path / "t", "--actor", "Ann")
    assert code == 2 and one_line(err) and "--detail" in err


def test_missing_and_bad_profiles_get_one_line(cli, tmp_path, home):
    code, _, err = cli("profile", "show", "Nobody")
    assert code == 2 and one_line(err) and "No expression profile for 'Nobody'" in err
    bad = home / "profiles" / "expression" / "Bad.json"
    bad.parent.mkdir(parents=True)
    bad.write_text('{"kind": "acting-mirror expression profile", "model": {}}')
    code, _, err = cli("profile", "show", "Bad")
    assert code == 2 and one_line(err) and "not a valid expression profile" in err
    take = take_of(tmp_path / "take", order=("sad",))
    script = tmp_path / "s.txt"
    script.write_text("0:00-0:04 sad Oh no.\n")
    code, _, err = cli("process", take, "--script", script, "--actor", "Bad")
    assert code == 2 and one_line(err)
    code, _, err = cli("process", take, "--actor", "Bad")
    assert code == 2 and one_line(err) and "--script" in err
    code, _, err = cli("profile", "learn", take, "--actor", "  ")
    assert code == 2 and one_line(err)
    with pytest.raises(SystemExit) as exit_:
        cli("profile")
    assert exit_.value.code == 2
