"""One colour per emotion, shared by the video overlay (BGR) and the GUI (hex).

The colours are distinct from each other and readable as a filled label tab; each has
a matching text colour (black or white) picked by luminance.
"""

from __future__ import annotations

from acting_mirror.core.types import EMOTIONS

EMOTION_COLORS_HEX: dict[str, str] = {
    "angry": "#E53935",  # red
    "disgust": "#43A047",  # green
    "fear": "#8E24AA",  # purple
    "happy": "#FFB300",  # amber
    "sad": "#1E88E5",  # blue
    "surprise": "#00BCD4",  # cyan
    "neutral": "#78909C",  # blue-gray
}
"""``#RRGGBB`` per emotion, for Qt and HTML."""

UNCLASSIFIED_COLOR_HEX = "#BDBDBD"
"""Light gray: a face found but not (yet) classified."""


def hex_to_bgr(color: str) -> tuple[int, int, int]:
    """``"#RRGGBB"`` as an OpenCV ``(b, g, r)`` tuple."""
    value = color.lstrip("#")
    if len(value) != 6:
        raise ValueError(f"not a #RRGGBB colour: {color!r}")
    r, g, b = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return (b, g, r)


EMOTION_COLORS_BGR: dict[str, tuple[int, int, int]] = {
    e: hex_to_bgr(EMOTION_COLORS_HEX[e]) for e in EMOTIONS
}
"""The same colours as :data:`EMOTION_COLORS_HEX`, as OpenCV ``(b, g, r)``."""

UNCLASSIFIED_COLOR_BGR = hex_to_bgr(UNCLASSIFIED_COLOR_HEX)

_BLACK = (0, 0, 0)
_WHITE = (255, 255, 255)


def _luminance(bgr: tuple[int, int, int]) -> float:
    b, g, r = bgr
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def text_color_bgr(background_bgr: tuple[int, int, int]) -> tuple[int, int, int]:
    """Black or white, whichever reads better on ``background_bgr``."""
    return _BLACK if _luminance(background_bgr) >= 140 else _WHITE


def emotion_color_bgr(emotion: str | None) -> tuple[int, int, int]:
    """The BGR colour of ``emotion``; light gray for ``None`` (unclassified)."""
    if emotion is None:
        return UNCLASSIFIED_COLOR_BGR
    return EMOTION_COLORS_BGR[emotion]


def emotion_color_hex(emotion: str | None) -> str:
    """The ``#RRGGBB`` colour of ``emotion``; light gray for ``None`` (unclassified)."""
    if emotion is None:
        return UNCLASSIFIED_COLOR_HEX
    return EMOTION_COLORS_HEX[emotion]
