"""Acting Mirror: a rehearsal mirror that reads the emotions an actor's face shows."""

__version__ = "0.1.0"
