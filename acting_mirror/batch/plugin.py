"""The Dask worker plugin (imported only where ``distributed`` is installed)."""

from __future__ import annotations

from distributed.diagnostics.plugin import WorkerPlugin

from acting_mirror.batch.worker import ActingMirrorPlugin


class Plugin(ActingMirrorPlugin, WorkerPlugin):
    """On every worker as it starts (and on those that join later): one OpenCV and one
    LiteRT thread, and the models for the batch's detector loaded once."""
