import numpy as np

from acting_mirror.core.analysis import Analyzer
from acting_mirror.core.types import Box, Face, Frame


class FakeDetector:
    name = "fake"

    def __init__(self, boxes):
        self.boxes = boxes

    def detect(self, image):
        return tuple(Face(box=Box(*b)) for b in self.boxes)


class FakeClassifier:
    def classify(self, image, faces):
        p = np.eye(7, dtype=np.float32)[3]
        return tuple(f.with_(raw_probs=p) for f in faces)


def frame(i):
    return Frame(np.zeros((120, 160, 3), np.uint8), i, i * 40)


def test_analyzer_runs_every_stage_and_times_them():
    analyzer = Analyzer(FakeDetector([(10, 10, 50, 50), (80, 20, 30, 30)]), FakeClassifier())
    result = analyzer.analyze(frame(0))
    assert [f.face_id for f in result.faces] == [0, 1]
    assert result.primary is result.faces[0]
    assert result.primary.top_emotion == "happy"
    assert set(result.timings_ms) == {"detect", "classify", "track"}


def test_detector_switches_between_frames_and_keeps_ids():
    analyzer = Analyzer(FakeDetector([(10, 10, 50, 50)]), FakeClassifier())
    fid = analyzer.analyze(frame(0)).faces[0].face_id
    analyzer.set_detector(FakeDetector([(12, 11, 50, 50)]))
    assert analyzer.analyze(frame(1)).faces[0].face_id == fid


def test_no_faces_gives_no_primary():
    analyzer = Analyzer(FakeDetector([]), FakeClassifier())
    result = analyzer.analyze(frame(0))
    assert result.faces == () and result.primary is None
