"""Metrics against answers worked out by hand."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acting_mirror.core.metrics import classification_metrics, confusion_matrix, metrics_from_confusion
from acting_mirror.core.types import EMOTIONS

ANGRY, DISGUST, FEAR, HAPPY, SAD, SURPRISE, NEUTRAL = range(7)


def test_confusion_rows_are_true_labels_columns_predictions():
    c = confusion_matrix([ANGRY, ANGRY, HAPPY], [HAPPY, ANGRY, HAPPY])
    assert c.shape == (7, 7) and c.dtype == np.int64
    assert c[ANGRY, ANGRY] == 1 and c[ANGRY, HAPPY] == 1 and c[HAPPY, HAPPY] == 1 and c.sum() == 3
    assert c[HAPPY, ANGRY] == 0


def test_precision_recall_f1_worked_by_hand():
    # true:  angry angry angry happy happy neutral
    # read:  angry angry happy happy neutral neutral
    m = classification_metrics([0, 0, 0, 3, 3, 6], [0, 0, 3, 3, 6, 6])
    assert m.n == 6 and m.accuracy == pytest.approx(4 / 6)
    angry, happy, neutral = m.per_class["angry"], m.per_class["happy"], m.per_class["neutral"]
    # angry: 2 right of 3 labelled, nothing else read as angry
    assert (angry.precision, angry.recall, angry.support) == (1.0, pytest.approx(2 / 3), 3)
    assert angry.f1 == pytest.approx(0.8)  # 2 * 1 * 2/3 / (1 + 2/3)
    # happy: read 2 times (1 right), labelled 2 times (1 right)
    assert (happy.precision, happy.recall, happy.f1, happy.support) == (0.5, 0.5, 0.5, 2)
    # neutral: read 2 times (1 right), its one face found
    assert (neutral.precision, neutral.recall, neutral.support) == (0.5, 1.0, 1)
    assert neutral.f1 == pytest.approx(2 / 3)
    assert m.macro_f1 == pytest.approx((0.8 + 0.5 + 2 / 3) / 3)  # only classes with faces count
    fear = m.per_class["fear"]
    assert (fear.precision, fear.recall, fear.f1, fear.support) == (None, None, None, 0)


def test_a_class_read_but_never_labelled_has_precision_zero_and_no_f1():
    m = classification_metrics([DISGUST, DISGUST], [DISGUST, FEAR])
    assert m.per_class["fear"].precision == 0.0 and m.per_class["fear"].f1 is None
    assert m.per_class["disgust"].f1 == pytest.approx(2 / 3)  # p = 1, r = 1/2
    assert m.macro_f1 == pytest.approx(2 / 3)


def test_a_labelled_class_never_read_scores_f1_zero():
    m = classification_metrics([SAD, HAPPY], [SURPRISE, HAPPY])
    assert m.per_class["sad"].precision is None and m.per_class["sad"].recall == 0.0
    assert m.per_class["sad"].f1 == 0.0
    assert m.macro_f1 == pytest.approx(0.5)  # happy 1.0, sad 0.0


def test_json_keys_and_empty_set():
    d = classification_metrics([], []).to_dict()
    assert list(d) == ["n", "accuracy", "macro_f1", "labels", "per_class", "confusion"]
    assert d["n"] == 0 and d["accuracy"] is None and d["macro_f1"] is None
    assert d["labels"] == list(EMOTIONS) and list(d["per_class"]) == list(EMOTIONS)
    assert set(d["per_class"]["happy"]) == {"precision", "recall", "f1", "support"}


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError):
        confusion_matrix([0, 1], [0])
    with pytest.raises(ValueError):
        confusion_matrix([7], [0])
    with pytest.raises(ValueError):
        metrics_from_confusion(np.zeros((3, 3)))


@settings(max_examples=60)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), max_size=60))
def test_metrics_are_consistent_on_any_predictions(pairs):
    labels = [a for a, _ in pairs]
    predicted = [b for _, b in pairs]
    m = classification_metrics(labels, predicted)
    assert m.n == len(pairs) and m.confusion.sum() == len(pairs)
    if pairs:
        assert m.accuracy == pytest.approx(np.mean(np.equal(labels, predicted)))
        # micro recall weighted by support is the accuracy
        weighted = sum(s.recall * s.support for s in m.per_class.values() if s.recall is not None)
        assert weighted / len(pairs) == pytest.approx(m.accuracy)
    for s in m.per_class.values():
        for v in (s.precision, s.recall, s.f1):
            assert v is None or 0.0 <= v <= 1.0
    if m.macro_f1 is not None:
        assert 0.0 <= m.macro_f1 <= 1.0
