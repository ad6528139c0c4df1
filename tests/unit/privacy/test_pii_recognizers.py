"""Recognizers: checksums, decoys, offsets in the original text, levels, and the labelled set's goals."""

import json
from pathlib import Path

import pytest

from xiaobao.engines.privacy import checks
from xiaobao.engines.privacy.evaluation import evaluate
from xiaobao.engines.privacy.scanner import Scanner, default_scanner

LABELLED = Path(__file__).resolve().parents[3] / "eval" / "pii" / "labelled.jsonl"


def found(text):
    return [(h.type, text[h.start:h.end]) for h in default_scanner().scan(text)]


@pytest.mark.parametrize("text,kind,value", [
    ("身份证11010519491231002X。", "CN_ID_CARD", "11010519491231002X"),
    ("身份证 110105 19491231 002X 已提交", "CN_ID_CARD", "110105 19491231 002X"),
    ("旧证号110105491231002，", "CN_ID_CARD", "110105491231002"),
    ("手机１３８１２３４５６７８联系", "CN_MOBILE", "１３８１２３４５６７８"),
    ("电话+86 138-1234-5678。", "CN_MOBILE", "+86 138-1234-5678"),
    ("座机（010）62345678", "CN_LANDLINE", "（010）62345678"),
    ("卡号6222 0212 3456 7890 128扣款", "BANK_CARD", "6222 0212 3456 7890 128"),
    ("邮箱是张三zhang.san@163.com谢谢", "EMAIL", "zhang.san@163.com"),
    ("代码91350100M000100Y43。", "CN_USCC", "91350100M000100Y43"),
    ("护照E12345678", "CN_PASSPORT", "E12345678"),
    ("回乡证H12345678", "CN_HK_MACAU_PERMIT", "H12345678"),
    ("台胞证号码12345678", "CN_TAIWAN_PERMIT", "12345678"),
    ("车牌粤B·12345被拖走", "LICENSE_PLATE", "粤B·12345"),
    ("登录IP是192.168.1.10异常", "IP_ADDRESS", "192.168.1.10"),
    ("加微信：abc_12345", "WECHAT_ID", "abc_12345"),
    ("QQ123456789", "QQ_NUMBER", "123456789"),
    ("验证码 482913 请勿告诉他人", "AUTH_SECRET", "482913"),
    ("紧急联系人李秀英说", "PERSON_NAME", "李秀英"),
    ("王建国先生来电", "PERSON_NAME", "王建国"),
    ("家住北京市朝阳区建设路88号3栋2单元501室，", "ADDRESS", "北京市朝阳区建设路88号3栋2单元501室"),
])
def test_each_type_found_with_original_offsets(text, kind, value):
    hits = found(text)
    assert (kind, value) in hits, hits


@pytest.mark.parametrize("text", [
    "身份证11010519491231002Y",          # wrong check character
    "身份证110105194912310021",          # check digit wrong
    "卡号6222021234567890127",           # Luhn fails
    "订单号2026112012345678901234",      # digits inside a longer run
    "手机138****1234已停用",             # masked
    "卡号622202******0128",              # masked card
    "订单号DD2026112013812345678",       # code glued to letters
    "金额13800.50元，日期2026-11-20",     # amounts and dates
    "请拨打客服热线95188或4008001234",   # hotlines
    "王某和李某某多次来电",               # pseudonyms
    "高利贷周一又来了，万元的方式不对",   # surname-initial words
    "统一社会信用代码91350100M000100Y44",  # USCC check fails
])
def test_decoys_are_not_hits(text):
    assert found(text) == []


