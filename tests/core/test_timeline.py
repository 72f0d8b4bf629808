import csv

import numpy as np
import pytest

from acting_mirror.core.timeline import TIMELINE_COLUMNS, EmotionTimeline, read_timeline, timeline_rows
from acting_mirror.core.types import EMOTIONS, Box, Face, Frame, FrameResult
from acting_mirror.errors import SourceError


def test_columns_start_with_the_documented_order():
    assert TIMELINE_COLUMNS[:15] == (
        "frame", "time_ms", "face_id", "primary", "x", "y", "w", "h", *EMOTIONS,
    )


def test_rows_round_trip_through_csv(tmp_path):
    p = np.array([0.1, 0, 0, 0.7, 0.1, 0, 0.1], np.float32)
    face = Face(Box(1, 2, 30, 40), face_id=4, primary=True, raw_probs=p, probs=p)
    result = FrameResult(Frame(np.zeros((5, 5, 3), np.uint8), 7, 280), (face,))
    path = tmp_path / "timeline.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(TIMELINE_COLUMNS)
        w.writerows(timeline_rows(result))
    table = read_timeline(path)
    assert len(table) == 1
    assert table.frame[0] == 7 and table.time_ms[0] == 280 and table.face_id[0] == 4
    assert table.primary[0] and list(table.boxes[0]) == [1, 2, 30, 40]
    assert np.allclose(table.probs[0], p, atol=1e-4)


def test_reading_something_else_is_a_clear_error(tmp_path):
    bad = tmp_path / "x.csv"
    bad.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(SourceError):
        read_timeline(bad)
    with pytest.raises(SourceError):
        read_timeline(tmp_path / "missing.csv")


def test_emotion_timeline_is_a_fixed_ring():
    tl = EmotionTimeline(capacity=4)
    for i in range(6):
        tl.append(i * 10, None if i == 4 else np.eye(7, dtype=np.float32)[i % 7])
    t, p = tl.window()
    assert list(t) == [20, 30, 40, 50]
    assert np.isnan(p[2]).all() and p[3][5] == 1
    assert tl.latest()[5] == 1


def test_a_face_not_read_this_frame_has_empty_raw_columns():
    p = np.array([0.1, 0, 0, 0.7, 0.1, 0, 0.1], np.float32)
    face = Face(Box(1, 2, 30, 40), face_id=4, primary=False, raw_probs=None, probs=p)
    (row,) = timeline_rows(FrameResult(Frame(np.zeros((5, 5, 3), np.uint8), 7, 280), (face,)))
    assert row[TIMELINE_COLUMNS.index("top_emotion")] == "happy"
    assert row[-7:] == [""] * 7


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\x01\x02\xff\xfe garbage \x00" * 50,  # binary
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)),  # an image renamed timeline.csv
        ",".join(TIMELINE_COLUMNS).encode() + b"\n" + b"0,0,0,1,\x00,2,3,4\n",  # NUL in a row
        ",".join(TIMELINE_COLUMNS).encode() + b"\n" + b"9" * 40 + b",0,0,1,1,2,3,4" + b",0.1" * 7 + b"\n",
        ",".join(TIMELINE_COLUMNS).encode() + b"\n" + b"0,0,0,1,1,2,3,4" + b",nan" * 7 + b"\n",
        ",".join(TIMELINE_COLUMNS).encode() + b"\n" + b"0,0,0,1,1,2,3,4" + b",1e999" * 7 + b"\n",
    ],
)
def test_a_garbage_timeline_is_one_clear_error(tmp_path, content):
    path = tmp_path / "timeline.csv"
    path.write_bytes(content)
    with pytest.raises(SourceError) as err:
        read_timeline(path)
    assert "\n" not in str(err.value) and str(path) in str(err.value)
