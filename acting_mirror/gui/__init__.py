"""The desktop app. The only package that imports PySide6 or pyqtgraph.

``run_app`` (in :mod:`acting_mirror.gui.app`) opens the main window; the analysis runs on
one worker thread (:mod:`acting_mirror.gui.worker`) that owns every stateful object of
the pipeline, and talks to the window only through messages.
"""
