"""``acting-mirror script check`` and ``script example``."""

from __future__ import annotations

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
