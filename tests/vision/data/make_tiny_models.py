"""Regenerate the tiny TFLite fixtures of tests/vision (needs TensorFlow; run from the repo root).

* ``tiny_48x48x3_logits.tflite``: takes a 48x48 colour image, outputs 7 logits (no softmax),
  for the classifier's handling of other input sizes, 3 channels and logits.
* ``tiny_5_classes.tflite``: a 48x48 gray model with 5 outputs, which the classifier must refuse.

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


def main() -> None:
    _, keras = _tensorflow()
    keras.utils.set_random_seed(0)
    models = {
        "tiny_48x48x3_logits.tflite": tiny(keras, (48, 48, 3), 7, softmax=False),
        "tiny_5_classes.tflite": tiny(keras, (48, 48, 1), 5, softmax=True),
    }
    for name, model in models.items():
        (HERE / name).write_bytes(keras_to_tflite_bytes(model))
        print(name, (HERE / name).stat().st_size, "bytes")


if __name__ == "__main__":
    main()
