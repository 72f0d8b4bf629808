"""BlazeFace short-range face detection on LiteRT, decoded as MediaPipe's graph does.

MediaPipe's ``FaceDetectorGraph`` letterboxes the frame into the network's 128x128 input
(aspect kept, black padding, pixels scaled to [-1, 1]), decodes 896 SSD anchors
(``SsdAnchorsCalculator``: 4 layers, strides 8/16/16/16, scales 0.1484375..0.75, fixed
anchor size), turns the raw boxes and six keypoints into detections
(``TensorsToDetectionsCalculator``: scale 128, scores clipped to +-100 then a sigmoid,
minimum 0.5) and merges overlapping ones with weighted non-maximum suppression (IoU 0.3).
This module does the same in NumPy and OpenCV; the detections come back in frame pixels.

The six keypoints, in the network's order: the eye on the image's left (the person's
right eye), the other eye, the nose tip, the mouth centre, the ear tragion on the image's
left, the other ear tragion.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from acting_mirror.config import models_dir as _bundled_models_dir
from acting_mirror.vision.tflite_net import TFLiteNetwork

DETECTOR_FILE = "face_detector_short_range.tflite"
INPUT_SIZE = 128
NUM_ANCHORS = 896
NUM_KEYPOINTS = 6
MIN_SCORE = 0.5
NMS_IOU = 0.3
_SCORE_CLIP = 100.0


@dataclass(frozen=True)
class Detection:
    """One BlazeFace detection in frame pixels: ``box`` as (x1, y1, x2, y2) floats and
    ``keypoints`` a (6, 2) array, in the order the module docstring gives."""

    score: float
    box: tuple[float, float, float, float]
    keypoints: np.ndarray


def ssd_anchors() -> np.ndarray:
    """The 896 anchor centres (x, y) in [0, 1] of the short-range model, in output order
    (MediaPipe's ``SsdAnchorsCalculator`` with the face detector's options; with
    ``fixed_anchor_size`` every anchor is 1 x 1, so only centres matter)."""
    strides = (8, 16, 16, 16)
    num_layers = len(strides)
    centres: list[np.ndarray] = []
    layer = 0
    while layer < num_layers:
        # consecutive layers with the same stride share one feature map
        anchors_per_cell = 0
        last = layer
        while last < num_layers and strides[last] == strides[layer]:
            # one aspect ratio (1.0) plus the interpolated scale: two anchors a layer
            anchors_per_cell += 2
            last += 1
        size = int(np.ceil(INPUT_SIZE / strides[layer]))
        ys, xs = np.mgrid[0:size, 0:size]
        cell = np.stack([(xs + 0.5) / size, (ys + 0.5) / size], axis=-1).reshape(-1, 2)
        centres.append(np.repeat(cell, anchors_per_cell, axis=0))
        layer = last
    out = np.concatenate(centres).astype(np.float32)
    assert out.shape == (NUM_ANCHORS, 2)
    return out


def weighted_nms(
    boxes: np.ndarray, keypoints: np.ndarray, scores: np.ndarray, iou_threshold: float
) -> list[tuple[float, np.ndarray, np.ndarray]]:
    """MediaPipe's weighted non-maximum suppression: the best remaining detection and all
    that overlap it by more than ``iou_threshold`` become one, their boxes and keypoints
    averaged with the scores as weights; the best one's score is kept."""
    order = np.argsort(-scores, kind="stable")
    boxes, keypoints, scores = boxes[order], keypoints[order], scores[order]
    areas = np.maximum(boxes[:, 2] - boxes[:, 0], 0) * np.maximum(boxes[:, 3] - boxes[:, 1], 0)
    remaining = np.arange(len(scores))
    out: list[tuple[float, np.ndarray, np.ndarray]] = []
    while remaining.size:
        top = remaining[0]
        b = boxes[remaining]
        ix = np.maximum(0.0, np.minimum(b[:, 2], boxes[top, 2]) - np.maximum(b[:, 0], boxes[top, 0]))
        iy = np.maximum(0.0, np.minimum(b[:, 3], boxes[top, 3]) - np.maximum(b[:, 1], boxes[top, 1]))
        inter = ix * iy
        union = areas[remaining] + areas[top] - inter
        iou = np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0)
        group = remaining[iou > iou_threshold]
        if group.size == 0:
            group = remaining[:1]
        w = scores[group][:, None]
        total = float(w.sum())
        box = (boxes[group] * w).sum(axis=0) / total
        kps = (keypoints[group] * w[:, :, None]).sum(axis=0) / total
        out.append((float(scores[top]), box, kps))
        remaining = remaining[iou <= iou_threshold]
        remaining = remaining[remaining != top]
    return out


