"""The phrase check (core): phrases matched as whole words, whatever the case, punctuation or apostrophes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.cases import Action
from core.payloads import ApologizePayload, FixPayload, ReviewPayload, hints_of
from core.phrase_check import (
    CHECKED_ACTIONS,
    DEFAULT_PHRASES,
    GAP,
    Phrase,
    PhraseBook,
    counted,
    step_hints,
    tokens,
)

BOOK = PhraseBook()

# The phrases the issue names, as a person would type them (with their own punctuation and apostrophes).
TYPED = [
    "Sorry, our policy doesn't allow refunds after 30 days.",
    "OUR POLICY DOES NOT ALLOW THAT",
    "our policy doesnt allow it",
    "The system is down, call back later.",
    "the system is down right now — please call back later!",
    "I'm sorry if you feel that way.",
    "Well… sorry if you feel that way",
    "That’s not my department.",
    "that is not my department, sorry",
]

# The same words, not saying the same thing: none of these may be flagged.
HARMLESS = [
    "Our policy allows a full refund, so I refunded it today.",
    "We have no policy against this; I have allowed the return.",
    "I checked the system: it is down for ten minutes, so I will call you by 3pm with the answer.",
    "I'll call back later today with the tracking number.",
    "Please call me back later if the courier hasn't arrived by five.",
    "I am sorry we let you down; if you feel we can do more, tell me.",
    "Sorry! How do you feel about the new date? That way you can plan.",
    "I walked it over to the department myself; that's sorted now.",
    "That is my department, so I'll handle it personally.",
    "It's my job to fix this, and I will.",
    "Nothing is in the way now: I can do the exchange today.",
    "The fault was ours: not yours, and I'm fixing it.",
    "The department store's policy is generous; I've allowed the refund.",
]


@pytest.mark.parametrize("text", TYPED)
def test_the_phrases_are_found_however_they_are_typed(text: str) -> None:
    assert BOOK.check(text), text


@pytest.mark.parametrize("text", HARMLESS)
def test_sentences_with_the_same_words_are_not_flagged(text: str) -> None:
    assert BOOK.check(text) == (), [hint.phrase.words for hint in BOOK.check(text)]


def test_each_phrase_is_told_once_with_its_what_i_can_do() -> None:
    hints = BOOK.check("Our policy doesn't allow it. Our policy doesn't allow it!", "our policy doesnt allow")
    assert [hint.phrase.words for hint in hints] == ["our policy doesn't allow"]
    assert "What I can do" in hints[0].message and "our policy doesn't allow" in hints[0].message


def test_tokens_spell_out_contractions_and_break_at_punctuation() -> None:
    assert tokens("Can’t, WON'T; doesn't—isnt cannot") == (
        "can", "not", "will", "not", "does", "not", "is", "not", "can", "not",
    )  # fmt: skip
    assert tokens("the customer's order") == ("the", "customers", "order")  # no "is" from a possessive
    assert tokens("ＯＵＲ ｐｏｌｉｃｙ") == ("our", "policy")  # full-width letters read as plain ones


def test_a_gap_stands_for_a_few_words_not_for_a_whole_page() -> None:
    book = PhraseBook([Phrase(f"system is down {GAP} call back later", "x")])
    assert book.check("system is down call back later")
    assert book.check("system is down, so sorry, please do call back later")
    assert not book.check("system is down " + "word " * 7 + "call back later")
    assert not book.check("call back later, the system is down")  # in that order only


def test_only_the_customer_facing_steps_count_hints_and_a_review_counts_both_its_texts() -> None:
    assert {Action.APOLOGIZE, Action.REVIEW, Action.UPDATE, Action.FOLLOW_UP} == CHECKED_ACTIONS
    review = ReviewPayload("sorry if you feel that way")
    assert len(step_hints(BOOK, Action.REVIEW, "That's not my department", review)) == 2
    assert hints_of(counted(BOOK, Action.REVIEW, "That's not my department", review)) == 2
    assert hints_of(counted(BOOK, Action.APOLOGIZE, "Sorry, truly.", ApologizePayload())) == 0
    # A fix's text is not one of the checked notes: nothing counted there.
    assert counted(BOOK, Action.FIX, "not my job", FixPayload()) == FixPayload()


# -- properties ---------------------------------------------------------------------------------------

phrases = st.sampled_from(DEFAULT_PHRASES)
# What may stand between words without joining them: spaces and punctuation of several scripts.
separators = st.text(st.sampled_from(' ,.;:!?-—–()"“”«»/…\t\n'), min_size=1, max_size=3).filter(
    lambda sep: any(not char.isalnum() for char in sep)
)
surrounding = st.text(st.sampled_from("abcdefghij ,.!?"), max_size=20)


def typed_as(phrase: Phrase, data: st.DataObject) -> str:
    """The phrase's words, each in a random case, joined by random punctuation; the gap as a few words."""
    out = []
    for piece in phrase.words.split(GAP):
        for word in piece.split():
            word = word.replace("'", data.draw(st.sampled_from(["'", "’", "ʼ"])))
            out.append(data.draw(st.sampled_from([word, word.upper(), word.capitalize()])))
            out.append(data.draw(separators))
        out.append(" ".join(data.draw(st.lists(st.sampled_from(["so", "um", "right"]), max_size=3))) + " ")
    return "".join(out[:-1])


@given(phrases, surrounding, surrounding, st.data())
def test_every_phrase_is_found_in_any_case_punctuation_and_surroundings(
    phrase: Phrase, before: str, after: str, data: st.DataObject
) -> None:
    text = f"{before} {typed_as(phrase, data)} {after}"
    assert phrase in [hint.phrase for hint in BOOK.check(text)], text


@given(phrases, st.data())
def test_a_phrase_missing_one_word_or_glued_to_another_is_not_that_phrase(
    phrase: Phrase, data: st.DataObject
) -> None:
    words = phrase.words.replace(GAP, " ").split()
    dropped = data.draw(st.integers(0, len(words) - 1))
    shorter = " ".join(word for index, word in enumerate(words) if index != dropped)
    glued = "x" + phrase.words + "x"  # a substring of longer words, not the phrase
    found = [hint.phrase for hint in BOOK.check(shorter)] + [hint.phrase for hint in BOOK.check(glued)]
    assert phrase not in found, (shorter, glued)


@given(st.text(max_size=200))
def test_any_text_is_checked_without_error(text: str) -> None:
    for hint in BOOK.check(text):
        assert hint.phrase in DEFAULT_PHRASES
