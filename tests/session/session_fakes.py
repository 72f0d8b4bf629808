"""Five-line fakes for the session (imported by conftest and the tests)."""

from __future__ import annotations

import numpy as np

from acting_mirror.core.types import EMOTIONS, Box, Face, Frame


class FakeSource:
    """``n`` grey frames at ``fps``; ``live``/``camera``/``stills`` as asked."""

    def __init__(self, n=10, fps=10.0, *, live=False, camera=False, stills=False, fail_at=None):
        self.name, self.fps, self.n = "fake", fps, n
        self.frame_count = None if live else n
        self.live, self.camera, self.stills = live, camera, stills
        self.width = self.height = 32
        self.fail_at = fail_at
        self.closed = False

    def __iter__(self):
        from acting_mirror.errors import SourceError

        for i in range(self.n):
            if i == self.fail_at:
                raise SourceError("the stream dropped")
            image = np.full((32, 32, 3), i % 255, np.uint8)
            image[:, :16] = 255  # a left half that shows whether the picture was mirrored
            yield Frame(image, i, int(round(i * 1000 / self.fps)))

    def close(self):
        self.closed = True


class OneFaceDetector:
    name = "fake"

    def detect(self, image):
        return (Face(Box(4, 4, 20, 20)),)


class ReadsAs:
    """Every face reads as ``emotion``."""

    def __init__(self, emotion="happy"):
        self.probs = np.full(len(EMOTIONS), 0.01, np.float32)
        self.probs[EMOTIONS.index(emotion)] = 1 - 0.01 * (len(EMOTIONS) - 1)

    def classify(self, image, faces):
        return tuple(f.with_(raw_probs=self.probs.copy()) for f in faces)


class CopyAnnotator:
    draw_mesh = False

    def annotate(self, image, result, *, copy=True):
        return image.copy() if copy else image
