"""Identity numbers (GB 11643-1999, GB 32100-2015), phone numbers and display masks."""

from __future__ import annotations

from datetime import date

import pytest

from xiaobao.domain.errors import InvalidValue
from xiaobao.domain.identity import (
    MASKERS,
    id_check_char,
    mask_id,
    mask_name,
    mask_phone,
    mask_text,
    normalize,
    validate_cn_id,
    validate_phone,
    validate_uscc,
)

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def iso7064_mod11_2(first17: str) -> str:
    """Independent check: weights 2^(17-i) mod 11, check value (12 - S mod 11) mod 11, 10 → X."""
    s = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    v = (12 - s % 11) % 11
    return "X" if v == 10 else str(v)


def with_check(first17: str) -> str:
    return first17 + iso7064_mod11_2(first17)


# ---- resident ID (GB 11643) -----------------------------------------------------------------


def test_standard_example_id_is_valid():
    assert validate_cn_id("11010519491231002X") == "11010519491231002X"


@pytest.mark.parametrize("first17", [
    "11010519491231002", "44030119900307123", "31011519851120001", "51010720000229004",
    "65010219991231999", "81000019800101001", "11010120241231888",
])
def test_check_char_matches_independent_iso7064(first17):
    assert id_check_char(first17) == iso7064_mod11_2(first17)
    assert validate_cn_id(first17 + id_check_char(first17)) == first17 + id_check_char(first17)


def test_lowercase_x_is_accepted_and_upper_cased():
    assert validate_cn_id("11010519491231002x") == "11010519491231002X"


def test_wrong_check_digit_is_refused():
    for wrong in "0123456789X":
        if wrong == "X":
            continue
        with pytest.raises(InvalidValue, match="校验位"):
            validate_cn_id("11010519491231002" + wrong)


def test_every_single_digit_error_is_caught():
    good = "11010519491231002X"
    for i in range(17):
        for d in "0123456789":
            if d == good[i]:
                continue
            bad = good[:i] + d + good[i + 1:]
            with pytest.raises(InvalidValue):
                validate_cn_id(bad)


@pytest.mark.parametrize("birth", ["19491331", "19490230", "20230229", "18991231", "19490000"])
def test_invalid_birth_date_is_refused(birth):
    v = with_check("110105" + birth + "002")
    with pytest.raises(InvalidValue, match="出生日期") as e:
        validate_cn_id(v)
    assert e.value.field == "customer_id_number"


def test_leap_day_birth_is_valid():
    v = with_check("110105" + "20000229" + "002")
    assert validate_cn_id(v) == v


def test_birth_in_the_future_is_refused_when_today_is_given():
    v = with_check("110105" + "20300101" + "001")
    with pytest.raises(InvalidValue, match="出生日期"):
        validate_cn_id(v, today=date(2025, 1, 1))
    assert validate_cn_id(v) == v  # without a reference date only the calendar is checked


@pytest.mark.parametrize("region", ["00", "10", "20", "39", "47", "55", "60", "70", "80", "90", "99"])
def test_unknown_region_is_refused(region):
    v = with_check(region + "0105" + "19800101" + "001")
    with pytest.raises(InvalidValue, match="地区码"):
        validate_cn_id(v)


def test_legacy_15_digit_id():
    assert validate_cn_id("110105491231002") == "110105491231002"
    with pytest.raises(InvalidValue, match="出生日期"):
        validate_cn_id("110105491331002")
    with pytest.raises(InvalidValue, match="地区码"):
        validate_cn_id("990105491231002")
    with pytest.raises(InvalidValue, match="数字"):
        validate_cn_id("11010549123100X")


def test_full_width_digits_and_separators_are_normalised():
    assert validate_cn_id("１１０１０５１９４９１２３１００２ｘ") == "11010519491231002X"
    assert validate_cn_id(" 110105 1949 1231 002X ") == "11010519491231002X"
    assert validate_cn_id("110105-19491231-002X") == "11010519491231002X"


@pytest.mark.parametrize("value, fragment", [
    ("1101051949123100", "16位"),
    ("11010519491231002XX", "19位"),
    ("", "0位"),
    ("1101051949123100AX", "前17位"),
    ("11010519491231002Y", "末位"),
])
def test_malformed_id_is_refused_with_reason(value, fragment):
    with pytest.raises(InvalidValue) as e:
        validate_cn_id(value)
    assert fragment in e.value.reason


def test_custom_field_name_is_reported():
    with pytest.raises(InvalidValue) as e:
        validate_cn_id("123", field="agent_id_number")
    assert e.value.field == "agent_id_number"


