"""Pattern recognizers: one small class per PII type, each registered by its type name.

All of them read the folded text (`text.fold`: same length as the original, so offsets carry over).
Numbers are found once per text as digit runs (digits joined by single spaces or dashes, an optional
`+86` and `(010)` area code) and every numeric recognizer judges the same runs: a value must be a
whole run, or a whole group sequence within a spaced run, never digits cut out of a longer number.
A run touching a mask character (138****1234) is a masked value, not a hit.

Speed (the scanner runs every recognizer on every text): patterns open with a character class or a
literal, which re scans for in C, rather than a lookbehind, which makes re try the whole pattern at
every position; values that are whole alphanumeric tokens (USCC, passports, permits) share one pass;
e-mail and IP addresses are found from their '@', '.' or ':'; and no Python work is done for digit
runs too short to hold a value. Each rewrite matches exactly what the plain pattern did (the PII
tests and `eval/pii` check this).
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from . import checks

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

    __slots__ = ("_cue_res", "config", "text", "window")

    def __init__(self, text: str, config, cue_res: dict[str, re.Pattern]):
        self.text = text
        self.config = config
        self.window = config.context_window
        self._cue_res = cue_res

    def cue(self, kind: str, start: int, window: int | None = None) -> bool:
        w = window or self.window
        pattern = self._cue_res.get(kind)
        return bool(pattern and pattern.search(self.text, max(0, start - w), start))

    def negative(self, start: int) -> bool:
        return self.cue("_negative", start)


class Recognizer(ABC):
    type: ClassVar[str]
    # Substrings one of which must occur for the recognizer to be worth running (checked at C
    # speed before the regular expression); ALPHA means "an ASCII letter".
    triggers: ClassVar[tuple[str, ...]] = ()

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
        """`wanted` as data the scanner tests inline: (GATE_*, argument)."""
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
# Digit groups joined by one space or a dash (with optional spaces): possessive, since the longest
# run is the one wanted and re need not keep a way back (a per-digit alternation with lookaheads
# cost more than everything else the scan does per number).
_RUN = re.compile(r"(?<![0-9.])(\+?86[ \-]?)?(\(0[0-9]{2,3}\) ?)?[0-9]++(?:(?: ?- ?| )[0-9]++)*+(?:[Xx](?![A-Za-z0-9]))?")
# Where a run of at least 9 characters can start (no value is shorter than 9 digits). `_RUN` opens
# with a lookbehind, so re tries it at every position from Python's side of the engine; this
# pattern opens with a character class, which re scans for in C, and its lookbehind is placed
# after that first character ("the character before it is not a digit or dot").
_LONG_RUN_START = re.compile(r"[0-9+(](?<![0-9.].)[0-9 +\-()Xx]{8}")
_MIN_RUN = 9
_GROUP = re.compile(r"[0-9]+[Xx]?")
_MASKS = frozenset("*＊×#")
_SEPARATORS = frozenset(" -+()")
# Letters that may sit glued to a number as a label (QQ123…, ID110…, Tel13…); any other letters
# make the number part of a code (DD2026…, SN…): not PII.
_LABELS = frozenset({"qq", "id", "tel", "vx", "wx", "no", "mobile", "phone", "card", "cell", "mob", "sfz", "idcard"})


def _glued_label_ok(t: str, s: int) -> bool:
    i = s
    while i > 0 and t[i - 1].isascii() and t[i - 1].isalpha():
        i -= 1
    return i == s or t[i:s].lower() in _LABELS


def _digit_runs(t: str):
    """(start, end, digits, groups, plus86) of each run of at least `_MIN_RUN` characters that can
    hold a value, in text order; `groups` is None for a run of plain digits (one group).

    Same runs as `_RUN.finditer` would give (shorter ones hold no value and are not built): the
    search jumps between possible long-run starts and `_RUN` is matched only there. A jump can land
    inside a short run the plain scan would have stepped over; the piece matched there is shorter
    still and ends where that run ends, so the scan resynchronises."""
    n = len(t)
    search, match = _LONG_RUN_START.search, _RUN.match
    pos = 0
    while True:
        f = search(t, pos)
        if f is None:
            return
        s = f.start()
        m = match(t, s)
        if m is None:
            pos = s + 1
            continue
        e = pos = m.end()
        if e - s < _MIN_RUN:
            continue
        if s:
            b = t[s - 1]
            if b in _MASKS:  # 138****1234: a masked value
                continue
            if b.isascii() and b.isalpha() and not _glued_label_ok(t, s):
                continue  # DD2026…, and 138xx…: part of a code or a mask
            if b == "-" and s > 1 and t[s - 2].isalnum():
                continue  # tail of a hyphenated code
        if e < n:
            a = t[e]
            if a in _MASKS or a.isascii() and a.isalnum() or a == "." and e + 1 < n and t[e + 1].isdigit():
                continue  # masked, 123abc / 138xx (a code or a mask), 13800.50 (an amount)
        seg = m.group()
        if m.lastindex is None and _SEPARATORS.isdisjoint(seg):  # plain digits: one group, no prefix
            yield s, e, seg, None, False
            continue
        body_start = m.start(2) if m.group(2) else (m.end(1) if m.group(1) else s)
        groups = [(g.start(), g.end(), g.group()) for g in _GROUP.finditer(t, body_start, e)]
        yield s, e, "".join(d for _, _, d in groups), groups, bool(m.group(1))


class NumberRecognizer(Recognizer):
    """Judges a candidate digit string; `scan_numbers` offers whole runs first, then group sequences."""

    # Every length of digit string `judge` can accept: candidates of other lengths are not offered.
    lengths: ClassVar[frozenset[int]]

    @abstractmethod
    def judge(self, digits: str, scan: Scan, start: int, plus86: bool) -> float | None:
        """The score if `digits` (starting at `start`) is a value of this type, else None."""

    def find(self, scan: Scan) -> list[Hit]:
        return []  # numbers are dispatched together by `scan_numbers`, so runs are judged once


class ByLength(dict):
    """Digit-string length → the recognizers that can accept it, in their registration order."""

    shortest: int  # no recognizer accepts fewer digits


def by_length(recognizers: list[NumberRecognizer]) -> ByLength:
    longest = max((max(r.lengths) for r in recognizers), default=0)
    table = ByLength((n, tuple(r for r in recognizers if n in r.lengths)) for n in range(longest + 1))
    table.shortest = min((n for n, recs in table.items() if recs), default=0)
    return table


def scan_numbers(recognizers: list[NumberRecognizer], scan: Scan, table: ByLength | None = None) -> list[Hit]:
    """Every numeric hit; `table` is `by_length(recognizers)`, built once by the scanner."""
    table = table if table is not None else by_length(recognizers)
    shortest = table.shortest
    out: list[Hit] = []
    for start, end, digits, groups, plus86 in _digit_runs(scan.text):
        if len(digits) < shortest:
            continue  # a date or a code: too few digits for any value, whole or in groups
        recs = table.get(len(digits))
        best = _best(recs, digits, scan, start, plus86) if recs else None
        if best:
            rec, score = best
            out.append(Hit(rec.type, start, end, score, rec.level))
            continue
        if groups is None or len(groups) < 2:
            continue
        # A spaced run holding several values ("13812345678 15912345678"): cover the groups left to
        # right with the longest value that starts at each group.
        i = 0
        while i < len(groups):
            found = None
            digits = ""
            for j in range(i, min(len(groups), i + 6)):
                digits += groups[j][2]
                if len(digits) > 19:
                    break
                recs = table.get(len(digits))
                got = _best(recs, digits, scan, groups[i][0], False) if recs else None
                if got:
                    found = (j, got)
            if found:
                j, (rec, score) = found
                out.append(Hit(rec.type, groups[i][0], groups[j][1], score, rec.level))
                i = j + 1
            else:
                i += 1
    return out


def _best(recognizers, digits, scan, start, plus86):
    if len(recognizers) == 1:
        rec = recognizers[0]
        score = rec.judge(digits, scan, start, plus86)
        return None if score is None else (rec, score)
    best = None
    for rec in recognizers:
        score = rec.judge(digits, scan, start, plus86)
        if score is not None and (best is None or score > best[1]):
            best = (rec, score)
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
        return self.spec.score if checks.is_mobile(digits) else None


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
_DOMAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*"
                     r"\.[A-Za-z]{2,10}(?![A-Za-z0-9])")


@register
class Email(Recognizer):
    triggers = ("@",)
    type = "EMAIL"

    def find(self, scan):
        t = scan.text
        out: list[Hit] = []
        last = 0  # end of the previous address: addresses do not overlap
        a = t.find("@")
        while a >= 0:
            s = _back(t, a, _LOCAL_CHARS)
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


_TOKEN_PATTERNS: dict[tuple[int, ...], tuple[re.Pattern, dict[str, TokenRecognizer]]] = {}


def _token_pattern(recognizers: list[TokenRecognizer]) -> tuple[re.Pattern, dict[str, TokenRecognizer]]:
    """One pattern for several token recognizers: the union of their first characters (so re scans
    for it in C), then each one's rest after a lookbehind on its own first characters, behind an
    empty named group that tells which one matched (`lastgroup`)."""
    key = tuple(map(id, recognizers))
    got = _TOKEN_PATTERNS.get(key)
    if got is None:
        union = "".join(r.first for r in recognizers)
        alts = "|".join(rf"(?<=[{r.first}])(?P<t{i}>){r.rest}" for i, r in enumerate(recognizers))
        got = _TOKEN_PATTERNS[key] = (re.compile(rf"[{union}](?<![0-9A-Za-z].)(?:{alts})(?![0-9A-Za-z])"),
                                      {f"t{i}": r for i, r in enumerate(recognizers)})
    return got


def scan_tokens(recognizers: list[TokenRecognizer], scan: Scan) -> list[Hit]:
    """The hits each recognizer's own `find` would give, from one pass for all of them."""
    pattern, by_group = _token_pattern(recognizers)
    out: list[Hit] = []
    for m in pattern.finditer(scan.text):
        h = by_group[m.lastgroup].accept(m, scan)
        if h:
            out.append(h)
    return out


