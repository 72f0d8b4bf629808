"""Model tools: labelled data, evaluation with the bundled model, Keras export."""

import sys

import cv2
import numpy as np
import pytest

from acting_mirror.core.types import EMOTIONS, Box
from acting_mirror.errors import DependencyError, ModelError, OutputError, SourceError
from acting_mirror.vision.classifier import LiteRTEmotionClassifier
from acting_mirror.vision.crops import extract_crops, square_crop_box
from acting_mirror.vision.model_tools import (
    box_blur,
    build_mini_xception,
    evaluate,
    export_keras_to_tflite,
    load_labelled_faces,
    score,
    train,
)

# Where the bundled Haar cascade finds the one face of each photo.
ASTRONAUT_FACE = Box(177, 66, 95, 95)
HOPPER_FACE = Box(155, 105, 222, 222)


def face_crop(image_bgr: np.ndarray, box: Box, side: int) -> np.ndarray:
    gray = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2GRAY)
    square = square_crop_box(box, gray.shape[1], gray.shape[0], 0.1)
    return extract_crops(gray, [square], (side, side))[0]


@pytest.fixture
def labelled_folder(tmp_path, astronaut_bgr, grace_hopper_bgr):
    """happy/astronaut.png and neutral/grace_hopper.png: face crops of different sizes."""
    root = tmp_path / "faces"
    (root / "happy").mkdir(parents=True)
    (root / "Neutral").mkdir()
    cv2.imwrite(str(root / "happy" / "astronaut.png"), face_crop(astronaut_bgr, ASTRONAUT_FACE, 100))
    cv2.imwrite(str(root / "Neutral" / "grace_hopper.jpg"), face_crop(grace_hopper_bgr, HOPPER_FACE, 150))
    (root / "happy" / "notes.txt").write_text("not an image, ignored")
    return root


def write_fer_csv(path, crops, labels, usages=None):
    lines = ["emotion,pixels" + (",Usage" if usages else "")]
    for i, (crop, label) in enumerate(zip(crops, labels)):
        row = f"{label},{' '.join(str(int(v)) for v in crop.ravel())}"
        lines.append(row + (f",{usages[i]}" if usages else ""))
    path.write_text("\n".join(lines) + "\n")
    return path


def test_folder_of_emotion_subfolders_loads_as_labelled_faces(labelled_folder):
    faces = load_labelled_faces(labelled_folder, size=(64, 64))
    assert faces.images.shape == (2, 64, 64) and faces.images.dtype == np.uint8
    assert [EMOTIONS[i] for i in faces.labels] == ["happy", "neutral"]


def test_folder_with_a_non_emotion_subfolder_is_refused(labelled_folder):
    (labelled_folder / "smiling").mkdir()
    with pytest.raises(SourceError, match="'smiling' that is not an emotion"):
        load_labelled_faces(labelled_folder, size=(64, 64))


def test_missing_or_empty_data_is_a_source_error(tmp_path):
    with pytest.raises(SourceError, match="does not exist"):
        load_labelled_faces(tmp_path / "nowhere")
    (tmp_path / "empty" / "sad").mkdir(parents=True)
    with pytest.raises(SourceError, match="no images"):
        load_labelled_faces(tmp_path / "empty")


def test_fer2013_csv_loads_and_filters_by_usage(tmp_path, lfw_faces):
    crops = [cv2.resize(f, (48, 48)) for f in lfw_faces[:6]]
    usages = ["Training"] * 4 + ["PrivateTest"] * 2
    path = write_fer_csv(tmp_path / "fer.csv", crops, [0, 1, 2, 3, 4, 5], usages)
    faces = load_labelled_faces(path)
    assert faces.images.shape == (6, 48, 48) and list(faces.labels) == [0, 1, 2, 3, 4, 5]
    np.testing.assert_array_equal(faces.images[2], crops[2])
    test = load_labelled_faces(path, usage="PrivateTest", size=(64, 64))
    assert test.images.shape == (2, 64, 64) and list(test.labels) == [4, 5]


def test_csv_problems_name_the_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("emotion,pixels\n3," + " ".join(["7"] * 2304) + "\n9," + " ".join(["7"] * 2304) + "\n")
    with pytest.raises(SourceError, match="line 3: emotion 9"):
        load_labelled_faces(bad)
    bad.write_text("emotion,pixels\n3,1 2 3\n")
    with pytest.raises(SourceError, match="line 2: pixels are not a square"):
        load_labelled_faces(bad)
    bad.write_text("label,image\n3,1\n")
    with pytest.raises(SourceError, match="'emotion' and 'pixels' columns"):
        load_labelled_faces(bad)


