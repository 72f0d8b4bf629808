"""Rebuild the three bundled MTCNN networks as float32 TFLite files.

The weights are the ones the ``mtcnn`` 1.0.0 package ships in its assets (Iván de Paz
Centeno, MIT licence, a Keras port of the networks of Zhang et al., 2016). This script
rebuilds the package's own Keras models, loads those weights, converts each network once
with TensorFlow's TFLite converter and checks that the TFLite output matches Keras on
random inputs. The app then runs the files with LiteRT, without TensorFlow.

Run from the repository root (needs the ``tools`` extra: TensorFlow and ``mtcnn==1.0.0``)::

    python models/build_mtcnn_models.py            # writes models/mtcnn_{pnet,rnet,onet}.tflite
    python models/build_mtcnn_models.py --out DIR  # somewhere else
    python models/build_mtcnn_models.py --parity   # compare the files with the package

``--parity`` builds nothing: it runs the app's detector on the files in ``--out`` and the
package on public photos (skimage, matplotlib, LFW mosaics) and prints how close their
faces, boxes, landmarks and scores are, next to how close the package comes to itself on
the frame shifted by one pixel, and the time each takes on a 720p frame.

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


def _scenes() -> dict[str, np.ndarray]:
    """Public photos as BGR frames: portraits at several sizes and mosaics of LFW faces."""
    import cv2
    from matplotlib import cbook
    from skimage import data

    with cbook.get_sample_data("grace_hopper.jpg") as fh:
        hopper = cv2.imdecode(np.frombuffer(fh.read(), dtype=np.uint8), cv2.IMREAD_COLOR)
    astronaut = np.ascontiguousarray(data.astronaut()[:, :, ::-1])
    scenes = {"astronaut": astronaut, "hopper": hopper}
    frame = np.full((720, 1280, 3), 60, dtype=np.uint8)
    frame[104:616, 384:896] = astronaut
    scenes["astronaut-720p"] = frame
    scenes["astronaut-1024"] = cv2.resize(astronaut, (1024, 1024), interpolation=cv2.INTER_LINEAR)
    for height in (300, 700, 1100):
        size = (round(height * 512 / 600), height)
        scenes[f"hopper-{height}"] = cv2.resize(hopper, size, interpolation=cv2.INTER_AREA)
    lfw = np.round(data.lfw_subset()[:100] * 255).astype(np.uint8)
    layouts = [(8, 4, 2, 160, 0)] + [(20, 5, 4, 100 + 15 * i, 20 * i) for i in range(5)]
    for n, cols, rows, side, first in layouts:
        canvas = np.full((720, 1280, 3), 90, dtype=np.uint8)
        for i in range(n):
            r, c = divmod(i, cols)
            x = c * (1280 // cols) + (1280 // cols - side) // 2
            y = r * (720 // rows) + (720 // rows - side) // 2
            face = cv2.resize(lfw[first + i], (side, side), interpolation=cv2.INTER_CUBIC)
            canvas[y : y + side, x : x + side] = face[..., None]
        scenes[f"lfw-{n}x{side}px-from-{first}"] = canvas
    return scenes


def _agreement(reference: dict, other: dict) -> str:
    """How well the faces in ``other`` match those in ``reference``, scene by scene."""
    ious, marks, scores, missing, extra = [], [], [], 0, 0
    for key, wanted in reference.items():
        got, used = other[key], set()
        for face in wanted:
            overlaps = [face.box.iou(g.box) for g in got]
            best = int(np.argmax(overlaps)) if overlaps else -1
            if best < 0 or overlaps[best] < 0.5:
                missing += 1
                continue
            used.add(best)
            match = got[best]
            ious.append(overlaps[best])
            error = np.hypot(*(np.asarray(match.landmarks) - np.asarray(face.landmarks)).T)
            marks.append(float(np.max(error)) / max(face.box.w, face.box.h))
            scores.append(abs(match.score - face.score))
        extra += len(got) - len(used)
    ious, marks = np.asarray(ious), np.asarray(marks)
    return (
        f"{len(ious)} matched, {missing} missed, {extra} extra; box IoU mean {ious.mean():.3f}, "
        f"10th percentile {np.percentile(ious, 10):.3f}, min {ious.min():.3f}; worst landmark "
        f"off by {np.median(marks):.1%} of the face (median), {marks.max():.1%} (max); "
        f"|score difference| max {max(scores):.3f}"
    )


def _p50_ms(detector, image: np.ndarray, runs: int) -> float:
    import time

    detector.detect(image)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        detector.detect(image)
        times.append(time.perf_counter() - start)
    return 1000.0 * float(np.median(times))


def parity(models: Path) -> None:
    from acting_mirror.vision.mtcnn import MtcnnDetector
    from acting_mirror.vision.mtcnn_reference import MtcnnPackageDetector

    scenes = _scenes()
    package = MtcnnPackageDetector(min_face_size=20)
    ours = MtcnnDetector(min_face_size=20, models_dir=models)
    theirs = {key: package.detect(image) for key, image in scenes.items()}
    print(f"{len(scenes)} scenes, {sum(map(len, theirs.values()))} faces found by the package")
    print("LiteRT vs package:   ", _agreement(theirs, {k: ours.detect(v) for k, v in scenes.items()}))
    shifted = {k: np.ascontiguousarray(np.pad(v, ((1, 0), (1, 0), (0, 0)), mode="edge")[:-1, :-1])
               for k, v in scenes.items()}
    print("package vs itself, frame shifted 1 px:",
          _agreement(theirs, {k: package.detect(v) for k, v in shifted.items()}))

    one = scenes["astronaut-720p"]
    many = scenes["lfw-20x130px-from-40"]
    for label, image in (("one face", one), ("20 faces", many)):
        for threads in (1, 2):
            detector = MtcnnDetector(models_dir=models, num_threads=threads)
            print(f"detect() p50, 720p, {label}: LiteRT min_face_size=40 num_threads={threads}: "
                  f"{_p50_ms(detector, image, 30):.1f} ms ({len(detector.detect(image))} faces)")
        for min_face in (40, 20):
            detector = MtcnnPackageDetector(min_face_size=min_face)
            print(f"detect() p50, 720p, {label}: package min_face_size={min_face}: "
                  f"{_p50_ms(detector, image, 10):.1f} ms ({len(detector.detect(image))} faces)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parent, help="output folder"
    )
    parser.add_argument(
        "--parity", action="store_true", help="compare the files in --out with the package"
    )
    args = parser.parse_args(argv)
    try:
        import mtcnn  # noqa: F401
        import tensorflow as tf
    except ImportError:
        print("This needs TensorFlow and mtcnn: pip install 'acting-mirror[tools]'", file=sys.stderr)
        return 2
    if args.parity:
        parity(args.out)
        return 0
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
