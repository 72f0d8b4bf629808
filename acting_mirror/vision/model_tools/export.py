"""Keras to TFLite: float export with a parity check, int8 quantisation, and the
comparison of exports. TensorFlow is imported inside the functions; they raise
:class:`~acting_mirror.errors.DependencyError` when it is missing.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from acting_mirror.core.types import N_EMOTIONS
from acting_mirror.errors import DependencyError, ModelError, OutputError
from acting_mirror.vision.classifier import LiteRTEmotionClassifier

from acting_mirror.vision.model_tools.datasets import LabelledFaces, _model_input, _resize


PARITY_TOLERANCE = 1e-4
"""Largest absolute difference allowed between Keras and TFLite outputs after export."""

KERAS_FILE = "emotion_mini_xception.keras"
TFLITE_FILE = "emotion_mini_xception.tflite"



def _tensorflow():
    """``(tf, keras)``, or DependencyError when the tools extra is not installed."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from acting_mirror.vision.litert import native_stderr_silenced

    try:
        with native_stderr_silenced():  # TensorFlow's native start-up chatter
            import keras
            import tensorflow as tf
    except ImportError as err:
        raise DependencyError("The model tools need TensorFlow: pip install 'acting-mirror[tools]'") from err
    return tf, keras


@dataclass(frozen=True)
class ParityReport:
    """How closely the exported TFLite file reproduces the Keras model."""

    path: Path
    sha256: str
    input_shape: tuple[int, ...]
    samples: int
    max_abs_diff: float
    same_argmax: bool

    @property
    def ok(self) -> bool:
        return self.same_argmax and self.max_abs_diff < PARITY_TOLERANCE


def _load_keras(keras, path: Path):
    if not path.is_file():
        raise ModelError(f"The Keras model {path} does not exist.")
    try:
        model = keras.models.load_model(str(path), compile=False)
    except (ValueError, OSError, TypeError, KeyError) as err:
        raise ModelError(f"{path} is not a Keras model file Keras can load ({err}).") from err
    shape = tuple(model.input_shape) if not isinstance(model.input_shape, list) else None
    if shape is None or len(shape) != 4 or shape[3] not in (1, 3) or None in shape[1:]:
        raise ModelError(f"{path} must take one image (batch, height, width, 1 or 3), not {model.input_shape}.")
    if tuple(model.output_shape)[-1] != N_EMOTIONS or len(model.output_shape) != 2:
        raise ModelError(f"{path} must output {N_EMOTIONS} emotion scores, not {model.output_shape}.")
    return model


def keras_to_tflite_bytes(model) -> bytes:
    """A float32 TFLite flatbuffer of a Keras model, weights frozen, batch size dynamic."""
    tf, _ = _tensorflow()
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

    spec = tf.TensorSpec((None,) + tuple(model.input_shape[1:]), tf.float32, name="image")

    @tf.function(input_signature=[spec])
    def serve(image):
        return model(image, training=False)

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The structure of `inputs`")
        frozen = convert_variables_to_constants_v2(serve.get_concrete_function())
    converter = tf.lite.TFLiteConverter.from_concrete_functions([frozen], model)
    converter.optimizations = []  # float32, no quantisation
    return converter.convert()


def tflite_outputs(flatbuffer: bytes, x: np.ndarray) -> np.ndarray:
    """Raw outputs of a one-input, one-output TFLite model on the batch ``x`` (LiteRT)."""
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_content=flatbuffer)
    index = interpreter.get_input_details()[0]["index"]
    interpreter.resize_tensor_input(index, list(x.shape))
    interpreter.allocate_tensors()
    interpreter.set_tensor(index, x.astype(np.float32))
    interpreter.invoke()
    return interpreter.get_tensor(interpreter.get_output_details()[0]["index"]).copy()


