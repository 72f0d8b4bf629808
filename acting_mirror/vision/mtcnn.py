"""MTCNN face detection (Zhang et al., 2016) on LiteRT, with no TensorFlow at run time.

Three small networks run in cascade: PNet slides over an image pyramid and proposes
windows, RNet re-scores and refines them, ONet scores them once more and places five
landmarks. The networks are the ``mtcnn`` 1.0.0 package's weights converted to TFLite by
``models/build_mtcnn_models.py``; the glue between them (pyramid, proposals, NMS, box
regression, squaring, crops) follows that package step by step, in NumPy and OpenCV, with
its settings, so both find the same faces (parity figures in ``models/MTCNN.md``).

Speed comes from doing as little as possible per frame: a pyramid made by exact halvings
and one short bilinear step per level; one LiteRT interpreter per (rounded-up) level size,
created the first time it is needed and kept; one invoke each for all RNet candidates and
all ONet candidates of a frame; crops taken with OpenCV straight from the ``uint8`` frame.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import cv2
import numpy as np

from acting_mirror.config import models_dir as _bundled_models_dir
from acting_mirror.core.types import Box, Face, Faces
from acting_mirror.errors import ModelError
from acting_mirror.vision.litert import quiet_delegate_banner

PNET_FILE = "mtcnn_pnet.tflite"
RNET_FILE = "mtcnn_rnet.tflite"
ONET_FILE = "mtcnn_onet.tflite"

# The cascade's fixed settings: the mtcnn 1.0.0 package's defaults.
SCALE_FACTOR = 0.709  # pyramid step: each level has half the pixels of the one above
PNET_THRESHOLD = 0.6
RNET_THRESHOLD = 0.7
PNET_NMS_PER_LEVEL = 0.5
PNET_NMS_ALL_LEVELS = 0.7
RNET_NMS = 0.7
ONET_NMS = 0.7  # over the smaller box, not the union
_CELL = 12  # PNet's window, in pyramid pixels
_STRIDE = 2  # PNet's step between windows
_RNET_SIZE = 24
_ONET_SIZE = 48
_GREY = (128, 128, 128)  # outside the frame; ~0 after normalisation, as in the package
_MAX_PNET_SHAPES = 40  # PNet interpreters kept, one per (rounded) level size
_PNET_QUANTUM = 16  # PNet input sizes are rounded up to a multiple of this
_NMS_CHUNK = 512  # rows of the pairwise-overlap matrix computed at once



class _Network:
    """One TFLite network and its interpreters, each allocated once for one input shape.

    ``keep_shapes`` interpreters are kept, least recently used dropped first; with
    ``keep_shapes=1`` a single interpreter is resized instead (RNet and ONet: resizing
    their batch costs well under a millisecond).
    """

    def __init__(self, path: Path, num_threads: int, keep_shapes: int):
        from ai_edge_litert.interpreter import Interpreter

        try:
            self._content = path.read_bytes()
        except OSError as err:
            raise ModelError(
                f"The MTCNN model {path} cannot be read ({err.strerror}); "
                "rebuild it with `python models/build_mtcnn_models.py`."
            ) from None
        self._path = path
        quiet_delegate_banner(path)
        self._interpreter_type = Interpreter
        self._num_threads = num_threads
        self._keep_shapes = keep_shapes
        self._slots: OrderedDict[tuple[int, ...], _Slot] = OrderedDict()
        self._spare: _Slot | None = self._make()
        self.input_shape = tuple(
            int(v) for v in self._spare.interpreter.get_input_details()[0]["shape_signature"]
        )

    def _make(self) -> "_Slot":
        try:
            interpreter = self._interpreter_type(
                model_content=self._content, num_threads=self._num_threads
            )
        except (ValueError, RuntimeError) as err:
            raise ModelError(
                f"The MTCNN model {self._path} is not a usable TFLite file ({err})."
            ) from None
        return _Slot(interpreter)

    def _slot(self, shape: tuple[int, ...]) -> "_Slot":
        slot = self._slots.get(shape)
        if slot is not None:
            self._slots.move_to_end(shape)
            return slot
        if self._spare is not None:
            slot, self._spare = self._spare, None
        elif self._keep_shapes == 1:
            slot = self._slots.popitem()[1]
        else:
            slot = self._make()
        slot.shape_to(shape)
        self._slots[shape] = slot
        while len(self._slots) > self._keep_shapes:
            self._slots.popitem(last=False)
        return slot

    def buffer(self, shape: tuple[int, ...]) -> np.ndarray:
        """The reusable input array for ``shape`` (zeros when new)."""
        slot = self._slot(shape)
        if slot.buffer is None:
            slot.buffer = np.zeros(shape, dtype=np.float32)
        return slot.buffer

    def run(self, batch: np.ndarray) -> dict[int, np.ndarray]:
        """Outputs for ``batch`` keyed by their last dimension (2, 4 or 10)."""
        slot = self._slot(batch.shape)
        slot.interpreter.set_tensor(slot.input, batch)
        slot.interpreter.invoke()
        return {key: slot.interpreter.get_tensor(index) for key, index in slot.outputs.items()}


class _Slot:
    """An interpreter allocated for one input shape, with an input array of that shape."""

    __slots__ = ("interpreter", "input", "outputs", "buffer")

    def __init__(self, interpreter):
        self.interpreter = interpreter
        self.input = interpreter.get_input_details()[0]["index"]
        self.outputs = {
            int(d["shape_signature"][-1]): d["index"] for d in interpreter.get_output_details()
        }
        self.buffer: np.ndarray | None = None

    def shape_to(self, shape: tuple[int, ...]) -> None:
        self.interpreter.resize_tensor_input(self.input, list(shape), strict=True)
        self.interpreter.allocate_tensors()
        self.buffer = None


class MtcnnDetector:
    """Faces with five landmarks each, found by MTCNN running on LiteRT.

    ``min_confidence`` is ONet's face probability a face must exceed; ``min_face_size``
    the smallest face side, in image pixels, the pyramid looks for (a frame's cost falls
    with its square: 40 suits a 720p webcam or film frame). ``models_dir`` holds the three
    ``mtcnn_*.tflite`` files (the bundled ones by default); ``num_threads`` is given to
    each LiteRT interpreter.
    """

    name = "mtcnn"

    def __init__(
        self,
        min_confidence: float = 0.9,
        min_face_size: int = 40,
        *,
        models_dir: Path | None = None,
        num_threads: int = 1,
    ):
        if not 0.0 <= min_confidence < 1.0:
            raise ValueError(f"min_confidence must be in [0, 1), not {min_confidence}")
        if min_face_size < _CELL:
            raise ValueError(f"min_face_size must be at least {_CELL} pixels, not {min_face_size}")
        if num_threads < 1:
            raise ValueError(f"num_threads must be at least 1, not {num_threads}")
        self.min_confidence = float(min_confidence)
        self.min_face_size = int(min_face_size)
        folder = Path(models_dir) if models_dir is not None else _bundled_models_dir()
        self._pnet = _Network(folder / PNET_FILE, num_threads, _MAX_PNET_SHAPES)
        self._rnet = _Network(folder / RNET_FILE, num_threads, 1)
        self._onet = _Network(folder / ONET_FILE, num_threads, 1)
        self._check_shapes()
        self._pyramids: OrderedDict[tuple, list[tuple[float, int, int]]] = OrderedDict()

    def _check_shapes(self) -> None:
        expected = {
            "PNet": (self._pnet, (1, -1, -1, 3)),
            "RNet": (self._rnet, (-1, _RNET_SIZE, _RNET_SIZE, 3)),
            "ONet": (self._onet, (-1, _ONET_SIZE, _ONET_SIZE, 3)),
        }
        for label, (network, shape) in expected.items():
            if network.input_shape != shape:
                raise ModelError(
                    f"The MTCNN {label} model takes {network.input_shape}, not {shape}; "
                    "rebuild it with `python models/build_mtcnn_models.py`."
                )

    # -- the protocol -------------------------------------------------------------------

    def detect(self, image: np.ndarray) -> Faces:
        """Faces in a BGR ``uint8`` image, best first; boxes clamped to the image."""
        return self.detect_sized(image)

    def detect_sized(
        self, image: np.ndarray, min_size: int | None = None, max_size: int | None = None
    ) -> Faces:
        """Faces about ``min_size`` to ``max_size`` pixels across (defaults: the detector's
        ``min_face_size``, and no upper bound); a narrow range prunes the pyramid, which
        makes a search around a known face several times cheaper."""
        rgb = _as_rgb(image)
        if rgb is None:
            return ()
        height, width = rgb.shape[:2]
        smallest = max(_CELL, int(min_size) if min_size is not None else self.min_face_size)
        largest = max(smallest, int(max_size)) if max_size is not None else None
        candidates = self._propose(rgb, self._pyramid(height, width, smallest, largest))
        if len(candidates):
            candidates = self._refine(rgb, candidates)
        if not len(candidates):
            return ()
        boxes, scores, landmarks = self._finish(rgb, candidates)
        faces = []
        for (x1, y1, x2, y2), score, points in zip(boxes, scores, landmarks):
            box = Box.from_xyxy(x1, y1, x2, y2).clamp(width, height)
            if box is None:
                continue
            faces.append(
                Face(
                    box=box,
                    score=float(score),
                    landmarks=tuple((float(x), float(y)) for x, y in points),
                )
            )
        return tuple(faces)

    # -- stage 1: PNet over the pyramid --------------------------------------------------

    def _pyramid(
        self, height: int, width: int, smallest: int, largest: int | None
    ) -> list[tuple[float, int, int]]:
        """(scale, level height, level width), largest level first.

        Level k has scale ``12 / smallest * 0.709^k``, truncated sizes as in the package,
        down to a 12 px level or, with ``largest``, one level past the scale at which a
        ``largest`` face fills PNet's window.
        """
        key = (height, width, smallest, largest)
        levels = self._pyramids.get(key)
        if levels is not None:
            self._pyramids.move_to_end(key)
            return levels
        levels = []
        scale = _CELL / smallest
        last = 0.0 if largest is None else _CELL / largest * SCALE_FACTOR
        while scale >= last * (1 - 1e-9):
            h, w = int(height * scale), int(width * scale)
            if min(h, w) < _CELL:
                break
            levels.append((scale, h, w))
            scale *= SCALE_FACTOR
        self._pyramids[key] = levels
        while len(self._pyramids) > 32:
            self._pyramids.popitem(last=False)
        return levels

    def _levels(self, rgb: np.ndarray, pyramid: list[tuple[float, int, int]]):
        """Each pyramid level, resampled from the image, with its scale.

        The package area-averages every level straight from the frame, which OpenCV does
        slowly for fractional factors (25 ms for a 720p pyramid). Here the image is halved
        by exact 2x2 averaging as often as the levels need, and each level is resampled
        bilinearly from the smallest halving still at least its size (a factor below 2,
        where bilinear sampling averages about as much as area does): under a
        millisecond, with faces, boxes and landmarks as close to the package's as the
        package's own are to a one-pixel shift of the frame (see models/MTCNN.md).
        Proposals map back with the level's nominal scale, as in the package.
        """
        halvings = [rgb]  # halvings[k]: the image (its top-left part) averaged 2^k x 2^k
        for scale, h, w in pyramid:
            k = len(halvings) - 1
            while 2.0 ** -(k + 1) >= scale * (1 - 1e-9) and min(halvings[k].shape[:2]) >= 2 * _CELL:
                src = halvings[k]
                hh, hw = src.shape[0] // 2, src.shape[1] // 2
                halvings.append(
                    cv2.resize(src[: 2 * hh, : 2 * hw], (hw, hh), interpolation=cv2.INTER_AREA)
                )
                k += 1
            yield cv2.resize(halvings[k], (w, h), interpolation=cv2.INTER_LINEAR), scale

    def _pnet_maps(self, level: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """PNet's face probability and box offsets at each window of one level.

        The level is written, normalised, into the top-left of an input rounded up to a
        multiple of 16 pixels, so a handful of interpreters serve every size; only the
        windows PNet would have seen in the level alone are returned.
        """
        h, w = level.shape[:2]
        shape = (1, -(-h // _PNET_QUANTUM) * _PNET_QUANTUM, -(-w // _PNET_QUANTUM) * _PNET_QUANTUM, 3)
        buffer = self._pnet.buffer(shape)
        _normalise(level, buffer[0, :h, :w])
        buffer[0, h:] = 0.0
        buffer[0, :h, w:] = 0.0
        out = self._pnet.run(buffer)
        rows, cols = -(-(h - 2) // 2) - 4, -(-(w - 2) // 2) - 4  # PNet's own output size
        return out[2][0, :rows, :cols, 1], out[4][0, :rows, :cols]

    def _propose(self, rgb: np.ndarray, pyramid: list[tuple[float, int, int]]) -> np.ndarray:
        """Squared PNet windows as rows (x1, y1, x2, y2, score), image pixels."""
        per_level = []
        for level, scale in self._levels(rgb, pyramid):
            prob, offsets = self._pnet_maps(level)
            ys, xs = np.nonzero(prob > PNET_THRESHOLD)
            if not len(ys):
                continue
            score = prob[ys, xs]
            order = np.argsort(score)[::-1]
            ys, xs, score = ys[order], xs[order], score[order]
            # The window of cell (x, y) spans level pixels 2x+1 .. 2x+12 (as in the
            # package); the offsets move each side by a fraction of its 11 px extent.
            reg = offsets[ys, xs]
            x1 = xs * _STRIDE + 1 + reg[:, 0] * (_CELL - 1)
            y1 = ys * _STRIDE + 1 + reg[:, 1] * (_CELL - 1)
            x2 = xs * _STRIDE + _CELL + reg[:, 2] * (_CELL - 1)
            y2 = ys * _STRIDE + _CELL + reg[:, 3] * (_CELL - 1)
            found = np.stack([x1, y1, x2, y2, score], axis=1)
            found[:, :4] /= scale
            per_level.append(found[_fast_nms(found[:, :4], PNET_NMS_PER_LEVEL)])
        if not per_level:
            return np.empty((0, 5))
        found = _by_score(np.concatenate(per_level))
        found = found[_fast_nms(found[:, :4], PNET_NMS_ALL_LEVELS)]
        return _squared(found)

    # -- stage 2: RNet -------------------------------------------------------------------

    def _refine(self, rgb: np.ndarray, candidates: np.ndarray) -> np.ndarray:
        out = self._rnet.run(_crops(rgb, candidates, _RNET_SIZE))
        refined = _regressed(candidates, out[4])
        refined[:, 4] = out[2][:, 1]
        refined = _by_score(refined[refined[:, 4] > RNET_THRESHOLD])
        refined = refined[_fast_nms(refined[:, :4], RNET_NMS)]
        return _squared(refined)

    # -- stage 3: ONet -------------------------------------------------------------------

    def _finish(self, rgb: np.ndarray, candidates: np.ndarray):
        out = self._onet.run(_crops(rgb, candidates, _ONET_SIZE))
        # Landmarks come as fractions of the (square) input window: five x, then five y.
        side_w = candidates[:, 2:3] - candidates[:, 0:1] + 1
        side_h = candidates[:, 3:4] - candidates[:, 1:2] + 1
        marks = out[10]
        xs = side_w * marks[:, 0:5] + candidates[:, 0:1] - 1
        ys = side_h * marks[:, 5:10] + candidates[:, 1:2] - 1
        final = _regressed(candidates, out[4])
        final[:, 4] = out[2][:, 1]
        keep = final[:, 4] > self.min_confidence
        final, xs, ys = final[keep], xs[keep], ys[keep]
        order = np.argsort(final[:, 4])[::-1]
        final, xs, ys = final[order], xs[order], ys[order]
        keep = _fast_nms(final[:, :4], ONET_NMS, over_smaller=True)
        landmarks = np.stack([xs[keep], ys[keep]], axis=2)  # (n, 5, 2)
        return final[keep, :4], final[keep, 4], landmarks


# -- helpers shared by the stages, on rows (x1, y1, x2, y2, score) -------------------------


def _as_rgb(image: np.ndarray) -> np.ndarray | None:
    """The image as RGB (what the networks were trained on); ``None`` when empty."""
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8:
        raise ValueError("MtcnnDetector.detect expects a uint8 BGR image")
    if image.size == 0:
        return None
    if image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 1):
        return cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    if image.ndim == 3 and image.shape[2] == 3:
        return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    if image.ndim == 3 and image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2RGB)
    raise ValueError(f"MtcnnDetector.detect expects an H x W x 3 BGR image, not {image.shape}")


def _normalise(pixels: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``uint8`` pixels as the networks take them, ``(p - 127.5) / 128``, into ``out``."""
    out[...] = pixels
    out -= 127.5
    out *= 1.0 / 128.0
    return out


