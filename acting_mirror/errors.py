"""The errors a user can cause: each carries one human sentence.

The CLI turns them into one line on stderr and exit status 2; the GUI into a message.
Anything else is a bug and keeps its traceback.
"""


class ActingMirrorError(Exception):
    """Base of every user-facing error. ``str(err)`` is the message to show."""


class SourceError(ActingMirrorError):
    """Media that cannot be opened or read: missing, empty, corrupt, unreachable."""


class OutputError(ActingMirrorError):
    """A take folder or file that cannot be written, or would overwrite work."""


class ModelError(ActingMirrorError):
    """A model file that is missing, broken or of the wrong shape."""


class ScriptError(ActingMirrorError):
    """An acting script that does not parse; ``problems`` lists each by line."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = list(problems or [])


class DependencyError(ActingMirrorError):
    """An optional component (e.g. TensorFlow for the model tools) is not installed."""
