"""Grad-CAM (Selvaraju et al., 2017): which regions of a face drove the emotion model's reading.

The gradient of one emotion's score with respect to a convolutional layer's maps, averaged
over each map, weighs the maps; their weighted sum, through a ReLU, is the class
activation map, upsampled to the face crop and scaled to [0, 1]. It needs the Keras
model (gradients), so TensorFlow is imported only here, when an explanation is asked for.
The bundled default is ``models/emotion_mini_xception.hdf5``: the very weights the shipped
TFLite model was converted from (see models/README.md).

On the mini-Xception the default layer is the last one whose maps are at least 8x8 (the
third residual module's sum, 8x8 for a 64-px face: one cell per 8x8 pixels). The very
last maps are 4x4, too coarse to tell an eye from an eyebrow; ``layer`` picks any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from acting_mirror import config
from acting_mirror.core.types import EMOTIONS, Box, N_EMOTIONS
from acting_mirror.errors import ModelError
from acting_mirror.vision.crops import extract_crops, square_crop_box

KERAS_FILE = "emotion_mini_xception.hdf5"
MIN_MAP_SIDE = 8


def default_keras_model() -> Path:
    """The bundled Keras weights of the shipped emotion model."""
    return config.models_dir() / KERAS_FILE


def load_keras_model(path: Path | str | None = None):
    """The Keras emotion model at ``path`` (default: the bundled one).

    A mini-Xception comes back in its training form (see
    :func:`~acting_mirror.vision.model_tools.build_mini_xception`): the same function with
    the same weights, checked on random inputs, because TensorFlow 2.21's oneDNN kernel for
    the gradient of a strided 1x1 convolution on even-sized maps corrupts the heap, and
    Grad-CAM takes exactly that gradient.
    """
    from acting_mirror.vision.model_tools import _load_keras, _tensorflow, build_mini_xception

    path = Path(path) if path is not None else default_keras_model()
    if path.suffix.lower() == ".tflite":
        raise ModelError(f"Grad-CAM needs a Keras model (.keras, .h5 or .hdf5), not the TFLite file {path}.")
    _, keras = _tensorflow()
    model = _load_keras(keras, path)
    h, w, channels = (int(d) for d in model.input_shape[1:4])
    if h != w:
        return model
    twin = build_mini_xception(h, channels=channels, for_training=True)
    weights = model.get_weights()
    if [v.shape for v in weights] != [tuple(v.shape) for v in twin.weights]:
        return model  # another architecture: used as it is
    twin.set_weights(weights)
    x = np.random.default_rng(0).uniform(-1.0, 1.0, (4, h, w, channels)).astype(np.float32)
    if np.abs(np.asarray(model.predict_on_batch(x)) - np.asarray(twin.predict_on_batch(x))).max() > 1e-5:
        return model
    return twin


def default_layer(model, min_side: int = MIN_MAP_SIDE) -> str:
    """The name of the last layer with 4-D output whose maps are at least ``min_side``
    across and that is followed by more convolutions (not the input)."""
    candidates = []
    for layer in model.layers[1:]:
        shape = getattr(layer, "output", None)
        shape = None if shape is None else tuple(shape.shape)
        if shape is not None and len(shape) == 4 and shape[1] is not None:
            candidates.append((layer.name, shape))
    if not candidates:
        raise ModelError("The model has no convolutional maps to explain.")
    wide = [name for name, shape in candidates if min(shape[1], shape[2]) >= min_side]
    return wide[-1] if wide else candidates[-1][0]


@dataclass(frozen=True)
class Explanation:
    """A Grad-CAM map for one face crop."""

    heatmap: np.ndarray  # (H, W) float32 in [0, 1], at the crop's size
    probs: np.ndarray  # (7,) the Keras model's probabilities
    emotion: str  # the emotion explained
    layer: str

    @property
    def reading(self) -> str:
        return EMOTIONS[int(np.argmax(self.probs))]


def grad_cam(model, crop: np.ndarray, *, emotion: str | None = None, layer: str | None = None) -> Explanation:
    """Grad-CAM of ``emotion`` (default: the top reading) for one gray uint8 face crop
    at any size (resized to the model's input, scaled to [-1, 1] as the app does)."""
    from acting_mirror.vision.model_tools import _tensorflow

    tf, keras = _tensorflow()
    h, w = (int(d) for d in model.input_shape[1:3])
    channels = int(model.input_shape[3])
    crop = np.asarray(crop, np.uint8)
    if crop.ndim == 3:
        crop = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    resized = cv2.resize(crop, (w, h), interpolation=cv2.INTER_AREA)
    x = (resized.astype(np.float32) / 255.0 * 2.0 - 1.0)[None, ..., None]
    if channels == 3:
        x = np.repeat(x, 3, axis=3)
    name = layer or default_layer(model)
    try:
        target = model.get_layer(name)
    except ValueError as err:
        raise ModelError(f"The model has no layer '{name}'.") from err
    probe = keras.Model(model.inputs, [target.output, model.output])
    x = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        maps, probs = probe(x, training=False)
        probs = tf.reshape(probs, (-1, N_EMOTIONS))
        index = int(tf.argmax(probs[0])) if emotion is None else EMOTIONS.index(emotion)
        score = probs[0, index]
    grads = tape.gradient(score, maps)
    if grads is None:
        raise ModelError(f"The emotion score does not depend on layer '{name}'.")
    weights = tf.reduce_mean(grads, axis=(1, 2))  # (1, channels)
    cam = tf.nn.relu(tf.reduce_sum(maps * weights[:, None, None, :], axis=-1))[0].numpy()
    cam = cv2.resize(cam.astype(np.float32), (crop.shape[1], crop.shape[0]), interpolation=cv2.INTER_CUBIC)
    cam = np.clip(cam, 0.0, None)
    top = float(cam.max())
    cam = cam / top if top > 0 else np.zeros_like(cam)
    return Explanation(cam.astype(np.float32), np.asarray(probs[0]).astype(np.float32), EMOTIONS[index], name)


def face_crop_box(image: np.ndarray, box: Box, margin: float = 0.1) -> Box:
    """The square the classifier crops around ``box`` (see :func:`square_crop_box`)."""
    square = square_crop_box(box, image.shape[1], image.shape[0], margin)
    if square is None:
        raise ValueError(f"the face box {box} lies outside the image")
    return square


def render(face_bgr: np.ndarray, explanation: Explanation, side: int = 256) -> np.ndarray:
    """The face and the face under its heat map, side by side, with the reading above."""
    face = face_bgr if face_bgr.ndim == 3 else cv2.cvtColor(face_bgr, cv2.COLOR_GRAY2BGR)
    face = cv2.resize(face, (side, side), interpolation=cv2.INTER_CUBIC)
    heat = cv2.resize(explanation.heatmap, (side, side), interpolation=cv2.INTER_CUBIC)
    colour = cv2.applyColorMap(np.clip(heat * 255.0, 0, 255).astype(np.uint8), cv2.COLORMAP_JET)
    overlay = cv2.addWeighted(face, 0.55, colour, 0.45, 0.0)
    bar = np.full((40, 2 * side, 3), 255, np.uint8)
    p = explanation.probs
    text = f"read as {explanation.reading} {p.max():.0%}; what drove {explanation.emotion}"
    cv2.putText(bar, text, (8, 26), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1, cv2.LINE_AA)
    return np.vstack([bar, np.hstack([face, overlay])])


def explain_face(model, image_bgr: np.ndarray, box: Box, *, emotion: str | None = None,
                 layer: str | None = None, margin: float = 0.1) -> tuple[Explanation, np.ndarray]:
    """Grad-CAM for the face at ``box`` of a frame, cropped as the classifier crops it;
    returns the explanation and the rendered picture."""
    square = face_crop_box(image_bgr, box, margin)
    gray = image_bgr if image_bgr.ndim == 2 else cv2.cvtColor(image_bgr, cv2.COLOR_BGR2GRAY)
    side = max(square.w, square.h)
    crop = extract_crops(gray, [square], (side, side))[0]
    explanation = grad_cam(model, crop, emotion=emotion, layer=layer)
    colour = image_bgr[square.y : square.y2, square.x : square.x2]
    return explanation, render(colour, explanation)
