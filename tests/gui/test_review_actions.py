"""The review's face-action picker on real takes made from the bundled portraits: with
face detail (``process --detail``) the chosen action's curve is the main face's action
from the timeline, over the take; without it the review says so instead of plotting."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PySide6.QtWidgets import QApplication

from acting_mirror.app import process_to_take
from acting_mirror.config import AnalysisSettings
from acting_mirror.controllers.face_action_curve import NO_DETAIL, action_curve
from acting_mirror.core.face_actions import ACTIONS, action_matrix
from acting_mirror.core.scoring import primary_rows
from acting_mirror.core.timeline import read_timeline
from acting_mirror.gui.review import ReviewWindow

FPS = 10


def _square(image: np.ndarray, size: int = 320) -> np.ndarray:
    h, w = image.shape[:2]
    side = min(h, w)
    y, x = (h - side) // 2, (w - side) // 2
    return cv2.resize(image[y: y + side, x: x + side], (size, size), interpolation=cv2.INTER_AREA)


def _take(root, make_clip, photos, *, detail: bool, frames=None):
    astronaut, hopper = _square(photos["astronaut"]), _square(photos["grace_hopper"])
    frames = frames or [astronaut] * 10 + [hopper] * 10  # 1 s smiling, 1 s calm
    clip = make_clip(root / "two.avi", frames, FPS)
    outcome = process_to_take(str(clip), out_dir=root / "take", takes_root=root,
                              settings=AnalysisSettings(face_detail=detail))
    return outcome.folder


def _points(picker) -> int:
    xs, _ = picker.curve_item.getData()
    return 0 if xs is None else len(xs)


@pytest.fixture(scope="module")
def detail_take(tmp_path_factory, make_clip, _photos):
    return _take(tmp_path_factory.mktemp("actions"), make_clip, _photos, detail=True)


@pytest.fixture
def open_review(qtbot):
    def make(folder):
        window = ReviewWindow(folder)
        qtbot.addWidget(window)
        window.show()
        return window

    yield make
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, ReviewWindow):
            widget.shutdown()


def test_the_chosen_face_action_is_drawn_over_the_take(open_review, detail_take):
    window = open_review(detail_take)
    picker = window.actions
    assert picker.combo.isEnabled() and picker.action == ""
    assert picker.combo.count() == 1 + len(ACTIONS)
    assert _points(picker) == 0

    picker.choose("smile")
    xs, ys = picker.curve_item.getData()
    # the curve is the main face's smile from timeline.csv, at its times
    rows = primary_rows(read_timeline(detail_take / "timeline.csv"))
    order = np.argsort(rows.time_ms, kind="stable")
    expected = action_matrix(rows.blendshapes[order], rows.pose[order])[:, ACTIONS.index("smile")]
    finite = np.isfinite(ys)
    assert finite.sum() == np.isfinite(expected).sum() >= 15
    assert np.allclose(ys[finite], expected[np.isfinite(expected)], atol=1e-6)
    assert np.allclose(xs[finite], rows.time_ms[order][np.isfinite(expected)] / 1000.0)
    # the astronaut smiles, Grace Hopper does not
    assert np.nanmean(ys[xs < 0.9]) > 0.5 > np.nanmean(ys[xs >= 1.1])
    assert picker.info.text().startswith("- - - smile: median")

    picker.choose("jaw_drop")
    _, jaw = picker.curve_item.getData()
    assert not np.allclose(jaw[np.isfinite(jaw)], ys[finite])
    assert "jaw drop" in picker.info.text()
    picker.choose("")
    assert _points(picker) == 0 and picker.info.text() == ""


def test_a_take_without_face_detail_says_so_instead_of_an_empty_plot(
        open_review, tmp_path_factory, make_clip, _photos):
    folder = _take(tmp_path_factory.mktemp("plain"), make_clip, _photos, detail=False)
    window = open_review(folder)
    picker = window.actions
    assert not picker.combo.isEnabled()
    assert picker.info.text() == NO_DETAIL == "no face detail in this take"
    assert action_curve(window.take.table, "smile") is None


def test_the_curve_breaks_where_the_face_was_missing(open_review, tmp_path_factory, make_clip, _photos):
    astronaut = _square(_photos["astronaut"])
    empty = _square(_photos["coffee"])  # no face
    folder = _take(tmp_path_factory.mktemp("gap"), make_clip, _photos, detail=True,
                   frames=[astronaut] * 8 + [empty] * 8 + [astronaut] * 8)
    window = open_review(folder)
    window.actions.choose("smile")
    xs, ys = window.actions.curve_item.getData()
    assert np.isnan(ys).any()  # a break, not a straight line across the gap
    gap = np.nonzero(np.isnan(ys))[0][0]
    assert 0.7 < xs[gap] < 1.7
