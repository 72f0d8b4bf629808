"""Emotion names as people write them: the seven labels, their synonyms, and their
words for hints ("more surprise", "that reads as angry")."""

from __future__ import annotations

import difflib

from acting_mirror.core.types import EMOTIONS

_SYNONYMS: dict[str, str] = {
    # angry
    "anger": "angry", "mad": "angry", "furious": "angry", "fury": "angry", "rage": "angry",
    "annoyed": "angry", "irritated": "angry",
    # disgust
    "disgusted": "disgust", "revulsion": "disgust", "revolted": "disgust", "grossed": "disgust",
    "contempt": "disgust",
    # fear
    "fearful": "fear", "scared": "fear", "afraid": "fear", "fright": "fear",
    "frightened": "fear", "terror": "fear", "terrified": "fear", "anxious": "fear",
    "panic": "fear", "worried": "fear",
    # happy
    "happiness": "happy", "joy": "happy", "joyful": "happy", "glad": "happy", "smile": "happy",
    "smiling": "happy", "delight": "happy", "delighted": "happy", "cheerful": "happy",
    "pleased": "happy",
    # sad
    "sadness": "sad", "unhappy": "sad", "sorrow": "sad", "sorrowful": "sad", "grief": "sad",
    "upset": "sad", "down": "sad", "crying": "sad", "melancholy": "sad",
    # surprise
    "surprised": "surprise", "shock": "surprise", "shocked": "surprise",
    "astonished": "surprise", "astonishment": "surprise", "amazed": "surprise",
    "amazement": "surprise", "startled": "surprise", "wow": "surprise",
    # neutral
    "calm": "neutral", "relaxed": "neutral", "none": "neutral", "blank": "neutral",
    "neutrality": "neutral", "relax": "neutral",
}

_NAMES: dict[str, str] = {e: e for e in EMOTIONS} | _SYNONYMS

NOUNS: dict[str, str] = {
    "angry": "anger", "disgust": "disgust", "fear": "fear", "happy": "joy",
    "sad": "sadness", "surprise": "surprise", "neutral": "calm",
}
"""The noun for each label, as in "more surprise"."""

ADJECTIVES: dict[str, str] = {
    "angry": "angry", "disgust": "disgusted", "fear": "afraid", "happy": "happy",
    "sad": "sad", "surprise": "surprised", "neutral": "neutral",
}
"""The adjective for each label, as in "that reads as angry"."""


def suggest_emotion(name: str) -> str | None:
    """The label ``name`` was probably meant to be (for typos), or ``None``."""
    key = name.strip().lower()
    close = difflib.get_close_matches(key, list(_NAMES), n=1, cutoff=0.7)
    return _NAMES[close[0]] if close else None


def parse_emotion(name: str) -> str:
    """The label (one of :data:`EMOTIONS`) that ``name`` means, case-insensitively.

    Accepts the seven labels and common synonyms ("joy", "scared", "calm"...). Raises
    ``ValueError`` naming the valid labels (and a likely correction) otherwise.
    """
    key = name.strip().lower()
    label = _NAMES.get(key)
    if label is not None:
        return label
    guess = suggest_emotion(key)
    hint = f" (did you mean {guess}?)" if guess else ""
    raise ValueError(
        f"unknown emotion {name!r}{hint}; use one of: {', '.join(EMOTIONS)}"
        " (or a synonym such as joy, scared, shocked, calm)"
    )


# --- cues in screenplays: parentheticals and wrylies ----------------------------------