def test_score_counts_the_confusion_matrix_by_labelled_then_read_emotion():
    happy, sad, neutral = EMOTIONS.index("happy"), EMOTIONS.index("sad"), EMOTIONS.index("neutral")
    result = score([happy, happy, sad, neutral], [happy, sad, sad, happy])
    assert result.accuracy == 0.5 and result.count == 4
    assert result.confusion[happy, sad] == 1 and result.confusion[sad, sad] == 1
    assert result.confusion.sum() == 4
    recall = {name: c.recall for name, c in result.metrics.per_class.items()}
    assert recall["happy"] == 0.5 and recall["neutral"] == 0.0 and recall["fear"] is None


def test_bundled_model_reads_the_labelled_photos_right(labelled_folder):
    done = []
    result = evaluate(None, labelled_folder, progress=lambda n, total: done.append((n, total)))
    assert result.accuracy == 1.0 and result.count == 2
    assert result.metrics.per_class["happy"].recall == 1.0 and result.metrics.per_class["neutral"].recall == 1.0
    assert result.metrics.macro_f1 == 1.0
    assert done[-1] == (2, 2)
    assert result.to_dict()["confusion"][EMOTIONS.index("happy")][EMOTIONS.index("happy")] == 1


def test_bundled_model_reads_fer2013_style_48px_crops_right(tmp_path, astronaut_bgr, grace_hopper_bgr):
    crops = [face_crop(astronaut_bgr, ASTRONAUT_FACE, 48), face_crop(grace_hopper_bgr, HOPPER_FACE, 48)]
    path = write_fer_csv(tmp_path / "two.csv", crops, [EMOTIONS.index("happy"), EMOTIONS.index("neutral")])
    assert evaluate(None, path).accuracy == 1.0


def test_evaluating_a_missing_model_is_a_model_error(labelled_folder, tmp_path):
    with pytest.raises(ModelError):
        evaluate(tmp_path / "none.tflite", labelled_folder)


def test_tools_without_tensorflow_say_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorflow", None)  # import tensorflow now fails
    with pytest.raises(DependencyError, match=r"pip install 'acting-mirror\[tools\]'"):
        export_keras_to_tflite(tmp_path / "m.keras", tmp_path / "m.tflite")
    with pytest.raises(DependencyError):
        train(tmp_path, tmp_path / "out", epochs=1)


@pytest.mark.tools
def test_export_round_trip_gives_a_model_the_classifier_runs(tmp_path, astronaut_bgr):
    model = build_mini_xception(48)
    assert model.count_params() == 58423  # as published: fully convolutional, any input size
    keras_path = tmp_path / "mini.keras"
    model.save(keras_path)
    out = tmp_path / "mini.tflite"
    report = export_keras_to_tflite(keras_path, out)
    assert report.ok and report.input_shape == (48, 48, 1) and len(report.sha256) == 64
    classifier = LiteRTEmotionClassifier(out)
    assert classifier.input_size == (48, 48)
    probs = classifier.predict(face_crop(astronaut_bgr, ASTRONAUT_FACE, 48)[None])
    assert probs.shape == (1, 7) and probs.sum() == pytest.approx(1.0, abs=1e-5)
    with pytest.raises(OutputError, match="already exists"):
        export_keras_to_tflite(keras_path, out)
    assert export_keras_to_tflite(keras_path, out, force=True).sha256 == report.sha256


@pytest.mark.tools
def test_export_refuses_files_that_are_not_keras_emotion_models(tmp_path):
    not_keras = tmp_path / "notes.keras"
    not_keras.write_text("hello")
    with pytest.raises(ModelError):
        export_keras_to_tflite(not_keras, tmp_path / "out.tflite")
    with pytest.raises(ModelError, match="does not exist"):
        export_keras_to_tflite(tmp_path / "missing.h5", tmp_path / "out.tflite")
    import keras

    five = keras.Sequential([keras.Input((48, 48, 1)), keras.layers.Flatten(), keras.layers.Dense(5)])
    five.save(tmp_path / "five.keras")
    with pytest.raises(ModelError, match="7 emotion scores"):
        export_keras_to_tflite(tmp_path / "five.keras", tmp_path / "out.tflite")
    assert not (tmp_path / "out.tflite").exists()


