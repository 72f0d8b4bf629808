"""Per-stage milliseconds of the face mesh on 720p clips built from the bundled portraits.

Run from the repository root, in the app's environment::

    python models/bench_face_mesh.py                # 300 frames of each clip
    python models/bench_face_mesh.py --frames 120

Prints, for the one-face clip (``media.clips.one_face_clip``, a cut half-way) and the
20-face crowd (``media.clips.crowd_clip``): each stage's p50/p95 (detector, landmarks,
blendshapes, seed) and the whole call per frame, for ``create_detector("mesh")`` (MTCNN
seeding, BlazeFace on keyframes every 30 frames, mesh tracking every frame) and the bare
stages on one 720p frame.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from acting_mirror.media.clips import crowd_clip, one_face_clip
from acting_mirror.vision.detectors import create_detector
from acting_mirror.vision.face_mesh import region_from_landmarks
from acting_mirror.vision.mesh_bench import format_profile, profile_mesh


def _frames(path: Path) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(path))
    out = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        out.append(frame)
    cap.release()
    return out


def _stage_ms(fn, repeats: int = 50) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1e3)
    return float(np.percentile(times, 50)), float(np.percentile(times, 95))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=300)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        one = _frames(one_face_clip(Path(tmp) / "one.avi", args.frames))
        crowd = _frames(crowd_clip(Path(tmp) / "crowd.avi", args.frames, faces=20))

    frame = one[10]
    seeded = create_detector("mesh")
    seeded.detect(frame)  # BlazeFace alone misses this 175 px face: MTCNN seeds it
    mesh = seeded.mesh
    face = mesh.track(frame)[0]
    region = region_from_landmarks(face.points)
    print(f"BlazeFace alone on this frame: {len(mesh.detector.detect(frame))} face(s); "
          f"the mesh's face is {face.box().w}x{face.box().h} px")
    print(f"bare stages on one 720p frame ({frame.shape[1]}x{frame.shape[0]}), one thread:")
    for label, fn in (
        ("detector", lambda: mesh.detector.detect(frame)),
        ("landmarks", lambda: mesh.landmarks(frame, region)),
        ("blendshapes", lambda: mesh.blendshape_scores(face.points)),
    ):
        p50, p95 = _stage_ms(fn)
        print(f"  {label:<12} p50 {p50:6.2f} ms  p95 {p95:6.2f} ms")

    print(format_profile("720p one face, create_detector('mesh')", profile_mesh(create_detector("mesh"), one)))
    crowd_mesh = create_detector("mesh")
    crowd_mesh.mesh.max_faces = 20
    crowd_mesh.mesh.blendshapes = "first"
    print(format_profile("720p 20 faces, mesh on up to 20, blendshapes on the largest",
                         profile_mesh(crowd_mesh, crowd)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
