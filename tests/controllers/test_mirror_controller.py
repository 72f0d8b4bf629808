"""MirrorController and the window's Qt-free rules, without a display: the commands sent
for what the user does, the controls it enables, and the words the window shows."""

from __future__ import annotations

from pathlib import Path

from acting_mirror.controllers.mirror import (
    MirrorController,
    QuitChoice,
    describe_spec,
    first_source,
    looks_like_url,
    mm_ss,
    source_title,
    take_message,
    url_to_open,
)
from acting_mirror.session import commands as cmd
from acting_mirror.session.events import SourceInfo, TakeInfo


def source(spec="clip.mp4", *, live=False, camera=False) -> SourceInfo:
    return SourceInfo(spec=spec, name=Path(spec).name, fps=25.0, frame_count=None if live else 50,
                      live=live, camera=camera, loop=False, width=640, height=360)


def test_a_source_asked_for_before_the_models_load_opens_once_they_are_ready():
    sent: list = []
    c = MirrorController(sent.append)
    assert not c.open_source("demo", loop=True) and sent == []
    assert not c.open_source("clip.mp4")  # the newest wish wins
    c.on_ready()
    assert sent == [cmd.OpenSource("clip.mp4", False)]
    c.on_ready()
    assert len(sent) == 1  # sent once
    assert c.open_source("camera:0") and sent[-1] == cmd.OpenSource("camera:0", False)


def test_play_and_record_need_a_source_and_the_models():
    sent: list = []
    c = MirrorController(sent.append)
    assert not c.toggle_playing() and not c.start_recording(Path("takes")) and sent == []
    assert c.controls().detector is False and c.controls().play is False
    c.on_ready()
    assert not c.toggle_playing() and not c.start_recording(Path("takes"))
    c.on_source_opened(source())
    assert c.controls().play and c.controls().record
    assert c.toggle_playing() and sent[-1] == cmd.SetPlaying(True)
    c.on_playing(True)
    assert c.toggle_playing() and sent[-1] == cmd.SetPlaying(False)
    assert not c.stop_recording()  # nothing to stop
    assert c.start_recording(Path("takes")) and sent[-1] == cmd.StartRecording(Path("takes"))
    c.on_take_started(Path("takes/t1"))
    assert c.recording and c.needs_quit_question()
    assert c.stop_recording() and sent[-1] == cmd.StopRecording()
    take = TakeInfo(Path("takes/t1"), frames=10, seconds=0.4)
    c.on_take_finished(take)
    assert not c.recording and c.last_take is take and not c.needs_quit_question()


def test_mirroring_is_offered_for_cameras_only_and_says_why_not():
    c = MirrorController(lambda _c: None)
    c.on_ready()
    assert not c.controls().mirror and "choose a camera" in c.controls().mirror_tip
    assert not c.controls().record and "first" in c.controls().record_tip
    c.on_source_opened(source())
    assert not c.controls().mirror and "cameras" in c.controls().mirror_tip
    c.on_source_opened(source("camera:0", live=True, camera=True))
    assert c.controls().mirror
    c.on_fatal()
    assert not c.controls().play and not c.controls().record


def test_quitting_choices_map_to_the_sessions_last_command():
    assert MirrorController.shutdown_for(QuitChoice.CANCEL) is None
    assert MirrorController.shutdown_for(QuitChoice.SAVE) == cmd.Shutdown(complete=False, discard=False)
    assert MirrorController.shutdown_for(QuitChoice.DISCARD) == cmd.Shutdown(complete=False, discard=True)


def test_what_opens_first():
    assert first_source("demo", ["camera:0"]) == ("demo", True)
    assert first_source("clip.mp4", []) == ("clip.mp4", False)
    assert first_source(None, ["camera:1", "camera:2"]) == ("camera:1", False)
    assert first_source(None, []) is None


def test_how_sources_and_links_read():
    assert describe_spec("demo") == "Demo clip"
    assert describe_spec("camera:2") == "Camera 2"
    assert describe_spec("/home/ada/takes/scene.mp4") == "scene.mp4"
    assert describe_spec("https://youtu.be/x") == "https://youtu.be/x"
    assert source_title(source("camera:0", live=True, camera=True)) == (
        "camera:0", "camera:0  ·  640×360  ·  camera")
    assert source_title(source("demo"))[0] == "Demo clip"
    assert source_title(source("clip.mp4"))[1].endswith("25 fps")
    assert looks_like_url("youtu.be/abc") and not looks_like_url("scene.mp4")
    assert url_to_open(" youtu.be/abc ", lambda _t: False) == "https://youtu.be/abc"
    assert url_to_open("http://x/y.mp4", lambda _t: False) == "http://x/y.mp4"
    assert url_to_open("scene.mp4", lambda t: t == "scene.mp4") == "scene.mp4"
    assert url_to_open("hello there", lambda _t: False) is None
    assert mm_ss(75.9) == "01:15" and mm_ss(-3) == "00:00"


def test_what_the_window_says_when_a_take_ends():
    saved = take_message(TakeInfo(Path("takes/t1"), frames=50, seconds=75.0))
    assert saved.level == "info" and saved.open_folder
    assert saved.text == "Take saved: 50 frames (01:15) in takes/t1" == saved.status
    empty = take_message(TakeInfo(Path("takes/t2"), frames=0, seconds=0.0))
    assert empty.level == "" and not empty.open_folder and "Nothing was recorded" in empty.status
    broken = take_message(TakeInfo(Path("takes/t3"), frames=7, seconds=0.3, error="The disk is full."))
    assert broken.level == "error" and broken.open_folder
    assert "The 7 frames recorded so far are kept in takes/t3." in broken.text
    assert broken.status == "Recording stopped: The disk is full."


def test_an_offline_web_link_says_there_is_no_internet_connection():
    from acting_mirror.controllers.mirror import readable_source_error

    raw = ("Cannot open https://youtu.be/abc: ERROR: [Errno -2] Name or service not known "
           "(caused by URLError(gaierror(-2, 'Name or service not known')))")
    text = readable_source_error(raw, "https://youtu.be/abc")
    assert text.startswith("There is no internet connection") and "Errno" not in text
    assert text.count(".") <= 3  # a sentence or two, not a traceback
    other = "Cannot open clip.mp4: the file does not exist."
    assert readable_source_error(other, "clip.mp4") == other


def test_a_failed_source_is_said_once_in_one_place():
    from acting_mirror.controllers.mirror import source_failure

    over_video = source_failure("The file is damaged.", "a.mp4", showing=True)
    assert over_video.banner == "The file is damaged." and over_video.body is None
    empty = source_failure("The file is damaged.", "a.mp4", showing=False)
    assert empty.banner is None and empty.body.startswith("The file is damaged.")


def test_a_saved_take_offers_its_review_and_counts_one_frame_right():
    message = take_message(TakeInfo(Path("takes/t1"), frames=1, seconds=0.04))
    assert message.review and message.open_folder
    assert message.text.startswith("Take saved: 1 frame (")
    failed = take_message(TakeInfo(Path("takes/t2"), frames=3, seconds=0.1, error="Disk full."))
    assert not failed.review


def test_help_lists_each_shortcut_once():
    from acting_mirror.controllers.mirror import SHORTCUTS, shortcuts_html

    keys = [key for key, _ in SHORTCUTS]
    assert len(keys) == len(set(keys))
    for key in ("Space", "Ctrl+R", "Esc"):
        assert key in keys and f"<b>{key}</b>" in shortcuts_html()
