"""``acting-mirror model``: evaluate, export or retrain the emotion model.

``model evaluate DATA`` scores a TFLite model (the bundled one by default) on labelled
faces and needs no TensorFlow. ``model export`` and ``model train`` need the ``tools``
extra (TensorFlow).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

EMOTION_NAMES = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")

DATA_HELP = (
    "labelled faces: a FER2013-format CSV (columns emotion, pixels[, Usage]) or a folder "
    "with one subfolder per emotion name (angry, disgust, fear, happy, sad, surprise, "
    "neutral) holding face crops"
)


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "model",
        help="evaluate, export or retrain the emotion model",
        description="Tools for the emotion model: measure it on labelled faces, convert a "
        "Keras model to TFLite, or train a mini-Xception from scratch. Export and train "
        "need TensorFlow: pip install 'acting-mirror[tools]'.",
    )
    actions = p.add_subparsers(dest="model_action", metavar="ACTION", required=True)

    ev = actions.add_parser(
        "evaluate", help="accuracy, macro-F1, per-emotion precision/recall/F1, confusion matrix",
        description="Run an emotion model over labelled faces and report its accuracy, macro-F1, "
        "each emotion's precision, recall, F1 and support, and the confusion matrix (rows: "
        "labelled, columns: read as). --blur re-scores after box blurs; --plots draws them.",
    )
    ev.add_argument("data", metavar="DATA", type=Path, help=DATA_HELP)
    ev.add_argument("--model", metavar="PATH", type=Path, default=None,
                    help="a TFLite emotion model, float32 or int8 (default: the bundled mini-Xception)")
    ev.add_argument("--usage", metavar="USAGE", default=None,
                    help="only the CSV rows with this Usage, e.g. PrivateTest (FER2013's test set)")
    ev.add_argument("--blur", metavar="R1,R2,...", type=_radii, default=(),
                    help="also score after a box blur of each radius in pixels (0 = none) on "
                    "every image as stored, e.g. --blur 0,1,2,4,8")
    ev.add_argument("--align", action="store_true",
                    help="level the eye line before reading (MTCNN's eye points)")
    ev.add_argument("--clahe", action="store_true",
                    help="equalise each face crop's contrast (CLAHE) before reading")
    ev.add_argument("--detect", action="store_true",
                    help="the images are uncropped photos: find the largest face in each "
                    "(MTCNN) and crop it as the app does; photos with no face are counted")
    ev.add_argument("--plots", metavar="DIR", type=Path, default=None,
                    help="write confusion.png (and blur.png with --blur) into DIR (needs matplotlib)")
    ev.add_argument("--json", action="store_true", help="print the result as JSON")

    ex = actions.add_parser(
        "export", help="convert a Keras emotion model to float32 (and int8) TFLite",
        description="Convert a Keras model (.keras or .h5, input 48x48 or 64x64 gray, 7 "
        "outputs in the app's emotion order) to a float32 TFLite file and check that "
        "TFLite reproduces Keras. --int8 also writes OUT_int8.tflite, quantised to int8 with "
        "scales calibrated on the --calibration faces, and prints size, accuracy, agreement "
        "with Keras and latency per face of the three side by side.",
    )
    ex.add_argument("keras_file", metavar="KERAS_FILE", type=Path)
    ex.add_argument("--out", metavar="OUT.tflite", type=Path, required=True)
    ex.add_argument("--int8", action="store_true", help="also write an int8 model next to OUT")
    ex.add_argument("--calibration", metavar="DATA", type=Path, default=None,
                    help="labelled faces to calibrate int8 on and to compare the models on "
                    "(needed with --int8; " + DATA_HELP + ")")
    ex.add_argument("--usage", metavar="USAGE", default=None,
                    help="only the calibration CSV's rows with this Usage, e.g. Training")
    ex.add_argument("--force", action="store_true", help="overwrite OUT if it exists")

    tr = actions.add_parser(
        "train", help="train a mini-Xception on labelled faces, then export it",
        description="Train the mini-Xception of Arriaga et al. (2017) from scratch on "
        "labelled faces and write emotion_mini_xception.keras, .tflite, _int8.tflite and "
        "training_curve.png into DIR. A FER2013 CSV trains on its Training rows and "
        "validates on PublicTest; other data holds out a random --validation share.",
    )
    tr.add_argument("data", metavar="DATA", type=Path, help=DATA_HELP)
    tr.add_argument("--out", metavar="DIR", type=Path, required=True)
    tr.add_argument("--epochs", metavar="N", type=_positive, default=30, help="at most N epochs (default 30)")
    tr.add_argument("--input-size", type=int, choices=(48, 64), default=48,
                    help="model input side in pixels (default 48, FER2013's own size)")
    tr.add_argument("--batch-size", metavar="N", type=_positive, default=32)
    tr.add_argument("--validation", metavar="SHARE", type=_share, default=0.1,
                    help="share of the faces held out for validation when the data has no "
                    "Usage column (default 0.1; 0 = none)")
    tr.add_argument("--patience", metavar="N", type=_positive, default=10,
                    help="stop after N epochs without a better validation loss (default 10)")
    tr.add_argument("--blur-levels", metavar="R1,R2,...", type=_radii, default=(0,),
                    help="augment with a box blur of one of these radii (pixels at the input "
                    "size, 0 = none) per image, e.g. 0,1,2,3 (default: no blur)")
    tr.add_argument("--no-class-weights", dest="balance", action="store_false",
                    help="do not weigh rare emotions up (default: each emotion weighs the same)")
    tr.add_argument("--force", action="store_true", help="overwrite the files in DIR")

    xp = actions.add_parser(
        "explain", help="Grad-CAM: which regions of a face drove its reading",
        description="Find the main (largest) face in IMAGE, read it with the Keras emotion "
        "model and write a picture of the face beside a Grad-CAM heat map of the regions "
        "that drove the reading. Needs TensorFlow: pip install 'acting-mirror[tools]'.",
    )
    xp.add_argument("image", metavar="IMAGE", type=Path, help="a photo with a face (any format OpenCV reads)")
    xp.add_argument("--out", metavar="HEAT.png", type=Path, default=None,
                    help="where to write the picture (default: IMAGE's name + _gradcam.png, here)")
    xp.add_argument("--model", metavar="KERAS", type=Path, default=None,
                    help="a Keras emotion model, .keras or .h5 (default: the bundled weights of "
                    "the shipped model, models/emotion_mini_xception.hdf5)")
    xp.add_argument("--emotion", metavar="NAME", choices=EMOTION_NAMES, default=None,
                    help="explain this emotion's score instead of the top reading")
    xp.add_argument("--crop", action="store_true", help="IMAGE is already a face crop: no detection")
    xp.add_argument("--force", action="store_true", help="overwrite the output picture")

    qs = actions.add_parser(
        "quality-sweep", help="measure how blur, light and face size change the readings",
        description="Blur, darken, wash out and shrink reference faces (the two bundled "
        "portraits and 100 faces of scikit-image's LFW subset) and report, per level, how "
        "many keep their clean reading and what the image-quality measures read; then the "
        "thresholds those figures support (docs/model.md explains them).",
    )
    qs.add_argument("--model", metavar="PATH", type=Path, default=None, help="a TFLite emotion model")
    qs.add_argument("--min-confidence", metavar="P", type=_share, default=0.6,
                    help="only faces whose clean reading is at least this sure (default 0.6)")
    qs.add_argument("--json", action="store_true", help="print the figures as JSON")
    return p


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from err
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"must be from 0 up to 1, not {value}")
    return value


def _radii(text: str) -> tuple[int, ...]:
    from acting_mirror.vision.model_tools import parse_radii

    try:
        return parse_radii(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from err


def _print(text: str) -> None:
    """Print to stdout; a reader that went away (``| head -1``) ends the output quietly."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        # Python flushes stdout again at exit: point it at /dev/null so that is silent
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def run(args: argparse.Namespace) -> int:
    if args.model_action == "evaluate":
        return _evaluate(args)
    if args.model_action == "export":
        return _export(args)
    if args.model_action == "explain":
        return _explain(args)
    if args.model_action == "quality-sweep":
        return _quality_sweep(args)
    return _train(args)


