"""Text normalisation shared by the matchers and the model: NFKC (full-width → half-width), lower
case, no whitespace — Chinese has no word spaces, so spaces carry nothing but noise."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

import ahocorasick

from xiaobao.engines.textnorm import folded_with_offsets

T = TypeVar("T")
_SPACE = re.compile(r"\s")  # the same characters as str.isspace


def normalize(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").lower().split())


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, the index it came from in `text`,
    so a match can be reported as a span of what the consumer wrote."""
    text = text or ""
    if unicodedata.is_normalized("NFKC", text):
        # Fast path (most complaints): every character of an NFKC-normal text is its own NFKC form,
        # so only lower-casing can change lengths; when it does not, offsets map one to one.
        low = text.lower()
        if len(low) == len(text):
            if _SPACE.search(low) is None:
                return low, list(range(len(low)))
            where = [i for i, c in enumerate(low) if not c.isspace()]
            return "".join([low[i] for i in where]), where
    return folded_with_offsets(text)  # = _normalize_with_offsets_per_char(text), from tables


def _normalize_with_offsets_per_char(text: str) -> tuple[str, list[int]]:
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFKC", ch).lower():
            if not c.isspace():
                out.append(c)
                where.append(i)
    return "".join(out), where


def original_span(where: list[int], start: int, end: int) -> tuple[int, int]:
    """Normalised [start, end) → original [start, end)."""
    return where[start], where[end - 1] + 1


class PhraseMatcher(Generic[T]):
    """One Aho-Corasick automaton over every phrase: cost O(len(text) + matches) however long the
    lexicon grows. Each phrase carries the payloads of every entry that listed it."""

    def __init__(self, entries: Iterable[tuple[str, T]]):
        self._auto = ahocorasick.Automaton()
        table: dict[str, list[T]] = {}
        for phrase, payload in entries:
            key = normalize(phrase)
            if key:
                table.setdefault(key, []).append(payload)
        for key, payloads in table.items():
            self._auto.add_word(key, (key, tuple(payloads)))
        self.empty = not table
        if not self.empty:
            self._auto.make_automaton()

    def iter(self, normalized: str) -> Iterator[tuple[int, int, str, tuple[T, ...]]]:
        """(start, end, phrase, payloads) in the normalised text."""
        if self.empty:
            return
        for end, (key, payloads) in self._auto.iter(normalized):
            yield end - len(key) + 1, end + 1, key, payloads

    def found(self, normalized: str) -> list[tuple[str, tuple[T, ...]]]:
        """(phrase, payloads) of every match, in `iter`'s order, without positions."""
        return [] if self.empty else [hit for _, hit in self._auto.iter(normalized)]
