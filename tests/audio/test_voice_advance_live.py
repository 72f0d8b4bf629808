"""Voice-driven lines on the real audio path: a private PulseAudio null sink, the real
MicRecorder recording its monitor through parec, the real scene partner (espeak-ng,
played with paplay into the sink), the session paced by the real clock. The "actor" is
this test: when one of their lines comes up it plays that line, spoken by espeak-ng, into
the sink after a short reaction time. Nobody presses a key: the lines must advance by
voice alone, each only after its speech (as recorded in the take) ended and a pause."""

from __future__ import annotations

import json
import shutil
import threading
import time

import numpy as np
import pytest

from acting_mirror.app import session_parts
from acting_mirror.audio import speech
from acting_mirror.core.analysis import Analyzer
from acting_mirror.core.script import parse_script
from acting_mirror.core.types import Frame
from acting_mirror.session import commands as cmd
from acting_mirror.session import events as ev
from acting_mirror.session.parts import Inbox
from acting_mirror.session.session import LIVE, Session
from audio_polling import wait_for

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                reason="espeak-ng is not installed (CI installs it)")




FPS = 10.0
PAUSE_MS = 700
FRAME_MS = 30  # the voice detector's frame
SCENE = (
    "happy   So. You finally came back.\n"
    "@MAYA:  I saw the light on.\n"
    "sad     Where else would I be?\n"
    "neutral I kept the letter.\n"
)


class GreyClip:
    """A 40-second file of grey frames (no face: the picture is not the subject here)."""

    name, fps, live, camera, stills, width, height = "grey", FPS, False, False, False, 32, 32
    frame_count = int(40 * FPS)

    def __iter__(self):
        image = np.full((32, 32, 3), 90, np.uint8)
        for i in range(self.frame_count):
            yield Frame(image, i, int(round(i * 1000 / FPS)))

    def close(self):
        pass


class NoFaces:
    name = "haar"  # what the session asks for by default: this one is used

    def detect(self, image):
        return ()


class Unused:
    def classify(self, image, faces):
        return tuple(faces)


def test_a_spoken_scene_advances_by_voice_through_the_null_sink(pulse, tmp_path):
    script = parse_script(SCENE, name="scene.txt")
    spoken = {i: speech.synthesize(c.text, 170, "en") for i, c in enumerate(script.cues)
              if not c.partner}
    parts = session_parts(source_opener=lambda spec, loop: GreyClip(),
                          analyzer_factory=lambda settings: Analyzer(NoFaces(), Unused()))
    inbox = Inbox()
    shown: list[tuple[int | None, float]] = []  # (line, timeline ms it came up)
    origin: list[float] = []
    players = []

    def actor_says(line: int) -> None:
        samples, rate = spoken[line]
        players.append(pulse.play(samples, rate, f"line{line}"))

    def on_event(event):
        events.append(event)
        if not isinstance(event, ev.FrameAnalysed) or event.recorded_frames is None:
            return
        if not origin:
            origin.append(event.captured_at)
        cue = event.cue.cue if event.cue is not None else None
        line = None if cue is None else script.cues.index(cue)
        if not shown or shown[-1][0] != line:  # delivered now (the mic's time 0: origin)
            shown.append((line, (time.perf_counter() - origin[0]) * 1000.0))
            if line in spoken:  # the actor answers their line after a moment
                threading.Timer(0.3, actor_says, args=(line,)).start()

    events: list = []
    session = Session(parts, on_event, policy=LIVE, mirror=False)
    runner = threading.Thread(target=session.run, args=(inbox,), daemon=True)
    runner.start()
    inbox.put(cmd.OpenSource("grey"))
    inbox.put(cmd.SetVoiceRecording(True, pulse.monitor))
    inbox.put(cmd.SetVoiceAdvance(True, PAUSE_MS, False))
    inbox.put(cmd.SetScript(script, text=SCENE))
    assert wait_for(lambda: session.partner is not None, timeout=30)
    assert session.partner.available, session.partner.message
    assert session.partner.wait_rendered(30)
    inbox.put(cmd.StartRecording(tmp_path, scripted=True, write_video=False))
    try:
        assert wait_for(lambda: any(isinstance(e, ev.TakeFinished) for e in events), timeout=90)
    finally:
        inbox.put(cmd.Shutdown())
        runner.join(20)
        session.close()  # as the app's worker does after run(): the source's decoder stops
        for p in players:
            p.wait(timeout=10)
    (finished,) = [e.take for e in events if isinstance(e, ev.TakeFinished)]
    assert finished.complete and finished.error is None
    mic_says = [e for e in events if isinstance(e, ev.MicrophoneChanged)]
    assert mic_says and mic_says[0].on, mic_says  # the microphone really recorded
    assert [e.on for e in events if isinstance(e, ev.VoiceListening)] == [True, False]
    # every line came up in order, by voice alone, and the script ended the take
    assert [line for line, _t in shown] == [0, 1, 2, 3, None]
    data = json.loads((finished.folder / "speech.json").read_text())
    ups = [t for _line, t in shown]
    for k, cue in enumerate(script.cues):
        # a line's sound may start while its frame is being delivered
        start, end = ups[k] - 1000 / FPS, ups[k + 1]
        if cue.partner:  # MAYA's playback, not the actor's voice, held her line up
            (played,) = [p for p in data["partner"] if start <= p[0] < end]
            assert end >= played[1] + PAUSE_MS - 2 * FRAME_MS
            assert not [s for s in data["segments"] if start <= s[0] < end]
        else:  # the actor spoke while the line was up; it moved on only after a pause
            said = [s for s in data["segments"] if start <= s[0] < end]
            assert said, (k, shown, data)
            assert end >= max(e for _s, e in said) + PAUSE_MS - 2 * FRAME_MS, (k, shown, said)
    assert len(data["segments"]) == 3  # the actor's three lines, and nothing of MAYA's
    report = json.loads((finished.folder / "report.json").read_text())
    assert [line["index"] for line in report["lines"]] == [0, 2, 3]
    assert all(line.get("speech") for line in report["lines"]), report["lines"]
