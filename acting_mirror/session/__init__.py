"""The live loop, without Qt: a :class:`~acting_mirror.session.session.Session` takes
commands (:mod:`.commands`) and reports what happened as events (:mod:`.events`).

The app runs it on a thread with a pacing clock (``gui/worker.py``); ``process`` runs it
flat out, every frame kept (``app.process_to_take``).
"""
