"""Measure the recorder against the clock on a real null sink over a long take:
``python tests/audio/measure_null_sink.py MINUTES`` (default 10).

A private PulseAudio server; MicRecorder records the null sink's monitor while a paced
writer plays a chirp every 30 s of the session clock through pacat. Prints, per burst,
the audio time minus the clock time it was played, and the fitted drift."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from test_recorder import SR, onsets, play_paced  # noqa: E402

from acting_mirror.audio.recorder import MicRecorder  # noqa: E402
from acting_mirror.audio.wavfile import read_wav  # noqa: E402


class _Pulse:
    def __init__(self, env, sink):
        self.env, self.sink = env, sink


def main() -> None:
    minutes = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    tmp = Path(tempfile.mkdtemp(prefix="mirror-sync-"))
    run = tmp / "pulse"
    run.mkdir()
    sock = run / "native"
    env = {**os.environ, "XDG_RUNTIME_DIR": str(run), "HOME": str(tmp),
           "PULSE_SERVER": f"unix:{sock}"}
    os.environ.update(env)
    daemon = subprocess.Popen(
        ["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no",
         "--disable-shm=yes", f"--load=module-native-protocol-unix socket={sock} auth-anonymous=1",
         "--load=module-null-sink sink_name=mirror_test rate=16000"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(150):
            if subprocess.run(["pactl", "info"], capture_output=True).returncode == 0:
                break
            time.sleep(0.1)
        clock = time.perf_counter
        mic = MicRecorder(device="mirror_test.monitor", clock=clock)
        take = tmp / "take"
        take.mkdir()
        origin = clock()
        mic.start(take, origin)
        seconds = int(minutes * 60)
        signal_ = np.zeros(seconds * SR, np.int16)
        n = np.arange(int(0.08 * SR))
        chirp = (12000 * np.sin(2 * np.pi * (500 + 2500 * n / len(n)) * n / SR)
                 * np.hanning(len(n))).astype(np.int16)
        at = list(range(3, seconds - 2, 30))
        for t in at:
            signal_[t * SR: t * SR + len(n)] = chirp
        written: list = []
        start = origin + 3.0
        player = play_paced(_Pulse(env, "mirror_test"), signal_, SR, clock, start, written)
        player.join()
        time.sleep(0.5)
        info = mic.stop()
        audio, _ = read_wav(take / "audio.wav")
        found = onsets(audio, SR)
        block_at = dict(written)
        sent = [block_at[t * SR] - origin for t in at]
        lags = [(f - s) * 1000 for f, s in zip(found, sent)]
        print(f"{minutes:g} min on a null sink: {len(found)}/{len(at)} bursts; audio minus clock "
              f"(incl. the player's latency): min {min(lags):.1f} ms, max {max(lags):.1f} ms, "
              f"first {lags[0]:.1f}, last {lags[-1]:.1f}; fitted drift {info.drift_ppm:+.2f} ppm, "
              f"read jitter {info.residual_ms:.1f} ms, first sample at {info.first_sample_ms:.0f} ms")
    finally:
        daemon.terminate()
        daemon.wait()


if __name__ == "__main__":
    main()
