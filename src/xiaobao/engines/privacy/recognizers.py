"""Pattern recognizers: one small class per PII type, each registered by its type name.

All of them read the folded text (`text.fold`: same length as the original, so offsets carry over).
Numbers are found once per text as digit runs (digits joined by single spaces or dashes, an optional
`+86` and `(010)` area code) and every numeric recognizer judges the same runs: a value must be a
whole run, or a whole group sequence within a spaced run, never digits cut out of a longer number.
A run touching a mask character (138****1234) is a masked value, not a hit.

Speed (the scanner runs every recognizer on every text; `bench/pii.py` measures it): a pattern
scanned over the whole text costs about ten nanoseconds a character even when it opens with a
character class (re tries a pattern opening with a lookbehind at every position, which costs far
more), and every call from Python costs as much again as a short text. So:
- where a value can only start is found in the text's one-byte-per-character ASCII projection
  (`text.project`, through a `bytes.translate` class table) with `bytes.find`, at memchr speed:
  runs of nine digits, spaces and dashes for numbers (`scan_numbers`), runs of letters and digits
  of a token's length for USCC, passports and permits (`scan_token_pass`), a Chinese character
  before a plate letter for plates; the pattern is matched only there;
- values that share a kind of start share one pass: the tokens, the cued values (WeChat, QQ,
  passwords and codes: `scan_cued`), and names with addresses (`names.scan_names_and_places`);
- e-mail and IP addresses are found from their '@', '.' or ':'; the check digits of candidates
  are computed with C loops (`checks`), after the cheaper tests that reject most of them.
Each shortcut finds exactly what the plain pattern found (`tests/unit/test_pii_passes.py` sets each
against it; the PII tests and `eval/pii` check the rest).
"""

from __future__ import annotations

import re
import re._constants as _re_constants
import re._parser as _re_parser
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from xiaobao.engines.privacy import checks
from xiaobao.engines.privacy.text import project

REGISTRY: dict[str, type[Recognizer]] = {}
ALPHA = ("ALPHA",)
GATE_NONE, GATE_IN, GATE_SEARCH, GATE_ALPHA, GATE_CALL = range(5)


def register(cls):
    REGISTRY[cls.type] = cls
    return cls


@dataclass(slots=True)
class Hit:
    type: str
    start: int
    end: int
    score: float
    level: str = ""

    def to_span(self) -> dict:
        return {"start": self.start, "end": self.end, "type": self.type, "score": round(self.score, 3)}


class Scan:
    """One text being scanned: the folded text and cue look-ups before a position."""

    __slots__ = ("_cue_res", "ascii", "config", "text", "window")

    def __init__(self, text: str, config, cue_res: dict[str, re.Pattern], ascii: bytes | None = None):
        self.text = text
        self.ascii = project(text) if ascii is None else ascii  # see text.project
        self.config = config
        self.window = config.context_window
        self._cue_res = cue_res

    def cue(self, kind: str, start: int, window: int | None = None) -> bool:
        pattern = self._cue_res.get(kind)
        if pattern is None:
            return False
        lo = start - (window or self.window)
        return pattern.search(self.text, max(0, lo), start) is not None

    def negative(self, start: int) -> bool:
        pattern = self._cue_res.get("_negative")  # (`cue("_negative", start)`, one call fewer)
        if pattern is None:
            return False
        lo = start - self.window
        return pattern.search(self.text, max(0, lo), start) is not None


class Recognizer(ABC):
    type: ClassVar[str]
    # Substrings one of which must occur for the recognizer to be worth running (checked at C
    # speed before the regular expression); ALPHA means "an ASCII letter".
    triggers: ClassVar[tuple[str, ...]] = ()
    # True when every hit holds what the gate asks of the text (its trigger or letter, and a digit
    # unless the type is scanned in digit-free texts too): then `scan_many` need not test a hit's own
    # text again.
    hit_holds_gate: ClassVar[bool] = False

    def __init__(self, spec):
        self.spec = spec
        self.level = spec.level
        trig = [x for x in self.triggers if not any(y != x and y in x for y in self.triggers)]
        # One trigger: `in` (a C substring search); several: one alternation searched once.
        self._trigger = trig[0] if len(trig) == 1 else None
        self._triggers = re.compile("|".join(map(re.escape, trig))).search if len(trig) > 1 else None

    def wanted(self, t: str) -> bool:
        """Can `t` hold a value of this type? (A trigger substring is present; ALPHA is the scanner's.)"""
        if self._trigger is not None:
            return self._trigger in t
        return self._triggers is None or self._triggers(t) is not None

    def gate(self) -> tuple[int, object]:
        """`wanted` as data the scanner tests inline: (GATE_*, argument). GATE_ALPHA: the scanner
        tests for an ASCII letter once per text; GATE_IN: one substring; GATE_SEARCH: a pattern of
        the substrings (one search in C); GATE_CALL: `wanted` itself."""
        if self.triggers is ALPHA:
            return GATE_ALPHA, None
        if type(self).wanted is not Recognizer.wanted:
            return GATE_CALL, self.wanted
        if self._trigger is not None:
            return GATE_IN, self._trigger
        if self._triggers is not None:
            return GATE_SEARCH, self._triggers
        return GATE_NONE, None

    @abstractmethod
    def find(self, scan: Scan) -> list[Hit]:
        """Every hit of this type in the scanned text."""

    def hit(self, start: int, end: int, with_context: bool = True) -> Hit:
        return Hit(self.type, start, end, self.spec.score if with_context else self.spec.score_without_context,
                   self.level)


