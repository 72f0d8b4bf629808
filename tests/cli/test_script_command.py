"""``acting-mirror script check`` and ``script example``."""

from __future__ import annotations

import pytest

from acting_mirror.cli import main
from acting_mirror.config import assets_dir


def test_check_summarises_a_valid_timed_script(capsys):
    path = assets_dir() / "example_script.txt"
    assert main(["script", "check", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("example_script.txt: 4 cues, timed, 00:00.5-00:11.5")
    assert "We made it. Look at that view!" in out
    assert "happy|surprise" in out
    assert len(out.strip().splitlines()) == 5


def test_check_summarises_a_teleprompter_script(capsys):
    path = assets_dir() / "example_teleprompter.txt"
    assert main(["script", "check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "teleprompter" in out and "You finally came back." in out


def test_check_lists_every_problem_on_stderr_and_exits_2(tmp_path, capsys):
    bad = tmp_path / "bad.txt"
    bad.write_text("0:05-0:03 hapy Hello\n0:10-0:14 sad\n0:12 angry\nsad no time\n")
    assert main(["script", "check", str(bad)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert lines[0] == f"{bad}: not a valid acting script (5 problems):"
    assert [line.strip().split(":")[0] for line in lines[1:]] == [
        "line 1", "line 1", "line 3", "line 3", "line 4",
    ]
    assert "did you mean happy?" in captured.err
    assert "overlaps line 2 (00:10-00:14)" in captured.err


def test_check_of_a_missing_file_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(["script", "check", str(tmp_path / "nope.txt")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Cannot read script" in err[0]


def test_example_prints_a_script_that_checks(tmp_path, capsys):
    assert main(["script", "example"]) == 0
    text = capsys.readouterr().out
    saved = tmp_path / "mine.txt"
    saved.write_text(text)
    assert main(["script", "check", str(saved)]) == 0
    assert main(["script", "example", "--teleprompter"]) == 0
    assert "teleprompter" in capsys.readouterr().out.lower()


def test_script_without_an_action_is_a_usage_error(capsys):
    try:
        code = main(["script"])
    except SystemExit as exc:
        code = exc.code
    assert code == 2
    assert "ACTION" in capsys.readouterr().err


# --- show, import --------------------------------------------------------------------

import json  # noqa: E402

SCENE = assets_dir() / "example_scene.fountain"


def test_show_json_of_an_old_script_has_every_field(capsys):
    assert main(["script", "show", str(assets_dir() / "example_script.txt"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["timed"] is True and len(data["lines"]) == 4
    first = data["lines"][0]
    assert first["index"] == 0 and first["speaker"] is None and first["partner"] is False
    assert first["start_ms"] == 500 and isinstance(first["end_ms"], int)
    assert first["targets"] and first["text"]


def test_show_json_of_a_scene_script_has_partners_and_nulls(capsys):
    assert main(["script", "show", str(assets_dir() / "example_scene.txt"), "--json"]) == 0
    lines = json.loads(capsys.readouterr().out)["lines"]
    theo = [x for x in lines if x["partner"]]
    assert len(theo) == 5 and {x["speaker"] for x in theo} == {"THEO"}
    assert all(x["targets"] == [] and x["start_ms"] is None and x["end_ms"] is None for x in theo)
    assert [x["kind"] for x in lines].count("direction") == 5
    assert [x["targets"] for x in lines if x["kind"] == "actor"][-1] == []
    assert {x["speaker"] for x in lines if x["kind"] == "actor"} == {"NORA"}  # role: NORA


def test_show_of_a_bad_script_lists_problems_and_exits_2(tmp_path, capsys):
    bad = tmp_path / "bad.txt"
    bad.write_text("@MAYA no colon\nhappy ok\n")
    assert main(["script", "show", str(bad), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "line 1: write a partner's line as @NAME: text" in captured.err


def test_import_without_a_character_lists_them(capsys):
    assert main(["script", "import", str(SCENE)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == 'example_scene.fountain "The Letter": 2 speaking characters (lines of dialogue):'
    assert out[1].split() == ["NORA", "6"] and out[2].split() == ["THEO", "5"]
    assert "--character NORA" in out[3]


def test_import_writes_the_script_and_lists_the_unlabelled_lines(tmp_path, capsys):
    out = tmp_path / "nora.txt"
    assert main(["script", "import", str(SCENE), "--character", "nora", "--out", str(out)]) == 0
    report = capsys.readouterr().out
    assert report.startswith(f"wrote {out}: 16 lines for NORA: 6 yours (5 with a target), "
                             "5 partner, 5 stage directions.")
    assert "line 21 (screenplay line 58): Sit down." in report
    assert out.read_text() == (assets_dir() / "example_scene.txt").read_text()
    assert main(["script", "check", str(out)]) == 0


def test_import_never_overwrites(tmp_path, capsys):
    out = tmp_path / "mine.txt"
    out.write_text("keep me")
    assert main(["script", "import", str(SCENE), "--character", "NORA", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "already exists" in err[0]
    assert out.read_text() == "keep me"


def test_import_to_stdout_prints_the_script_and_reports_on_stderr(capsys):
    assert main(["script", "import", str(SCENE), "--character", "THEO", "--no-directions"]) == 0
    captured = capsys.readouterr()
    assert "@NORA: So. You finally came back." in captured.out
    assert not any(line.startswith("[") for line in captured.out.splitlines())
    assert captured.err.startswith("imported: 10 lines for THEO: 5 yours (2 with a target), 5 partner")


def test_import_with_a_users_cue_table(tmp_path, capsys):
    cues = tmp_path / "cues.txt"
    cues.write_text("sit down = neutral\n")
    play = tmp_path / "p.fountain"
    play.write_text("NORA\n(sit down)\nPlease.\n\nTHEO\nNo.\n")
    assert main(["script", "import", str(play), "--character", "NORA", "--cues", str(cues)]) == 0
    assert "neutral  Please." in capsys.readouterr().out


@pytest.mark.parametrize("content, needle", [
    (b"NORA\n\xff\xfeHi\n", "is not a UTF-8 text file"),
    (b"NORA\nHi\x07\n", "line 2: control character U+0007"),
    (b"/* never closed\n\nNORA\nHi\n", "line 1: Boneyard comment"),
    (b"Just some action.\n", "no dialogue found"),
])
def test_import_of_a_bad_screenplay_is_clear_and_exits_2(tmp_path, capsys, content, needle):
    play = tmp_path / "bad.fountain"
    play.write_bytes(content)
    assert main(["script", "import", str(play), "--character", "NORA"]) == 2
    captured = capsys.readouterr()
    assert needle in captured.err and "Traceback" not in captured.err and captured.out == ""


def test_import_of_an_unknown_character_or_missing_file_exits_2(tmp_path, capsys):
    assert main(["script", "import", str(SCENE), "--character", "ROBIN"]) == 2
    assert "no character 'ROBIN'" in capsys.readouterr().err
    assert main(["script", "import", str(tmp_path / "none.fountain")]) == 2
    assert "Cannot read screenplay" in capsys.readouterr().err
    fdx = tmp_path / "x.fdx"
    fdx.write_text("<FinalDraft>\n<Content>\n<Paragraph Type='Action'><Text>x</Text>\n</Content>")
    assert main(["script", "import", str(fdx)]) == 2
    err = capsys.readouterr().err
    assert "line 4: not well-formed XML (mismatched tag" in err and "Traceback" not in err


def test_import_of_a_final_draft_file(tmp_path, capsys):
    from fountain import FDXRenderer, FountainParser

    fdx = tmp_path / "letter.fdx"  # the bundled scene as Final Draft writes it
    fdx.write_text(FDXRenderer().render(FountainParser().parse(SCENE.read_text())))
    assert main(["script", "import", str(fdx)]) == 0
    assert capsys.readouterr().out.splitlines()[1].split() == ["NORA", "6"]
    out = tmp_path / "nora.txt"
    assert main(["script", "import", str(fdx), "--character", "NORA", "--out", str(out)]) == 0
    body = [x for x in out.read_text().splitlines() if not x.startswith("#")]
    bundled = (assets_dir() / "example_scene.txt").read_text().splitlines()
    assert body == [x for x in bundled if not x.startswith("#")]


def test_example_scene_and_screenplay_are_bundled(capsys):
    assert main(["script", "example", "--scene"]) == 0
    assert "@THEO:" in capsys.readouterr().out
    assert main(["script", "example", "--screenplay"]) == 0
    assert "INT. FARMHOUSE KITCHEN - NIGHT" in capsys.readouterr().out


def test_script_alone_lists_every_action_with_what_it_does(capsys):
    assert main(["script"]) == 2  # nothing was done: still a usage error
    out = capsys.readouterr().err
    for action in ("check", "example", "show", "import", "voice"):
        assert f"\n  {action} " in out
    assert "ACTION --help" in out