@register
class CnUscc(TokenRecognizer):
    triggers = ALPHA
    type = "CN_USCC"
    first = "0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy"
    rest = "[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy][0-9]{6}[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{10}"

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
    # E/G ordinary, D diplomatic, S service, P public-affairs; EA1234567 (2012 format).
    first = "EeGgDdSsPp"
    rest = "(?:[0-9]{8}|(?<=[Ee])[A-HJ-NP-Za-hj-np-z][0-9]{7})"

    def accept(self, m, scan):
        if scan.negative(m.start()):
            return None
        return self.hit(*m.span(), with_context=scan.cue(self.type, m.start()))


@register
class CnHkMacauPermit(TokenRecognizer):
    triggers = ALPHA
    type = "CN_HK_MACAU_PERMIT"
    first = "HhMm"
    rest = "[0-9]{8}(?:[0-9]{2})?"

    def accept(self, m, scan):
        if scan.negative(m.start()):
            return None
        return self.hit(*m.span(), with_context=scan.cue(self.type, m.start()))


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
    # 粤B·12345, 京A12345, new-energy 粤BD12345 / 粤B12345D; the letters I and O are not issued.
    pattern = re.compile(rf"[{_PROVINCE_ABBR}][A-HJ-NP-Z][·• \-]?(?:[DF][A-HJ-NP-Z0-9]\d{{4}}|\d{{5}}[DF]|[A-HJ-NP-Z0-9]{{4}}[A-HJ-NP-Z0-9挂学警港澳])(?![0-9A-Za-z])")

    def accept(self, m, scan):
        v = m.group()
        body = v[-5:]
        if not any(c.isdigit() for c in body):
            return None
        return self.hit(*m.span())


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
    """A value that is PII only after its cue word (微信号：…, QQ …, 验证码 …): group 1 is the value."""

    def accept(self, m, scan):
        return self.hit(*m.span(1))


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

    def accept(self, m, scan):
        return Hit(self.type, *m.span(1), 0.97, self.level)  # the cue makes it QQ even if it looks like a phone


@register
class AuthSecret(CuedRecognizer):
    triggers = ("密码", "码", "CVV", "cvv", "CVN", "cvn", "有效期")
    type = "AUTH_SECRET"
    pattern = re.compile(r"(?:交易密码|支付密码|登录密码|取款密码|查询密码|密码|验证码|动态码|校验码|CVV2?|cvv2?|CVN2|cvn2|安全码|有效期)"
                         r"\s*(?:是|为|:|=)?\s*((?:0[1-9]|1[0-2])/\d{2}(?!\d)|\d{3,8}(?![0-9A-Za-z]))")
