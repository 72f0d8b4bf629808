"""ReviewController without Qt or a display: a real take (a clip of two public-domain
portraits analysed by the real pipeline), sought, stepped, played and scored."""

from __future__ import annotations

import shutil

import cv2
import numpy as np
import pytest

from acting_mirror.app import process_to_take
from acting_mirror.controllers.review import ReviewController, open_take
from acting_mirror.core.calibration import ProfileStore, calibrate
from acting_mirror.core.report import report_for_take
from acting_mirror.core.script import parse_script
from acting_mirror.core.take_script import write_take_script
from acting_mirror.core.types import EMOTIONS
from acting_mirror.errors import ScriptError, SourceError

FPS = 10
N = 30
SCRIPT = """\
0:00-0:01.5 happy    Look at that view!
0:01.5-0:03 neutral  The numbers don't add up.
"""


def _square(image: np.ndarray, size: int = 240) -> np.ndarray:
    h, w = image.shape[:2]
    side = min(h, w)
    y, x = (h - side) // 2, (w - side) // 2
    return cv2.resize(image[y : y + side, x : x + side], (size, size), interpolation=cv2.INTER_AREA)


@pytest.fixture(scope="module")
def take_dir(tmp_path_factory, make_clip, _photos):
    """3 s at 10 fps: 1.5 s of the smiling astronaut, then 1.5 s of Grace Hopper; a bar
    moves along the bottom so every frame differs."""
    astronaut, hopper = _square(_photos["astronaut"]), _square(_photos["grace_hopper"])
    frames = []
    for i in range(N):
        frame = (astronaut if i < N // 2 else hopper).copy()
        frame[-10:, (i * 7) % 220 : (i * 7) % 220 + 20] = 255
        frames.append(frame)
    root = tmp_path_factory.mktemp("review-controller")
    clip = make_clip(root / "scene.avi", frames, FPS)
    outcome = process_to_take(str(clip), out_dir=root / "take", takes_root=root)
    assert outcome.frames == N
    return outcome.folder


@pytest.fixture
def scored(take_dir, tmp_path):
    folder = tmp_path / "scored"
    shutil.copytree(take_dir, folder)
    script = parse_script(SCRIPT, name="scene.txt")
    write_take_script(folder, script)
    report_for_take(folder, script, None)
    return folder


@pytest.fixture
def controllers():
    opened = []

    def make(folder, **kwargs):
        controller = ReviewController.open(folder, **kwargs)
        opened.append(controller)
        return controller

    yield make
    for controller in opened:
        controller.close()


def test_seeking_is_clamped_and_decodes_the_frame_asked_for(controllers, take_dir):
    c = controllers(take_dir)
    assert c.n_frames == N and c.current == -1 and c.reader is not None
    decoded = []
    cap = cv2.VideoCapture(str(take_dir / "output.avi"))
    for _ in range(N):
        decoded.append(cap.read()[1])
    cap.release()
    for k in (0, 1, 2, 17, 5, N - 1):
        frame = c.seek(k)
        assert frame.index == k == c.current and frame.decoded
        assert np.array_equal(frame.image, decoded[k])
        assert frame.time_ms == pytest.approx(k * 1000 / FPS, abs=1)
    assert c.seek(-5).index == 0 and c.seek(N + 10).index == N - 1
    assert c.frame_at(1234) == 12 and c.frame_at(-50) == 0 and c.frame_at(1e9) == N - 1
    assert c.seek_time(2000).index == 20 and c.current_time_ms == pytest.approx(2000, abs=1)


def test_playing_runs_to_the_end_and_starts_again_from_the_first_frame(controllers, take_dir):
    c = controllers(take_dir)
    c.seek(N - 3)
    assert c.play() == N - 3 and c.playing
    assert c.play() is None  # already playing
    shown = []
    while (k := c.next_frame()) is not None:
        shown.append(c.seek(k).index)
    assert shown == [N - 2, N - 1] and not c.playing and c.at_end
    assert c.play() == 0  # at the end, Play starts from the beginning
    c.pause()
    assert not c.playing


def test_a_take_without_a_report_says_so_and_is_scored_on_request(controllers, take_dir, tmp_path):
    folder = tmp_path / "take"
    shutil.copytree(take_dir, folder)
    c = controllers(folder)
    assert c.report is None and c.spans() == [] and c.line_at(500) is None
    assert not c.has_saved_report
    assert c.no_report_text().startswith("This take has no report.")
    with pytest.raises(ScriptError, match="teleprompter"):
        c.score_with(parse_script("happy Hi!\n", name="tele.txt"))
    report = c.score_with(parse_script(SCRIPT, name="scene.txt"))
    assert c.report is report is c.saved_report and c.has_saved_report and c.has_html_report
    assert [line.verdict for line in report.lines] == ["hit", "hit"]
    assert [(s.start_ms, s.end_ms) for s in c.spans()] == [(0, 1500), (1500, 3000)]
    assert c.line_at(500).index == 0 and c.line_at(2000).index == 1 and c.line_at(3500) is None
    assert open_take(folder).report.score == pytest.approx(report.score, abs=1e-4)
    assert (folder / "script.txt").is_file()  # the script goes with the take


def test_what_the_current_frame_reads_as(controllers, scored):
    c = controllers(scored)
    smile, calm = c.reading(3), c.reading(N - 3)
    assert smile.emotion == "happy" and 0.0 < smile.share <= 1.0
    assert calm.emotion != "happy"


def test_the_calibrated_switch_rescores_without_touching_the_saved_report(controllers, scored, tmp_path):
    store = ProfileStore(tmp_path / "profiles")
    rows = np.tile(np.array([0.02, 0.01, 0.02, 0.45, 0.02, 0.03, 0.45]), (10, 1))
    store.save(calibrate(rows, actor="Ada"))
    c = controllers(scored, profiles=store)
    saved = c.report
    assert saved is not None and not saved.calibrated and c.note == ""
    _, raw = c.curves()
    assert c.load_calibration("Ada", on=True) is None
    assert c.calibration is not None and c.report is not saved and c.report.calibrated
    assert "calibration" in c.note
    _, corrected = c.curves()
    happy = EMOTIONS.index("happy")
    assert np.nanmean(corrected[:, happy]) < np.nanmean(raw[:, happy])
    assert open_take(scored).report.calibrated is False  # the file is unchanged
    assert c.load_calibration("Ada", on=False) is None
    assert c.report is saved and c.note == ""
    problem = c.load_calibration("Nobody", on=True)
    assert problem and c.calibration is None


def test_a_folder_that_is_not_a_take_is_one_sentence(tmp_path):
    with pytest.raises(SourceError, match="not an Acting Mirror take"):
        open_take(tmp_path)
    with pytest.raises(SourceError, match="is not a folder"):
        open_take(tmp_path / "missing")
