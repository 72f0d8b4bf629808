"""Rebuild the three bundled MTCNN networks as float32 TFLite files.

The weights are the ones the ``mtcnn`` 1.0.0 package ships in its assets (Iván de Paz
Centeno, MIT licence, a Keras port of the networks of Zhang et al., 2016). This script
rebuilds the package's own Keras models, loads those weights, converts each network once
with TensorFlow's TFLite converter and checks that the TFLite output matches Keras on
random inputs. The app then runs the files with LiteRT, without TensorFlow.

Run from the repository root (needs the ``tools`` extra: TensorFlow and ``mtcnn==1.0.0``)::

    python models/build_mtcnn_models.py            # writes models/mtcnn_{pnet,rnet,onet}.tflite
    python models/build_mtcnn_models.py --out DIR  # somewhere else

Inputs of all three networks: RGB, float32, ``(pixel - 127.5) / 128``, NHWC, not transposed.
PNet takes ``[1, H, W, 3]`` with H and W dynamic (set them with ``resize_tensor_input``);
RNet ``[N, 24, 24, 3]``, ONet ``[N, 48, 48, 3]`` with a dynamic batch N. Outputs are told
apart by their last dimension: 4 = box offsets, 2 = softmax (not face, face),
10 = landmarks (five x, then five y, as fractions of the box).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import numpy as np

NETWORKS = {
    # name: (input shape with None for the dynamic dims, weights file in mtcnn's assets)
    "pnet": ((1, None, None, 3), "pnet.lz4"),
    "rnet": ((None, 24, 24, 3), "rnet.lz4"),
    "onet": ((None, 48, 48, 3), "onet.lz4"),
}

# Shapes used to check TFLite against Keras after conversion.
CHECK_SHAPES = {
    "pnet": [(1, 12, 12, 3), (1, 216, 384, 3), (1, 77, 137, 3)],
    "rnet": [(1, 24, 24, 3), (37, 24, 24, 3)],
    "onet": [(1, 48, 48, 3), (9, 48, 48, 3)],
}


def _keras_network(name: str):
    from mtcnn.network.onet import ONet
    from mtcnn.network.pnet import PNet
    from mtcnn.network.rnet import RNet
    from mtcnn.utils.tensorflow import load_weights

    model = {"pnet": PNet, "rnet": RNet, "onet": ONet}[name]()
    model.build()
    model.set_weights(load_weights(NETWORKS[name][1]))
    return model


def _convert(name: str, model) -> bytes:
    import tensorflow as tf

    shape, _ = NETWORKS[name]
    spec = tf.TensorSpec(shape, tf.float32, name="image")

    @tf.function(input_signature=[spec])
    def serve(image):
        return model(image)

    from tensorflow.python.framework.convert_to_constants import (
        convert_variables_to_constants_v2,
    )

    # Freeze the weights into constants: the file must carry them, and the converter only
    # fuses Keras' PReLU pattern into one PRELU op when alpha is a constant.
    frozen = convert_variables_to_constants_v2(serve.get_concrete_function())
    converter = tf.lite.TFLiteConverter.from_concrete_functions([frozen])
    converter.optimizations = []  # float32, no quantisation
    return converter.convert()


def _check(name: str, model, flatbuffer: bytes) -> float:
    """Largest absolute difference between Keras and TFLite over the check shapes."""
    from ai_edge_litert.interpreter import Interpreter

    rng = np.random.default_rng(2016)
    worst = 0.0
    interpreter = Interpreter(model_content=flatbuffer)
    for shape in CHECK_SHAPES[name]:
        x = rng.uniform(-1.0, 1.0, size=shape).astype(np.float32)
        interpreter.resize_tensor_input(interpreter.get_input_details()[0]["index"], shape)
        interpreter.allocate_tensors()
        interpreter.set_tensor(interpreter.get_input_details()[0]["index"], x)
        interpreter.invoke()
        got = {
            d["shape"][-1]: interpreter.get_tensor(d["index"])
            for d in interpreter.get_output_details()
        }
        want = {int(t.shape[-1]): np.asarray(t) for t in model(x)}
        if sorted(got) != sorted(want):
            raise SystemExit(f"{name}: outputs {sorted(got)} do not match Keras {sorted(want)}")
        for key, value in want.items():
            worst = max(worst, float(np.max(np.abs(got[key] - value))))
    return worst


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parent, help="output folder"
    )
    args = parser.parse_args(argv)
    try:
        import mtcnn  # noqa: F401
        import tensorflow as tf
    except ImportError:
        print("This needs TensorFlow and mtcnn: pip install 'acting-mirror[tools]'", file=sys.stderr)
        return 2
    tf.keras.utils.set_random_seed(0)

    args.out.mkdir(parents=True, exist_ok=True)
    for name in NETWORKS:
        model = _keras_network(name)
        flatbuffer = _convert(name, model)
        worst = _check(name, model, flatbuffer)
        if worst > 1e-4:
            raise SystemExit(f"{name}: TFLite differs from Keras by {worst:.2e}")
        path = args.out / f"mtcnn_{name}.tflite"
        path.write_bytes(flatbuffer)
        digest = hashlib.sha256(flatbuffer).hexdigest()
        print(f"{path.name}: {len(flatbuffer)} bytes, sha256 {digest}, max |tflite-keras| {worst:.1e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