# ---- digit runs ---------------------------------------------------------------------------------

# Digits are ASCII: `fold` has already mapped full-width ones, and a number written in another
# script's digits is not a Chinese phone, ID or card (and `\d` would cost a Unicode lookup per character).
# A run: digit groups joined by one space or a dash (with optional spaces), an optional `+86` and
# `(010)` area code before them and an ID's X after. Possessive, since the longest run is the one
# wanted and re need not keep a way back. Group 3 (empty) takes part only after a separator, so
# `lastindex` is None for a run of plain digits.
_RUN = re.compile(r"(?<![0-9.])(\+?86[ \-]?)?(\(0[0-9]{2,3}\) ?)?[0-9]++(?:(?: ?- ?| )()[0-9]++)*+(?:[Xx](?![A-Za-z0-9]))?")
_MIN_RUN = 9  # characters: no value has fewer than 9 digits
# `_RUN` where at least `_MIN_RUN` run characters follow: a run that could hold a value. It opens with
# lookarounds, so re tries it position by position; `scan_numbers` only ever starts it where such a
# stretch begins, found with `bytes.find` in the text's projection.
_LONG_RUN = re.compile(rf"(?=[0-9+(][0-9 +\-()Xx]{{{_MIN_RUN - 1}}})" + _RUN.pattern)


def class_table(members: bytes, mark: bytes = b"#") -> bytes:
    """A `bytes.translate` table sending `members` to `mark` and every other byte to '.'."""
    table = bytearray(b"." * 256)
    for b in members:
        table[b] = mark[0]
    return bytes(table)


# `_LONG_RUN`'s run characters, as '#' in a text's projection (`text.project`).
RUN_CLASS = class_table(b"0123456789 +-()Xx")
_RUN_CHARS = b"#" * _MIN_RUN
_GROUP = re.compile(r"[0-9]+[Xx]?")
_MASKS = frozenset("*＊×#")
_ASCII_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
# What may sit just before or after a run and make it no value (tested further below): one set
# look-up settles the usual neighbours (Chinese text, punctuation).
_SUSPECT_BEFORE = _MASKS | _ASCII_LETTERS | {"-"}
_SUSPECT_AFTER = _MASKS | _ASCII_LETTERS | frozenset("0123456789.")
# Letters that may sit glued to a number as a label (QQ123…, ID110…, Tel13…); any other letters
# make the number part of a code (DD2026…, SN…): not PII.
_LABELS = frozenset({"qq", "id", "tel", "vx", "wx", "no", "mobile", "phone", "card", "cell", "mob", "sfz", "idcard"})


def _glued_label_ok(t: str, s: int) -> bool:
    i = s
    while i > 0 and t[i - 1].isascii() and t[i - 1].isalpha():
        i -= 1
    return i == s or t[i:s].lower() in _LABELS


_NOT_DIGITS = str.maketrans("", "", " -()")


def _is_number_list(t: str, body_start: int, end: int) -> bool:
    """Four or more groups of one or two digits, each larger than the one before: months, days or
    instalments listed with spaces, not a value typed in groups (a number spaced digit by digit to
    dodge filters, 1 3 8 1 2 …, does not rise throughout)."""
    groups = _GROUP.findall(t, body_start, end)
    if len(groups) < 4 or any(len(g) > 2 for g in groups):
        return False
    values = [int(g) for g in groups]
    return all(a < b for a, b in zip(values, values[1:]))


def _groups(t: str, body_start: int, end: int) -> list[tuple[int, int, str]]:
    """(start, end, digits) of each digit group of a spaced run."""
    return [(g.start(), g.end(), g.group()) for g in _GROUP.finditer(t, body_start, end)]


