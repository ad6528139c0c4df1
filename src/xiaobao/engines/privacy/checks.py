"""Check digits and plausibility tests the recognizers apply to candidate values (pure arithmetic)."""

from __future__ import annotations

from datetime import date
from operator import mul

from xiaobao.domain.identity import (
    _ID_CHECK,
    _ID_WEIGHTS,
    _PROVINCES,
    _USCC_CHARS,
    _USCC_WEIGHTS,
)

_TODAY_YEAR = date.today().year


# Weighted sums as one `int(digits, base)` (C) instead of a multiplication per digit: int() reads
# d0 d1 … d16 in base b as Σ d_i·b^(16-i), so with b ≡ the ratio of consecutive weights modulo the
# check's modulus it is the weighted sum up to a constant factor. GB 11643 weighs digit i by
# 2^(17-i) mod 11, so Σ = 2·int(v, 13) (13 ≡ 2); GB 32100 weighs position i by 3^i mod 31, so
# Σ = 3^16·int(v, 21) (21 ≡ 3⁻¹). Only for ASCII digits (int() would also take '_', signs, spaces).
_ID_BASE, _ID_FACTOR = 13, 2
_USCC_BASE, _USCC_FACTOR = 21, _USCC_WEIGHTS[16]
assert all(_ID_FACTOR * pow(_ID_BASE, 16 - i, 11) % 11 == w % 11 for i, w in enumerate(_ID_WEIGHTS))
assert all(_USCC_FACTOR * pow(_USCC_BASE, 16 - i, 31) % 31 == w % 31 for i, w in enumerate(_USCC_WEIGHTS))


def _weighted(v: str) -> int:
    """GB 11643's weighted sum of the first 17 characters, modulo 11 (ASCII digits: `_ID_BASE`)."""
    if v[:17].isascii() and v[:17].isdigit():
        return _ID_FACTOR * int(v[:17], _ID_BASE) % 11
    return sum((ord(c) - 48) * w for c, w in zip(v, _ID_WEIGHTS)) % 11


# Luhn's doubled digit (2d, minus 9 when above 9) as a byte, so a whole string is doubled by one
# `bytes.translate`; a digit string read in base 11 is its digit sum modulo 10 (11 ≡ 1): C loops
# instead of a Python loop over the digits.
_DOUBLED_BYTES = bytes.maketrans(b"0123456789", b"0246813579")


def luhn_ok(digits: str) -> bool:
    if digits.isascii() and digits.isdigit():
        b = digits.encode()
        return (int(b[-1::-2], 11) + int(b[-2::-2].translate(_DOUBLED_BYTES) or b"0", 11)) % 10 == 0
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = ord(ch) - 48
        if i & 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def luhn_digit(body: str) -> str:
    """The check digit that makes body + digit pass Luhn."""
    for d in "0123456789":
        if luhn_ok(body + d):
            return d
    raise ValueError(body)


def _birth_ok(y: int, m: int, d: int) -> bool:
    if not (1900 <= y <= _TODAY_YEAR and 1 <= m <= 12 and 1 <= d <= 31):
        return False
    try:
        date(y, m, d)
    except ValueError:
        return False
    return True


def _year_ok(year: int, mmdd: str) -> bool:
    """A birth year from 1900 to this year, in which the month-day `mmdd` (one of `_MONTH_DAYS`) exists."""
    return 1900 <= year <= _TODAY_YEAR and (mmdd != "0229" or year % 4 == 0 and (year % 100 != 0 or year % 400 == 0))


# Region codes and the month-days of a leap year, as the strings an ASCII ID number holds, so that
# the usual case is tested with set look-ups instead of `int` and `date`.
_PROVINCE_CODES = frozenset(f"{p:02d}" for p in _PROVINCES)
_MONTH_DAYS = frozenset(f"{d.month:02d}{d.day:02d}" for d in (date.fromordinal(date(2024, 1, 1).toordinal() + i)
                                                              for i in range(366)))


