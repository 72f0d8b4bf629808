"""Regenerate the tiny TFLite fixtures of tests/vision (needs TensorFlow; run from the repo root).

* ``tiny_48x48x3_logits.tflite``: takes a 48x48 colour image, outputs 7 logits (no softmax),
  for the classifier's handling of other input sizes, 3 channels and logits.
* ``tiny_5_classes.tflite``: a 48x48 gray model with 5 outputs, which the classifier must refuse.
* ``tiny_nan.tflite``: 48x48 gray, 7 outputs that are always NaN: refused at load.
* ``tiny_nan_on_white.tflite``: 48x48 gray, 7 finite logits except on an all-white crop,
  where they divide by zero: a reading that must count as "not read".
* ``tiny_48x48x1_float.tflite`` and ``tiny_48x48x1_int8.tflite``: one 48x48 gray softmax model,
  float32 and fully int8 (``model export --int8``'s converter, calibrated on 64 LFW faces), for
  the classifier's int8 path and float/int8 parity.

Weights are random with a fixed seed; the files only exercise shapes, not emotions.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from acting_mirror.vision.model_tools.datasets import _model_input  # noqa: E402
from acting_mirror.vision.model_tools import (  # noqa: E402
    _tensorflow,
    keras_to_int8_tflite_bytes,
    keras_to_tflite_bytes,
)


def tiny(keras, shape, classes, softmax):
    image = keras.Input(shape)
    x = keras.layers.Conv2D(4, 3, strides=4, activation="relu")(image)
    x = keras.layers.GlobalAveragePooling2D()(x)
    x = keras.layers.Dense(classes, activation="softmax" if softmax else None)(x)
    return keras.Model(image, x)


def nan_model(keras):
    image = keras.Input((48, 48, 1))
    x = keras.layers.GlobalAveragePooling2D()(image)
    x = keras.layers.Dense(7, bias_initializer=keras.initializers.Constant(float("nan")))(x)
    return keras.Model(image, x)


def nan_on_white(keras):
    image = keras.Input((48, 48, 1))
    mean = keras.layers.GlobalAveragePooling2D()(image)  # 1.0 only for an all-white crop
    x = keras.layers.Dense(7)(mean)
    x = keras.layers.Lambda(lambda t: t[0] / (t[1] - 1.0))([x, mean])
    return keras.Model(image, x)


def main() -> None:
    _, keras = _tensorflow()
    keras.utils.set_random_seed(0)
    models = {
        "tiny_48x48x3_logits.tflite": tiny(keras, (48, 48, 3), 7, softmax=False),
        "tiny_5_classes.tflite": tiny(keras, (48, 48, 1), 5, softmax=True),
        "tiny_nan.tflite": nan_model(keras),
        "tiny_nan_on_white.tflite": nan_on_white(keras),
    }
    for name, model in models.items():
        (HERE / name).write_bytes(keras_to_tflite_bytes(model))
        print(name, (HERE / name).stat().st_size, "bytes")
    import cv2
    import numpy as np
    from skimage import data

    gray = tiny(keras, (48, 48, 1), 7, softmax=True)
    lfw = np.round(data.lfw_subset()[:64] * 255).astype(np.uint8)
    faces = np.stack([cv2.resize(f, (48, 48), interpolation=cv2.INTER_CUBIC) for f in lfw])
    files = {
        "tiny_48x48x1_float.tflite": keras_to_tflite_bytes(gray),
        "tiny_48x48x1_int8.tflite": keras_to_int8_tflite_bytes(gray, _model_input(faces)),
    }
    for name, flatbuffer in files.items():
        (HERE / name).write_bytes(flatbuffer)
        print(name, len(flatbuffer), "bytes")


if __name__ == "__main__":
    main()
