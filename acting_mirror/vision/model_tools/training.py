"""Retraining the mini-Xception emotion model (TensorFlow, imported inside the functions).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from acting_mirror.core.types import EMOTIONS, N_EMOTIONS
from acting_mirror.errors import ModelError, OutputError

from acting_mirror.vision.model_tools.datasets import LabelledFaces, _model_input, load_labelled_faces
from acting_mirror.vision.model_tools.evaluation import EvaluationResult, evaluate
from acting_mirror.vision.model_tools.export import KERAS_FILE, ModelRow, ParityReport, TFLITE_FILE, _tensorflow, _write_atomic, calibration_faces, compare_exports, export_keras_to_tflite, keras_to_int8_tflite_bytes


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
    int8_path: Path
    curve_path: Path | None
    epochs_run: int
    parity: ParityReport
    validation: EvaluationResult | None
    table: list[ModelRow]
    table_on: str
    class_weights: dict[str, float]


INT8_FILE = "emotion_mini_xception_int8.tflite"
CURVE_FILE = "training_curve.png"


def class_weights(labels: np.ndarray) -> np.ndarray:
    """Per-class weights ``n / (k * count)`` over the ``k`` classes present (absent: 0),
    so each present emotion weighs as much in the loss as any other (FER2013 has 16 times
    more *happy* than *disgust*)."""
    counts = np.bincount(np.asarray(labels, np.int64), minlength=N_EMOTIONS).astype(np.float64)
    present = counts > 0
    weights = np.zeros(N_EMOTIONS)
    weights[present] = counts.sum() / (present.sum() * counts[present])
    return weights


def train(
    data: Path | str,
    out_dir: Path | str,
    *,
    epochs: int = 30,
    input_size: int = 48,
    batch_size: int = 32,
    validation_fraction: float = 0.1,
    patience: int = 10,
    blur_levels: tuple[int, ...] = (0,),
    balance: bool = True,
    seed: int = 0,
    force: bool = False,
    on_epoch: Callable[[int, dict], None] | None = None,
) -> TrainingResult:
    """Train a mini-Xception on labelled faces, then export it to TFLite in ``out_dir``.

    A FER2013 CSV with a Usage column trains on ``Training`` rows and validates on
    ``PublicTest``; otherwise a random ``validation_fraction`` is held out. Training
    uses the paper's augmentation (flips, 10 degree rotations, 10% shifts and zoom) plus
    brightness (+-20%) and, per image, a box blur of one of ``blur_levels`` pixels (at the
    model's input size) picked at random, as the blur study trained; ``balance`` weighs
    each face by its emotion's :func:`class_weights`. Adam, early stopping on validation
    loss, the best epoch kept. Writes the ``.keras`` model, float32 and int8 TFLite
    (calibrated on training faces) and ``training_curve.png``.
    """
    if input_size not in (48, 64):
        raise ModelError(f"The input size must be 48 or 64, not {input_size}.")
    if epochs < 1:
        raise ModelError("Training needs at least one epoch.")
    if not 0.0 <= validation_fraction < 1.0:
        raise ModelError(f"The validation share must be from 0 up to 1, not {validation_fraction}.")
    blur_levels = tuple(sorted({int(r) for r in blur_levels})) or (0,)
    if blur_levels[0] < 0 or blur_levels[-1] > input_size // 4:
        raise ModelError(f"Training blur levels must be 0..{input_size // 4} pixels, not {blur_levels}.")
    out_dir = Path(out_dir)
    keras_path, tflite_path, int8 = out_dir / KERAS_FILE, out_dir / TFLITE_FILE, out_dir / INT8_FILE
    curve_path = out_dir / CURVE_FILE
    for path in (keras_path, tflite_path, int8, curve_path):
        if path.exists() and not force:
            raise OutputError(f"{path} already exists; choose another folder or allow overwriting.")
    tf, keras = _tensorflow()
    faces = load_labelled_faces(data, size=(input_size, input_size))
    train_set, val_set = _split(faces, validation_fraction, seed)
    weights = class_weights(train_set.labels) if balance else np.ones(N_EMOTIONS)

    keras.utils.set_random_seed(seed)
    model = build_mini_xception(input_size, for_training=True)
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    augment = keras.Sequential(
        [
            keras.layers.RandomFlip("horizontal", seed=seed),
            keras.layers.RandomRotation(10 / 360, fill_mode="nearest", seed=seed),
            keras.layers.RandomTranslation(0.1, 0.1, fill_mode="nearest", seed=seed),
            keras.layers.RandomZoom(0.1, fill_mode="nearest", seed=seed),
            keras.layers.RandomBrightness(0.2, value_range=(-1.0, 1.0), seed=seed),
        ]
    )
    levels = [r for r in blur_levels]

    def blur(images):
        """Each image of the batch box-blurred by one of the levels, picked at random."""
        if levels == [0]:
            return images
        versions = tf.stack(
            [images if r == 0 else tf.nn.avg_pool2d(images, 2 * r + 1, 1, "SAME") for r in levels], axis=1
        )
        pick = tf.random.uniform((tf.shape(images)[0],), 0, len(levels), dtype=tf.int32, seed=seed)
        return tf.gather(versions, pick, axis=1, batch_dims=1)

    def augmented(images, targets, sample_weights):
        return blur(augment(images, training=True)), targets, sample_weights

    def dataset(faces: LabelledFaces, shuffle: bool):
        x = _model_input(faces.images)
        y = np.eye(N_EMOTIONS, dtype=np.float32)[faces.labels]
        w = weights[faces.labels].astype(np.float32)
        ds = tf.data.Dataset.from_tensor_slices((x, y, w) if shuffle else (x, y))
        if shuffle:
            ds = ds.shuffle(len(x), seed=seed).batch(batch_size)
            ds = ds.map(augmented, num_parallel_calls=tf.data.AUTOTUNE)
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
    _write_atomic(int8, keras_to_int8_tflite_bytes(published, _model_input(calibration_faces(train_set))))
    table = compare_exports(published, keras_path, [tflite_path, int8], check.images, check.labels)
    table_on = f"the {len(check)} validation faces" if val_set is not None else f"the {len(check)} training faces"
    validation = None if val_set is None else evaluate(tflite_path, val_set)
    curve = write_training_curve(history.history, curve_path)
    named = {EMOTIONS[i]: float(weights[i]) for i in range(N_EMOTIONS)}
    return TrainingResult(keras_path, tflite_path, int8, curve, len(history.epoch), parity, validation,
                          table, table_on, named)


def write_training_curve(history: dict, path: Path) -> Path | None:
    """Loss and accuracy per epoch (training and validation) as a PNG; ``None`` without
    matplotlib."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        return None
    fig = Figure(figsize=(9.0, 3.6), dpi=100)
    FigureCanvasAgg(fig)
    for i, metric in enumerate(("loss", "accuracy")):
        ax = fig.add_subplot(1, 2, i + 1)
        for key, label in ((metric, "training"), (f"val_{metric}", "validation")):
            if key in history:
                values = history[key]
                ax.plot(range(1, len(values) + 1), values, marker="o", markersize=3, label=label)
        ax.set_xlabel("epoch")
        ax.set_title(metric)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    try:
        fig.savefig(path)
    except OSError as err:
        raise OutputError(f"Cannot write {path}: {err.strerror}.") from err
    return path


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


# -- image-quality sweeps ------------------------------------------------------------------

