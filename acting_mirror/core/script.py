"""Acting scripts: the lines an actor rehearses, each with the emotion(s) it should show.

Two forms, one cue per line; a script is entirely one or the other.

Timed (scored against the clock, e.g. for a recorded take)::

    # START[-END] EMOTION[|EMOTION...] [text of the line]
    0:00-0:02.5 happy       What a view!
    0:03        surprise    Wait, is that...
    0:06-0:09   sad|fear    ...the last shuttle home?

Times are seconds (``12``, ``12.5``) or minutes:seconds (``0:12``, ``01:02.5``; also
``h:mm:ss``), measured from the start of the take. A line without an END lasts until the
next line starts; the last line needs an END. Lines must not overlap and must start in
increasing order; gaps between lines are fine (they are not scored).

Untimed (teleprompter: the actor moves to the next line with a key press)::

    EMOTION[|EMOTION...] text of the line

Emotions are the seven labels (angry, disgust, fear, happy, sad, surprise, neutral) or a
common synonym (joy, scared, shocked, calm, ...), case-insensitively; ``happy|surprise``
means either counts as on target.

Scene lines (all optional; old scripts read unchanged). In either form, where the
emotion would go:

- ``-`` marks one of your lines with no target: shown, not scored
  (``0:04-0:06 - Well.`` or ``- Well.``);
- ``@NAME: text`` is a scene partner's line, spoken by NAME (up to the first ``:``): shown
  (and spoken by the partner voice), never scored (``0:06-0:08 @MAYA: You kept it.``);
- ``[text]`` is a stage direction: shown, never scored (``[She turns away]``).

A line ``role: NAME`` (once, anywhere, no times) names the character the actor plays,
the ``speaker`` of the actor's own lines (e.g. ``role: NORA`` in an imported scene).

In a timed script every line, these included, has its times, as before. ``-`` after a
start time reads as a range when a number follows it (``0:04 - 5 apples`` is 0:04-0:05),
so write the end time there (``0:04-0:06 - 5 apples``); :func:`format_script` always does.

Comments: a line whose first non-blank character is ``#`` is ignored, and so is anything
from a ``#`` that has white space before it and white space (or the end of the line)
after it, e.g. ``0:03 sad Goodbye  # slow down here``. A ``#`` inside a word (``#1``) is
text. Blank lines are ignored. Line numbers in problems count every line of the file.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from pathlib import Path

from acting_mirror.core.emotions import parse_emotion, suggest_emotion
from acting_mirror.core.types import EMOTIONS
from acting_mirror.errors import ScriptError

MAX_TIME_MS = 24 * 3600 * 1000
"""Times beyond a day are treated as typos."""


ACTOR = "actor"
PARTNER = "partner"
DIRECTION = "direction"
KINDS = (ACTOR, PARTNER, DIRECTION)
"""What a script line is: one of the actor's own lines, a scene partner's line, or a
stage direction."""

NO_TARGET = "-"
"""Written in place of the emotion: one of the actor's lines with no target."""