# ---- USCC (GB 32100) ------------------------------------------------------------------------


def test_standard_example_uscc_is_valid():
    assert validate_uscc("91350100M000100Y43") == "91350100M000100Y43"


def test_uscc_lowercase_and_full_width_are_normalised():
    assert validate_uscc("91350100m000100y43") == "91350100M000100Y43"
    assert validate_uscc("９１３５０１００Ｍ０００１００Ｙ４３") == "91350100M000100Y43"


@pytest.mark.parametrize("pos", range(18))
def test_uscc_single_character_change_fails(pos):
    good = "91350100M000100Y43"
    for c in USCC_ALPHABET:
        if c == good[pos]:
            continue
        with pytest.raises(InvalidValue, match="校验位"):
            validate_uscc(good[:pos] + c + good[pos + 1:])


@pytest.mark.parametrize("value", ["91350100M000100Y4", "91350100M000100Y433", "91350100M000100I43",
                                   "91350100O000100Y43", "91350100S000100Y43", "9135010 M000100Y43x"])
def test_uscc_bad_length_or_forbidden_letter_is_refused(value):
    with pytest.raises(InvalidValue) as e:
        validate_uscc(value)
    assert e.value.field == "uscc"


# ---- phone numbers --------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [
    "13800138000", "+86 138 0013 8000", "+8613800138000", "0086 13800138000", "0086-138-0013-8000",
    "8613800138000", "１３８００１３８０００", "138-0013-8000", "(138) 0013 8000", "＋８６ １３８ ００１３ ８０００",
])
def test_mobile_is_normalised(raw):
    assert validate_phone(raw) == "13800138000"


@pytest.mark.parametrize("raw, expected", [
    ("010-12345678", "01012345678"),
    ("0755 1234 5678", "075512345678"),
    ("(021)12345678", "02112345678"),
    ("0571-8888888", "05718888888"),  # 7-digit local number
    ("+86 10 1234 5678", "01012345678"),  # international form drops the trunk 0
    ("0086-755-12345678", "075512345678"),
])
def test_landline_with_area_code(raw, expected):
    assert validate_phone(raw) == expected


@pytest.mark.parametrize("raw, expected", [("95588", "95588"), ("400-123-4567", "4001234567"),
                                           ("800 810 8888", "8008108888"), ("+86 400 123 4567", "4001234567")])
def test_service_numbers(raw, expected):
    assert validate_phone(raw) == expected


@pytest.mark.parametrize("raw", [
    "12345", "1380013800", "138001380000", "12800138000", "23800138000", "12345678", "abc", "138001380OO",
    "", "+1 415 555 0100", "+86 1380013800", "phone: 13800138000",
])
def test_garbage_phone_is_refused(raw):
    with pytest.raises(InvalidValue) as e:
        validate_phone(raw)
    assert e.value.field == "customer_phone"


# ---- masks ----------------------------------------------------------------------------------


def test_masks_keep_only_the_conventional_characters():
    assert mask_id("11010519491231002X") == "110***********002X"
    assert mask_id("110105491231002") == "110********1002"
    assert mask_id("1234567") == "*******"
    assert mask_phone("13800138000") == "138****8000"
    assert mask_phone("01012345678") == "010****5678"
    assert mask_phone("95588") == "***88"  # too short for 3+4: keeping 3+4 would show every digit
    assert mask_phone("4001234567") == "400***4567"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("  ") == ""
    assert mask_text("北京市朝阳区建国路88号", 6) == "北京市朝阳区******"


@pytest.mark.parametrize("value", ["13800138000", "01012345678", "075512345678", "95588", "955880", "9558800",
                                   "4001234567", "1234"])
def test_phone_mask_hides_some_digits_and_keeps_length(value):
    m = mask_phone(value)
    assert len(m) == len(value)
    assert m.count("*") >= max(1, len(value) - 7)
    assert all(a == b for a, b in zip(m, value) if a != "*")


def test_masks_never_reveal_the_birth_date():
    m = mask_id("11010519491231002X")
    assert "19491231" not in m and len(m) == 18


def test_maskers_cover_every_pii_field():
    assert set(MASKERS) == {"name", "phone", "id_number", "agent_name", "agent_phone", "agent_id_number",
                            "legal_rep", "address", "email"}
    assert MASKERS["email"]("zhangsan@example.com") == "z***@example.com"
    assert MASKERS["email"]("not-an-email") == "no**********"
    assert MASKERS["agent_id_number"]("11010519491231002X") == "110***********002X"


def test_normalize():
    assert normalize("ＩＤ　１１０－１") == "ID1101"
