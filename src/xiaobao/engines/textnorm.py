"""Per-character text normalisation that keeps offsets, at the speed of one regular-expression pass.

Several engines match on a normalised copy of a complaint and report spans in the original text, so
they normalise *character by character* and remember, for every output character, the index of the
character it came from (`origin`). Done as a Python loop over the text that costs ≈ 1 µs a
character (≈ 0.2 ms a complaint, more than the matching itself). This module computes the same
result with precomputed tables:

* each flavour is defined by a per-character function `f(ch) -> str` (below);
* for every BMP character, `f` is evaluated once (lazily, on first use; ≈ 50 ms) and sorted into
  *unchanged* (`f(ch) == ch`), *unit* (one other character: full-width ＡＢＣ，１２３ → ABC,123,
  upper → lower case) and *special* (zero or several characters: whitespace when it is dropped, ㈱ →
  (株), ﬁ → fi, İ → i̇), plus every astral character and lone surrogate as special;
* a text without special characters has its unit characters substituted (one regular-expression
  pass) and `origin = range(len)`; otherwise the runs between special characters are substituted
  the same way and each special
  character is expanded with `f` (cached), its origin repeated for each character it produced.

So the output and the offsets are exactly those of the per-character loop, for every text
(`tests/unit/test_textnorm.py` compares them on tricky and random texts). The folded form remembers
the last few thousand texts: the black/gray lexicon and classification both fold each complaint of an
intake batch, and the second gets the first's result.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable


def nfkc_char(ch: str) -> str:
    """NFKC of one character (ASCII is its own NFKC form)."""
    return unicodedata.normalize("NFKC", ch) if ord(ch) > 0x7F else ch


def folded_char(ch: str) -> str:
    """NFKC of one character, lower-cased, whitespace removed."""
    return "".join(c for c in nfkc_char(ch).lower() if not c.isspace())


def _class(cps: list[int]) -> str:
    """A regular-expression character class for sorted code points, as ranges."""
    parts = []
    i = 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        parts.append(f"\\u{cps[i]:04x}" if i == j else f"\\u{cps[i]:04x}-\\u{cps[j]:04x}")
        i = j + 1
    return "".join(parts)


class OffsetNormalizer:
    """`f` applied to every character of a text: (output, origin) as the per-character loop gives."""

    def __init__(self, per_char: Callable[[str], str], unchanged: Callable[[str], bool] | None = None,
                 remember: int = 0):
        self.per_char = per_char
        self.unchanged = unchanged    # a cheap test that per_char(ch) == ch (when True), for the tables
        self._ready = False
        self._lock = threading.Lock()
        self._cache: dict[str, str] = {}
        # the last `remember` texts' results: engines that normalise the same text alike (the black/gray
        # lexicon, then classification, on each complaint of an intake batch) compute it once
        self._remember = remember
        self._recent: OrderedDict[str, tuple[str, list[int]]] = OrderedDict()

    def _build(self) -> None:
        with self._lock:
            if self._ready:
                return
            f, same = self.per_char, self.unchanged
            unit: dict[str, str] = {}
            special: list[int] = []
            for cp in range(0x10000):
                if 0xD800 <= cp <= 0xDFFF:
                    special.append(cp)
                    continue
                ch = chr(cp)
                if same is not None and same(ch):
                    continue
                out = f(ch)
                if out == ch:
                    continue
                if len(out) == 1:
                    unit[ch] = out
                else:
                    special.append(cp)
            units = _class(sorted(map(ord, unit)))
            specials = f"{_class(special)}\\U00010000-\\U0010ffff"
            self._table = unit
            # (a regular-expression substitution beats str.translate here: few characters change)
            self._unit = re.compile(f"[{units}]")
            self._special = re.compile(f"[{specials}]")
            self._any = re.compile(f"[{units}{specials}]")
            self._ready = True

    def _unit_char(self, m: re.Match) -> str:
        return self._table[m.group()]

    def _expand(self, ch: str) -> str:
        out = self._cache.get(ch)
        if out is None:
            out = self._cache[ch] = self.per_char(ch)
        return out

    def __call__(self, text: str) -> tuple[str, list[int]]:
        if self._remember:
            with self._lock:
                got = self._recent.get(text)
            if got is not None:
                return got[0], got[1].copy()      # (a copy: the caller may keep or change its list)
            out, origin = self._normalize(text)
            with self._lock:
                self._recent[text] = (out, origin.copy())
                if len(self._recent) > self._remember:
                    self._recent.popitem(last=False)
            return out, origin
        return self._normalize(text)

    def _normalize(self, text: str) -> tuple[str, list[int]]:
        if not self._ready:
            self._build()
        n = len(text)
        first = self._any.search(text)
        if first is None:                                   # nothing changes
            return text, list(range(n))
        special, unit, repl = self._special, self._unit, self._unit_char
        first = special.search(text, first.start())
        if first is None:                                   # one character for one: offsets unchanged
            return unit.sub(repl, text), list(range(n))
        out: list[str] = []
        origin: list[int] = []
        pos = 0
        for m in special.finditer(text, first.start()):
            s = m.start()
            if s > pos:
                out.append(unit.sub(repl, text[pos:s]))
                origin.extend(range(pos, s))
            got = self._expand(text[s])
            if got:
                out.append(got)
                origin.extend([s] * len(got))
            pos = s + 1
        if pos < n:
            out.append(unit.sub(repl, text[pos:]))
            origin.extend(range(pos, n))
        return "".join(out), origin


def _nfkc_unchanged(ch: str, _is_normalized=unicodedata.is_normalized) -> bool:
    return ch < "\x80" or _is_normalized("NFKC", ch)


def _folded_unchanged(ch: str, _is_normalized=unicodedata.is_normalized) -> bool:
    return _is_normalized("NFKC", ch) and ch.lower() == ch and not ch.isspace()


nfkc_with_offsets = OffsetNormalizer(nfkc_char, _nfkc_unchanged)
"""NFKC per character: `(normalised, origin)`; `origin[k]` is the index in the text of the character
that produced output character k."""

folded_with_offsets = OffsetNormalizer(folded_char, _folded_unchanged, remember=4096)
"""NFKC per character, lower case, whitespace dropped: `(normalised, origin)`."""
