"""Measure the recorder against the clock on a real null sink over a long take:
``python tests/audio/measure_null_sink.py [MINUTES] [EVERY_S]`` (default 10 and 30).

A private PulseAudio server; MicRecorder records the null sink's monitor while a 1 kHz
tone is switched on inside the server (``pactl load-module module-sine``, no client
buffer between the clock and the sink) every EVERY_S seconds. Prints, per tone, its
onset in audio.wav minus the clock time it was switched on (the middle of the pactl
call, whose round trip is the measurement's uncertainty), and the fitted drift."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from test_mic_recorder import SR, onsets, tone_burst  # noqa: E402

from acting_mirror.audio.recorder import MicRecorder  # noqa: E402
from acting_mirror.audio.wavfile import read_wav  # noqa: E402


def main() -> None:
    minutes = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    every = float(sys.argv[2]) if len(sys.argv) > 2 else 30.0
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
        sent = []
        end = origin + minutes * 60
        next_at = origin + 3.0
        while next_at < end - 1:
            while clock() < next_at:
                time.sleep(0.01)
            t0, t1 = tone_burst("mirror_test", clock)
            sent.append((t0 - origin, t1 - origin))
            next_at += every
        time.sleep(0.5)
        info = mic.stop()
        audio, _ = read_wav(take / "audio.wav")
        found = onsets(audio, SR, threshold=2000)
        # each tone started while its pactl call ran: the onset's distance outside that
        # interval is the audio's error (0 inside it)
        errors = [1000 * max(t0 - f, f - t1, 0.0) for f, (t0, t1) in zip(found, sent)]
        mids = [1000 * (f - (t0 + t1) / 2) for f, (t0, t1) in zip(found, sent)]
        calls = [1000 * (t1 - t0) for t0, t1 in sent]
        print(f"{minutes:g} min on a null sink: {len(found)}/{len(sent)} tones; onset outside its "
              f"pactl call by at most {max(errors):.1f} ms; onset minus the call's middle: first "
              f"{mids[0]:+.1f}, last {mids[-1]:+.1f}, median {np.median(mids):+.1f} ms (calls took "
              f"{min(calls):.0f}-{max(calls):.0f} ms); fitted drift "
              f"{info.drift_ppm:+.2f} ppm, read jitter {info.residual_ms:.1f} ms, "
              f"{info.duration_s:.1f} s of audio")
    finally:
        daemon.terminate()
        daemon.wait()


if __name__ == "__main__":
    main()
