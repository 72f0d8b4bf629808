"""Labelled faces for the model tools: a FER2013-format CSV or a folder per emotion.

Labelled data comes in one of two forms:

* a FER2013-format CSV: columns ``emotion`` (0..6 in EMOTIONS order), ``pixels`` (a
  square gray image as space-separated 0..255 values, 48x48 in FER2013) and optionally
  ``Usage`` (``Training``, ``PublicTest``, ``PrivateTest``);
* a folder with one subfolder per emotion name (``happy/``, ``neutral/``...) holding
  face-crop images in any format OpenCV reads.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import cv2
import numpy as np

from acting_mirror.core.types import EMOTIONS, N_EMOTIONS
from acting_mirror.errors import SourceError



IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".pgm", ".ppm", ".tif", ".tiff", ".webp"})

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


def _model_input(images: np.ndarray) -> np.ndarray:
    """Gray uint8 crops ``(N, H, W)`` as the model sees them: ``(N, H, W, 1)`` in [-1, 1]."""
    return (images.astype(np.float32) / 255.0 * 2.0 - 1.0)[..., None]
