"""Model tools: evaluate an emotion model on labelled faces, export Keras to TFLite, retrain.

``evaluate`` runs the app's own LiteRT classifier and needs no TensorFlow. ``export``
and ``train`` import TensorFlow inside the functions, so this module imports without it;
they raise :class:`~acting_mirror.errors.DependencyError` when it is missing.

Labelled data comes in one of two forms:

* a FER2013-format CSV: columns ``emotion`` (0..6 in EMOTIONS order), ``pixels`` (a
  square gray image as space-separated 0..255 values, 48x48 in FER2013) and optionally
  ``Usage`` (``Training``, ``PublicTest``, ``PrivateTest``);
* a folder with one subfolder per emotion name (``happy/``, ``neutral/``...) holding
  face-crop images in any format OpenCV reads.
"""

from __future__ import annotations

import csv
import hashlib
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import cv2
import numpy as np

from acting_mirror.core.types import EMOTIONS, N_EMOTIONS
from acting_mirror.errors import DependencyError, ModelError, OutputError, SourceError
from acting_mirror.vision.classifier import LiteRTEmotionClassifier

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".pgm", ".ppm", ".tif", ".tiff", ".webp"})

PARITY_TOLERANCE = 1e-4
"""Largest absolute difference allowed between Keras and TFLite outputs after export."""

KERAS_FILE = "emotion_mini_xception.keras"
TFLITE_FILE = "emotion_mini_xception.tflite"

Progress = Callable[[int, int], None]
"""Told ``(done, total)`` as long work advances."""


# -- labelled data ---------------------------------------------------------------------


@dataclass(frozen=True)
class LabelledFaces:
    """Gray face crops ``(N, H, W)`` uint8 with labels ``(N,)`` as EMOTIONS indices.

    ``usage`` holds the CSV's Usage value per row, or ``None`` for folders / CSVs
    without that column.
    """

    images: np.ndarray
    labels: np.ndarray
    usage: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, mask: np.ndarray) -> "LabelledFaces":
        usage = None if self.usage is None else self.usage[mask]
        return LabelledFaces(self.images[mask], self.labels[mask], usage)


def load_labelled_faces(
    data: Path | str, *, size: tuple[int, int] | None = None, usage: str | None = None
) -> LabelledFaces:
    """Labelled faces from a FER2013-format CSV or an emotion-per-subfolder folder.

    Images are resized to ``size`` (width, height) when given; folder images need it
    unless they all share one size. ``usage`` keeps only the CSV rows with that Usage.
    """
    path = Path(data)
    if path.is_dir():
        faces = _load_folder(path, size)
    elif path.is_file():
        faces = _load_csv(path, size)
    else:
        raise SourceError(f"The labelled data {path} does not exist.")
    if usage is not None:
        if faces.usage is None:
            raise SourceError(f"{path} has no Usage column to pick '{usage}' rows from.")
        faces = faces.subset(faces.usage == usage)
    if len(faces) == 0:
        raise SourceError(f"{path} holds no labelled faces" + (f" with Usage '{usage}'." if usage else "."))
    return faces


def _resize(image: np.ndarray, size: tuple[int, int] | None) -> np.ndarray:
    if size is None or (image.shape[1], image.shape[0]) == tuple(size):
        return image
    return cv2.resize(image, tuple(size), interpolation=cv2.INTER_AREA)