@pytest.mark.tools
def test_training_form_of_mini_xception_computes_the_published_function():
    import keras

    published = build_mini_xception(48)
    training = build_mini_xception(48, for_training=True)
    rng = np.random.default_rng(0)
    weights = [
        rng.uniform(0.5, 1.5, v.shape) if ("variance" in v.path or "gamma" in v.path) else rng.normal(0, 0.2, v.shape)
        for v in published.weights
    ]
    training.set_weights([w.astype(np.float32) for w in weights])
    published.set_weights(training.get_weights())

    def logits(model):  # before the softmax, where differences are not squashed
        return keras.Model(model.input, model.layers[-2].output)

    x = rng.uniform(-1, 1, (4, 48, 48, 1)).astype(np.float32)
    expected = np.asarray(logits(published)(x))
    assert np.all(np.isfinite(expected)) and expected.std() > 0.01
    np.testing.assert_allclose(np.asarray(logits(training)(x)), expected, rtol=1e-4, atol=1e-5)


@pytest.fixture
def portrait_photos(tmp_path, astronaut_bgr, grace_hopper_bgr):
    """The two portraits and their mirror images, uncropped, by the expression they show."""
    root = tmp_path / "photos"
    for emotion, name, image in (("happy", "astronaut", astronaut_bgr), ("neutral", "hopper", grace_hopper_bgr)):
        (root / emotion).mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(root / emotion / f"{name}.png"), image)
        cv2.imwrite(str(root / emotion / f"{name}_flipped.png"), cv2.flip(image, 1))
    return root


def test_blur_never_raises_accuracy_on_faces_read_right_when_clean(portrait_photos):
    radii = (0, 2, 4, 8, 16, 32)
    result = evaluate(None, portrait_photos, detect=True, blur=radii)
    assert result.accuracy == 1.0 and result.not_found == 0
    curve = [result.blur[r].accuracy for r in radii]
    assert curve[0] == 1.0
    assert all(later <= earlier for earlier, later in zip(curve, curve[1:])), curve
    assert curve[-1] < 1.0  # heavy blur does cost readings
    assert result.blur[0] == result.metrics


def test_evaluate_with_align_and_clahe_reads_the_portraits_right(portrait_photos, labelled_folder):
    result = evaluate(None, portrait_photos, detect=True, align=True, clahe=True)
    assert result.accuracy == 1.0 and result.aligned == 4 and result.options == ("detect", "align", "clahe")
    crops = evaluate(None, labelled_folder, align=True)  # stored crops: eyes found on an enlarged copy
    assert crops.accuracy == 1.0 and crops.aligned == 2


def test_box_blur_radius_zero_is_the_image_and_radius_r_averages_a_square():
    image = np.zeros((9, 9), np.uint8)
    image[4, 4] = 90
    assert box_blur(image, 0) is image
    blurred = box_blur(image, 1)
    assert blurred[4, 4] == 10 and blurred[3, 3] == 10 and blurred[2, 2] == 0


def test_parse_radii_reads_lists_and_refuses_anything_else():
    from hypothesis import given
    from hypothesis import strategies as st

    from acting_mirror.vision.model_tools import parse_radii

    assert parse_radii("0,2, 4,2") == (0, 2, 4)
    for bad in ("", "1,,2", "-1", "1.5", "101", "a"):
        with pytest.raises(ValueError):
            parse_radii(bad)

    @given(st.text(max_size=20))
    def any_text(text):
        try:
            radii = parse_radii(text)
        except ValueError:
            return
        assert radii and all(0 <= r <= 100 for r in radii) and len(set(radii)) == len(radii)

    any_text()


def test_any_bytes_as_a_csv_load_or_give_a_source_error(tmp_path):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    path = tmp_path / "fuzz.csv"
    header = st.sampled_from([b"emotion,pixels\n", b"emotion,pixels,Usage\n", b"", b"pixels,emotion\n"])
    row = st.one_of(
        st.binary(max_size=40),
        st.builds(lambda e, px: f"{e},{' '.join(map(str, px))}\n".encode(),
                  st.integers(-2, 9), st.lists(st.integers(-5, 300), max_size=20)),
    )

    @settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(header, st.lists(row, max_size=5))
    def check(head, rows):
        path.write_bytes(head + b"".join(rows))
        try:
            faces = load_labelled_faces(path)
        except SourceError:
            return
        assert len(faces) >= 1 and faces.images.dtype == np.uint8
        assert faces.labels.min() >= 0 and faces.labels.max() <= 6

    check()
