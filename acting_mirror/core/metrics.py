"""Classification metrics for the emotion model: confusion matrix, precision, recall, F1.

Pure NumPy, so they can be checked by hand. Conventions (stated once, used everywhere):

* ``confusion[i, j]`` counts faces labelled class ``i`` that were read as class ``j``
  (rows true, columns predicted), classes in :data:`~acting_mirror.core.types.EMOTIONS`
  order;
* ``precision`` of a class is ``tp / (tp + fp)``, ``None`` when nothing was read as it;
* ``recall`` is ``tp / (tp + fn)``, ``None`` when no face is labelled with it;
* ``f1`` is ``2 p r / (p + r)``: ``None`` for a class with no labelled face, ``0`` for a
  labelled class never read correctly (whether or not anything was read as it);
* ``macro_f1`` is the mean F1 over the classes that have labelled faces, so a test set
  without *disgust* is not charged for it; ``None`` on an empty set.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from acting_mirror.core.types import EMOTIONS


def confusion_matrix(labels, predicted, n_classes: int = len(EMOTIONS)) -> np.ndarray:
    """``(n_classes, n_classes)`` int64 counts, rows true label, columns prediction."""
    labels = np.asarray(labels, np.int64).ravel()
    predicted = np.asarray(predicted, np.int64).ravel()
    if labels.shape != predicted.shape:
        raise ValueError(f"{labels.size} labels but {predicted.size} predictions")
    for name, values in (("label", labels), ("prediction", predicted)):
        if values.size and (values.min() < 0 or values.max() >= n_classes):
            raise ValueError(f"a {name} is outside 0..{n_classes - 1}")
    confusion = np.zeros((n_classes, n_classes), np.int64)
    np.add.at(confusion, (labels, predicted), 1)
    return confusion


@dataclass(frozen=True)
class ClassScores:
    precision: float | None
    recall: float | None
    f1: float | None
    support: int

    def to_dict(self) -> dict:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1, "support": self.support}


@dataclass(frozen=True)
class Metrics:
    """Everything ``model evaluate`` reports, computed from one confusion matrix."""

    n: int
    accuracy: float | None
    macro_f1: float | None
    per_class: dict[str, ClassScores]
    confusion: np.ndarray = field(compare=False)
    labels: tuple[str, ...] = EMOTIONS

    def to_dict(self) -> dict:
        """JSON-ready: keys ``n, accuracy, macro_f1, labels, per_class, confusion``."""
        return {
            "n": self.n,
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "labels": list(self.labels),
            "per_class": {name: scores.to_dict() for name, scores in self.per_class.items()},
            "confusion": self.confusion.tolist(),
        }


def metrics_from_confusion(confusion, labels: tuple[str, ...] = EMOTIONS) -> Metrics:
    """Accuracy, macro-F1 and per-class precision/recall/F1/support of a confusion matrix."""
    confusion = np.asarray(confusion, np.int64)
    k = len(labels)
    if confusion.shape != (k, k):
        raise ValueError(f"expected a {k}x{k} confusion matrix, not {confusion.shape}")
    tp = np.diag(confusion)
    support = confusion.sum(axis=1)
    read_as = confusion.sum(axis=0)
    n = int(confusion.sum())
    per_class: dict[str, ClassScores] = {}
    f1s: list[float] = []
    for i, name in enumerate(labels):
        precision = float(tp[i] / read_as[i]) if read_as[i] else None
        recall = float(tp[i] / support[i]) if support[i] else None
        if recall is None:
            f1 = None
        elif tp[i] == 0:
            f1 = 0.0
        else:
            f1 = 2.0 * precision * recall / (precision + recall)
        if f1 is not None:
            f1s.append(f1)
        per_class[name] = ClassScores(precision, recall, f1, int(support[i]))
    accuracy = float(tp.sum() / n) if n else None
    macro_f1 = float(np.mean(f1s)) if f1s else None
    return Metrics(n, accuracy, macro_f1, per_class, confusion, tuple(labels))


def classification_metrics(labels, predicted, class_names: tuple[str, ...] = EMOTIONS) -> Metrics:
    """:func:`metrics_from_confusion` of the confusion matrix of ``predicted`` vs ``labels``."""
    return metrics_from_confusion(confusion_matrix(labels, predicted, len(class_names)), class_names)
