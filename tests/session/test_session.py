"""The session on its own: plain pytest, fakes from conftest, the real take recorder."""

from __future__ import annotations

import json

import pytest

from acting_mirror.core.script import parse_script
from acting_mirror.session import commands as cmd
from acting_mirror.session import events as ev
from acting_mirror.session.session import LIVE, OFFLINE, Session

from session_fakes import FakeSource

SCRIPT = parse_script(
    "0:00-0:00.4  happy  I got the part!\n"
    "0:00.4-0:00.8  sad  ...but it's in Antarctica.\n"
    "0:01.2-0:01.5  surprise  Wait, who's that?\n",
    name="scene.txt",
)


def offline(parts, events, **kwargs) -> Session:
    session = Session(parts, events.append, policy=OFFLINE, mirror=False, **kwargs)
    return session


def run_to_end(session: Session) -> None:
    while session.step():
        pass


def test_offline_every_frame_is_analysed_and_recorded_in_order(make_parts, events, tmp_path):
    session = offline(make_parts(), events)
    assert session.open(cmd.OpenSource("clip"))
    assert session.start()
    assert session.start_take(cmd.StartRecording(tmp_path, folder=tmp_path / "take"))
    run_to_end(session)
    session.close()
    frames = events.of(ev.FrameAnalysed)
    assert [e.result.frame.index for e in frames] == list(range(10))
    assert all(e.annotated is not None for e in frames)  # drawn for output.avi
    (finished,) = events.of(ev.TakeFinished)
    assert finished.take.frames == 10 and finished.take.complete
    summary = json.loads((tmp_path / "take" / "summary.json").read_text())
    assert summary["frames"] == 10 and summary["complete"] is True
    assert events.of(ev.SourceEnded)


def test_offline_without_video_draws_nothing(make_parts, events, tmp_path):
    session = offline(make_parts(), events)
    session.open(cmd.OpenSource("clip"))
    session.start()
    session.start_take(cmd.StartRecording(tmp_path, folder=tmp_path / "t", write_video=False))
    run_to_end(session)
    session.close()
    assert all(e.annotated is None for e in events.of(ev.FrameAnalysed))
    assert not (tmp_path / "t" / "output.avi").exists()


@pytest.mark.parametrize("mirror", [True, False])
def test_a_camera_is_mirrored_only_when_asked_and_files_never(make_parts, events, mirror):
    parts = make_parts(source=lambda: FakeSource(3, live=True, camera=True))
    session = Session(parts, events.append, policy=LIVE, mirror=mirror)
    session.start()
    session.open(cmd.OpenSource("camera:0"))
    session.step()
    picture = events.of(ev.FrameAnalysed)[0].annotated
    left_is_white = bool(picture[:, :16].min() == 255)
    assert left_is_white is (not mirror)
    assert events.of(ev.SourceOpened)[0].info.live


def test_a_file_is_never_mirrored(make_parts, events):
    session = Session(make_parts(), events.append, policy=LIVE, mirror=True)
    session.start()
    session.open(cmd.OpenSource("clip.mp4"))
    session.step()
    assert events.of(ev.FrameAnalysed)[0].annotated[:, :16].min() == 255


def test_stills_are_read_whole_and_each_picture_afresh(make_parts, events):
    asked = []
    parts = make_parts(source=lambda: FakeSource(4, stills=True))
    build = parts.build_analyzer
    parts = type(parts)(**{**parts.__dict__, "build_analyzer":
                           lambda s: (asked.append(s.keyframe_interval), build(s))[1]})
    session = offline(parts, events)
    session.open(cmd.OpenSource("folder"))
    session.start()
    run_to_end(session)
    assert asked == [1]  # no keyframes: every picture searched whole
    ids = {e.result.faces[0].face_id for e in events.of(ev.FrameAnalysed)}
    assert len(ids) == 1  # tracking starts afresh on every picture


