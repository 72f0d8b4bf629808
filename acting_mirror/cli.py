"""``acting-mirror``: the command-line front end.

With no subcommand it opens the desktop app. Every user mistake (bad file, bad script,
existing output folder...) becomes one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import threading

from acting_mirror import __version__
from acting_mirror.errors import ActingMirrorError, ScriptError

# name of each subcommand module under acting_mirror.commands, in --help order
COMMANDS = ("gui", "process", "batch", "script", "profile", "review", "bench", "model",
            "recover", "export")

EXIT_USER_ERROR = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, like every other user mistake
        self.exit(EXIT_USER_ERROR, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="acting-mirror",
        description="A rehearsal mirror for actors: reads the emotions your face shows. "
        "With no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"acting-mirror {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        module = _command_module(name)
        if module is not None:
            module.add_parser(sub)
    return parser


def _command_module(name: str):
    try:
        return importlib.import_module(f"acting_mirror.commands.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"acting_mirror.commands.{name}":
            return None
        raise


def _ignore_file_size_signal() -> None:
    """Under ``ulimit -f`` a write past the limit raises SIGXFSZ, which kills the process
    (with a core dump) before any error can be reported; ignored, the write fails with
    EFBIG and the recorder stops the take cleanly with one line."""
    if hasattr(signal, "SIGXFSZ") and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def _means_the_app(argv: list[str]) -> bool:
    """No command, or options only (``--source demo``, ``--script FILE``): the app's
    own options, as ``gui`` takes them; ``--help`` and ``--version`` stay the CLI's."""
    if not argv:
        return True
    first = argv[0]
    return first.startswith("-") and first not in ("-h", "--help", "--version")


def main(argv: list[str] | None = None) -> int:
    _ignore_file_size_signal()
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if _means_the_app(argv) and _command_module("gui") is not None:
        argv = ["gui", *argv]  # `acting-mirror --source demo` is `acting-mirror gui --source demo`
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    module = _command_module(args.command)
    try:
        return int(module.run(args) or 0)
    except ScriptError as exc:
        print(f"acting-mirror: {exc}", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_USER_ERROR
    except ActingMirrorError as exc:
        print(f"acting-mirror: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt as exc:
        signum = getattr(exc, "signum", None)  # SIGTERM/SIGHUP: see commands.process
        if signum is not None:
            print(f"acting-mirror: stopped by {exc}; the take keeps every frame read.", file=sys.stderr)
            return 128 + int(signum)
        print("acting-mirror: interrupted.", file=sys.stderr)
        return 130


def console_main() -> None:
    sys.exit(main())


if __name__ == "__main__":
    console_main()
