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