def _load_folder(folder: Path, size: tuple[int, int] | None) -> LabelledFaces:
    images, labels = [], []
    subfolders = [p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")]
    for sub in subfolders:
        if sub.name.lower() not in EMOTIONS:
            raise SourceError(
                f"{folder} has a subfolder '{sub.name}' that is not an emotion; "
                f"expected some of: {', '.join(EMOTIONS)}."
            )
    for sub in sorted(subfolders, key=lambda p: (EMOTIONS.index(p.name.lower()), p.name)):
        name = sub.name.lower()
        for file in sorted(sub.iterdir()):
            if file.suffix.lower() not in IMAGE_SUFFIXES:
                continue
            image = cv2.imread(str(file), cv2.IMREAD_GRAYSCALE)
            if image is None:
                raise SourceError(f"The image {file} cannot be read.")
            images.append(_resize(image, size))
            labels.append(EMOTIONS.index(name))
    if not images:
        raise SourceError(f"{folder} holds no images in emotion-named subfolders ({', '.join(EMOTIONS)}).")
    if len({im.shape for im in images}) > 1:
        raise SourceError(f"The images in {folder} differ in size; give a size to resize them to.")
    return LabelledFaces(np.stack(images), np.asarray(labels, np.int64))


def _load_csv(file: Path, size: tuple[int, int] | None) -> LabelledFaces:
    images, labels, usages = [], [], []
    try:
        with file.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            columns = set(reader.fieldnames or ())
            if not {"emotion", "pixels"} <= columns:
                raise SourceError(f"{file} is not a FER2013-format CSV: it needs 'emotion' and 'pixels' columns.")
            has_usage = "Usage" in columns
            for line, row in enumerate(reader, start=2):
                try:
                    label = int(row["emotion"])
                    pixels = np.array(row["pixels"].split(), dtype=np.int64)
                except (TypeError, ValueError, AttributeError) as err:
                    raise SourceError(f"{file} line {line}: emotion or pixels is not a list of numbers.") from err
                side = int(round(np.sqrt(len(pixels))))
                if not 0 <= label < N_EMOTIONS:
                    raise SourceError(f"{file} line {line}: emotion {label} is not between 0 and {N_EMOTIONS - 1}.")
                if side < 1 or side * side != len(pixels) or pixels.min() < 0 or pixels.max() > 255:
                    raise SourceError(f"{file} line {line}: pixels are not a square image of values 0..255.")
                images.append(_resize(pixels.astype(np.uint8).reshape(side, side), size))
                labels.append(label)
                if has_usage:
                    usages.append(row["Usage"])
    except UnicodeDecodeError as err:
        raise SourceError(f"{file} is not a text CSV file.") from err
    if not images:
        raise SourceError(f"{file} holds no rows.")
    if len({im.shape for im in images}) > 1:
        raise SourceError(f"The images in {file} differ in size; give a size to resize them to.")
    usage = np.asarray(usages) if usages else None
    return LabelledFaces(np.stack(images), np.asarray(labels, np.int64), usage)


# -- evaluation (LiteRT only) ------------------------------------------------------------


@dataclass(frozen=True)
class EvaluationResult:
    """How a model did on labelled faces.

    ``confusion[i, j]`` counts faces labelled ``EMOTIONS[i]`` that the model read as
    ``EMOTIONS[j]``; ``recall`` is ``None`` for emotions with no labelled face.
    """

    model: str
    data: str
    count: int
    accuracy: float
    recall: dict[str, float | None]
    confusion: np.ndarray = field(compare=False)

    def to_dict(self) -> dict:
        return {
            "model": self.model,
            "data": self.data,
            "count": self.count,
            "accuracy": self.accuracy,
            "recall": dict(self.recall),
            "labels": list(EMOTIONS),
            "confusion": self.confusion.tolist(),
        }


def score(labels: np.ndarray, predicted: np.ndarray, *, model: str = "", data: str = "") -> EvaluationResult:
    """Accuracy, per-emotion recall and confusion matrix of ``predicted`` against ``labels``."""
    labels = np.asarray(labels, np.int64)
    predicted = np.asarray(predicted, np.int64)
    confusion = np.zeros((N_EMOTIONS, N_EMOTIONS), np.int64)
    np.add.at(confusion, (labels, predicted), 1)
    totals = confusion.sum(axis=1)
    recall = {
        name: (float(confusion[i, i] / totals[i]) if totals[i] else None) for i, name in enumerate(EMOTIONS)
    }
    count = int(len(labels))
    accuracy = float(np.trace(confusion) / count) if count else 0.0
    return EvaluationResult(model, data, count, accuracy, recall, confusion)


def evaluate(
    model_path: Path | str | None,
    data: Path | str | LabelledFaces,
    *,
    usage: str | None = None,
    batch_size: int = 64,
    progress: Progress | None = None,
) -> EvaluationResult:
    """Run the model (``None``: the bundled one) over labelled faces and score it."""
    if not isinstance(data, LabelledFaces) and not Path(data).exists():
        raise SourceError(f"The labelled data {data} does not exist.")
    classifier = LiteRTEmotionClassifier(None if model_path is None else Path(model_path))
    faces = data if isinstance(data, LabelledFaces) else load_labelled_faces(
        data, size=classifier.input_size, usage=usage
    )
    predicted = np.empty(len(faces), np.int64)
    for start in range(0, len(faces), batch_size):
        probs = classifier.predict(faces.images[start : start + batch_size])
        predicted[start : start + len(probs)] = probs.argmax(axis=1)
        if progress is not None:
            progress(start + len(probs), len(faces))
    source = "labelled faces" if isinstance(data, LabelledFaces) else str(data)
    return score(faces.labels, predicted, model=classifier.name, data=source)


# -- TensorFlow tools ----------------------------------------------------------------------


def _tensorflow():
    """``(tf, keras)``, or DependencyError when the tools extra is not installed."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
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
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(out_path.name + ".part")
    try:
        tmp.write_bytes(flatbuffer)
        tmp.replace(out_path)
    except OSError as err:
        raise OutputError(f"Cannot write {out_path}: {err.strerror}.") from err
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


def build_mini_xception(input_size: int = 48, *, channels: int = 1, l2: float = 0.01, for_training: bool = False):
    """The mini-Xception of Arriaga et al. (2017), as published in oarriaga/face_classification:
    two 3x3 convolutions, four residual depthwise-separable modules (16, 32, 64, 128
    filters), a 3x3 convolution to seven maps, global average pooling, softmax. As in the
    published weights, only the two first convolutions carry the L2 penalty.

    ``for_training`` writes each shortcut's 1x1 stride-2 convolution as a stride-2
    subsample followed by a 1x1 convolution: the same function with the same weights (in
    the same order), but it avoids a TensorFlow 2.21 oneDNN kernel that corrupts the heap
    when it trains strided 1x1 convolutions on even-sized inputs (44 and 22 here).
    """
    _, keras = _tensorflow()
    from keras import layers, regularizers

    reg = regularizers.l2(l2)
    image = keras.Input((input_size, input_size, channels), name="image")
    x = layers.Conv2D(8, 3, kernel_regularizer=reg, use_bias=False)(image)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    x = layers.Conv2D(8, 3, kernel_regularizer=reg, use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    for filters in (16, 32, 64, 128):
        if for_training:
            residual = layers.MaxPooling2D(1, strides=2)(x)  # a 1x1 pool: keeps every other pixel
            residual = layers.Conv2D(filters, 1, use_bias=False)(residual)
        else:
            residual = layers.Conv2D(filters, 1, strides=2, padding="same", use_bias=False)(x)
        residual = layers.BatchNormalization()(residual)
        x = layers.SeparableConv2D(filters, 3, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(filters, 3, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)
        x = layers.add([x, residual])
    x = layers.Conv2D(N_EMOTIONS, 3, padding="same")(x)
    x = layers.GlobalAveragePooling2D()(x)
    output = layers.Activation("softmax", name="predictions")(x)
    return keras.Model(image, output, name="mini_xception")


@dataclass(frozen=True)
class TrainingResult:
    keras_path: Path
    tflite_path: Path
    epochs_run: int
    parity: ParityReport
    validation: EvaluationResult | None


def train(
    data: Path | str,
    out_dir: Path | str,
    *,
    epochs: int = 30,
    input_size: int = 48,
    batch_size: int = 32,
    validation_fraction: float = 0.1,
    patience: int = 10,
    seed: int = 0,
    force: bool = False,
    on_epoch: Callable[[int, dict], None] | None = None,
) -> TrainingResult:
    """Train a mini-Xception on labelled faces, then export it to TFLite in ``out_dir``.

    A FER2013 CSV with a Usage column trains on ``Training`` rows and validates on
    ``PublicTest``; otherwise a random ``validation_fraction`` is held out. Training
    uses the paper's augmentation (flips, 10 degree rotations, 10% shifts and zoom),
    Adam, early stopping on validation loss, and keeps the best epoch.
    """
    if input_size not in (48, 64):
        raise ModelError(f"The input size must be 48 or 64, not {input_size}.")
    if epochs < 1:
        raise ModelError("Training needs at least one epoch.")
    out_dir = Path(out_dir)
    keras_path, tflite_path = out_dir / KERAS_FILE, out_dir / TFLITE_FILE
    for path in (keras_path, tflite_path):
        if path.exists() and not force:
            raise OutputError(f"{path} already exists; choose another folder or allow overwriting.")
    tf, keras = _tensorflow()
    faces = load_labelled_faces(data, size=(input_size, input_size))
    train_set, val_set = _split(faces, validation_fraction, seed)

    keras.utils.set_random_seed(seed)
    model = build_mini_xception(input_size, for_training=True)
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    augment = keras.Sequential(
        [
            keras.layers.RandomFlip("horizontal", seed=seed),
            keras.layers.RandomRotation(10 / 360, fill_mode="nearest", seed=seed),
            keras.layers.RandomTranslation(0.1, 0.1, fill_mode="nearest", seed=seed),
            keras.layers.RandomZoom(0.1, fill_mode="nearest", seed=seed),
        ]
    )

    def dataset(faces: LabelledFaces, shuffle: bool):
        x = _model_input(faces.images)
        y = np.eye(N_EMOTIONS, dtype=np.float32)[faces.labels]
        ds = tf.data.Dataset.from_tensor_slices((x, y))
        if shuffle:
            ds = ds.shuffle(len(x), seed=seed).batch(batch_size)
            ds = ds.map(lambda a, b: (augment(a, training=True), b), num_parallel_calls=tf.data.AUTOTUNE)
        else:
            ds = ds.batch(batch_size)
        return ds.prefetch(tf.data.AUTOTUNE)

    monitor = "val_loss" if val_set is not None else "loss"
    callbacks = [
        keras.callbacks.EarlyStopping(monitor=monitor, patience=patience, restore_best_weights=True),
        keras.callbacks.ReduceLROnPlateau(monitor=monitor, factor=0.1, patience=max(1, patience // 4)),
    ]
    if on_epoch is not None:
        callbacks.append(keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: on_epoch(e, dict(logs or {}))))
    history = model.fit(
        dataset(train_set, shuffle=True),
        validation_data=None if val_set is None else dataset(val_set, shuffle=False),
        epochs=epochs,
        shuffle=False,  # the dataset shuffles itself
        callbacks=callbacks,
        verbose=0,
    )
    published = build_mini_xception(input_size)  # the best epoch's weights, in the published form
    published.set_weights(model.get_weights())
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        published.save(str(keras_path))
    except OSError as err:
        raise OutputError(f"Cannot write {keras_path}: {err.strerror}.") from err
    check = val_set if val_set is not None else train_set
    parity = export_keras_to_tflite(keras_path, tflite_path, force=True, samples=_model_input(check.images[:32]))
    validation = None if val_set is None else evaluate(tflite_path, val_set)
    return TrainingResult(keras_path, tflite_path, len(history.epoch), parity, validation)


def _model_input(images: np.ndarray) -> np.ndarray:
    """Gray uint8 crops ``(N, H, W)`` as the model sees them: ``(N, H, W, 1)`` in [-1, 1]."""
    return (images.astype(np.float32) / 255.0 * 2.0 - 1.0)[..., None]


def _split(faces: LabelledFaces, fraction: float, seed: int) -> tuple[LabelledFaces, LabelledFaces | None]:
    if faces.usage is not None and np.any(faces.usage == "Training"):
        train_set = faces.subset(faces.usage == "Training")
        val_mask = faces.usage == "PublicTest"
        return train_set, (faces.subset(val_mask) if np.any(val_mask) else None)
    n_val = int(round(len(faces) * fraction))
    if n_val < 1 or n_val >= len(faces):
        return faces, None
    order = np.random.default_rng(seed).permutation(len(faces))
    val_mask = np.zeros(len(faces), bool)
    val_mask[order[:n_val]] = True
    return faces.subset(~val_mask), faces.subset(val_mask)