class NumberRecognizer(Recognizer):
    """Judges a candidate digit string; `scan_numbers` offers whole runs first, then group sequences."""

    # Every length of digit string `judge` can accept: candidates of other lengths are not offered.
    lengths: ClassVar[frozenset[int]]

    @abstractmethod
    def judge(self, digits: str, scan: Scan, start: int, plus86: bool) -> float | None:
        """The score if `digits` (starting at `start`) is a value of this type, else None."""

    def ceiling(self) -> float:
        """No score `judge` returns is higher: once a candidate has this much from an earlier
        recognizer, later ones need not be asked (`_best`). Override if `judge` can return more."""
        return max(self.spec.score, self.spec.score_without_context)

    def find(self, scan: Scan) -> list[Hit]:
        return []  # numbers are dispatched together by `scan_numbers`, so runs are judged once


class ByLength(dict):
    """Digit-string length → the recognizers that can accept it, in their registration order, each
    with the highest score any recognizer after it can give (for `_best`)."""

    shortest: int  # no recognizer accepts fewer digits


def by_length(recognizers: list[NumberRecognizer]) -> ByLength:
    longest = max((max(r.lengths) for r in recognizers), default=0)
    table = ByLength()
    for n in range(longest + 1):
        recs = [r for r in recognizers if n in r.lengths]
        table[n] = tuple((r, max((x.ceiling() for x in recs[i + 1:]), default=None)) for i, r in enumerate(recs))
    table.shortest = min((n for n, recs in table.items() if recs), default=0)
    return table


def scan_numbers(recognizers: list[NumberRecognizer], scan: Scan, table: ByLength | None = None) -> list[Hit]:
    """Every numeric hit; `table` is `by_length(recognizers)`, built once by the scanner.

    Runs: the same `_RUN.finditer` would give, but only those of at least `_MIN_RUN` characters (no
    shorter one holds a value) are built. The text's projection through `RUN_CLASS` shows where
    nine run characters start, so `bytes.find` skips (in C) to the first place such a run can start
    and `_LONG_RUN` is searched from there; it would have found nothing before. A run is not a value
    when a mask, a letter that is not a label, or a code's hyphen touches it: it is stepped over whole.
    A run's digits are offered whole to the recognizers that accept their length (`_best`); a spaced
    run none accepts is split into values group by group (`_split`)."""
    table = table if table is not None else by_length(recognizers)
    shortest = table.shortest
    get = table.get
    out: list[Hit] = []
    t = scan.text
    n = len(t)
    search, find = _LONG_RUN.search, scan.ascii.translate(RUN_CLASS).find
    pos = 0
    while True:
        q = find(_RUN_CHARS, pos)
        if q < 0:
            return out
        m = search(t, q)
        if m is None:
            return out
        s, e = m.span()
        pos = e
        if e - s < _MIN_RUN:
            continue
        if s:
            b = t[s - 1]
            if b in _SUSPECT_BEFORE:
                if b in _MASKS:  # 138****1234: a masked value
                    continue
                if b == "-":
                    if s > 1 and t[s - 2].isalnum():
                        continue  # tail of a hyphenated code
                elif not _glued_label_ok(t, s):
                    continue  # DD2026…, and 138xx…: part of a code or a mask
        if e < n:
            a = t[e]
            if a in _SUSPECT_AFTER and (a != "." or e + 1 < n and t[e + 1].isdigit()):
                continue  # masked, 123abc / 138xx (a code or a mask), 13800.50 (an amount)
        if m.lastindex is None:  # plain digits: one group, no prefix
            digits, body_start, plus86 = m.group(), None, False
        else:
            body_start = m.start(2) if m.group(2) else (m.end(1) if m.group(1) else s)
            # The groups' digits joined: the body without its separators (`_GROUP` keeps digits
            # and a trailing X; a run holds nothing else but spaces, dashes and an area code's brackets).
            digits, plus86 = t[body_start:e].translate(_NOT_DIGITS), m.group(1) is not None
            if len(digits) < 2 * (e - body_start) // 3 and _is_number_list(t, body_start, e):
                continue  # "1 3 4 5 6 7 8 10 11 这几个月": small numbers in a list, no value
        if len(digits) < shortest:
            continue  # a date or a code: too few digits for any value, whole or in groups
        recs = get(len(digits))
        if recs:
            best, best_score = None, 0.0
            for rec, rest_ceiling in recs:  # (`_best`, inline: this runs for every number)
                score = rec.judge(digits, scan, s, plus86)
                if score is not None and (best is None or score > best_score):
                    best, best_score = rec, score
                    if rest_ceiling is None or score >= rest_ceiling:
                        break
            if best is not None:
                out.append(Hit(best.type, s, e, best_score, best.level))
                continue
        if body_start is not None:
            _split(_groups(t, body_start, e), get, scan, out)


