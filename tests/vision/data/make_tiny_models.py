"""Regenerate the tiny TFLite fixtures of tests/vision (needs TensorFlow; run from the repo root).

* ``tiny_48x48x3_logits.tflite``: takes a 48x48 colour image, outputs 7 logits (no softmax),
  for the classifier's handling of other input sizes, 3 channels and logits.
* ``tiny_5_classes.tflite``: a 48x48 gray model with 5 outputs, which the classifier must refuse.
* ``tiny_nan.tflite``: 48x48 gray, 7 outputs that are always NaN: refused at load.
* ``tiny_nan_on_white.tflite``: 48x48 gray, 7 finite logits except on an all-white crop,
  where they divide by zero: a reading that must count as "not read".

Weights are random with a fixed seed; the files only exercise shapes, not emotions.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from acting_mirror.vision.model_tools import _tensorflow, keras_to_tflite_bytes  # noqa: E402


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


if __name__ == "__main__":
    main()