class _Bar:
    """A tqdm bar on stderr that learns its total from the first ``(done, total)`` call.

    Nothing at all when stderr is not a terminal: even a disabled tqdm starts a monitor
    thread that outlives the command.
    """

    def __init__(self, desc: str, unit: str):
        self.desc, self.unit, self.bar = desc, unit, None
        self.enabled = sys.stderr.isatty()

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=self.desc, unit=self.unit, file=sys.stderr)
        self.bar.update(done - self.bar.n)

    def set_postfix(self, values: dict) -> None:
        if self.bar is not None:
            self.bar.set_postfix(values)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _evaluate(args: argparse.Namespace) -> int:
    from acting_mirror.vision.model_tools import check_plot_targets, evaluate, write_plots

    if args.plots is not None:
        check_plot_targets(args.plots, bool(args.blur))  # before, not after, a long run
    bar = _Bar("evaluating", "face")
    try:
        result = evaluate(args.model, args.data, usage=args.usage, blur=args.blur, align=args.align,
                          clahe=args.clahe, detect=args.detect, progress=bar)
    finally:
        bar.close()
    plots = write_plots(result, args.plots) if args.plots is not None else []
    if args.json:
        _print(json.dumps(result.to_dict(), indent=2))
    else:
        _print(format_evaluation(result))
        for path in plots:
            _print(f"wrote {path}")
    return 0


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def format_evaluation(result) -> str:
    """The evaluation as text: accuracy, macro-F1, a per-emotion table, the confusion
    matrix and, with blur radii, accuracy and macro-F1 per radius."""
    from acting_mirror.core.types import EMOTIONS

    m = result.metrics
    options = f" ({', '.join(result.options)})" if result.options else ""
    lines = [f"{result.model} on {result.data}{options}: {m.n} faces"]
    if result.detect:
        lines.append(f"faces not found  {result.not_found} (left out of the figures)")
    if result.aligned is not None:
        lines.append(f"eye line levelled on {result.aligned} of {m.n + result.not_found} images")
    lines += [
        f"accuracy  {_pct(m.accuracy)}",
        f"macro-F1  {_pct(m.macro_f1)}",
        "",
        f"{'':<9}{'precision':>10}{'recall':>8}{'F1':>8}{'support':>9}",
    ]
    for name, c in m.per_class.items():
        lines.append(f"{name:<9}{_pct(c.precision):>10}{_pct(c.recall):>8}{_pct(c.f1):>8}{c.support:>9}")
    lines += ["", "confusion (rows: labelled, columns: read as)"]
    width = max(len(name) for name in EMOTIONS) + 1
    lines.append(" " * width + "".join(f"{name:>{width}}" for name in EMOTIONS))
    for name, row in zip(EMOTIONS, m.confusion):
        lines.append(f"{name:<{width}}" + "".join(f"{int(n):>{width}}" for n in row))
    if result.blur:
        lines += ["", "box blur radius (px)  accuracy  macro-F1"]
        for radius, b in sorted(result.blur.items()):
            lines.append(f"{radius:>20}  {_pct(b.accuracy):>8}  {_pct(b.macro_f1):>8}")
    return "\n".join(lines)


