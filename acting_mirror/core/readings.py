"""ReadingSchedule: which faces the emotion model reads this frame when there are many.

Reading a face costs about 0.4 ms, so 20 faces cost 8–10 ms a frame: a third of a live
frame's budget. Expressions change over a few frames, not every 33 ms, so with a budget
only some faces are read each frame and the others show their last (smoothed) reading:

- the main face is read every frame (its curves, the script follower and the take's
  timeline are built from it);
- a face never read before is read at once, whatever the budget (no face is ever drawn
  without a label);
- the remaining places go to the faces read longest ago.

With 20 faces and a budget of 8 every face is read at least every third frame.
"""

from __future__ import annotations

from acting_mirror.core.types import Faces


class ReadingSchedule:
    """``budget`` faces read per frame at most (0: every face, every frame), plus any new
    face."""

    def __init__(self, budget: int = 0):
        if budget < 0:
            raise ValueError("budget must be >= 0")
        self.budget = int(budget)
        self._last_read: dict[int, int] = {}
        self._tick = 0

    def reset(self) -> None:
        self._last_read.clear()
        self._tick = 0

    def pick(self, faces: Faces) -> list[int]:
        """Indices into ``faces`` (tracked: ``face_id`` set) to read this frame, in order."""
        self._tick += 1
        if not self.budget or len(faces) <= self.budget:
            chosen = list(range(len(faces)))
        else:
            new = {i for i, f in enumerate(faces) if f.face_id not in self._last_read}
            main = {i for i, f in enumerate(faces) if f.primary} - new
            waiting = sorted(
                (i for i in range(len(faces)) if i not in new and i not in main),
                key=lambda i: self._last_read[faces[i].face_id],  # read longest ago first
            )
            chosen = sorted(new | main | set(waiting[: max(self.budget - len(main), 0)]))
        for i in chosen:
            self._last_read[faces[i].face_id] = self._tick
        if len(self._last_read) > 4 * max(len(faces), 16):  # forget faces long gone
            live = {f.face_id for f in faces}
            self._last_read = {k: v for k, v in self._last_read.items() if k in live}
        return chosen
