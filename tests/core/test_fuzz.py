"""Hostile input, fuzzed (hypothesis): the script loader, the timeline reader, the summary."""

from __future__ import annotations

import json
import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from acting_mirror.core.script import load_script, parse_script
from acting_mirror.core.summary import SummaryBuilder
from acting_mirror.core.timeline import TIMELINE_COLUMNS, read_timeline
from acting_mirror.core.types import EMOTIONS
from acting_mirror.errors import ScriptError, SourceError

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

_times = st.one_of(
    st.integers(-5, 700).map(str),
    st.tuples(st.integers(0, 99), st.integers(0, 99)).map(lambda t: f"{t[0]}:{t[1]:02d}"),
    st.sampled_from(["", "-", "1e9", "nan", "0:60", "1:2:3", "٣", "\x00", "99999999999999999999"]),
)
_emotions = st.one_of(st.sampled_from([*EMOTIONS, "joy", "HAPPY", "happy/sad", "happy,sad", ""]), st.text(max_size=8))
_line = st.one_of(
    st.tuples(_times, _times, _emotions, st.text(max_size=20)).map(lambda t: f"{t[0]}-{t[1]} {t[2]} {t[3]}"),
    st.tuples(_emotions, st.text(max_size=20)).map(lambda t: f"{t[0]} {t[1]}"),
    st.text(max_size=40),
    st.just("# a comment"),
)


@FUZZ
@given(st.lists(_line, max_size=25), st.sampled_from(["\n", "\r\n", "\r"]))
def test_near_valid_scripts_parse_or_list_their_problems(lines, newline):
    try:
        script = parse_script(newline.join(lines))
    except ScriptError as err:
        assert err.problems and all(isinstance(p, str) and "\n" not in p for p in err.problems)
        return
    cues = script.cues
    assert cues
    for cue in cues:
        assert set(cue.targets) <= set(EMOTIONS)


@FUZZ
@given(st.binary(max_size=2000))
def test_any_bytes_as_a_script_file_are_a_script_error_or_a_script(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("s") / "script.txt"
    path.write_bytes(data)
    try:
        load_script(path)
    except ScriptError as err:
        assert "\n" not in str(err)


def _header() -> bytes:
    return (",".join(TIMELINE_COLUMNS) + "\r\n").encode()


_cell = st.one_of(
    st.integers(-(2**70), 2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=6),
    st.sampled_from(["", "0", "1", "0.5", "happy", '"', "\x00", "1e999", "-0"]),
)


@FUZZ
@given(st.lists(st.lists(_cell, min_size=0, max_size=len(TIMELINE_COLUMNS) + 3), max_size=30))
def test_mangled_timeline_rows_read_or_fail_in_one_sentence(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("t") / "timeline.csv"
    body = "\r\n".join(",".join(r) for r in rows)
    path.write_bytes(_header() + body.encode("utf-8", errors="surrogatepass"))
    try:
        table = read_timeline(path)
    except SourceError as err:
        assert "\n" not in str(err) and str(path) in str(err)
        return
    assert np.isfinite(table.probs).all()
    assert len(table) == table.boxes.shape[0] == table.probs.shape[0]


@FUZZ
@given(st.binary(max_size=3000), st.booleans())
def test_any_bytes_as_a_timeline_fail_in_one_sentence(tmp_path_factory, data, with_header):
    path = tmp_path_factory.mktemp("t") / "timeline.csv"
    path.write_bytes((_header() if with_header else b"") + data)
    try:
        read_timeline(path)
    except SourceError as err:
        assert "\n" not in str(err)


@FUZZ
@given(
    st.lists(
        st.tuples(
            st.integers(0, 10**9),
            st.lists(st.integers(-1, 5), max_size=4),
            st.one_of(st.none(), st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=7, max_size=7)),
        ),
        max_size=40,
    ),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(allow_nan=True, allow_infinity=True),
)
def test_the_summary_is_always_valid_json(frames, fps, seconds):
    builder = SummaryBuilder("src", fps, "haar", "m")
    for t, ids, probs in frames:
        builder.count_frame(t, ids, None if probs is None else np.array(probs))
    summary = builder.build(seconds)
    text = json.dumps(summary, allow_nan=False)  # raises on NaN/inf
    assert json.loads(text)["frames"] == len(frames)
    for value in summary["mean_primary_probs"].values():
        assert math.isfinite(value)
