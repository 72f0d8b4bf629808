"""PyInstaller hook for ai-edge-litert (LiteRT), which ships none of its own.

The Python wrappers (``_pywrap_*``) are extension modules that PyInstaller finds by import
analysis; only the one the ``Interpreter`` imports ends up collected. Two shared libraries
are not found that way: ``libpywrap_litert_common`` (reached through the wrapper's
``$ORIGIN`` RUNPATH) and ``libLiteRt``, which the runtime ``dlopen``s. They are collected
here, into the package's own folder where the wrapper looks for them. The WebGPU
accelerator (19 MB, GPU only) and the vendors' NPU compiler plugins are left out: the app
runs its small models on the CPU. Collecting the whole package (``collect_all``) would
bring the accelerator back as a hidden import, so this hook names what it takes
(``packaging/bundle.py``'s ``litert_libraries``, checked by tests/packaging/test_spec.py).
"""

import sys
from pathlib import Path

from PyInstaller.utils.hooks import get_package_paths

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import bundle  # noqa: E402

_, _package_dir = get_package_paths("ai_edge_litert")
binaries = [(str(p), "ai_edge_litert") for p in bundle.litert_libraries(Path(_package_dir))]

# imported lazily by the Interpreter for its metrics
hiddenimports = ["ai_edge_litert.metrics_portable"]
# the converter, the AOT compiler and the vendors' plugins are tools the app never runs
excludedimports = ["ai_edge_litert.aot", "ai_edge_litert.tools", "ai_edge_litert.vendors"]
