"""Analyse a video into a new take: any recorded video (e.g. from a phone) analysed on a
worker thread (:class:`AnalyseJob`), with a cancellable progress dialog
(:class:`VideoAnalysis`); a cancelled or failed analysis leaves no half-made take."""

from __future__ import annotations

import logging
import shutil
import threading
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from acting_mirror.config import AnalysisSettings
from acting_mirror.core.calibration import NeutralCalibration
from acting_mirror.core.script import Script
from acting_mirror.errors import ActingMirrorError

log = logging.getLogger(__name__)

VIDEO_FILTER = (
    "Videos (*.mp4 *.m4v *.mov *.avi *.mkv *.webm *.wmv *.mpg *.mpeg *.3gp);;All files (*)"
)


class _Cancelled(Exception):
    """Raised inside the analysis loop when the user cancels."""


class AnalyseJob(QObject):
    """Analyses one video into a new take (on the thread it is moved to). Emits
    ``progress(done, total)`` (total -1 when unknown), then exactly one of ``finished``
    (the take folder), ``failed`` (one sentence) or ``cancelled``; then ``done``."""

    progress = Signal(int, int)
    finished = Signal(object)  # Path
    failed = Signal(str)
    cancelled = Signal()
    done = Signal()

    def __init__(self, spec: str, takes_root: Path, settings: AnalysisSettings = AnalysisSettings(),
                 *, process: Callable[..., object], script: Script | None = None,
                 script_text: str | None = None,
                 calibration: NeutralCalibration | None = None, actor: str = ""):
        super().__init__()
        self.process = process  # app.process_to_take, from the window's services
        self.spec = spec
        self.takes_root = Path(takes_root)
        self.settings = settings
        self.script = script
        self.script_text = script_text
        self.calibration = calibration
        self.actor = actor
        self.folder: Path | None = None
        self._cancel = threading.Event()
        self._last_emit = -1

    def cancel(self) -> None:
        self._cancel.set()

    def _progress(self, n: int, total: int | None) -> None:
        if self._cancel.is_set():
            raise _Cancelled()
        if total and n < total and n - self._last_emit < max(1, total // 200):
            return
        self._last_emit = n
        self.progress.emit(n, int(total) if total else -1)

    @Slot()
    def run(self) -> None:
        from acting_mirror.core.report import report_for_take
        from acting_mirror.media.takes import new_take_dir

        try:
            label = Path(self.spec).stem if "://" not in self.spec else "web"
            self.folder = new_take_dir(self.takes_root, label)
            self.process(self.spec, out_dir=self.folder, takes_root=self.takes_root,
                            settings=self.settings, progress=self._progress)
            if self.script is not None:
                from acting_mirror.core.take_script import write_take_script

                write_take_script(self.folder, self.script, original_text=self.script_text,
                                  actor=self.actor, calibrated=self.calibration is not None)
                if self.script.has_times:
                    report_for_take(self.folder, self.script, self.calibration)
        except _Cancelled:
            self._discard()
            self.cancelled.emit()
        except ActingMirrorError as exc:
            self._discard()
            self.failed.emit(str(exc))
        except (OSError, ValueError, RuntimeError) as exc:  # e.g. a decoder giving up
            log.exception("Analysing %s failed", self.spec)
            self._discard()
            self.failed.emit(f"Analysing {self.spec} failed: {exc}")
        else:
            self.finished.emit(self.folder)
        finally:
            self.done.emit()

    def _discard(self) -> None:
        if self.folder is not None and self.folder.is_dir():
            shutil.rmtree(self.folder, ignore_errors=True)


class VideoAnalysis(QObject):
    """Runs an :class:`AnalyseJob` on its own thread with a progress dialog (Cancel
    stops it and removes the half-made take). ``succeeded(folder)``, ``failed(message)``
    or ``cancelled``, then ``ended``."""

    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    ended = Signal()

    def __init__(self, job: AnalyseJob, parent: QWidget | None = None, *, show_dialog: bool = True):
        super().__init__(parent)
        self.job = job
        self.thread = QThread()
        self.thread.setObjectName("acting-mirror-analyse-video")
        job.moveToThread(self.thread)
        self.thread.started.connect(job.run)
        job.done.connect(self.thread.quit, Qt.ConnectionType.DirectConnection)
        job.finished.connect(self.succeeded)
        job.failed.connect(self.failed)
        job.cancelled.connect(self.cancelled)
        self.thread.finished.connect(self._ended)
        self.dialog: QProgressDialog | None = None
        if show_dialog:
            self.dialog = QProgressDialog(f"Analysing {Path(job.spec).name}…", "Cancel", 0, 0, parent)
            self.dialog.setWindowTitle("Analyse a video")
            self.dialog.setMinimumWidth(440)  # room for the title and the file's name
            self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
            self.dialog.setMinimumDuration(0)
            self.dialog.setAutoClose(False)
            self.dialog.setAutoReset(False)
            self.dialog.canceled.connect(self.cancel)
            job.progress.connect(self._progress)

    @property
    def running(self) -> bool:
        return self.thread.isRunning()

    def start(self) -> None:
        if self.dialog is not None:
            self.dialog.show()
        self.thread.start()

    def cancel(self) -> None:
        self.job.cancel()
        if self.dialog is not None:
            self.dialog.setLabelText("Stopping…")

    def wait(self, timeout_ms: int = 30000) -> bool:
        return self.thread.wait(timeout_ms)

    def _progress(self, n: int, total: int) -> None:
        if self.dialog is None:
            return
        if total > 0:
            self.dialog.setMaximum(total)
            self.dialog.setValue(min(n, total))
            self.dialog.setLabelText(f"Analysing {Path(self.job.spec).name}: frame {n} of {total}")
        else:
            self.dialog.setLabelText(f"Analysing {Path(self.job.spec).name}: frame {n}")

    def _ended(self) -> None:
        if self.dialog is not None:
            self.dialog.canceled.disconnect(self.cancel)
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
        self.ended.emit()


__all__ = ["AnalyseJob", "VideoAnalysis", "VIDEO_FILTER"]
