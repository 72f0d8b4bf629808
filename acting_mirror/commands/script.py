"""``acting-mirror script``: work with acting scripts.

``script check FILE`` reads a script and either summarises it (exit 0) or lists every
problem, one per line on stderr (exit 2). ``script show FILE [--json]`` prints the parsed
script (for other tools with ``--json``). ``script import SCREENPLAY [--character NAME]``
turns a Fountain screenplay into a script for one character (without ``--character`` it
lists the characters). ``script voice FILE --out WAV`` renders the scene partner's lines to
a WAV file. ``script example`` prints a sample script to start from. ``script`` alone lists the actions.
"""

from __future__ import annotations

import argparse
import sys

from acting_mirror.errors import ScriptError

EXIT_INVALID = 2

EXAMPLE_TIMED = "example_script.txt"
EXAMPLE_TELEPROMPTER = "example_teleprompter.txt"
EXAMPLE_SCENE = "example_scene.txt"
EXAMPLE_SCREENPLAY = "example_scene.fountain"


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "script",
        help="check, show, import (from a screenplay) or voice an acting script",
        description="Acting scripts list the lines of a scene with the emotion each should "
        "show. Timed lines: 'START[-END] EMOTION[|EMOTION] text', e.g. "
        "'0:03-0:06 surprise Wait, what?'. Teleprompter lines (you advance with a key): "
        "'EMOTION text'. Also '- text' (your line, no target), '@NAME: text' (a scene "
        "partner's line) and '[text]' (a stage direction). Lines starting with # are "
        "comments.",
    )
    actions = p.add_subparsers(dest="script_action", metavar="ACTION")
    p.set_defaults(script_actions=actions)
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
    which = example.add_mutually_exclusive_group()
    which.add_argument("--teleprompter", action="store_true",
                       help="print the untimed (teleprompter) example instead")
    which.add_argument("--scene", action="store_true",
                       help="print the two-character scene imported from the bundled "
                       "screenplay (partner lines and stage directions)")
    which.add_argument("--screenplay", action="store_true",
                       help="print the bundled Fountain screenplay that scene comes from")

    show = actions.add_parser(
        "show", help="print a script's lines as parsed (--json for other tools)",
        description="Read FILE and print its lines; with --json, a JSON object whose "
        "'lines' each have index, kind, speaker, partner, targets, scored, text, start_ms "
        "and end_ms (null when untimed) and line (in FILE).",
    )
    show.add_argument("file", metavar="FILE", help="the script (UTF-8 text)")
    show.add_argument("--json", action="store_true", help="print JSON")

    imp = actions.add_parser(
        "import", help="make a script for one character from a screenplay (Fountain or Final Draft)",
        description="Read a Fountain (.fountain) or Final Draft (.fdx) screenplay. Without "
        "--character, list its "
        "characters and their lines. With it, write that character's lines as yours "
        "(targets from the parentheticals: (angrily) -> angry...), everyone else's as "
        "partner lines and the action as stage directions; lines with no cue get no "
        "target and are listed so you can label them.",
    )
    imp.add_argument("file", metavar="SCREENPLAY",
                     help="a Fountain screenplay (UTF-8), or a Final Draft .fdx file")
    imp.add_argument("--character", metavar="NAME", help="the character you play")
    imp.add_argument("--out", metavar="OUT",
                     help="write the script here (never overwritten); default: stdout")
    imp.add_argument("--no-directions", action="store_true",
                     help="leave out scene headings, action and transitions")
    imp.add_argument("--cues", metavar="FILE",
                     help="your own parenthetical cues, one 'phrase = emotion' per line "
                     "(added to, and overriding, the built-in table)")

    voice = actions.add_parser(
        "voice", help="render the scene partner's lines to a WAV file",
        description="Speak every partner line (@NAME: text) of FILE with the offline "
        "system voice (espeak-ng on Linux, say on macOS, SAPI on Windows) into one WAV: a "
        "timed script puts each partner line at its time, with silence elsewhere; an "
        "untimed one leaves a pause for each of your lines, sized by its length.",
    )
    voice.add_argument("file", metavar="FILE", help="the script (UTF-8 text)")
    voice.add_argument("--out", metavar="WAV", required=True,
                       help="the WAV file to write (never overwritten)")
    voice.add_argument("--rate", metavar="R", type=int, default=None,
                       help="speaking rate in words per minute (default 160)")
    voice.add_argument("--voice", metavar="NAME", default=None,
                       help="the system voice to use (default: the platform's)")
    return p


