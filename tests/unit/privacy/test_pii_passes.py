"""The scanner's shared passes find what each recognizer's own pattern finds, and the fast paths of
the projection and the check digits answer as the plain computations do.

Each test sets a shortcut against the straightforward way on generated texts full of the cases the
shortcut could get wrong (values glued to letters, masks, separators, full-width forms, overlapping
cues, compound surnames, NUL-joined batches)."""

import json
import random
import re
from datetime import date
from pathlib import Path

import pytest

from xiaobao.engines.privacy import checks
from xiaobao.engines.privacy.names import scan_names_and_places
from xiaobao.engines.privacy.recognizers import (
    _LONG_RUN,
    _RUN_CHARS,
    ALPHA,
    RUN_CLASS,
    CuedRecognizer,
    Scan,
    TokenRecognizer,
    scan_cued,
    scan_tokens,
)
from xiaobao.engines.privacy.scanner import Scanner, default_scanner, resolve
from xiaobao.engines.privacy.text import fold, fold_project, project

LABELLED = Path(__file__).resolve().parents[3] / "eval" / "pii" / "labelled.jsonl"
PIECES = ["13812345678", "11010519491231002X", "6222021234567890128", "91350100M000100Y43", "E12345678", "H1234567890",
          "12345678", "+86 ", "(010)", "0086", "-", " ", "  ", "*", "***", "×", "#", ".", "@", ":", "a@b.cn", "DD", "QQ", "qq",
          "Qq", "扣扣", "企鹅号", "vx", "vX", "VX:", "微信号：", "微信", "加V", "weixin", "WeChat", "台胞证", "护照", "回乡证",
          "卡号", "尾号", "订单号", "验证码", "密码", "交易密码", "CVV2", "有效期", "安全码", "姓名：", "借款人", "联系人", "我叫",
          "先生", "女士", "表示", "王", "李", "欧阳", "司马", "东方", "张三", "王某", "周一", "高利贷", "住址：", "家住", "现居住于",
          "北京市", "广东省", "深圳市", "朝阳区", "建设路", "88号", "3栋", "2单元", "501室", "京A", "粤B·", "湘L", "12345", "D",
          "１３８", "ＡＢＣ", "：", "，", "。", "（", "）", "　", "\n", "192.168.1.1", "v1.2.3.4", "fe80:0:0:0:0:0:0:1", "ID", "Tel",
          "的", "了", "在", "是", "为", "=", "'", "abc_123", "a", "Z", "0", "9", "2026-11-20", "13800.50", "元", "号", "码", "信"]


def _texts(n: int, seed: int) -> list[str]:
    r = random.Random(seed)
    labelled = [json.loads(line)["text"] for line in LABELLED.read_text(encoding="utf-8").splitlines()[:200]]
    out = []
    for i in range(n):
        pieces = [r.choice(PIECES) for _ in range(r.randint(1, 14))]
        if i % 3 == 0:  # spliced into real text
            t = r.choice(labelled)
            k = r.randint(0, len(t))
            out.append(t[:k] + "".join(pieces) + t[k:])
        else:
            out.append("".join(pieces))
    return out


TEXTS = _texts(3000, 7)


def _spans(hits):
    return sorted((h.type, h.start, h.end, h.score, h.level) for h in hits)


def _scan(scanner, text):
    t, a = fold_project(text)
    return Scan(t, scanner.config, scanner.cue_res, a)


# ---- text ---------------------------------------------------------------------------------------

def test_fold_and_projection_keep_offsets_and_read_as_the_folded_ascii():
    for text in TEXTS + ["ＩＤ：１１０１", "a\U0001F600b１２", "\ud800ｘ", "\uffff，", "全角ａｂｃ＠ｑｑ．ｃｏｍ。"]:
        folded, ascii = fold_project(text)
        assert len(folded) == len(ascii) == len(text)
        assert folded == fold(text) and ascii == project(text)
        assert ascii == bytes(ord(c) if ord(c) < 128 else ord("?") for c in folded)
    assert fold_project("ＩＤ：１１０１　张三") == ("ID:1101 张三", b"ID:1101 ??")


