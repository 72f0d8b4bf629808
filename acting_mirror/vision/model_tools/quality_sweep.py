"""How the emotion model's agreement falls as a face's picture gets blurred, dark,
bright or small, measured on reference faces; the quality thresholds derived from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from acting_mirror.core.types import EMOTIONS
from acting_mirror.errors import DependencyError, OutputError, SourceError
from acting_mirror.vision.classifier import LiteRTEmotionClassifier
from acting_mirror.vision.crops import square_crop_box

from acting_mirror.vision.model_tools.evaluation import box_blur


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
