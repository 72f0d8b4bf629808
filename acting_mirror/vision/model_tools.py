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

from acting_mirror.core.metrics import Metrics, classification_metrics
from acting_mirror.core.types import EMOTIONS, N_EMOTIONS, Box
from acting_mirror.errors import DependencyError, ModelError, OutputError, SourceError
from acting_mirror.vision.classifier import LiteRTEmotionClassifier
from acting_mirror.vision.crops import aligned_crop, extract_crops, face_eye_angle, square_crop_box

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
    for file, label in _folder_files(folder):
        image = cv2.imread(str(file), cv2.IMREAD_GRAYSCALE)
        if image is None:
            raise SourceError(f"The image {file} cannot be read.")
        images.append(_resize(image, size))
        labels.append(label)
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


def _labelled_items(data: Path, usage: str | None, colour: bool = False):
    """``(count, iterator of (uint8 image as stored, label))`` of a CSV or folder: gray,
    or with ``colour`` BGR for folder images (a CSV is gray either way).

    A folder is read one image at a time (its photos may be large); a CSV at once.
    """
    if not data.exists():
        raise SourceError(f"The labelled data {data} does not exist.")
    if data.is_file():
        faces = load_labelled_faces(data, usage=usage)
        return len(faces), zip(faces.images, faces.labels)
    if usage is not None:
        raise SourceError(f"{data} is a folder: it has no Usage column to pick '{usage}' rows from.")
    files = _folder_files(data)

    def read():
        for file, label in files:
            image = cv2.imread(str(file), cv2.IMREAD_COLOR if colour else cv2.IMREAD_GRAYSCALE)
            if image is None:
                raise SourceError(f"The image {file} cannot be read.")
            yield image, label

    return len(files), read()


