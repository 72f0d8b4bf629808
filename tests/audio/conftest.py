"""A private PulseAudio server with a null sink: a real audio path with no hardware."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from acting_mirror.audio.wavfile import write_wav
from audio_polling import wait_for



@dataclass
class Pulse:
    env: dict
    sink: str
    tmp: Path

    @property
    def monitor(self) -> str:
        return f"{self.sink}.monitor"

    def play(self, samples: np.ndarray, rate: int, name: str = "signal") -> subprocess.Popen:
        """Play int16 ``samples`` into the null sink with paplay (returns at once)."""
        path = self.tmp / f"{name}.wav"
        write_wav(path, samples, rate)
        return subprocess.Popen(["paplay", f"--device={self.sink}", str(path)], env=self.env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.fixture
def pulse(tmp_path, monkeypatch):
    for tool in ("pulseaudio", "paplay", "parec", "pactl"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (CI installs pulseaudio, pulseaudio-utils)")
    run = tmp_path / "pulse"
    run.mkdir()
    socket = run / "native"
    env = {**os.environ, "XDG_RUNTIME_DIR": str(run), "HOME": str(tmp_path),
           "PULSE_SERVER": f"unix:{socket}"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    daemon = subprocess.Popen(
        ["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no",
         "--disable-shm=yes", "--log-target=stderr",
         f"--load=module-native-protocol-unix socket={socket} auth-anonymous=1",
         "--load=module-null-sink sink_name=mirror_test rate=16000",
         "--load=module-always-sink"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        ready = wait_for(lambda: subprocess.run(["pactl", "info"], env=env, capture_output=True)
                         .returncode == 0, timeout=15)
        if not ready:
            pytest.skip("the PulseAudio server did not start here")
        subprocess.run(["pactl", "set-default-source", "mirror_test.monitor"], env=env,
                       capture_output=True)
        yield Pulse(env, "mirror_test", tmp_path)
    finally:
        daemon.terminate()
        try:
            daemon.wait(timeout=5)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait()
