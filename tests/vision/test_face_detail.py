"""The face mesh on the main face of a Haar or MTCNN video (face detail), with real
weights on real portraits: the mesh follows the main face itself, so the detector never
searches for it between keyframes, and the box keeps the detector's shape."""

from __future__ import annotations

import numpy as np
import pytest

from acting_mirror.app import build_analyzer
from acting_mirror.config import AnalysisSettings
from acting_mirror.core.blendshapes import BLENDSHAPE_NAMES
from acting_mirror.core.types import Frame
from acting_mirror.vision.haar import HaarDetector

SMILE = BLENDSHAPE_NAMES.index("mouthSmileLeft")


def _frame(photo: np.ndarray, x: int, y: int, side: int = 300) -> np.ndarray:
    import cv2

    canvas = np.full((720, 1280, 3), 35, np.uint8)
    canvas[y:y + side, x:x + side] = cv2.resize(photo, (side, side), interpolation=cv2.INTER_AREA)
    return canvas


class _Counting:
    """Counts the Haar searches the keyframe detector makes (full passes and windows)."""

    def __init__(self, haar: HaarDetector):
        self.haar, self.calls, self.name = haar, 0, haar.name

    def detect(self, image):
        self.calls += 1
        return self.haar.detect(image)

    def detect_sized(self, image, lo=None, hi=None):
        self.calls += 1
        return self.haar.detect_sized(image, lo, hi)


@pytest.fixture
def analyzer():
    made = build_analyzer(AnalysisSettings(detector="haar", face_detail=True,
                                           background_detection=False))
    made.detector.inner = _Counting(made.detector.inner)
    yield made
    made.detector.close()
    made.detail.close()


def test_the_mesh_follows_the_main_face_so_haar_need_not_search_for_it(
        analyzer, astronaut_bgr, grace_hopper_bgr):
    frames = [_frame(astronaut_bgr, 400 + 6 * i, 150 + 2 * i) for i in range(20)]
    results = [analyzer.analyze(Frame(image, i, i * 33)) for i, image in enumerate(frames)]
    searches_after_the_first = analyzer.detector.inner.calls
    mains = [r.primary for r in results]
    assert all(m is not None and m.blendshapes is not None for m in mains)
    assert all(m.blendshapes[SMILE] > 0.3 for m in mains)  # the astronaut smiles, every frame
    # frame 0: one full Haar pass; then, within the keyframe interval, no search at all
    assert searches_after_the_first == 1
    # the box is where Haar would put it, in Haar's shape (not the mesh's outline)
    haar_box = HaarDetector().detect(frames[-1])[0].box
    assert mains[-1].box.iou(haar_box) > 0.6
    assert mains[-1].box.w / mains[-1].box.h == pytest.approx(haar_box.w / haar_box.h, abs=0.15)

    # a cut to Grace Hopper elsewhere in the frame: found again, read again, not smiling
    cut = [_frame(grace_hopper_bgr, 150, 300, 320) for _ in range(12)]
    after = [analyzer.analyze(Frame(image, 20 + i, (20 + i) * 33)) for i, image in enumerate(cut)]
    grace = HaarDetector().detect(cut[0])[0].box
    settled = after[-1].primary
    assert settled is not None and settled.blendshapes is not None
    assert settled.box.iou(grace) > 0.6
    assert settled.blendshapes[SMILE] < mains[-1].blendshapes[SMILE] - 0.2


def test_the_main_face_at_the_frame_edge_is_followed_without_crashing(analyzer, astronaut_bgr):
    for i in range(15):  # drifts out of the right edge
        image = _frame(astronaut_bgr, 900 + 25 * i, 200) if 900 + 25 * i + 300 <= 1280 else \
            np.concatenate([_frame(astronaut_bgr, 980, 200)[:, 25 * (i - 3):], np.full(
                (720, 25 * (i - 3), 3), 35, np.uint8)], axis=1)
        result = analyzer.analyze(Frame(image, i, i * 33))
        for face in result.faces:
            b = face.box
            assert b.x >= 0 and b.y >= 0 and b.x2 <= 1280 and b.y2 <= 720


def test_the_mesh_detectors_boxes_are_haars_so_the_emotion_model_reads_the_same_crop(
        astronaut_bgr, grace_hopper_bgr):
    """The mesh's outline runs brow to chin; drawn and read in Haar's shape, its boxes sit
    where Haar's do and the emotion model reads the faces as it does with Haar."""
    mesh = build_analyzer(AnalysisSettings(detector="mesh", background_detection=False))
    haar = build_analyzer(AnalysisSettings(detector="haar", background_detection=False))
    try:
        for photo, x, y in ((astronaut_bgr, 400, 150), (grace_hopper_bgr, 600, 200)):
            image = _frame(photo, x, y)
            by_mesh = mesh.analyze(Frame(image, 0, 0)).primary
            by_haar = haar.analyze(Frame(image, 0, 0)).primary
            assert by_mesh.box.iou(by_haar.box) > 0.7
            assert np.abs(by_mesh.raw_probs - by_haar.raw_probs).max() < 0.15
            assert by_mesh.top_emotion == by_haar.top_emotion
            mesh.reset(); haar.reset()
    finally:
        for made in (mesh, haar):
            made.detector.close()