@dataclass(frozen=True)
class Cue:
    """One line of a script. ``index`` is its 0-based position; ``line`` the 1-based line
    number in the source text (0 when built in code). Untimed cues have no times.

    ``kind`` is :data:`ACTOR` (the actor's line; scored when it has targets),
    :data:`PARTNER` (spoken by ``speaker``, never scored) or :data:`DIRECTION` (a stage
    direction, never scored)."""

    index: int
    start_ms: int | None
    end_ms: int | None
    targets: tuple[str, ...]
    text: str = ""
    line: int = 0
    kind: str = ACTOR
    speaker: str | None = None

    @property
    def partner(self) -> bool:
        return self.kind == PARTNER

    @property
    def direction(self) -> bool:
        return self.kind == DIRECTION

    @property
    def scored(self) -> bool:
        """Whether a take is scored on this line: the actor's lines that have targets."""
        return self.kind == ACTOR and bool(self.targets)

    def to_dict(self) -> dict:
        """The line as ``script show --json`` prints it."""
        return {
            "index": self.index, "kind": self.kind, "speaker": self.speaker,
            "partner": self.partner, "targets": list(self.targets), "scored": self.scored,
            "text": self.text, "start_ms": self.start_ms, "end_ms": self.end_ms,
            "line": self.line,
        }

    @property
    def timed(self) -> bool:
        return self.start_ms is not None and self.end_ms is not None

    @property
    def duration_ms(self) -> int | None:
        if self.start_ms is None or self.end_ms is None:
            return None
        return self.end_ms - self.start_ms

    def contains(self, time_ms: float) -> bool:
        """Whether ``time_ms`` lies in this cue's half-open span ``[start, end)``."""
        return self.timed and self.start_ms <= time_ms < self.end_ms  # type: ignore[operator]

    @property
    def target_label(self) -> str:
        """The targets as written in a script: ``happy|surprise`` ("" when none)."""
        return "|".join(self.targets)

    @property
    def written(self) -> str:
        """The line as written after its times: ``happy Hi``, ``- Hi``, ``@MAYA: Hi``,
        ``[She turns]``."""
        if self.kind == DIRECTION:
            return f"[{self.text}]"
        if self.kind == PARTNER:
            return f"@{self.speaker}: {self.text}".rstrip()
        head = self.target_label or NO_TARGET
        return f"{head} {self.text}".rstrip()


@dataclass(frozen=True)
class Script:
    """Cues in order. ``timed`` tells which form it was written in; ``source`` names it."""

    cues: tuple[Cue, ...]
    timed: bool
    source: str | None = None
    role: str | None = None  # the character the actor plays (``role: NAME``), if named

    def __len__(self) -> int:
        return len(self.cues)

    @property
    def scored_cues(self) -> tuple[Cue, ...]:
        """The lines a take is scored on (the actor's lines with targets)."""
        return tuple(c for c in self.cues if c.scored)

    @property
    def partners(self) -> tuple[str, ...]:
        """The scene partners' names, in order of first line."""
        names: list[str] = []
        for c in self.cues:
            if c.partner and c.speaker not in names:
                names.append(c.speaker)  # type: ignore[arg-type]
        return tuple(names)

    def to_dict(self) -> dict:
        """The parsed script as ``script show --json`` prints it."""
        lines = []
        for c in self.cues:
            d = c.to_dict()
            if c.kind == ACTOR and d["speaker"] is None:
                d["speaker"] = self.role
            lines.append(d)
        return {"source": self.source, "timed": self.timed, "role": self.role, "lines": lines}

    @property
    def has_times(self) -> bool:
        """Every cue has a start and an end (timed scripts, or untimed ones after a take)."""
        return bool(self.cues) and all(c.timed for c in self.cues)

    @property
    def duration_ms(self) -> int | None:
        """From time 0 to the end of the last cue; ``None`` without times."""
        if not self.has_times:
            return None
        return self.cues[-1].end_ms

    def cue_at(self, time_ms: float) -> Cue | None:
        """The cue whose span holds ``time_ms``; ``None`` before, between or after cues."""
        if not self.has_times:
            return None
        starts = [c.start_ms for c in self.cues]
        i = bisect.bisect_right(starts, time_ms) - 1
        if i >= 0 and self.cues[i].contains(time_ms):
            return self.cues[i]
        return None

    def next_cue_after(self, time_ms: float) -> Cue | None:
        """The first cue starting after ``time_ms``."""
        if not self.has_times:
            return None
        starts = [c.start_ms for c in self.cues]
        i = bisect.bisect_right(starts, time_ms)
        return self.cues[i] if i < len(self.cues) else None

    def with_times(self, spans: list[tuple[int, int]] | tuple[tuple[int, int], ...]) -> "Script":
        """This script with each cue's ``(start_ms, end_ms)`` filled in, e.g. the times a
        teleprompter take actually showed each line. Keeps ``timed`` as written."""
        if len(spans) != len(self.cues):
            raise ValueError(f"need {len(self.cues)} spans, got {len(spans)}")
        cues = tuple(
            replace(c, start_ms=int(s), end_ms=int(e)) for c, (s, e) in zip(self.cues, spans)
        )
        return replace(self, cues=cues)


