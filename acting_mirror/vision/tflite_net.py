"""One fixed-shape TFLite network on LiteRT, its outputs found by name or by shape."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from acting_mirror.errors import ModelError
from acting_mirror.vision.litert import quiet_delegate_banner


class TFLiteNetwork:
    """A LiteRT interpreter allocated once; ``run`` sets the one input and returns all
    outputs by tensor index (copies, safe to keep)."""

    def __init__(self, path: Path, num_threads: int, label: str, rebuild: str):
        from ai_edge_litert.interpreter import Interpreter

        self.path = Path(path)
        self.label = label
        self.rebuild = rebuild
        try:
            content = self.path.read_bytes()
        except OSError as err:
            raise ModelError(
                f"The {label} model {self.path} cannot be read ({err.strerror}); "
                f"rebuild it with `{rebuild}`."
            ) from None
        quiet_delegate_banner(self.path)
        try:
            self._interpreter = Interpreter(model_content=content, num_threads=num_threads)
            self._interpreter.allocate_tensors()
        except (ValueError, RuntimeError) as err:
            raise ModelError(
                f"The {label} model {self.path} is not a usable TFLite file ({err})."
            ) from None
        detail = self._interpreter.get_input_details()[0]
        self._input = detail["index"]
        self.input_shape = tuple(int(v) for v in detail["shape"])
        self.output_details = self._interpreter.get_output_details()

    def wrong_shape(self, shape, expected) -> None:
        raise ModelError(
            f"The {self.label} model {self.path} takes {shape}, not {expected}; "
            f"rebuild it with `{self.rebuild}`."
        )

    def output_by_name(self, *names: str) -> int:
        """The index of the first output whose tensor name contains one of ``names``."""
        for name in names:
            for d in self.output_details:
                if name in d["name"]:
                    return int(d["index"])
        raise ModelError(
            f"The {self.label} model {self.path} has no output named {' or '.join(names)} "
            f"(it has {', '.join(d['name'] for d in self.output_details)})."
        )

    def outputs_by_last_dim(self) -> dict[int, int]:
        return {int(d["shape"][-1]): int(d["index"]) for d in self.output_details}

    def run(self, batch: np.ndarray) -> dict[int, np.ndarray]:
        self._interpreter.set_tensor(self._input, batch)
        self._interpreter.invoke()
        return {int(d["index"]): self._interpreter.get_tensor(d["index"]) for d in self.output_details}

    def close(self) -> None:
        self._interpreter = None