def test_hits_carry_level_and_findings_carry_citation_without_raw_value():
    text = "借款人张伟，手机13812345678，密码 123456"
    findings = default_scanner().findings(text)
    kinds = {f.kind: f for f in findings}
    assert kinds["pii.CN_MOBILE"].evidence["level"] == "C2"
    assert kinds["pii.AUTH_SECRET"].evidence["level"] == "C3"
    assert kinds["pii.CN_MOBILE"].citation is not None and kinds["pii.CN_MOBILE"].citation.source
    assert "13812345678" not in json.dumps([f.to_dict() for f in findings], ensure_ascii=False)
    assert kinds["pii.CN_MOBILE"].evidence["masked"] == "138****5678"


def test_checksums():
    assert checks.id18_ok("11010519491231002X") and not checks.id18_ok("110105194912310021")
    assert checks.luhn_ok("6222021234567890128") and not checks.luhn_ok("6222021234567890127")
    assert checks.uscc_ok("91350100M000100Y43") and not checks.uscc_ok("91350100M000100Y44")
    assert checks.luhn_ok("622202123456789012" + checks.luhn_digit("622202123456789012"))


def test_scanner_limited_to_types_and_unknown_type_refused():
    s = Scanner(types=["EMAIL"])
    assert [h.type for h in s.scan("a@b.cn 13812345678")] == ["EMAIL"]
    with pytest.raises(ValueError, match="NOPE"):
        Scanner(types=["NOPE"])


def test_labelled_set_meets_the_goals():
    docs = [json.loads(line) for line in LABELLED.open(encoding="utf-8")]
    s = evaluate(docs, lambda t: [(h.start, h.end, h.type) for h in default_scanner().scan(t)])
    for kind in ("CN_ID_CARD", "BANK_CARD", "CN_USCC"):
        assert s.prf(kind)[2] >= 0.97, (kind, s.prf(kind))
    for kind in ("PERSON_NAME", "ADDRESS"):
        assert s.prf(kind)[2] >= 0.9, (kind, s.prf(kind))
    assert s.decoys > 1000 and s.decoy_fp_rate <= 0.01


def _hits(hits):
    return [(h.type, h.start, h.end, h.score) for h in hits]


def _all_digit_uscc():
    # A valid USCC whose check character is a digit and whose digits do not read as a birth date.
    for tail in range(10_000):
        body = f"9111010899{tail:07d}"
        code = body + checks.uscc_check(body)
        if code.isdigit() and checks.uscc_ok(code) and not checks.birth_ok(code[6:14]):
            return code
    raise AssertionError("no all-digit USCC found")


def test_scan_many_equals_scan_text_by_text():
    uscc = _all_digit_uscc()
    texts = [json.loads(line)["text"] for line in LABELLED.read_text(encoding="utf-8").splitlines()[:300]]
    texts += [
        "",
        "紧急联系人",            # a cue at the end of one text …
        "李秀英说她会还",        # … must not lift the score of a name opening the next
        "卡号",
        "6222021234567",         # a 13-digit card is a card only after a cue in its own text
        f"代码{uscc}",           # all digits, no letter in this text: not scanned as a USCC
        f"USCC {uscc}",
        "登录IP 10.0.0.1 v1.2.3.4 1.2.3.4.5",
        "fe80:0:0:0:0:0:0:1 abcd:abcd:abcd:abcd:abcd:abcd:abcd:abcd",
        "邮箱a@b.cc@d.ee，x***@a.com，.ab@c.cn，" + "a" * 65 + "@long.cn",
        "含\x00字符 13812345678",  # a NUL of its own: scanned alone
    ]
    s = default_scanner()
    expected = [_hits(s.scan(t)) for t in texts]
    for batch in (1, 5, 256):
        assert [_hits(h) for h in s.scan_many(texts, batch=batch)] == expected
    assert ("PERSON_NAME", 0, 3, 0.6) in expected[texts.index("李秀英说她会还")]
    assert expected[texts.index("6222021234567")] == []
    assert expected[texts.index(f"代码{uscc}")] == []
    assert [h[0] for h in expected[texts.index(f"USCC {uscc}")]] == ["CN_USCC"]


