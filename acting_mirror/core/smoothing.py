"""EmotionSmoother: per-face temporal smoothing of emotion probabilities."""

from __future__ import annotations

import numpy as np

from acting_mirror.core.types import Faces


class EmotionSmoother:
    """Exponential moving average of each tracked face's ``raw_probs`` into ``probs``.

    ``alpha`` is the weight of the newest frame (1.0 turns smoothing off). A face seen for
    the first time starts from its own reading. State is dropped for faces not seen for
    ``forget_after`` updates.
    """

    def __init__(self, alpha: float = 0.35, forget_after: int = 30):
        if not 0.0 < alpha <= 1.0:
            raise ValueError("alpha must be in (0, 1]")
        self.alpha = alpha
        self.forget_after = forget_after
        self._state: dict[int, np.ndarray] = {}
        self._last_seen: dict[int, int] = {}
        self._tick = 0

    def reset(self) -> None:
        self._state.clear()
        self._last_seen.clear()
        self._tick = 0

    def update(self, faces: Faces) -> Faces:
        self._tick += 1
        out = []
        for face in faces:
            if face.raw_probs is None:
                out.append(face)
                continue
            prev = self._state.get(face.face_id)
            if prev is None or face.face_id < 0:
                smoothed = face.raw_probs.astype(np.float32, copy=True)
            else:
                smoothed = prev + self.alpha * (face.raw_probs - prev)
            self._state[face.face_id] = smoothed
            self._last_seen[face.face_id] = self._tick
            out.append(face.with_(probs=smoothed.copy()))
        stale = [i for i, t in self._last_seen.items() if self._tick - t > self.forget_after]
        for i in stale:
            self._state.pop(i, None)
            self._last_seen.pop(i, None)
        return tuple(out)
