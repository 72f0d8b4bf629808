"""The Linux start-up check: missing xcb libraries are named, with their Debian packages,
in one line before Qt could abort."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from acting_mirror.errors import ActingMirrorError
from acting_mirror.system_check import (
    XCB_LIBRARIES, check_qt_libraries, culprit, missing_libraries, missing_message, unloadable,
    uses_xcb,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "env, platform, expected",
    [
        ({"DISPLAY": ":0"}, "linux", True),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}, "linux", True),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb:no_grab"}, "linux", True),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, "linux", False),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "wayland;xcb"}, "linux", False),
        ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, "linux", False),
        ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "QT_QPA_PLATFORM": "xcb"}, "linux", True),
        ({}, "linux", False),
        ({"QT_QPA_PLATFORM": "xcb"}, "linux", False),  # no display: gui says so itself
        ({"DISPLAY": ":0"}, "darwin", False),
        ({"DISPLAY": ":0"}, "win32", False),
    ],
)
def test_the_check_runs_only_where_qt_would_start_its_xcb_plugin(env, platform, expected):
    assert uses_xcb(env, platform) is expected


def _without(*absent):
    """A loader on a system lacking ``absent``; libX11 and xcb's extensions need libxcb."""
    def load(soname):
        if soname in absent:
            return soname
        if "libxcb.so.1" in absent and ("xcb" in soname or "X11" in soname):
            return "libxcb.so.1"
        return None
    return load


def test_a_missing_library_is_named_with_its_debian_package():
    assert missing_libraries(_without("libxcb-cursor.so.0")) == {
        "libxcb-cursor.so.0": "libxcb-cursor0"}


def test_a_missing_dependency_is_blamed_not_every_library_that_needs_it():
    assert missing_libraries(_without("libxcb.so.1")) == {"libxcb.so.1": "libxcb1"}


def test_a_missing_library_outside_the_table_is_still_named():
    missing = missing_libraries(lambda s: "libXau.so.6" if s == "libxcb.so.1" else None)
    assert missing == {"libXau.so.6": ""}
    message = missing_message(missing)
    assert "libXau.so.6" in message and "apt install" not in message and "\n" not in message


def test_the_message_is_one_line_with_the_install_command():
    message = missing_message({"libxcb-cursor.so.0": "libxcb-cursor0",
                               "libglib-2.0.so.0": "libglib2.0-0",
                               "libgthread-2.0.so.0": "libglib2.0-0"})
    assert "\n" not in message
    assert "sudo apt install libxcb-cursor0 libglib2.0-0 (" in message  # each package once
    assert "libxcb-cursor.so.0" in message


def test_check_raises_a_user_error_only_when_something_is_missing():
    env = {"DISPLAY": ":0"}
    check_qt_libraries(env, "linux", load=lambda soname: None)
    with pytest.raises(ActingMirrorError, match="libxcb-icccm4"):
        check_qt_libraries(env, "linux", load=_without("libxcb-icccm.so.4"))
    # offscreen: nothing is looked up at all
    check_qt_libraries({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, "linux",
                       load=lambda soname: pytest.fail("looked up a library"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux sonames")
def test_the_real_loader_tells_present_from_absent():
    assert unloadable("libc.so.6") is None
    absent = "libacting-mirror-no-such-library.so.7"
    assert unloadable(absent) == absent


def test_every_library_maps_to_a_plausible_package():
    for soname, package in XCB_LIBRARIES.items():
        assert soname.startswith("lib") and ".so." in soname
        assert package == package.lower() and " " not in package


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb check is Linux only")
def test_acting_mirror_gui_exits_2_with_one_line_instead_of_qts_abort(tmp_path):
    # a real `acting-mirror gui` process on an X display that (for it) lacks
    # libxcb-cursor.so.0; the check must stop it before Qt is created
    code = (
        "import sys, acting_mirror.system_check as s\n"
        "real = s.unloadable\n"
        "s.unloadable = lambda name: name if name == 'libxcb-cursor.so.0' else real(name)\n"
        "from acting_mirror.cli import main\n"
        "sys.exit(main(['gui']))\n"
    )
    env = {k: v for k, v in os.environ.items()
           if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env.update(DISPLAY=":97", ACTING_MIRROR_HOME=str(tmp_path / "home"),
               ACTING_MIRROR_SETTINGS=str(tmp_path / "settings.ini"))
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "libxcb-cursor0" in lines[0] and lines[0].startswith("acting-mirror: ")



@pytest.mark.parametrize(
    "error, blamed",
    [
        ("libxcb-cursor.so.0: cannot open shared object file: No such file or directory",
         "libxcb-cursor.so.0"),
        ("/lib/x86_64-linux-gnu/libxcb.so.1: file too short", "libxcb.so.1"),
        ("libxcb.so.1: cannot open shared object file: No such file or directory", "libxcb.so.1"),
        ("something else entirely", "libX11.so.6"),
        ("", "libX11.so.6"),
    ],
)
def test_the_loader_error_names_the_library_to_blame(error, blamed):
    assert culprit(error, "libX11.so.6") == blamed


@given(st.text(max_size=200))
def test_whatever_the_loader_says_one_printable_library_name_is_blamed(error):
    name = culprit(error, "libX11.so.6")
    assert name == "libX11.so.6" or (
        ".so" in name and name.isprintable() and " " not in name and "/" not in name)
    assert "\n" not in missing_message({name: ""})