def test_a_source_that_breaks_keeps_the_take_marked_incomplete(make_parts, events, tmp_path):
    session = offline(make_parts(source=lambda: FakeSource(10, fail_at=6)), events)
    session.open(cmd.OpenSource("stream"))
    session.start()
    session.start_take(cmd.StartRecording(tmp_path))
    run_to_end(session)
    (failed,) = events.of(ev.SourceFailed)
    assert "dropped" in failed.message
    (finished,) = events.of(ev.TakeFinished)
    assert finished.take.frames == 6 and not finished.take.complete
    summary = json.loads((finished.take.folder / "summary.json").read_text())
    assert summary["complete"] is False and "dropped" in summary["end_reason"]


def _scripted_session(make_parts, events, tmp_path, policy=LIVE) -> Session:
    session = Session(make_parts(emotion="happy"), events.append, policy=policy, mirror=False)
    session.start()
    session.open(cmd.OpenSource("clip"))
    session.handle(cmd.SetScript(SCRIPT))
    session.handle(cmd.StartRecording(tmp_path, scripted=True))
    return session


def test_quitting_during_a_scripted_take_saves_it_incomplete_with_unreached_lines(
        make_parts, events, tmp_path):
    session = _scripted_session(make_parts, events, tmp_path, policy=OFFLINE)
    for _ in range(6):  # 0.6 s of a 2 s script
        session.step()
    session.handle(cmd.Shutdown(complete=False))
    assert session.stopping
    (finished,) = events.of(ev.TakeFinished)
    take = finished.take
    assert not take.complete and take.frames == 6, take.report_error
    summary = json.loads((take.folder / "summary.json").read_text())
    report = json.loads((take.folder / "report.json").read_text())
    assert summary["complete"] is False and report["complete"] is False
    verdicts = [line["verdict"] for line in report["lines"]]
    assert verdicts[0] == "hit" and verdicts[2] == "not_reached"
    assert "no_face" not in verdicts
    # only the reached lines count: line 1 all on target, line 2 (sad) read as happy
    assert 0 < report["score"] < 1
    assert take.report is not None and take.report.reached != take.report.lines


def test_discarding_a_take_deletes_it(make_parts, events, tmp_path):
    session = _scripted_session(make_parts, events, tmp_path, policy=OFFLINE)
    for _ in range(3):
        session.step()
    session.handle(cmd.Shutdown(discard=True))
    (finished,) = events.of(ev.TakeFinished)
    assert finished.take.discarded and not finished.take.folder.exists()


def test_a_scripted_take_in_the_app_ends_with_the_script(make_parts, events, tmp_path):
    parts = make_parts(source=lambda: FakeSource(40, fps=20.0))  # 2 s of media, paced
    session = Session(parts, events.append, policy=LIVE, mirror=False)
    session.start()
    session.open(cmd.OpenSource("clip"))
    session.handle(cmd.SetScript(SCRIPT))
    session.handle(cmd.StartRecording(tmp_path, scripted=True))
    run_to_end(session)
    (finished,) = events.of(ev.TakeFinished)
    assert finished.take.complete and finished.take.frames < 40  # stopped after the last line
    assert finished.take.report is not None and finished.take.report.complete
    cues = [e.cue for e in events.of(ev.FrameAnalysed)]
    assert all(c is not None for c in cues)


def test_process_policy_runs_past_the_end_of_the_script(make_parts, events, tmp_path):
    parts = make_parts(source=lambda: FakeSource(40, fps=10.0))  # 4 s of media
    session = Session(parts, events.append, policy=OFFLINE, mirror=False)
    session.start()
    session.open(cmd.OpenSource("clip"))
    session.handle(cmd.SetScript(SCRIPT))
    session.handle(cmd.StartRecording(tmp_path, scripted=True))
    run_to_end(session)
    (finished,) = events.of(ev.TakeFinished)
    assert finished.take.frames == 40


