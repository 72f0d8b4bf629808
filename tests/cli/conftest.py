import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from acting_mirror.cli import main


@pytest.fixture
def cli(capsys):
    """Run ``acting-mirror ARGS`` in-process; returns (exit status, stdout, stderr)."""

    def run(*args):
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def run_installed():
    return _run_installed


@pytest.fixture
def letterboxed():
    return letterbox


def _run_installed(*args, cwd):
    """The installed console script, as a user runs it (from a folder outside the repo)."""
    exe = Path(sys.executable).with_name("acting-mirror")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "acting_mirror"]
    return subprocess.run(
        [*cmd, *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def letterbox(image: np.ndarray, size=(640, 480)) -> np.ndarray:
    """``image`` scaled into a ``size`` canvas (keeps the aspect ratio)."""
    w, h = size
    s = min(w / image.shape[1], h / image.shape[0])
    small = cv2.resize(image, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
    canvas = np.full((h, w, 3), 40, np.uint8)
    y, x = (h - small.shape[0]) // 2, (w - small.shape[1]) // 2
    canvas[y : y + small.shape[0], x : x + small.shape[1]] = small
    return canvas


@pytest.fixture(scope="session")
def portrait_clip(tmp_path_factory, make_clip):
    """A 2 s, 20-frame clip: 10 frames of the astronaut, then 10 of Grace Hopper."""
    import matplotlib.cbook
    import skimage.data

    astronaut = cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR)
    hopper = cv2.imread(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))
    frames = [letterbox(astronaut)] * 10 + [letterbox(hopper)] * 10
    return make_clip(tmp_path_factory.mktemp("clips") / "portraits.avi", frames, 10)