def birth_ok(yyyymmdd: str) -> bool:
    if yyyymmdd.isascii() and len(yyyymmdd) == 8:
        return yyyymmdd.isdigit() and yyyymmdd[4:] in _MONTH_DAYS and _year_ok(int(yyyymmdd[:4]), yyyymmdd[4:])
    return yyyymmdd.isdigit() and _birth_ok(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))


def id18_ok(v: str) -> bool:
    """GB 11643: region, a real birth date and the MOD 11-2 check character."""
    if len(v) != 18 or not v[:17].isdigit():
        return False
    if v.isascii():
        if v[:2] not in _PROVINCE_CODES or v[10:14] not in _MONTH_DAYS or not _year_ok(int(v[6:10]), v[10:14]):
            return False
        return _ID_CHECK[_ID_FACTOR * int(v[:17], _ID_BASE) % 11] == v[17].upper()
    if int(v[:2]) not in _PROVINCES or not _birth_ok(int(v[6:10]), int(v[10:12]), int(v[12:14])):
        return False
    return _ID_CHECK[_weighted(v) % 11] == v[17].upper()


def id15_ok(v: str) -> bool:
    """Pre-1999 IDs have no check digit: region and birth date (19YYMMDD) are all there is to test."""
    return (len(v) == 15 and v.isdigit() and int(v[:2]) in _PROVINCES
            and _birth_ok(1900 + int(v[6:8]), int(v[8:10]), int(v[10:12])))


def id_check(first17: str) -> str:
    return _ID_CHECK[_weighted(first17) % 11]


# 登记管理部门码 and 机构类别码 (GB 32100 Table 1): random digit strings rarely fit both.
_USCC_DEPT = frozenset("123456789ANY")
_USCC_VALUE = {c: i for i, c in enumerate(_USCC_CHARS)}


# Each USCC character → the character whose code is its value (0–30), any other ASCII character →
# DEL (127): `translate` then `encode` turn an ASCII code into its values as bytes, in C.
_USCC_VALUES = str.maketrans({chr(i): chr(_USCC_VALUE.get(chr(i), 127)) for i in range(128)})


def uscc_ok(v: str) -> bool:
    v = v.upper()
    if len(v) != 18 or v[0] not in _USCC_DEPT or not v[2:8].isdigit():
        return False
    if v.isdigit() and v.isascii():  # (most candidates are digits: ID and order numbers)
        total = _USCC_FACTOR * int(v[:17], _USCC_BASE)
    elif v.isascii():
        values = v[:17].translate(_USCC_VALUES).encode()
        if max(values) > 30:
            return False
        total = sum(map(mul, values, _USCC_WEIGHTS))
    else:
        try:
            total = sum(map(mul, map(_USCC_VALUE.__getitem__, v[:17]), _USCC_WEIGHTS))
        except KeyError:
            return False
    return v[17] in _USCC_CHARS and _USCC_CHARS[(31 - total % 31) % 31] == v[17]


def uscc_check(first17: str) -> str:
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS))
    return _USCC_CHARS[(31 - total % 31) % 31]


# Issuer identification (ISO/IEC 7812 major industry identifier): 3 travel/JCB/Amex, 4 Visa,
# 5 Mastercard, 6 UnionPay/Discover; 62 is UnionPay's own range.
def bin_ok(digits: str) -> bool:
    if not 13 <= len(digits) <= 19 or digits[0] not in "3456":
        return False
    if digits[0] == "6":
        return digits[:2] in ("60", "62", "65", "68", "69") or digits[:3] in ("621", "622", "623", "625")
    return True


def is_mobile(d: str) -> bool:
    return len(d) == 11 and d[0] == "1" and d[1] in "3456789"


def is_landline(d: str) -> bool:
    """0 + area code (2 digits for 10/2x, else 3) + subscriber number of 7–8 digits not starting 0/1."""
    if len(d) < 10 or d[0] != "0" or not d.isdigit():
        return False
    area = 3 if d[1] in "12" else 4
    rest = d[area:]
    return 7 <= len(rest) <= 8 and rest[0] not in "01" and (area == 3 or d[1] != "0")
