"""Fixtures for the batch: small clips built from the bundled public-domain portraits,
a timed script, and a Dask cluster of two worker processes on loopback shared by the
tests that only need some cluster (the first test starts its own, as a user would)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from acting_mirror.cli import main

try:
    import distributed  # noqa: F401
except ImportError:  # without the [batch] extra only the tests that need no cluster run
    collect_ignore = ["test_batch.py"]

SCRIPT = "0:00-0:01  happy  I got the part!\n0:01-0:02  sad  ...but it's in Antarctica.\n"


@pytest.fixture
def cli(capsys):
    """Run ``acting-mirror ARGS`` in-process; returns (exit status, stdout, stderr)."""

    def run(*args):
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture(scope="session")
def built_clips(tmp_path_factory) -> list[Path]:
    """Three 40-frame 320x240 clips (the astronaut then Grace Hopper, moving), made once."""
    from acting_mirror.media.clips import one_face_clip

    folder = tmp_path_factory.mktemp("built-clips")
    return [one_face_clip(folder / f"student{i}.mp4", frames=30 + 5 * i, size=(320, 240))
            for i in range(3)]


@pytest.fixture
def class_folder(tmp_path, built_clips) -> Path:
    """A folder of a class's recordings (copies of the built clips)."""
    folder = tmp_path / "recordings"
    folder.mkdir()
    for clip in built_clips:
        shutil.copy(clip, folder / clip.name)
    return folder


@pytest.fixture
def script_file(tmp_path) -> Path:
    path = tmp_path / "scene.txt"
    path.write_text(SCRIPT, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def scheduler():
    """A local Dask cluster of two worker processes listening on 127.0.0.1; its address."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, silence_logs=40) as cluster:
        yield cluster.scheduler_address
