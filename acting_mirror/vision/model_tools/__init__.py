"""Model tools: evaluate an emotion model on labelled faces, export Keras to TFLite
(float and int8), retrain it, and measure how picture quality affects it.

``evaluate`` runs the app's own LiteRT classifier and needs no TensorFlow; ``export`` and
``train`` import TensorFlow inside the functions, so this package imports without it.
One concept per module: :mod:`.datasets`, :mod:`.evaluation`, :mod:`.export`,
:mod:`.training`, :mod:`.quality_sweep`; their names are re-exported here.
"""

from __future__ import annotations

from acting_mirror.vision.model_tools.datasets import (
    IMAGE_SUFFIXES,
    LabelledFaces,
    Progress,
    load_labelled_faces,
)
from acting_mirror.vision.model_tools.evaluation import (
    EvaluationResult,
    box_blur,
    check_plot_targets,
    evaluate,
    parse_radii,
    score,
    write_plots,
)
from acting_mirror.vision.model_tools.export import (
    ExportResult,
    KERAS_FILE,
    ModelRow,
    PARITY_TOLERANCE,
    ParityReport,
    TFLITE_FILE,
    _load_keras,
    _tensorflow,
    calibration_faces,
    compare_exports,
    export_keras_to_tflite,
    export_with_int8,
    format_comparison,
    int8_path,
    keras_to_int8_tflite_bytes,
    keras_to_tflite_bytes,
    tflite_outputs,
)
from acting_mirror.vision.model_tools.training import (
    CURVE_FILE,
    INT8_FILE,
    TrainingResult,
    build_mini_xception,
    class_weights,
    train,
    write_training_curve,
)
from acting_mirror.vision.model_tools.quality_sweep import (
    AGREEMENT_FLOOR,
    ReferenceFace,
    SWEEP_BLUR,
    SWEEP_BRIGHT,
    SWEEP_DARK,
    SWEEP_SIZES,
    derive_thresholds,
    format_sweep,
    quality_sweep,
    reference_faces,
    write_reference_sets,
)

__all__ = [
    "AGREEMENT_FLOOR",
    "CURVE_FILE",
    "EvaluationResult",
    "ExportResult",
    "IMAGE_SUFFIXES",
    "INT8_FILE",
    "KERAS_FILE",
    "LabelledFaces",
    "ModelRow",
    "PARITY_TOLERANCE",
    "ParityReport",
    "Progress",
    "ReferenceFace",
    "SWEEP_BLUR",
    "SWEEP_BRIGHT",
    "SWEEP_DARK",
    "SWEEP_SIZES",
    "TFLITE_FILE",
    "TrainingResult",
    "_load_keras",
    "_tensorflow",
    "box_blur",
    "build_mini_xception",
    "calibration_faces",
    "check_plot_targets",
    "class_weights",
    "compare_exports",
    "derive_thresholds",
    "evaluate",
    "export_keras_to_tflite",
    "export_with_int8",
    "format_comparison",
    "format_sweep",
    "int8_path",
    "keras_to_int8_tflite_bytes",
    "keras_to_tflite_bytes",
    "load_labelled_faces",
    "parse_radii",
    "quality_sweep",
    "reference_faces",
    "score",
    "tflite_outputs",
    "train",
    "write_plots",
    "write_reference_sets",
    "write_training_curve",
]