def _export(args: argparse.Namespace) -> int:
    from acting_mirror.errors import ModelError, SourceError
    from acting_mirror.vision.model_tools import PARITY_TOLERANCE, export_keras_to_tflite

    if args.int8 and args.calibration is None:
        raise SourceError("--int8 needs --calibration DATA: labelled faces to calibrate the int8 scales on.")
    if args.calibration is not None and not args.int8:
        raise SourceError("--calibration is for --int8 only.")
    if args.int8:
        from acting_mirror.vision.model_tools import export_with_int8, format_comparison, load_labelled_faces

        calibration = load_labelled_faces(args.calibration, size=(64, 64), usage=args.usage)
        result = export_with_int8(args.keras_file, args.out, calibration, force=args.force)
        report = result.parity
    else:
        report = export_keras_to_tflite(args.keras_file, args.out, force=args.force)
    if not report.ok:
        args.out.unlink(missing_ok=True)
        raise ModelError(
            f"The TFLite conversion of {args.keras_file} differs from Keras by {report.max_abs_diff:.2g} "
            f"(limit {PARITY_TOLERANCE:g}), so {args.out} was not kept."
        )
    _print(f"wrote {args.out}: input {report.input_shape}, sha256 {report.sha256}")
    _print(f"TFLite matches Keras on {report.samples} inputs (largest difference {report.max_abs_diff:.2g})")
    if args.int8:
        _print(f"wrote {result.int8_path}: int8, calibrated on {args.calibration}")
        _print(format_comparison(result.table, f"{args.calibration} ({len(calibration)} faces)"))
    return 0


