"""Evasion-resistant views of a text, each with a map back to the original offsets.

Ad writers dodge keyword filters with full-width forms (秒批 → ｍｉａｏ批), spacing and separators
(秒 批, 秒-批, 秒*批, 秒\u200b批 with a zero-width space), traditional or look-alike characters (無視徵信,
Cyrillic о for o) and pinyin for some characters (miao批, 无视zhengxin). Two views answer that:

- `folded`: NFKC (full-width → half-width), lower case, look-alikes mapped to one form (table in
  `rules/marketing_normalize.yaml`, the institution's copy when it has one: `lookalikes`), whitespace and zero-width characters removed. Punctuation stays,
  because rates need it (0.05%, 7.2%-24%). The rate parser reads this view.
- `compact`: `folded` without punctuation, symbols or underscores. Phrase rules read this view, and
  their phrases are compacted the same way when the rule pack loads; pinyin spellings of phrases are
  generated then too (see `rulepack`).

`index[i]` is the offset in the original text of the i-th character of a view, so every match reports
a span in the text the reviewer sees.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from xiaobao.rules import RulesError, read_yaml, rules_dir

NORMALIZE_FILE = "marketing_normalize.yaml"
Table = dict[int, str]  # str.translate table: look-alike code point → canonical form

_DROP_SPACE = re.compile(r"[^\s\u200b-\u200f\u2060-\u2064\ufeff\u00ad\u180e]+")
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class View:
    text: str
    index: list[int]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of view[start:end]."""
        return self.index[start], self.index[end - 1] + 1


@dataclass(frozen=True, slots=True)
class Views:
    folded: View
    compact: View


def lookalikes(directory: str | Path | None = None) -> Table:
    """The folding table of the rules in force (`xiaobao.rules.rules_dir`), built once per directory."""
    return _table(rules_dir(directory))


@lru_cache(maxsize=4)
def _table(directory: Path) -> Table:
    data = read_yaml(NORMALIZE_FILE, directory).get("lookalikes") or {}
    if not isinstance(data, dict):
        raise RulesError(f"{NORMALIZE_FILE}: lookalikes 应为映射 (a mapping: canonical form → look-alikes)")
    table: Table = {}
    for canonical, variants in data.items():
        for v in str(variants):
            table[ord(v)] = str(canonical)
    # Full-width ASCII is the common case; map it here so NFKC runs only on the rare rest.
    for c in range(0xFF01, 0xFF5F):
        table.setdefault(c, chr(c - 0xFEE0).lower())
    table.setdefault(0x3000, " ")
    for c in range(ord("A"), ord("Z") + 1):
        table.setdefault(c, chr(c + 32))
    return table


def fold_char(c: str, table: Table | None = None) -> str:
    """The folded form of one character (used for phrases; may be longer than one character)."""
    table = lookalikes() if table is None else table
    t = c.translate(table)
    if not unicodedata.is_normalized("NFKC", t):
        t = unicodedata.normalize("NFKC", t).lower().translate(table)
    return t


def _folded_with_index(text: str, table: Table) -> tuple[str, list[int]]:
    t = text.translate(table)
    if unicodedata.is_normalized("NFKC", t):
        return t, list(range(len(t)))
    # Rare: characters whose NFKC form differs in length (①, ㎡, ligatures): fold one by one.
    out: list[str] = []
    index: list[int] = []
    for i, c in enumerate(t):
        f = c if unicodedata.is_normalized("NFKC", c) else unicodedata.normalize("NFKC", c).lower()
        out.append(f)
        index.extend([i] * len(f))
    return "".join(out), index


def _keep(text: str, index: list[int], pattern: re.Pattern) -> View:
    pieces: list[str] = []
    kept: list[int] = []
    for m in pattern.finditer(text):
        pieces.append(m.group())
        kept.extend(index[m.start():m.end()])
    return View("".join(pieces), kept)


def views(text: str, table: Table | None = None) -> Views:
    """Both views of `text`; `table` is the rule pack's folding table (`RulePack.table`), else the one in force."""
    t, index = _folded_with_index(text, lookalikes() if table is None else table)
    folded = _keep(t, index, _DROP_SPACE)
    compact = _keep(folded.text, folded.index, _WORD)
    return Views(folded, compact)


def compact(phrase: str, table: Table | None = None) -> str:
    """A phrase as the compact view would show it."""
    return views(phrase, table).compact.text
