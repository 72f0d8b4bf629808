"""Screenplays in, acting scripts out: a Fountain screenplay read with the ``fountain-py``
parser (or a Final Draft ``.fdx`` read with the standard library's expat,
:func:`parse_fdx`), then one character's scene as an Acting Mirror script.

Why ``fountain-py`` (MIT, pure Python, no dependencies): of the Fountain parsers on PyPI it
was the only one that, on a test screenplay using every part of the Fountain spec, got all
of them right (title page, scene headings incl. forced ``.``, character extensions
``(V.O.)``/``(CONT'D)``, forced ``@`` names, dual dialogue ``^``, parentheticals,
transitions, centered ``> <``, notes ``[[ ]]``, boneyard ``/* */``, sections, synopses,
forced action ``!``, lyrics ``~``, page breaks ``===``), gives every element its line
number, and reports unclosed notes and boneyards by line. ``fountain-parser`` (MIT) has no
line numbers and reads ``!``, ``~`` and notes as action; ``screenplay-tools`` (MIT) has no
line numbers and folds a boneyard that follows dialogue into the dialogue.

What becomes of each element (:func:`to_script_text`):

- the chosen character's dialogue: the actor's lines; their targets come from the
  parenthetical in force (``(angrily)`` -> angry, through
  :func:`acting_mirror.core.emotions.cue_emotions`); a parenthetical that cues no emotion
  (``(beat)``, ``(to Ben)``) keeps the one before it in the same speech; a speech with no
  cue gets no target (``-``) and is listed so the actor can label it;
- every other character's dialogue: partner lines ``@NAME: text`` (extensions such as
  ``(V.O.)`` dropped, the name kept);
- scene headings, action, centered text and transitions: stage directions ``[text]`` (or
  dropped with ``directions=False``);
- title page, notes, boneyard, sections, synopses and page breaks: dropped.
"""

from __future__ import annotations

from pathlib import Path

import re
import unicodedata
from dataclasses import dataclass, replace

from acting_mirror.core.emotions import EMOTIONS, cue_emotions, cue_table, parse_emotion
from acting_mirror.errors import DependencyError, ScriptError

MAX_BYTES = 2_000_000
"""A screenplay larger than this is refused (a feature film is about 200-300 kB)."""
MAX_LINE = 5_000
"""Characters on one line (a long action paragraph is about 1,000)."""
MAX_MARKERS = 60
"""``[``, ``/*`` and ``*/`` on one line. fountain-py 0.3.0 scans from every ``[[`` to the
end of its line (slow on hostile lines) and recurses once per boneyard marker on a line
(a RecursionError past ~1,000); real lines have a handful."""

SPEECH = "speech"
DIRECTION = "direction"


@dataclass(frozen=True)
class Element:
    """One thing in the scene, in order: a ``speech`` (``character`` says ``text``, under
    the parenthetical ``cue`` with the emotions ``targets`` it cues) or a ``direction``.
    ``line`` is its 1-based line in the screenplay; a parenthetical inside a speech starts
    a new element of the same ``block``."""

    kind: str
    text: str
    line: int
    character: str | None = None
    cue: str | None = None
    targets: tuple[str, ...] = ()
    dual: bool = False
    block: int = 0  # speeches under one character cue share it
    block_line: int = 0  # the line of that character cue
    piece: int = 0  # a parenthetical inside a speech starts a new piece


@dataclass(frozen=True)
class Screenplay:
    source: str
    title: str | None
    elements: tuple[Element, ...]
    warnings: tuple[str, ...] = ()

    def characters(self) -> list[tuple[str, int]]:
        """Each speaking character with its number of speeches, most first (ties in
        order of appearance)."""
        counts: dict[str, int] = {}
        shown: dict[str, str] = {}
        for e in self.elements:
            if e.kind == SPEECH:
                key = e.character.upper()  # type: ignore[union-attr]
                shown.setdefault(key, e.character)  # type: ignore[arg-type]
                counts[key] = counts.get(key, 0) + 1
        order = list(counts)
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], order.index(kv[0])))
        return [(shown[k], n) for k, n in ranked]

    def find_character(self, name: str) -> str:
        """The character ``name`` means (case and extensions ignored); ScriptError naming
        the characters otherwise."""
        want = normalize_name(name).upper()
        for n, _ in self.characters():
            if n.upper() == want:
                return n
        listed = ", ".join(f"{n} ({c})" for n, c in self.characters()) or "none"
        raise ScriptError(
            f"{self.source} has no character {name!r}; its characters (speeches): {listed}."
        )


