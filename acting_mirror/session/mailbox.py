"""LatestMailbox: a one-slot hand-over between two threads where the newest item wins."""

from __future__ import annotations

from collections import deque
from typing import Generic, TypeVar

T = TypeVar("T")


class LatestMailbox(Generic[T]):
    """The producer ``put``s as often as it likes; the consumer ``take``s the newest item.

    ``put`` returns True when the consumer should be nudged (no nudge is outstanding), so
    a slow consumer gets one notification per batch, never a growing queue of stale
    items. Built on ``deque(maxlen=1)``, whose append and pop are atomic: no lock.
    The order that makes it safe: the producer stores, then looks at the flag; the
    consumer clears the flag, then takes.
    """

    def __init__(self) -> None:
        self._slot: deque[T] = deque(maxlen=1)
        self._nudged = False
        self.replaced = 0  # items overwritten before the consumer took them (approximate)

    def put(self, item: T) -> bool:
        if self._slot:
            self.replaced += 1
        self._slot.append(item)
        if self._nudged:
            return False
        self._nudged = True
        return True

    def take(self) -> T | None:
        self._nudged = False
        try:
            return self._slot.popleft()
        except IndexError:
            return None