def list_actions(actions) -> str:
    """What ``acting-mirror script`` alone prints: each action with what it does."""
    rows = [(choice.dest, choice.help or "") for choice in actions._choices_actions]
    width = max(len(name) for name, _ in rows)
    lines = ["acting-mirror script ACTION: what to do with an acting script:"]
    lines += [f"  {name:<{width}}  {help_}" for name, help_ in rows]
    lines.append("Run 'acting-mirror script ACTION --help' for one action's options.")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    if args.script_action is None:  # still a usage error (exit 2), but one that helps
        print(list_actions(args.script_actions), file=sys.stderr)
        return EXIT_INVALID
    if args.script_action == "example":
        name = (EXAMPLE_TELEPROMPTER if args.teleprompter else EXAMPLE_SCENE if args.scene
                else EXAMPLE_SCREENPLAY if args.screenplay else EXAMPLE_TIMED)
        return _print_example(name)
    if args.script_action == "show":
        return show(args.file, as_json=args.json)
    if args.script_action == "import":
        return import_screenplay(args)
    if args.script_action == "voice":
        return voice(args)
    return check(args.file)


def _load_or_report(path: str):
    """The script at ``path``, or ``None`` after printing every problem on stderr."""
    from acting_mirror.core.script import load_script

    try:
        return load_script(path)
    except ScriptError as exc:
        problems = exc.problems or [str(exc)]
        if problems == [str(exc)]:  # unreadable file: one sentence says it all
            print(f"acting-mirror: {exc}", file=sys.stderr)
            return None
        count = f"{len(problems)} problems" if len(problems) > 1 else "1 problem"
        print(f"{path}: not a valid acting script ({count}):", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return None


def show(path: str, *, as_json: bool = False) -> int:
    """Print the parsed script (as JSON for other tools), or every problem in it (2)."""
    import json

    script = _load_or_report(path)
    if script is None:
        return EXIT_INVALID
    if as_json:
        print(json.dumps(script.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(summarise(script))
    return 0


def import_screenplay(args: argparse.Namespace) -> int:
    """``script import``: list a screenplay's characters, or write one's script."""
    from pathlib import Path

    from acting_mirror.core.screenplay import (
        parse_cue_file, parse_fdx, parse_fountain, to_script_text,
    )
    from acting_mirror.core.script import parse_script
    from acting_mirror.errors import OutputError

    src = Path(args.file)
    out = Path(args.out) if args.out else None
    if out is not None and (out.exists() or out.is_symlink()):
        raise OutputError(f"{out} already exists; choose another --out (nothing is overwritten).")
    cues = None
    if args.cues:
        cues = parse_cue_file(_read_text(Path(args.cues), "cue table"), name=Path(args.cues).name)
    if src.suffix.lower() == ".fdx":
        play = parse_fdx(_read_bytes(src, "screenplay"), name=src.name, cues=cues)
    else:
        play = parse_fountain(_read_text(src, "screenplay"), name=src.name, cues=cues)
    for warning in play.warnings:
        print(f"warning: {warning}", file=sys.stderr)

    if not args.character:
        chars = play.characters()
        title = f' "{play.title}"' if play.title else ""
        print(f"{src.name}{title}: {len(chars)} speaking character"
              + ("s" if len(chars) != 1 else "") + " (lines of dialogue):")
        width = max(len(n) for n, _ in chars)
        for name, n in chars:
            print(f"  {name:<{width}}  {n}")
        print(f"Import one: acting-mirror script import {args.file} --character "
              f"{_quote(chars[0][0])} --out scene.txt")
        return 0

    text, unlabelled = to_script_text(play, args.character, directions=not args.no_directions)
    script = parse_script(text, name=out.name if out else "imported script")  # must read back
    if out is not None:
        try:
            with open(out, "x", encoding="utf-8") as fh:
                fh.write(text)
        except FileExistsError:
            raise OutputError(f"{out} already exists; choose another --out (nothing is overwritten).") from None
        except OSError as exc:
            raise OutputError(f"Cannot write {out}: {exc.strerror or exc}.") from exc
        report = sys.stdout
    else:
        sys.stdout.write(text)
        report = sys.stderr
    who = play.find_character(args.character)
    mine = [c for c in script.cues if c.kind == "actor"]
    partner = [c for c in script.cues if c.partner]
    directions = [c for c in script.cues if c.direction]
    scored = sum(1 for c in mine if c.scored)
    where = f"wrote {out}" if out is not None else "imported"
    print(f"{where}: {len(script)} lines for {who}: {len(mine)} yours ({scored} with a target), "
          f"{len(partner)} partner, {len(directions)} stage directions.", file=report)
    if unlabelled:
        print(f"{len(unlabelled)} of your lines had no cue (no target, not scored); "
              "label them in the script:", file=report)
        for u in unlabelled:
            snippet = u.text if len(u.text) <= 60 else u.text[:57] + "..."
            print(f"  line {u.script_line} (screenplay line {u.screenplay_line}): {snippet}",
                  file=report)
    return 0


def _quote(name: str) -> str:
    return f"'{name}'" if (" " in name or "'" in name) else name


def _read_bytes(path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ScriptError(f"Cannot read {what} {path}: {exc.strerror or exc}.") from exc


def _read_text(path, what: str) -> str:
    data = _read_bytes(path, what)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScriptError(
            f"{path} is not a UTF-8 text file ({exc.reason} at byte {exc.start})."
        ) from exc


def voice(args: argparse.Namespace) -> int:
    """``script voice``: the partner's lines as one WAV file."""
    from pathlib import Path

    from acting_mirror.audio.track import render_partner_track, write_wav
    from acting_mirror.errors import OutputError

    out = Path(args.out)
    if out.exists() or out.is_symlink():
        raise OutputError(f"{out} already exists; choose another --out (nothing is overwritten).")
    if args.rate is not None and not 40 <= args.rate <= 600:
        raise ScriptError(f"--rate {args.rate} is out of range: use 40-600 words per minute.")
    script = _load_or_report(args.file)
    if script is None:
        return EXIT_INVALID
    track = render_partner_track(script, rate=args.rate, voice=args.voice)
    write_wav(out, track.samples, track.sample_rate)
    print(f"wrote {out}: {track.duration_s:.1f} s, {len(track.spans)} partner line"
          + ("s" if len(track.spans) != 1 else "") + f" ({track.voice_note})")
    for span in track.spans:
        print(f"  {span.start_s:6.2f}-{span.end_s:6.2f} s  {span.speaker}: {span.text}")
    for overrun in track.overruns:
        print(f"warning: {overrun}", file=sys.stderr)
    return 0


def check(path: str) -> int:
    """Print a summary of the script at ``path`` (0) or every problem in it (2)."""
    script = _load_or_report(path)
    if script is None:
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
    scene = any(not c.scored for c in script.cues)
    if scene:
        partner = sum(c.partner for c in script.cues)
        directions = sum(c.direction for c in script.cues)
        mine = len(script.cues) - partner - directions
        head += (f"; {mine} yours ({len(script.scored_cues)} scored), {partner} partner"
                 f" ({', '.join(script.partners) or 'none'}), {directions} stage directions")
    if script.role:
        head += f"; you play {script.role}"
    width = max(len(_label(c)) for c in script.cues)
    lines = [head]
    for c in script.cues:
        span = f"{format_span(c):<15} " if script.timed else ""
        if c.kind == "actor":
            body = f"{_label(c):<{width}}  {c.text}"
        else:
            body = c.written
        lines.append(f"  {c.index + 1:>3}  {span}{body}".rstrip())
    return "\n".join(lines)


def _label(cue) -> str:
    if cue.kind != "actor":
        return ""
    return cue.target_label or "-"


def _print_example(name: str) -> int:
    from acting_mirror.config import assets_dir
    from acting_mirror.errors import SourceError

    path = assets_dir() / name
    try:
        sys.stdout.write(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SourceError(f"The example script is missing from this installation ({path}).") from exc
    return 0
