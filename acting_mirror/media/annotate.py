"""Drawing what was found onto a frame: a box per face in its emotion's colour and a
label tab such as ``happy 87%``.

The primary face gets a thicker box and a star in its tab; faces not (yet) classified
are drawn in light gray without a tab. Sizes follow the frame height so labels stay
readable from 240p to 4K, and every tab is placed fully inside the frame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from acting_mirror.media import quiet_cv  # noqa: F401  (before cv2)

import cv2
import numpy as np

from acting_mirror.core.palette import (
    EMOTION_COLORS_BGR,
    UNCLASSIFIED_COLOR_BGR,
    text_color_bgr,
)
from acting_mirror.core.types import EMOTIONS, Box, Face, FrameResult

_FONT = cv2.FONT_HERSHEY_SIMPLEX
_REFERENCE_HEIGHT = 720.0
_TEXT_COLORS = {e: text_color_bgr(c) for e, c in EMOTION_COLORS_BGR.items()}


def _unit_star() -> np.ndarray:
    """A five-pointed star of radius 1 around the origin (10 vertices)."""
    angles = -math.pi / 2 + np.arange(10) * math.pi / 5
    radii = np.where(np.arange(10) % 2 == 0, 1.0, 0.45)
    return np.stack([np.cos(angles) * radii, np.sin(angles) * radii], axis=1)


_STAR = _unit_star()


@dataclass(frozen=True)
class LabelLayout:
    """Where a label tab goes: the filled rectangle and the text baseline origin."""

    tab: Box
    text_origin: tuple[int, int]


class Annotator:
    """Draws face boxes and emotion labels.

    ``thickness`` is the box line width at 720 px frame height (scaled with the frame,
    never below it). ``font_scale`` ``None`` picks one from the frame height.
    ``show_probs_bar`` adds seven small bars (one per emotion) beside the primary face.
    ``draw_mesh`` dots the face mesh's 478 points on faces it read (off by default).
    """

    def __init__(
        self,
        thickness: int = 2,
        font_scale: float | None = None,
        show_probs_bar: bool = False,
        draw_mesh: bool = False,
    ):
        if thickness < 1:
            raise ValueError("thickness must be at least 1")
        self.thickness = int(thickness)
        self.font_scale = font_scale
        self.show_probs_bar = show_probs_bar
        self.draw_mesh = draw_mesh
        self._star = np.empty((10, 2), dtype=np.int32)  # reused per call

    # ------------------------------------------------------------------ sizes

    def sizes(self, frame_height: int) -> tuple[float, int, int]:
        """``(font_scale, text_thickness, box_thickness)`` for a frame this tall."""
        factor = max(frame_height / _REFERENCE_HEIGHT, 1e-3)
        scale = self.font_scale if self.font_scale is not None else max(0.4, 0.75 * factor)
        text_thickness = max(1, int(round(scale * 1.6)))
        box_thickness = max(self.thickness, int(round(self.thickness * factor)))
        return scale, text_thickness, box_thickness

    @staticmethod
    def label_text(face: Face) -> str | None:
        emotion = face.top_emotion
        if emotion is None:
            return None
        return f"{emotion} {int(round(face.confidence * 100))}%"

    def layout_label(
        self, box: Box, text: str, frame_shape: tuple[int, ...], *, star: bool = False
    ) -> LabelLayout:
        """Place ``text``'s tab on top of ``box`` (inside the box top when there is no
        room above), shifted horizontally so it never leaves the frame."""
        height, width = int(frame_shape[0]), int(frame_shape[1])
        scale, text_t, _ = self.sizes(height)
        (tw, th), baseline = cv2.getTextSize(text, _FONT, scale, text_t)
        pad = max(2, th // 3)
        star_w = th + 2 * pad if star else 0
        tab_w = min(tw + 2 * pad + star_w, width)
        tab_h = min(th + baseline + 2 * pad, height)
        x = min(max(box.x, 0), max(width - tab_w, 0))
        y = box.y - tab_h
        if y < 0:  # no room above: tuck the tab just inside the top of the box
            y = max(box.y, 0)
        y = min(y, max(height - tab_h, 0))
        origin = (x + pad + star_w, y + pad + th)
        return LabelLayout(Box(x, y, tab_w, tab_h), origin)

    # ------------------------------------------------------------------ drawing

    def annotate(self, image: np.ndarray, result: FrameResult, *, copy: bool = True) -> np.ndarray:
        """``image`` with every face of ``result`` drawn on it (a copy unless ``copy=False``)."""
        canvas = image.copy() if copy else image
        if not result.faces:
            return canvas
        _, _, box_t = self.sizes(canvas.shape[0])
        # Unclassified faces first, then secondary, primary last: the primary stays on top.
        for face in sorted(result.faces, key=lambda f: (f.shown_probs is not None, f.primary)):
            self._draw_face(canvas, face, box_t)
        return canvas

    def _draw_face(self, canvas: np.ndarray, face: Face, box_t: int) -> None:
        emotion = face.top_emotion
        color = EMOTION_COLORS_BGR[emotion] if emotion else UNCLASSIFIED_COLOR_BGR
        b = face.box
        t = box_t * 2 if face.primary else box_t
        if self.draw_mesh and face.mesh is not None:
            self._draw_mesh(canvas, face.mesh, color)
        cv2.rectangle(canvas, (b.x, b.y), (b.x2 - 1, b.y2 - 1), color, t, cv2.LINE_8)
        text = self.label_text(face)
        if text is None:
            return
        layout = self.layout_label(b, text, canvas.shape, star=face.primary)
        tab = layout.tab
        cv2.rectangle(canvas, (tab.x, tab.y), (tab.x2 - 1, tab.y2 - 1), color, cv2.FILLED)
        fg = _TEXT_COLORS[emotion]
        scale, text_t, _ = self.sizes(canvas.shape[0])
        if face.primary:
            radius = (tab.h - 2) / 2.0 * 0.8
            cx = tab.x + tab.h / 2.0 + 1
            cy = tab.y + tab.h / 2.0
            np.rint(_STAR * radius + (cx, cy), out=self._star, casting="unsafe")
            cv2.fillPoly(canvas, [self._star], fg, cv2.LINE_AA)
        cv2.putText(canvas, text, layout.text_origin, _FONT, scale, fg, text_t, cv2.LINE_AA)
        if self.show_probs_bar and face.primary:
            self._draw_bars(canvas, face, tab)

    @staticmethod
    def _draw_mesh(canvas: np.ndarray, mesh: np.ndarray, color) -> None:
        """The 478 points as small dots, clipped to the frame."""
        height, width = canvas.shape[:2]
        points = np.rint(np.asarray(mesh)[:, :2]).astype(np.int64)
        inside = (points[:, 0] >= 0) & (points[:, 0] < width) & (points[:, 1] >= 0) & (points[:, 1] < height)
        xs, ys = points[inside, 0], points[inside, 1]
        canvas[ys, xs] = color
        if height >= 480:  # a 2x2 dot stays visible on larger frames
            xs2, ys2 = np.minimum(xs + 1, width - 1), np.minimum(ys + 1, height - 1)
            canvas[ys2, xs] = color
            canvas[ys, xs2] = color
            canvas[ys2, xs2] = color

    def _draw_bars(self, canvas: np.ndarray, face: Face, tab: Box) -> None:
        probs = face.shown_probs
        height, width = canvas.shape[:2]
        b = face.box
        bar_h = max(4, tab.h // 2)
        gap = max(1, bar_h // 4)
        length = max(20, min(b.w, width // 4))
        total_h = len(EMOTIONS) * (bar_h + gap)
        x = b.x2 + gap * 2
        if x + length > width:  # no room on the right: use the left side
            x = b.x - gap * 2 - length
        x = min(max(x, 0), max(width - length, 0))
        y = min(max(b.y, 0), max(height - total_h, 0))
        for i, emotion in enumerate(EMOTIONS):
            top = y + i * (bar_h + gap)
            filled = int(round(length * float(probs[i])))
            cv2.rectangle(canvas, (x, top), (x + length - 1, top + bar_h - 1), (40, 40, 40), cv2.FILLED)
            if filled > 0:
                cv2.rectangle(
                    canvas, (x, top), (x + filled - 1, top + bar_h - 1),
                    EMOTION_COLORS_BGR[emotion], cv2.FILLED,
                )
