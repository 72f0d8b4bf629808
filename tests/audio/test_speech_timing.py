"""Per-line speech timing in report.json: when the actor started speaking, how long, and
how the face read while speaking, silent and listening to the partner."""

from __future__ import annotations

import csv
import json

import numpy as np
from hypothesis import given, settings, strategies as st

from acting_mirror.audio.vad import write_speech
from acting_mirror.core.report import report_for_take
from acting_mirror.core.script import parse_script
from acting_mirror.core.speech_timing import read_segments, speech_timing
from acting_mirror.core.timeline import TIMELINE_COLUMNS, read_timeline, timeline_rows
from acting_mirror.core.types import EMOTIONS, Box, Face, Frame, FrameResult

SCENE = parse_script(
    "0:00-0:03 happy We made it\n"
    "0:03-0:06 @THEO: Did we?\n"
    "0:06-0:09 sad It is over\n"
    "0:09-0:11 angry Not this one\n",
    name="scene.txt",
)
FPS = 25
_IMAGE = np.zeros((4, 4, 3), dtype=np.uint8)


def probs(emotion: str, p: float = 0.8) -> np.ndarray:
    out = np.full(len(EMOTIONS), (1.0 - p) / (len(EMOTIONS) - 1), dtype=np.float32)
    out[EMOTIONS.index(emotion)] = p
    return out


def label_at(t_ms: int) -> str:
    """The face: happy while saying line 1 (0.5-2.5 s), neutral after it, surprise while
    listening to THEO, sad for line 3, neutral for the silent last line."""
    if 500 <= t_ms < 2500:
        return "happy"
    if 3000 <= t_ms < 6000:
        return "surprise"
    if 6000 <= t_ms < 9000:
        return "sad"
    return "neutral"


def write_take(folder):
    folder.mkdir()
    with (folder / "timeline.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(TIMELINE_COLUMNS)
        for i in range(11 * FPS):
            t = round(i * 1000 / FPS)
            face = Face(Box(10, 10, 80, 80), probs=probs(label_at(t)), face_id=1, primary=True)
            writer.writerows(timeline_rows(FrameResult(Frame(_IMAGE, i, t), (face,))))
    return folder


def test_the_report_gains_speech_timing_per_line(tmp_path):
    take = write_take(tmp_path / "take")
    # heard: the actor's line 1, THEO's voice in the room (3.1-5.2 s), line 3 late
    write_speech(take, [(500, 2500), (3100, 5200), (6800, 8000)], [(3100, 5200)])
    report_for_take(take, SCENE)
    data = json.loads((take / "report.json").read_text())
    by_index = {line["index"]: line for line in data["lines"]}
    first, third, last = by_index[0]["speech"], by_index[2]["speech"], by_index[3]["speech"]
    assert first["start_ms"] == 500 and first["spoken_ms"] == 2000
    assert first["face_speaking"]["dominant"] == "happy"
    assert first["face_silent"]["dominant"] == "neutral"
    assert third["start_ms"] == 800 and third["spoken_ms"] == 1200
    assert last is None  # the actor never spoke the last line
    (listening,) = data["listening"]
    assert listening["speaker"] == "THEO"
    assert listening["face_listening"]["dominant"] == "surprise"
    assert listening["face_listening"]["frames"] == 3 * FPS  # THEO's voice is not the actor's


def test_without_speech_json_the_report_is_unchanged(tmp_path):
    take = write_take(tmp_path / "take")
    report_for_take(take, SCENE)
    data = json.loads((take / "report.json").read_text())
    assert "listening" not in data and all("speech" not in line for line in data["lines"])
    assert read_segments(take) is None
    (take / "speech.json").write_text("{not json")
    assert read_segments(take) is None


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(-2000, 14000), st.integers(0, 4000)), max_size=12))
def test_any_segments_give_figures_inside_each_line(tmp_path_factory, raw):
    segments = [(a, a + d) for a, d in raw]
    folder = tmp_path_factory.mktemp("t")
    table = read_timeline(write_take(folder / "take") / "timeline.csv")
    lines, listening = speech_timing(SCENE, [s for s in segments if s[1] > s[0]], table)
    for cue in SCENE.cues:
        if cue.kind != "actor":
            continue
        line = lines[cue.index]
        length = cue.end_ms - cue.start_ms
        assert 0 <= line.spoken_ms <= length
        assert line.start_ms is None or 0 <= line.start_ms < length
    assert len(listening) == 1


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(st.one_of(JSONISH, st.fixed_dictionaries({"segments": JSONISH})))
def test_a_hostile_speech_json_is_read_or_ignored(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("s")
    (folder / "speech.json").write_text(json.dumps(data))
    segs = read_segments(folder)
    assert segs is None or all(isinstance(a, int) and b > a for a, b in segs)
