"""``acting-mirror profile``: the personal expression profile (see core.profile).

    acting-mirror profile script            # the routine to record
    acting-mirror profile learn TAKE --actor NAME
    acting-mirror profile show NAME
    acting-mirror profile list
"""

from __future__ import annotations

import argparse
from pathlib import Path

from acting_mirror.errors import ActingMirrorError


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "profile",
        help="the personal expression profile: learn how your face shows each emotion",
        description="A personal expression profile, learned from a short routine you record "
        "(a relaxed face, then each emotion on cue): your relaxed level of every face action "
        "and a personal reading of the seven emotions, with how reliable each is for your "
        "face. Profiles are JSON files in your data folder, never sent anywhere.",
    )
    sub = p.add_subparsers(dest="profile_command", metavar="ACTION", parser_class=type(p))
    sub.required = True
    s = sub.add_parser("script", help="print the routine's script (record yourself acting it)")
    s.add_argument("--out", type=Path, metavar="FILE", help="write it to FILE instead")
    learn = sub.add_parser("learn", help="learn a profile from a take recorded against the routine")
    learn.add_argument("take", type=Path, metavar="TAKE",
                       help="a take folder processed with --detail (or --detector mesh)")
    learn.add_argument("--actor", required=True, metavar="NAME")
    show = sub.add_parser("show", help="print a profile's per-emotion reliability")
    show.add_argument("actor", metavar="NAME")
    show.add_argument("--json", action="store_true", help="print the profile file as is")
    sub.add_parser("list", help="list the stored profiles")
    return p


def _store():
    from acting_mirror.config import user_data_dir
    from acting_mirror.core.profile import ExpressionProfileStore

    return ExpressionProfileStore(user_data_dir())


def run(args: argparse.Namespace) -> int:
    from acting_mirror.core.profile import learn_from_take, routine_text

    cmd = args.profile_command
    if cmd == "script":
        text = routine_text()
        if args.out is None:
            print(text, end="")
            return 0
        from acting_mirror.core.files import write_text_atomic

        if args.out.exists():
            raise ActingMirrorError(f"{args.out} already exists; choose another file.")
        try:
            write_text_atomic(args.out, text)
        except OSError as exc:
            raise ActingMirrorError(f"Cannot write {args.out}: {exc.strerror or exc}.") from exc
        print(f"The routine's script is in {args.out}.")
        return 0
    store = _store()
    if cmd == "learn":
        if not args.actor.strip():
            raise ActingMirrorError("Give the actor a name: --actor NAME.")
        profile = learn_from_take(args.take, args.actor.strip())
        path = store.save(profile)
        for line in profile.summary_lines():
            print(line)
        print(f"Saved {path}")
        return 0
    if cmd == "show":
        profile = store.load(args.actor)
        if args.json:
            print(store.path_for(args.actor).read_text(encoding="utf-8"), end="")
            return 0
        for line in profile.summary_lines():
            print(line)
        return 0
    names = store.list()
    print("\n".join(names) if names else f"No expression profiles yet (in {store.folder}).")
    return 0
