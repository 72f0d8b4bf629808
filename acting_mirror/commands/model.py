"""``acting-mirror model``: evaluate, export or retrain the emotion model.

``model evaluate DATA`` scores a TFLite model (the bundled one by default) on labelled
faces and needs no TensorFlow. ``model export`` and ``model train`` need the ``tools``
extra (TensorFlow).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

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
        "evaluate", help="accuracy, per-emotion recall and confusion matrix on labelled faces",
        description="Run an emotion model over labelled faces and report its accuracy, its "
        "recall for each emotion and the confusion matrix.",
    )
    ev.add_argument("data", metavar="DATA", type=Path, help=DATA_HELP)
    ev.add_argument("--model", metavar="PATH", type=Path, default=None,
                    help="a TFLite emotion model (default: the bundled mini-Xception)")
    ev.add_argument("--usage", metavar="USAGE", default=None,
                    help="only the CSV rows with this Usage, e.g. PrivateTest (FER2013's test set)")
    ev.add_argument("--json", action="store_true", help="print the result as JSON")

    ex = actions.add_parser(
        "export", help="convert a Keras emotion model to float32 TFLite",
        description="Convert a Keras model (.keras or .h5, input 48x48 or 64x64 gray, 7 "
        "outputs in the app's emotion order) to a float32 TFLite file and check that "
        "TFLite reproduces Keras.",
    )
    ex.add_argument("keras_file", metavar="KERAS_FILE", type=Path)
    ex.add_argument("--out", metavar="OUT.tflite", type=Path, required=True)
    ex.add_argument("--force", action="store_true", help="overwrite OUT if it exists")

    tr = actions.add_parser(
        "train", help="train a mini-Xception on labelled faces, then export it",
        description="Train the mini-Xception of Arriaga et al. (2017) from scratch on "
        "labelled faces and write emotion_mini_xception.keras and .tflite into DIR. A "
        "FER2013 CSV trains on its Training rows and validates on PublicTest.",
    )
    tr.add_argument("data", metavar="DATA", type=Path, help=DATA_HELP)
    tr.add_argument("--out", metavar="DIR", type=Path, required=True)
    tr.add_argument("--epochs", metavar="N", type=_positive, default=30, help="at most N epochs (default 30)")
    tr.add_argument("--input-size", type=int, choices=(48, 64), default=48,
                    help="model input side in pixels (default 48, FER2013's own size)")
    tr.add_argument("--batch-size", metavar="N", type=_positive, default=32)
    tr.add_argument("--force", action="store_true", help="overwrite the files in DIR")
    return p


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def run(args: argparse.Namespace) -> int:
    if args.model_action == "evaluate":
        return _evaluate(args)
    if args.model_action == "export":
        return _export(args)
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
    from acting_mirror.vision.model_tools import evaluate

    bar = _Bar("evaluating", "face")
    try:
        result = evaluate(args.model, args.data, usage=args.usage, progress=bar)
    finally:
        bar.close()
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(format_evaluation(result))
    return 0


def format_evaluation(result) -> str:
    """The evaluation as a few lines of text: accuracy, recall, confusion matrix."""
    from acting_mirror.core.types import EMOTIONS

    lines = [
        f"{result.model} on {result.data}: {result.count} faces",
        f"accuracy  {result.accuracy:.1%}",
        "recall    " + "  ".join(
            f"{name} {'-' if value is None else f'{value:.0%}'}" for name, value in result.recall.items()
        ),
        "confusion (rows: labelled, columns: read as)",
    ]
    width = max(len(name) for name in EMOTIONS) + 1
    lines.append(" " * width + "".join(f"{name:>{width}}" for name in EMOTIONS))
    for name, row in zip(EMOTIONS, result.confusion):
        lines.append(f"{name:<{width}}" + "".join(f"{int(n):>{width}}" for n in row))
    return "\n".join(lines)


def _export(args: argparse.Namespace) -> int:
    from acting_mirror.errors import ModelError
    from acting_mirror.vision.model_tools import PARITY_TOLERANCE, export_keras_to_tflite

    report = export_keras_to_tflite(args.keras_file, args.out, force=args.force)
    if not report.ok:
        args.out.unlink(missing_ok=True)
        raise ModelError(
            f"The TFLite conversion of {args.keras_file} differs from Keras by {report.max_abs_diff:.2g} "
            f"(limit {PARITY_TOLERANCE:g}), so {args.out} was not kept."
        )
    print(f"wrote {args.out}: input {report.input_shape}, sha256 {report.sha256}")
    print(f"TFLite matches Keras on {report.samples} inputs (largest difference {report.max_abs_diff:.2g})")
    return 0


def _train(args: argparse.Namespace) -> int:
    from acting_mirror.vision.model_tools import train

    bar = _Bar("training", "epoch")

    def on_epoch(epoch: int, logs: dict) -> None:
        bar(epoch + 1, args.epochs)
        bar.set_postfix({k: f"{v:.3f}" for k, v in logs.items() if k in ("loss", "accuracy", "val_accuracy")})

    try:
        result = train(args.data, args.out, epochs=args.epochs, input_size=args.input_size,
                       batch_size=args.batch_size, force=args.force, on_epoch=on_epoch)
    finally:
        bar.close()
    print(f"trained {result.epochs_run} epochs; wrote {result.keras_path} and {result.tflite_path}")
    parity = result.parity
    if parity.ok:
        print(f"TFLite matches Keras (largest difference {parity.max_abs_diff:.2g}), sha256 {parity.sha256}")
    else:
        print(f"warning: TFLite differs from Keras by {parity.max_abs_diff:.2g}", file=sys.stderr)
    if result.validation is not None:
        print(format_evaluation(result.validation))
    return 0
