"""EmotionSmoother: per-face temporal smoothing of emotion probabilities."""

from __future__ import annotations

import numpy as np

from acting_mirror.core.types import Faces


class EmotionSmoother:
    """Exponential moving average of each tracked face's ``raw_probs`` into ``probs``.

    ``alpha`` is the weight of the newest frame (1.0 turns smoothing off). A face seen for
    the first time starts from its own reading. A tracked face without a reading this
    frame (not read: see :mod:`acting_mirror.core.readings`) shows its last smoothed
    value, and its next reading weighs what the frames it skipped would have weighed
    (``1 - (1 - alpha)**k`` after ``k`` frames), so the curves keep the same time constant
    whether a face is read every frame or every third. State is dropped for faces absent
    for ``forget_after`` updates.

    A face's ``blendshapes`` (from the face mesh) are smoothed the same way, with the
    mesh's own reading kept in ``raw_blendshapes``.
    """

    def __init__(self, alpha: float = 0.35, forget_after: int = 30):
        if not 0.0 < alpha <= 1.0:
            raise ValueError("alpha must be in (0, 1]")
        self.alpha = alpha
        self.forget_after = forget_after
        self._state: dict[int, np.ndarray] = {}
        self._blend: dict[int, np.ndarray] = {}  # smoothed blendshapes per face
        self._last_read: dict[int, int] = {}  # tick of each face's last reading
        self._last_seen: dict[int, int] = {}  # tick each face was last in a frame
        self._tick = 0

    def reset(self) -> None:
        self._state.clear()
        self._blend.clear()
        self._last_read.clear()
        self._last_seen.clear()
        self._tick = 0

    def update(self, faces: Faces) -> Faces:
        self._tick += 1
        out = []
        for face in faces:
            if face.blendshapes is not None and face.face_id >= 0:
                face = self._smooth_blendshapes(face)
            prev = self._state.get(face.face_id) if face.face_id >= 0 else None
            if prev is not None:
                self._last_seen[face.face_id] = self._tick
            if face.raw_probs is None:
                out.append(face if prev is None else face.with_(probs=prev.copy()))
                continue
            if prev is None:
                smoothed = face.raw_probs.astype(np.float32, copy=True)
            else:
                skipped = self._tick - self._last_read[face.face_id]
                alpha = 1.0 - (1.0 - self.alpha) ** max(skipped, 1)
                smoothed = prev + alpha * (face.raw_probs - prev)
            self._state[face.face_id] = smoothed
            self._last_read[face.face_id] = self._last_seen[face.face_id] = self._tick
            out.append(face.with_(probs=smoothed.copy()))
        stale = [i for i, t in self._last_seen.items() if self._tick - t > self.forget_after]
        for i in stale:
            self._state.pop(i, None)
            self._blend.pop(i, None)
            self._last_read.pop(i, None)
            self._last_seen.pop(i, None)
        return tuple(out)

    def _smooth_blendshapes(self, face):
        raw = np.asarray(face.blendshapes, dtype=np.float32)
        prev = self._blend.get(face.face_id)
        smoothed = raw.copy() if prev is None else prev + self.alpha * (raw - prev)
        self._blend[face.face_id] = smoothed
        return face.with_(blendshapes=smoothed.copy(), raw_blendshapes=raw)
