"""``process INPUT --script untimed.txt``: a recording with sound times a teleprompter
script's lines by the voice in it, by the app's rule (a line moves on once said and a
pause followed). The recording is real: a clip of a portrait, its sound a spoken scene
(espeak-ng), muxed into an MP4 by ``export``; the lines are found where they were said."""

from __future__ import annotations

import json
import shutil

import cv2
import numpy as np
import pytest

from acting_mirror.audio import speech
from acting_mirror.audio.vad import FRAME_MS, lines_by_voice
from acting_mirror.audio.wavfile import write_wav
from acting_mirror.core.script import parse_script

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                reason="espeak-ng is not installed (CI installs it)")

SR = 16000
UNTIMED = (
    "happy    So. You finally came back.\n"
    "sad      Where else would I be?\n"
    "neutral  I kept the letter all this time.\n"
)
GAP_S = 1.5


@pytest.fixture(scope="module")
def spoken():
    """The three lines said one after another with GAP_S between, and where (ms)."""
    pieces, spans, t = [np.zeros(int(0.6 * SR), np.int16)], [], 0.6
    for cue in parse_script(UNTIMED).cues:
        samples, rate = speech.synthesize(cue.text, 170, "en")
        n = int(round(len(samples) * SR / rate))
        s = np.interp(np.linspace(0, len(samples) - 1, n), np.arange(len(samples)),
                      samples.astype(np.float64)).astype(np.int16)
        loud = np.flatnonzero(np.abs(s.astype(np.int32)) > 300)
        s = s[loud[0]: loud[-1] + 1]
        spans.append((int(t * 1000), int((t + len(s) / SR) * 1000)))
        pieces += [s, np.zeros(int(GAP_S * SR), np.int16)]
        t += len(s) / SR + GAP_S
    return np.concatenate(pieces), spans


@pytest.fixture(scope="module")
def recording(spoken, tmp_path_factory, make_clip):
    """An MP4 of the astronaut with the spoken scene as its sound (made by process and
    export, the app's own tools)."""
    import skimage.data

    from acting_mirror.cli import main

    signal_, _spans = spoken
    seconds = len(signal_) / SR
    face = cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR)[::2, ::2]
    root = tmp_path_factory.mktemp("voiced")
    clip = make_clip(root / "face.avi", [face] * int(seconds * 10), 10)
    assert main(["process", str(clip), "--out", str(root / "take"), "--quiet"]) == 0
    write_wav(root / "take" / "audio.wav", signal_, SR)
    assert main(["export", str(root / "take"), "--out", str(root / "scene.mp4")]) == 0
    return root / "scene.mp4"


def test_the_lines_are_timed_where_the_voice_said_them(spoken):
    signal_, spans = spoken
    times = lines_by_voice(parse_script(UNTIMED).cues, signal_, SR, pause_ms=800)
    assert times.reached == 3
    (s0, e0), (s1, e1), (s2, e2) = times.spans
    assert s0 == 0 and e0 == s1 and e1 == s2
    for (_start, end), moved_on in zip(spans, (e0, e1, e2)):
        assert end + 800 - FRAME_MS <= moved_on <= end + 800 + 6 * FRAME_MS
    # a longer pause than the recording ever holds: only the first line is reached, and
    # runs to the end of the sound
    held = lines_by_voice(parse_script(UNTIMED).cues, signal_, SR, pause_ms=int(GAP_S * 1000) + 400)
    assert held.reached == 1 and held.spans[0] == (0, held.duration_ms)


def test_process_times_an_untimed_script_by_the_recordings_voice(cli, recording, spoken,
                                                                  tmp_path):
    _signal, spans = spoken
    script = tmp_path / "untimed.txt"
    script.write_text(UNTIMED)
    out = tmp_path / "take"
    code, stdout, err = cli("process", recording, "--script", script, "--out", out, "--quiet")
    assert code == 0, err
    assert "Lines timed by the voice" in stdout and "3 of 3 lines reached" in stdout
    report = json.loads((out / "report.json").read_text())
    lines = report["lines"]
    assert [line["index"] for line in lines] == [0, 1, 2]
    for line, (_start, end) in zip(lines, spans):
        # on the video's clock: each line ends a pause after it was said (one 10 fps frame
        # and AAC's framing of slack)
        assert end + 800 - 100 <= line["end_ms"] <= end + 800 + 6 * FRAME_MS + 100
        assert line["speech"]["start_ms"] >= 0
    assert (out / "speech.json").is_file() and (out / "audio.wav").is_file()
    # the same take again, as a take folder: the same times, without analysing anything
    code, stdout, err = cli("process", out, "--script", script, "--pause", "0.8")
    assert code == 0, err
    again = json.loads((out / "report.json").read_text())["lines"]
    assert [(a["start_ms"], a["end_ms"]) for a in again] == [(a["start_ms"], a["end_ms"]) for a in lines]


def test_without_sound_or_with_a_bad_pause_it_is_one_line(cli, portrait_clip, tmp_path):
    script = tmp_path / "untimed.txt"
    script.write_text(UNTIMED)
    code, _out, err = cli("process", portrait_clip, "--script", script, "--out", tmp_path / "t")
    assert code == 2 and "no sound" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "t").exists()
    code, _out, err = cli("process", portrait_clip, "--script", script, "--pause", "0.01")
    assert code == 2 and "--pause" in err and len(err.strip().splitlines()) == 1
