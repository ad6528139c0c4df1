"""Identity numbers and contacts: normalisation, check digits and display masks.

Complaint intake must refuse a malformed ID (投诉办法 Art.13 asks for the complainant's identity) and
must never store or show it in clear; these functions are the pure part of that.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from xiaobao.domain.errors import InvalidValue

# GB 11643-1999: weights 2^(17-i) mod 11, check characters indexed by the weighted sum mod 11.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# First two digits: the province-level administrative division (GB/T 2260), 71/81/82 for TW/HK/MO.
_PROVINCES = {
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
    50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91,
}
_SEPARATORS = re.compile(r"[\s\-－—–‐·.()（）]")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")
_SERVICE = re.compile(r"^(400|800)\d{7}$|^95\d{3,6}$")
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def normalize(value: str) -> str:
    """Full-width to half-width (NFKC), upper-case, separators removed: 'ＩＤ　１１０…' → '110…'."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", value)).upper()


def id_check_char(first17: str) -> str:
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS)) % 11]


def _valid_birth(y: int, m: int, d: int, today: date | None) -> bool:
    try:
        born = date(y, m, d)
    except ValueError:
        return False
    return born.year >= 1900 and (today is None or born <= today)


def validate_cn_id(value: str, today: date | None = None, field: str = "customer_id_number") -> str:
    """Return the normalised resident ID number or raise InvalidValue saying exactly why."""
    v = normalize(value)
    if len(v) == 15:
        if not v.isdigit():
            raise InvalidValue(field, "15位身份证号只能包含数字")
        if int(v[:2]) not in _PROVINCES:
            raise InvalidValue(field, f"地区码 {v[:2]} 不存在")
        if not _valid_birth(1900 + int(v[6:8]), int(v[8:10]), int(v[10:12]), today):
            raise InvalidValue(field, "出生日期无效")
        return v
    if len(v) != 18:
        raise InvalidValue(field, f"身份证号应为18位（或旧版15位），实际{len(v)}位")
    if not v[:17].isdigit() or not (v[17].isdigit() or v[17] == "X"):
        raise InvalidValue(field, "身份证号前17位须为数字，末位为数字或X")
    if int(v[:2]) not in _PROVINCES:
        raise InvalidValue(field, f"地区码 {v[:2]} 不存在")
    if not _valid_birth(int(v[6:10]), int(v[10:12]), int(v[12:14]), today):
        raise InvalidValue(field, "出生日期无效")
    if id_check_char(v[:17]) != v[17]:
        raise InvalidValue(field, "校验位不符（GB 11643）")
    return v


def validate_uscc(value: str) -> str:
    """统一社会信用代码, GB 32100-2015 check character."""
    v = normalize(value)
    if len(v) != 18 or any(c not in _USCC_CHARS for c in v):
        raise InvalidValue("uscc", "统一社会信用代码应为18位数字或大写字母（不含I、O、S、V、Z）")
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(v[:17], _USCC_WEIGHTS))
    if _USCC_CHARS[(31 - total % 31) % 31] != v[17]:
        raise InvalidValue("uscc", "统一社会信用代码校验位不符（GB 32100）")
    return v


def validate_phone(value: str, field: str = "customer_phone") -> str:
    """Mainland mobile, landline (with area code) or service number; strips +86/0086."""
    v = normalize(value)
    intl = False
    if v.startswith("+"):
        if not v.startswith("+86"):
            raise InvalidValue(field, "仅支持中国大陆号码（+86）")
        v, intl = v[3:], True
    elif v.startswith("0086"):
        v, intl = v[4:], True
    elif v.startswith("86") and len(v) == 13:
        v = v[2:]
    if not v.isdigit():
        raise InvalidValue(field, "电话号码只能包含数字")
    if intl and not (_MOBILE.match(v) or _SERVICE.match(v)) and (v.startswith("10") or v[:1] in "23456789"):
        v = "0" + v  # +86 10 1234 5678: the international form drops the area code's trunk 0
    if _MOBILE.match(v) or _LANDLINE.match(v) or _SERVICE.match(v):
        return v
    raise InvalidValue(field, "不是有效的中国大陆手机号、固话（含区号）或服务号码")


def mask_id(v: str) -> str:
    """Keep the first 3 and last 4 characters (the usual display convention): 110***********123X."""
    if len(v) <= 7:
        return "*" * len(v)
    return v[:3] + "*" * (len(v) - 7) + v[-4:]


def mask_phone(v: str) -> str:
    if len(v) == 11 and v.startswith("1"):
        return v[:3] + "****" + v[-4:]
    if len(v) <= 4:
        return "*" * len(v)
    if len(v) <= 7:  # too short for 3+4: that would show every digit
        return "*" * (len(v) - 2) + v[-2:]
    return v[:3] + "*" * (len(v) - 7) + v[-4:]


def mask_name(v: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***: keep the first character only."""
    v = v.strip()
    if not v:
        return v
    return v[0] + "*" * max(1, len(v) - 1)


def mask_text(v: str, keep: int = 2) -> str:
    v = v.strip()
    return v[:keep] + "*" * max(1, len(v) - keep) if v else v


MASKERS = {
    "name": mask_name,
    "phone": mask_phone,
    "id_number": mask_id,
    "agent_name": mask_name,
    "agent_phone": mask_phone,
    "agent_id_number": mask_id,
    "legal_rep": mask_name,
    "address": lambda v: mask_text(v, 6),
    "email": lambda v: (v[:1] + "***" + v[v.index("@"):]) if "@" in v else mask_text(v),
}
