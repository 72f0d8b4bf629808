"""Face crops: a square with a margin, cut to the frame, never empty for a visible face."""

import cv2
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from acting_mirror.core.types import Box
from acting_mirror.vision.crops import extract_crops, square_crop_box


def test_crop_box_is_a_square_grown_by_the_margin_on_every_side():
    assert square_crop_box(Box(100, 100, 50, 50), 500, 500, margin=0.1) == Box(95, 95, 60, 60)
    assert square_crop_box(Box(100, 100, 50, 50), 500, 500, margin=0.0) == Box(100, 100, 50, 50)


def test_crop_box_of_a_tall_face_is_a_square_of_its_height_centred_on_it():
    assert square_crop_box(Box(100, 100, 40, 60), 500, 500, margin=0.0) == Box(90, 100, 60, 60)


def test_face_touching_the_frame_edge_gives_a_smaller_crop_inside_the_frame():
    assert square_crop_box(Box(0, 0, 50, 50), 100, 100, margin=0.1) == Box(0, 0, 55, 55)
    assert square_crop_box(Box(60, 70, 40, 30), 100, 100, margin=0.1) == Box(56, 61, 44, 39)


def test_face_partly_outside_the_frame_still_gives_a_crop():
    box = square_crop_box(Box(-30, 10, 50, 50), 100, 100)
    assert box is not None and box.x == 0 and box.w >= 1


def test_box_wholly_outside_the_frame_gives_none():
    assert square_crop_box(Box(200, 10, 50, 50), 100, 100) is None
    assert square_crop_box(Box(-60, 10, 50, 50), 100, 100) is None


@given(
    x=st.integers(-200, 300),
    y=st.integers(-200, 300),
    w=st.integers(1, 400),
    h=st.integers(1, 400),
    width=st.integers(1, 320),
    height=st.integers(1, 240),
    margin=st.floats(0.0, 0.5),
)
def test_any_visible_face_gets_a_non_empty_crop_inside_the_frame_around_it(x, y, w, h, width, height, margin):
    face = Box(x, y, w, h)
    crop = square_crop_box(face, width, height, margin)
    visible = face.clamp(width, height)
    if visible is None:
        assert crop is None
        return
    assert crop is not None and crop.w >= 1 and crop.h >= 1
    assert 0 <= crop.x and 0 <= crop.y and crop.x2 <= width and crop.y2 <= height
    assert crop.x <= visible.x and crop.y <= visible.y
    assert crop.x2 >= visible.x2 and crop.y2 >= visible.y2


def _gradient(height=120, width=160):
    yy, xx = np.mgrid[0:height, 0:width]
    return ((xx + 2 * yy) % 256).astype(np.uint8)


def test_extract_crops_resizes_every_box_to_the_model_input():
    gray = _gradient()
    boxes = [Box(10, 20, 40, 40), Box(100, 50, 60, 70), Box(0, 0, 64, 48)]
    crops = extract_crops(gray, boxes, (64, 48))
    assert crops.shape == (3, 48, 64) and crops.dtype == np.uint8
    expected = cv2.resize(gray[50:120, 100:160], (64, 48), interpolation=cv2.INTER_AREA)
    np.testing.assert_array_equal(crops[1], expected)
    np.testing.assert_array_equal(crops[2], gray[0:48, 0:64])


def test_extract_crops_fills_the_given_buffer_when_it_fits():
    gray = _gradient()
    boxes = [Box(10, 20, 40, 40), Box(30, 30, 50, 50)]
    out = np.zeros((2, 32, 32), np.uint8)
    crops = extract_crops(gray, boxes, (32, 32), out=out)
    assert crops is out
    np.testing.assert_array_equal(out, extract_crops(gray, boxes, (32, 32)))
    other = extract_crops(gray, boxes[:1], (32, 32), out=out)
    assert other is not out and other.shape == (1, 32, 32)


def test_eye_angle_from_the_two_eye_points():
    from acting_mirror.vision.crops import eye_angle

    assert eye_angle(((10, 10), (30, 10), (20, 20))) == 0.0
    assert eye_angle(((10, 10), (30, 30))) == pytest.approx(45.0)
    assert eye_angle(((30, 30), (10, 10))) == pytest.approx(45.0)  # either order
    assert eye_angle(None) is None and eye_angle(((5, 5), (5, 5))) is None


def test_aligned_crop_levels_a_tilted_eye_line():
    from acting_mirror.vision.crops import aligned_crop, eye_angle

    image = np.zeros((200, 200), np.uint8)
    left, right = (70.0, 80.0), (130.0, 110.0)  # right eye 30 px lower: tilted by 26.6 degrees
    for x, y in (left, right):
        cv2.circle(image, (int(x), int(y)), 6, 255, -1)
    angle = eye_angle((left, right))
    crop = aligned_crop(image, Box(50, 45, 100, 100), (64, 64), angle, margin=0.0)
    assert crop.shape == (64, 64)
    ys, xs = np.nonzero(crop > 128)
    left_blob, right_blob = ys[xs < 32], ys[xs >= 32]
    assert len(left_blob) and len(right_blob)
    assert abs(left_blob.mean() - right_blob.mean()) < 1.5  # level now
    plain = aligned_crop(image, Box(50, 45, 100, 100), (64, 64), 0.0, margin=0.0)
    ys, xs = np.nonzero(plain > 128)
    assert ys[xs >= 32].mean() - ys[xs < 32].mean() > 15  # and was not before


def test_equalize_spreads_a_dark_crop_and_keeps_shapes():
    from acting_mirror.vision.crops import equalize

    rng = np.random.default_rng(0)
    dark = rng.integers(0, 40, (2, 64, 64)).astype(np.uint8)
    out = equalize(dark)
    assert out.shape == dark.shape and out.dtype == np.uint8
    assert out.std() > dark.std() * 2
    assert equalize(dark[0]).shape == (64, 64)


def test_only_mtcnn_five_points_are_read_as_eyes():
    from acting_mirror.vision.crops import face_eye_angle

    five = ((10, 10), (30, 30), (20, 20), (12, 30), (28, 30))
    assert face_eye_angle(five) == pytest.approx(45.0)
    assert face_eye_angle(five[:2]) is None and face_eye_angle(five * 2) is None and face_eye_angle(None) is None