def test_fold_maps_full_width_forms_spaces_and_dashes_one_to_one():
    assert fold("ＡＺａｚ０９！～＠．：（）") == "AZaz09!~@.:()"
    assert fold("\u3000\u00a0‐‑‒–—−－") == "  -------"
    assert fold("。、，张三①㈱ｶ") == "。、,张三①㈱ｶ"  # (only the forms above: no NFKC)


# ---- check digits -------------------------------------------------------------------------------

def _birth_plain(v: str) -> bool:
    if not re.fullmatch(r"[0-9]{8}", v):
        return False
    try:
        born = date(int(v[:4]), int(v[4:6]), int(v[6:8]))
    except ValueError:
        return False
    return 1900 <= born.year <= date.today().year


def _id18_plain(v: str) -> bool:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    if len(v) != 18 or not re.fullmatch(r"[0-9]{17}[0-9Xx]", v) or int(v[:2]) not in checks._PROVINCES:
        return False
    return _birth_plain(v[6:14]) and "10X98765432"[sum(int(d) * w for d, w in zip(v, weights)) % 11] == v[17].upper()


def _uscc_plain(v: str) -> bool:
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    v = v.upper()
    if len(v) != 18 or v[0] not in "123456789ANY" or not re.fullmatch(r"[0-9]{6}", v[2:8]) or any(c not in chars for c in v):
        return False
    return chars[(31 - sum(chars.index(c) * w for c, w in zip(v, weights)) % 31) % 31] == v[17]


def test_id_number_check_as_computed_digit_by_digit():
    r = random.Random(1)
    samples = ["11010519491231002X", "11010519491231002x", "110105194912310021", "11010520000229001X", "11010519000229001X"]
    for _ in range(20000):
        body = (r.choice(["11", "44", "00", "99", "82", "10"]) + "0105" + str(r.randint(1890, 2035))
                + r.choice(["0229", "0228", "0230", "0231", "1231", "1301", "0001", "0715"]) + f"{r.randint(0, 999):03d}")
        samples.append(body + (checks.id_check(body) if r.random() < 0.6 else r.choice("0123456789Xx")))
    assert sum(map(_id18_plain, samples)) > 2000  # the sample holds many valid numbers
    for v in samples:
        assert checks.id18_ok(v) == _id18_plain(v), v
        assert checks.birth_ok(v[6:14]) == _birth_plain(v[6:14]), v


def test_uscc_check_as_computed_character_by_character():
    r = random.Random(2)
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    samples = ["91350100M000100Y43", "91350100M000100Y44", "91350100m000100y43", "9135010０M000100Y43"]
    for _ in range(20000):
        body = (r.choice("1259ANYZ0") + r.choice(chars) + f"{r.randint(0, 999999):06d}"
                + "".join(r.choice(chars if r.random() < 0.95 else "IOSVZa-") for _ in range(9)))
        ok = r.random() < 0.5 and all(c in chars for c in body)
        samples.append(body + (checks.uscc_check(body) if ok else r.choice(chars)))
    for _ in range(20000):  # all digits, as most candidates are (ID and order numbers)
        body = f"{r.randint(10**16, 10**17 - 1)}"
        samples.append(body + (checks.uscc_check(body) if r.random() < 0.5 else r.choice("0123456789")))
    assert sum(map(_uscc_plain, samples)) > 1000
    assert sum(_uscc_plain(v) and v.isdigit() for v in samples) > 100
    for v in samples:
        assert checks.uscc_ok(v) == _uscc_plain(v), v


# ---- digit runs ---------------------------------------------------------------------------------

def _luhn_plain(d: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(d)):
        n = int(c) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def test_luhn_as_computed_digit_by_digit():
    r = random.Random(3)
    samples = ["6222021234567890128", "4111111111111111", "0", "18", "59"]
    for _ in range(20000):
        body = "".join(r.choice("0123456789") for _ in range(r.randint(1, 19)))
        samples.append(body + (checks.luhn_digit(body) if r.random() < 0.5 else r.choice("0123456789")))
    assert sum(map(_luhn_plain, samples)) > 5000
    for v in samples:
        assert checks.luhn_ok(v) == _luhn_plain(v), v


