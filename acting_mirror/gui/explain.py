"""Grad-CAM in the review: which parts of the face drove the reading of the frame shown.

The explanation needs TensorFlow (the ``tools`` extra) and the Keras weights; it runs on a
helper thread (loading TensorFlow takes seconds) and comes back as a signal. Without the
extra it says, in one sentence, how to get it.
"""

from __future__ import annotations

import threading

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout

from acting_mirror.core.types import Box
from acting_mirror.errors import ActingMirrorError
from acting_mirror.gui.imaging import bgr_to_qimage

_model = None  # the Keras model, loaded once per app
_lock = threading.Lock()


def explain(image: np.ndarray, box: Box) -> np.ndarray:
    """The Grad-CAM picture (BGR) of the face at ``box``; ActingMirrorError in one sentence
    when it cannot be made (no TensorFlow, no Keras weights)."""
    global _model
    from acting_mirror.vision.gradcam import explain_face, load_keras_model

    with _lock:
        if _model is None:
            _model = load_keras_model()
        _explanation, picture = explain_face(_model, image, box)
    return picture


class ExplainJob(QObject):
    """Runs :func:`explain` on a thread; ``finished(picture)`` or ``failed(message)``."""

    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, image: np.ndarray, box: Box, parent=None):
        super().__init__(parent)
        self.thread = threading.Thread(target=self._run, args=(image.copy(), box),
                                       name="grad-cam", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _run(self, image: np.ndarray, box: Box) -> None:
        try:
            picture = explain(image, box)
        except (ActingMirrorError, ImportError, OSError, ValueError) as exc:
            self.failed.emit(str(exc).strip() or type(exc).__name__)
            return
        self.finished.emit(picture)


class ExplanationDialog(QDialog):
    """Shows the face with its Grad-CAM heat over it."""

    def __init__(self, picture: np.ndarray, title: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Why this reading?")
        label = QLabel()
        label.setPixmap(QPixmap.fromImage(bgr_to_qimage(picture)).scaled(
            320, 320, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))
        note = QLabel(f"{title}<br><span style='color:#9aa3ad'>Warm colours: the parts of the "
                      "face that pushed the model towards this reading (Grad-CAM). A guess about "
                      "the model, not about you.</span>")
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(note)
        self.picture = picture
