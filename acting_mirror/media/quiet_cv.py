"""Keep OpenCV's and FFmpeg's own logging off the user's terminal.

Imported (for its effect) by every media module before it uses OpenCV: the user sees
only our one line, never "[mjpeg @ 0x...] overread 8" around it. FFmpeg reads
``OPENCV_FFMPEG_LOGLEVEL`` when the first capture opens and OpenCV its log level on
first use, so setting them here is early enough even if ``cv2`` was imported before.
Values already in the environment win (a developer can turn logging back on).
V4L2 camera reads wait at most ``OPENCV_VIDEOIO_V4L_SELECT_TIMEOUT`` seconds (OpenCV's
default is 10), so a stalled camera is noticed in time.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # AV_LOG_QUIET
os.environ.setdefault("OPENCV_LOG_LEVEL", "SILENT")
os.environ.setdefault("OPENCV_VIDEOIO_V4L_SELECT_TIMEOUT", "1")

import cv2  # noqa: E402

if os.environ["OPENCV_LOG_LEVEL"].upper() == "SILENT":
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
