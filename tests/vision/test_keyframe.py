import time

import cv2
import numpy as np

from acting_mirror.core.types import Box, Face
from acting_mirror.vision.keyframe import KeyframeDetector, KeyframePolicy


class CountingDetector:
    """Finds a 'face' at each bright blob; counts calls and input sizes."""

    name = "fake"

    def __init__(self):
        self.calls = []

    def detect(self, image):
        self.calls.append(image.shape[:2])
        mask = (image[..., 0] > 200).astype(np.uint8)
        n, _, stats, _ = cv2.connectedComponentsWithStats(mask)
        return tuple(Face(box=Box(*map(int, stats[i, :4]))) for i in range(1, n))


def frame_with_face(x, y, size=100, shape=(720, 1280)):
    img = np.zeros((*shape, 3), np.uint8)
    img[y : y + size, x : x + size] = 255
    return img


def test_full_detection_only_on_keyframes_and_small_windows_between():
    inner = CountingDetector()
    det = KeyframeDetector(inner, KeyframePolicy(keyframe_interval=5, full_height=360))
    for i in range(10):
        faces = det.detect(frame_with_face(300 + 2 * i, 200))
        assert len(faces) == 1
        assert abs(faces[0].box.x - (300 + 2 * i)) <= 4
    full = [c for c in inner.calls if c == (360, 640)]
    assert len(full) == 2  # frames 0 and 5
    assert all(max(c) < 200 for c in inner.calls if c != (360, 640))


def test_a_lost_face_triggers_a_full_detection():
    inner = CountingDetector()
    det = KeyframeDetector(inner, KeyframePolicy(keyframe_interval=100, max_misses=1))
    det.detect(frame_with_face(300, 200))
    empty = np.zeros((720, 1280, 3), np.uint8)
    assert len(det.detect(empty)) == 1  # held for one miss
    assert det.detect(empty) == ()  # then dropped
    faces = det.detect(frame_with_face(900, 400))  # found again by a full pass
    assert len(faces) == 1 and faces[0].box.x == 900


def test_boxes_stay_inside_the_frame_at_the_edge():
    det = KeyframeDetector(CountingDetector())
    for _ in range(4):
        faces = det.detect(frame_with_face(1230, 660, size=50))
        b = faces[0].box
        assert b.x >= 0 and b.y >= 0 and b.x2 <= 1280 and b.y2 <= 720 and b.area > 0


def test_background_full_detection_finds_a_new_face_without_blocking_frames():
    inner, helper = CountingDetector(), CountingDetector()
    det = KeyframeDetector(inner, KeyframePolicy(keyframe_interval=3), background=helper)
    try:
        first = det.detect(frame_with_face(300, 200))  # nothing known yet: one blocking pass
        assert len(first) == 1
        img = frame_with_face(300, 200)
        img[500:580, 900:980] = 255  # a second face walks in
        seen = 0
        for _ in range(400):  # a wait of up to 2 s, not a timing check
            faces = det.detect(img)
            seen = max(seen, len(faces))
            if seen == 2:
                break
            time.sleep(0.005)
        assert seen == 2
        assert len(det.detect(img)) == 2  # and it stays
        assert helper.calls  # the full passes ran on the background detector
    finally:
        det.close()


