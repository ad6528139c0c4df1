"""Contact artefacts in a complaint: the phones, WeChat/QQ ids, e-mails, accounts and agent names
that a 代理维权 agency leaves behind when it files for many paying debtors.

`extract_artefacts(text, meta)` returns `Artefact`s with values normalised (NFKC, so full-width
digits count; spaces and dashes inside a number removed; +86/0086 stripped) and offsets into the
ORIGINAL text, so a reviewer sees exactly what matched. What it deliberately does not return:

* digits inside a longer digit run (order numbers, card numbers, ID numbers) as phones: a phone must
  start and end on a group boundary of the run;
* masked values (`138****1234`, `6222********1234`): they identify nobody;
* service numbers (400/800, 95xxx) and short codes (12378, 12315): every customer of a lender quotes
  the same hotline, which links nobody;
* WeChat/QQ ids without their cue (微信/VX/vx/wx/薇信/V信/QQ/扣扣 …): a bare word or number is no id;
* agent names without a cue (法务/律师/代理人/委托代理人/联系人/顾问) and a known surname.

The complainant's own phone is an artefact like any other: by itself it proves nothing. The gang
linker (`gangs.GangLinker`) links *distinct customers* that share one — the pattern of a debtor
handing over a SIM, or an agency putting its own number on every complaint.

Cost: a handful of regular-expression passes over the text, linear in its length.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from xiaobao.domain.errors import InvalidValue
from xiaobao.domain.identity import normalize, validate_cn_id, validate_phone
from xiaobao.engines.textnorm import folded_with_offsets, nfkc_with_offsets

KINDS = ("mobile", "landline", "wechat", "qq", "email", "bank_account", "agent_name")
PHONE_KINDS = frozenset({"mobile", "landline"})

SERVICE_NUMBER = re.compile(r"^(?:400|800)\d{7}$|^95\d{3,6}$|^1\d{4}$|^10\d{3,6}$")
"""Hotlines and short codes: the lender's 95xxx/400 numbers, 12378, 12315, 10086 …"""


@dataclass(frozen=True, slots=True)
class Artefact:
    """One contact artefact. `start`/`end` index the original text; None when it came from `meta`."""

    kind: str
    value: str
    start: int | None = None
    end: int | None = None
    source: str = "text"

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.value)


def is_service_number(value: str) -> bool:
    return bool(SERVICE_NUMBER.match(value))


# ---- offset-preserving normalisation ----------------------------------------------------------


def normalize_with_offsets(text: str, *, drop_spaces: bool = False, lower: bool = False) -> tuple[str, list[int]]:
    """NFKC per character, keeping for each output character the index of its source character.

    `origin[k]` is the index in `text` of the character that produced output character k, so an
    output span (s, e) maps back to (origin[s], origin[e - 1] + 1). The two forms the engines use
    (plain, and lower-cased without whitespace) run on precomputed tables (`engines.textnorm`), with
    the same result as the per-character loop.
    """
    if drop_spaces and lower:
        return folded_with_offsets(text)
    if not drop_spaces and not lower:
        return nfkc_with_offsets(text)
    return _normalize_per_char(text, drop_spaces=drop_spaces, lower=lower)