def format_time(ms: int) -> str:
    """``mm:ss`` (``mm:ss.s`` when needed; ``h:mm:ss`` past an hour) for messages."""
    ms = int(ms)
    sign = "-" if ms < 0 else ""
    ms = abs(ms)
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, frac = divmod(rem, 1000)
    frac_txt = f".{frac:03d}".rstrip("0") if frac else ""
    if h:
        return f"{sign}{h}:{m:02d}:{s:02d}{frac_txt}"
    return f"{sign}{m:02d}:{s:02d}{frac_txt}"


def format_span(cue: Cue) -> str:
    if not cue.timed:
        return "untimed"
    return f"{format_time(cue.start_ms)}-{format_time(cue.end_ms)}"  # type: ignore[arg-type]


def format_script(script: Script) -> str:
    """The script as text in its own form that :func:`parse_script` reads back; cues that
    have times are written timed (so a teleprompter take can be saved with its times)."""
    out = [f"role: {script.role}"] if script.role else []
    for c in script.cues:
        head = format_span(c) if c.timed else ""
        if c.kind == ACTOR and c.targets:  # exactly as before for the actor's lines
            parts = [p for p in (head, c.target_label, c.text) if p]
        else:
            parts = [p for p in (head, c.written) if p]
        out.append(" ".join(parts))
    return "\n".join(out) + "\n"


# --- parsing -------------------------------------------------------------------------

_TIME = r"[0-9][0-9:.]*"
_TIMED_HEAD = re.compile(
    rf"^(?P<start>{_TIME})(?:\s*-\s*(?P<end>{_TIME}))?(?=\s|$)\s*(?P<rest>.*)$", re.S
)
_EMOTIONS_AND_TEXT = re.compile(
    r"^(?P<emo>[^\s|]*(?:\s*\|\s*[^\s|]*)*)(?:\s+(?P<text>.*))?$", re.S
)
_TRAILING_COMMENT = re.compile(r"\s#(?=\s|$)")
_SECONDS = re.compile(r"^([0-9]{1,7})(?:\.([0-9]{1,9}))?$")
_WHOLE = re.compile(r"^[0-9]{1,7}$")


def parse_time(token: str) -> int:
    """Milliseconds from ``12``, ``12.5``, ``0:12``, ``01:02.5`` or ``1:02:03``;
    ``ValueError`` otherwise."""
    parts = token.split(":")
    if len(parts) > 3:
        raise ValueError(token)
    m = _SECONDS.match(parts[-1])
    if m is None or not all(_WHOLE.match(p) for p in parts[:-1]):
        raise ValueError(token)
    seconds, frac = int(m.group(1)), m.group(2) or ""
    if len(parts) > 1 and seconds >= 60:
        raise ValueError(token)
    if len(parts) == 3 and int(parts[1]) >= 60:
        raise ValueError(token)
    whole = seconds
    for i, p in enumerate(reversed(parts[:-1])):
        whole += int(p) * (60 if i == 0 else 3600)
    ms = whole * 1000 + round(int((frac + "000")[:4]) / 10) if frac else whole * 1000
    if ms > MAX_TIME_MS:
        raise ValueError(token)
    return ms


@dataclass
class _Entry:
    lineno: int
    timed: bool
    start: int | None = None
    end: int | None = None
    targets: tuple[str, ...] = ()
    text: str = ""
    ok: bool = True  # times readable
    kind: str = ACTOR
    speaker: str | None = None


def _strip_comment(line: str) -> str:
    if line.lstrip().startswith("#"):
        return ""
    m = _TRAILING_COMMENT.search(line)
    return line[: m.start()] if m else line


