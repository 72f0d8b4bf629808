"""Grad-CAM over real faces with the bundled Keras weights of the shipped model."""

import hashlib

import cv2
import numpy as np
import pytest

from acting_mirror.core.types import Box
from acting_mirror.vision.classifier import LiteRTEmotionClassifier
from acting_mirror.vision.crops import extract_crops, square_crop_box

pytestmark = pytest.mark.tools

ASTRONAUT_FACE = Box(177, 66, 95, 95)
HOPPER_FACE = Box(155, 105, 222, 222)
FER_HDF5_SHA256 = "59534287fdfb125e30a94400296c25ea9f5d706fca93dd8adbbbed916799ea0e"


@pytest.fixture(scope="module")
def keras_model():
    from acting_mirror.vision.gradcam import load_keras_model

    return load_keras_model()


def test_bundled_keras_weights_are_the_fer_file_and_match_the_shipped_tflite(keras_model, astronaut_bgr,
                                                                             grace_hopper_bgr, lfw_faces):
    from acting_mirror.vision.gradcam import default_keras_model

    assert hashlib.sha256(default_keras_model().read_bytes()).hexdigest() == FER_HDF5_SHA256
    crops = []
    for image, box in ((astronaut_bgr, ASTRONAUT_FACE), (grace_hopper_bgr, HOPPER_FACE)):
        gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        crops.append(extract_crops(gray, [square_crop_box(box, gray.shape[1], gray.shape[0])], (64, 64))[0])
    crops = np.stack(crops + [cv2.resize(f, (64, 64), interpolation=cv2.INTER_AREA) for f in lfw_faces[:20]])
    expected = LiteRTEmotionClassifier().predict(crops)
    got = keras_model.predict_on_batch((crops.astype(np.float32) / 255 * 2 - 1)[..., None])
    assert np.abs(np.asarray(got) - expected).max() < 1e-4


def test_grad_cam_on_a_real_smile_is_not_uniform_and_lies_on_the_face(keras_model, astronaut_bgr):
    from acting_mirror.vision.gradcam import explain_face

    explanation, picture = explain_face(keras_model, astronaut_bgr, ASTRONAUT_FACE)
    heat = explanation.heatmap
    assert explanation.reading == "happy" and explanation.emotion == "happy"
    assert heat.shape == (114, 114) and heat.dtype == np.float32  # the 95-px box plus 10% a side
    assert heat.min() >= 0.0 and heat.max() == pytest.approx(1.0)
    assert heat.std() > 0.1  # far from a uniform map
    y, x = np.unravel_index(np.argmax(heat), heat.shape)
    assert 0.2 * 114 < x < 0.8 * 114 and 0.2 * 114 < y  # on the face, not its border
    assert picture.shape == (296, 512, 3) and picture[40:, 256:].std() > 20


def test_grad_cam_of_another_emotion_gives_another_map(keras_model, astronaut_bgr):
    from acting_mirror.vision.gradcam import explain_face

    happy, _ = explain_face(keras_model, astronaut_bgr, ASTRONAUT_FACE)
    sad, _ = explain_face(keras_model, astronaut_bgr, ASTRONAUT_FACE, emotion="sad")
    assert sad.emotion == "sad" and sad.reading == "happy"
    assert np.abs(sad.heatmap - happy.heatmap).mean() > 0.05


def test_grad_cam_takes_any_keras_emotion_model_and_a_named_layer(tmp_path, grace_hopper_bgr):
    import keras

    from acting_mirror.errors import ModelError
    from acting_mirror.vision.gradcam import default_layer, grad_cam, load_keras_model

    keras.utils.set_random_seed(0)
    image = keras.Input((48, 48, 1))
    x = keras.layers.Conv2D(8, 3, activation="relu", name="wide")(image)
    x = keras.layers.Conv2D(8, 3, strides=4, activation="relu", name="narrow")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    keras.Model(image, keras.layers.Dense(7, activation="softmax")(x)).save(tmp_path / "other.keras")
    model = load_keras_model(tmp_path / "other.keras")  # not a mini-Xception: used as it is
    assert default_layer(model) == "narrow"  # 11x11 maps, the last at least 8 across
    crop = cv2.cvtColor(grace_hopper_bgr[105:327, 155:377], cv2.COLOR_BGR2GRAY)
    explanation = grad_cam(model, crop, layer="wide")
    assert explanation.layer == "wide" and explanation.heatmap.shape == crop.shape
    with pytest.raises(ModelError, match="no layer 'nowhere'"):
        grad_cam(model, crop, layer="nowhere")
    with pytest.raises(ModelError, match="not the TFLite file"):
        load_keras_model(tmp_path / "model.tflite")