def _normalize_per_char(text: str, *, drop_spaces: bool = False, lower: bool = False) -> tuple[str, list[int]]:
    """The reference definition of `normalize_with_offsets`: one character at a time."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        n = unicodedata.normalize("NFKC", ch) if ord(ch) > 0x7F else ch
        if lower:
            n = n.lower()
        for c in n:
            if drop_spaces and c.isspace():
                continue
            out.append(c)
            origin.append(i)
    return "".join(out), origin


def to_original(origin: list[int], start: int, end: int) -> tuple[int, int]:
    return origin[start], origin[end - 1] + 1


# ---- patterns (on the NFKC text) --------------------------------------------------------------

_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,10}(?![A-Za-z])")
# A digit run: groups of digits joined by at most three separator characters (space, dashes, brackets).
_RUN = re.compile(r"\d+(?:[ \t\u00a0\-‐‑–—()]{1,3}\d+)*")
_GROUP = re.compile(r"\d+")
_MASK_CHARS = frozenset("*×#")
_MASK_LETTERS = frozenset("xX")
_WECHAT_CUE = r"(?<![A-Za-z])(?:微信号?|薇信|威信|维信|[Vv]信|[Vv][Xx]|[Ww][Xx]|[Ww]eixin|[Ww]e[Cc]hat|加[Vv](?![A-Za-z]))"
_FILLER = r"(?:号码|号|ID|id)?\s*(?::|=|是|为|加|搜索|搜)?\s*"
_WECHAT = re.compile(_WECHAT_CUE + _FILLER + r"([A-Za-z][A-Za-z0-9_\-]{5,19}(?![A-Za-z0-9_\-])|1[3-9]\d{9}(?!\d))")
_WECHAT_SAME = re.compile(_WECHAT_CUE + r"\s*(?:同号|同手机号?|同电话)|同微(?:信)?")
_QQ = re.compile(r"(?<![A-Za-z])(?:QQ|qq|Qq|扣扣|企鹅)(?:号码|号|群)?\s*(?::|=|是|为)?\s*([1-9]\d{4,10})(?!\d)")
_ACCOUNT_CUE = re.compile(r"(?:卡号|账号|帐号|账户|帐户|银行卡|收款|转账|转到|打款|汇款|对公|开户)[^0-9]{0,8}$")
# Characters every match of a cue pattern contains (one of them): a text without any needs no scan.
_WECHAT_HINT = re.compile("[微薇威维VvWw]")     # _WECHAT and _WECHAT_SAME (同微信 included)
_QQ_HINT = re.compile("[Qq扣企]")
_AGENT_HINT = re.compile("[代法律联顾]")          # 代理人/委托代理人/代理律师, 法务/法律顾问, 律师, 联系人, 顾问
_AGENT_CUE = re.compile(r"(?:委托代理人|代理律师|代理人|法务专员|法务|律师|联系人|法律顾问|顾问)\s*[:：]?\s*([\u4e00-\u9fff]{1,5})")

# Common single-character surnames, minus those that are everyday function words (和, 向, 时, 全 …).
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔汤"
    "温康施牛樊葛邢齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕季裴霍涂苗"
    "谷盛曲翁冉骆蓝游辛靳管柴蒙鲍华喻祁蒲房滕屈饶牟艾尤穆农卓古吉缪简项连芦麦褚娄窦戚岑景党宫费卜冷晏"
    "席卫米柏宗瞿桂佟臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩佘池查麻苑迟邝洪"
)
_COMPOUND_SURNAMES = frozenset({
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙",
    "宇文", "司徒", "夏侯", "轩辕", "端木", "独孤", "南宫", "西门", "百里", "呼延", "申屠",
})
# Characters that end a name: particles, pronouns, verbs and titles that follow a cue word.
_NAME_STOP = frozenset(
    "的了是在说和与及给我你他她们将已会为打来电话处帮代向对把被等先女士老师律师函部门公司贵司方称"
    "表示要求告诉联系负责处理经理总主任长已经还可以到从让请就也都并但而或如若因所以通知发件收件号码微信"
)


# ---- extraction -------------------------------------------------------------------------------


def _classify_phone(digits: str) -> tuple[str, str] | None:
    if len(digits) < 5:
        return None  # no phone, landline or service number has fewer than 5 digits (95xxx)
    try:
        v = validate_phone(digits)
    except InvalidValue:
        return None
    if is_service_number(v):
        return ("service", v)
    if len(v) == 11 and v.startswith("1"):
        return ("mobile", v)
    if v.startswith("0"):
        return ("landline", v)
    return None


def _luhn(digits: str) -> bool:
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _is_id_number(digits: str) -> bool:
    if len(digits) not in (15, 18):
        return False
    try:
        validate_cn_id(digits)
    except InvalidValue:
        return False
    return True


def _masked(t: str, i: int, step: int) -> bool:
    """Is t[i] (next to a digit run) a mask: '*', '×', '#', or 'xx'/'XX' (138xxxx5678)?"""
    while 0 <= i < len(t) and t[i] in " \t\u00a0-‐‑–—":
        i += step  # 6222 0212 3456 ****: look past the separator
    if not 0 <= i < len(t):
        return False
    if t[i] in _MASK_CHARS:
        return True
    j = i + step
    return t[i] in _MASK_LETTERS and 0 <= j < len(t) and t[j] in _MASK_LETTERS


def _overlaps(spans: list[tuple[int, int]], s: int, e: int) -> bool:
    return any(s < b and a < e for a, b in spans)


def _digit_runs(t: str, blocked: list[tuple[int, int]], origin: list[int]) -> Iterable[Artefact]:
    for run in _RUN.finditer(t):
        rs, re_ = run.span()
        if re_ - rs < 5:
            continue  # fewer than 5 digits (dates, small amounts): no phone, account or ID number
        if _overlaps(blocked, rs, re_):
            continue
        groups = [(m.start() + rs, m.end() + rs) for m in _GROUP.finditer(run.group())]
        # A run next to a mask (138****1234, 6222 0212 3456 ****) is part of a masked value.
        if _masked(t, rs - 1, -1) or _masked(t, re_, 1):
            continue
        digits = "".join(t[a:b] for a, b in groups)
        lengths = [b - a for a, b in groups]
        card_like = len(digits) >= 15 and len(groups) >= 4 and all(n == 4 for n in lengths[:-1])
        if 12 <= len(digits) <= 25 and not _is_id_number(digits) and (
            bool(_ACCOUNT_CUE.search(t[max(0, rs - 14):rs]))
            or (16 <= len(digits) <= 19 and digits[0] in "3456" and _luhn(digits))
        ):
            s, e = to_original(origin, groups[0][0], groups[-1][1])
            yield Artefact("bank_account", digits, s, e)
            continue
        if card_like or _is_id_number(digits):
            continue
        yield from _phones(t, groups, origin)


def _phones(t: str, groups: list[tuple[int, int]], origin: list[int]) -> Iterable[Artefact]:
    """Cover the groups left to right with the longest valid phone number starting at each group."""
    i = 0
    while i < len(groups):
        best: tuple[int, tuple[str, str]] | None = None
        digits = ""
        for j in range(i, len(groups)):
            digits += t[groups[j][0]:groups[j][1]]
            if len(digits) > 15:
                break
            plus = groups[i][0] > 0 and t[groups[i][0] - 1] == "+"
            got = _classify_phone(("+" if plus else "") + digits)
            if got:
                best = (j, got)
        if best is None:
            i += 1
            continue
        j, (kind, value) = best
        if kind != "service":
            start = groups[i][0] - (1 if groups[i][0] > 0 and t[groups[i][0] - 1] == "+" else 0)
            s, e = to_original(origin, start, groups[j][1])
            yield Artefact(kind, value, s, e)
        i = j + 1


def _agent_name(chars: str) -> str | None:
    """2–3 characters after a known surname (3–4 after a compound one), stopping at particles and titles."""
    if chars[:2] in _COMPOUND_SURNAMES:
        given = _agent_name("王" + chars[2:])  # same rule for the given name, with a stand-in surname
        return None if given is None else chars[:2] + given[1:]
    if len(chars) < 2 or chars[0] not in _SURNAMES or chars[1] in _NAME_STOP:
        return None
    if len(chars) >= 3 and chars[2] not in _NAME_STOP:
        return chars[:3]
    return chars[:2]


def _from_text(text: str) -> list[Artefact]:
    t, origin = normalize_with_offsets(text)
    out: list[Artefact] = []
    blocked: list[tuple[int, int]] = []
    # (each pattern below runs only when the text holds a character every match of it must contain)
    wechat_cue = _WECHAT_HINT.search(t) is not None
    for m in _EMAIL.finditer(t) if "@" in t else ():
        blocked.append(m.span())
        s, e = to_original(origin, *m.span())
        out.append(Artefact("email", m.group().lower(), s, e))
    for m in _WECHAT.finditer(t) if wechat_cue else ():
        if _overlaps(blocked, *m.span(1)):
            continue
        value = m.group(1)
        s, e = to_original(origin, *m.span(1))
        out.append(Artefact("wechat", value if value.isdigit() else value.lower(), s, e))
    for m in _QQ.finditer(t) if _QQ_HINT.search(t) else ():
        if _overlaps(blocked, *m.span(1)):
            continue
        s, e = to_original(origin, *m.span(1))
        out.append(Artefact("qq", m.group(1), s, e))
    out.extend(_digit_runs(t, blocked, origin))
    # "微信同号": the WeChat id is the mobile number quoted just before the cue.
    for m in _WECHAT_SAME.finditer(t) if wechat_cue else ():
        before = [a for a in out if a.kind == "mobile" and a.end is not None and a.end <= origin[m.start()]]
        if before:
            mob = max(before, key=lambda a: a.end)
            out.append(Artefact("wechat", mob.value, mob.start, mob.end))
    for m in _AGENT_CUE.finditer(t) if _AGENT_HINT.search(t) else ():
        name = _agent_name(m.group(1))
        if name:
            s, e = to_original(origin, m.start(1), m.start(1) + len(name))
            out.append(Artefact("agent_name", name, s, e))
    return out


_META_PHONES = ("customer_phone", "agent_phone", "contact_phone", "phone")


def _from_meta(meta: dict[str, Any]) -> list[Artefact]:
    out: list[Artefact] = []
    for key in _META_PHONES:
        raw = meta.get(key)
        if raw:
            got = _classify_phone(str(raw))
            if got and got[0] != "service":
                out.append(Artefact(got[0], got[1], None, None, f"meta:{key}"))
    for key in ("email", "agent_email"):
        raw = str(meta.get(key) or "").strip()
        if raw and _EMAIL.fullmatch(unicodedata.normalize("NFKC", raw)):
            out.append(Artefact("email", unicodedata.normalize("NFKC", raw).lower(), None, None, f"meta:{key}"))
    raw = "".join(str(meta.get("agent_name") or "").split())
    if raw:
        out.append(Artefact("agent_name", unicodedata.normalize("NFKC", raw), None, None, "meta:agent_name"))
    for key, kind in (("wechat", "wechat"), ("qq", "qq"), ("bank_account", "bank_account")):
        raw = normalize(str(meta.get(key) or "")) if meta.get(key) else ""
        if raw:
            out.append(Artefact(kind, raw if raw.isdigit() else raw.lower(), None, None, f"meta:{key}"))
    return out


def extract_artefacts(text: str, meta: dict[str, Any] | None = None) -> list[Artefact]:
    """Contact artefacts in `text` (offsets into it) and in `meta` (offsets None), text ones first
    in order of position, without duplicates of the same kind, value and place."""
    found = _from_text(text or "")
    found.sort(key=lambda a: (a.start, a.end, a.kind))
    if meta:
        found.extend(_from_meta(meta))
    seen: set[tuple[str, str, int | None, int | None]] = set()
    out = []
    for a in found:
        k = (a.kind, a.value, a.start, a.end)
        if k not in seen:
            seen.add(k)
            out.append(a)
    return out