WRYLIES: dict[str, str] = {
    # angry
    "angrily": "angry", "furiously": "angry", "seething": "angry", "fuming": "angry",
    "through gritted teeth": "angry", "through clenched teeth": "angry",
    "snapping": "angry", "snaps": "angry", "shouting": "angry", "shouts": "angry",
    "yelling": "angry", "yells": "angry", "enraged": "angry", "outraged": "angry",
    "hostile": "angry", "icily": "angry", "exploding": "angry", "heated": "angry",
    "irritably": "angry", "indignant": "angry", "indignantly": "angry",
    # disgust
    "disgustedly": "disgust", "with disgust": "disgust", "repulsed": "disgust",
    "sneering": "disgust", "sneers": "disgust", "grimacing": "disgust", "grimaces": "disgust",
    "gagging": "disgust", "contemptuous": "disgust", "contemptuously": "disgust",
    "scornfully": "disgust", "scornful": "disgust", "with distaste": "disgust",
    "nauseated": "disgust", "appalled": "disgust",
    # fear
    "fearfully": "fear", "nervously": "fear", "nervous": "fear", "anxiously": "fear",
    "trembling": "fear", "shaking": "fear", "panicked": "fear", "panicking": "fear",
    "in terror": "fear", "horrified": "fear", "worriedly": "fear", "petrified": "fear",
    "uneasy": "fear", "uneasily": "fear", "timidly": "fear", "alarmed": "fear",
    "whimpering": "fear", "dread": "fear", "with dread": "fear",
    # happy
    "happily": "happy", "laughing": "happy", "laughs": "happy", "smiles": "happy",
    "grinning": "happy", "grins": "happy", "beaming": "happy", "cheerfully": "happy",
    "delightedly": "happy", "joyfully": "happy", "giggling": "happy", "giggles": "happy",
    "chuckling": "happy", "chuckles": "happy", "amused": "happy", "warmly": "happy",
    "brightly": "happy", "excited": "happy", "excitedly": "happy", "elated": "happy",
    "gleefully": "happy", "thrilled": "happy", "overjoyed": "happy", "playfully": "happy",
    # sad
    "sadly": "sad", "in tears": "sad", "tearful": "sad", "tearfully": "sad",
    "fighting tears": "sad", "fighting back tears": "sad", "holding back tears": "sad",
    "trying not to cry": "sad", "through tears": "sad", "close to tears": "sad",
    "on the verge of tears": "sad", "sobbing": "sad", "sobs": "sad", "weeping": "sad",
    "choked up": "sad", "heartbroken": "sad", "mournfully": "sad", "wistfully": "sad",
    "wistful": "sad", "dejected": "sad", "dejectedly": "sad", "defeated": "sad",
    "miserably": "sad", "miserable": "sad", "grieving": "sad", "devastated": "sad",
    "forlorn": "sad", "glumly": "sad", "hurt": "sad", "cries": "sad", "crying": "sad",
    # surprise
    "stunned": "surprise", "gasping": "surprise", "gasps": "surprise",
    "in disbelief": "surprise", "incredulous": "surprise", "incredulously": "surprise",
    "taken aback": "surprise", "wide-eyed": "surprise", "wide eyed": "surprise",
    "surprisedly": "surprise", "dumbfounded": "surprise", "flabbergasted": "surprise",
    "bewildered": "surprise", "thunderstruck": "surprise",
    # neutral
    "flatly": "neutral", "flat": "neutral", "deadpan": "neutral", "calmly": "neutral",
    "evenly": "neutral", "matter-of-fact": "neutral", "matter of fact": "neutral",
    "matter-of-factly": "neutral", "matter of factly": "neutral",
    "expressionless": "neutral", "blankly": "neutral", "composed": "neutral",
    "coolly": "neutral", "stoically": "neutral", "stoic": "neutral",
    "impassive": "neutral", "impassively": "neutral", "without emotion": "neutral",
    "emotionless": "neutral", "neutrally": "neutral",
    "poker-faced": "neutral", "poker faced": "neutral",
}
"""Words and phrases of screenplay parentheticals ("(angrily)", "(fighting tears)") and
the emotion each cues. Together with the seven labels and :data:`_SYNONYMS` (less the
words in :data:`NOT_CUES`) they are what :func:`cue_emotions` looks for. Users add or
override entries with a file of ``phrase = emotion`` lines (``script import --cues``);
``phrase = -`` makes a phrase cue nothing."""

NOT_CUES = frozenset({"down", "none", "blank", "wow", "relax", "smile"})
"""Synonyms too common in stage language to cue an emotion ("(sitting down)")."""

NEGATIONS = frozenset({"not", "no", "never", "without", "hardly", "un", "barely"})
"""A cue word right after one of these cues nothing ("(not angry)", "(without a smile)")."""


def _cue_words(text: str) -> list[str]:
    import re

    return re.findall(r"[a-z]+(?:['-][a-z]+)*", text.lower())


def cue_table(extra: dict[str, str | None] | None = None) -> dict[tuple[str, ...], str | None]:
    """The phrase table :func:`cue_emotions` uses, as word tuples: labels, synonyms,
    :data:`WRYLIES`, then ``extra`` (``None`` as a value removes a phrase)."""
    table: dict[tuple[str, ...], str | None] = {}
    for source in ({e: e for e in EMOTIONS}, _SYNONYMS, WRYLIES, extra or {}):
        for phrase, label in source.items():
            words = tuple(_cue_words(phrase))
            if not words or (source is _SYNONYMS and phrase in NOT_CUES):
                continue
            table[words] = label
    return table


def cue_emotions(text: str, table: dict[tuple[str, ...], str | None] | None = None) -> tuple[str, ...]:
    """The emotions a parenthetical or wryly cues, in the order they appear:
    ``"(angrily)"`` -> ``("angry",)``, ``"(laughing, then in tears)"`` ->
    ``("happy", "sad")``, ``"(beat)"`` -> ``()``. Longest phrases match first; a phrase
    right after a negation ("not", "without"...) cues nothing."""
    table = cue_table() if table is None else table
    words = _cue_words(text)
    longest = max((len(k) for k in table), default=1)
    found: list[str] = []
    i = 0
    while i < len(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            key = tuple(words[i : i + n])
            if key in table:
                label = table[key]
                negated = i > 0 and words[i - 1] in NEGATIONS
                if label is not None and not negated and label not in found:
                    found.append(label)
                i += n
                break
        else:
            i += 1
    return tuple(found)
