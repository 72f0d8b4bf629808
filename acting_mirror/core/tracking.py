"""FaceTracker: stable ``face_id``s across frames and a primary face with hysteresis."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from acting_mirror.core.types import Box, Faces


@dataclass
class _Track:
    face_id: int
    box: Box
    missed: int = 0
    hits: int = 1


class FaceTracker:
    """Greedy IoU matching of this frame's faces to the live tracks.

    A track survives ``max_missed`` frames without a match (a blink of the detector does not
    change a face's id). The primary face is the largest; it only changes when another face
    is ``switch_ratio`` times larger and has been seen ``min_hits`` frames, or when the
    primary is gone, so two similar faces do not make it flip and a passing false
    detection does not steal it.
    """

    def __init__(
        self,
        min_iou: float = 0.25,
        max_missed: int = 15,
        switch_ratio: float = 1.3,
        min_hits: int = 3,
    ):
        self.min_iou = min_iou
        self.min_hits = min_hits
        self.max_missed = max_missed
        self.switch_ratio = switch_ratio
        self._tracks: list[_Track] = []
        self._next_id = 0
        self._primary_id: int | None = None

    def reset(self) -> None:
        self._tracks.clear()
        self._next_id = 0
        self._primary_id = None

    @property
    def primary_id(self) -> int | None:
        return self._primary_id

    def update(self, faces: Faces) -> Faces:
        ids = self._match(faces)
        primary = self._choose_primary(faces, ids)
        return tuple(
            f.with_(face_id=i, primary=(i == primary)) for f, i in zip(faces, ids)
        )

    def _match(self, faces: Faces) -> list[int]:
        scores = _match_scores(
            [face.box for face in faces], [track.box for track in self._tracks]
        )
        # greedy, best pair first (ties: the later face, then the later track)
        fis, tis = np.nonzero(scores >= self.min_iou)
        order = np.lexsort((-tis, -fis, -scores[fis, tis]))
        ids: list[int | None] = [None] * len(faces)
        used_tracks: set[int] = set()
        for fi, ti in zip(fis[order].tolist(), tis[order].tolist()):
            if ids[fi] is not None or ti in used_tracks:
                continue
            ids[fi] = self._tracks[ti].face_id
            used_tracks.add(ti)
            self._tracks[ti].box = faces[fi].box
            self._tracks[ti].missed = 0
            self._tracks[ti].hits += 1
        for ti, track in enumerate(self._tracks):
            if ti not in used_tracks:
                track.missed += 1
        self._tracks = [t for t in self._tracks if t.missed <= self.max_missed]
        for fi, face in enumerate(faces):
            if ids[fi] is None:
                ids[fi] = self._next_id
                self._tracks.append(_Track(self._next_id, face.box))
                self._next_id += 1
        return [int(i) for i in ids]  # type: ignore[arg-type]

    def _choose_primary(self, faces: Faces, ids: list[int]) -> int | None:
        if not faces:
            # keep the primary's identity through short gaps while its track lives
            if self._primary_id is not None and not any(
                t.face_id == self._primary_id for t in self._tracks
            ):
                self._primary_id = None
            return None
        areas = {i: f.box.area for f, i in zip(faces, ids)}
        hits = {t.face_id: t.hits for t in self._tracks}
        # a face must have been seen a few frames in a row before it can take over, so a
        # one-frame false detection never becomes the main face
        settled = {i: a for i, a in areas.items() if hits.get(i, 0) >= self.min_hits} or areas
        largest = max(settled, key=settled.__getitem__)
        current = self._primary_id
        if current not in areas or (
            largest != current and settled[largest] > self.switch_ratio * areas[current]
        ):
            self._primary_id = largest
        return self._primary_id


def _match_scores(faces: list[Box], tracks: list[Box]) -> np.ndarray:
    """``(faces, tracks)`` matrix of IoU plus a small bonus for boxes whose centres are
    close relative to their size (so a fast move that breaks the IoU still keeps its id).
    :meth:`Box.iou` over one array pass: with 20 faces the pairwise Python loop cost more
    than a millisecond."""
    if not faces or not tracks:
        return np.zeros((len(faces), len(tracks)))

    def columns(boxes: list[Box]) -> np.ndarray:  # x1, y1, x2, y2, w, h, area, cx, cy
        return np.array(
            [(b.x, b.y, b.x2, b.y2, b.w, b.h, b.area, *b.center) for b in boxes], np.float64
        ).T

    f = columns(faces)[:, :, None]  # each row: one face
    t = columns(tracks)[:, None, :]  # each column: one track
    ix = np.clip(np.minimum(f[2], t[2]) - np.maximum(f[0], t[0]), 0, None)
    iy = np.clip(np.minimum(f[3], t[3]) - np.maximum(f[1], t[1]), 0, None)
    inter = ix * iy
    union = f[6] + t[6] - inter
    iou = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
    size = np.maximum(np.maximum(np.minimum(f[4], t[4]), np.minimum(f[5], t[5])), 1)
    dist = np.hypot(f[7] - t[7], f[8] - t[8]) / size
    return iou + np.clip(0.5 - dist, 0.0, None) * 0.6
