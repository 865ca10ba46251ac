"""Redaction of customer names and contacts from free text, in one pass over whole words and whole numbers.

A `Redactor` is built once per document from every customer of it, and `scrub` replaces, in any free text
of that document (a note, a gesture kind), each of:

- a customer's **name**: as whole words (`\\w` is Unicode), case-insensitively, the words separated by any
  whitespace. Each word of a name from two letters on is also taken on its own (a note says "called Mrs
  Qureshi" more often than "called Farah Qureshi"), unless it is a particle or title (`de`, `van`, `al`,
  `Mr` …), or is written in lower case where a whole name is not: "will" and "rose" are ordinary words of a
  note, "Will" and "Rose" are taken for the customers Will Smith and Rose Tyler. Replaced by
  `customer #<id>`: the text's own case's id when that customer bears the name, else the smallest id of one
  who does;
- a customer's **phone number** (a contact of 6 digits or more), however written: only its digits count
  (spaces, dashes, dots, slashes and parentheses between groups of digits, a leading `+` or `00`, a `(0)`,
  the national form `07700 900123` of `+44 7700 900123`), but only as whole groups of digits of a number in
  the text, never inside a longer group. A shorter contact (`1`, `112`, `12 34`) is taken only as whole
  words of a number with exactly its words' digits: `1` does not touch `10`, `1.5` or the `1` of `v1`;
- every **e-mail address** (in a customer-service note, a customer's far more often than not), and any other
  contact (a handle) as whole words. Replaced by `[contact removed]`.

One regular expression (e-mails, then a trie of every name, word and contact — longest first — then numbers)
is applied once, left to right, so a replacement is never looked at again: customer `Al` with contact `1` no
longer turns a note into `customer #[contact removed]so ccustomer #…`. Placeholders already in the text
(`customer #3`, `[contact removed]`) are left alone, which makes redacting twice the same as redacting once.
Text is NFC-normalised first, so a name typed with a combining accent matches the same name precomposed.

What cannot be recognised is not redacted: a nickname, a misspelling, a customer of another document, a
phone number of a customer who gave only an e-mail address, a word of a name made of digits only that
follows a number. Redacted documents are for sharing, not for anonymisation proofs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

CONTACT_PLACEHOLDER = "[contact removed]"
MIN_NUMBER_DIGITS = 6  # contacts with fewer digits match only a whole number with exactly their digits
MIN_WORD_LENGTH = 2  # a single letter of a name ("J. Smith") is not redacted on its own

# Name particles and titles: words of a name that, alone, are ordinary words of other sentences.
PARTICLES = frozenset({
    "al", "ap", "bin", "ben", "da", "das", "de", "del", "della", "den", "der", "des", "di", "do", "dos", "du",
    "el", "la", "le", "lo", "st", "van", "von", "y", "mr", "mrs", "ms", "miss", "mx", "dr", "sir", "jr", "sr",
})  # fmt: skip


def customer_placeholder(case_id: int) -> str:
    return f"customer #{case_id}"


@dataclass(frozen=True, slots=True)
class Customer:
    case_id: int
    name: str
    contact: str | None


# What a placeholder looks like (left alone, so that scrubbing is idempotent).
_PLACEHOLDER = re.compile(r"((?<!\w)customer #\d+(?!\w)|\[contact removed\])", re.IGNORECASE)
_EMAIL = r"\w[\w.%+\-]*@[\w\-]+(?:\.[\w\-]+)+"
_SEPARATORS = r"[\s().\-/]"  # what may stand between the digit groups of one written number
# A written number: digit groups joined by up to three separators; not a decimal's part (1.5 is one number,
# 1,5 none), and not glued to a letter (by the word boundaries around every alternative).
_NUMBER = rf"(?<!\d[.,])[+(]?\d+(?:{_SEPARATORS}{{1,3}}\d+)*(?![.,]\d)"
_DIGITS = re.compile(r"\d+")
_EDGES = re.compile(r"^\W+|\W+$")  # non-word characters at the ends of a name are not part of the match
_PHONE_LIKE = re.compile(r"[+(]?\d[\d\s().\-/]*")


def _fold(text: str) -> str:
    """The key a name or matched text is looked up by: words joined by one space, lower case per character
    (as `re.IGNORECASE` compares them; `str.lower` of a few characters, like İ, is two characters)."""
    spaced = " ".join(text.split())
    lowered = spaced.lower()
    if len(lowered) == len(spaced):  # the usual case, at C speed
        return lowered
    return "".join(low if len(low := char.lower()) == 1 else char for char in spaced)


_Trie = dict[str, "_Trie"]  # one character → the rest; the key "" marks the end of a name


def _trie_pattern(keys: Iterable[str]) -> str:
    """One regex for all `keys` (folded), as a trie: a position costs the length of a key, not their number,
    and a longer key is tried before its prefix. A space in a key matches any run of whitespace."""
    root: _Trie = {}
    for key in keys:
        node = root
        for char in key:
            node = node.setdefault(char, {})
        node[""] = {}  # end of a key

    def pattern(node: _Trie) -> str:
        branches = [
            (r"\s+" if char == " " else re.escape(char)) + pattern(child)
            for char, child in sorted(node.items())
            if char
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return pattern(root)


def _matches(key: str, text: str) -> bool:
    return re.fullmatch(_trie_pattern([key]), text, re.IGNORECASE) is not None


def _phone_variants(contact: str) -> set[str]:
    """The digit strings a contact's phone number may be written as in a note."""
    digits = "".join(_DIGITS.findall(contact))
    variants = {digits}
    international = contact.lstrip().startswith("+") or digits.startswith("00")
    if international:
        full = digits[2:] if digits.startswith("00") else digits
        variants |= {full, "00" + full}
        for split in (1, 2, 3):  # the country code's length is not known: 1 to 3 digits
            country, national = full[:split], full[split:]
            variants |= {national, "0" + national, country + "0" + national}
    elif digits.startswith("0"):
        variants.add(digits[1:])  # written without the trunk 0 (after a country code, say)
    return {variant for variant in variants if len(variant) >= MIN_NUMBER_DIGITS}


