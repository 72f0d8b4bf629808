"""The take being recorded: its folder, its recorder, and frame numbers from its start."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

import numpy as np

from acting_mirror.core.summary import SummaryBuilder
from acting_mirror.core.types import Frame, FrameResult
from acting_mirror.media.takes import new_take_dir, prepare_out_dir
from acting_mirror.session.commands import StartRecording


class TakeSink(Protocol):
    """What records a take (``media.recorder.TakeRecorder`` in the app)."""

    def write(self, result: FrameResult, annotated: np.ndarray | None = None) -> None: ...

    def close(self, processing_seconds: float | None = None) -> dict | None: ...


TakeSinkFactory = Callable[..., TakeSink]
"""``(folder, fps, write_video, summary, *, still=False) -> sink``; ``still=True`` (only
passed for a take of one still picture) writes the picture as ``output.png`` instead of a
video. Raises OutputError when it cannot."""


@dataclass
class TakeFolder:
    """Where a take goes, and whether this take made the folder (so an empty take can
    leave the place as it found it)."""

    path: Path
    created: bool

    @classmethod
    def for_request(cls, request: StartRecording) -> "TakeFolder":
        """The folder ``request`` asks for: exactly ``request.folder`` (must not exist or be
        empty) or a new timestamped one under ``request.takes_root``."""
        if request.folder is not None:
            existed = Path(request.folder).expanduser().exists()
            return cls(prepare_out_dir(Path(request.folder)), created=not existed)
        return cls(new_take_dir(request.takes_root, request.label), created=True)

    def clear(self) -> None:
        """Undo the take: remove the folder we made, or empty the one that was empty."""
        if self.created:
            shutil.rmtree(self.path, ignore_errors=True)
            return
        try:
            entries = list(self.path.iterdir())
        except OSError:
            return
        for entry in entries:  # the folder was empty before the take: all of this is ours
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


class TakeInProgress:
    """The recorder of the take in progress, with what the session needs to know."""

    def __init__(self, folder: TakeFolder, sink: TakeSink, summary: SummaryBuilder,
                 started: float, *, scripted: bool, video: bool = True):
        self.folder = folder
        self.sink = sink
        self.summary = summary
        self.started = started
        self.scripted = scripted
        self.video = video  # output.avi is written (so every frame is annotated)
        self.audio = False  # the microphone records into audio.wav
        self.frames = 0
        self.origin: tuple[int, int] | None = None  # (index, time_ms) of its first frame

    def rebased(self, result: FrameResult) -> FrameResult:
        """``result`` numbered from the take's first frame (frame 0 at time 0), so a take's
        video frame k is its timeline's frame k and script time 0 is the take's start."""
        frame = result.frame
        if self.origin is None:
            self.origin = (frame.index, frame.time_ms)
        index0, time0 = self.origin
        if index0 == 0 and time0 == 0:
            return result
        moved = Frame(frame.image, frame.index - index0, frame.time_ms - time0)
        return FrameResult(moved, result.faces, result.timings_ms)

    def write(self, result: FrameResult, annotated: np.ndarray | None) -> None:
        self.sink.write(self.rebased(result), annotated)
        self.frames += 1
