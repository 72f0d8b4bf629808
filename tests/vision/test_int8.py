"""int8 models: the classifier reads them through their scales; export keeps parity."""

from pathlib import Path

import numpy as np
import pytest

from acting_mirror.vision.classifier import LiteRTEmotionClassifier

DATA = Path(__file__).parent / "data"
STEP = 1 / 256  # the int8 softmax output's quantisation step


def test_classifier_runs_an_int8_model_like_its_float_twin(lfw_faces):
    float_model = LiteRTEmotionClassifier(DATA / "tiny_48x48x1_float.tflite")
    int8 = LiteRTEmotionClassifier(DATA / "tiny_48x48x1_int8.tflite")
    assert int8._input["dtype"] == np.int8 and int8._output["dtype"] == np.int8
    assert int8.input_size == (48, 48) and int8.channels == 1
    expected, got = float_model.predict(lfw_faces), int8.predict(lfw_faces)
    assert got.dtype == np.float32 and got.shape == (100, 7)
    np.testing.assert_allclose(got.sum(axis=1), 1.0, atol=1e-5)  # judged probabilities, not logits
    assert np.abs(got - expected).max() < 3 * STEP
    # random weights give close scores (top two often within a step), yet most tops agree
    assert np.mean(got.argmax(axis=1) == expected.argmax(axis=1)) >= 0.8


@pytest.mark.tools
def test_int8_export_of_a_tiny_model_keeps_parity(tmp_path, lfw_faces):
    import cv2
    import keras

    from acting_mirror.vision.model_tools import LabelledFaces, export_with_int8, format_comparison

    keras.utils.set_random_seed(1)
    image = keras.Input((48, 48, 1))
    x = keras.layers.Conv2D(6, 3, strides=3, activation="relu")(image)
    x = keras.layers.GlobalAveragePooling2D()(x)
    model = keras.Model(image, keras.layers.Dense(7, activation="softmax")(x))
    model.save(tmp_path / "tiny.keras")
    crops = np.stack([cv2.resize(f, (48, 48)) for f in lfw_faces])
    faces = LabelledFaces(crops, np.arange(100) % 7)
    result = export_with_int8(tmp_path / "tiny.keras", tmp_path / "tiny.tflite", faces)
    assert result.parity.ok and result.int8_path == tmp_path / "tiny_int8.tflite"
    keras_row, float_row, int8_row = result.table
    assert (keras_row.name, float_row.name, int8_row.name) == ("keras", "tflite float32", "tflite int8")
    assert float_row.max_abs_diff < 1e-4 and float_row.agreement == 1.0
    assert int8_row.max_abs_diff < 0.02 and int8_row.size_bytes > 0 and int8_row.latency_ms > 0
    assert all(row.accuracy is not None for row in result.table)
    assert "tflite int8" in format_comparison(result.table, "lfw")