def _split(groups: list[tuple[int, int, str]], get, scan: Scan, out: list[Hit]) -> None:
    """A spaced run holding several values ("13812345678 15912345678"): cover the groups left to
    right with the longest value that starts at each group."""
    if len(groups) < 2:
        return
    i = 0
    while i < len(groups):
        found = None
        digits = ""
        for j in range(i, min(len(groups), i + 6)):
            digits += groups[j][2]
            if len(digits) > 19:
                break
            recs = get(len(digits))
            got = _best(recs, digits, scan, groups[i][0], False) if recs else None
            if got:
                found = (j, got)
        if found:
            j, (rec, score) = found
            out.append(Hit(rec.type, groups[i][0], groups[j][1], score, rec.level))
            i = j + 1
        else:
            i += 1


def _best(recognizers, digits, scan, start, plus86):
    """The (recognizer, score) with the highest score (the earliest on a tie), or None."""
    best = None
    for rec, rest_ceiling in recognizers:
        score = rec.judge(digits, scan, start, plus86)
        if score is not None and (best is None or score > best[1]):
            best = (rec, score)
            if rest_ceiling is None or score >= rest_ceiling:
                return best  # no later recognizer can score higher
    return best


@register
class CnIdCard(NumberRecognizer):
    type = "CN_ID_CARD"
    lengths = frozenset((15, 18))

    def judge(self, digits, scan, start, plus86):
        if plus86:
            return None
        if len(digits) == 18 and checks.id18_ok(digits):
            return self.spec.score
        if len(digits) == 15 and checks.id15_ok(digits) and not scan.negative(start):
            return self.spec.score * 0.9  # no check digit: region and birth date only
        return None


@register
class BankCard(NumberRecognizer):
    type = "BANK_CARD"
    lengths = frozenset(range(13, 20))

    def judge(self, digits, scan, start, plus86):
        if plus86 or not 13 <= len(digits) <= 19 or digits[-1] in "Xx":
            return None
        bin_ok = checks.bin_ok(digits)
        if not bin_ok and digits[:4] != "9558" or not checks.luhn_ok(digits):
            return None  # (the issuer test first: it is cheaper than Luhn and rejects most IDs)
        if scan.negative(start):
            return None
        cue = scan.cue(self.type, start)
        if bin_ok and len(digits) in (16, 19):
            return self.spec.score if cue else self.spec.score_without_context
        if cue:
            return self.spec.score
        return None


@register
class CnMobile(NumberRecognizer):
    type = "CN_MOBILE"
    lengths = frozenset((11, 13, 15))  # 138…, 86138…, 0086138…

    def judge(self, digits, scan, start, plus86):
        if len(digits) == 13 and digits.startswith("86") and not plus86:
            digits = digits[2:]
        elif len(digits) == 15 and digits.startswith("0086"):
            digits = digits[4:]
        # (`checks.is_mobile`, inline: this runs for most numbers)
        return self.spec.score if len(digits) == 11 and digits[0] == "1" and digits[1] in "3456789" else None


@register
class CnLandline(NumberRecognizer):
    type = "CN_LANDLINE"
    lengths = frozenset(range(9, 13))  # 10–12 digits; one fewer after +86, which drops the trunk 0

    def judge(self, digits, scan, start, plus86):
        if plus86 and digits[:1] != "0":
            digits = "0" + digits
        if not checks.is_landline(digits) or scan.negative(start):
            return None
        return self.spec.score


# ---- patterns with letters ---------------------------------------------------------------------

# Speed: re scans for a pattern's first character in C only when the pattern opens with a literal or
# a character class; a pattern opening with a lookbehind is tried at every position instead. So the
# patterns below consume their first character and then look behind it, e.g. `[EG](?<![0-9A-Za-z].)`
# ("E or G, and the character before it is not a letter or digit") in place of `(?<![0-9A-Za-z])[EG]`.

class RegexRecognizer(Recognizer):
    pattern: ClassVar[re.Pattern]

    def find(self, scan: Scan) -> list[Hit]:
        out = []
        for m in self.pattern.finditer(scan.text):
            h = self.accept(m, scan)
            if h:
                out.append(h)
        return out

    def accept(self, m: re.Match, scan: Scan) -> Hit | None:
        return self.hit(*m.span())


_DIGITS, _HEX = frozenset("0123456789"), frozenset("0123456789ABCDEFabcdef")


def _back(t: str, i: int, chars: frozenset) -> int:
    while i > 0 and t[i - 1] in chars:
        i -= 1
    return i


# EMAIL, found from each '@' (a C substring search) rather than by a pattern tried at every letter:
# the local part can only be the whole run of local-part characters before the '@' (a start inside
# the run follows a local-part character, which the address may not), 1–64 of them, opening with a
# letter or digit; then the domain. ASCII classes only: the local part cannot swallow the Chinese
# before it (a `\w` would).
_LOCAL_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._%+-")
_LOCAL_CLASS = class_table("".join(sorted(_LOCAL_CHARS)).encode())
_DOMAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*"
                     r"\.[A-Za-z]{2,10}(?![A-Za-z0-9])")


