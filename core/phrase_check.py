"""The phrase check: blame-shifting or hollow phrases found in a note, each with a "what I can do" instead."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from core.cases import Action
from core.payloads import Payload, noted_texts, with_hints

# The steps whose notes are what the customer heard: their texts are checked (never refused).
CHECKED_ACTIONS = frozenset({Action.APOLOGIZE, Action.REVIEW, Action.UPDATE, Action.FOLLOW_UP})

# In a configured phrase, "…" (or "...") stands for a few words said in between: "system is down … call
# back later" catches "the system is down right now, please call back later".
GAP = "…"
GAP_WORDS = 6


@dataclass(frozen=True, slots=True)
class Phrase:
    """A phrase to avoid (as configured) and what to say instead."""

    words: str
    instead: str


@dataclass(frozen=True, slots=True)
class Hint:
    """One phrase found in a note: the gentle hint a form or the CLI shows (never a refusal)."""

    phrase: Phrase

    @property
    def message(self) -> str:
        return f"“{self.phrase.words}” can sound like a brush-off; try: {self.phrase.instead}"


# Shipped with shiftdesk; `[phrases]` in the config extends or replaces them. Each says what the
# customer is NOT helped by, and offers the "what I can do" turn of the same sentence.
DEFAULT_PHRASES: tuple[Phrase, ...] = (
    Phrase("our policy doesn't allow", "“What I can do for you today is …”, and name it."),
    Phrase("policy won't let", "“What I can do for you today is …”, and name it."),
    Phrase("it's against our policy", "“Here is what I can offer instead: …”"),
    Phrase(
        "the system is down … call back later",
        "“Our system is down; I'll take your number and call you back by … with the answer.”",
    ),
    Phrase("please call back later", "“I'll call you back by … with an answer.”"),
    Phrase("sorry if you feel that way", "“I'm sorry we let you down: you're right that …”"),
    Phrase("sorry you feel that way", "“I'm sorry we let you down: you're right that …”"),
    Phrase("sorry for any inconvenience", "Name what went wrong: “I'm sorry your … was late.”"),
    Phrase("that's not my department", "“I'll get this to the right person myself and call you by …”"),
    Phrase("not my job", "“Let me take care of this for you: …”"),
    Phrase("not my fault", "“I'm sorry this happened; here is what I'm doing about it: …”"),
    Phrase("nothing i can do", "“What I can do is …”"),
    Phrase("nothing we can do", "“What we can do is …”"),
    Phrase("you'll have to wait", "“I'll have an answer for you by …”"),
    Phrase("please calm down", "“I understand why you're upset; let's fix this together.”"),
)

# Apostrophes as keyboards and phones type them; all are read as the ASCII one.
_APOSTROPHES = str.maketrans(dict.fromkeys("’‘ʼ′`´＇‛", "'"))
_CONTRACTIONS = (
    (re.compile(r"\bwon't\b"), "will not"),
    (re.compile(r"\bcan't\b"), "can not"),
    # 's only after the words where it cannot be a possessive (the customer's order stays as it is).
    (re.compile(r"\b(that|it|there|what|here|who|he|she)'s\b"), r"\1 is"),
    (re.compile(r"'ll\b"), " will"),
    (re.compile(r"'re\b"), " are"),
    (re.compile(r"'ve\b"), " have"),
    (re.compile(r"\bi'm\b"), "i am"),
)
_NOT = re.compile(r"(\w)n't\b")
# Words typed without their apostrophe, spelled out as their contraction would be ("wont" is a word).
_WORD_SPLIT: dict[str, tuple[str, ...]] = {
    "cannot": ("can", "not"),
    "cant": ("can", "not"),
    "thats": ("that", "is"),
    **{
        word + "nt": (word, "not")
        for word in (
            "does",
            "do",
            "did",
            "is",
            "are",
            "was",
            "were",
            "has",
            "have",
            "had",
            "could",
            "would",
            "should",
        )
    },
}


def tokens(text: str) -> tuple[str, ...]:
    """The words of `text` as the check compares them: case-folded, apostrophes unified and contractions of
    "not" spelled out (doesn't = does not = doesnt not), every other punctuation mark a word break."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)
    for pattern, spelled in _CONTRACTIONS:
        text = pattern.sub(spelled, text)
    text = _NOT.sub(r"\1 not", text)
    text = text.replace("'", "")  # it's = its, that's = thats: the same on both sides
    words: list[str] = []
    for word in "".join(
        char if char.isalnum() else " " for char in text
    ).split():  # punctuation, symbols and spaces of every kind break words
        words.extend(_WORD_SPLIT.get(word, (word,)))
    return tuple(words)


@dataclass(frozen=True, slots=True)
class _Pattern:
    phrase: Phrase
    parts: tuple[tuple[str, ...], ...]  # runs of words, with at most GAP_WORDS words between two runs


def _compiled(phrase: Phrase) -> _Pattern:
    pieces = phrase.words.replace("...", GAP).split(GAP)
    return _Pattern(phrase, tuple(part for part in (tokens(piece) for piece in pieces) if part))


def _at(words: Sequence[str], run: tuple[str, ...], start: int, stop: int) -> int | None:
    """Where `run` starts in words[start:stop + len(run)], or None."""
    size = len(run)
    for index in range(start, min(stop, len(words) - size) + 1):
        if tuple(words[index : index + size]) == run:
            return index
    return None


def _found(pattern: _Pattern, words: Sequence[str]) -> bool:
    first, *rest = pattern.parts
    start = 0
    while (at := _at(words, first, start, len(words))) is not None:
        end = at + len(first)
        for run in rest:
            follows = _at(words, run, end, end + GAP_WORDS)
            if follows is None:
                break
            end = follows + len(run)
        else:
            return True
        start = at + 1
    return False


class PhraseBook:
    """The configured phrases, read once, checked against any number of notes."""

    def __init__(self, phrases: Iterable[Phrase] = DEFAULT_PHRASES) -> None:
        self.phrases = tuple(phrases)
        self._patterns = tuple(pattern for pattern in map(_compiled, self.phrases) if pattern.parts)

    def check(self, *texts: str) -> tuple[Hint, ...]:
        """The phrases found in `texts`, each once, in the book's order."""
        found: list[Hint] = []
        for text in texts:
            words = tokens(text)
            if not words:
                continue
            found += [
                Hint(pattern.phrase)
                for pattern in self._patterns
                if Hint(pattern.phrase) not in found and _found(pattern, words)
            ]
        return tuple(found)


@lru_cache(maxsize=8)
def book_of(phrases: tuple[Phrase, ...]) -> PhraseBook:
    """The book for a settings' phrases, built once per list (a form checks it at every key typed)."""
    return PhraseBook(phrases)


def phrase_problem(words: str) -> str | None:
    """Why `words` cannot be a phrase to check (the config names the field), or None."""
    if not _compiled(Phrase(words, "")).parts:
        return "has no words to look for (only punctuation or spaces)"
    if words.strip().startswith((GAP, "...")) or words.strip().endswith((GAP, "...")):
        return "“…” stands between words: it cannot start or end a phrase"
    return None


def step_hints(book: PhraseBook, action: Action, text: str, payload: Payload) -> tuple[Hint, ...]:
    """The hints for what was typed at one step (none for the steps that are not checked)."""
    return book.check(*noted_texts(text, payload)) if action in CHECKED_ACTIONS else ()


def counted(book: PhraseBook, action: Action, text: str, payload: Payload) -> Payload:
    """`payload` with the number of hints its step's text draws, as the service stores it for coaching."""
    if action not in CHECKED_ACTIONS:
        return payload
    return with_hints(payload, len(step_hints(book, action, text, payload)))
