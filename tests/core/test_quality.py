"""Image-quality verdicts: pure rules, and real faces made dark, bright, blurred or small."""

import cv2
import numpy as np
import pytest

from acting_mirror.core.quality import (
    DEFAULT_THRESHOLDS,
    QUALITY_SIDE,
    FaceMeasures,
    assess,
    assess_crop,
    face_brightness,
    laplacian_variance,
)
from acting_mirror.core.types import Box
from acting_mirror.vision.crops import measure_face, quality_crop

ASTRONAUT_FACE = Box(177, 66, 95, 95)
HOPPER_FACE = Box(155, 105, 222, 222)
T = DEFAULT_THRESHOLDS


def test_rules_give_each_reason_in_order():
    good = FaceMeasures(sharpness=500, brightness=120, face_px=120)
    assert assess(good).ok and assess(good).label == "ok" and assess(good).reasons == ()
    assert assess(FaceMeasures(T.min_sharpness - 1, 120, 120)).reasons == ("blurred",)
    assert assess(FaceMeasures(500, T.min_brightness - 1, 120)).reasons == ("dark",)
    assert assess(FaceMeasures(500, T.max_brightness + 1, 120)).reasons == ("bright",)
    assert assess(FaceMeasures(500, 120, T.min_face_px - 1)).reasons == ("small",)
    assert assess(FaceMeasures(500, 120, 120, yaw=-(T.max_yaw + 1))).reasons == ("turned",)
    assert assess(FaceMeasures(500, 120, 120, yaw=T.max_yaw)).ok  # at the limit is still fine
    worst = assess(FaceMeasures(1, 10, 8, yaw=60))
    assert worst.label == "blurred|dark|small|turned" and not worst.ok


def test_laplacian_variance_matches_opencv_and_falls_with_blur(astronaut_bgr):
    crop = quality_crop(astronaut_bgr, ASTRONAUT_FACE)
    assert crop.shape == (QUALITY_SIDE, QUALITY_SIDE) and crop.dtype == np.uint8
    reference = cv2.Laplacian(crop.astype(np.float64), cv2.CV_64F, ksize=1)[1:-1, 1:-1].var()
    assert laplacian_variance(crop) == pytest.approx(reference)
    assert laplacian_variance(np.full((10, 10), 77)) == 0.0
    blurred = [laplacian_variance(cv2.blur(crop, (2 * r + 1, 2 * r + 1))) for r in (1, 2, 3)]
    assert laplacian_variance(crop) > blurred[0] > blurred[1] > blurred[2]
    with pytest.raises(ValueError):
        laplacian_variance(np.zeros((2, 2)))


def test_brightness_is_the_face_box_inside_the_crop_margin():
    crop = np.zeros((64, 64), np.uint8)
    crop[5:59, 5:59] = 200  # the face box: 64 / 1.2 = 53.3 px in the middle
    assert face_brightness(crop) == pytest.approx(200.0)
    assert face_brightness(np.full((64, 64), 50, np.uint8)) == 50.0


def test_real_portraits_are_ok(astronaut_bgr, grace_hopper_bgr):
    for image, box in ((astronaut_bgr, ASTRONAUT_FACE), (grace_hopper_bgr, HOPPER_FACE)):
        quality = assess(measure_face(image, box))
        assert quality.ok, quality


def test_a_made_dark_face_is_dark(astronaut_bgr):
    dark = (astronaut_bgr.astype(np.float32) * 0.15).astype(np.uint8)
    assert "dark" in assess(measure_face(dark, ASTRONAUT_FACE)).reasons


def test_a_made_bright_face_is_bright(grace_hopper_bgr):
    washed = (255 - (255 - grace_hopper_bgr.astype(np.float32)) * 0.15).astype(np.uint8)
    assert "bright" in assess(measure_face(washed, HOPPER_FACE)).reasons


def test_a_made_blurred_face_is_blurred_but_not_dark(grace_hopper_bgr):
    blurred = cv2.blur(grace_hopper_bgr, (25, 25))  # radius 12 on a 222-px face
    quality = assess(measure_face(blurred, HOPPER_FACE))
    assert quality.reasons == ("blurred",)


def test_a_made_small_face_is_small(astronaut_bgr):
    scale = 0.2  # the 95-px face becomes 19 px
    small = cv2.resize(astronaut_bgr, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    quality = assess(measure_face(small, ASTRONAUT_FACE.scaled(scale)))
    assert "small" in quality.reasons
    assert measure_face(small, Box(500, 500, 10, 10)) is None  # outside the frame


def test_assess_crop_takes_the_quality_side_only(astronaut_bgr):
    crop = quality_crop(astronaut_bgr, ASTRONAUT_FACE)
    assert assess_crop(crop, 95).ok
    with pytest.raises(ValueError, match="64x64"):
        assess_crop(crop[:32, :32], 95)


def test_the_default_thresholds_are_the_ones_the_sweep_derives():
    from acting_mirror.vision.model_tools import derive_thresholds, quality_sweep

    derived = derive_thresholds(quality_sweep(min_confidence=0.6))
    assert derived == {"min_sharpness": T.min_sharpness, "min_brightness": T.min_brightness,
                       "max_brightness": T.max_brightness, "min_face_px": T.min_face_px}


def test_the_live_notice_waits_before_it_appears_and_before_it_goes():
    from acting_mirror.core.quality import QualityNotice

    notice = QualityNotice(hold_ms=1000)
    assert notice.update(0, "dark") is None
    assert notice.update(500, "dark") is None  # not held long enough
    shown = notice.update(1000, "dark")
    assert shown is not None and "light" in shown
    assert notice.update(1200, "ok") == shown  # a fine frame does not take it away at once
    assert notice.update(1700, "dark") == shown
    notice.update(1800, "ok")
    assert notice.update(2900, "ok") is None  # fine for a second: gone


def test_the_live_notice_never_flickers_on_a_noisy_signal():
    import numpy as np

    from acting_mirror.core.quality import QualityNotice

    rng = np.random.default_rng(1)
    notice = QualityNotice(hold_ms=1000)
    changes, last = [], None
    for i in range(3000):  # 100 s at 30 fps, the picture flipping between dark and fine
        t = i * 33
        shown = notice.update(t, "dark" if rng.random() < 0.5 else "ok")
        if shown != last:
            changes.append(t)
            last = shown
    assert all(b - a >= 1000 for a, b in zip(changes, changes[1:]))