@register
class Email(Recognizer):
    triggers = ("@",)
    type = "EMAIL"
    hit_holds_gate = True  # the '@'

    def find(self, scan):
        t = scan.text
        out: list[Hit] = []
        last = 0  # end of the previous address: addresses do not overlap
        a = t.find("@")
        local = scan.ascii.translate(_LOCAL_CLASS) if a >= 0 else b""  # local-part characters as '#'
        while a >= 0:
            s = local.rfind(b".", 0, a) + 1  # (where the run of local-part characters before the '@' starts)
            if s >= last and 0 < a - s <= 64 and t[s].isalnum():
                d = _DOMAIN.match(t, a + 1)
                if d is not None:
                    last = d.end()
                    if "*" not in t[s:last] and "***" not in t[max(0, s - 3):s]:  # a masked address
                        out.append(self.hit(s, last))
            a = t.find("@", max(a + 1, last))
        return out


class TokenRecognizer(RegexRecognizer):
    """A value that is a whole alphanumeric token (no ASCII letter or digit on either side): the
    pattern is `[first](?<![0-9A-Za-z].)rest(?![0-9A-Za-z])`. Such values never overlap and no token
    fits two of these types (they differ in length or first character), so the scanner finds them
    for all of these recognizers in one pass (`scan_tokens`) instead of one pass each."""

    first: ClassVar[str]  # a character class, without the brackets
    rest: ClassVar[str]

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        cls.pattern = re.compile(rf"[{cls.first}](?<![0-9A-Za-z].){cls.rest}(?![0-9A-Za-z])")

    def find(self, scan: Scan) -> list[Hit]:
        return scan_tokens([self], scan)

    def accept(self, m, scan):
        """A document-number token: a hit unless a negative cue precedes it, scored up by its context cue.
        Types with a check digit override this."""
        if scan.negative(m.start()):
            return None
        return self.hit(*m.span(), with_context=scan.cue(self.type, m.start()))


_ANY_LENGTH = 1 << 20


def _width(pattern: re.Pattern) -> tuple[int, int]:
    """The shortest and longest match of `pattern` (re's own parse; any length if it cannot say)."""
    try:
        lo, hi = _re_parser.parse(pattern.pattern, pattern.flags).getwidth()
    except (AttributeError, TypeError, ValueError, re.error):  # (re's parser is internal: should it change, only this shortcut is lost)
        return 1, _ANY_LENGTH
    return max(lo, 1), min(hi, _ANY_LENGTH)


@dataclass(frozen=True, slots=True)
class _TokenPass:
    pattern: re.Pattern
    by_group: dict[str, TokenRecognizer]
    needle: bytes  # as many alphanumerics as the shortest token has characters
    shortest: int
    lengths: dict[str, frozenset[int] | range]  # first character → lengths of the tokens that can open with it


_TOKEN_PASSES: dict[tuple[int, ...], _TokenPass] = {}
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
ALNUM_CLASS = class_table(_ALNUM.encode())
# `bytes.translate(None, ALPHA_CLASS)` keeps only a projection's ASCII letters.
ALPHA_CLASS = bytes(b for b in range(256) if not (65 <= b <= 90 or 97 <= b <= 122))


def token_pass(recognizers: list[TokenRecognizer]) -> _TokenPass:
    """One pattern for several token recognizers: the union of their first characters, then each
    one's rest after a lookbehind on its own first characters, behind an empty named group that
    tells which one matched (`lastgroup`); and, for each first character, the token lengths any of
    them can match (from the patterns' widths), so that no other run is offered to the pattern."""
    key = tuple(map(id, recognizers))
    got = _TOKEN_PASSES.get(key)
    if got is None:
        union = "".join(r.first for r in recognizers)
        alts = "|".join(rf"(?<=[{r.first}])(?P<t{i}>){r.rest}" for i, r in enumerate(recognizers))
        pattern = re.compile(rf"[{union}](?<![0-9A-Za-z].)(?:{alts})(?![0-9A-Za-z])")
        lengths: dict[str, frozenset[int] | range] = {}
        for r in recognizers:
            lo, hi = _width(r.pattern)
            opens = re.compile(f"[{r.first}]").fullmatch
            for c in filter(opens, _ALNUM):
                lengths[c] = range(1, _ANY_LENGTH) if hi >= _ANY_LENGTH or isinstance(lengths.get(c), range) \
                    else frozenset(range(lo, hi + 1)) | lengths.get(c, frozenset())
        shortest = min(min(v) for v in lengths.values())
        got = _TOKEN_PASSES[key] = _TokenPass(pattern, {f"t{i}": r for i, r in enumerate(recognizers)},
                                              b"#" * shortest, shortest, lengths)
    return got