class Redactor:
    """Scrubs free text of every name and contact of a set of customers (see the module docstring)."""

    def __init__(self, customers: Iterable[Customer]) -> None:
        self._names: dict[str, set[int]] = {}  # folded name or word → the customers' case ids
        self._other_contacts: set[str] = set()  # folded contacts matched as words (handles, addresses)
        self._long_numbers: set[str] = set()  # digit strings of phone numbers, each form
        # Short numeric contacts as the digits of each of their words ("12 34" → ("12", "34")), matched only
        # as whole words of a number with exactly those digits.
        self._short_numbers: set[tuple[str, ...]] = set()
        self._full_keys: set[str] = set()  # folded whole names and contact words (never passed over)
        keys_of: dict[str, set[str]] = {}  # a name's keys, worked out once however many cases it has
        for customer in dict.fromkeys(customers):  # a case is often listed twice (its line, its hand-over)
            if customer.name not in keys_of:
                keys_of[customer.name] = self._name_keys(customer.name)
            for key in keys_of[customer.name]:
                self._names.setdefault(key, set()).add(customer.case_id)
            if customer.contact and customer.contact.strip():
                self._add_contact(customer.contact)
        self._longest = max(map(len, self._long_numbers), default=0)
        self._most_words = max(map(len, self._short_numbers), default=0)
        alternatives = [f"(?P<email>{_EMAIL})"]
        words = set(self._names) | self._other_contacts
        if words:
            alternatives.append(f"(?P<word>{_trie_pattern(words)})")
        alternatives.append(f"(?P<number>{_NUMBER})")
        # Every alternative starts and ends with a word character (a number may start with + or ( and is then
        # taken whole), so the boundaries below make each match a whole word or number, and no replacement
        # ever touches a letter or digit of the text around it.
        self._pattern = re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)", re.IGNORECASE)
        # Whole names and contact words, looked for again where a name's lower-case word was passed over:
        # compiled on first need (a large export's trie takes a while to compile, and most never need it).
        self._full_pattern: re.Pattern[str] | None = None

    def _name_keys(self, name: str) -> set[str]:
        """The folded keys a name is found by: the whole name, and its words (see the module docstring)."""
        full = _EDGES.sub("", unicodedata.normalize("NFC", " ".join(name.split())))
        if not full:
            return set()
        self._full_keys.add(_fold(full))
        keys = {_fold(full)}
        for token in full.split():
            for word in {_EDGES.sub("", token), *re.findall(r"\w+", token)}:
                if len(word) >= MIN_WORD_LENGTH and word.lower() not in PARTICLES:
                    keys.add(_fold(word))
        return keys

    def _add_contact(self, contact: str) -> None:
        text = unicodedata.normalize("NFC", contact.strip())
        if _PHONE_LIKE.fullmatch(text):
            digits = "".join(_DIGITS.findall(text))
            if len(digits) >= MIN_NUMBER_DIGITS:
                self._long_numbers |= _phone_variants(text)
            else:
                self._short_numbers.add(tuple("".join(_DIGITS.findall(word)) for word in text.split()))
            return
        stripped = _EDGES.sub("", " ".join(text.split()))
        if stripped:
            self._other_contacts.add(_fold(stripped))
            self._full_keys.add(_fold(stripped))

    # -- scrubbing ---------------------------------------------------------------------------------------

    def scrub(self, text: str, case_id: int | None = None) -> str:
        """`text` with every name, contact and e-mail address replaced, in one pass (see the module)."""
        if not text:
            return text
        parts = _PLACEHOLDER.split(unicodedata.normalize("NFC", text))
        # split() with a group: the placeholders are at the odd indices and stay as they are.
        for index in range(0, len(parts), 2):
            if parts[index]:
                parts[index] = self._scrub_between_placeholders(parts[index], case_id)
        return "".join(parts)

    def _scrub_between_placeholders(self, text: str, case_id: int | None) -> str:
        out: list[str] = []
        done = at = 0  # text[:done] is written out; the next match is looked for from `at`
        while (match := self._pattern.search(text, at)) is not None:
            replacement = self._replace(match, case_id)
            if replacement is None:
                # One word of a name, in lower case: an ordinary word here ("will", "rose"), unless a whole
                # name or contact that the longer word hid starts at the same place ("jean" in "jean-luc").
                full = self._whole_names().match(text, match.start())
                if full is None:
                    at = match.start() + 1
                    continue
                match, replacement = full, self._name_placeholder(full.group(), case_id)
            out += [text[done : match.start()], replacement]
            done = at = match.end()
        out.append(text[done:])
        return "".join(out)

    def _whole_names(self) -> re.Pattern[str]:
        if self._full_pattern is None:
            # With no whole name at all, the empty trie matches nothing but the empty string: never a name.
            trie = _trie_pattern(self._full_keys) or "(?!)"
            self._full_pattern = re.compile(rf"(?<!\w)(?:{trie})(?!\w)", re.IGNORECASE)
        return self._full_pattern

    def _replace(self, match: re.Match[str], case_id: int | None) -> str | None:
        if match.group("number") is not None:
            return self._number(match.group())
        if match.group("email") is not None:
            return CONTACT_PLACEHOLDER
        matched = match.group()
        key = _fold(matched)
        if key not in self._full_keys and key in self._names and matched[0].islower():
            return None
        return self._name_placeholder(matched, case_id)

    def _name_placeholder(self, matched: str, case_id: int | None) -> str:
        ids = self._names.get(_fold(matched))
        if ids is None:
            # A contact written as words, or a name matched through a case mapping _fold does not reproduce
            # (the regex engine also matches a few characters with several lower-case forms, like K and the
            # Kelvin sign): then the name is found the slow way, one key at a time.
            if _fold(matched) in self._other_contacts:
                return CONTACT_PLACEHOLDER
            found = [ids for key, ids in self._names.items() if _matches(key, matched)]
            if not found:
                return CONTACT_PLACEHOLDER
            ids = found[0]
        return customer_placeholder(case_id if case_id in ids else min(ids))

    def _number(self, written: str) -> str:
        """A written number with each phone number among its digit groups replaced (leftmost first, the
        longest run of whole groups), and in what lies between, each short contact written as its own words.
        What a replacement leaves is treated as a second pass would see it, so redacting twice changes
        nothing."""
        spans = [match.span() for match in _DIGITS.finditer(written)]
        out: list[str] = []
        first = start = 0  # the first group not yet written out; the group a phone number is looked for at
        lead = 0  # where the text of group `first` begins (a leading + or parenthesis included)
        while start < len(spans):
            stop = self._phone_at(written, spans, start)
            if stop is None:
                start += 1
                continue
            if start > first:
                out.append(self._short_contacts(written, spans[first:start], lead))
                out.append(written[spans[start - 1][1] : spans[start][0]])
            out.append(CONTACT_PLACEHOLDER)
            if stop < len(spans):
                out.append(written[spans[stop - 1][1] : spans[stop][0]])
                lead = spans[stop][0]
            first = start = stop
        if first < len(spans):
            out.append(self._short_contacts(written, spans[first:], lead))
        return "".join(out)

    def _phone_at(self, written: str, spans: list[tuple[int, int]], start: int) -> int | None:
        """The end of the longest run of groups from `start` whose digits are a phone number, if any."""
        digits, found = "", None
        for stop in range(start, len(spans)):
            digits += written[spans[stop][0] : spans[stop][1]]
            if len(digits) > self._longest:
                break
            if digits in self._long_numbers:
                found = stop + 1
        return found

    def _short_contacts(self, written: str, spans: list[tuple[int, int]], lead: int) -> str:
        """written[lead : the end of the last group], each short contact in it replaced: a sequence of its
        words (groups joined without whitespace, like 12-34) with exactly the contact's words' digits."""
        words: list[tuple[int, int, str]] = []  # (start, end, digits) of each whitespace-separated word
        for index, (begin, end) in enumerate(spans):
            digits = written[begin:end]
            if index and not any(char.isspace() for char in written[spans[index - 1][1] : begin]):
                words[-1] = (words[-1][0], end, words[-1][2] + digits)
            else:
                words.append((lead if index == 0 else begin, end, digits))
        out: list[str] = []
        index = 0
        while index < len(words):
            count = next(
                (n for n in range(min(self._most_words, len(words) - index), 0, -1)
                 if tuple(word[2] for word in words[index : index + n]) in self._short_numbers),
                0,
            )  # fmt: skip
            taken = max(count, 1)
            if index:
                out.append(written[words[index - 1][1] : words[index][0]])
            last = words[index + taken - 1]
            out.append(CONTACT_PLACEHOLDER if count else written[words[index][0] : last[1]])
            index += taken
        return "".join(out)
