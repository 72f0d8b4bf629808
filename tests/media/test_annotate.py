"""The overlay an actor sees: boxes in the emotion's colour, readable labels inside the frame."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from acting_mirror.core.palette import EMOTION_COLORS_BGR, UNCLASSIFIED_COLOR_BGR
from acting_mirror.core.types import EMOTIONS, Box, Face, Frame, FrameResult
from acting_mirror.media.annotate import Annotator


def probs_for(emotion: str, confidence: float = 0.87) -> np.ndarray:
    p = np.full(len(EMOTIONS), (1.0 - confidence) / (len(EMOTIONS) - 1), dtype=np.float32)
    p[EMOTIONS.index(emotion)] = confidence
    return p


def result_with(image: np.ndarray, *faces: Face) -> FrameResult:
    return FrameResult(Frame(image, 0, 0), tuple(faces))


def colour_mask(image: np.ndarray, bgr: tuple[int, int, int]) -> np.ndarray:
    return np.all(image == np.array(bgr, dtype=np.uint8), axis=2)


def test_box_is_drawn_in_the_colour_of_the_top_emotion(astronaut_bgr):
    box = Box(170, 60, 150, 170)
    face = Face(box, probs=probs_for("happy"), face_id=1, primary=False)
    out = Annotator().annotate(astronaut_bgr, result_with(astronaut_bgr, face))
    happy = EMOTION_COLORS_BGR["happy"]
    # all four sides of the box carry the colour
    assert tuple(out[box.y + box.h // 2, box.x]) == happy
    assert tuple(out[box.y + box.h // 2, box.x2 - 1]) == happy
    assert tuple(out[box.y2 - 1, box.x + box.w // 2]) == happy
    # the label tab above the box is filled with it
    assert colour_mask(out[: box.y, box.x : box.x2], happy).sum() > 200
    # the input is untouched (copy=True)
    assert not colour_mask(astronaut_bgr, happy)[box.y + box.h // 2, box.x]


def test_label_reads_emotion_and_percent():
    face = Face(Box(10, 40, 50, 50), probs=probs_for("sad", 0.866))
    assert Annotator.label_text(face) == "sad 87%"


def test_each_emotion_has_its_own_colour():
    canvas = np.zeros((200, 200, 3), np.uint8)
    seen = set()
    for emotion in EMOTIONS:
        out = Annotator().annotate(canvas, result_with(canvas, Face(Box(50, 60, 80, 80), probs=probs_for(emotion))))
        seen.add(tuple(out[100, 50]))
    assert len(seen) == len(EMOTIONS)


@pytest.mark.parametrize(
    "box",
    [
        Box(600, 0, 40, 40),  # top-right corner
        Box(0, 0, 30, 30),  # top-left corner
        Box(610, 440, 30, 40),  # bottom-right corner
        Box(-20, 200, 60, 60),  # hanging over the left edge
    ],
)
def test_label_tab_stays_inside_the_frame_at_the_edges(box):
    annotator = Annotator()
    face = Face(box, probs=probs_for("surprise", 0.99), primary=True)
    text = annotator.label_text(face)
    layout = annotator.layout_label(box, text, (480, 640, 3), star=True)
    tab = layout.tab
    assert 0 <= tab.x and tab.x2 <= 640 and 0 <= tab.y and tab.y2 <= 480
    scale, thickness, _ = annotator.sizes(480)
    (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
    ox, oy = layout.text_origin
    assert ox >= tab.x and ox + tw <= tab.x2 and oy - th >= tab.y and oy <= tab.y2


def test_label_at_the_right_edge_is_fully_drawn():
    canvas = np.zeros((480, 640, 3), np.uint8)
    face = Face(Box(610, 0, 30, 30), probs=probs_for("fear", 0.95))
    out = Annotator().annotate(canvas, result_with(canvas, face))
    annotator = Annotator()
    layout = annotator.layout_label(face.box, annotator.label_text(face), canvas.shape)
    fear = colour_mask(out, EMOTION_COLORS_BGR["fear"])
    ys, xs = np.nonzero(fear)
    assert xs.max() == 639  # pushed against the right edge
    assert xs.min() <= layout.tab.x  # and extending left far enough for the whole text
    assert layout.tab.w > 60
    # the text (white on purple) is inside the tab
    white = np.all(out >= 200, axis=2)
    ys, xs = np.nonzero(white)
    assert xs.min() >= layout.tab.x and xs.max() < layout.tab.x2


def test_primary_face_is_drawn_thicker_and_marked():
    canvas = np.zeros((400, 600, 3), np.uint8)
    secondary = Face(Box(60, 100, 120, 120), probs=probs_for("angry"), face_id=2)
    primary = Face(Box(350, 100, 120, 120), probs=probs_for("angry"), face_id=1, primary=True)
    out = Annotator().annotate(canvas, result_with(canvas, secondary, primary))
    red = colour_mask(out, EMOTION_COLORS_BGR["angry"])
    row = 160  # through both boxes' left edges
    left_secondary = red[row, 40:100].sum()
    left_primary = red[row, 330:390].sum()
    assert left_primary > left_secondary
    # the star: text-coloured pixels near the start of the primary tab, none in the secondary tab
    tab_rows = slice(60, 100)
    star_primary = (out[tab_rows, 350:370] >= 200).all(axis=2).sum()
    star_secondary = (out[tab_rows, 60:80] >= 200).all(axis=2).sum()
    assert star_primary > star_secondary


def test_face_without_probs_is_a_gray_box_without_label():
    canvas = np.zeros((200, 200, 3), np.uint8)
    out = Annotator().annotate(canvas, result_with(canvas, Face(Box(50, 60, 80, 80))))
    gray = colour_mask(out, UNCLASSIFIED_COLOR_BGR)
    assert gray[100, 50] and gray.sum() < 4 * 80 * 3  # only the outline, no tab
    assert gray[:55].sum() == 0  # nothing above the box: no tab


def test_in_place_drawing_and_no_faces():
    canvas = np.zeros((100, 100, 3), np.uint8)
    annotator = Annotator()
    same = annotator.annotate(canvas, result_with(canvas), copy=False)
    assert same is canvas and not canvas.any()
    face = Face(Box(20, 30, 40, 40), probs=probs_for("neutral"))
    out = annotator.annotate(canvas, result_with(canvas, face), copy=False)
    assert out is canvas and canvas.any()


def test_font_grows_with_the_frame():
    annotator = Annotator()
    small, _, _ = annotator.sizes(240)
    large, _, _ = annotator.sizes(2160)
    assert small >= 0.4 and large > small


def test_probability_bars_show_every_emotion():
    canvas = np.zeros((400, 600, 3), np.uint8)
    probs = np.array([0.3, 0.05, 0.05, 0.3, 0.1, 0.1, 0.1], dtype=np.float32)
    face = Face(Box(100, 100, 150, 150), probs=probs, primary=True)
    out = Annotator(show_probs_bar=True).annotate(canvas, result_with(canvas, face))
    for emotion in EMOTIONS:
        assert colour_mask(out[:, 250:], EMOTION_COLORS_BGR[emotion]).any(), emotion


def test_the_face_mesh_is_dotted_only_when_asked():
    import numpy as np

    from acting_mirror.core.types import Box, EMOTIONS, Face, Frame, FrameResult
    from acting_mirror.media.annotate import Annotator

    image = np.zeros((600, 800, 3), np.uint8)
    mesh = np.zeros((478, 3), np.float32)
    mesh[:, 0] = np.linspace(300, 500, 478)
    mesh[:, 1] = 300
    mesh[0] = (-50, -50, 0)  # a point off the frame is skipped, never a crash
    probs = np.full(7, 0.05, np.float32)
    probs[EMOTIONS.index("happy")] = 0.7
    face = Face(Box(250, 200, 300, 300), raw_probs=probs, probs=probs, face_id=0, primary=True,
                mesh=mesh)
    result = FrameResult(Frame(image, 0, 0), (face,))
    plain = Annotator().annotate(image, result)
    dotted = Annotator(draw_mesh=True).annotate(image, result)
    assert plain[300, 400].sum() == 0 and dotted[300, 400].sum() > 0