def scan_tokens(recognizers: list[TokenRecognizer], scan: Scan) -> list[Hit]:
    """The hits each recognizer's own pattern would give over the text, for all of them at once."""
    return scan_token_pass(token_pass(recognizers), scan)


def scan_token_pass(tp: _TokenPass, scan: Scan) -> list[Hit]:
    """`scan_tokens` for the recognizers of `tp` (`token_pass`).

    A token is a whole run of ASCII letters and digits (the pattern's lookarounds say so), so it can
    only start where such a run starts: the runs long enough are found in the text's alphanumeric
    projection with `bytes.find`, and the pattern is matched only at the start of a run whose first
    character and length some token can have, instead of being tried at every character of the text."""
    t = scan.text
    find = scan.ascii.translate(ALNUM_CLASS).find  # each ASCII letter or digit as '#', the rest '.'
    needle, shortest, lengths, match, by_group = tp.needle, tp.shortest, tp.lengths, tp.pattern.match, tp.by_group
    out: list[Hit] = []
    pos = 0
    while True:
        start = find(needle, pos)
        if start < 0:
            return out
        end = find(b".", start + shortest)
        if end < 0:
            end = len(t)
        if end - start in lengths.get(t[start], ()):
            m = match(t, start)
            if m is not None:
                h = by_group[m.lastgroup].accept(m, scan)
                if h:
                    out.append(h)
        pos = end


def _id_shaped() -> str:
    """A lookahead, read after a token's first character, for 17 more digits whose 6th–13th (of
    18) are certainly a birth date `checks.birth_ok` accepts: a year in a decade from 1900 that has
    fully passed, a month-day that every year has (not 0229). `CnUscc.accept` refuses all such
    tokens (ID numbers), so the token pass need not offer them; the dates it leaves to `accept`."""
    decades = "|".join(f"{d // 10}" for d in range(1900, checks._TODAY_YEAR - 9, 10))
    month_day = ("(?:0[13578]|1[02])(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)(?:0[1-9]|[12][0-9]|30)"
                 "|02(?:0[1-9]|1[0-9]|2[0-8])")
    return rf"(?<=[0-9])[0-9]{{5}}(?:{decades})[0-9](?:{month_day})[0-9]{{4}}(?![0-9A-Za-z])"


@register
class CnUscc(TokenRecognizer):
    triggers = ALPHA
    type = "CN_USCC"
    first = "0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy"
    rest = f"(?!{_id_shaped()})[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy][0-9]{{6}}[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{{10}}"

    def accept(self, m, scan):
        v = m.group().upper()
        if not checks.uscc_ok(v):  # first: the cheapest test that rejects most candidates (IDs, order numbers)
            return None
        if v.isdigit() and checks.birth_ok(v[6:14]) or scan.negative(m.start()):
            return None  # shaped like an ID number (region + birth date), or an order number: not a USCC
        return self.hit(*m.span())


@register
class CnPassport(TokenRecognizer):
    triggers = ALPHA
    type = "CN_PASSPORT"
    hit_holds_gate = True  # a letter, then digits
    # E/G ordinary, D diplomatic, S service, P public-affairs; EA1234567 (2012 format).
    first = "EeGgDdSsPp"
    rest = "(?:[0-9]{8}|(?<=[Ee])[A-HJ-NP-Za-hj-np-z][0-9]{7})"


@register
class CnHkMacauPermit(TokenRecognizer):
    triggers = ALPHA
    type = "CN_HK_MACAU_PERMIT"
    hit_holds_gate = True  # a letter, then digits
    first = "HhMm"
    rest = "[0-9]{8}(?:[0-9]{2})?"


@register
class CnTaiwanPermit(TokenRecognizer):
    triggers = ("台胞证", "台湾居民", "来往大陆")
    type = "CN_TAIWAN_PERMIT"
    # 8 digits since 2015 (earlier: 10 digits + a letter); digits alone are anything, so a cue is required.
    first = "0-9"
    rest = "(?:[0-9]{7}|[0-9]{9}[A-Za-z]?)"

    def accept(self, m, scan):
        return self.hit(*m.span()) if scan.cue(self.type, m.start(), 16) else None


_PROVINCE_ABBR = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"