def _by_score(rows: np.ndarray) -> np.ndarray:
    return rows[np.argsort(rows[:, 4])[::-1]]


def _fast_nms(boxes: np.ndarray, threshold: float, over_smaller: bool = False) -> np.ndarray:
    """Indices of the boxes (sorted best first) that overlap no better box by ``threshold``.

    As in the mtcnn package, a box suppressed by a better one still suppresses worse ones
    ("fast NMS"); overlap is intersection over union, or over the smaller box.
    """
    n = len(boxes)
    if n < 2:
        return np.arange(n)
    x1, y1, x2, y2 = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    area = (x2 - x1) * (y2 - y1)
    suppressed = np.zeros(n, dtype=bool)
    for start in range(1, n, _NMS_CHUNK):
        stop = min(n, start + _NMS_CHUNK)
        j = slice(start, stop)
        iw = np.minimum(x2[j, None], x2[None, :stop]) - np.maximum(x1[j, None], x1[None, :stop])
        ih = np.minimum(y2[j, None], y2[None, :stop]) - np.maximum(y1[j, None], y1[None, :stop])
        inter = np.maximum(iw, 0.0) * np.maximum(ih, 0.0)
        if over_smaller:
            base = np.minimum(area[j, None], area[None, :stop])
        else:
            base = area[j, None] + area[None, :stop] - inter
        with np.errstate(divide="ignore", invalid="ignore"):
            overlap = inter / base
        earlier = np.arange(stop)[None, :] < np.arange(start, stop)[:, None]
        suppressed[j] = np.any((overlap > threshold) & earlier, axis=1)
    return np.flatnonzero(~suppressed)


