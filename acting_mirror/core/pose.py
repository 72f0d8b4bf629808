"""Head pose (yaw, pitch, roll in degrees) from face landmarks, in pure NumPy.

Both estimators fit MediaPipe's canonical face model (``canonical_face_model`` of its face
geometry module, Apache-2.0, Google; centimetres, x to the image's right, y up, z towards
the camera) to the landmarks:

* :func:`pose_from_mesh` takes the Face Landmarker's 478 (or 468) 3-D points and fits a
  similarity transform (Umeyama) to points of the head that expressions barely move
  (forehead, nose bridge, eye corners, temples, cheek contour);
* :func:`pose_from_five_points` takes MTCNN's five points (eye centres, nose tip, mouth
  corners) and fits a weak-perspective camera (a scaled orthographic projection).

Angles, for an image that is not mirrored: ``yaw`` > 0 when the nose points towards the
image's right; ``pitch`` > 0 when the face looks up; ``roll`` > 0 when the face is
rotated counter-clockwise as seen in the image. A frontal face reads about (0, 0, 0).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

# Canonical face model coordinates of rigid mesh points (landmark index: x, y, z).
_CANONICAL_RIGID: dict[int, tuple[float, float, float]] = {
    1: (0.000000, -1.126865, 7.475604),
    4: (0.000000, -0.463170, 7.586580),
    5: (0.000000, 0.365669, 7.242870),
    6: (0.000000, 2.473255, 5.788627),
    8: (0.000000, 4.019042, 5.284764),
    9: (0.000000, 4.885979, 5.385258),
    10: (0.000000, 8.261778, 4.481535),
    33: (-4.445859, 2.663991, 3.173422),
    133: (-1.856432, 2.585245, 3.757904),
    168: (0.000000, 3.271027, 5.236015),
    195: (0.000000, 1.059413, 6.774605),
    197: (0.000000, 1.728369, 6.316750),
    234: (-7.664182, 0.673132, -2.435867),
    263: (4.445859, 2.663991, 3.173422),
    362: (1.856432, 2.585245, 3.757904),
    454: (7.664182, 0.673132, -2.435867),
    127: (-7.743095, 2.364999, -2.005167),
    356: (7.743095, 2.364999, -2.005167),
    93: (-7.542244, -1.049282, -2.431321),
    323: (7.542244, -1.049282, -2.431321),
    151: (0.000000, 6.545390, 5.027311),
    337: (1.619500, 6.599217, 4.921106),
    108: (-1.619500, 6.599217, 4.921106),
}
RIGID_INDICES: tuple[int, ...] = tuple(_CANONICAL_RIGID)
_RIGID = np.array([_CANONICAL_RIGID[i] for i in RIGID_INDICES], dtype=np.float64)

# The five MTCNN points on the canonical model: eye centres (mean of each eye's corners),
# nose tip, mouth corners; in MTCNN's order (image-left eye first).
_FIVE = np.array(
    [
        (-3.151146, 2.624618, 3.465663),
        (3.151146, 2.624618, 3.465663),
        (0.000000, -1.126865, 7.475604),
        (-2.456206, -4.342621, 4.283884),
        (2.456206, -4.342621, 4.283884),
    ],
    dtype=np.float64,
)


def _angles(rotation: np.ndarray) -> tuple[float, float, float]:
    """(yaw, pitch, roll) in degrees of ``rotation`` = Rz(roll) Ry(yaw) Rx(-pitch), acting
    on canonical (y-up, z-to-camera) coordinates."""
    r = rotation
    yaw = np.degrees(np.arcsin(np.clip(-r[2, 0], -1.0, 1.0)))
    pitch = -np.degrees(np.arctan2(r[2, 1], r[2, 2]))
    roll = np.degrees(np.arctan2(r[1, 0], r[0, 0]))
    return float(yaw), float(pitch), float(roll)


def pose_from_mesh(points: np.ndarray) -> tuple[float, float, float] | None:
    """Yaw, pitch, roll in degrees from mesh landmarks: an ``(N >= 468, 3)`` array of
    x, y (image pixels, y down) and z (MediaPipe's depth, same scale as x, smaller is
    nearer the camera). ``None`` when the points are degenerate."""
    pts = np.asarray(points, dtype=np.float64)
    if pts.ndim != 2 or pts.shape[0] < 468 or pts.shape[1] < 3 or not np.isfinite(pts).all():
        return None
    # image axes -> canonical axes: y up, z towards the camera
    src = _RIGID
    dst = pts[list(RIGID_INDICES), :3] * np.array([1.0, -1.0, -1.0])
    src_c = src - src.mean(axis=0)
    dst_c = dst - dst.mean(axis=0)
    cov = dst_c.T @ src_c
    u, sv, vt = np.linalg.svd(cov)
    if sv[1] <= 1e-9:
        return None
    d = np.sign(np.linalg.det(u @ vt)) or 1.0
    rotation = u @ np.diag([1.0, 1.0, d]) @ vt
    return _angles(rotation)


def pose_from_five_points(
    points: Sequence[Sequence[float]],
) -> tuple[float, float, float] | None:
    """Yaw, pitch, roll in degrees from five image points (MTCNN's order: image-left eye,
    other eye, nose tip, image-left mouth corner, other corner; pixels, y down), by a
    weak-perspective fit of the canonical face. Coarser than :func:`pose_from_mesh`
    (five points, no depth): good to about 10 degrees, and it saturates beyond ~60.
    ``None`` when the points are degenerate."""
    pts = np.asarray(points, dtype=np.float64)
    if pts.shape != (5, 2) or not np.isfinite(pts).all():
        return None
    img = pts * np.array([1.0, -1.0])
    img_c = img - img.mean(axis=0)
    model_c = _FIVE - _FIVE.mean(axis=0)
    # img_c ~ model_c @ M.T with M (2 x 3) = s * first two rows of the rotation
    m, *_ = np.linalg.lstsq(model_c, img_c, rcond=None)
    m = m.T
    n1, n2 = np.linalg.norm(m[0]), np.linalg.norm(m[1])
    if n1 <= 1e-9 or n2 <= 1e-9:
        return None
    r1, r2 = m[0] / n1, m[1] / n2
    # nearest pair of orthonormal rows
    r2 = r2 - r1 * float(r1 @ r2)
    n2 = np.linalg.norm(r2)
    if n2 <= 1e-9:
        return None
    r2 /= n2
    r3 = np.cross(r1, r2)
    return _angles(np.stack([r1, r2, r3]))