@register
class LicensePlate(RegexRecognizer):
    triggers = ALPHA
    type = "LICENSE_PLATE"
    hit_holds_gate = True  # a plate letter, and `accept` asks for a digit
    # 粤B·12345, 京A12345, new-energy 粤BD12345 / 粤B12345D; the letters I and O are not issued.
    pattern = re.compile(rf"[{_PROVINCE_ABBR}][A-HJ-NP-Z][·• \-]?(?:[DF][A-HJ-NP-Z0-9]\d{{4}}|\d{{5}}[DF]|[A-HJ-NP-Z0-9]{{4}}[A-HJ-NP-Z0-9挂学警港澳])(?![0-9A-Za-z])")

    def accept(self, m, scan):
        v = m.group()
        body = v[-5:]
        if not any(c.isdigit() for c in body):
            return None
        return self.hit(*m.span())

    def find(self, scan):
        """The pattern's matches, tried only where a Chinese character is followed by a plate
        letter: found with `bytes.find` in the projection, where the character is a '?' (and the
        province test is the pattern's own), instead of re scanning for a province character."""
        t, match, accept = scan.text, self.pattern.match, self.accept
        find = scan.ascii.translate(_PLATE_CLASS).find
        out: list[Hit] = []
        pos = 0
        while True:
            q = find(b"?L", pos)
            if q < 0:
                return out
            m = match(t, q)
            if m is None:
                pos = q + 1
                continue
            h = accept(m, scan)
            if h:
                out.append(h)
            pos = m.end()


# A projection's non-ASCII characters ('?') and plate letters ('L'); anything else '.'.
_PLATE_CLASS = bytes(63 if b == 63 else 76 if 65 <= b <= 90 and b not in b"IO" else 46 for b in range(256))


_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"


# IPv4 `(?<![0-9.])OCTET(\.OCTET){3}(?![0-9]|\.[0-9])` and IPv6 `(?<![0-9A-Fa-f:])(HEX{1,4}:){7}HEX{1,4}
# (?![0-9A-Fa-f:])`, each matched from its first separator: a pattern that opens with a literal is
# found by re's fast literal search, jumping from dot to dot instead of trying every digit. The first
# octet (group) is checked by fixed-width lookbehinds, one per length, and read back in `_back`.
_V4 = re.compile(r"\.(?:(?<=(?<![0-9.])[0-9]\.)|(?<=(?<![0-9.])[1-9][0-9]\.)"
                 r"|(?<=(?<![0-9.])(?:1[0-9][0-9]|2[0-4][0-9]|25[0-5])\.))"
                 rf"{_OCTET}\.{_OCTET}\.{_OCTET}(?![0-9]|\.[0-9])")
_V6 = re.compile(r":(?:" + "|".join(rf"(?<=(?<![0-9A-Fa-f:])[0-9A-Fa-f]{{{k}}}:)" for k in range(1, 5)) + ")"
                 r"(?:[0-9A-Fa-f]{1,4}:){6}[0-9A-Fa-f]{1,4}(?![0-9A-Fa-f:])")
@register
class IpAddress(Recognizer):
    triggers = (".", ":")
    type = "IP_ADDRESS"

    def wanted(self, t):
        return t.count(".") >= 3 or t.count(":") >= 7  # an IPv4 has three dots, an IPv6 seven colons

    def find(self, scan):
        # Lookarounds on digits and dots only, so an IP glued to Chinese text is still found.
        t = scan.text
        found = []
        if t.count(".") >= 3:
            found += [(_back(t, m.start(), _DIGITS), m.end()) for m in _V4.finditer(t)]
        if t.count(":") >= 7:
            found += [(_back(t, m.start(), _HEX), m.end()) for m in _V6.finditer(t)]
        if len(found) > 1:
            found.sort()  # leftmost first, skipping overlaps: as one alternation's scan would
        out, last = [], -1
        for s, e in found:
            if s < last:
                continue
            last = e
            if s > 0 and t[s - 1] in "vV":
                continue  # v1.2.3.4: a version number
            out.append(self.hit(s, e))
        return out


class CuedRecognizer(RegexRecognizer):
    """A value that is PII only after its cue word (微信号：…, QQ …, 验证码 …): group 1 is the value,
    and the pattern's only group. The scanner finds all of them in one pass (`scan_cued`)."""

    def accept(self, m, scan):
        return self.value_hit(*m.span(1))

    def value_hit(self, start: int, end: int) -> Hit:
        return self.hit(start, end)