def _folder_files(folder: Path) -> list[tuple[Path, int]]:
    subfolders = [p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")]
    for sub in subfolders:
        if sub.name.lower() not in EMOTIONS:
            raise SourceError(
                f"{folder} has a subfolder '{sub.name}' that is not an emotion; "
                f"expected some of: {', '.join(EMOTIONS)}."
            )
    files = []
    for sub in sorted(subfolders, key=lambda p: (EMOTIONS.index(p.name.lower()), p.name)):
        label = EMOTIONS.index(sub.name.lower())
        files += [(f, label) for f in sorted(sub.iterdir()) if f.suffix.lower() in IMAGE_SUFFIXES]
    if not files:
        raise SourceError(f"{folder} holds no images in emotion-named subfolders ({', '.join(EMOTIONS)}).")
    return files


def box_blur(gray: np.ndarray, radius: int) -> np.ndarray:
    """A box blur of ``radius`` pixels: each pixel the mean of the (2r+1)^2 square around it
    (edges repeated); radius 0 is the image itself."""
    if radius <= 0:
        return gray
    side = 2 * int(radius) + 1
    return cv2.blur(gray, (side, side), borderType=cv2.BORDER_REPLICATE)


@dataclass(frozen=True)
class EvaluationResult:
    """How a model did on labelled faces: ``metrics`` on the images as stored, and with
    ``--blur``, ``blur[radius]`` the metrics with that box blur. With ``detect``,
    ``not_found`` faces were missed by the detector and are left out of the metrics."""

    model: str
    data: str
    metrics: Metrics
    blur: dict[int, Metrics] = field(default_factory=dict)
    detect: bool = False
    not_found: int = 0
    aligned: int | None = None  # faces whose eye line was levelled (with align)
    options: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        return self.metrics.n

    @property
    def accuracy(self) -> float | None:
        return self.metrics.accuracy

    @property
    def confusion(self) -> np.ndarray:
        return self.metrics.confusion

    def to_dict(self) -> dict:
        """``n, accuracy, macro_f1, labels, per_class, confusion`` (+ ``blur``, + ``detect``)."""
        result = self.metrics.to_dict()
        if self.blur:
            result["blur"] = {
                str(r): {"accuracy": m.accuracy, "macro_f1": m.macro_f1} for r, m in sorted(self.blur.items())
            }
        if self.detect:
            result["detect"] = {"found": self.metrics.n, "not_found": self.not_found}
        return result


def score(labels: np.ndarray, predicted: np.ndarray, *, model: str = "", data: str = "") -> EvaluationResult:
    """The metrics of ``predicted`` against ``labels`` (EMOTIONS indices)."""
    return EvaluationResult(model, data, classification_metrics(labels, predicted))


def parse_radii(text: str) -> tuple[int, ...]:
    """``"0,2,4"`` -> ``(0, 2, 4)``: whole pixel radii, each 0..100, no repeats, in order given."""
    radii = []
    for part in text.split(","):
        part = part.strip()
        if not part.isdigit() or int(part) > 100:
            raise ValueError(f"'{part}' is not a blur radius in pixels (a whole number 0..100)")
        if int(part) not in radii:
            radii.append(int(part))
    if not radii:
        raise ValueError("give at least one blur radius")
    return tuple(radii)


class _Cropper:
    """Stored image -> the face crop(s) the model sees, once per blur radius."""

    UPSCALE = 160  # a small stored crop is enlarged to this for MTCNN to find its landmarks

    def __init__(self, size: tuple[int, int], *, detect: bool, align: bool, margin: float = 0.1):
        self.size, self.detect, self.align, self.margin = size, detect, align, margin
        self.detector = None
        self.aligned = 0
        if detect or align:
            from acting_mirror.vision.mtcnn import MtcnnDetector

            self.detector = MtcnnDetector(min_face_size=20) if detect else MtcnnDetector(min_face_size=12)

    def locate(self, gray: np.ndarray) -> tuple[Box, float | None] | None:
        """Where the face is in the stored image (gray, or BGR for detection) and its
        eye angle; ``None``: not found."""
        height, width = gray.shape[:2]
        if self.detect:
            faces = self.detector.detect(gray)
            if not faces:
                return None
            face = max(faces, key=lambda f: f.box.area)
            angle = face_eye_angle(face.landmarks) if self.align else None
            return face.box, angle
        whole = Box(0, 0, width, height)
        if not self.align:
            return whole, None
        # a stored crop: find its eyes on an enlarged copy with a border
        scale = self.UPSCALE / max(width, height)
        big = cv2.resize(gray, (max(1, round(width * scale)), max(1, round(height * scale))),
                         interpolation=cv2.INTER_CUBIC)
        pad = self.UPSCALE // 4
        big = cv2.copyMakeBorder(big, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
        faces = self.detector.detect(big)
        if not faces:
            return whole, None
        face = max(faces, key=lambda f: f.box.area)
        return whole, face_eye_angle(face.landmarks)

    def crop(self, gray: np.ndarray, where: tuple[Box, float | None]) -> np.ndarray:
        box, angle = where
        height, width = gray.shape[:2]
        margin = self.margin if self.detect else 0.0  # a stored crop already has its margin
        if angle is not None:
            return aligned_crop(gray, box, self.size, angle, margin)
        square = square_crop_box(box, width, height, margin) if self.detect else box
        return extract_crops(gray, [square], self.size)[0]


def evaluate(
    model_path: Path | str | None,
    data: Path | str | LabelledFaces,
    *,
    usage: str | None = None,
    blur: tuple[int, ...] = (),
    align: bool = False,
    clahe: bool = False,
    detect: bool = False,
    batch_size: int = 64,
    progress: Progress | None = None,
) -> EvaluationResult:
    """Run the model (``None``: the bundled one) over labelled faces and score it.

    ``blur`` radii re-score every face after a box blur of that many pixels on the image
    as stored. ``detect``: the images are photos, the largest face MTCNN finds in each is
    cropped as the app crops it (found on the clean image, then cut from each blurred
    one); photos without a face are counted in ``not_found``. ``align`` levels the eye
    line (MTCNN's eye points; on stored crops MTCNN looks for them on an enlarged copy);
    ``clahe`` equalises each crop before the model.
    """
    classifier = LiteRTEmotionClassifier(None if model_path is None else Path(model_path), clahe=clahe)
    blur = tuple(dict.fromkeys(int(r) for r in blur))
    radii = tuple(dict.fromkeys((0,) + blur))
    if isinstance(data, LabelledFaces):
        total, items, source = len(data), zip(data.images, data.labels), "labelled faces"
    else:
        total, items = _labelled_items(Path(data), usage, colour=detect)  # MTCNN sees colour
        source = str(data)
    cropper = _Cropper(classifier.input_size, detect=detect, align=align, margin=classifier.crop_margin)
    labels: list[int] = []
    predicted = {r: [] for r in radii}
    pending: dict[int, list[np.ndarray]] = {r: [] for r in radii}
    not_found = done = 0

    def flush() -> None:
        for r in radii:
            if pending[r]:
                predicted[r].extend(classifier.predict(np.stack(pending[r])).argmax(axis=1).tolist())
                pending[r].clear()

    for image, label in items:
        done += 1
        where = cropper.locate(image)
        if image.ndim == 3:
            image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        if where is None:
            not_found += 1
        else:
            if align and where[1] is not None:
                cropper.aligned += 1
            labels.append(int(label))
            for r in radii:
                pending[r].append(cropper.crop(box_blur(image, r), where))
            if len(pending[0]) >= batch_size:
                flush()
        if progress is not None and (detect or align or done % batch_size == 0 or done == total):
            progress(done, total)  # every photo when MTCNN makes each one slow
    flush()
    if not labels:
        raise SourceError(f"No face was found in any of the {total} images of {source}.")
    per_radius = {r: classification_metrics(labels, predicted[r]) for r in radii}
    options = tuple(name for name, on in (("detect", detect), ("align", align), ("clahe", clahe)) if on)
    return EvaluationResult(
        model=classifier.name,
        data=source,
        metrics=per_radius[0],
        blur={r: per_radius[r] for r in blur},
        detect=detect,
        not_found=not_found,
        aligned=cropper.aligned if align else None,
        options=options,
    )


def check_plot_targets(folder: Path | str, blur: bool) -> list[Path]:
    """The plot files ``write_plots`` will write, after checking matplotlib is there and
    none of them exists (so a long evaluation does not end in that error)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as err:
        raise DependencyError("--plots needs matplotlib: pip install 'acting-mirror[tools]'") from err
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder} is a file, not a folder for the plots.")
    targets = [folder / "confusion.png"] + ([folder / "blur.png"] if blur else [])
    for path in targets:
        if path.exists():
            raise OutputError(f"{path} already exists; choose another folder for the plots.")
    return targets


def write_plots(result: EvaluationResult, folder: Path | str) -> list[Path]:
    """``confusion.png`` (rows normalised, counts written in) and, with blur radii,
    ``blur.png`` (accuracy and macro-F1 against the radius) into ``folder``. Needs
    matplotlib (the ``tools`` extra); never overwrites."""
    targets = check_plot_targets(folder, bool(result.blur))
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"Cannot create {folder}: {err.strerror}.") from err

    confusion = result.confusion.astype(float)
    rows = confusion.sum(axis=1, keepdims=True)
    share = np.divide(confusion, rows, out=np.zeros_like(confusion), where=rows > 0)
    fig = Figure(figsize=(6.4, 5.6), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    im = ax.imshow(share, cmap="Blues", vmin=0.0, vmax=1.0)
    ax.set_xticks(range(N_EMOTIONS), EMOTIONS, rotation=45, ha="right")
    ax.set_yticks(range(N_EMOTIONS), EMOTIONS)
    ax.set_xlabel("read as")
    ax.set_ylabel("labelled")
    for i in range(N_EMOTIONS):
        for j in range(N_EMOTIONS):
            if result.confusion[i, j]:
                ax.text(j, i, str(int(result.confusion[i, j])), ha="center", va="center",
                        color="white" if share[i, j] > 0.5 else "black", fontsize=8)
    acc = result.accuracy
    ax.set_title(f"{result.model}: {result.count} faces, accuracy {acc:.1%}" if acc is not None else result.model)
    fig.colorbar(im, ax=ax, fraction=0.046, label="share of the labelled emotion")
    fig.tight_layout()
    written = []
    try:
        fig.savefig(targets[0])
        written.append(targets[0])
        if result.blur:
            radii = sorted(result.blur)
            fig = Figure(figsize=(6.4, 4.0), dpi=100)
            FigureCanvasAgg(fig)
            ax = fig.add_subplot()
            for key, label in (("accuracy", "accuracy"), ("macro_f1", "macro-F1")):
                values = [getattr(result.blur[r], key) for r in radii]
                ax.plot(radii, [np.nan if v is None else v for v in values], marker="o", label=label)
            ax.set_xlabel("box blur radius (pixels, on the image as stored)")
            ax.set_ylim(0.0, 1.0)
            ax.grid(alpha=0.3)
            ax.legend()
            ax.set_title(f"{result.model} against blur ({result.count} faces)")
            fig.tight_layout()
            fig.savefig(targets[1])
            written.append(targets[1])
    except OSError as err:
        raise OutputError(f"Cannot write the plots into {folder}: {err.strerror}.") from err
    return written


# -- TensorFlow tools ----------------------------------------------------------------------


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


# -- image-quality sweeps ------------------------------------------------------------------

AGREEMENT_FLOOR = 0.75
"""A reading is called reliable while at least this share of faces keep their clean reading."""

SWEEP_BLUR = (0, 1, 2, 3, 4, 6)  # box blur radius on the crop at the model's 64 px
SWEEP_DARK = (1.0, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2, 0.15, 0.1)
SWEEP_BRIGHT = (1.0, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2, 0.15, 0.1)
SWEEP_SIZES = (96, 64, 48, 40, 32, 24, 20, 16, 12, 8)


@dataclass(frozen=True)
class ReferenceFace:
    name: str
    crop: np.ndarray  # gray uint8, the classifier's square crop (10% margin) at native resolution
    face_px: int  # the face box's shorter side in the image
    label: int | None  # EMOTIONS index when known


def reference_faces() -> list[ReferenceFace]:
    """What this project can build with a clear licence: the two bundled public-domain
    portraits (MTCNN's box, cropped as the app does) and the first 100 faces of
    scikit-image's LFW subset (25x25 tight crops; needs scikit-image)."""
    from acting_mirror import config
    from acting_mirror.vision.mtcnn import MtcnnDetector

    faces = []
    detector = MtcnnDetector()
    labels = {"astronaut": EMOTIONS.index("happy"), "grace_hopper": EMOTIONS.index("neutral")}
    for name, label in labels.items():
        image = cv2.imread(str(config.assets_dir() / "portraits" / f"{name}.jpg"))
        box = max(detector.detect(image), key=lambda f: f.box.area).box
        gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        square = square_crop_box(box, gray.shape[1], gray.shape[0], 0.1)
        faces.append(ReferenceFace(name, gray[square.y : square.y2, square.x : square.x2].copy(),
                                   min(box.w, box.h), label))
    try:
        from skimage import data
    except ImportError as err:
        raise DependencyError("The quality sweep needs scikit-image: pip install scikit-image") from err
    lfw = np.round(data.lfw_subset()[:100] * 255.0).astype(np.uint8)
    faces += [ReferenceFace(f"lfw_{i}", face, int(round(25 / 1.2)), None) for i, face in enumerate(lfw)]
    return faces


def _at(crop: np.ndarray, side: int = 64) -> np.ndarray:
    return cv2.resize(crop, (side, side), interpolation=cv2.INTER_AREA if crop.shape[0] >= side else cv2.INTER_CUBIC)


def quality_sweep(faces: list[ReferenceFace] | None = None, model_path: Path | str | None = None,
                  *, min_confidence: float = 0.0) -> dict:
    """How blur, darkness, glare and face size change the readings, and what the
    quality measures read at each level.

    Each face's clean reading is its reference (the known label is reported apart for
    the portraits). Per sweep and level: ``agreement`` (share of faces whose reading is
    unchanged), ``sharpness``/``brightness`` (median of the measure) and, with labels,
    ``accuracy``. ``pooled`` bins every degraded crop by its measure and gives the
    agreement per bin: where it crosses :data:`AGREEMENT_FLOOR` is the threshold.
    """
    from acting_mirror.core.quality import QUALITY_SIDE, face_brightness, laplacian_variance

    faces = reference_faces() if faces is None else faces
    classifier = LiteRTEmotionClassifier(None if model_path is None else Path(model_path))
    size = classifier.input_size
    clean = classifier.predict(np.stack([_at(f.crop, size[0]) for f in faces]))
    confident = clean.max(axis=1) >= min_confidence
    faces = [f for f, keep in zip(faces, confident) if keep]
    if not faces:
        raise SourceError(f"No reference face is read with a confidence of {min_confidence:.0%} or more.")
    reference = clean[confident].argmax(axis=1)
    labelled = [i for i, f in enumerate(faces) if f.label is not None]

    def row(level, crops: list[np.ndarray], keep: np.ndarray | None = None) -> dict:
        idx = np.arange(len(faces)) if keep is None else keep
        model_crops = np.stack([_at(c, size[0]) for c in crops])
        quality = [_at(c, QUALITY_SIDE) for c in crops]
        read = classifier.predict(model_crops).argmax(axis=1)
        agree = read == reference[idx]
        sharp = np.array([laplacian_variance(q) for q in quality])
        bright = np.array([face_brightness(q) for q in quality])
        lab = [k for k, i in enumerate(idx) if i in labelled]
        accuracy = (float(np.mean([read[k] == faces[idx[k]].label for k in lab])) if lab else None)
        return {"level": level, "n": int(len(idx)), "agreement": float(agree.mean()),
                "accuracy": accuracy, "sharpness": float(np.median(sharp)), "brightness": float(np.median(bright)),
                "_agree": agree, "_sharp": sharp, "_bright": bright}

    blur = [row(r, [box_blur(_at(f.crop, QUALITY_SIDE), r) for f in faces]) for r in SWEEP_BLUR]
    dark = [row(g, [np.clip(f.crop.astype(np.float32) * g, 0, 255).astype(np.uint8) for f in faces])
            for g in SWEEP_DARK]
    bright = [row(g, [(255 - np.clip((255 - f.crop.astype(np.float32)) * g, 0, 255)).astype(np.uint8)
                      for f in faces]) for g in SWEEP_BRIGHT]
    sizes = []
    for s in SWEEP_SIZES:
        keep = np.array([i for i, f in enumerate(faces) if f.face_px >= s])
        if len(keep) == 0:
            continue
        side = max(3, int(round(s * 1.2)))
        shrunk = [cv2.resize(faces[i].crop, (side, side), interpolation=cv2.INTER_AREA) for i in keep]
        sizes.append(row(s, shrunk, keep))

    def pooled(rows: list[dict], key: str, edges: list[float]) -> list[dict]:
        values = np.concatenate([r[key] for r in rows])
        agree = np.concatenate([r["_agree"] for r in rows])
        out = []
        for lo, hi in zip(edges[:-1], edges[1:]):
            mask = (values >= lo) & (values < hi)
            if mask.any():
                out.append({"from": lo, "to": hi, "n": int(mask.sum()), "agreement": float(agree[mask].mean())})
        return out

    public = lambda rows: [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows]  # noqa: E731
    return {
        "faces": len(faces),
        "labelled": len(labelled),
        "min_confidence": min_confidence,
        "model": classifier.name,
        "blur": public(blur),
        "dark": public(dark),
        "bright": public(bright),
        "size": public(sizes),
        "pooled_sharpness": pooled(blur + sizes, "_sharp",
                                   [0, 5, 10, 15, 20, 25, 30, 40, 50, 60, 80, 100, 150, 200, 300, 1e9]),
        "pooled_brightness": pooled(dark + bright, "_bright",
                                    [0, 10, 20, 25, 30, 35, 40, 45, 50, 60, 80, 100, 160, 180, 200, 210,
                                     215, 220, 230, 245, 256]),
    }


def format_sweep(sweep: dict) -> str:
    def pct(v):
        return "-" if v is None else f"{v:.0%}"

    kept = f", clean reading at least {sweep['min_confidence']:.0%} sure" if sweep["min_confidence"] else ""
    lines = [f"{sweep['model']} on {sweep['faces']} reference faces ({sweep['labelled']} labelled{kept}); "
             "agreement = share whose reading is unchanged from the clean face"]
    for key, title in (("blur", "box blur radius (px at 64x64)"), ("dark", "darkened: gain"),
                       ("bright", "washed out: gain toward white"), ("size", "face size (px)")):
        lines += ["", f"{title:<32}{'n':>5}{'agreement':>11}{'accuracy':>10}{'sharpness':>11}{'brightness':>12}"]
        for r in sweep[key]:
            lines.append(f"{r['level']!s:<32}{r['n']:>5}{pct(r['agreement']):>11}{pct(r['accuracy']):>10}"
                         f"{r['sharpness']:>11.0f}{r['brightness']:>12.0f}")
    for key, title in (("pooled_sharpness", "sharpness (blur and size sweeps)"),
                       ("pooled_brightness", "brightness (dark and bright sweeps, pooled)")):
        lines += ["", f"{title:<32}{'n':>5}{'agreement':>11}"]
        for b in sweep[key]:
            span = f"{b['from']:g} to {b['to']:g}" if b["to"] < 1e8 else f"{b['from']:g} and over"
            lines.append(f"{span:<32}{b['n']:>5}{pct(b['agreement']):>11}")
    return "\n".join(lines)


def derive_thresholds(sweep: dict, floor: float = AGREEMENT_FLOOR) -> dict:
    """The quality thresholds a sweep supports: walking from the clean values outwards,
    the edge of the first bin (or size) where agreement falls under ``floor``.

    ``min_sharpness``: the lower edge of the last sharpness bin, from the top, whose
    agreement (and every sharper bin's) is at least ``floor``; ``min_brightness`` and
    ``max_brightness`` likewise from the middle brightness bin (100..160) down and up;
    ``min_face_px``: the smallest face size whose agreement, and every larger size's, is
    at least ``floor``.
    """

    def walk(bins: list[dict], edge: str) -> float | None:
        last = None
        for b in bins:
            if b["agreement"] < floor:
                break
            last = b[edge]
        return last

    sharp = sorted(sweep["pooled_sharpness"], key=lambda b: -b["from"])
    bright = sweep["pooled_brightness"]
    middle = [b for b in bright if b["from"] >= 100 and b["to"] <= 160]
    low = sorted([b for b in bright if b["to"] <= 100] + middle, key=lambda b: -b["from"])
    high = sorted(middle + [b for b in bright if b["from"] >= 160], key=lambda b: b["from"])
    sizes = sorted(sweep["size"], key=lambda r: -r["level"])
    min_px = None
    for r in sizes:
        if r["agreement"] < floor:
            break
        min_px = r["level"]
    return {
        "min_sharpness": walk(sharp, "from"),
        "min_brightness": walk(low, "from"),
        "max_brightness": walk(high, "to"),
        "min_face_px": min_px,
    }


def write_reference_sets(folder: Path | str) -> dict[str, int]:
    """Write the small labelled sets docs/model.md measures into ``folder`` (needs
    scikit-image); returns how many images each holds.

    * ``portraits/``: the two bundled portraits and their mirror images, uncropped
      (``--detect``), labelled by the expression they show (happy, neutral);
    * ``portraits_tilted/``: those four turned by -30, -15, 15 and 30 degrees;
    * ``lfw_pseudo/``: the first 100 faces of scikit-image's LFW subset (25x25 crops),
      labelled with the bundled model's own clean reading: they measure how stable a
      reading is, not whether it is right (LFW has no emotion labels);
    * ``lfw_pseudo_dark/``: the same faces at 30% of their brightness, same labels.
    """
    from acting_mirror import config

    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise OutputError(f"{folder} is not empty; choose a new folder for the reference sets.")
    try:
        from skimage import data
    except ImportError as err:
        raise DependencyError("The reference sets need scikit-image: pip install scikit-image") from err
    counts: dict[str, int] = {}

    def put(kind: str, emotion: str, name: str, image: np.ndarray) -> None:
        (folder / kind / emotion).mkdir(parents=True, exist_ok=True)
        if not cv2.imwrite(str(folder / kind / emotion / name), image):
            raise OutputError(f"Cannot write {folder / kind / emotion / name}.")
        counts[kind] = counts.get(kind, 0) + 1

    for emotion, name in (("happy", "astronaut"), ("neutral", "grace_hopper")):
        photo = cv2.imread(str(config.assets_dir() / "portraits" / f"{name}.jpg"))
        for flipped in (False, True):
            image = cv2.flip(photo, 1) if flipped else photo
            stem = name + ("_flipped" if flipped else "")
            put("portraits", emotion, f"{stem}.png", image)
            h, w = image.shape[:2]
            for angle in (-30, -15, 15, 30):
                turn = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
                tilted = cv2.warpAffine(image, turn, (w, h), borderMode=cv2.BORDER_REPLICATE)
                put("portraits_tilted", emotion, f"{stem}_{angle:+d}.png", tilted)
    lfw = np.round(data.lfw_subset()[:100] * 255.0).astype(np.uint8)
    readings = LiteRTEmotionClassifier().predict(lfw).argmax(axis=1)
    for i, (face, label) in enumerate(zip(lfw, readings)):
        put("lfw_pseudo", EMOTIONS[label], f"lfw_{i:03d}.png", face)
        put("lfw_pseudo_dark", EMOTIONS[label], f"lfw_{i:03d}.png", (face * 0.3).astype(np.uint8))
    return counts
