"""Spoken cues: at most one short word between lines ("good", "again") for an actor who
watches the camera, not the screen. Off by default; never over the partner's voice."""

from __future__ import annotations

from acting_mirror.core.follower import CueState

GOOD, AGAIN = "good", "again"
WORDS = (GOOD, AGAIN)
HIT_SHARE = 0.6
"""A line whose face frames were on target at least this often earns "good" (the report's
hit threshold), any other scored line "again"."""


class CueWords:
    """Feed every frame's :class:`CueState`; :meth:`update` returns the word to say when
    one of the actor's scored lines has just ended, else ``None`` (one word per line)."""

    def __init__(self, hit_share: float = HIT_SHARE):
        self.hit_share = hit_share
        self._line: int | None = None  # the scored line being played
        self._meter = 0.0
        self._faces = 0

    def update(self, state: CueState) -> str | None:
        cue = state.cue
        index = cue.index if cue is not None else None
        word = None
        if self._line is not None and index != self._line:
            word = None if self._faces == 0 else (GOOD if self._meter >= self.hit_share else AGAIN)
            self._line = None
        if cue is not None and cue.scored and index != self._line:
            self._line, self._meter, self._faces = index, 0.0, 0
        if self._line is not None and index == self._line:
            self._meter, self._faces = state.on_target_meter, state.face_frames
        return word

    def reset(self) -> None:
        self._line, self._meter, self._faces = None, 0.0, 0
