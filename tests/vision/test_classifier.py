"""The LiteRT emotion classifier with the bundled mini-Xception, on real photos."""

from pathlib import Path

import cv2
import numpy as np
import pytest

from acting_mirror import config
from acting_mirror.core.ports import EmotionClassifier
from acting_mirror.core.types import EMOTIONS, Box, Face
from acting_mirror.errors import ModelError
from acting_mirror.vision.classifier import LiteRTEmotionClassifier
from acting_mirror.vision.crops import extract_crops, square_crop_box

DATA = Path(__file__).parent / "data"


def haar_face(image: np.ndarray) -> Face:
    """The one face the bundled Haar cascade finds in ``image``."""
    cascade = cv2.CascadeClassifier(str(config.default_haar_cascade()))
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    found = cascade.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=5, minSize=(50, 50))
    assert len(found) == 1
    return Face(Box(*(int(v) for v in found[0])))


@pytest.fixture(scope="module")
def classifier() -> LiteRTEmotionClassifier:
    return LiteRTEmotionClassifier()


def test_bundled_model_is_found_and_described_from_the_file(classifier):
    assert classifier.model_path == config.default_emotion_model()
    assert classifier.name == "emotion_mini_xception"
    assert classifier.input_size == (64, 64) and classifier.channels == 1
    assert isinstance(classifier, EmotionClassifier)


def test_smiling_astronaut_reads_happy(classifier, astronaut_bgr):
    image = astronaut_bgr
    (face,) = classifier.classify(image, (haar_face(image),))
    assert face.top_emotion == "happy" and face.confidence > 0.9


def test_grace_hopper_reads_neutral(classifier, grace_hopper_bgr):
    image = grace_hopper_bgr
    (face,) = classifier.classify(image, (haar_face(image),))
    assert face.top_emotion == "neutral" and face.confidence > 0.8


def test_classify_sets_raw_probabilities_and_keeps_everything_else(classifier, astronaut_bgr):
    image = astronaut_bgr
    shown = np.full(7, 1 / 7, np.float32)
    before = haar_face(image).with_(face_id=4, primary=True, score=0.8, probs=shown)
    (after,) = classifier.classify(image, (before,))
    assert before.raw_probs is None  # faces are immutable values: a new one comes back
    assert after.raw_probs.dtype == np.float32 and after.raw_probs.shape == (len(EMOTIONS),)
    assert after.raw_probs.min() >= 0 and after.raw_probs.sum() == pytest.approx(1.0, abs=1e-5)
    assert after.probs is shown
    assert (after.box, after.face_id, after.primary, after.score) == (before.box, 4, True, 0.8)


def test_all_faces_of_a_frame_at_once_read_as_each_alone(classifier, astronaut_bgr, grace_hopper_bgr):
    left, right = astronaut_bgr, grace_hopper_bgr
    frame = np.zeros((600, 1024, 3), np.uint8)
    frame[:512, :512] = left
    frame[:, 512:] = right
    a, g = haar_face(left), haar_face(right)
    g = g.with_(box=Box(g.box.x + 512, g.box.y, g.box.w, g.box.h))
    together = classifier.classify(frame, (a, g, a))
    alone = [classifier.classify(frame, (f,))[0] for f in (a, g)]
    np.testing.assert_allclose(together[0].raw_probs, alone[0].raw_probs, atol=1e-5)
    np.testing.assert_allclose(together[1].raw_probs, alone[1].raw_probs, atol=1e-5)
    np.testing.assert_allclose(together[2].raw_probs, alone[0].raw_probs, atol=1e-5)
    assert [f.top_emotion for f in together] == ["happy", "neutral", "happy"]


def test_a_face_cut_by_the_frame_edge_is_still_classified(classifier, astronaut_bgr):
    image = astronaut_bgr[:, 207:]  # the face's left third is outside the picture
    faces = (Face(Box(0, 66, 65, 95)), Face(Box(-30, 66, 95, 95)))
    for face in classifier.classify(image, faces):
        assert face.raw_probs is not None and face.raw_probs.sum() == pytest.approx(1.0, abs=1e-5)


def test_a_box_wholly_outside_the_frame_is_left_unclassified(classifier, astronaut_bgr):
    image = astronaut_bgr
    inside, outside = haar_face(image), Face(Box(600, 0, 50, 50))
    result = classifier.classify(image, (outside, inside))
    assert result[0].raw_probs is None and result[1].top_emotion == "happy"