def _parse_targets(emo: str, lineno: int, problems: list[str]) -> tuple[str, ...]:
    targets: list[str] = []
    reported_empty = False
    for raw in emo.split("|"):
        name = raw.strip()
        if not name:
            if reported_empty:
                continue
            reported_empty = True
            problems.append(
                f"line {lineno}: empty emotion in {emo.strip()!r} "
                "(write e.g. happy or happy|surprise)"
            )
            continue
        try:
            label = parse_emotion(name)
        except ValueError:
            if any(sep in name for sep in ",/;+"):
                hint = "separate several emotions with |, e.g. happy|surprise"
            else:
                guess = suggest_emotion(name)
                hint = f"did you mean {guess}?" if guess else f"use one of: {', '.join(EMOTIONS)}"
            problems.append(f"line {lineno}: unknown emotion {name!r} ({hint})")
            continue
        if label not in targets:
            targets.append(label)
    return tuple(targets)


def _parse_line(line: str, lineno: int, problems: list[str]) -> _Entry:
    if line[0] in "0123456789":
        entry = _Entry(lineno, timed=True)
        head = _TIMED_HEAD.match(line)
        if head is None:
            problems.append(
                f"line {lineno}: cannot read the times in {line.split()[0]!r} "
                "(write START[-END] EMOTION text, e.g. 0:05-0:09 happy Hello!)"
            )
            entry.ok = False
            return entry
        for key in ("start", "end"):
            token = head.group(key)
            if token is None:
                continue
            try:
                setattr(entry, key, parse_time(token))
            except ValueError:
                problems.append(
                    f"line {lineno}: cannot read the {key} time {token!r} "
                    "(use seconds like 12.5 or minutes:seconds like 01:02.5)"
                )
                entry.ok = False
        rest = head.group("rest").strip()
        if not rest:
            problems.append(
                f"line {lineno}: no emotion after the time (write e.g. 0:05-0:09 happy Hello!)"
            )
            return entry
    else:
        entry = _Entry(lineno, timed=False)
        rest = line
    if _parse_scene_line(rest, entry, problems):
        return entry
    m = _EMOTIONS_AND_TEXT.match(rest)
    assert m is not None  # the pattern accepts any text
    entry.targets = _parse_targets(m.group("emo"), lineno, problems)
    entry.text = (m.group("text") or "").strip()
    return entry


_PARTNER = re.compile(r"^@(?P<name>[^:]*)(?::(?P<text>.*))?$", re.S)
_ROLE = re.compile(r"^role\s*:(.*)$", re.I | re.S)


def _parse_scene_line(rest: str, entry: _Entry, problems: list[str]) -> bool:
    """Read ``rest`` into ``entry`` when it is a partner line, a stage direction or an
    untargeted line; ``False`` for an ordinary ``EMOTION text`` line."""
    lineno = entry.lineno
    if rest.startswith("["):
        entry.kind = DIRECTION
        if not rest.endswith("]") or len(rest) < 2:
            problems.append(
                f"line {lineno}: a stage direction starts with [ and ends with ] "
                "(e.g. [She turns away])"
            )
            return True
        entry.text = rest[1:-1].strip()
        if not entry.text:
            problems.append(f"line {lineno}: empty stage direction []")
        return True
    if rest.startswith("@"):
        entry.kind = PARTNER
        m = _PARTNER.match(rest)
        assert m is not None  # the pattern accepts any text after @
        name = " ".join(m.group("name").split())
        if m.group("text") is None:
            problems.append(
                f"line {lineno}: write a partner's line as @NAME: text "
                "(e.g. @MAYA: You kept it.); the : after the name is missing"
            )
            return True
        if not name:
            problems.append(f"line {lineno}: no name after @ (write e.g. @MAYA: You kept it.)")
        entry.speaker = name or None
        entry.text = m.group("text").strip()
        if not entry.text:
            problems.append(f"line {lineno}: {name or 'the partner'}'s line has no text")
        return True
    words = rest.split(None, 1)
    if words and words[0] == NO_TARGET:
        entry.text = words[1].strip() if len(words) > 1 else ""
        return True
    return False


