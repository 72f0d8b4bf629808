"""``acting-mirror script``: work with acting scripts.

``script check FILE`` reads a script and either summarises it (exit 0) or lists every
problem, one per line on stderr (exit 2). ``script example`` prints a sample script to
start from.
"""

from __future__ import annotations

import argparse
import sys

from acting_mirror.errors import ScriptError

EXIT_INVALID = 2

EXAMPLE_TIMED = "example_script.txt"
EXAMPLE_TELEPROMPTER = "example_teleprompter.txt"


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "script",
        help="check an acting script, or print an example one",
        description="Acting scripts list the lines of a scene with the emotion each should "
        "show. Timed lines: 'START[-END] EMOTION[|EMOTION] text', e.g. "
        "'0:03-0:06 surprise Wait, what?'. Teleprompter lines (you advance with a key): "
        "'EMOTION text'. Lines starting with # are comments.",
    )
    actions = p.add_subparsers(dest="script_action", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check", help="read a script and list its lines, or every problem in it",
        description="Read FILE; print a summary of its lines, or every problem by line "
        "number (exit status 2).",
    )
    check.add_argument("file", metavar="FILE", help="the script (UTF-8 text)")
    example = actions.add_parser(
        "example", help="print an example script to start from",
        description="Print the bundled example script (timed, for the demo clip).",
    )
    example.add_argument("--teleprompter", action="store_true",
                         help="print the untimed (teleprompter) example instead")
    return p


def run(args: argparse.Namespace) -> int:
    if args.script_action == "example":
        return _print_example(args.teleprompter)
    return check(args.file)


def check(path: str) -> int:
    """Print a summary of the script at ``path`` (0) or every problem in it (2)."""
    from acting_mirror.core.script import load_script

    try:
        script = load_script(path)
    except ScriptError as exc:
        problems = exc.problems or [str(exc)]
        if problems == [str(exc)]:  # unreadable file: one sentence says it all
            print(f"acting-mirror: {exc}", file=sys.stderr)
            return EXIT_INVALID
        count = f"{len(problems)} problems" if len(problems) > 1 else "1 problem"
        print(f"{path}: not a valid acting script ({count}):", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_INVALID
    print(summarise(script))
    return 0


def summarise(script) -> str:
    """A few lines describing ``script``: its form, length and each cue."""
    from acting_mirror.core.script import format_span, format_time

    n = len(script.cues)
    cues = f"{n} cue" + ("s" if n != 1 else "")
    if script.timed:
        first, end = script.cues[0].start_ms, script.duration_ms
        scripted = sum(c.duration_ms for c in script.cues)
        head = (
            f"{script.source}: {cues}, timed, {format_time(first)}-{format_time(end)} "
            f"({end / 1000:.1f} s total, {scripted / 1000:.1f} s scripted)"
        )
    else:
        head = f"{script.source}: {cues}, teleprompter (untimed: advance with a key press)"
    width = max(len("|".join(c.targets)) for c in script.cues)
    lines = [head]
    for c in script.cues:
        span = f"{format_span(c):<15} " if script.timed else ""
        lines.append(f"  {c.index + 1:>3}  {span}{c.target_label:<{width}}  {c.text}".rstrip())
    return "\n".join(lines)


def _print_example(teleprompter: bool) -> int:
    from acting_mirror.config import assets_dir
    from acting_mirror.errors import SourceError

    path = assets_dir() / (EXAMPLE_TELEPROMPTER if teleprompter else EXAMPLE_TIMED)
    try:
        sys.stdout.write(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SourceError(f"The example script is missing from this installation ({path}).") from exc
    return 0