def normalize_name(name: str) -> str:
    """``MAYA (V.O.)`` -> ``MAYA``: extensions and ``^``/``@`` dropped, spaces collapsed,
    nothing that the script format reads specially (``:``, ``#``, brackets). Case is kept
    (``@McCLANE``); names compare case-insensitively."""
    name = re.sub(r"\([^)]*\)", " ", name)
    name = name.replace("^", " ").lstrip("@")
    name = re.sub(r"[:#\[\]]", " ", name)
    return " ".join(name.split())


# --- cue tables ---------------------------------------------------------------------------

def parse_cue_file(text: str, *, name: str = "cue table") -> dict[str, str | None]:
    """A user's cue table: one ``phrase = emotion`` per line (``#`` comments; ``-`` as
    the emotion makes the phrase cue nothing). ScriptError with line-numbered problems."""
    out: dict[str, str | None] = {}
    problems: list[str] = []
    for lineno, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        phrase, sep, emotion = line.partition("=")
        phrase, emotion = phrase.strip(), emotion.strip()
        if not sep or not phrase or not emotion:
            problems.append(f"line {lineno}: write phrase = emotion, e.g. 'through tears = sad'")
            continue
        if emotion == "-":
            out[phrase] = None
            continue
        try:
            out[phrase] = parse_emotion(emotion)
        except ValueError as exc:
            problems.append(f"line {lineno}: {exc}")
    if problems:
        raise ScriptError(f"{name} is not a valid cue table ({problems[0]}).", problems=problems)
    return out


# --- reading Fountain -------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE_RUN = re.compile(r"(?<=\S)[ \t]{2,}(?=\S)")


def _clean(text: str) -> str:
    """One line of text fit for a script line: white space collapsed, a lone ``#`` (a
    comment in scripts) written as the full-width ``＃``."""
    text = " ".join(text.split())
    return re.sub(r"(?<!\S)#(?=\s|$)", "\uff03", text)


def parse_fountain(
    text: str, *, name: str = "screenplay", cues: dict[str, str | None] | None = None
) -> Screenplay:
    """Read a Fountain screenplay. ``cues`` adds to or overrides the parenthetical table.

    Raises :class:`ScriptError` listing, by line, what makes it unreadable (control
    characters, an unclosed ``/*`` or ``[[`` that would swallow the rest, no dialogue).
    Smaller oddities (a character cue with no dialogue) become ``warnings``.
    """
    try:
        from fountain.parser import FountainParser
    except ImportError as exc:  # pragma: no cover - installed with the app on 3.11+
        raise DependencyError(
            "Screenplay import needs the fountain-py package (Python 3.11 or newer): "
            "pip install fountain-py"
        ) from exc

    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise _too_large(name)
    text = text.lstrip("\ufeff")
    text = re.sub(r"\r\n|\r", "\n", text)
    problems: list[str] = []
    lines = text.split("\n")
    for lineno, line in enumerate(lines, start=1):
        m = _CONTROL.search(line)
        markers = line.count("[") + line.count("/*") + line.count("*/")
        if m:
            problems.append(
                f"line {lineno}: control character U+{ord(m.group()):04X} "
                "(a screenplay is plain text)"
            )
        elif any(unicodedata.category(ch) == "Cs" for ch in line):
            problems.append(f"line {lineno}: invalid character (a lone surrogate)")
        elif len(line) > MAX_LINE:
            problems.append(f"line {lineno}: {len(line):,} characters on one line (at most "
                            f"{MAX_LINE:,}: is this a screenplay?)")
        elif markers > MAX_MARKERS:
            problems.append(f"line {lineno}: {markers} note or boneyard brackets ([, /*, */) "
                            f"on one line (at most {MAX_MARKERS})")
    if problems:
        _fail(name, problems)
    # runs of spaces mean nothing in a screenplay's text, and fountain-py's patterns are
    # slow on long ones (quadratic); a line of only spaces stays one of two (dialogue's "  ")
    text = "\n".join(_SPACE_RUN.sub(" ", x) if x.strip() else x[:2] for x in lines)

    text, dual_lines = _take_carets(text)
    try:
        doc = FountainParser().parse(text)
    except MemoryError:
        raise
    except Exception as exc:  # a third-party parser's bug must not reach the user as a traceback
        raise ScriptError(
            f"{name} could not be read as Fountain ({type(exc).__name__}: {exc}).",
            problems=[f"the Fountain parser failed: {exc}"],
        ) from exc

    warnings: list[str] = []
    for issue in getattr(doc, "issues", []) or []:
        msg = f"line {issue.line_number}: {issue.message}"
        if issue.severity == "error" and issue.code != "empty-document":
            problems.append(msg + " (close it, or everything after it is lost)")
        else:
            warnings.append(msg)

    title = None
    meta = getattr(doc, "metadata", None) or {}
    if isinstance(meta.get("title"), str):
        title = _clean(meta["title"]) or None
    return _assemble(doc.elements, name, title, cues, problems, warnings, dual_lines,
                     "a character's name in capitals on its own line, then their words on "
                     "the next (see https://fountain.io/syntax)")


