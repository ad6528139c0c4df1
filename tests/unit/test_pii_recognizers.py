"""Recognizers: checksums, decoys, offsets in the original text, levels, and the labelled set's goals."""

import json
from pathlib import Path

import pytest

from xiaobao.engines.privacy import checks
from xiaobao.engines.privacy.evaluation import evaluate
from xiaobao.engines.privacy.scanner import Scanner, default_scanner

LABELLED = Path(__file__).resolve().parents[2] / "eval" / "pii" / "labelled.jsonl"


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