@pytest.mark.parametrize("text,values", [
    ("登录IP 10.0.0.1。", ["10.0.0.1"]),
    ("IP192.168.1.10异常", ["192.168.1.10"]),
    ("版本v1.2.3.4", []),
    ("编号1.2.3.4.5", []),
    ("地址256.1.1.1", []),
    ("v6 fe80:0:0:0:0:0:0:1 结束", ["fe80:0:0:0:0:0:0:1"]),
])
def test_ip_addresses_found_from_their_separators(text, values):
    assert [v for k, v in found(text) if k == "IP_ADDRESS"] == values


@pytest.mark.parametrize("text,values", [
    ("邮箱a@b.cc@d.ee", ["a@b.cc"]),                     # addresses do not overlap
    ("发到ab.cd+x@mail.example.cn谢谢", ["ab.cd+x@mail.example.cn"]),
    ("发到.ab@c.cn", []),                                # a local part opens with a letter or digit
    ("发到" + "a" * 65 + "@long.cn", []),                # at most 64 characters
    ("发到" + "a" * 64 + "@long.cn", ["a" * 64 + "@long.cn"]),
    ("掩码x***@a.com", []),
    ("全角ａｂｃ＠ｑｑ．ｃｏｍ。", ["ａｂｃ＠ｑｑ．ｃｏｍ"]),
])
def test_emails_found_from_the_at_sign(text, values):
    assert [v for k, v in found(text) if k == "EMAIL"] == values


def test_overlaps_resolved_cluster_by_cluster_in_a_long_text():
    from xiaobao.engines.privacy.recognizers import Hit
    from xiaobao.engines.privacy.scanner import resolve

    # Two overlapping pairs far apart and one lone hit: each pair keeps its better hit; a tie on
    # score and length goes to the earlier recognizer in the rank.
    hits = [Hit("B", 1000, 1010, 0.9), Hit("A", 1000, 1010, 0.9), Hit("C", 500, 510, 0.7),
            Hit("LONG", 0, 20, 0.8), Hit("SHORT", 5, 9, 0.95), Hit("WEAK", 2000, 2004, 0.3)]
    kept = resolve(hits, 0.5, {"A": 1, "B": 2})
    assert [(h.type, h.start) for h in kept] == [("SHORT", 5), ("C", 500), ("A", 1000)]


def test_token_types_found_together_in_one_text():
    text = "台胞证号码12345678，护照E12345678，回乡证H1234567890，代码91350100M000100Y43，手机13812345678"
    assert found(text) == [("CN_TAIWAN_PERMIT", "12345678"), ("CN_PASSPORT", "E12345678"),
                           ("CN_HK_MACAU_PERMIT", "H1234567890"), ("CN_USCC", "91350100M000100Y43"),
                           ("CN_MOBILE", "13812345678")]


@pytest.mark.parametrize("text,name", [
    ("本报讯（记者王吉瑛）双色球", "王吉瑛"),       # byline cue
    ("通灵珠宝总裁沈东军认为，这", "沈东军"),       # role cue, reporting verb after
    ("据悉，颜鲲表示，根据规定", "颜鲲"),           # reporting verb after
])
def test_news_style_names(text, name):
    assert ("PERSON_NAME", name) in found(text)


@pytest.mark.parametrize("text", ["对方表示会处理", "平台表示已经还款", "有关部门表示正在核实", "方面认为不妥"])
def test_reporting_verbs_do_not_make_names_of_words(text):
    assert [k for k, _ in found(text) if k == "PERSON_NAME"] == []


@pytest.mark.parametrize("text,address", [
    ("现居住于黑龙江省哈尔滨市南岗区中山路123号，", "黑龙江省哈尔滨市南岗区中山路123号"),  # cue 现居, then 住于
    ("家住在北京市朝阳区建设路88号。", "北京市朝阳区建设路88号"),
])
def test_address_starts_after_the_cue_and_its_verb(text, address):
    assert ("ADDRESS", address) in found(text)
