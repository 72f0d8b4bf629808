"""Relaunching one of our modules in a new process, installed (``python -m``) or packaged
(the app's own executable, whose launcher reads ``-m``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from acting_mirror import __version__
from acting_mirror.relaunch import module_command, module_to_run

REPO = Path(__file__).resolve().parents[2]
LAUNCHER = REPO / "packaging" / "launcher.py"


def test_frozen_command_is_the_app_itself_with_the_module(monkeypatch):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/acting-mirror/acting-mirror")
    assert module_command("acting_mirror.gui.live_bench", "--startup-probe", "--source",
                          "x") == [
        "/opt/acting-mirror/acting-mirror", "-m", "acting_mirror.gui.live_bench",
        "--startup-probe", "--source", "x"]


def test_installed_command_runs_the_module_with_this_python():
    command = module_command("acting_mirror.cli", "--version")
    assert command[0] == sys.executable and command[-3:] == ["-m", "acting_mirror.cli", "--version"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == f"acting-mirror {__version__}"


@pytest.mark.parametrize("module", ["os", "acting_mirror_x.y", "acting_mirror.gui;rm", ""])
def test_only_our_modules_can_be_relaunched(module):
    with pytest.raises(ValueError):
        module_command(module)


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["app", "-m", "acting_mirror.gui.live_bench", "--startup-probe"], "acting_mirror.gui.live_bench"),
        (["app", "-m", "acting_mirror.cli"], "acting_mirror.cli"),
        (["app", "-m", "os"], None),
        (["app", "-m"], None),
        (["app", "process", "-m", "acting_mirror.cli"], None),
        (["app"], None),
    ],
)
def test_the_launcher_reads_a_module_only_as_its_first_arguments(argv, expected):
    assert module_to_run(argv) == expected


def _launch(*args):
    return subprocess.run([sys.executable, str(LAUNCHER), *args], capture_output=True,
                          text=True, timeout=120, cwd=REPO / "packaging")


def test_the_launcher_runs_a_module_as_main_with_its_arguments():
    done = _launch("-m", "acting_mirror.cli", "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"acting-mirror {__version__}"


def test_the_launcher_is_the_cli_otherwise():
    assert _launch("--version").stdout.strip() == f"acting-mirror {__version__}"
    done = _launch("script", "check", str(REPO / "assets" / "example_script.txt"))
    assert done.returncode == 0, done.stderr
    refused = _launch("-m", "os")  # not ours: an ordinary (bad) command line
    assert refused.returncode == 2 and "error" in refused.stderr



@given(st.lists(st.text(max_size=40), max_size=6))
def test_any_command_line_runs_one_of_our_modules_or_none(argv):
    module = module_to_run(["app", *argv])
    if module is not None:
        assert argv[0] == "-m" and module == argv[1]
        assert module.split(".")[0] == "acting_mirror"
        assert all(part.isidentifier() for part in module.split("."))
