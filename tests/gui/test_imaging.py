"""BGR arrays become QImages with the right colours, whatever their layout."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QImage

from acting_mirror.gui.imaging import bgr_to_qimage


def test_bgr_pixels_keep_their_colours(astronaut_bgr):
    image = bgr_to_qimage(astronaut_bgr)
    assert (image.width(), image.height()) == (512, 512)
    b, g, r = (int(v) for v in astronaut_bgr[100, 200])
    c = image.pixelColor(200, 100)
    assert (c.red(), c.green(), c.blue()) == (r, g, b)


def test_the_image_owns_its_pixels_and_views_are_fine(astronaut_bgr):
    view = astronaut_bgr[::2, ::2]  # not contiguous
    expected = view[10, 20].copy()
    image = bgr_to_qimage(view)
    astronaut_bgr[:] = 0  # the QImage must not follow the array
    c = image.pixelColor(20, 10)
    assert (c.blue(), c.green(), c.red()) == tuple(int(v) for v in expected)


def test_gray_and_bgra_images_convert():
    gray = np.full((4, 6), 77, np.uint8)
    assert bgr_to_qimage(gray).format() == QImage.Format.Format_Grayscale8
    assert bgr_to_qimage(gray).pixelColor(5, 3).red() == 77
    bgra = np.zeros((4, 6, 4), np.uint8)
    bgra[..., 2] = 200  # red
    bgra[..., 3] = 255
    c = bgr_to_qimage(bgra).pixelColor(1, 1)
    assert (c.red(), c.green(), c.blue()) == (200, 0, 0)


def test_other_arrays_are_refused():
    with pytest.raises(ValueError):
        bgr_to_qimage(np.zeros((4, 4, 3), np.float32))
    with pytest.raises(ValueError):
        bgr_to_qimage(np.zeros((4, 4, 2), np.uint8))