def _train(args: argparse.Namespace) -> int:
    from acting_mirror.vision.model_tools import format_comparison, train

    bar = _Bar("training", "epoch")

    def on_epoch(epoch: int, logs: dict) -> None:
        bar(epoch + 1, args.epochs)
        bar.set_postfix({k: f"{v:.3f}" for k, v in logs.items() if k in ("loss", "accuracy", "val_accuracy")})

    try:
        result = train(args.data, args.out, epochs=args.epochs, input_size=args.input_size,
                       batch_size=args.batch_size, validation_fraction=args.validation,
                       patience=args.patience, blur_levels=args.blur_levels, balance=args.balance,
                       force=args.force, on_epoch=on_epoch)
    finally:
        bar.close()
    _print(f"trained {result.epochs_run} epochs; wrote {result.keras_path}, {result.tflite_path.name}, "
           f"{result.int8_path.name}" + (f" and {result.curve_path.name}" if result.curve_path else ""))
    parity = result.parity
    if parity.ok:
        _print(f"TFLite matches Keras (largest difference {parity.max_abs_diff:.2g}), sha256 {parity.sha256}")
    else:
        print(f"warning: TFLite differs from Keras by {parity.max_abs_diff:.2g}", file=sys.stderr)
    _print("class weights  " + "  ".join(f"{k} {v:.2f}" for k, v in result.class_weights.items()))
    _print(format_comparison(result.table, result.table_on))
    if result.validation is not None:
        _print(format_evaluation(result.validation))
    return 0


def _explain(args: argparse.Namespace) -> int:
    import cv2

    from acting_mirror.core.types import EMOTIONS, Box
    from acting_mirror.errors import OutputError, SourceError

    out = args.out if args.out is not None else Path(f"{args.image.stem}_gradcam.png")
    if out.suffix.lower() not in (".png", ".jpg", ".jpeg", ".bmp", ".webp"):
        raise OutputError(f"{out} must end in .png (or another picture format such as .jpg).")
    if out.exists() and not args.force:
        raise OutputError(f"{out} already exists; choose another name or allow overwriting.")
    if not args.image.is_file():
        raise SourceError(f"The image {args.image} does not exist.")
    image = cv2.imread(str(args.image), cv2.IMREAD_COLOR)
    if image is None:
        raise SourceError(f"{args.image} is not an image OpenCV can read.")
    if args.crop:
        box = Box(0, 0, image.shape[1], image.shape[0])
        margin = 0.0
    else:
        from acting_mirror.vision.mtcnn import MtcnnDetector

        faces = MtcnnDetector(min_face_size=20).detect(image)
        if not faces:
            raise SourceError(f"No face was found in {args.image}; if it is already a face crop, add --crop.")
        box = max(faces, key=lambda f: f.box.area).box
        margin = 0.1
    from acting_mirror.vision.gradcam import explain_face, load_keras_model

    model = load_keras_model(args.model)
    explanation, picture = explain_face(model, image, box, emotion=args.emotion, margin=margin)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        written = cv2.imwrite(str(out), picture)
    except (OSError, cv2.error) as err:
        raise OutputError(f"Cannot write {out}: {err}.") from err
    if not written:
        raise OutputError(f"Cannot write {out}.")
    top = sorted(zip(EMOTIONS, explanation.probs), key=lambda kv: -kv[1])[:3]
    _print(f"{args.image}: face at {box.x},{box.y} {box.w}x{box.h} reads as "
           + ", ".join(f"{name} {p:.0%}" for name, p in top))
    _print(f"wrote {out}: Grad-CAM of {explanation.emotion} (layer {explanation.layer})")
    return 0


def _quality_sweep(args: argparse.Namespace) -> int:
    from acting_mirror.core.quality import DEFAULT_THRESHOLDS
    from acting_mirror.vision.model_tools import derive_thresholds, format_sweep, quality_sweep

    sweep = quality_sweep(model_path=args.model, min_confidence=args.min_confidence)
    derived = derive_thresholds(sweep)
    if args.json:
        _print(json.dumps({**sweep, "thresholds": derived}, indent=2))
        return 0
    _print(format_sweep(sweep))
    _print("")
    _print("thresholds these figures support (agreement at least 75% on every level up to them):")
    for key, value in derived.items():
        _print(f"  {key:<15}{'-' if value is None else f'{value:g}':>8}   (in use: {getattr(DEFAULT_THRESHOLDS, key):g})")
    return 0
