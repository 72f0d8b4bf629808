"""Five-line fakes for the session: no display, no model weights."""

from __future__ import annotations

from pathlib import Path

import pytest

from acting_mirror.core.analysis import Analyzer
from acting_mirror.media.recorder import TakeRecorder
from acting_mirror.session.session import SessionParts
from session_fakes import CopyAnnotator, FakeSource, OneFaceDetector, ReadsAs


@pytest.fixture
def make_parts():
    """``make_parts(source=..., emotion=...)``: session parts over a fake source (a new
    copy per open), a fake detector and classifier, and the real take recorder."""

    def make(source=lambda: FakeSource(), emotion="happy", opened=None):
        def open_source(spec, loop):
            if opened is not None:
                opened.append(spec)
            return source()

        return SessionParts(
            open_source=open_source,
            build_analyzer=lambda settings: Analyzer(OneFaceDetector(), ReadsAs(emotion)),
            build_detector=lambda settings: OneFaceDetector(),
            close_detector=lambda detector: None,
            annotator=CopyAnnotator,
            take_sink=lambda folder, fps, video, summary: TakeRecorder(
                Path(folder), fps, write_video=video, summary=summary),
            model_name=lambda settings: "fake.tflite",
        )

    return make


@pytest.fixture
def events():
    """A list that records every event; ``events.of(Type)`` filters it."""

    class Events(list):
        def of(self, kind):
            return [e for e in self if isinstance(e, kind)]

    return Events()