def _assemble(items, name, title, cues, problems, warnings, dual_lines,
              dialogue_hint) -> Screenplay:
    """Our screenplay from parser elements (fountain-py's, or :func:`parse_fdx`'s)."""
    table = cue_table(cues)
    elements: list[Element] = []
    for e in _walk(items, table, warnings):
        if e.kind == SPEECH and e.block_line in dual_lines:
            e = replace(e, dual=True)
        last = elements[-1] if elements else None
        if (last is not None and e.kind == SPEECH and last.kind == SPEECH
                and (last.block, last.piece) == (e.block, e.piece)):
            elements[-1] = replace(last, text=f"{last.text} {e.text}")  # one more line of it
        else:
            elements.append(e)
    if not problems and not any(e.kind == SPEECH for e in elements):
        problems.append(f"no dialogue found: {dialogue_hint}")
    if problems:
        _fail(name, problems)
    return Screenplay(name, title, tuple(elements), tuple(warnings))


def _caret_cue(line: str) -> str | None:
    """``BRICK ^`` -> ``BRICK`` (a character cue with the dual-dialogue caret), else
    ``None``. Plain string tests, no regex: linear on hostile lines."""
    text = line.strip()
    if not text.endswith("^"):
        return None
    cue = text[:-1].rstrip()
    if not cue:
        return None
    if cue.startswith("@"):
        return cue
    has_upper = any(ch.isupper() for ch in cue)
    return cue if has_upper and not any(ch.islower() for ch in cue) else None


def _take_carets(text: str) -> tuple[str, set[int]]:
    """The text with the dual-dialogue ``^`` taken off character cues, and their line
    numbers. fountain-py pairs dual dialogue itself, but when two cues both carry a caret
    it pairs the second with a speech further back and drops everything in between
    (fountain-py 0.3.0); for an acting script dual dialogue is only a flag (the two
    speeches stay in order), so we read the carets ourselves."""
    lines = text.split("\n")
    found: set[int] = set()
    for i, line in enumerate(lines):
        cue = _caret_cue(line)
        if cue is None:
            continue
        blank_before = i == 0 or not lines[i - 1].strip()
        text_after = i + 1 < len(lines) and bool(lines[i + 1].strip())
        if blank_before and text_after:
            lines[i] = cue
            found.add(i + 1)
    return "\n".join(lines), found


def _too_large(name: str) -> ScriptError:
    return ScriptError(f"{name} is over {MAX_BYTES // 1_000_000} MB: too large to be a screenplay.")


def _fail(name: str, problems: list[str]) -> None:
    problems.sort(key=lambda p: int(m.group(1)) if (m := re.match(r"line (\d+):", p)) else 0)
    count = f"{len(problems)} problems" if len(problems) > 1 else "1 problem"
    raise ScriptError(
        f"{name} cannot be imported ({count}; first: {problems[0]}).", problems=problems
    )


