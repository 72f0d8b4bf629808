"""The takes library: real takes grouped by the script they were played to, with their
scores; deleting with confirmation; analysing a video into a new take (and cancelling)."""

from __future__ import annotations

import json
import shutil

import pytest

from acting_mirror.app import process_to_take
from acting_mirror.core.report import report_for_take
from acting_mirror.core.script import parse_script
from acting_mirror.core.take_catalog import UNSCRIPTED, group_takes, scan_takes
from acting_mirror.gui.takes_library import TakesLibrary
from acting_mirror.gui.video_analysis import AnalyseJob, VideoAnalysis
from acting_mirror.core.take_script import read_take_script, script_key, write_take_script

FPS = 10
SCENE = """\
0:00-0:01.5 happy    Look at that view!
0:01.5-0:03 neutral  The numbers don't add up.
"""
# the same scene written differently (comments, spacing, another file name): same group
SCENE_AGAIN = """\
# my second try
0:00   - 0:01.5   happy     Look at that view!   # big smile
0:01.5 - 0:03     neutral   The numbers don't add up.
"""
OTHER = """\
0:00-0:03 sad  Nothing left.
"""


@pytest.fixture(scope="module")
def clip(make_scene):
    """3 s at 10 fps: the smiling astronaut for 1.5 s, then Grace Hopper."""
    return make_scene(seconds=3, switch_s=1.5, fps=FPS)


@pytest.fixture(scope="module")
def one_take(tmp_path_factory, clip):
    root = tmp_path_factory.mktemp("library_source")
    return process_to_take(str(clip), out_dir=root / "take", takes_root=root).folder


def _copy_take(source, root, name, created):
    folder = root / name
    shutil.copytree(source, folder)
    summary = json.loads((folder / "summary.json").read_text())
    summary["created"] = created
    (folder / "summary.json").write_text(json.dumps(summary))
    return folder


def _played(folder, text, name, *, calibration=None):
    script = parse_script(text, name=name)
    write_take_script(folder, script, original_text=text)
    return report_for_take(folder, script, calibration)


@pytest.fixture
def takes_root(tmp_path, one_take):
    """Four takes: two of the scene (second written differently), one of another script,
    one without a script."""
    root = tmp_path / "takes"
    root.mkdir()
    first = _copy_take(one_take, root, "2026-05-01_10-00-00", "2026-05-01T10:00:00+00:00")
    second = _copy_take(one_take, root, "2026-05-02_10-00-00", "2026-05-02T10:00:00+00:00")
    other = _copy_take(one_take, root, "2026-05-03_10-00-00", "2026-05-03T10:00:00+00:00")
    _copy_take(one_take, root, "2026-04-30_09-00-00", "2026-04-30T09:00:00+00:00")
    _played(first, SCENE, "scene.txt")
    # the second take read the scene's first line as a miss: make its score different
    _played(second, SCENE_AGAIN.replace("happy ", "sad   "), "scene-v2.txt")
    (second / "script.txt").write_text(SCENE_AGAIN)  # ...but it was played to the same scene
    meta = json.loads((second / "script.json").read_text())
    meta["key"] = script_key(parse_script(SCENE_AGAIN))
    (second / "script.json").write_text(json.dumps(meta))
    _played(other, OTHER, "other.txt")
    (root / "not-a-take").mkdir()
    return root


def test_script_key_ignores_comments_spacing_and_file_name():
    assert script_key(parse_script(SCENE, name="a.txt")) == script_key(parse_script(SCENE_AGAIN, name="b.txt"))
    assert script_key(parse_script(SCENE)) != script_key(parse_script(OTHER))
    assert script_key(parse_script(SCENE)) != script_key(parse_script(SCENE.replace("happy", "sad")))