def _check_times(entries: list[_Entry], problems: list[str]) -> None:
    prev: _Entry | None = None
    for e in entries:
        if e.start is None:
            continue
        if e.end is not None and e.end <= e.start:
            if e.end == e.start:
                problems.append(f"line {e.lineno}: end {format_time(e.end)} is the same as its start")
            else:
                problems.append(
                    f"line {e.lineno}: end {format_time(e.end)} is before start {format_time(e.start)}"
                )
        if prev is not None:
            assert prev.start is not None
            if e.start < prev.start:
                problems.append(
                    f"line {e.lineno}: starts at {format_time(e.start)}, before line {prev.lineno} "
                    f"({format_time(prev.start)}); times must increase"
                )
            elif e.start == prev.start:
                problems.append(
                    f"line {e.lineno}: starts at the same time as line {prev.lineno} "
                    f"({format_time(e.start)})"
                )
            elif prev.end is not None and e.start < prev.end:
                problems.append(
                    f"line {e.lineno}: overlaps line {prev.lineno} "
                    f"({format_time(prev.start)}-{format_time(prev.end)})"
                )
        prev = e
    last = entries[-1]
    if last.ok and last.end is None:
        problems.append(
            f"line {last.lineno}: the last timed line needs an end time (e.g. 0:12-0:15 happy ...)"
        )


def parse_script(text: str, *, name: str = "script") -> Script:
    """Read a script (see the module docstring for the format).

    Raises :class:`ScriptError` whose ``problems`` list every problem found, each starting
    with its line number.
    """
    problems: list[str] = []
    entries: list[_Entry] = []
    role: str | None = None
    role_line = 0
    text = text.lstrip("\ufeff")
    for lineno, raw in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        line = _strip_comment(raw).strip()
        if not line:
            continue
        m = _ROLE.match(line)
        if m:
            name_ = " ".join(m.group(1).split())
            if role_line:
                problems.append(f"line {lineno}: a second role: line (line {role_line} "
                                "already names who you play)")
            elif not name_ or ":" in name_:
                problems.append(f"line {lineno}: write the role as role: NAME (e.g. role: NORA)")
            else:
                role, role_line = name_, lineno
            continue
        entries.append(_parse_line(line, lineno, problems))

    if not entries:
        problems.append(
            "the script is empty: write one cue per line, "
            "e.g. '0:00-0:03 happy Hello!' or 'happy Hello!'"
        )
    else:
        timed = entries[0].timed
        first = entries[0].lineno
        for e in entries[1:]:
            if e.timed != timed:
                problems.append(
                    f"line {e.lineno}: "
                    + ("has no time" if timed else "has a time")
                    + f" but line {first} "
                    + ("does" if timed else "does not")
                    + "; a script is either all timed or all untimed (teleprompter)"
                )
        if timed:
            _check_times([e for e in entries if e.timed], problems)

    if problems:
        problems.sort(key=_line_of)
        count = f"{len(problems)} problems" if len(problems) > 1 else "1 problem"
        raise ScriptError(
            f"{name} is not a valid acting script ({count}; first: {problems[0]}).",
            problems=problems,
        )

    timed = entries[0].timed
    cues = []
    for i, e in enumerate(entries):
        end = e.end
        if timed and end is None:
            end = entries[i + 1].start
        cues.append(Cue(i, e.start, end, e.targets, e.text, e.lineno, e.kind, e.speaker))
    return Script(tuple(cues), timed=timed, source=name, role=role)


def _line_of(problem: str) -> int:
    m = re.match(r"line (\d+):", problem)
    return int(m.group(1)) if m else 0


def load_script(path: Path | str) -> Script:
    """Read and parse a script file (UTF-8); :class:`ScriptError` when it cannot be
    read or does not parse."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        msg = f"{path} is not a UTF-8 text file ({exc.reason} at byte {exc.start})."
        raise ScriptError(msg, problems=[msg]) from exc
    except OSError as exc:
        msg = f"Cannot read script {path}: {exc.strerror or exc}."
        raise ScriptError(msg, problems=[msg]) from exc
    return parse_script(text, name=path.name)
