"""``acting-mirror model evaluate | export | train``."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from acting_mirror.cli import main
from acting_mirror.core.types import EMOTIONS, Box
from acting_mirror.vision.classifier import LiteRTEmotionClassifier
from acting_mirror.vision.crops import extract_crops, square_crop_box

ASTRONAUT_FACE = Box(177, 66, 95, 95)  # where the bundled Haar cascade finds the faces
HOPPER_FACE = Box(155, 105, 222, 222)


def face_crop(image_bgr, box, side):
    gray = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2GRAY)
    return extract_crops(gray, [square_crop_box(box, gray.shape[1], gray.shape[0], 0.1)], (side, side))[0]


@pytest.fixture
def labelled_folder(tmp_path, astronaut_bgr, grace_hopper_bgr):
    root = tmp_path / "faces"
    (root / "happy").mkdir(parents=True)
    (root / "neutral").mkdir()
    cv2.imwrite(str(root / "happy" / "astronaut.png"), face_crop(astronaut_bgr, ASTRONAUT_FACE, 96))
    cv2.imwrite(str(root / "neutral" / "grace_hopper.png"), face_crop(grace_hopper_bgr, HOPPER_FACE, 96))
    return root


def test_evaluate_prints_accuracy_macro_f1_per_class_and_confusion(labelled_folder, capsys):
    assert main(["model", "evaluate", str(labelled_folder)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"emotion_mini_xception on {labelled_folder}: 2 faces"
    assert out[1] == "accuracy  100.0%" and out[2] == "macro-F1  100.0%"
    assert out[4].split() == ["precision", "recall", "F1", "support"]
    assert out[5].split() == ["angry", "-", "-", "-", "0"]
    assert out[8].split() == ["happy", "100.0%", "100.0%", "100.0%", "1"]
    happy_row = [line for line in out if line.startswith("happy ")][-1]  # the confusion row
    assert happy_row.split()[1:] == ["0", "0", "0", "1", "0", "0", "0"]


def test_evaluate_json_has_exactly_the_documented_keys(labelled_folder, capsys):
    assert main(["model", "evaluate", str(labelled_folder), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert list(result) == ["n", "accuracy", "macro_f1", "labels", "per_class", "confusion"]
    assert result["accuracy"] == 1.0 and result["n"] == 2 and result["macro_f1"] == 1.0
    assert result["labels"] == list(EMOTIONS)
    assert np.array(result["confusion"]).shape == (7, 7)
    assert result["per_class"]["happy"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1}
    assert result["per_class"]["fear"] == {"precision": None, "recall": None, "f1": None, "support": 0}


def test_evaluate_blur_adds_a_radius_map_and_plots(labelled_folder, tmp_path, capsys):
    plots = tmp_path / "plots"
    argv = ["model", "evaluate", str(labelled_folder), "--json", "--blur", "0,3,30", "--plots", str(plots)]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert list(result) == ["n", "accuracy", "macro_f1", "labels", "per_class", "confusion", "blur"]
    assert list(result["blur"]) == ["0", "3", "30"]
    assert result["blur"]["0"] == {"accuracy": 1.0, "macro_f1": 1.0}
    assert all(set(v) == {"accuracy", "macro_f1"} for v in result["blur"].values())
    for name in ("confusion.png", "blur.png"):
        image = cv2.imread(str(plots / name))
        assert image is not None and image.shape[0] > 200 and image.std() > 10
    assert main(argv) == 2  # the plots are never overwritten
    assert "already exists" in capsys.readouterr().err


def test_evaluate_detect_finds_faces_in_photos_and_counts_the_misses(tmp_path, astronaut_bgr, grace_hopper_bgr,
                                                                     faceless_bgr, capsys):
    root = tmp_path / "photos"
    (root / "happy").mkdir(parents=True)
    (root / "neutral").mkdir()
    cv2.imwrite(str(root / "happy" / "astronaut.png"), astronaut_bgr)
    cv2.imwrite(str(root / "neutral" / "hopper.png"), grace_hopper_bgr)
    cv2.imwrite(str(root / "neutral" / "coffee.png"), faceless_bgr)
    assert main(["model", "evaluate", str(root), "--detect", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["n"] == 2 and result["accuracy"] == 1.0
    assert result["detect"] == {"found": 2, "not_found": 1}
    assert main(["model", "evaluate", str(root), "--detect"]) == 0
    assert "faces not found  1" in capsys.readouterr().out


def test_evaluate_bad_blur_is_one_line_and_exit_2(labelled_folder, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["model", "evaluate", str(labelled_folder), "--blur", "1,big"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "'big' is not a blur radius" in err and err.count("\n") == 1


def test_evaluate_json_into_a_closed_pipe_ends_quietly(labelled_folder):
    import subprocess
    import sys

    cmd = f"{sys.executable} -m acting_mirror model evaluate {labelled_folder} --json | head -1"
    done = subprocess.run(["bash", "-c", "set -o pipefail; " + cmd], capture_output=True, text=True, timeout=120)
    assert done.stdout == "{\n"
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr
    assert done.returncode == 0


def test_evaluate_problems_are_one_line_and_exit_2(labelled_folder, tmp_path, capsys):
    assert main(["model", "evaluate", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("acting-mirror: ") and "does not exist" in err and err.count("\n") == 1
    broken = tmp_path / "broken.tflite"
    broken.write_bytes(b"junk")
    assert main(["model", "evaluate", str(labelled_folder), "--model", str(broken)]) == 2
    assert "not a readable TFLite file" in capsys.readouterr().err


@pytest.mark.tools
def test_export_writes_a_tflite_and_will_not_overwrite_it(tmp_path, capsys):
    from acting_mirror.vision.model_tools import build_mini_xception

    keras_file = tmp_path / "mine.keras"
    build_mini_xception(64).save(keras_file)
    out = tmp_path / "mine.tflite"
    assert main(["model", "export", str(keras_file), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"wrote {out}: input (64, 64, 1), sha256 " in printed and "TFLite matches Keras" in printed
    assert LiteRTEmotionClassifier(out).input_size == (64, 64)
    assert main(["model", "export", str(keras_file), "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["model", "export", str(keras_file), "--out", str(out), "--force"]) == 0


@pytest.mark.tools
def test_export_int8_writes_both_models_and_a_side_by_side_table(tmp_path, labelled_folder, capsys):
    import keras

    keras.utils.set_random_seed(0)
    image = keras.Input((48, 48, 1))
    x = keras.layers.Conv2D(4, 3, strides=4, activation="relu")(image)
    x = keras.layers.GlobalAveragePooling2D()(x)
    tiny = keras.Model(image, keras.layers.Dense(7, activation="softmax")(x))
    tiny.save(tmp_path / "tiny.keras")
    out = tmp_path / "tiny.tflite"
    assert main(["model", "export", str(tmp_path / "tiny.keras"), "--out", str(out), "--int8"]) == 2
    assert "--int8 needs --calibration" in capsys.readouterr().err
    argv = ["model", "export", str(tmp_path / "tiny.keras"), "--out", str(out), "--int8",
            "--calibration", str(labelled_folder)]
    assert main(argv) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[2] == f"wrote {tmp_path / 'tiny_int8.tflite'}: int8, calibrated on {labelled_folder}"
    assert printed[3] == f"on {labelled_folder} (2 faces):"
    assert printed[4].split() == ["model", "size", "accuracy", "agreement", "max", "diff", "ms/face"]
    assert [line.split()[:2] for line in printed[5:8]] == [["keras", printed[5].split()[1]],
                                                          ["tflite", "float32"], ["tflite", "int8"]]
    int8 = LiteRTEmotionClassifier(tmp_path / "tiny_int8.tflite")
    assert int8._input["dtype"] == np.int8 and int8.input_size == (48, 48)
    assert main(argv) == 2 and "already exists" in capsys.readouterr().err


@pytest.mark.tools
def test_train_one_epoch_on_a_small_csv_gives_a_usable_model(tmp_path, lfw_faces, astronaut_bgr, capsys):
    rows = ["emotion,pixels"]
    for i, face in enumerate(lfw_faces[:70]):  # LFW has no emotion labels: any labels do here
        rows.append(f"{i % 7}," + " ".join(map(str, cv2.resize(face, (48, 48)).ravel())))
    data = tmp_path / "tiny.csv"
    data.write_text("\n".join(rows) + "\n")
    out = tmp_path / "trained"
    argv = ["model", "train", str(data), "--out", str(out), "--epochs", "1", "--blur-levels", "0,2"]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "trained 1 epochs" in printed and "TFLite matches Keras" in printed and "accuracy" in printed
    weights = next(line for line in printed.splitlines() if line.startswith("class weights  angry "))
    values = [float(v) for v in weights.split()[3::2]]
    assert len(values) == 7 and all(0.7 < v < 1.5 for v in values)  # about 10 faces of each emotion
    table = printed[printed.index("on the 7 validation faces:"):].splitlines()
    assert [line.split()[0] for line in table[2:5]] == ["keras", "tflite", "tflite"]
    assert "int8" in table[4]
    for name in ("emotion_mini_xception.keras", "emotion_mini_xception_int8.tflite", "training_curve.png"):
        assert (out / name).is_file(), name
    assert cv2.imread(str(out / "training_curve.png")).std() > 10
    int8 = LiteRTEmotionClassifier(out / "emotion_mini_xception_int8.tflite")
    probs = int8.predict(face_crop(astronaut_bgr, ASTRONAUT_FACE, 48)[None])
    assert probs.shape == (1, 7) and probs.sum() == pytest.approx(1.0, abs=1e-5)
    model = LiteRTEmotionClassifier(out / "emotion_mini_xception.tflite")
    assert model.input_size == (48, 48) and model.channels == 1
    probs = model.predict(face_crop(astronaut_bgr, ASTRONAUT_FACE, 48)[None])
    assert probs.shape == (1, 7) and probs.sum() == pytest.approx(1.0, abs=1e-5)
    assert main(argv) == 2
    assert "already exists" in capsys.readouterr().err


def test_train_rejects_other_input_sizes(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["model", "train", str(tmp_path), "--out", str(tmp_path / "o"), "--input-size", "32"])
    assert stop.value.code == 2


@pytest.mark.tools
def test_explain_writes_a_heat_map_picture_and_refuses_faceless_photos(tmp_path, grace_hopper_bgr, faceless_bgr,
                                                                       capsys):
    photo, empty = tmp_path / "hopper.png", tmp_path / "coffee.png"
    cv2.imwrite(str(photo), grace_hopper_bgr)
    cv2.imwrite(str(empty), faceless_bgr)
    out = tmp_path / "heat.png"
    assert main(["model", "explain", str(photo), "--out", str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith(f"{photo}: face at ") and "reads as neutral" in printed[0]
    assert printed[1].startswith(f"wrote {out}: Grad-CAM of neutral")
    picture = cv2.imread(str(out))
    assert picture.shape == (296, 512, 3)
    assert main(["model", "explain", str(photo), "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["model", "explain", str(empty), "--out", str(tmp_path / "none.png")]) == 2
    err = capsys.readouterr().err
    assert "No face was found" in err and "--crop" in err and err.count("\n") == 1
    assert not (tmp_path / "none.png").exists()


def test_quality_sweep_prints_the_tables_and_the_thresholds_in_use(capsys):
    assert main(["model", "quality-sweep"]) == 0
    out = capsys.readouterr().out
    assert "on 50 reference faces (2 labelled, clean reading at least 60% sure)" in out
    for title in ("box blur radius", "darkened: gain", "washed out", "face size (px)"):
        assert title in out
    assert "min_sharpness       100   (in use: 100)" in out
