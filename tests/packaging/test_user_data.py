"""User data (takes, actor profiles, settings) lives in the platform's user folders, never
in the bundle, and a packaged app uses the same places as a pip-installed one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = """
import json, sys
if sys.argv[1] == "frozen":  # what PyInstaller's bootloader sets
    sys.frozen = True
    sys._MEIPASS = sys.argv[2]
from acting_mirror.config import default_takes_dir, user_data_dir
from acting_mirror.core.calibration import ProfileStore
from acting_mirror.gui.preferences import Preferences, open_settings
print(json.dumps({
    "data": str(user_data_dir()),
    "takes": str(default_takes_dir()),
    "preferred_takes": str(Preferences().takes_dir),
    "profiles": str(ProfileStore(user_data_dir()).folder),
    "settings": open_settings().fileName(),
}))
"""


def _paths(mode: str, bundle: Path, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("ACTING_MIRROR_HOME", "ACTING_MIRROR_SETTINGS", "XDG_DATA_HOME",
                        "XDG_CONFIG_HOME", "APPDATA")}
    env.update(HOME=str(home), USERPROFILE=str(home), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", PROBE, mode, str(bundle)], env=env,
                          capture_output=True, text=True, timeout=120, cwd=bundle)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    base = tmp_path_factory.mktemp("userdata")
    bundle, home = base / "dist" / "acting-mirror" / "_internal", base / "home"
    bundle.mkdir(parents=True)
    home.mkdir()
    return _paths("installed", bundle, home), _paths("frozen", bundle, home), bundle, home


def test_a_packaged_app_uses_the_same_user_folders_as_an_installed_one(both):
    installed, frozen, _, _ = both
    assert frozen == installed


def test_user_data_is_under_home_and_never_in_the_bundle(both):
    _, frozen, bundle, home = both
    for what, path in frozen.items():
        path = Path(path)
        assert path.is_relative_to(home), (what, path)
        assert not path.is_relative_to(bundle.parent), (what, path)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG folders")
def test_on_linux_takes_and_profiles_are_in_xdg_data_and_settings_in_xdg_config(both):
    _, frozen, _, home = both
    assert Path(frozen["takes"]) == home / ".local/share/acting-mirror/takes"
    assert Path(frozen["preferred_takes"]) == Path(frozen["takes"])
    assert Path(frozen["profiles"]) == home / ".local/share/acting-mirror/profiles"
    assert Path(frozen["settings"]).parent == home / ".config/ActingMirror"
