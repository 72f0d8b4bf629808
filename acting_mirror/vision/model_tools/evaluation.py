"""Evaluating an emotion model on labelled faces with the app's own LiteRT classifier
(no TensorFlow): accuracy, per-class metrics, blur robustness and plots.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from acting_mirror.core.metrics import Metrics, classification_metrics
from acting_mirror.core.types import EMOTIONS, N_EMOTIONS, Box
from acting_mirror.errors import DependencyError, OutputError, SourceError
from acting_mirror.vision.classifier import LiteRTEmotionClassifier
from acting_mirror.vision.crops import aligned_crop, extract_crops, face_eye_angle, square_crop_box

from acting_mirror.vision.model_tools.datasets import LabelledFaces, Progress, _labelled_items


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


