"""Pattern recognizers: one small class per PII type, each registered by its type name.

All of them read the folded text (`text.fold`: same length as the original, so offsets carry over).
Numbers are found once per text as digit runs (digits joined by single spaces or dashes, an optional
`+86` and `(010)` area code) and every numeric recognizer judges the same runs: a value must be a
whole run, or a whole group sequence within a spaced run, never digits cut out of a longer number.
A run touching a mask character (138****1234) is a masked value, not a hit.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from . import checks

REGISTRY: dict[str, type[Recognizer]] = {}
ALPHA = ("ALPHA",)


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


@dataclass(slots=True)
class Run:
    start: int
    end: int
    digits: str
    groups: list[tuple[int, int, str]]  # (start, end, digits) of each separator-delimited group
    plus86: bool


class Scan:
    """One text being scanned: the folded text, its digit runs (computed once) and cue look-ups."""

    __slots__ = ("_cue_res", "_runs", "config", "text")

    def __init__(self, text: str, config, cue_res: dict[str, re.Pattern]):
        self.text = text
        self.config = config
        self._runs: list[Run] | None = None
        self._cue_res = cue_res

    def runs(self) -> list[Run]:
        if self._runs is None:
            self._runs = list(_digit_runs(self.text))
        return self._runs

    def cue(self, kind: str, start: int, window: int | None = None) -> bool:
        w = window or self.config.context_window
        pattern = self._cue_res.get(kind)
        return bool(pattern and pattern.search(self.text, max(0, start - w), start))

    def negative(self, start: int) -> bool:
        return self.cue("_negative", start)


class Recognizer(ABC):
    type: ClassVar[str]
    # Substrings one of which must occur for the recognizer to be worth running (checked at C
    # speed before the regular expression);  means "an ASCII letter".
    triggers: ClassVar[tuple[str, ...]] = ()

    def __init__(self, spec):
        self.spec = spec
        self.level = spec.level

    @abstractmethod
    def find(self, scan: Scan) -> list[Hit]:
        """Every hit of this type in the scanned text."""

    def hit(self, start: int, end: int, with_context: bool = True) -> Hit:
        return Hit(self.type, start, end, self.spec.score if with_context else self.spec.score_without_context,
                   self.level)


# ---- digit runs ---------------------------------------------------------------------------------

_RUN = re.compile(r"(?<![0-9.])(\+?86[ \-]?)?(\(0\d{2,3}\) ?)?\d(?:\d| ?- ?(?=\d)| (?=\d))*(?:[Xx](?![A-Za-z0-9]))?")
_GROUP = re.compile(r"\d+[Xx]?")
_MASKS = frozenset("*＊×#")
# Letters that may sit glued to a number as a label (QQ123…, ID110…, Tel13…); any other letters
# make the number part of a code (DD2026…, SN…): not PII.
_LABELS = frozenset({"qq", "id", "tel", "vx", "wx", "no", "mobile", "phone", "card", "cell", "mob", "sfz", "idcard"})


def _glued_label_ok(t: str, s: int) -> bool:
    i = s
    while i > 0 and t[i - 1].isascii() and t[i - 1].isalpha():
        i -= 1
    return i == s or t[i:s].lower() in _LABELS


def _touches_mask(t: str, s: int, e: int) -> bool:
    before = t[s - 1] if s > 0 else ""
    after = t[e] if e < len(t) else ""
    if before in _MASKS or after in _MASKS:
        return True
    # 138xxxx5678: two mask letters next to the run
    return t[e:e + 2].lower() == "xx" or (s >= 2 and t[s - 2:s].lower() == "xx")


def _digit_runs(t: str):
    n = len(t)
    for m in _RUN.finditer(t):
        s, e = m.span()
        if not _glued_label_ok(t, s) or _touches_mask(t, s, e):
            continue
        if e < n and (t[e].isascii() and t[e].isalnum() or (t[e] == "." and e + 1 < n and t[e + 1].isdigit())):
            continue  # 123abc, 13800.50: a code or an amount
        if s > 0 and t[s - 1] == "-" and s > 1 and t[s - 2].isalnum():
            continue  # tail of a hyphenated code
        body_start = m.start(2) if m.group(2) else (m.end(1) if m.group(1) else s)
        groups = [(a, b, d) for a, b, d in ((g.start(), g.end(), g.group()) for g in _GROUP.finditer(t, body_start, e))]
        digits = "".join(d for _, _, d in groups)
        yield Run(s, e, digits, groups, bool(m.group(1)))


class NumberRecognizer(Recognizer):
    """Judges a candidate digit string; `scan_runs` offers whole runs first, then group sequences."""

    @abstractmethod
    def judge(self, digits: str, scan: Scan, start: int, plus86: bool) -> float | None:
        """The score if `digits` (starting at `start`) is a value of this type, else None."""

    def find(self, scan: Scan) -> list[Hit]:
        return []  # numbers are dispatched together by `scan_numbers`, so runs are judged once


def scan_numbers(recognizers: list[NumberRecognizer], scan: Scan) -> list[Hit]:
    out: list[Hit] = []
    for run in scan.runs():
        best = _best(recognizers, run.digits, scan, run.start, run.plus86)
        if best:
            rec, score = best
            out.append(Hit(rec.type, run.start, run.end, score, rec.level))
            continue
        if len(run.groups) < 2:
            continue
        # A spaced run holding several values ("13812345678 15912345678"): cover the groups left to
        # right with the longest value that starts at each group.
        i, groups = 0, run.groups
        while i < len(groups):
            found = None
            digits = ""
            for j in range(i, min(len(groups), i + 6)):
                digits += groups[j][2]
                if len(digits) > 19:
                    break
                got = _best(recognizers, digits, scan, groups[i][0], False)
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
    best = None
    for rec in recognizers:
        score = rec.judge(digits, scan, start, plus86)
        if score is not None and (best is None or score > best[1]):
            best = (rec, score)
    return best


@register
class CnIdCard(NumberRecognizer):
    type = "CN_ID_CARD"

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

    def judge(self, digits, scan, start, plus86):
        if plus86 or not 13 <= len(digits) <= 19 or digits[-1] in "Xx" or not checks.luhn_ok(digits):
            return None
        if scan.negative(start):
            return None
        cue = scan.cue(self.type, start)
        if checks.bin_ok(digits) and len(digits) in (16, 19):
            return self.spec.score if cue else self.spec.score_without_context
        if cue and (checks.bin_ok(digits) or digits[:4] == "9558"):
            return self.spec.score
        return None


@register
class CnMobile(NumberRecognizer):
    type = "CN_MOBILE"

    def judge(self, digits, scan, start, plus86):
        if len(digits) == 13 and digits.startswith("86") and not plus86:
            digits = digits[2:]
        elif len(digits) == 15 and digits.startswith("0086"):
            digits = digits[4:]
        return self.spec.score if checks.is_mobile(digits) else None


@register
class CnLandline(NumberRecognizer):
    type = "CN_LANDLINE"

    def judge(self, digits, scan, start, plus86):
        if plus86 and digits[:1] != "0":
            digits = "0" + digits
        if not checks.is_landline(digits) or scan.negative(start):
            return None
        return self.spec.score


# ---- patterns with letters ---------------------------------------------------------------------

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


@register
class Email(RegexRecognizer):
    triggers = ("@",)
    type = "EMAIL"
    # ASCII classes only: the local part cannot swallow the Chinese before it (a `\w` would).
    pattern = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
                         r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,10}(?![A-Za-z0-9])")

    def accept(self, m, scan):
        if "*" in m.group() or "***" in scan.text[max(0, m.start() - 3):m.start()]:
            return None
        return self.hit(*m.span())


@register
class CnUscc(RegexRecognizer):
    triggers = ALPHA
    type = "CN_USCC"
    pattern = re.compile(r"(?<![0-9A-Za-z])[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{2}\d{6}[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{10}(?![0-9A-Za-z])")

    def accept(self, m, scan):
        v = m.group().upper()
        if v.isdigit() and checks.birth_ok(v[6:14]) or scan.negative(m.start()):
            return None  # shaped like an ID number (region + birth date), or an order number: not a USCC
        return self.hit(*m.span()) if checks.uscc_ok(v) else None


@register
class CnPassport(RegexRecognizer):
    triggers = ALPHA
    type = "CN_PASSPORT"
    # E/G ordinary, D diplomatic, S service, P public-affairs; EA1234567 (2012 format).
    pattern = re.compile(r"(?<![0-9A-Za-z])(?:[EeGgDdSsPp]\d{8}|[Ee][A-HJ-NP-Za-hj-np-z]\d{7})(?![0-9A-Za-z])")

    def accept(self, m, scan):
        if scan.negative(m.start()):
            return None
        return self.hit(*m.span(), with_context=scan.cue(self.type, m.start()))


@register
class CnHkMacauPermit(RegexRecognizer):
    triggers = ALPHA
    type = "CN_HK_MACAU_PERMIT"
    pattern = re.compile(r"(?<![0-9A-Za-z])[HhMm]\d{8}(?:\d{2})?(?![0-9A-Za-z])")

    def accept(self, m, scan):
        if scan.negative(m.start()):
            return None
        return self.hit(*m.span(), with_context=scan.cue(self.type, m.start()))


@register
class CnTaiwanPermit(RegexRecognizer):
    triggers = ("台胞证", "台湾居民", "来往大陆")
    type = "CN_TAIWAN_PERMIT"
    # 8 digits since 2015 (earlier: 10 digits + a letter); digits alone are anything, so a cue is required.
    pattern = re.compile(r"(?<![0-9A-Za-z])(?:\d{8}|\d{10}[A-Za-z]?)(?![0-9A-Za-z])")

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


_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"


@register
class IpAddress(RegexRecognizer):
    triggers = (".", ":")
    type = "IP_ADDRESS"
    # Lookarounds on digits and dots only, so an IP glued to Chinese text is still found.
    pattern = re.compile(rf"(?<![0-9.]){_OCTET}(?:\.{_OCTET}){{3}}(?![0-9]|\.\d)"
                         r"|(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}(?![0-9A-Fa-f:])")

    def accept(self, m, scan):
        t = scan.text
        if m.start() > 0 and t[m.start() - 1] in "vV":
            return None  # v1.2.3.4: a version number
        return self.hit(*m.span())


class CuedRecognizer(RegexRecognizer):
    """A value that is PII only after its cue word (微信号：…, QQ …, 验证码 …): group 1 is the value."""

    def accept(self, m, scan):
        return self.hit(*m.span(1))


@register
class WechatId(CuedRecognizer):
    triggers = ("微信", "信", "vx", "VX", "Vx", "wx", "WX", "eixin", "echat", "eChat", "加v", "加V")
    type = "WECHAT_ID"
    # A WeChat id starts with a letter, 6–20 of [A-Za-z0-9_-]; a mobile used as the id is a CN_MOBILE.
    pattern = re.compile(r"(?<![A-Za-z])(?:微信号?|薇信|威信|维信|[Vv]信|[Vv][Xx]|[Ww][Xx]|[Ww]eixin|[Ww]e[Cc]hat|加[Vv](?![A-Za-z]))"
                         r"(?:号码|号|ID|id)?\s*(?::|=|是|为|加|搜索|搜)?\s*([A-Za-z][A-Za-z0-9_\-]{5,19})(?![A-Za-z0-9_\-])")


@register
class QqNumber(CuedRecognizer):
    triggers = ("QQ", "qq", "Qq", "扣扣", "企鹅")
    type = "QQ_NUMBER"
    pattern = re.compile(r"(?<![A-Za-z])(?:QQ|qq|Qq|扣扣|企鹅号?)(?:号码|号|群)?\s*(?::|=|是|为)?\s*([1-9]\d{4,10})(?!\d)")

    def accept(self, m, scan):
        return Hit(self.type, *m.span(1), 0.97, self.level)  # the cue makes it QQ even if it looks like a phone


@register
class AuthSecret(CuedRecognizer):
    triggers = ("密码", "码", "CVV", "cvv", "CVN", "cvn", "有效期")
    type = "AUTH_SECRET"
    pattern = re.compile(r"(?:交易密码|支付密码|登录密码|取款密码|查询密码|密码|验证码|动态码|校验码|CVV2?|cvv2?|CVN2|cvn2|安全码|有效期)"
                         r"\s*(?:是|为|:|=)?\s*((?:0[1-9]|1[0-2])/\d{2}(?!\d)|\d{3,8}(?![0-9A-Za-z]))")