def test_two_takes_of_the_same_script_are_grouped_with_their_scores(qtbot, takes_root):
    entries = scan_takes(takes_root)
    assert len(entries) == 4  # "not-a-take" is not listed
    groups = group_takes(entries)
    assert [g.name for g in groups] == ["other.txt", "scene-v2.txt", UNSCRIPTED]
    scene = groups[1]
    assert [t.folder.name for t in scene.takes] == ["2026-05-01_10-00-00", "2026-05-02_10-00-00"]
    first, second = (json.loads((t.folder / "report.json").read_text())["score"] for t in scene.takes)
    assert scene.scores == pytest.approx([first, second])
    assert first > second  # the first take was scored against the right targets
    assert scene.best == pytest.approx(first) and scene.latest_score == pytest.approx(second)
    assert groups[2].scores == [] and groups[2].takes[0].score is None

    library = TakesLibrary(takes_root)
    qtbot.addWidget(library)
    library.show()
    tree = library.tree
    assert tree.topLevelItemCount() == 3
    top = tree.topLevelItem(1)
    assert top.text(0) == "scene-v2.txt" and top.text(1) == "2 takes"
    assert top.text(3) == f"last {round(100 * second)}% · best {round(100 * first)}%"
    assert not top.icon(4).isNull()  # the score-over-attempts sparkline
    children = [top.child(i) for i in range(top.childCount())]
    assert [c.text(0) for c in children] == ["2026-05-02_10-00-00", "2026-05-01_10-00-00"]  # newest first
    assert [c.text(3) for c in children] == [f"{round(100 * second)}%", f"{round(100 * first)}%"]
    assert children[0].text(1) == "2026-05-02 10:00" and children[0].text(2) == "00:03"
    assert tree.topLevelItem(2).child(0).text(3) == "not scored"

    opened = []
    library.openRequested.connect(opened.append)
    assert library.select_folder(takes_root / "2026-05-01_10-00-00")
    library.open_button.click()
    assert opened == [takes_root / "2026-05-01_10-00-00"]


def test_deleting_asks_first_and_removes_the_take_from_the_list(qtbot, takes_root, tmp_path,
                                                              monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))  # a trash of our own
    answers = []
    library = TakesLibrary(takes_root, confirm=lambda title, text: answers.pop(0))
    qtbot.addWidget(library)
    folder = takes_root / "2026-05-03_10-00-00"
    library.select_folder(folder)
    answers[:] = [False]
    assert library.delete_selected() == "kept" and folder.is_dir()
    answers[:] = [True, True]  # yes; and yes, delete for good if there is no trash
    assert library.delete_selected() in ("trash", "deleted")  # "deleted" where no trash works
    assert not folder.exists()
    assert [g.name for g in library.groups] == ["scene-v2.txt", UNSCRIPTED]


def test_analysing_a_video_makes_a_scored_take_and_cancelling_leaves_nothing(qtbot, tmp_path, clip):
    root = tmp_path / "takes"
    script = parse_script(SCENE, name="scene.txt")
    analysis = VideoAnalysis(AnalyseJob(str(clip), root, process=process_to_take, script=script, script_text=SCENE))
    progress = []
    analysis.job.progress.connect(lambda n, total: progress.append((n, total)))
    with qtbot.waitSignal(analysis.succeeded, timeout=60000) as blocker:
        analysis.start()
    folder = blocker.args[0]
    qtbot.waitUntil(lambda: not analysis.running, timeout=10000)
    assert folder.parent == root and folder.name.endswith("_scene")
    assert {p.name for p in folder.iterdir()} >= {
        "output.avi", "timeline.csv", "summary.json", "report.json", "report.html", "script.txt"}
    assert progress[-1] == (30, 30)
    assert read_take_script(folder).key == script_key(script)
    assert [t.score is not None for t in scan_takes(root)] == [True]

    cancelled = VideoAnalysis(AnalyseJob(str(clip), root, process=process_to_take))
    cancelled.job.progress.connect(lambda n, total: cancelled.cancel())
    with qtbot.waitSignal(cancelled.cancelled, timeout=60000):
        cancelled.start()
    qtbot.waitUntil(lambda: not cancelled.running, timeout=10000)
    assert [p.name for p in root.iterdir()] == [folder.name]  # the half-made take is gone

    broken = VideoAnalysis(AnalyseJob(str(tmp_path / "missing.mp4"), root, process=process_to_take))
    with qtbot.waitSignal(broken.failed, timeout=30000) as failure:
        broken.start()
    qtbot.waitUntil(lambda: not broken.running, timeout=10000)
    assert "missing.mp4" in failure.args[0]
    assert [p.name for p in root.iterdir()] == [folder.name]