def test_tokens_the_uscc_pattern_skips_are_ids_accept_refuses():
    # The USCC pattern does not offer 18 digits whose 7th-14th are a certain birth date: `accept`
    # would refuse them all (an all-digit USCC shaped like an ID number is taken for an ID).
    from xiaobao.engines.privacy.recognizers import CnUscc, _id_shaped

    skipped = re.compile("[0-9]" + _id_shaped()).fullmatch
    r = random.Random(4)
    n = 0
    for _ in range(50000):
        v = (f"{r.randint(0, 999999):06d}{r.randint(1890, date.today().year + 5)}"
             f"{r.randint(0, 13):02d}{r.randint(0, 32):02d}{r.randint(0, 9999):04d}")
        if skipped(v):
            n += 1
            assert checks.birth_ok(v[6:14]), v
        else:
            assert CnUscc.pattern.fullmatch(v), v  # the rest are offered as before
    assert n > 20000


def test_run_search_jumps_only_over_text_where_no_long_run_can_start():
    for text in TEXTS:
        t, a = fold_project(text)
        plain, pos = [], 0
        while (m := _LONG_RUN.search(t, pos)) is not None:
            plain.append(m.span())
            pos = m.end()
        jumped, pos, find = [], 0, a.translate(RUN_CLASS).find
        while (q := find(_RUN_CHARS, pos)) >= 0 and (m := _LONG_RUN.search(t, q)) is not None:
            jumped.append(m.span())
            pos = m.end()
        assert jumped == plain, text


# ---- shared passes ------------------------------------------------------------------------------

def test_token_pass_finds_what_each_token_pattern_finds():
    s = default_scanner()
    tokens = [r for r in s.others if isinstance(r, TokenRecognizer)]
    for text in TEXTS:
        scan = _scan(s, text)
        plain = [h for r in tokens for m in r.pattern.finditer(scan.text) if (h := r.accept(m, scan))]
        assert _spans(scan_tokens(tokens, scan)) == _spans(plain), text


def test_cued_pass_finds_what_each_cued_pattern_finds():
    s = default_scanner()
    cued = [r for r in s.others if isinstance(r, CuedRecognizer)]
    assert s.cued_pass is not None and len(cued) == 3
    texts = TEXTS + ["微信号：QQ123456789", "加vx：abcdefg，QQ号 12345678，验证码 482913", "QQ12345QQ67890", "交易密码密码123456"]
    for text in texts:
        scan = _scan(s, text)
        plain = [r.accept(m, scan) for r in cued for m in r.pattern.finditer(scan.text)]
        assert _spans(scan_cued(s.cued_pass, scan)) == _spans(plain), text
    # WeChat and QQ both read "微信号：QQ123456789": each keeps its own value.
    assert {h.type for h in scan_cued(s.cued_pass, _scan(s, "微信号：QQ123456789"))} == {"WECHAT_ID", "QQ_NUMBER"}


def test_joint_pass_finds_the_names_and_addresses_each_finds_alone():
    s = default_scanner()
    name, place, joint = s.names_places
    texts = TEXTS + ["欧阳。欧阳娜娜说，司马懿先生住在北京市朝阳区建设路88号", "向张三借款，江苏省南京市鼓楼区中山路1号", "于是高利贷周一"]
    for text in texts:
        scan = _scan(s, text)
        assert _spans(scan_names_and_places(name, place, joint, scan)) == _spans(name.find(scan) + place.find(scan)), text


