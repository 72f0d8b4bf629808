"""The emotion classifier: the mini-Xception CNN (or any compatible TFLite file) on LiteRT.

Preprocessing is the one the published model was trained with: the frame in gray, a
square crop around each face (see :mod:`acting_mirror.vision.crops`), resized to the
model's input, scaled to ``[-1, 1]`` (``pixel / 255 * 2 - 1``). Models with three input
channels get the gray crop in every channel (FER2013 is gray). The seven outputs follow
:data:`acting_mirror.core.types.EMOTIONS`.

Quantised models (``model export --int8``: int8 input and output with their scales and
zero points) are fed and read through those scales, so they plug in like float ones.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from ai_edge_litert.interpreter import Interpreter

from acting_mirror import config
from acting_mirror.core.types import N_EMOTIONS, Faces
from acting_mirror.errors import ModelError
from acting_mirror.vision.crops import aligned_crop, equalize, extract_crops, face_eye_angle, square_crop_box
from acting_mirror.vision.litert import quiet_delegate_banner

# All faces of a frame go through ONE invoke, the input tensor resized only when the
# number of faces changes (a resize costs well under 0.1 ms). classify() on a 1280x720
# frame, LiteRT 2.3, 2 shared CPU cores, best of 7x50 runs, ms per face:
#   faces            1     5     20
#   one invoke      0.50  0.41  0.41   (num_threads=1; 0.78 0.45 0.44 with 2 threads)
#   invoke per face 0.50  0.50  0.52   (num_threads=1; 0.63 0.80 0.70 with 2 threads)
# The network itself costs the same per face either way with one thread; the batch
# saves the per-call overhead (gray conversion, Python, the thread hand-off).


class LiteRTEmotionClassifier:
    """Adds ``raw_probs`` (seven probabilities) to every face of a frame."""

    def __init__(
        self,
        model_path: Path | None = None,
        *,
        num_threads: int = 1,
        crop_margin: float = 0.1,
        align: bool = False,
        clahe: bool = False,
    ):
        path = Path(model_path) if model_path is not None else config.default_emotion_model()
        if not path.exists():
            raise ModelError(f"The emotion model {path} does not exist.")
        if not path.is_file():
            raise ModelError(f"The emotion model {path} is a folder, not a model file.")
        quiet_delegate_banner(path)
        try:
            interpreter = Interpreter(model_path=str(path), num_threads=num_threads)
            interpreter.allocate_tensors()
        except (ValueError, RuntimeError) as err:
            raise ModelError(f"The emotion model {path} is not a readable TFLite file.") from err

        inputs, outputs = interpreter.get_input_details(), interpreter.get_output_details()
        if len(inputs) != 1 or len(inputs[0]["shape"]) != 4 or inputs[0]["shape"][3] not in (1, 3):
            shapes = [tuple(int(d) for d in i["shape"]) for i in inputs]
            raise ModelError(
                f"The emotion model {path} must take one gray or colour image "
                f"(batch, height, width, 1 or 3), not {shapes}."
            )
        if len(outputs) != 1 or int(np.prod(outputs[0]["shape"][1:])) != N_EMOTIONS:
            shapes = [tuple(int(d) for d in o["shape"]) for o in outputs]
            raise ModelError(
                f"The emotion model {path} must output {N_EMOTIONS} emotion scores, not {shapes}."
            )

        self.model_path = path
        self.name = path.stem
        self.crop_margin = float(crop_margin)
        self.align = bool(align)  # level the eye line when a face has MTCNN's five points
        self.clahe = bool(clahe)  # equalise each crop (CLAHE) before the model
        self._interpreter = interpreter
        self._input = inputs[0]
        self._output = outputs[0]
        shape = self._input["shape"]
        self.input_size: tuple[int, int] = (int(shape[2]), int(shape[1]))
        self.channels: int = int(shape[3])
        self._batch = int(shape[0])
        self._x = np.empty((self._batch, self.input_size[1], self.input_size[0], self.channels), np.float32)
        self._crops = np.empty((0, self.input_size[1], self.input_size[0]), np.uint8)
        self._outputs_probabilities = self._probe_outputs()

    # -- public -----------------------------------------------------------------------

    def classify(self, image_bgr: np.ndarray, faces: Faces) -> Faces:
        """The same faces with ``raw_probs`` set (``probs`` untouched).

        A face whose box lies wholly outside the image keeps ``raw_probs=None``, and so
        does a face the model gave a non-finite reading (NaN, infinity): not read.
        """
        if not faces:
            return tuple(faces)
        height, width = image_bgr.shape[:2]
        gray = image_bgr if image_bgr.ndim == 2 else cv2.cvtColor(image_bgr, cv2.COLOR_BGR2GRAY)
        boxes, kept = [], []
        for i, face in enumerate(faces):
            box = square_crop_box(face.box, width, height, self.crop_margin)
            if box is not None:
                boxes.append(box)
                kept.append(i)
        if not boxes:
            return tuple(faces)
        self._crops = extract_crops(gray, boxes, self.input_size, out=self._crops)
        if self.align:
            for row, i in enumerate(kept):
                angle = face_eye_angle(faces[i].landmarks)
                if angle is not None:
                    self._crops[row] = aligned_crop(gray, faces[i].box, self.input_size, angle, self.crop_margin)
        probs = self._run(equalize(self._crops) if self.clahe else self._crops)
        result = list(faces)
        finite = np.isfinite(probs).all(axis=1)
        for row, i in enumerate(kept):
            if finite[row]:
                result[i] = faces[i].with_(raw_probs=probs[row])
        return tuple(result)

    def predict(self, crops: np.ndarray) -> np.ndarray:
        """Probabilities ``(N, 7)`` for gray uint8 face crops ``(N, H, W)``.

        Crops of another size than the model's input are resized first (and equalised
        when the classifier was made with ``clahe=True``). A row the model could not
        read is NaN (never a number that is not a probability).
        """
        crops = np.asarray(crops)
        if crops.ndim == 2:
            crops = crops[None]
        if crops.ndim != 3:
            raise ValueError(f"expected gray crops (N, H, W), got shape {crops.shape}")
        if len(crops) == 0:
            return np.empty((0, N_EMOTIONS), np.float32)
        w, h = self.input_size
        if crops.shape[1:] != (h, w):
            resized = np.empty((len(crops), h, w), np.uint8)
            for i, crop in enumerate(crops):
                cv2.resize(crop, (w, h), dst=resized[i], interpolation=cv2.INTER_AREA)
            crops = resized
        crops = crops.astype(np.uint8, copy=False)
        return self._run(equalize(crops) if self.clahe else crops)

    # -- inference --------------------------------------------------------------------

    def _run(self, crops: np.ndarray) -> np.ndarray:
        """Probabilities for ``crops`` (uint8, already at the input size)."""
        if self._batchable or len(crops) == 1:
            return self._invoke(crops)
        return np.concatenate([self._invoke(crops[i : i + 1]) for i in range(len(crops))])

    def _invoke(self, crops: np.ndarray) -> np.ndarray:
        """One invoke for all ``crops``."""
        n = len(crops)
        self._set_batch(n)
        x = self._x
        gray = x[..., 0]
        np.multiply(crops, 2.0 / 255.0, out=gray, casting="unsafe")
        gray -= 1.0
        for channel in range(1, self.channels):
            x[..., channel] = gray
        self._interpreter.set_tensor(self._input["index"], self._quantize_input(x))
        self._interpreter.invoke()
        scores = self._dequantize_output(self._interpreter.get_tensor(self._output["index"]))
        scores = scores.reshape(n, N_EMOTIONS)
        if self._outputs_probabilities is None:  # probing: the model's own numbers
            return scores
        if not self._outputs_probabilities:
            probs = _softmax(scores)
        else:
            probs = scores.copy()
            if self._output["dtype"] != np.float32:  # quantised probabilities: sum to 1 again
                probs = np.maximum(probs, 0.0)
                probs /= np.maximum(probs.sum(axis=1, keepdims=True), 1e-12)
        bad = ~np.isfinite(probs).all(axis=1)
        if bad.any():
            probs[bad] = np.nan
        return probs

    def _set_batch(self, n: int) -> None:
        if n == self._batch:
            return
        w, h = self.input_size
        self._interpreter.resize_tensor_input(self._input["index"], [n, h, w, self.channels])
        self._interpreter.allocate_tensors()
        self._batch = n
        self._x = np.empty((n, h, w, self.channels), np.float32)

    def _quantize_input(self, x: np.ndarray) -> np.ndarray:
        dtype = self._input["dtype"]
        if dtype == np.float32:
            return x
        scale, zero = self._input["quantization"]
        info = np.iinfo(dtype)
        return np.clip(np.round(x / scale + zero), info.min, info.max).astype(dtype)

    def _dequantize_output(self, y: np.ndarray) -> np.ndarray:
        if self._output["dtype"] == np.float32:
            return y.astype(np.float32, copy=False)
        scale, zero = self._output["quantization"]
        return ((y.astype(np.float32) - zero) * scale).astype(np.float32)

    def _probe_outputs(self) -> bool:
        """Whether the model outputs probabilities (rows >= 0 summing to 1) rather than
        logits, judged once on two plain gray images. Also finds out whether the model
        takes a batch: some files fixed at batch 1 cannot be resized."""
        w, h = self.input_size
        probe = np.stack([np.full((h, w), 128, np.uint8), np.zeros((h, w), np.uint8)])
        self._outputs_probabilities = None
        self._batchable = True
        try:
            scores = self._invoke(probe)
        except (RuntimeError, ValueError):  # cannot resize, or the output did not follow
            self._batchable = False
            self._batch = -1  # force the resize back to one image
            self._set_batch(1)
            scores = self._run(probe)
        if not np.all(np.isfinite(scores)):
            raise ModelError(
                f"The emotion model {self.model_path} gives non-finite outputs (NaN or "
                f"infinity) on plain gray images; it cannot be used."
            )
        # an int8 softmax output is off by up to half a step per emotion
        step = self._output["quantization"][0] if self._output["dtype"] != np.float32 else 0.0
        atol = max(1e-3, N_EMOTIONS * float(step))
        is_probs = bool(np.all(scores >= 0.0) and np.allclose(scores.sum(axis=1), 1.0, atol=atol))
        if not is_probs and not np.all(np.isfinite(_softmax(scores.astype(np.float32, copy=True)))):
            raise ModelError(f"The emotion model {self.model_path} gives scores that are not probabilities.")
        return is_probs

def _softmax(scores: np.ndarray) -> np.ndarray:
    """Row-wise softmax; a row with NaN or infinity comes out non-finite (no warning)."""
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        z = scores - scores.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
    return z.astype(np.float32, copy=False)