class BlazeFaceDetector:
    """Faces found by MediaPipe's BlazeFace short-range network (frontal faces, roughly
    within two metres of a webcam: a face must span at least ~1/10 of the frame's longer
    side). ``detect`` returns :class:`Detection` objects, best first."""

    def __init__(
        self,
        min_score: float = MIN_SCORE,
        *,
        models_dir: Path | None = None,
        num_threads: int = 1,
    ):
        folder = Path(models_dir) if models_dir is not None else _bundled_models_dir()
        self._net = TFLiteNetwork(folder / DETECTOR_FILE, num_threads, "face detector",
                                  "python models/build_face_landmarker.py")
        shape = tuple(self._net.input_shape)
        if shape != (1, INPUT_SIZE, INPUT_SIZE, 3):
            self._net.wrong_shape(shape, (1, INPUT_SIZE, INPUT_SIZE, 3))
        self.min_score = float(min_score)
        self._anchors = ssd_anchors()
        self._input = np.zeros((1, INPUT_SIZE, INPUT_SIZE, 3), dtype=np.float32)
        self._outputs = self._net.outputs_by_last_dim()

    def detect(self, image: np.ndarray) -> list[Detection]:
        """Faces in a BGR ``uint8`` image, best first, in its pixel coordinates."""
        h, w = image.shape[:2]
        if h < 2 or w < 2:
            return []
        side = float(max(w, h))
        scale = INPUT_SIZE / side
        # letterbox: the frame centred in a side x side square, black around it
        pad_x, pad_y = (side - w) / 2.0, (side - h) / 2.0
        matrix = np.array([[scale, 0.0, pad_x * scale], [0.0, scale, pad_y * scale]])
        rgb = cv2.warpAffine(
            image, matrix, (INPUT_SIZE, INPUT_SIZE), flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0),
        )
        cv2.cvtColor(rgb, cv2.COLOR_BGR2RGB, dst=rgb)
        np.multiply(rgb, 2.0 / 255.0, out=self._input[0], casting="unsafe")
        self._input -= 1.0
        outs = self._net.run(self._input)
        raw = outs[self._outputs[16]].reshape(NUM_ANCHORS, 16)
        logits = outs[self._outputs[1]].reshape(NUM_ANCHORS).astype(np.float64)
        scores = 1.0 / (1.0 + np.exp(-np.clip(logits, -_SCORE_CLIP, _SCORE_CLIP)))
        keep = np.flatnonzero(scores >= self.min_score)
        if keep.size == 0:
            return []
        raw, scores, anchors = raw[keep].astype(np.float64), scores[keep], self._anchors[keep]
        cx = raw[:, 0] / INPUT_SIZE + anchors[:, 0]
        cy = raw[:, 1] / INPUT_SIZE + anchors[:, 1]
        bw = raw[:, 2] / INPUT_SIZE
        bh = raw[:, 3] / INPUT_SIZE
        boxes = np.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2], axis=1)
        kps = raw[:, 4:].reshape(-1, NUM_KEYPOINTS, 2) / INPUT_SIZE + anchors[:, None, :]
        found = weighted_nms(boxes, kps, scores.astype(np.float64), NMS_IOU)
        out: list[Detection] = []
        for score, box, points in found:
            # letterbox [0, 1] -> frame pixels
            box_px = box * side - np.array([pad_x, pad_y, pad_x, pad_y])
            pts_px = points * side - np.array([pad_x, pad_y])
            out.append(Detection(score, tuple(float(v) for v in box_px), pts_px.astype(np.float32)))
        return out

    def close(self) -> None:
        self._net.close()