def test_a_take_with_no_frames_leaves_an_empty_out_folder_empty(make_parts, events, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    session = offline(make_parts(source=lambda: FakeSource(0)), events)
    session.open(cmd.OpenSource("clip"))
    session.start()
    session.start_take(cmd.StartRecording(tmp_path, folder=out))
    run_to_end(session)
    session.close()
    assert out.is_dir() and list(out.iterdir()) == []


def test_recording_without_a_source_is_refused(make_parts, events, tmp_path):
    session = offline(make_parts(), events)
    session.start()
    session.handle(cmd.StartRecording(tmp_path))
    (failed,) = events.of(ev.RecordingFailed)
    assert "Open a camera or a video" in failed.message
    assert not any(tmp_path.iterdir())


def test_a_source_that_cannot_be_opened_keeps_the_old_one(make_parts, events):
    from acting_mirror.errors import SourceError

    calls = []

    def source():
        calls.append(1)
        if len(calls) > 1:
            raise SourceError("no such file")
        return FakeSource()

    session = offline(make_parts(source=source), events)
    session.start()
    assert session.open(cmd.OpenSource("a"))
    assert not session.open(cmd.OpenSource("b"))
    assert events.of(ev.SourceFailed)[0].message == "no such file"
    assert session.info.spec == "a" and session.step()


def test_a_source_that_ends_early_keeps_the_take_marked_with_its_reason(make_parts, events, tmp_path):
    class Truncated(FakeSource):
        def __iter__(self):
            yield from super().__iter__()
            self.end_reason, self.end_message = "truncated", "cut.avi is truncated: 4 of 9."

    session = offline(make_parts(source=lambda: Truncated(4)), events)
    session.open(cmd.OpenSource("cut.avi"))
    session.start()
    session.start_take(cmd.StartRecording(tmp_path))
    run_to_end(session)
    (ended,) = events.of(ev.SourceEnded)
    assert not ended.complete and "truncated" in ended.message
    (finished,) = events.of(ev.TakeFinished)
    summary = json.loads((finished.take.folder / "summary.json").read_text())
    assert summary["complete"] is False and "truncated" in summary["end_reason"]


def test_opening_a_slow_source_never_blocks_the_commands(make_parts, events):
    """Resolving a web link may take a minute: meanwhile a Shutdown is served at once."""
    import threading

    from acting_mirror.session.session import Inbox

    release = threading.Event()
    closed = []

    class Slow(FakeSource):
        def close(self):
            closed.append(True)

    def slow_source():
        release.wait(10)
        return Slow()

    session = Session(make_parts(source=slow_source), events.append, policy=LIVE, mirror=False)
    inbox = Inbox()
    inbox.put(cmd.OpenSource("https://example.invalid/watch"))
    inbox.put(cmd.SetMirror(False))
    inbox.put(cmd.Shutdown())
    runner = threading.Thread(target=session.run, args=(inbox,))
    runner.start()
    runner.join(5)
    assert not runner.is_alive()  # the Shutdown did not wait for the opening
    assert events.of(ev.MirrorChanged)  # the commands sent meanwhile were served
    assert not events.of(ev.SourceOpened)
    release.set()
    for _ in range(100):
        if closed:
            break
        threading.Event().wait(0.05)
    assert closed  # the source that arrived too late was closed
    session.close()


def test_a_lost_camera_is_tried_again_with_backoff_until_it_comes_back(make_parts, events):
    import threading

    from acting_mirror.session.session import Inbox

    attempts = []

    class Lost(FakeSource):
        def __iter__(self):
            yield from super().__iter__()
            self.end_reason, self.end_message = "camera lost", "Camera 0 stopped delivering."

    def camera():
        attempts.append(1)
        if len(attempts) in (2, 3):
            from acting_mirror.errors import SourceError

            raise SourceError("No camera found at index 0.")
        return Lost(3, live=True, camera=True)

    session = Session(make_parts(source=camera), events.append, policy=LIVE, mirror=False)
    inbox = Inbox()
    inbox.put(cmd.OpenSource("camera:0"))
    runner = threading.Thread(target=session.run, args=(inbox,))
    runner.start()
    for _ in range(200):  # 1 s, 1 s, 2 s of backoff
        if len(events.of(ev.SourceOpened)) >= 2:
            break
        threading.Event().wait(0.05)
    inbox.put(cmd.Shutdown())
    runner.join(10)
    session.close()
    assert len(events.of(ev.SourceOpened)) >= 2  # it came back on its own
    tries = [e.attempt for e in events.of(ev.SourceReconnecting)]
    assert tries[:3] == [0, 1, 2]
    assert not events.of(ev.SourceFailed)  # the failed tries were quiet


SCENE = parse_script(
    "0:00-0:00.4  @THEO: You came back.\n"
    "0:00.4-0:00.8  happy  I never left.\n"
    "0:00.8-0:01.2  @THEO: Then where were you?\n",
    name="scene.txt",
)


class FakeVoice:
    """Records what the partner would say; ``available`` as asked."""

    speaking = False

    def __init__(self, script, available=True):
        self.available, self.message = available, "" if available else "espeak-ng is missing"
        self.said, self.stops, self.closed = [], 0, False

    def follow(self, cue):
        if cue is not None and cue.partner and (not self.said or self.said[-1] != cue.index):
            self.said.append(cue.index)

    def rewind(self):
        self.said.clear()

    def stop(self):
        self.stops += 1

    def close(self):
        self.closed = True


def _scene_parts(make_parts, voices, available=True):
    parts = make_parts(source=lambda: FakeSource(20, fps=10.0))

    def voice(script):
        voices.append(FakeVoice(script, available))
        return voices[-1]

    return type(parts)(**{**parts.__dict__, "partner_voice": voice})


def test_the_partner_speaks_its_lines_during_a_scripted_take_only(make_parts, events, tmp_path):
    voices = []
    session = Session(_scene_parts(make_parts, voices), events.append, policy=OFFLINE, mirror=False)
    session.start()
    session.open(cmd.OpenSource("clip"))
    session.handle(cmd.SetScript(SCENE))
    for _ in range(3):
        session.step()  # not recording: the partner is silent
    assert voices[0].said == []
    session.handle(cmd.StartRecording(tmp_path, scripted=True))
    run_to_end(session)
    assert voices[0].said == [0, 2] and voices[0].stops >= 1
    report = json.loads((events.of(ev.TakeFinished)[0].take.folder / "report.json").read_text())
    assert [line["index"] for line in report["lines"]] == [1]  # partner lines are not scored
    session.handle(cmd.SetScript(None))
    assert voices[0].closed


def test_without_speech_the_app_says_so_once(make_parts, events):
    voices = []
    session = Session(_scene_parts(make_parts, voices, available=False), events.append,
                      policy=OFFLINE, mirror=False)
    session.start()
    session.handle(cmd.SetScript(SCENE))
    (said,) = events.of(ev.PartnerVoiceUnavailable)
    assert "espeak-ng" in said.message and session.partner is None


def test_a_faster_pace_scores_against_the_scaled_times(make_parts, events, tmp_path):
    session = _scripted_session(make_parts, events, tmp_path, policy=OFFLINE)
    session.handle(cmd.SetScript(SCRIPT, pace=1.5))
    session.handle(cmd.StartRecording(tmp_path, scripted=True))
    run_to_end(session)
    take = [e.take for e in events.of(ev.TakeFinished) if e.take.scripted][-1]
    stored = (take.folder / "script.txt").read_text()
    assert "00:00.267" in stored  # 0:00.4 / 1.5
    report = json.loads((take.folder / "report.json").read_text())
    assert report["lines"][2]["start_ms"] == 800  # 1.2 s / 1.5


def test_a_looped_passage_is_taken_again_and_again(make_parts, events, tmp_path):
    parts = make_parts(source=lambda: FakeSource(100, fps=20.0))
    session = Session(parts, events.append, policy=LIVE, mirror=False)
    session.start()
    session.open(cmd.OpenSource("clip"))
    session.handle(cmd.SetScript(SCRIPT, passage=(0, 1), loop=True))
    session.handle(cmd.StartRecording(tmp_path, scripted=True))
    while len(events.of(ev.TakeFinished)) < 2 and session.step():
        pass
    finished = [e.take for e in events.of(ev.TakeFinished)]
    assert len(finished) >= 2 and all(t.complete and t.frames > 0 for t in finished)
    assert session.take is not None  # the third take is already running
    report = json.loads((finished[0].folder / "report.json").read_text())
    assert len(report["lines"]) == 2 and "lines 1-2" in report["script"]
    session.close()


def test_spoken_cues_say_one_word_between_lines_never_over_the_partner(make_parts, events, tmp_path):
    voices = []
    parts = _scene_parts(make_parts, voices)
    cue_voice = FakeVoice(None)
    cue_voice.speaking = False
    said_words = []
    cue_voice.say = lambda i: said_words.append(i) or True
    parts = type(parts)(**{**parts.__dict__, "cue_voice": lambda: cue_voice})
    script = parse_script("0:00-0:00.5  happy  I got it!\n0:00.5-0:01  @THEO: Great.\n"
                          "0:01-0:01.5  happy  Yes!\n0:01.5-0:02  sad  Oh.\n", name="s.txt")
    session = Session(parts, events.append, policy=OFFLINE, mirror=False)
    session.start()
    session.open(cmd.OpenSource("clip"))
    session.handle(cmd.SetScript(script, spoken_cues=True))
    session.handle(cmd.StartRecording(tmp_path, scripted=True))
    run_to_end(session)
    # "I got it!" ends as THEO starts: nothing over the partner; "Yes!" went well: "good"
    assert said_words == [0]


def test_the_face_detail_is_switched_on_and_off_between_frames(make_parts, events):
    import numpy as np

    class Detail:
        def __init__(self):
            self.reads = 0

        def read(self, image, faces):
            self.reads += 1
            return tuple(f.with_(blendshapes=np.full(52, 0.5, np.float32)) if f.primary else f
                         for f in faces)

    made = []
    parts = make_parts(source=lambda: FakeSource(6))
    parts = type(parts)(**{**parts.__dict__,
                           "face_detail": lambda: made.append(Detail()) or made[-1]})
    session = Session(parts, events.append, policy=OFFLINE, mirror=False)
    session.start()
    session.open(cmd.OpenSource("clip"))
    session.step()
    session.handle(cmd.SetFaceDetail(True))
    session.step()
    session.step()
    session.handle(cmd.SetFaceDetail(False))
    session.step()
    session.handle(cmd.SetFaceDetail(True))  # the same reader again, not a second one
    session.step()
    read = [e.result.faces[0].blendshapes is not None for e in events.of(ev.FrameAnalysed)]
    assert read == [False, True, True, False, True] and len(made) == 1


class _FakeMic:
    """A microphone that is always there and records nothing (its clock is the wall's)."""

    available, message = True, None

    def __init__(self, device):
        self.device, self.started = device, None

    def start(self, folder, origin):
        self.started = origin

    def stop(self):
        return None


@pytest.mark.parametrize("voice", [True, False])
def test_a_slow_film_keeps_pace_with_the_voice_by_skipping_frames(make_parts, events, tmp_path, voice):
    # analysis takes 0.25 s a frame; the file runs at 10 fps: 2.5x slower than the film
    wall = [0.0]

    def clock():
        wall[0] += 1e-4  # every look at the clock takes a little time
        return wall[0]

    seen = {}  # frame index -> wall time its analysis started

    class SlowDetector:
        name = "slow"

        def detect(self, image):
            seen[int(image[0, 20, 0])] = wall[0]
            wall[0] += 0.25
            return ()

    from acting_mirror.core.analysis import Analyzer
    from session_fakes import ReadsAs

    parts = make_parts(source=lambda: FakeSource(100, fps=10.0))
    parts = type(parts)(**{**parts.__dict__,
                           "build_analyzer": lambda s: Analyzer(SlowDetector(), ReadsAs(), clock=clock),
                           "build_detector": lambda s: SlowDetector(),
                           "microphone": _FakeMic})
    session = Session(parts, events.append, policy=LIVE, mirror=False, clock=clock)
    session.start()
    session.open(cmd.OpenSource("clip.mp4"))
    session.handle(cmd.SetVoiceRecording(voice, None))
    session.start_take(cmd.StartRecording(tmp_path, folder=tmp_path / "take"))
    run_to_end(session)
    first = min(seen)
    drift_ms = [abs((k - first) * 100 - (seen[k] - seen[first]) * 1000) for k in sorted(seen)]
    if voice:  # the film skips what it is late for: each frame shown within a frame of its time
        assert len(seen) < 60 and max(drift_ms) <= 100 + 1, max(drift_ms)
    else:  # no sound to keep up with: every frame is shown, the film plays on slower
        assert len(seen) == 100 and max(drift_ms) > 10_000
