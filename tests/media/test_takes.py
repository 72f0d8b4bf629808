"""Take folders never overwrite earlier work."""

from __future__ import annotations

import re

import pytest

from acting_mirror.errors import OutputError
from acting_mirror.media.takes import discard_if_empty, new_take_dir, prepare_out_dir

STAMP = r"\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}"


def test_new_take_dirs_are_timestamped_and_never_reused(tmp_path):
    root = tmp_path / "takes"  # created on demand
    made = [new_take_dir(root) for _ in range(4)]
    assert len(set(made)) == 4
    assert all(p.is_dir() and p.parent == root for p in made)
    assert re.fullmatch(STAMP, made[0].name)
    # within one second the later ones get -2, -3 ... (or a new second's stamp)
    for p in made[1:]:
        assert re.fullmatch(STAMP + r"(-\d+)?", p.name)


def test_label_is_appended_and_made_safe(tmp_path):
    path = new_take_dir(tmp_path, "Hamlet: act 3/scene 1")
    assert re.fullmatch(STAMP + r"_Hamlet-act-3scene-1", path.name)
    assert path.parent == tmp_path


def test_an_existing_take_is_never_touched(tmp_path):
    first = new_take_dir(tmp_path, "x")
    (first / "output.avi").write_bytes(b"precious")
    second = new_take_dir(tmp_path, "x")
    assert second != first
    assert (first / "output.avi").read_bytes() == b"precious"


def test_takes_root_that_is_a_file_is_refused(tmp_path):
    blocker = tmp_path / "takes"
    blocker.write_text("a file")
    with pytest.raises(OutputError):
        new_take_dir(blocker)


def test_prepare_out_dir_creates_or_accepts_empty(tmp_path):
    fresh = prepare_out_dir(tmp_path / "a" / "b")
    assert fresh.is_dir()
    assert prepare_out_dir(fresh) == fresh  # empty: accepted


def test_prepare_out_dir_refuses_non_empty_folder(tmp_path):
    (tmp_path / "timeline.csv").write_text("old work")
    with pytest.raises(OutputError, match="already holds files") as err:
        prepare_out_dir(tmp_path)
    assert "\n" not in str(err.value)
    assert (tmp_path / "timeline.csv").read_text() == "old work"


def test_prepare_out_dir_refuses_a_file_and_a_file_parent(tmp_path):
    target = tmp_path / "out"
    target.write_text("x")
    with pytest.raises(OutputError, match="is a file"):
        prepare_out_dir(target)
    with pytest.raises(OutputError, match="Cannot create"):
        prepare_out_dir(target / "take")


def test_discard_if_empty_only_removes_empty_folders(tmp_path):
    empty = new_take_dir(tmp_path)
    full = new_take_dir(tmp_path)
    (full / "summary.json").write_text("{}")
    assert discard_if_empty(empty) is True and not empty.exists()
    assert discard_if_empty(full) is False and full.exists()
    assert discard_if_empty(tmp_path / "never-existed") is False
