"""PyInstaller hook for imageio-ffmpeg: its ffmpeg executable is shipped as a program file.

The app never links FFmpeg: ``acting_mirror.audio.ffmpeg`` runs the ``ffmpeg`` program as a
subprocess (``export``; a video's sound in ``process``). ``imageio_ffmpeg.get_ffmpeg_exe()``
looks for it in the package's ``binaries`` folder, so it is collected there as a binary
(it keeps its executable bit; a static build needs no libraries). ``packaging/bundle.py``'s
``ffmpeg_programs`` names it (checked by tests/packaging/test_spec.py) when the build runs
with BUNDLE_FFMPEG=1; by default it is left out. Its licence: packaging/THIRD-PARTY-PROGRAMS.md, copied into the app folder.
"""

import sys
from pathlib import Path

from PyInstaller.utils.hooks import get_package_paths

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import bundle  # noqa: E402

_, _package_dir = get_package_paths("imageio_ffmpeg")
binaries = [(str(p), bundle.FFMPEG_DEST) for p in bundle.ffmpeg_programs(Path(_package_dir))]
# importlib.resources finds the binaries folder through this package
hiddenimports = ["imageio_ffmpeg.binaries"]