def _walk(items, table, warnings: list[str], blocks=None):
    """Our elements from fountain-py's, in order."""
    blocks = blocks if blocks is not None else [0, 0]
    cue_line = 0
    speaker: str | None = None
    cue: str | None = None
    targets: tuple[str, ...] = ()
    dual = False
    for el in items:
        kind = el.type.value
        if kind == "dual_dialogue":
            meta = el.metadata
            for side in ("left", "right"):
                char = meta.get(f"{side}_character")
                if char is None:
                    continue
                yield from _walk([char, *meta.get(f"{side}_dialogue", [])], table, warnings,
                                 blocks)
            speaker = None
            continue
        if kind == "character":
            speaker = normalize_name(el.text or "")
            cue, targets = None, ()
            blocks[0] += 1
            cue_line = el.line_number
            dual = bool(el.metadata.get("dual_dialogue"))
            if not speaker:
                warnings.append(f"line {el.line_number}: a character cue with no name")
                speaker = None
            continue
        if kind == "parenthetical" and speaker is not None:
            blocks[1] += 1
            found = cue_emotions(el.text, table)
            if found:
                cue, targets = el.text.strip(), found
            continue
        if kind in ("dialogue", "lyrics") and speaker is not None:
            words = _clean(el.text or "")
            if words:
                yield Element(SPEECH, words, el.line_number, speaker, cue, targets, dual,
                              blocks[0], cue_line, blocks[1])
            continue
        speaker = None
        if kind in ("scene_heading", "action", "centered", "transition", "lyrics"):
            words = _clean(el.text or "")
            if words:
                yield Element(DIRECTION, words, el.line_number)
        # notes, boneyard, sections, synopses, page breaks: not part of the scene


# --- reading Final Draft (.fdx) ------------------------------------------------------------

@dataclass
class _Kind:
    value: str


@dataclass
class _Item:
    """An element in fountain-py's shape (``type.value``, ``text``, ``line_number``,
    ``metadata``), so :func:`_walk` reads both formats."""

    type: _Kind
    text: str
    line_number: int
    metadata: dict


_FDX_KINDS = {
    "scene heading": "scene_heading", "action": "action", "character": "character",
    "parenthetical": "parenthetical", "dialogue": "dialogue", "transition": "transition",
    "shot": "action", "general": "action", "lyrics": "lyrics", "cast list": None,
    "new act": None, "end of act": None, "outline": None,
}


class _Refused(Exception):
    pass


def parse_fdx(data: bytes, *, name: str = "screenplay.fdx",
              cues: dict[str, str | None] | None = None) -> Screenplay:
    """Read a Final Draft ``.fdx`` file (XML): the ``Paragraph`` elements of its
    ``Content``, each by its ``Type``; ``DualDialogue`` groups are read in order and
    flagged. Document type declarations (and so entities) are refused, as are files over
    :data:`MAX_BYTES`; XML errors are reported with their line."""
    import xml.parsers.expat

    if len(data) > MAX_BYTES:
        raise _too_large(name)
    items: list[_Item] = []
    dual_lines: set[int] = set()
    stack: list[str] = []
    state = {"para": None, "text": [], "dual": 0, "title_page": 0}
    parser = xml.parsers.expat.ParserCreate()

    def refuse(*_args):
        raise _Refused("it declares a document type or entities, which .fdx files never do")

    def start(tag, attrs):
        stack.append(tag)
        if tag == "TitlePage":
            state["title_page"] += 1
        elif tag == "DualDialogue":
            state["dual"] += 1
        elif tag == "Paragraph" and "Content" in stack and not state["title_page"]:
            kind = str(attrs.get("Type", "Action")).strip().lower()
            state["para"] = (kind, parser.CurrentLineNumber)
            state["text"] = []

    def end(tag):
        stack.pop()
        if tag == "TitlePage":
            state["title_page"] -= 1
        elif tag == "DualDialogue":
            state["dual"] -= 1
        elif tag == "Paragraph" and state["para"] is not None:
            kind, line = state["para"]
            state["para"] = None
            ours = _FDX_KINDS.get(kind, "action")
            text = "".join(state["text"]).strip()
            if ours is None or not text:
                return
            if ours == "character" and state["dual"]:
                dual_lines.add(line)
            items.append(_Item(_Kind(ours), text, line, {}))

    def chars(data_):
        if state["para"] is not None and stack and stack[-1] == "Text":
            state["text"].append(data_)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        _fail(name, [f"line {exc.lineno}: not well-formed XML "
                     f"({xml.parsers.expat.ErrorString(exc.code)}, column {exc.offset + 1})"])
    except _Refused as exc:
        _fail(name, [f"line {parser.CurrentLineNumber}: {exc}"])
    problems: list[str] = []
    for item in items:
        m = _CONTROL.search(item.text)
        if m:
            problems.append(f"line {item.line_number}: control character U+{ord(m.group()):04X}")
    if not items and not problems:
        problems.append("no paragraphs found: is this a Final Draft .fdx screenplay?")
    return _assemble(items, name, None, cues, problems, [], dual_lines,
                     "no Character paragraph followed by Dialogue")