def _first_chars(pattern: re.Pattern) -> set[str] | None:
    """The characters a match of `pattern` can open with, read from its parsed form (a class, a
    literal, or an alternation of those); None if it opens otherwise."""
    def first(items) -> set[str] | None:
        if not items:
            return None
        op, av = items[0]
        if op is _re_constants.LITERAL:
            return {chr(av)}
        if op is _re_constants.IN:
            out = set()
            for kind, arg in av:
                if kind is _re_constants.LITERAL:
                    out.add(chr(arg))
                elif kind is _re_constants.RANGE and arg[1] - arg[0] < 256:
                    out.update(map(chr, range(arg[0], arg[1] + 1)))
                else:
                    return None
            return out
        if op is _re_constants.BRANCH:
            out = set()
            for alt in av[1]:
                got = first(alt)
                if got is None:
                    return None
                out |= got
            return out
        if op is _re_constants.SUBPATTERN:
            return first(av[3])
        return None
    try:
        return first(_re_parser.parse(pattern.pattern, pattern.flags).data)
    except (AttributeError, TypeError, ValueError, re.error):  # (re's parser is internal: if it changes, the cued types are scanned one by one)
        return None


@dataclass(frozen=True, slots=True)
class _CuedPass:
    pattern: re.Pattern
    recognizers: tuple[CuedRecognizer, ...]  # by `lastindex // 2 - 1`


def cued_pass(recognizers: list[CuedRecognizer]) -> _CuedPass | None:
    """One pattern for several cued recognizers whose matches open with different characters (so at
    most one can match at a place): the union of those characters, consumed, then each pattern
    read from that character in a lookahead, followed by an empty group. A match of the pass is a
    match of one recognizer's pattern starting there: `lastindex` (the empty group) tells which and
    where it ends, the group before it is the value. None if the patterns do not allow this."""
    firsts = [_first_chars(r.pattern) for r in recognizers]
    if any(f is None for f in firsts) or sum(map(len, firsts)) != len(set().union(*firsts)) \
            or any(r.pattern.groups != 1 for r in recognizers):
        return None
    union = "".join(re.escape(c) for c in sorted(set().union(*firsts)))
    alts = "|".join(f"(?:{r.pattern.pattern})()" for r in recognizers)
    return _CuedPass(re.compile(f"[{union}](?<=(?={alts}).)"), tuple(recognizers))


def scan_cued(cp: _CuedPass, scan: Scan) -> list[Hit]:
    """The hits each recognizer's own `find` would give (`cued_pass`): a recognizer's matches do not
    overlap one another, as its own scan would have stepped over them."""
    out: list[Hit] = []
    last_end = [0] * len(cp.recognizers)
    for m in cp.pattern.finditer(scan.text):
        end_group = m.lastindex
        i = end_group // 2 - 1
        start = m.start()
        if start < last_end[i]:
            continue
        last_end[i] = m.end(end_group)
        out.append(cp.recognizers[i].value_hit(*m.span(end_group - 1)))
    return out


@register
class WechatId(CuedRecognizer):
    triggers = ("微信", "信", "vx", "VX", "Vx", "wx", "WX", "eixin", "echat", "eChat", "加v", "加V")
    type = "WECHAT_ID"
    # A WeChat id starts with a letter, 6–20 of [A-Za-z0-9_-]; a mobile used as the id is a CN_MOBILE.
    pattern = re.compile(r"[微薇威维VvWw加](?<![A-Za-z].)(?:(?<=微)信号?|(?<=[薇威维Vv])信|(?<=[Vv])[Xx]|(?<=[Ww])[Xx]"
                         r"|(?<=[Ww])eixin|(?<=[Ww])e[Cc]hat|(?<=加)[Vv](?![A-Za-z]))"
                         r"(?:号码|号|ID|id)?\s*(?::|=|是|为|加|搜索|搜)?\s*([A-Za-z][A-Za-z0-9_\-]{5,19})(?![A-Za-z0-9_\-])")


@register
class QqNumber(CuedRecognizer):
    triggers = ("QQ", "qq", "Qq", "扣扣", "企鹅")
    type = "QQ_NUMBER"
    pattern = re.compile(r"[Qq扣企](?<![A-Za-z].)(?:(?<=Q)Q|(?<=q)q|(?<=Q)q|(?<=扣)扣|(?<=企)鹅号?)(?:号码|号|群)?\s*(?::|=|是|为)?\s*([1-9]\d{4,10})(?!\d)")

    def value_hit(self, start, end):
        return Hit(self.type, start, end, 0.97, self.level)  # the cue makes it QQ even if it looks like a phone


@register
class AuthSecret(CuedRecognizer):
    triggers = ("密码", "码", "CVV", "cvv", "CVN", "cvn", "有效期")
    type = "AUTH_SECRET"
    pattern = re.compile(r"(?:交易密码|支付密码|登录密码|取款密码|查询密码|密码|验证码|动态码|校验码|CVV2?|cvv2?|CVN2|cvn2|安全码|有效期)"
                         r"\s*(?:是|为|:|=)?\s*((?:0[1-9]|1[0-2])/\d{2}(?!\d)|\d{3,8}(?![0-9A-Za-z]))")
