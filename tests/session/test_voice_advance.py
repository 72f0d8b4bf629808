"""Untimed scripts that follow the actor's voice, at the session level: a microphone fed
from a real spoken scene (the lines rendered with the scene partner's voice, espeak-ng,
with pauses between them), the real ActorVoice (WebRTC VAD), the real take recorder.

Time is the session's own clock, stepped by the test: one video frame = 100 ms of sound
fed to the microphone's listener, so nothing depends on how fast this machine is."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from acting_mirror.audio import speech
from acting_mirror.audio.vad import FRAME_MS
from acting_mirror.core.script import parse_script
from acting_mirror.session import commands as cmd
from acting_mirror.session import events as ev
from acting_mirror.session.parts import SessionPolicy
from acting_mirror.session.session import Session
from session_fakes import FakeSource

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                reason="espeak-ng is not installed (CI installs it)")

SR = 16000
FPS = 10.0
PAUSE_MS = 800
GAP_S = 1.6  # silence after each line in the rendered scene: longer than the pause
# the app's policy (a take ends with its script) without pacing: frames come when stepped
APP_UNPACED = SessionPolicy(paced=False, annotate=False, script_ends_take=True)
# the VAD hears a line's last consonants a few frames past its loud part; the advance then
# shows on the next video frame (100 ms) after the 20 ms chunk that completed the pause
LATE_MS = 6 * FRAME_MS + 100 + 20

SCENE_TEXT = (
    "happy   So. You finally came back.\n"
    "@MAYA:  I saw the light on. I did not know if you would still be here.\n"
    "sad     Where else would I be?\n"
    "neutral I kept the letter all this time.\n"
)
WHO = ["actor", "partner", "actor", "actor"]


def to_16k(samples: np.ndarray, rate: int) -> np.ndarray:
    n = int(round(len(samples) * SR / rate))
    return np.interp(np.linspace(0, len(samples) - 1, n), np.arange(len(samples)),
                     samples.astype(np.float64)).astype(np.int16)


def render_room(text: str, gaps_s: dict[int, float] = {}):
    """``text``'s lines as the microphone hears them (16 kHz) and where each is said (ms):
    the actor's lines in one voice, the partner's (the app's playback, leaking into the
    room) in another, each followed by GAP_S of silence (or ``gaps_s[line]``); a stage
    direction is silence."""
    script = parse_script(text, name="scene.txt")
    pieces, spans, t = [np.zeros(int(0.8 * SR), np.int16)], [], 0.8
    for k, cue in enumerate(script.cues):
        gap = gaps_s.get(k, GAP_S)
        if cue.direction:
            spans.append(None)
            pieces.append(np.zeros(int(gap * SR), np.int16))
            t += gap
            continue
        samples, rate = speech.synthesize(cue.text, 170, "en+f3" if cue.partner else "en")
        s = to_16k(samples, rate)
        loud = np.flatnonzero(np.abs(s.astype(np.int32)) > 300)
        s = s[loud[0]: loud[-1] + 1]  # the speech itself, without espeak's own silence
        spans.append((int(t * 1000), int((t + len(s) / SR) * 1000)))
        pieces += [s, np.zeros(int(gap * SR), np.int16)]
        t += len(s) / SR + gap
    return script, np.concatenate(pieces), spans


@pytest.fixture(scope="module")
def room():
    return render_room(SCENE_TEXT)


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


class RoomMic:
    """A microphone whose sound is a prepared signal: ``pump()`` hands its listeners the
    samples up to the session clock's time, in 20 ms chunks, as MicRecorder's reader
    thread would (timeline times from the take's start)."""

    available, message, device, rate = True, "", None, SR

    def __init__(self, signal_: np.ndarray, clock: Clock):
        self.signal, self.clock = signal_, clock
        self.listeners, self.origin, self.fed, self.active = [], None, 0, False

    def on_chunk(self, listener):
        self.listeners.append(listener)

    def start(self, folder, clock_origin):
        self.origin, self.fed, self.active = clock_origin, 0, True

    @property
    def now_ms(self) -> float:
        return 1000.0 * self.fed / SR

    def pump(self):
        if not self.active:
            return
        until = min(len(self.signal), int((self.clock() - self.origin) * SR))
        step = SR * 20 // 1000
        while self.fed + step <= until:
            chunk = self.signal[self.fed: self.fed + step]
            for listener in self.listeners:
                listener(chunk, 1000.0 * self.fed / SR)
            self.fed += step

    def stop(self):
        self.active = False
        return None


class PlayedVoice:
    """The partner's voice as the app plays it: ``speaking`` while the microphone's time
    is inside ``span`` (the playback the room's signal holds)."""

    available, message = True, ""

    def __init__(self, mic: RoomMic, span: tuple[int, int] | None):
        self.mic, self.span = mic, span
        self.followed = []

    @property
    def speaking(self) -> bool:
        return self.span is not None and self.mic.active and \
            self.span[0] <= self.mic.now_ms < self.span[1]

    def follow(self, cue):
        if cue is not None and cue.partner and cue.index not in self.followed:
            self.followed.append(cue.index)

    def rewind(self):
        self.followed.clear()

    def stop(self):
        pass

    def close(self):
        pass


def run_scene(make_parts, events, tmp_path, room, *, headset=False, keys_at_ms=(),
              partner_span=None, advance=True, pause_ms=PAUSE_MS, text=SCENE_TEXT,
              commands_at=()):
    """Rehearse the scene with the voice advance on; the lines shown as
    ``[(line, mic time ms it came up)]`` and the finished take."""
    script, signal_, spans = room
    clock = Clock()
    mic = RoomMic(signal_, clock)
    frames = int(len(signal_) / SR * FPS) + 20
    parts = make_parts(source=lambda: FakeSource(frames, fps=FPS))
    voice = PlayedVoice(mic, spans[1] if partner_span is None else partner_span)
    parts = type(parts)(**{**parts.__dict__, "microphone": lambda device: mic,
                           "partner_voice": lambda s: voice})
    session = Session(parts, events.append, policy=APP_UNPACED, mirror=False, clock=clock)
    session.start()
    session.open(cmd.OpenSource("clip"))
    session.handle(cmd.SetVoiceRecording(True))
    session.handle(cmd.SetVoiceAdvance(advance, pause_ms, headset))
    session.handle(cmd.SetScript(script, text=text))
    session.handle(cmd.StartRecording(tmp_path, scripted=True, write_video=False))
    shown: list[tuple[int | None, float]] = []
    keys = sorted([(t, cmd.AdvanceScript()) for t in keys_at_ms] + list(commands_at),
                  key=lambda pair: pair[0])
    while session.take is not None:
        clock.t += 1 / FPS
        mic.pump()
        while keys and mic.now_ms >= keys[0][0]:
            session.handle(keys.pop(0)[1])
        if not session.step():
            break
        line = session.script.shown if session.take is not None else None
        if not shown or shown[-1][0] != line:
            shown.append((line, mic.now_ms))
    session.close()
    (finished,) = events.of(ev.TakeFinished)
    return shown, finished.take, spans


def test_the_lines_come_up_when_the_actor_pauses_and_the_partner_has_spoken(
        make_parts, events, tmp_path, room):
    shown, take, spans = run_scene(make_parts, events, tmp_path, room)
    assert [line for line, _t in shown] == [0, 1, 2, 3, None]  # in order, none skipped
    for (line, at), (_start, end) in zip(shown[1:], spans):
        # each line came up only after the one before had been said, then a pause
        assert end + PAUSE_MS - FRAME_MS <= at <= end + PAUSE_MS + LATE_MS, (line, end, at)
    # MAYA's line was up while she spoke; her own pauses between sentences never moved it
    partner_up = shown[1][1]
    assert partner_up < spans[1][0] and shown[2][1] > spans[1][1]
    assert take.complete and take.scripted
    # the take's report has the lines as shown, and speech.json the actor's voice only
    report = json.loads((take.folder / "report.json").read_text())
    scored = [line["index"] for line in report["lines"]]
    assert scored == [0, 2, 3]
    data = json.loads((take.folder / "speech.json").read_text())
    assert len(data["heard"]) == 4 and len(data["segments"]) == 3
    (played,) = data["partner"]
    assert abs(played[0] - spans[1][0]) <= 2 * FRAME_MS
    assert [e.on for e in events.of(ev.VoiceListening)] == [True, False]
    assert events.of(ev.VoiceListening)[0].pause_ms == PAUSE_MS


def test_a_key_press_during_the_partner_brings_the_next_line_and_her_voice_is_not_the_actors(
        make_parts, events, tmp_path, room):
    """The actor presses the key one second into MAYA's line: the next line (theirs) is up
    while her voice still plays in the room. That voice is not the actor's: the line waits
    until the actor has said it and paused."""
    _script, _signal, spans = room
    key = spans[1][0] + 1000
    shown, _take, spans = run_scene(make_parts, events, tmp_path, room, keys_at_ms=[key])
    lines = [line for line, _t in shown]
    assert lines == [0, 1, 2, 3, None]
    assert key <= shown[2][1] <= key + 100 + 20  # the key: on the next frame
    end3 = spans[2][1]
    assert end3 + PAUSE_MS - FRAME_MS <= shown[3][1] <= end3 + PAUSE_MS + LATE_MS


def test_with_a_headset_nothing_is_set_aside(make_parts, events, tmp_path, room):
    """With a headset the microphone is taken to hear only the actor, so the partner's
    voice the room still holds here counts: the line comes up a pause after it ends,
    before the actor even starts (which is why the setting is off by default)."""
    _script, _signal, spans = room
    key = spans[1][0] + 1000
    shown, take, spans = run_scene(make_parts, events, tmp_path, room, keys_at_ms=[key],
                                   headset=True)
    partner_end, actor_start = spans[1][1], spans[2][0]
    up = shown[3][1]
    assert partner_end + PAUSE_MS - FRAME_MS <= up <= partner_end + PAUSE_MS + LATE_MS
    assert up < actor_start + 300
    assert json.loads((take.folder / "speech.json").read_text())["headset"] is True


def test_the_key_resets_the_wait_and_silence_never_advances(make_parts, events, tmp_path, room):
    """A key press as the actor finishes line 1 (before the pause) brings the partner's
    line; her line then waits for her playback, not for the actor's earlier words. With
    the voice advance off, only keys move the lines."""
    _script, _signal, spans = room
    key = spans[0][1] + 100
    shown, _take, spans = run_scene(make_parts, events, tmp_path, room, keys_at_ms=[key])
    assert [line for line, _t in shown] == [0, 1, 2, 3, None]
    assert key <= shown[1][1] <= key + 120
    assert shown[2][1] >= spans[1][1] + PAUSE_MS - FRAME_MS  # after MAYA, not at key+pause
    events.clear()
    shown, take, _spans = run_scene(make_parts, events, tmp_path / "off", room, advance=False,
                                    keys_at_ms=[spans[0][1] + 2000])
    assert [line for line, _t in shown] == [0, 1]  # one key, one line; the voice did nothing
    assert not events.of(ev.VoiceListening)


def test_a_longer_pause_setting_waits_longer(make_parts, events, tmp_path, room):
    shown, _take, spans = run_scene(make_parts, events, tmp_path, room, pause_ms=1200)
    # GAP_S (1.6 s) still outlasts 1.2 s: every line comes up, each 1.2 s after its end
    assert [line for line, _t in shown] == [0, 1, 2, 3, None]
    for (_line, at), (_s, end) in zip(shown[1:], spans):
        assert end + 1200 - FRAME_MS <= at <= end + 1200 + LATE_MS


def test_a_stage_direction_stays_up_for_its_reading_time(make_parts, events, tmp_path):
    """Nobody says a direction: it stays up long enough to read, then the next line."""
    from acting_mirror.audio.vad import reading_ms

    text = ("happy  So. You finally came back.\n"
            "[She slides the envelope across the table.]\n"
            "sad    Where else would I be?\n")
    read = reading_ms("She slides the envelope across the table.", PAUSE_MS)
    scene = render_room(text, {0: PAUSE_MS / 1000 + read / 1000 + 1.0})
    shown, take, spans = run_scene(make_parts, events, tmp_path, scene, partner_span=(0, 0),
                                   text=text)
    assert [line for line, _t in shown] == [0, 1, 2, None]
    direction_up = shown[1][1]
    assert direction_up + read - 20 <= shown[2][1] <= direction_up + read + LATE_MS
    assert shown[2][1] < spans[2][0]  # up before the actor says it
    assert take.complete


def test_switched_off_mid_take_the_voice_no_longer_moves_the_lines(make_parts, events, tmp_path,
                                                                    room):
    """Off during MAYA's line: her line and the rest wait for keys; on again during the
    actor's next words, the lines follow the voice again from there."""
    _script, _signal, spans = room
    off_at, on_at = spans[1][0] + 500, spans[2][0] + 100
    shown, _take, spans = run_scene(
        make_parts, events, tmp_path, room,
        commands_at=[(off_at, cmd.SetVoiceAdvance(False)),
                     (spans[1][1] + 2000, cmd.AdvanceScript()),  # the key, for MAYA's line
                     (on_at, cmd.SetVoiceAdvance(True, PAUSE_MS))])
    assert [line for line, _t in shown] == [0, 1, 2, 3, None]
    assert spans[1][1] + 2000 <= shown[2][1] <= spans[1][1] + 2000 + 120  # by the key only
    end3 = spans[2][1]
    assert end3 + PAUSE_MS - FRAME_MS <= shown[3][1] <= end3 + PAUSE_MS + LATE_MS
    assert [e.on for e in events.of(ev.VoiceListening)] == [True, False, True, False]