# --- writing the acting script ----------------------------------------------------------

@dataclass(frozen=True)
class Unlabelled:
    """One of the actor's lines with no cue: where it is in the script written and in the
    screenplay."""

    script_line: int
    screenplay_line: int
    text: str


def to_script_text(
    play: Screenplay, character: str, *, directions: bool = True
) -> tuple[str, list[Unlabelled]]:
    """The acting script for ``character`` (see the module docstring) and the actor's
    lines that got no target."""
    who = play.find_character(character)
    chars = play.characters()
    partners = [n for n, _ in chars if n != who]
    shown = {n.upper(): n for n, _ in chars}  # one partner, one name: as first written
    key = who.upper()
    title = f'"{play.title}"' if play.title else play.source
    head = [
        f"# {_clean(title)}, imported from {_clean(play.source)}: you play {who}"
        + (f"; your scene partner{'s' if len(partners) > 1 else ''}: {', '.join(partners)}."
           if partners else "."),
        "# Your lines: EMOTION text (from the parentheticals); '-' marks a line with no cue:",
        "# give it an emotion to have it scored. @NAME: lines are your partner's (spoken,",
        "# not scored); [ ] lines are stage directions. Check it: acting-mirror script check",
        "",
        f"role: {who}",
    ]
    out = list(head)
    unlabelled: list[Unlabelled] = []
    width = max([len("|".join(e.targets)) for e in play.elements
                 if e.kind == SPEECH and e.character.upper() == key] + [1])
    last_partner_block = None
    for e in play.elements:
        if e.kind == DIRECTION:
            if directions:
                out.append(f"[{e.text}]")
            last_partner_block = None
            continue
        if e.character.upper() != key:  # type: ignore[union-attr]
            if e.block == last_partner_block:  # one speech, one partner line
                out[-1] += f" {e.text}"
            else:
                out.append(f"@{shown[e.character.upper()]}: {e.text}")  # type: ignore[union-attr]
            last_partner_block = e.block
            continue
        last_partner_block = None
        label = "|".join(e.targets) or "-"
        out.append(f"{label:<{width}}  {e.text}")
        if not e.targets:
            unlabelled.append(Unlabelled(len(out), e.line, e.text))
    return "\n".join(out) + "\n", unlabelled


def load_screenplay(path: Path | str, *, cues: dict[str, str | None] | None = None) -> Screenplay:
    """The Fountain (``.fountain``, or any text) or Final Draft (``.fdx``) screenplay at
    ``path``; ScriptError with one sentence (and the problems by line) otherwise."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ScriptError(f"Cannot read the screenplay {path}: {exc.strerror or exc}.") from exc
    if path.suffix.lower() == ".fdx":
        return parse_fdx(data, name=path.name, cues=cues)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScriptError(
            f"{path} is not a UTF-8 text file ({exc.reason} at byte {exc.start}).") from exc
    return parse_fountain(text, name=path.name, cues=cues)


__all__ = [
    "EMOTIONS", "Element", "Screenplay", "Unlabelled", "load_screenplay", "normalize_name",
    "parse_cue_file", "parse_fountain", "to_script_text",
]
