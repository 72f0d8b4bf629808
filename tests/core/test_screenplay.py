"""Fountain screenplays into acting scripts: who speaks, partner flags, targets from the
parentheticals, what is kept as stage directions, and clear problems for bad input."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from acting_mirror.config import assets_dir
from acting_mirror.core.emotions import cue_emotions, cue_table
from acting_mirror.core.screenplay import (
    DIRECTION, SPEECH, parse_cue_file, parse_fountain, to_script_text,
)
from acting_mirror.core.script import parse_script
from acting_mirror.errors import ScriptError

THREE = """\
Title: Retirement
Author: Nobody
Draft date: 1 Dec 2026

INT. POLICE STATION - DAY

BRICK sits. STEEL paces. The CHIEF (60s) watches.

STEEL
(furious)
You signed the papers?

BRICK (V.O.)
I had no choice.

/* CHIEF
This speech was cut.
(angrily)
Out! */

STEEL (CONT'D)
(fighting tears)
Twenty years.
(beat)
Twenty years, partner.
(laughing)
And you never told me.

[[note to self: slow this down]]

@McCHIEF
Enough.

BRICK ^
(flatly)
Screw retirement.

STEEL ^
(shocked)
Screw retirement!

> THE END? <

CUT TO:

# Act Two

= They make up.

===

.FLASHBACK

!BRICK LAUGHS.

BRICK
~Happy birthday to you
~Happy birthday

STEEL
(to the Chief)
Don't.
"""


def play(text=THREE, name="three.fountain", **kw):
    return parse_fountain(text, name=name, **kw)


def script_for(text, character, **kw):
    out, unlabelled = to_script_text(play(text), character, **kw)
    return parse_script(out), unlabelled, out


def test_three_characters_are_listed_with_their_lines_most_first():
    p = play()
    assert p.title == "Retirement"
    assert p.characters() == [("STEEL", 6), ("BRICK", 3), ("McCHIEF", 1)]


def test_speeches_carry_speaker_line_and_the_parenthetical_in_force():
    speeches = [e for e in play().elements if e.kind == SPEECH]
    assert [(e.character, e.text, e.targets, e.line) for e in speeches] == [
        ("STEEL", "You signed the papers?", ("angry",), 11),
        ("BRICK", "I had no choice.", (), 14),
        ("STEEL", "Twenty years.", ("sad",), 23),
        ("STEEL", "Twenty years, partner.", ("sad",), 25),  # (beat) keeps the cue
        ("STEEL", "And you never told me.", ("happy",), 27),
        ("McCHIEF", "Enough.", (), 32),
        ("BRICK", "Screw retirement.", ("neutral",), 36),
        ("STEEL", "Screw retirement!", ("surprise",), 40),
        ("BRICK", "Happy birthday to you Happy birthday", (), 57),
        ("STEEL", "Don't.", (), 62),  # a new speech does not inherit the last cue
    ]
    assert [e.dual for e in speeches] == [False] * 6 + [True, True] + [False] * 2


def test_the_scene_as_steel():
    s, unlabelled, text = script_for(THREE, "steel")
    assert [(c.kind, c.speaker, c.targets, c.text) for c in s.cues] == [
        ("direction", None, (), "INT. POLICE STATION - DAY"),
        ("direction", None, (), "BRICK sits. STEEL paces. The CHIEF (60s) watches."),
        ("actor", None, ("angry",), "You signed the papers?"),
        ("partner", "BRICK", (), "I had no choice."),
        ("actor", None, ("sad",), "Twenty years."),
        ("actor", None, ("sad",), "Twenty years, partner."),
        ("actor", None, ("happy",), "And you never told me."),
        ("partner", "McCHIEF", (), "Enough."),
        ("partner", "BRICK", (), "Screw retirement."),
        ("actor", None, ("surprise",), "Screw retirement!"),
        ("direction", None, (), "THE END?"),
        ("direction", None, (), "CUT TO:"),
        ("direction", None, (), "FLASHBACK"),
        ("direction", None, (), "BRICK LAUGHS."),
        ("partner", "BRICK", (), "Happy birthday to you Happy birthday"),
        ("actor", None, (), "Don't."),
    ]
    # title page, boneyard, note, section, synopsis and page break are gone
    for gone in ("Nobody", "was cut", "Out!", "slow this down", "Act Two", "make up", "==="):
        assert gone not in text
    assert [(u.script_line, u.screenplay_line, u.text) for u in unlabelled] == [
        (len(text.splitlines()), 62, "Don't."),
    ]
    assert text.splitlines()[-1].split() == ["-", "Don't."]
    assert s.partners == ("BRICK", "McCHIEF")


def test_a_partners_speech_split_by_parentheticals_is_one_partner_line():
    s, unlabelled, _ = script_for(THREE, "brick")
    steel = [c.text for c in s.cues if c.partner and c.speaker == "STEEL"]
    assert steel[1] == "Twenty years. Twenty years, partner. And you never told me."
    assert [u.text for u in unlabelled] == [
        "I had no choice.", "Happy birthday to you Happy birthday",
    ]


def test_directions_can_be_left_out():
    s, _, _ = script_for(THREE, "STEEL", directions=False)
    assert not any(c.direction for c in s.cues) and len(s) == 10


def test_an_unknown_character_names_the_ones_there_are():
    with pytest.raises(ScriptError) as err:
        to_script_text(play(), "ROBIN")
    assert "no character 'ROBIN'" in str(err.value)
    assert "STEEL (6), BRICK (3), McCHIEF (1)" in str(err.value)


def test_the_bundled_two_character_scene_imports_to_the_bundled_script():
    src = assets_dir() / "example_scene.fountain"
    p = parse_fountain(src.read_text(encoding="utf-8"), name=src.name)
    assert p.characters() == [("NORA", 6), ("THEO", 5)]
    text, unlabelled = to_script_text(p, "Nora")
    assert text == (assets_dir() / "example_scene.txt").read_text(encoding="utf-8")
    s = parse_script(text)
    assert [c.target_label for c in s.scored_cues] == ["neutral", "happy", "sad", "angry", "fear"]
    assert s.partners == ("THEO",) and len(unlabelled) == 1


def test_windows_line_endings_and_a_bom_read_the_same():
    crlf = "\ufeff" + THREE.replace("\n", "\r\n")
    assert play(crlf).elements == play().elements


def test_a_lone_hash_in_dialogue_does_not_become_a_comment():
    s, _, _ = script_for("MAYA\n(happily)\nWe're # 1!\n", "MAYA")
    assert s.cues[0].text.startswith("We're") and s.cues[0].text.endswith("1!")


# --- cues ----------------------------------------------------------------------------

@pytest.mark.parametrize("wryly, targets", [
    ("(angrily)", ("angry",)), ("(fighting tears)", ("sad",)), ("(laughing)", ("happy",)),
    ("(flatly)", ("neutral",)), ("(beat)", ()), ("(to Ben)", ()), ("(sitting down)", ()),
    ("(not angry)", ()), ("(laughing, then in tears)", ("happy", "sad")),
    ("(trying not to cry)", ("sad",)), ("(Scared)", ("fear",)), ("(with disgust)", ("disgust",)),
    ("(taken aback)", ("surprise",)), ("(joy)", ("happy",)),
])
def test_parentheticals_cue_emotions(wryly, targets):
    assert cue_emotions(wryly) == targets


def test_a_users_cue_table_adds_and_removes_phrases():
    extra = parse_cue_file("# mine\nwith a sigh = sad\nlaughing = -\n\n  wry = happy  # a comment\n")
    assert extra == {"with a sigh": "sad", "laughing": None, "wry": "happy"}
    table = cue_table(extra)
    assert cue_emotions("(with a sigh)", table) == ("sad",)
    assert cue_emotions("(laughing)", table) == ()
    p = play("MAYA\n(with a sigh)\nFine.\n", cues=extra)
    assert p.elements[0].targets == ("sad",)


def test_a_bad_cue_table_lists_its_problems_by_line():
    with pytest.raises(ScriptError) as err:
        parse_cue_file("ok = happy\nno equals sign\nwry = hapy\n= sad\n")
    assert [p.split(":")[0] for p in err.value.problems] == ["line 2", "line 3", "line 4"]
    assert "did you mean happy?" in err.value.problems[1]


# --- bad and hostile input -----------------------------------------------------------

@pytest.mark.parametrize("text, first", [
    ("MAYA\nHi\x00 there\n", "line 2: control character U+0000"),
    ("INT. HOUSE\n\n/* cut\n\nMAYA\nHi\n", "line 3: Boneyard comment opened with '/*' but never closed"),
    ("INT. HOUSE\n\n[[ a note\n\nMAYA\nHi\n", "line 3: Note opened with '[[' but never closed"),
    ("INT. HOUSE\n\nJust action here.\n", "no dialogue found"),
    ("", "no dialogue found"),
])
def test_malformed_screenplays_get_line_numbered_problems(text, first):
    with pytest.raises(ScriptError) as err:
        play(text)
    assert err.value.problems[0].startswith(first)
    assert str(err.value).startswith("three.fountain cannot be imported")


@pytest.mark.parametrize("line, first", [
    ("/*" * 2000, "line 2: 3999 note or boneyard brackets"),  # fountain-py recursed per marker
    ("[" * 61, "line 2: 61 note or boneyard brackets"),
    ("x" * 5001, "line 2: 5,001 characters on one line"),
])
def test_hostile_lines_are_refused_by_line_before_parsing(line, first):
    with pytest.raises(ScriptError) as err:
        play(f"MAYA\n{line}\n")
    assert err.value.problems[0].startswith(first)


def test_long_runs_of_spaces_read_as_one():
    p = play("\nMAYA" + " " * 4000 + "(V.O.)\n(angrily)\nNo" + " " * 4000 + "way.\n" + " " * 4000 + "\n")
    assert [(e.character, e.text, e.targets) for e in p.elements] == [("MAYA", "No way.", ("angry",))]


def test_a_character_cue_with_no_dialogue_is_a_warning_not_a_failure():
    p = play("MAYA\n(angrily)\n\nBEN\nHi.\n")
    assert [e.character for e in p.elements if e.kind == SPEECH] == ["BEN"]


def test_a_huge_file_is_refused_before_parsing():
    with pytest.raises(ScriptError, match="too large"):
        play("MAYA\nHi\n\n" * 250_000)


_FOUNTAINISH = st.lists(
    st.one_of(
        st.sampled_from([
            "MAYA", "BEN ^", "@McX", "BEN (V.O.)", "(angrily)", "(beat)", "Hello there.",
            "INT. HOUSE - DAY", ".FORCED", "!Forced action", "~lyric", "> centered <",
            "CUT TO:", "===", "# Section", "= synopsis", "[[note]]", "[[open", "/*", "*/",
            "Title: X", "", "", "  ", "\t", "a:b", "#", "@", "^", "()", "(", ")",
        ]),
        st.text(max_size=12),
    ),
    max_size=40,
).map("\n".join)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_FOUNTAINISH)
def test_any_text_imports_or_fails_with_line_numbered_problems(text):
    try:
        p = play(text)
    except ScriptError as exc:
        assert exc.problems
        assert all(p.startswith(("line ", "no dialogue", "the Fountain parser")) for p in exc.problems)
        return
    for name, _ in p.characters():
        out, _ = to_script_text(p, name)
        s = parse_script(out)  # whatever came in, the script written reads back
        assert sum(c.kind == "actor" for c in s.cues) == sum(
            e.kind == SPEECH and e.character.upper() == name.upper() for e in p.elements
        )
    assert all(e.kind in (SPEECH, DIRECTION) for e in p.elements)


# --- Final Draft ------------------------------------------------------------------------

from acting_mirror.core.screenplay import parse_fdx  # noqa: E402

FDX = b"""<?xml version="1.0" encoding="UTF-8" standalone="no" ?>
<FinalDraft DocumentType="Script" Template="No" Version="5">
  <Content>
    <Paragraph Type="Scene Heading"><Text>INT. DINER - NIGHT</Text></Paragraph>
    <Paragraph Type="Action"><Text>Rain. </Text><Text Style="Bold">Neon.</Text></Paragraph>
    <Paragraph Type="Character"><Text>JO (V.O.)</Text></Paragraph>
    <Paragraph Type="Parenthetical"><Text>(sadly)</Text></Paragraph>
    <Paragraph Type="Dialogue"><Text>It's closing.</Text></Paragraph>
    <Paragraph>
      <DualDialogue>
        <Paragraph Type="Character"><Text>SAM</Text></Paragraph>
        <Paragraph Type="Dialogue"><Text>No!</Text></Paragraph>
        <Paragraph Type="Character"><Text>JO</Text></Paragraph>
        <Paragraph Type="Parenthetical"><Text>(laughing)</Text></Paragraph>
        <Paragraph Type="Dialogue"><Text>Yes!</Text></Paragraph>
      </DualDialogue>
    </Paragraph>
    <Paragraph Type="Transition"><Text>CUT TO:</Text></Paragraph>
  </Content>
  <TitlePage><Content><Paragraph><Text>Diner</Text></Paragraph></Content></TitlePage>
</FinalDraft>
"""


def test_a_final_draft_file_reads_like_its_fountain():
    p = parse_fdx(FDX, name="diner.fdx")
    assert p.characters() == [("JO", 2), ("SAM", 1)]
    assert [(e.kind, e.character, e.text, e.targets, e.line, e.dual) for e in p.elements] == [
        (DIRECTION, None, "INT. DINER - NIGHT", (), 4, False),
        (DIRECTION, None, "Rain. Neon.", (), 5, False),
        (SPEECH, "JO", "It's closing.", ("sad",), 8, False),
        (SPEECH, "SAM", "No!", (), 12, True),
        (SPEECH, "JO", "Yes!", ("happy",), 15, True),
        (DIRECTION, None, "CUT TO:", (), 18, False),
    ]
    text, unlabelled = to_script_text(p, "sam")
    assert [c.kind for c in parse_script(text).cues] == [
        "direction", "direction", "partner", "actor", "partner", "direction",
    ]
    assert [u.screenplay_line for u in unlabelled] == [12]


@pytest.mark.parametrize("data, first", [
    (b"<FinalDraft><Content><Paragraph Type='Action'><Text>x</Text></Content></FinalDraft>",
     "line 1: not well-formed XML (mismatched tag"),
    (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>\n'
     b"<FinalDraft><Content><Paragraph Type='Action'><Text>&lol2;</Text></Paragraph>"
     b"</Content></FinalDraft>", "line 2: it declares a document type"),
    (b"\xff\xfe<junk", "line 1: not well-formed XML"),
    (b"<FinalDraft><Content/></FinalDraft>", "no paragraphs found"),
    (b"<FinalDraft><Content><Paragraph Type='Action'><Text>Only action</Text></Paragraph>"
     b"</Content></FinalDraft>", "no dialogue found"),
])
def test_bad_final_draft_files_get_line_numbered_problems(data, first):
    with pytest.raises(ScriptError) as err:
        parse_fdx(data, name="bad.fdx")
    assert err.value.problems[0].startswith(first)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([
    b"<FinalDraft>", b"</FinalDraft>", b"<Content>", b"</Content>", b"<Paragraph Type='Character'>",
    b"<Paragraph Type='Dialogue'>", b"<Paragraph Type='Parenthetical'>", b"<Paragraph>",
    b"</Paragraph>", b"<Text>", b"</Text>", b"MAYA", b"(angrily)", b"Hi &amp; bye", b"&bogus;",
    b"<DualDialogue>", b"</DualDialogue>", b"\n", b"<!DOCTYPE x>", b"\x00", b"]]>", b"<![CDATA[",
]), max_size=40).map(b"".join))
def test_any_bytes_as_fdx_import_or_fail_cleanly(data):
    try:
        p = parse_fdx(data)
    except ScriptError as exc:
        assert exc.problems and all(x.startswith(("line ", "no ")) for x in exc.problems)
        return
    for name, _ in p.characters():
        parse_script(to_script_text(p, name)[0])


def test_without_fountain_py_the_import_names_the_package(monkeypatch):
    import sys

    from acting_mirror.errors import DependencyError

    monkeypatch.setitem(sys.modules, "fountain.parser", None)  # as on Python 3.10
    with pytest.raises(DependencyError, match="pip install fountain-py"):
        play()
    assert parse_fdx(FDX).characters()  # Final Draft files need nothing extra