def export_keras_to_tflite(
    keras_path: Path | str,
    out_path: Path | str,
    *,
    force: bool = False,
    samples: np.ndarray | None = None,
) -> ParityReport:
    """Convert a Keras emotion model to a float32 TFLite file and check parity.

    ``samples`` are model inputs ``(N, H, W, C)`` already scaled to ``[-1, 1]`` (real
    face crops are best); by default 16 fixed random images. Refuses to overwrite
    ``out_path`` unless ``force``. The report says whether TFLite matches Keras; the
    file is written either way.
    """
    tf, keras = _tensorflow()
    keras_path, out_path = Path(keras_path), Path(out_path)
    if out_path.exists() and not force:
        raise OutputError(f"{out_path} already exists; choose another name or allow overwriting.")
    model = _load_keras(keras, keras_path)
    flatbuffer = keras_to_tflite_bytes(model)
    report = _parity(model, flatbuffer, out_path, samples)
    _write_atomic(out_path, flatbuffer)
    return report


def _parity(model, flatbuffer: bytes, out_path: Path, samples: np.ndarray | None) -> ParityReport:
    shape = tuple(int(d) for d in model.input_shape[1:])
    if samples is None:
        samples = np.random.default_rng(0).uniform(-1.0, 1.0, (16,) + shape)
    samples = np.asarray(samples, np.float32)
    if samples.ndim == 3:
        samples = samples[..., None]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The structure of `inputs`")
        expected = np.asarray(model(samples, training=False))
    got = tflite_outputs(flatbuffer, samples)
    return ParityReport(
        path=out_path,
        sha256=hashlib.sha256(flatbuffer).hexdigest(),
        input_shape=shape,
        samples=len(samples),
        max_abs_diff=float(np.max(np.abs(expected - got))),
        same_argmax=bool(np.array_equal(expected.argmax(axis=1), got.argmax(axis=1))),
    )