def test_no_faces_gives_no_faces(classifier, astronaut_bgr):
    assert classifier.classify(astronaut_bgr, ()) == ()


def test_predict_on_crops_matches_classify_and_resizes_other_sizes(classifier, astronaut_bgr):
    image = astronaut_bgr
    face = haar_face(image)
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    box = square_crop_box(face.box, 512, 512, classifier.crop_margin)
    crops = extract_crops(gray, [box], (64, 64))
    (expected,) = classifier.classify(image, (face,))
    np.testing.assert_allclose(classifier.predict(crops)[0], expected.raw_probs, atol=1e-6)
    big = extract_crops(gray, [box], (150, 150))
    assert EMOTIONS[int(classifier.predict(big)[0].argmax())] == "happy"
    assert classifier.predict(np.empty((0, 64, 64), np.uint8)).shape == (0, 7)


def test_input_size_and_channels_come_from_the_model_and_logits_become_probabilities(astronaut_bgr):
    tiny = LiteRTEmotionClassifier(DATA / "tiny_48x48x3_logits.tflite")
    assert tiny.input_size == (48, 48) and tiny.channels == 3
    image = astronaut_bgr
    faces = tiny.classify(image, (haar_face(image), Face(Box(300, 300, 80, 80))))
    probs = np.stack([f.raw_probs for f in faces])
    assert probs.shape == (2, 7) and probs.min() >= 0
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)


def test_model_with_the_wrong_number_of_classes_is_refused():
    with pytest.raises(ModelError, match="7 emotion scores"):
        LiteRTEmotionClassifier(DATA / "tiny_5_classes.tflite")


def test_missing_model_file_is_a_model_error(tmp_path):
    with pytest.raises(ModelError, match="does not exist"):
        LiteRTEmotionClassifier(tmp_path / "nowhere.tflite")


@pytest.mark.parametrize("content", [b"", b"not a model\n", "truncated"])
def test_broken_model_file_is_a_model_error(tmp_path, content):
    if content == "truncated":
        content = config.default_emotion_model().read_bytes()[:50_000]
    path = tmp_path / "broken.tflite"
    path.write_bytes(content)
    with pytest.raises(ModelError) as caught:
        LiteRTEmotionClassifier(path)
    message = str(caught.value)
    assert "not a readable TFLite file" in message and "\n" not in message


def test_a_model_whose_outputs_are_nan_is_refused_at_load_in_one_line():
    with pytest.raises(ModelError) as err:
        LiteRTEmotionClassifier(DATA / "tiny_nan.tflite")
    message = str(err.value)
    assert "\n" not in message and "gives non-finite outputs (NaN or infinity)" in message


def test_a_non_finite_reading_at_run_time_is_not_read(astronaut_bgr):
    model = LiteRTEmotionClassifier(DATA / "tiny_nan_on_white.tflite")  # finite on the probes
    white = np.full_like(astronaut_bgr, 255)
    face = Face(Box(100, 100, 200, 200))
    (read,) = model.classify(astronaut_bgr, (face,))
    assert read.raw_probs is not None and np.isfinite(read.raw_probs).all()
    (unread,) = model.classify(white, (face,))
    assert unread.raw_probs is None  # never NaN handed on (it would reach summary.json)
    assert np.isnan(model.predict(np.full((1, 48, 48), 255, np.uint8))).all()
def test_align_and_clahe_options_still_read_the_real_faces(astronaut_bgr, grace_hopper_bgr):
    from acting_mirror.vision.mtcnn import MtcnnDetector

    detector = MtcnnDetector()
    plain = LiteRTEmotionClassifier()
    treated = LiteRTEmotionClassifier(align=True, clahe=True)
    assert not plain.align and not plain.clahe  # off by default
    for image, expected in ((astronaut_bgr, "happy"), (grace_hopper_bgr, "neutral")):
        faces = detector.detect(image)[:1]
        assert faces[0].landmarks is not None
        a, b = plain.classify(image, faces)[0].raw_probs, treated.classify(image, faces)[0].raw_probs
        assert EMOTIONS[int(np.argmax(b))] == expected
        assert not np.allclose(a, b)  # the treatment did change the crop
