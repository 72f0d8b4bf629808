"""Per-stage cost of the face mesh, for ``models/bench_face_mesh.py`` and the bench.

:func:`profile_mesh` runs a detector (a :class:`~acting_mirror.vision.mesh_detector.MeshDetector`
or a bare :class:`~acting_mirror.vision.face_mesh.FaceMesh`) over frames as one video
and gives, per stage (``detector``, ``landmarks``, ``blendshapes``, ``seed``,
``seed_detector``, ``frame``, the whole call, and ``frame_cpu``, the CPU time this
process spent in it, which other programs on a busy machine disturb less), the p50 and p95 in milliseconds over the frames where the
stage ran, how many frames it ran in, and the frames per second of the whole loop.
"""

from __future__ import annotations

import time
from typing import Iterable

import numpy as np


def _percentiles(values: list[float]) -> dict[str, float]:
    arr = np.asarray(values, dtype=np.float64)
    return {
        "p50": float(np.percentile(arr, 50)),
        "p95": float(np.percentile(arr, 95)),
        "mean": float(arr.mean()),
        "runs": int(arr.size),
    }


def profile_mesh(detector, frames: Iterable[np.ndarray], warmup: int = 3) -> dict:
    """Stage timings of ``detector`` (anything with ``detect(image)`` or ``track(image)``
    and a ``timings_ms`` dict) over ``frames``; the first ``warmup`` frames are run but
    not counted."""
    step = getattr(detector, "detect", None) if hasattr(detector, "seed_detector") else None
    if step is None:
        step = detector.track
    stages: dict[str, list[float]] = {}
    faces: list[int] = []
    total = 0.0
    counted = 0
    for i, frame in enumerate(frames):
        t, c = time.perf_counter(), time.process_time()
        found = step(frame)
        dt = (time.perf_counter() - t) * 1e3
        cpu = (time.process_time() - c) * 1e3
        if i < warmup:
            continue
        counted += 1
        total += dt
        faces.append(len(found))
        stages.setdefault("frame", []).append(dt)
        stages.setdefault("frame_cpu", []).append(cpu)
        timings = getattr(detector, "timings_ms", None) or getattr(detector.mesh, "timings_ms", {})
        for name, ms in timings.items():
            stages.setdefault(name, []).append(ms)
    out = {name: _percentiles(v) for name, v in stages.items()}
    return {
        "frames": counted,
        "fps": counted / (total / 1e3) if total > 0 else 0.0,
        "faces_mean": float(np.mean(faces)) if faces else 0.0,
        "stages": out,
    }


def format_profile(label: str, profile: dict) -> str:
    lines = [
        f"{label}: {profile['frames']} frames, {profile['fps']:.0f} frames/s, "
        f"{profile['faces_mean']:.2f} faces a frame"
    ]
    for name, s in sorted(profile["stages"].items()):
        lines.append(
            f"  {name:<12} p50 {s['p50']:6.2f} ms  p95 {s['p95']:6.2f} ms  "
            f"mean {s['mean']:6.2f} ms  ({s['runs']} frames)"
        )
    return "\n".join(lines)