def keras_to_int8_tflite_bytes(model, calibration: np.ndarray) -> bytes:
    """A fully int8 TFLite flatbuffer of a Keras model: weights, activations, input and
    output in int8, their scales calibrated on ``calibration`` (model inputs
    ``(N, H, W, C)`` already in [-1, 1]; real training faces, a few hundred suffice)."""
    tf, _ = _tensorflow()
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

    calibration = np.asarray(calibration, np.float32)
    if calibration.ndim == 3:
        calibration = calibration[..., None]
    if len(calibration) == 0:
        raise ModelError("int8 calibration needs at least one face.")
    spec = tf.TensorSpec((None,) + tuple(model.input_shape[1:]), tf.float32, name="image")

    @tf.function(input_signature=[spec])
    def serve(image):
        return model(image, training=False)

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The structure of `inputs`")
        frozen = convert_variables_to_constants_v2(serve.get_concrete_function())

    def representative():
        for i in range(len(calibration)):
            yield [calibration[i : i + 1]]

    converter = tf.lite.TFLiteConverter.from_concrete_functions([frozen], model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    from acting_mirror.vision.litert import native_stderr_silenced

    with native_stderr_silenced():  # the quantiser prints its settings there
        return converter.convert()


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as err:
        raise OutputError(f"Cannot write {path}: {err.strerror}.") from err


def int8_path(out_path: Path | str) -> Path:
    """Where the int8 twin of a float32 export goes: ``model.tflite`` -> ``model_int8.tflite``."""
    out_path = Path(out_path)
    return out_path.with_name(out_path.stem + "_int8.tflite")


def calibration_faces(faces: LabelledFaces, count: int = 300, seed: int = 0) -> np.ndarray:
    """Up to ``count`` faces picked at random (fixed seed), for int8 calibration."""
    if len(faces) <= count:
        return faces.images
    pick = np.random.default_rng(seed).choice(len(faces), count, replace=False)
    return faces.images[np.sort(pick)]


@dataclass(frozen=True)
class ModelRow:
    """One line of the side-by-side table of a model's exports."""

    name: str
    path: Path
    size_bytes: int
    accuracy: float | None
    agreement: float  # share of faces whose top emotion is the Keras model's
    max_abs_diff: float  # largest probability difference from Keras
    latency_ms: float  # one face, median of repeated runs, one thread


def compare_exports(
    keras_model, keras_path: Path, tflite_paths: list[Path], crops: np.ndarray,
    labels: np.ndarray | None = None, *, latency_runs: int = 50,
) -> list[ModelRow]:
    """Keras and each TFLite export on the same gray uint8 crops ``(N, H, W)``: size,
    accuracy (with ``labels``), agreement with Keras, and latency per face."""
    import time

    h, w = (int(d) for d in keras_model.input_shape[1:3])
    channels = int(keras_model.input_shape[3])
    crops = np.stack([_resize(c, (w, h)) for c in crops])
    x = _model_input(crops)
    if channels == 3:
        x = np.repeat(x, 3, axis=3)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The structure of `inputs`")
        reference = np.asarray(keras_model.predict_on_batch(x))

    def timed(call) -> float:
        call()  # warm up
        times = []
        for _ in range(latency_runs):
            start = time.perf_counter()
            call()
            times.append(time.perf_counter() - start)
        return float(np.median(times) * 1000.0)

    def row(name: str, path: Path, probs: np.ndarray, latency: float) -> ModelRow:
        top = probs.argmax(axis=1)
        accuracy = None if labels is None else float(np.mean(top == np.asarray(labels)))
        return ModelRow(name, path, path.stat().st_size, accuracy,
                        float(np.mean(top == reference.argmax(axis=1))),
                        float(np.max(np.abs(probs - reference))), latency)

    rows = [row("keras", keras_path, reference, timed(lambda: keras_model.predict_on_batch(x[:1])))]
    for path in tflite_paths:
        classifier = LiteRTEmotionClassifier(path)
        kind = "tflite int8" if classifier._input["dtype"] != np.float32 else "tflite float32"
        probs = np.concatenate([classifier.predict(crops[i : i + 256]) for i in range(0, len(crops), 256)])
        rows.append(row(kind, path, probs, timed(lambda: classifier.predict(crops[:1]))))
    return rows


def format_comparison(rows: list[ModelRow], on: str) -> str:
    lines = [f"on {on}:", f"{'model':<16}{'size':>10}{'accuracy':>10}{'agreement':>11}{'max diff':>10}{'ms/face':>9}"]
    for r in rows:
        acc = "-" if r.accuracy is None else f"{r.accuracy:.1%}"
        lines.append(f"{r.name:<16}{r.size_bytes / 1024:>8.0f}kB{acc:>10}{r.agreement:>11.1%}"
                     f"{r.max_abs_diff:>10.3f}{r.latency_ms:>9.2f}")
    return "\n".join(lines)


@dataclass(frozen=True)
class ExportResult:
    parity: ParityReport
    int8_path: Path | None
    table: list[ModelRow]


def export_with_int8(
    keras_path: Path | str, out_path: Path | str, calibration: LabelledFaces, *, force: bool = False,
) -> ExportResult:
    """``export_keras_to_tflite`` plus an int8 twin (see :func:`int8_path`) calibrated on
    ``calibration``'s faces, and the side-by-side table measured on those faces."""
    _, keras = _tensorflow()
    keras_path, out_path = Path(keras_path), Path(out_path)
    target = int8_path(out_path)
    if target.exists() and not force:
        raise OutputError(f"{target} already exists; choose another name or allow overwriting.")
    model = _load_keras(keras, keras_path)
    h, w = (int(d) for d in model.input_shape[1:3])
    faces = LabelledFaces(np.stack([_resize(im, (w, h)) for im in calibration.images]), calibration.labels)
    samples = _inputs_for(model, faces.images[:32])
    parity = export_keras_to_tflite(keras_path, out_path, force=force, samples=samples)
    _write_atomic(target, keras_to_int8_tflite_bytes(model, _inputs_for(model, calibration_faces(faces))))
    table = compare_exports(model, keras_path, [out_path, target], faces.images, faces.labels)
    return ExportResult(parity, target, table)


def _inputs_for(model, crops: np.ndarray) -> np.ndarray:
    x = _model_input(crops)
    return np.repeat(x, 3, axis=3) if int(model.input_shape[3]) == 3 else x