def _squared(rows: np.ndarray) -> np.ndarray:
    """Each box grown to a square on its longer side, about the same centre."""
    rows = rows.copy()
    w = rows[:, 2] - rows[:, 0]
    h = rows[:, 3] - rows[:, 1]
    side = np.maximum(w, h)
    rows[:, 0] += (w - side) * 0.5
    rows[:, 1] += (h - side) * 0.5
    rows[:, 2] = rows[:, 0] + side
    rows[:, 3] = rows[:, 1] + side
    return rows


def _regressed(rows: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Boxes moved by a network's offsets, given in box sizes."""
    rows = rows.copy()
    w = rows[:, 2] - rows[:, 0] + 1
    h = rows[:, 3] - rows[:, 1] + 1
    rows[:, 0:4] += offsets * np.stack([w, h, w, h], axis=1)
    return rows


def _crops(rgb: np.ndarray, rows: np.ndarray, size: int) -> np.ndarray:
    """Each box resampled to ``size`` x ``size``, normalised, as one batch.

    Sampling follows ``tf.image.crop_and_resize`` as the package calls it (corners of the
    box on pixel centres, box coordinates divided by the frame size), bilinear, grey
    outside the frame.
    """
    height, width = rgb.shape[:2]
    fx = (width - 1) / width
    fy = (height - 1) / height
    patches = np.empty((len(rows), size, size, 3), dtype=np.uint8)
    matrix = np.zeros((2, 3), dtype=np.float64)
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    for i, (x1, y1, x2, y2) in enumerate(rows[:, :4]):
        matrix[0, 0] = (x2 - x1) * fx / (size - 1)
        matrix[0, 2] = x1 * fx
        matrix[1, 1] = (y2 - y1) * fy / (size - 1)
        matrix[1, 2] = y1 * fy
        cv2.warpAffine(
            rgb, matrix, (size, size), dst=patches[i], flags=flags,
            borderMode=cv2.BORDER_CONSTANT, borderValue=_GREY,
        )
    return _normalise(patches, np.empty(patches.shape, dtype=np.float32))
