"""The side-by-side benchmark behind ``acting-mirror bench``.

It builds its clips from the bundled public-domain portraits, runs our pipeline (the one
``process`` uses: prefetched decoding, keyframe detection, batched classification,
background encoding) and a reference naive pipeline (full-frame detection on every
frame, one classifier call per face, synchronous writing) over the same frames, and
reports frames/s, per-stage p50/p95 ms and the quality guards: how often the faces are
found, and how often our main face's top emotion agrees with the naive path's.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import cv2

from acting_mirror.app import build_analyzer, process_to_take
from acting_mirror.config import AnalysisSettings
from acting_mirror.core.analysis import Analyzer
from acting_mirror.core.stats import STAGES, StageStats
from acting_mirror.core.types import Frame, FrameResult
from acting_mirror.errors import DependencyError
from acting_mirror.media.annotate import Annotator
from acting_mirror.media.clips import crowd_clip, one_face_clip
from acting_mirror.vision.detectors import create_detector
from acting_mirror.vision.haar import HaarDetector

CLIPS = {
    "720p-1face": ("720p, one face", lambda path, n: one_face_clip(path, n)),
    "720p-20faces": ("720p, 20 faces", lambda path, n: crowd_clip(path, n, faces=20)),
}


@dataclass
class RunResult:
    pipeline: str
    frames: int
    seconds: float
    stages: StageStats
    per_frame: list[tuple[int, str | None]] = field(default_factory=list)  # (faces, main top)
    note: str = ""

    @property
    def fps(self) -> float:
        return self.frames / self.seconds if self.seconds > 0 else 0.0


@dataclass
class Comparison:
    clip: str
    detector: str
    ours: RunResult
    naive: RunResult | None
    expected_faces: int

    @property
    def ratio(self) -> float | None:
        return self.ours.fps / self.naive.fps if self.naive and self.naive.fps else None

    @property
    def found_rate(self) -> float:
        """Fraction of frames in which every expected face was found (one-face clip), or
        the mean share of expected faces found per frame (crowd clip)."""
        counts = [min(n, self.expected_faces) for n, _ in self.ours.per_frame]
        if not counts:
            return 0.0
        return sum(counts) / (self.expected_faces * len(counts))

    @property
    def min_faces(self) -> int:
        return min((n for n, _ in self.ours.per_frame), default=0)

    @property
    def agreement(self) -> float | None:
        if self.naive is None:
            return None
        pairs = [
            (a, b) for (_, a), (_, b) in zip(self.ours.per_frame, self.naive.per_frame) if b is not None
        ]
        if not pairs:
            return None
        return sum(a == b for a, b in pairs) / len(pairs)

    def to_dict(self) -> dict:
        def run(r: RunResult | None):
            if r is None:
                return None
            return {"fps": round(r.fps, 2), "frames": r.frames, "seconds": round(r.seconds, 3),
                    "stages": r.stages.table(), "note": r.note}

        return {
            "clip": self.clip, "detector": self.detector, "ours": run(self.ours),
            "naive": run(self.naive), "ratio": None if self.ratio is None else round(self.ratio, 2),
            "found_rate": round(self.found_rate, 4), "min_faces_per_frame": self.min_faces,
            "expected_faces": self.expected_faces,
            "agreement": None if self.agreement is None else round(self.agreement, 4),
        }


def _main_top(result: FrameResult) -> tuple[int, str | None]:
    n = sum(1 for f in result.faces if f.shown_probs is not None)
    primary = result.primary
    return n, (primary.top_emotion if primary is not None else None)


def run_ours(clip: Path, detector: str, workdir: Path) -> RunResult:
    per_frame: list[tuple[int, str | None]] = []
    out = workdir / f"ours-{detector}-{clip.stem}"
    outcome = process_to_take(
        str(clip), out_dir=out, takes_root=workdir, settings=AnalysisSettings(detector=detector),
        on_result=lambda r: per_frame.append(_main_top(r)),
    )
    return RunResult("ours", outcome.frames, outcome.seconds, outcome.stages, per_frame)


def _naive_detector(name: str):
    if name == "mesh":
        # the naive way to use the mesh: detect and seed every frame, read every face
        from acting_mirror.vision.mesh_detector import MeshDetector
        from acting_mirror.vision.mtcnn import MtcnnDetector

        detector = MeshDetector(keyframe_interval=1, reads_per_frame=0, seed_interval=1,
                                seed_detector=MtcnnDetector())
        return detector, "the face mesh detecting and seeding every frame, every face read"
    """Full-frame detection at full resolution on every frame, as a straightforward loop
    does: Haar on the whole frame; for MTCNN the ``mtcnn`` package itself when it is
    installed (TensorFlow), else our LiteRT MTCNN on the whole frame."""
    if name == "haar":
        return HaarDetector(work_height=100_000), "Haar on the full frame"
    if name == "mtcnn":
        try:
            return create_detector("mtcnn-tf"), "the mtcnn package (TensorFlow) on the full frame"
        except DependencyError:
            return create_detector("mtcnn"), "LiteRT MTCNN on the full frame (mtcnn package not installed)"
    return create_detector(name), f"{name} on the full frame"


def run_naive(clip: Path, detector: str, workdir: Path) -> RunResult:
    """One thread, every stage in turn, one classifier call per face, synchronous writes."""
    det, note = _naive_detector(detector)
    base = build_analyzer(AnalysisSettings(detector="haar", keyframe_interval=1))
    analyzer = Analyzer(det, base.classifier, base.tracker, base.smoother)
    classifier = base.classifier
    annotator = Annotator()
    stages = StageStats()
    per_frame: list[tuple[int, str | None]] = []
    cap = cv2.VideoCapture(str(clip))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    writer = None
    n = 0
    started = time.perf_counter()
    try:
        index = 0
        while True:
            t0 = time.perf_counter()
            ok, image = cap.read()
            t1 = time.perf_counter()
            if not ok:
                break
            stages.add("decode", (t1 - t0) * 1e3)
            faces = det.detect(image)
            t2 = time.perf_counter()
            faces = tuple(classifier.classify(image, (f,))[0] for f in faces)
            t3 = time.perf_counter()
            faces = analyzer.smoother.update(analyzer.tracker.update(faces))
            t4 = time.perf_counter()
            result = FrameResult(Frame(image, index, int(index * 1000 / fps)), faces)
            annotated = annotator.annotate(image, result)
            t5 = time.perf_counter()
            if writer is None:
                h, w = image.shape[:2]
                writer = cv2.VideoWriter(
                    str(workdir / f"naive-{detector}-{clip.stem}.avi"),
                    cv2.VideoWriter_fourcc(*"MJPG"), fps, (w, h),
                )
            writer.write(annotated)
            t6 = time.perf_counter()
            for stage, a, b in (("detect", t1, t2), ("classify", t2, t3), ("track", t3, t4),
                                ("annotate", t4, t5), ("encode", t5, t6)):
                stages.add(stage, (b - a) * 1e3)
            per_frame.append(_main_top(result))
            index += 1
            n += 1
    finally:
        cap.release()
        if writer is not None:
            writer.release()
    return RunResult("naive", n, time.perf_counter() - started, stages, per_frame, note)


def run_bench(
    *,
    frames: int = 300,
    detectors: tuple[str, ...] = ("haar", "mtcnn"),
    clips: tuple[str, ...] = tuple(CLIPS),
    naive: bool = True,
    workdir: Path | None = None,
    log: Callable[[str], None] = lambda s: None,
) -> list[Comparison]:
    own_dir = workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="acting-mirror-bench-")) if own_dir else Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    results = []
    try:
        for key in clips:
            label, build = CLIPS[key]
            clip = workdir / f"{key}.mp4"
            log(f"building clip {label} ({frames} frames)…")
            build(clip, frames)
            expected = 20 if "20faces" in key else 1
            for det in detectors:
                log(f"{label} · {det} · ours…")
                ours = run_ours(clip, det, workdir)
                nv = None
                if naive:
                    log(f"{label} · {det} · naive…")
                    nv = run_naive(clip, det, workdir)
                results.append(Comparison(label, det, ours, nv, expected))
    finally:
        if own_dir:
            shutil.rmtree(workdir, ignore_errors=True)
    return results


def format_table(results: list[Comparison]) -> str:
    head = f"{'clip':<16}{'detector':<9}{'pipeline':<9}{'fps':>7}  " + "  ".join(
        f"{s:>13}" for s in STAGES
    )
    lines = [head, " " * 43 + "  ".join(f"{'p50/p95 ms':>13}" for _ in STAGES), "-" * len(head)]
    for c in results:
        for run in (c.ours, c.naive):
            if run is None:
                continue
            cells = []
            for s in STAGES:
                p = run.stages.percentiles(s)
                cells.append(f"{p[0]:>6.1f}/{p[1]:<6.1f}" if p else f"{'-':>13}")
            lines.append(f"{c.clip:<16}{c.detector:<9}{run.pipeline:<9}{run.fps:>7.1f}  " + "  ".join(cells))
        extra = [f"faces found {c.found_rate:.1%} (min {c.min_faces}/{c.expected_faces} per frame)"]
        if c.ratio is not None:
            extra.insert(0, f"ours/naive {c.ratio:.1f}x")
        if c.agreement is not None:
            extra.append(f"main-face emotion agrees with naive in {c.agreement:.1%} of frames")
        lines.append(" " * 16 + "  ".join(extra))
        if c.naive is not None and c.naive.note:
            lines.append(" " * 16 + f"naive = {c.naive.note}")
    return "\n".join(lines)
