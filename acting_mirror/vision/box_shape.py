"""A face box in another detector's shape, from the face mesh's outline.

The mesh's box (the bounds of its 478 points) runs from the brow line to the chin and
cheek to cheek; Haar's and MTCNN's boxes, the crops the emotion model was made for, are
wider and sit higher. A :data:`BoxShape` says where one box sits against the mesh's: its
centre offset (x, y) and its size (w, h), each as a fraction of the mesh box's width or
height. :data:`HAAR_SHAPE` is the median over 62 faces (the astronaut, Grace Hopper and 60
LFW faces: Haar against the mesh on the same picture; spread 0.02 in y, 0.1 in size), with
no sideways offset, so a mirrored face gets the mirrored box.
"""

from __future__ import annotations

from acting_mirror.core.types import Box

BoxShape = tuple[float, float, float, float]

HAAR_SHAPE: BoxShape = (0.0, -0.073, 1.20, 1.04)
"""Haar's box against the mesh's (see the module docstring). With it, the mesh detector's
emotion readings on the one-face clip agree with Haar's to 0.004 (mean absolute
probability difference; 0.041 with the mesh's own outline)."""


def shape_of(box: Box, mesh_box: Box) -> BoxShape:
    """Where ``box`` sits against ``mesh_box``."""
    (cx, cy), (mx, my) = box.center, mesh_box.center
    mw, mh = max(mesh_box.w, 1), max(mesh_box.h, 1)
    return ((cx - mx) / mw, (cy - my) / mh, box.w / mw, box.h / mh)


def shaped(mesh_box: Box, shape: BoxShape) -> Box:
    """A box of ``shape`` against ``mesh_box`` (not cut to any frame)."""
    (mx, my), (dx, dy, sw, sh) = mesh_box.center, shape
    cx, cy = mx + dx * mesh_box.w, my + dy * mesh_box.h
    w, h = sw * mesh_box.w, sh * mesh_box.h
    return Box.from_xyxy(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