def test_name_candidates_are_the_plain_surname_pattern_minus_what_find_refuses_first():
    # The plain pattern: every surname (a compound one first) and one or two Chinese characters.
    # The pattern in use also refuses, in C, a given name opening with a stop character and a
    # surname inside a run of ordinary characters that no cue or cue separator could end.
    from xiaobao.engines.privacy.names import _SEP_CHARS, _chars

    s = default_scanner()
    name = s.names_places[0]
    g = s.config.gazetteer
    surnames = _chars(g["surnames"])
    compound = sorted(g["compound_surnames"], key=len, reverse=True)
    plain = re.compile("(?=(" + "|".join(compound) + f"|[{surnames}])([\u4e00-\u9fff]{{1,2}}))")
    may_precede = set(name.stop) | {c[-1] for c in name.cue_words} | set(_SEP_CHARS)
    texts = TEXTS + ["欧阳。欧阳娜娜，司马懿先生，东方红太阳升，上官", "向张三借款，我叫王的", "于是高利贷周一"]
    for text in texts:
        t = fold(text)
        expected = []
        for m in plain.finditer(t):
            p, sur, given = m.start(), m.group(1), m.group(2)
            before = t[p - 1] if p else ""
            if given[0] in name.stop or ("\u4e00" <= before <= "\u9fff" and before not in may_precede):
                continue
            expected.append((p, p + len(sur), given))
        assert [(m.start(), m.start(1), m.group(1)) for m in name.candidates.finditer(t)] == expected, text


@pytest.mark.parametrize("text,address", [
    ("，广东省深圳市。", None),                           # a place and one more level: nobody is located
    ("，广东省中山路。", "广东省中山路"),                  # a street after the place will do
    ("，广东省深圳市福田区88号。", "广东省深圳市福田区88号"),  # and so will a second segment
])
def test_a_place_name_needs_a_street_a_number_or_two_more_levels(text, address):
    got = [text[h.start:h.end] for h in default_scanner().scan(text) if h.type == "ADDRESS"]
    assert got == ([address] if address else [])


# ---- batches ------------------------------------------------------------------------------------

def test_batch_keeps_a_hit_only_if_its_own_text_passes_the_gate():
    # Each of these is a hit only where its text holds what `scan` asks of it first: a WeChat cue
    # word (vX is not one), an ASCII digit (for a code in other digits), a letter (for an all-digit USCC).
    texts = ["我的vX号abcdef", "短信 13812345678", "京AD٣٣٣٣", "密码١٢٣", "登录IP 10.0.0.1", "x"]
    s = default_scanner()
    expected = [_spans(s.scan(t)) for t in texts]
    assert expected[0] == [] and expected[3] == []
    for batch in (2, 256):
        assert [_spans(h) for h in s.scan_many(texts, batch=batch)] == expected
        assert [_spans(h) for h in s.scan_many(list(reversed(texts)), batch=batch)] == expected[::-1]


def test_batch_equals_text_by_text_on_generated_texts():
    s = default_scanner()
    expected = [_spans(s.scan(t)) for t in TEXTS]
    assert sum(map(len, expected)) > 3000
    assert [_spans(h) for h in s.scan_many(TEXTS, batch=64)] == expected


@pytest.mark.parametrize("types", [("PERSON_NAME",), ("ADDRESS",), ("WECHAT_ID",), ("CN_USCC", "CN_TAIWAN_PERMIT"),
                                   ("QQ_NUMBER", "AUTH_SECRET")])
def test_a_scanner_for_some_types_runs_their_own_patterns_behind_their_gates(types):
    # Without the other types the shared passes are built differently (or not at all); the hits are
    # still each recognizer's own, run if the text has a digit (names, addresses, e-mail and WeChat
    # need none) and passes the recognizer's `wanted`, and resolved as `scan` resolves them.
    part = Scanner(types=types)
    for text in TEXTS[:1500]:
        scan = _scan(part, text)
        t = scan.text
        has_digit = re.search("[0-9]", t) is not None
        raw = []
        for r in part.others:
            if not has_digit and r.type not in ("PERSON_NAME", "ADDRESS", "EMAIL", "WECHAT_ID"):
                continue
            if r.triggers is ALPHA:
                if not re.search("[A-Za-z]", t):
                    continue
            elif not r.wanted(t):
                continue
            raw += r.find(scan)
        assert _spans(part.scan(text)) == _spans(resolve(raw, part.min_score, part.rank)), text
