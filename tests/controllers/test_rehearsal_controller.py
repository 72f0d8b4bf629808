"""RehearsalController without Qt or a display, as napari tests its components: drive it
like the window does and assert on the commands it sends and the state it exposes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from acting_mirror.controllers.mirror import MirrorController
from acting_mirror.controllers.rehearsal import (
    ADVANCE_KEYS,
    Action,
    Ending,
    Key,
    Phase,
    RehearsalController,
    read_script_file,
)
from acting_mirror.core.calibration import ProfileStore, calibrate
from acting_mirror.core.types import EMOTIONS
from acting_mirror.errors import ScriptError
from acting_mirror.session import commands as cmd
from acting_mirror.session.events import SourceInfo, TakeInfo

TIMED = """\
0:00-0:02 happy    We made it!
0:02-0:04 surprise Wait, what is that?
"""
TELEPROMPTER = """\
neutral  So. You came back.
happy    I can't believe it!
"""


def source(*, live: bool) -> SourceInfo:
    return SourceInfo(spec="camera:0" if live else "clip.mp4", name="src", fps=30.0,
                      frame_count=None if live else 90, live=live, camera=live, loop=False,
                      width=640, height=360)


@pytest.fixture
def rig(tmp_path):
    """A rehearsal controller wired to a real MirrorController and ProfileStore; every
    command it sends is kept in ``sent``."""
    sent: list[cmd.Command] = []
    mirror = MirrorController(sent.append)
    profiles = ProfileStore(tmp_path / "profiles")
    controller = RehearsalController(sent.append, mirror, profiles,
                                     takes_root=lambda: tmp_path / "takes")
    return controller, mirror, sent, tmp_path


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_phase_is_an_enum_equal_to_the_names_the_panel_shows():
    assert Phase.IDLE == "idle" and Phase.COUNTDOWN == "countdown" and Phase.TAKE == "take"
    assert Phase.STARTING.shown is Phase.TAKE and Phase.COUNTDOWN.shown is Phase.COUNTDOWN
    assert [p.running for p in Phase] == [False, False, True, True]


def test_loading_a_script_sends_it_to_the_session(rig):
    controller, _mirror, sent, tmp_path = rig
    path = write(tmp_path, "scene.txt", TIMED)
    assert controller.load_script_file(path)
    assert controller.script.source == "scene.txt" and controller.script_path == path
    assert controller.script_text == TIMED
    [command] = sent
    assert isinstance(command, cmd.SetScript)
    assert command.script is controller.script and command.text == TIMED
    assert command.calibration is None and command.actor == ""
    assert controller.first_line_caption == "First line — happy: We made it!"


def test_a_broken_script_is_one_sentence_and_changes_nothing(rig):
    controller, _mirror, sent, tmp_path = rig
    bad = write(tmp_path, "bad.txt", "0:00-0:02 elated  Hm.\n0:01-0:00 happy  No.\n")
    assert not controller.load_script_file(bad)
    [(level, text)] = controller.notices
    assert level == "error" and text.startswith("bad.txt is not a valid acting script: ")
    assert "\n" not in text
    assert controller.script is None and sent == []
    assert not controller.load_script_file(tmp_path / "missing.txt")
    assert controller.notices[-1][1].startswith("Cannot read the script ")
    with pytest.raises(ScriptError) as caught:
        read_script_file(bad)
    assert caught.value.problems  # the parser's problems, line by line


def test_record_key_without_a_script_is_the_windows(rig):
    controller, mirror, sent, _ = rig
    mirror.on_source_opened(source(live=True))
    assert controller.action_for(Key.RECORD) is None
    assert not controller.press(Key.RECORD) and sent == []
    for key in ADVANCE_KEYS:
        assert controller.action_for(key) is None  # Space plays and pauses


def test_a_scripted_take_from_the_countdown_to_the_report(rig):
    controller, mirror, sent, tmp_path = rig
    controller.load_script_file(write(tmp_path, "scene.txt", TIMED))
    sent.clear()
    # no source yet: the take cannot start, and the actor is told why
    assert controller.action_for(Key.RECORD) is Action.START
    assert controller.press(Key.RECORD) and controller.phase is Phase.IDLE
    assert controller.notices[-1] == ("warning", "Open a camera or a video first, then start the take.")
    mirror.on_source_opened(source(live=False))
    assert controller.press(Key.RECORD) and controller.phase is Phase.COUNTDOWN
    assert controller.action_for(Key.RECORD) is Action.CANCEL
    assert not controller.can_change_script
    assert not controller.set_script(None)  # the script cannot change during the countdown
    assert controller.script is not None
    start = controller.countdown_finished()
    assert sent == [start]
    assert start == cmd.StartRecording(tmp_path / "takes", "scene", scripted=True, rewind=True)
    assert controller.phase is Phase.STARTING and controller.action_for(Key.RECORD) is Action.STOP
    controller.on_take_started()
    mirror.on_take_started(tmp_path / "takes" / "scene-1")
    assert controller.phase is Phase.TAKE
    assert controller.action_for(Key.SPACE) is None  # a timed script follows the clock
    assert controller.press(Key.RECORD)
    assert sent[-1] == cmd.StopRecording()
    take = TakeInfo(tmp_path / "takes" / "scene-1", frames=60, seconds=2.0, scripted=True,
                    report_error="no face was found")
    assert controller.on_take_finished(take) is Ending.NOT_SCORED
    assert controller.phase is Phase.IDLE and controller.can_change_script


def test_a_live_camera_take_is_not_rewound_and_cancelling_the_countdown_sends_nothing(rig):
    controller, mirror, sent, tmp_path = rig
    controller.load_script_file(write(tmp_path, "scene.txt", TIMED))
    mirror.on_source_opened(source(live=True))
    sent.clear()
    assert controller.start_take()
    assert controller.press(Key.RECORD) and controller.phase is Phase.IDLE  # cancelled
    assert sent == []
    assert controller.countdown_finished() is None  # a countdown that was cancelled ends nothing
    assert controller.start_take()
    assert controller.countdown_finished().rewind is False


def test_a_countdown_ending_after_the_source_went_away_goes_back_to_idle(rig):
    controller, mirror, sent, tmp_path = rig
    controller.load_script_file(write(tmp_path, "scene.txt", TIMED))
    mirror.on_source_opened(source(live=True))
    assert controller.start_take()
    mirror.on_source_failed()
    sent.clear()
    assert controller.countdown_finished() is None and sent == []
    assert controller.phase is Phase.IDLE


def test_a_plain_recording_blocks_a_scripted_take(rig):
    controller, mirror, _sent, tmp_path = rig
    controller.load_script_file(write(tmp_path, "scene.txt", TIMED))
    mirror.on_source_opened(source(live=True))
    mirror.on_take_started(tmp_path / "takes" / "plain")
    assert not controller.start_take() and controller.phase is Phase.IDLE
    assert controller.notices[-1] == ("warning", "A recording is running: stop it first.")


def test_teleprompter_keys_move_on_only_during_the_take(rig):
    controller, mirror, sent, tmp_path = rig
    controller.load_script_file(write(tmp_path, "tele.txt", TELEPROMPTER))
    mirror.on_source_opened(source(live=True))
    assert controller.teleprompter
    for key in ADVANCE_KEYS:
        assert controller.action_for(key) is None  # idle: Space is the window's play key
    controller.start_take()
    assert controller.action_for(Key.SPACE) is None  # nor during the countdown
    controller.countdown_finished()
    assert controller.action_for(Key.SPACE) is None  # nor before the take has started
    controller.on_take_started()
    sent.clear()
    for key in ADVANCE_KEYS:
        assert controller.action_for(key) is Action.ADVANCE
        assert controller.press(key)
    assert sent == [cmd.AdvanceScript()] * len(ADVANCE_KEYS)
    take = TakeInfo(Path("t"), frames=0, seconds=0.0, scripted=True)
    assert controller.on_take_finished(take) is Ending.NOTHING  # nothing was recorded
    assert controller.action_for(Key.SPACE) is None


def test_a_failed_start_goes_back_to_idle(rig):
    controller, mirror, _sent, tmp_path = rig
    controller.load_script_file(write(tmp_path, "scene.txt", TIMED))
    mirror.on_source_opened(source(live=True))
    controller.start_take()
    controller.countdown_finished()
    controller.on_take_failed()
    assert controller.phase is Phase.IDLE


def test_the_calibration_choice_is_sent_with_the_actors_profile(rig):
    controller, _mirror, sent, tmp_path = rig
    rows = np.tile(np.eye(len(EMOTIONS))[EMOTIONS.index("sad")] * 0.5 + 0.5 / len(EMOTIONS), (40, 1))
    controller.profiles.save(calibrate(rows, actor="Ada"))
    assert controller.actors() == ["Ada"]
    controller.set_calibrated(True)  # no actor chosen: nothing to correct with
    assert sent[-1] == cmd.SetCalibration(None, "") and not controller.calibrated
    controller.choose_actor("Ada")
    assert controller.calibrated
    command = sent[-1]
    assert isinstance(command, cmd.SetCalibration) and command.actor == "Ada"
    assert command.calibration is not None and command.calibration.actor == "Ada"
    assert controller.notices[-1] == ("status", "Readings are corrected with Ada's neutral calibration.")
    # a script loaded now carries the calibration along
    controller.load_script_file(write(tmp_path, "scene.txt", TIMED))
    assert sent[-1].calibration is not None and sent[-1].actor == "Ada"
    controller.set_calibrated(False)
    assert sent[-1] == cmd.SetCalibration(None, "")
    controller.calibration_saved("Ada")  # a new calibration switches it on
    assert controller.switch_on and sent[-1].calibration is not None


def test_a_missing_profile_is_a_warning_and_no_calibration(rig):
    controller, _mirror, sent, _ = rig
    controller.set_calibrated(True)
    controller.choose_actor("Nobody")
    assert sent[-1] == cmd.SetCalibration(None, "")
    assert controller.notices[-1][0] == "warning"


def test_an_analysed_video_is_scored_only_against_a_timed_script(rig):
    controller, _mirror, _sent, tmp_path = rig
    assert not controller.can_score_analysis
    assert controller.analysis_scoring(True) == (None, None, None)
    controller.load_script_file(write(tmp_path, "tele.txt", TELEPROMPTER))
    assert not controller.can_score_analysis
    controller.load_script_file(write(tmp_path, "scene.txt", TIMED))
    assert controller.can_score_analysis
    script, text, calibration = controller.analysis_scoring(True)
    assert script is controller.script and text == TIMED and calibration is None
    assert controller.analysis_scoring(False) == (None, None, None)


def test_the_actors_expression_profile_goes_with_the_script_when_calibrated(tmp_path):
    from acting_mirror.controllers.mirror import MirrorController
    from acting_mirror.controllers.rehearsal import RehearsalController
    from acting_mirror.core.calibration import ProfileStore
    from acting_mirror.core.profile import ExpressionProfileStore
    from acting_mirror.core.script import parse_script
    from acting_mirror.session import commands as cmd

    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core"))
    from synthetic_face import routine_table  # noqa: E402

    from acting_mirror.core.profile import learn_profile

    store = ExpressionProfileStore(tmp_path)
    store.save(learn_profile(routine_table(), "Ada"))
    sent = []
    controller = RehearsalController(sent.append, MirrorController(sent.append),
                                     ProfileStore(tmp_path), takes_root=lambda: tmp_path,
                                     actor="Ada", calibrated=False, expressions=store)
    controller.set_script(parse_script("0:00-0:01 happy  Hi.\n"), None, None)
    assert [c for c in sent if isinstance(c, cmd.SetScript)][-1].profile is None
    controller.switch_on = True
    assert controller.expression_profile() is not None

def test_stop_take_between_two_takes_of_a_loop_stops_the_next_one(rig):
    controller, mirror, sent, tmp_path = rig
    controller.load_script_file(write(tmp_path, "scene.txt", TIMED))
    assert controller.set_rehearsal(passage=(0, 0), loop=True)
    mirror.on_source_opened(source(live=False))
    controller.press(Key.RECORD)
    controller.countdown_finished()
    controller.on_take_started()
    whole = TakeInfo(tmp_path / "takes" / "scene-1", frames=60, seconds=2.0, scripted=True,
                     report_error="no face was found")
    controller.on_take_finished(whole)  # the script ran out: the session starts the next
    assert controller.phase is Phase.STARTING
    sent.clear()
    controller.stop_take()  # before the next take's start has arrived
    assert sent == [cmd.StopRecording()]
    cut = TakeInfo(tmp_path / "takes" / "scene-2", frames=5, seconds=0.2, scripted=True,
                   complete=False)
    controller.on_take_finished(cut)
    assert controller.phase is Phase.IDLE


def test_a_take_of_a_script_that_does_not_loop_ends_in_idle(rig):
    controller, mirror, _sent, tmp_path = rig
    controller.load_script_file(write(tmp_path, "scene.txt", TIMED))
    mirror.on_source_opened(source(live=False))
    controller.press(Key.RECORD)
    controller.countdown_finished()
    controller.on_take_started()
    controller.on_take_finished(TakeInfo(tmp_path / "t", frames=60, seconds=2.0, scripted=True))
    assert controller.phase is Phase.IDLE


def test_every_problem_of_a_long_broken_script_is_kept_to_be_read_in_full(rig):
    controller, _mirror, _sent, tmp_path = rig
    lines = "".join(f"0:{i:02d}-0:{i + 1:02d} elated{i}  Line {i}.\n" for i in range(8))
    bad = write(tmp_path, "long.txt", lines)
    assert not controller.load_script_file(bad)
    text = controller.notices[-1][1]
    assert text.endswith(" …")  # the notice shows three
    assert len(controller.script_problems) >= 8 and controller.script_problems_of == bad
    assert all(f"elated{i}" in " ".join(controller.script_problems) for i in range(8))
    good = write(tmp_path, "good.txt", TIMED)
    assert controller.load_script_file(good) and controller.script_problems == []
