"""The live partner voice: lines rendered ahead, played through a real player process
into a PulseAudio null sink (no sound hardware), recorded from its monitor and measured;
``say`` returns while the line is still playing."""

from __future__ import annotations

import os
import shutil
import subprocess

import numpy as np
import pytest

from acting_mirror.audio.partner import PartnerVoice, find_player
from acting_mirror.core.script import parse_script
from audio_polling import wait_for as _wait

SCENE = parse_script(
    "[INT. KITCHEN - NIGHT]\n"
    "@THEO: I saw the light on. I did not know if you would still be here.\n"
    "neutral So. You finally came back.\n"
    "@THEO: Is that the letter? You kept it all this time?\n"
)
SR = 22050



@pytest.fixture
def null_sink(tmp_path, monkeypatch):
    """A private PulseAudio server with one null sink; yields a function that returns
    what its monitor recorded so far (int16 mono at 22050 Hz)."""
    for tool in ("pulseaudio", "paplay", "parec", "pactl", "espeak-ng"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (CI installs pulseaudio, pulseaudio-utils, espeak-ng)")
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
         "--load=module-null-sink sink_name=mirror_test"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    recorder = None
    try:
        ready = _wait(lambda: subprocess.run(["pactl", "info"], env=env, capture_output=True)
                      .returncode == 0, timeout=15)
        if not ready:
            pytest.skip("the PulseAudio server did not start here")
        raw = tmp_path / "monitor.raw"
        fh = open(raw, "wb")
        recorder = subprocess.Popen(
            ["parec", "-d", "mirror_test.monitor", "--format=s16le", f"--rate={SR}",
             "--channels=1", "--latency-msec=20"], env=env, stdout=fh,
        )

        def recorded() -> np.ndarray:
            fh.flush()
            data = raw.read_bytes()
            return np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2")

        yield recorded
    finally:
        if recorder is not None:
            recorder.terminate()
            recorder.wait(timeout=5)
        daemon.terminate()
        try:
            daemon.wait(timeout=5)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait()


def rms(x: np.ndarray) -> float:
    return float(np.sqrt((x.astype(np.float64) ** 2).mean())) if len(x) else 0.0


def test_partner_lines_play_into_the_sink_without_blocking_the_caller(null_sink):
    with PartnerVoice(SCENE, rate=200) as voice:
        assert voice.available, voice.message
        assert voice.wait_rendered(timeout=60) and not voice.errors
        before = len(null_sink())
        assert voice.say(1)
        # say() came back while the player is still playing: it did not wait for the line
        assert voice.speaking
        assert _wait(lambda: not voice.speaking)
        _wait(lambda: False, timeout=0.3)  # let the monitor catch the tail
        heard = null_sink()[before:]
        assert rms(heard) > 300  # speech reached the sink (silence records as zeros)
        assert not voice.say(0) and not voice.say(2)  # a direction and the actor's line
        assert voice.say(3) and voice.speaking
        voice.stop()
        assert not voice.speaking


def test_a_line_asked_for_before_it_is_rendered_plays_when_ready(null_sink):
    import threading

    from acting_mirror.audio.speech import synthesize

    release = threading.Event()

    def held_speak(text, rate, voice):  # the real voice, held back until the test says
        release.wait(timeout=30)
        return synthesize(text, rate, voice)

    voice = PartnerVoice(SCENE, speak=held_speak, player=find_player())
    try:
        before = len(null_sink())
        assert voice.say(3)  # returns at once although nothing is rendered yet
        assert not voice.rendered(3) and not voice.speaking
        release.set()
        assert _wait(lambda: voice.speaking)  # played as soon as it was rendered
        assert _wait(lambda: not voice.speaking)
        _wait(lambda: False, timeout=0.3)
        assert rms(null_sink()[before:]) > 300
    finally:
        release.set()
        voice.close()
    assert not voice.say(1)  # closed


def test_without_a_player_the_voice_says_so_once(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    voice = PartnerVoice(SCENE, speak=lambda t, r, v: (np.zeros(10, np.int16), SR))
    assert not voice.available and "No audio player" in voice.message
    assert not voice.say(1)
    voice.close()


def test_without_speech_the_voice_names_the_package(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    voice = PartnerVoice(SCENE)
    assert not voice.available and "espeak-ng" in voice.message
    voice.close()


def test_following_the_lines_says_each_partner_line_once_when_it_comes_up(tmp_path):
    import sys

    from acting_mirror.core.follower import ScriptFollower

    # a stand-in player: a real process that "plays" for 30 s unless stopped
    player = [sys.executable, "-c", "import sys, time; open(sys.argv[1], 'rb'); time.sleep(30)"]
    speak = lambda text, rate, voice: (np.full(2205, 1000, np.int16), SR)  # noqa: E731
    timed = parse_script(
        "0:00-0:02 happy Hi\n0:02-0:04 @MAYA: Hello\n0:04-0:06 sad Bye\n0:06-0:08 @MAYA: Go\n"
    )
    follower = ScriptFollower(timed)
    with PartnerVoice(timed, speak=speak, player=player) as voice:
        assert voice.wait_rendered(timeout=30)
        follower.start(0)
        started = []
        for t in range(0, 8000, 100):  # frames every 100 ms
            if voice.follow(follower.update(t, None).cue):
                started.append(t)
                assert voice.speaking
            if t == 4000:  # the actor's line comes up: MAYA's line is not cut off
                assert voice.speaking
        assert started == [2000, 6000]
        assert voice.speaking
        voice.rewind()
        assert not voice.speaking
        assert voice.follow(timed.cues[1]) and voice.speaking
        voice.stop()