def test_with_many_faces_the_largest_follows_every_frame_and_the_others_take_turns():
    """Six faces, four searches a frame: the main (largest) face is searched every frame,
    so its box never lags; each other face at least every other frame."""
    spots = [(100, 100, 140), (400, 100, 80), (700, 100, 80), (100, 400, 80),
             (400, 400, 80), (700, 400, 80)]

    def picture(dx):
        img = np.zeros((720, 1280, 3), np.uint8)
        for x, y, size in spots:
            img[y : y + size, x + dx : x + dx + size] = 255
        return img

    det = KeyframeDetector(CountingDetector(), KeyframePolicy(keyframe_interval=100))
    det.detect(picture(0))
    held = {i: 0 for i in range(len(spots))}
    for step in range(1, 7):
        faces = sorted(det.detect(picture(8 * step)), key=lambda f: (f.box.y // 100, f.box.x))
        assert len(faces) == len(spots)
        for i, face in enumerate(faces):
            on_time = abs(face.box.x - (spots[i][0] + 8 * step)) <= 3
            held[i] = 0 if on_time else held[i] + 1
            assert held[i] <= 1, (step, i)
        assert held[0] == 0  # the largest face, every frame


def test_after_a_cut_the_face_is_found_in_the_frame_that_lost_it():
    """When every known face is lost (a cut), that frame gets a full pass of its own: the
    picture does not go faceless while a slow helper pass runs."""

    class SlowDetector(CountingDetector):
        def detect(self, image):
            time.sleep(0.3)
            return super().detect(image)

    det = KeyframeDetector(CountingDetector(), KeyframePolicy(keyframe_interval=100, max_misses=1),
                           background=SlowDetector())
    try:
        for _ in range(3):
            assert len(det.detect(frame_with_face(300, 200))) == 1
        cut = frame_with_face(900, 400)
        assert [f.box.x for f in det.detect(cut)] == [300]  # held for one miss
        assert [f.box.x for f in det.detect(cut)] == [900]  # lost: found again at once
    finally:
        det.close()


def test_live_a_cut_never_stalls_a_frame_and_the_helper_finds_the_face():
    """Live (``wait_when_lost`` off): when every face is lost, frames go on at once without
    faces while the (slow) helper looks; its face then joins."""

    class SlowDetector(CountingDetector):
        def detect(self, image):
            time.sleep(0.3)
            return super().detect(image)

    det = KeyframeDetector(CountingDetector(), KeyframePolicy(keyframe_interval=100, max_misses=0,
                                                              wait_when_lost=False),
                           background=SlowDetector())
    try:
        # the first frame (of a source or take) is looked at at once
        assert [f.box.x for f in det.detect(frame_with_face(300, 200))] == [300]
        cut = frame_with_face(900, 400)
        started = time.perf_counter()
        assert det.detect(cut) == ()  # lost: no blocking pass
        assert time.perf_counter() - started < 0.25  # well under the helper's 0.3 s
        found = ()
        for _ in range(400):  # a wait of up to 2 s for the helper, not a timing check
            found = det.detect(cut)
            if found:
                break
            time.sleep(0.005)
        assert [f.box.x for f in found] == [900]
    finally:
        det.close()


def test_a_followed_face_is_not_searched_for_and_keeps_its_box():
    """Another tracker (the face mesh) found the main face in this frame: that box is used
    as it is, only the other faces are searched, and its detail is not handed on."""
    inner = CountingDetector()
    det = KeyframeDetector(inner, KeyframePolicy(keyframe_interval=5, follow_keyframe_interval=50))
    img = frame_with_face(300, 200)
    img[400:480, 900:980] = 255  # a second, smaller face
    det.detect(img)
    calls = len(inner.calls)
    followed = Face(box=Box(290, 195, 120, 110), score=0.9, blendshapes=np.zeros(52, np.float32))
    for _ in range(12):  # past keyframe_interval: following, keyframes wait for 50 frames
        faces = det.detect_following(img, followed)
        assert followed in faces and len(faces) == 2
    searched = inner.calls[calls:]
    assert len(searched) == 12 and all(max(shape) < 200 for shape in searched)  # the small face only
    held = det.detect(np.zeros((720, 1280, 3), np.uint8))  # the mesh lost it; Haar misses
    assert all(f.blendshapes is None for f in held)  # an old frame's detail is not this one's


def test_a_followed_face_joins_when_the_detector_knew_nothing():
    det = KeyframeDetector(CountingDetector(), KeyframePolicy(keyframe_interval=100))
    empty = np.zeros((720, 1280, 3), np.uint8)
    assert det.detect(empty) == ()
    followed = Face(box=Box(500, 300, 90, 90), score=0.9)
    assert det.detect_following(empty, followed) == (followed,)


def test_live_an_empty_picture_is_searched_every_few_frames_not_without_pause():
    inner, helper = CountingDetector(), CountingDetector()
    det = KeyframeDetector(inner, KeyframePolicy(keyframe_interval=100, wait_when_lost=False,
                                                 lost_search_gap=5), background=helper)
    empty = np.zeros((720, 1280, 3), np.uint8)
    try:
        for _ in range(40):
            assert det.detect(empty) == ()
            if det._pending is not None:
                det._pending.result()  # a fast helper: every pass ends within its frame
        # the first frame looks at once (on this thread), then one pass every five frames
        assert len(inner.calls) == 1
        assert 6 <= len(helper.calls) <= 8
    finally:
        det.close()
