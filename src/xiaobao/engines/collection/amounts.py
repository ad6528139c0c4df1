"""Amounts as collectors say them: "3,250.5元", "1.2万元", "两千五百块", "一万二" (colloquial 12,000).

Hand-rolled rather than cn2an: it runs on every collector turn that names a total, and needs only
the forms money is spoken in; `tests/unit/test_collection_amounts.py` pins them.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
AMOUNT = re.compile(r"([0-9][0-9,]*(?:\.[0-9]+)?|[零〇一二两三四五六七八九十百千万点]+)(万)?(?:元|块)")


def chinese_number(s: str) -> Decimal | None:
    """一万二千三百 → 12300; 两千五 → 2500; 三千零五 → 3005; 五点五 → 5.5. None if not a number."""
    if not s:
        return None
    frac = ""
    if "点" in s:
        s, frac = s.split("点", 1)
        if not frac or any(c not in _DIGITS for c in frac):
            return None
    total = section = num = 0
    last_unit, prev_unit = 1, False
    for ch in s:
        if ch in _DIGITS:
            num = _DIGITS[ch] if not (num and not prev_unit) else num * 10 + _DIGITS[ch]
            prev_unit = False
        elif ch in _UNITS:
            section += (num or 1) * _UNITS[ch]
            num, last_unit, prev_unit = 0, _UNITS[ch], True
        elif ch == "万":
            total += (section + num) * 10000
            section = num = 0
            last_unit, prev_unit = 10000, True
        else:
            return None
    if num:
        # A digit right after its unit's next-lower place is left unsaid: 两千五 = 2500, 一万二 = 12000.
        tail_unit = last_unit // 10 if last_unit > 1 and s[-2:-1] in ("千", "百", "万", "十") and s[-1] in _DIGITS else 1
        section += num * tail_unit
    value = Decimal(total + section)
    if frac:
        value += Decimal("0." + "".join(str(_DIGITS[c]) for c in frac))
    return value


def parse_amount(number: str, wan: str | None) -> Decimal | None:
    if number[0].isdigit():
        try:
            value = Decimal(number.replace(",", ""))
        except InvalidOperation:
            return None
    else:
        value = chinese_number(number)
    if value is None:
        return None
    return value * 10000 if wan else value
