"""Operators and the vault: masks, redact/replace, tokens, format-preserving tokens, encryption
round trips, key rotation, and document policies."""

import pytest

from xiaobao.engines.privacy import checks
from xiaobao.engines.privacy.operators import OperatorError, Operators, mask_value
from xiaobao.engines.privacy.policy import Anonymizer, PolicyError, get_policy
from xiaobao.engines.privacy.vault import Vault, VaultError


@pytest.fixture
def ops():
    return Operators(Vault.generate())


@pytest.mark.parametrize("kind,value,masked", [
    ("CN_MOBILE", "13812345678", "138****5678"),
    ("CN_MOBILE", "138 1234 5678", "138 **** 5678"),
    ("CN_ID_CARD", "11010519491231002X", "110***********002X"),
    ("BANK_CARD", "6222021234567890128", "622202*********0128"),
    ("PERSON_NAME", "欧阳娜娜", "欧***"),
    ("EMAIL", "zhangsan@163.com", "z*******@163.com"),
])
def test_masks_follow_configured_conventions(kind, value, masked):
    assert mask_value(kind, value) == masked


def test_redact_and_replace(ops):
    assert ops.apply("redact", "AUTH_SECRET", "123456") == ""
    assert ops.apply("replace", "CN_MOBILE", "13812345678") == "[手机号]"


def test_tokens_are_deterministic_per_vault_and_differ_between_vaults(ops):
    a = ops.apply("token", "CN_ID_CARD", "11010519491231002X")
    assert a == ops.apply("token", "CN_ID_CARD", "11010519491231002X")
    assert a != ops.apply("token", "CN_ID_CARD", "110105194912310021")
    assert a != Operators(Vault.generate()).apply("token", "CN_ID_CARD", "11010519491231002X")


def test_format_preserving_tokens_keep_format_and_validity(ops):
    mob = ops.apply("fpe", "CN_MOBILE", "138 1234 5678")
    assert len(mob) == 13 and mob[3] == " " and checks.is_mobile(mob.replace(" ", "")) and mob != "138 1234 5678"
    card = ops.apply("fpe", "BANK_CARD", "6222021234567890128")
    assert len(card) == 19 and card[:6] == "622202" and checks.luhn_ok(card) and card != "6222021234567890128"
    idn = ops.apply("fpe", "CN_ID_CARD", "11010519491231002X")
    assert checks.id18_ok(idn) and idn[:6] == "110105" and idn != "11010519491231002X"
    assert idn == ops.apply("fpe", "CN_ID_CARD", "11010519491231002X")


def test_encrypt_round_trip_and_field_binding(ops):
    wrapped = ops.apply("encrypt", "CN_MOBILE", "13812345678")
    assert "13812345678" not in wrapped
    assert ops.decrypt(wrapped) == ("CN_MOBILE", "13812345678")
    forged = wrapped.replace("<enc:CN_MOBILE:", "<enc:CN_ID_CARD:")
    with pytest.raises(VaultError):
        ops.decrypt(forged)
    with pytest.raises(OperatorError):
        Operators(None).apply("encrypt", "CN_MOBILE", "13812345678")


def test_key_rotation_reencrypt_and_retire():
    v = Vault.generate()
    old = v.encrypt("11010519491231002X", "pii.CN_ID_CARD")
    kid = v.rotate()
    assert kid == "k2" and v.key_id(v.encrypt("x", "f")) == "k2"
    assert v.decrypt(old, "pii.CN_ID_CARD") == "11010519491231002X"  # old key still reads
    new = v.reencrypt(old, "pii.CN_ID_CARD")
    assert v.key_id(new) == "k2" and v.reencrypt(new, "pii.CN_ID_CARD") == new
    v.retire("k1")
    with pytest.raises(VaultError):
        v.decrypt(old, "pii.CN_ID_CARD")
    assert v.decrypt(new, "pii.CN_ID_CARD") == "11010519491231002X"
    with pytest.raises(VaultError):
        v.retire("k2")
    assert v.rotate() == "k3"  # ids are not reused
    assert Vault.from_json(v.to_json()).decrypt(new, "pii.CN_ID_CARD") == "11010519491231002X"


def test_document_policy_fields_and_free_text(ops):
    anon = Anonymizer(ops)
    doc = {"customer_name": "王小明", "customer_phone": "13812345678", "channel": "app",
           "text": "我叫李秀英，卡号6222021234567890128，验证码 482913", "n": 3, "nested": [{"note": "邮箱a1b2@qq.com"}]}
    r = anon.document(doc, get_policy("export"))
    out = r.value
    assert out["customer_name"].startswith("<PERSON_NAME:") and checks.is_mobile(out["customer_phone"])
    assert out["channel"] == "app" and out["n"] == 3
    assert "李秀英" not in out["text"] and "[姓名]" in out["text"] and "482913" not in out["text"]
    assert "a1b2@qq.com" not in out["nested"][0]["note"]
    assert r.counts["AUTH_SECRET"] == 1 and r.counts["field:customer_phone"] == 1
    stored = anon.document(doc, get_policy("storage")).value
    assert ops.decrypt(stored["customer_phone"]) == ("CN_MOBILE", "13812345678")


def test_documents_in_a_batch_equal_documents_one_by_one(ops):
    anon = Anonymizer(ops)
    docs = [{"customer_phone": "13812345678", "text": "我叫李秀英，电话13912345678", "tags": ["催收", "王五先生"]},
            "单独的字符串：卡号6222021234567890128",
            {"a": [{"b": "住址：北京市朝阳区建国路88号"}, "x", 3, None, [["邮箱a1b2@qq.com"]]], "id_number": None},
            [], {}, 42]
    for name in ("export", "display"):
        pol = get_policy(name)
        one = [anon.document(d, pol) for d in docs]
        many = anon.documents(docs, pol)
        assert [(r.value, r.counts) for r in many] == [(r.value, r.counts) for r in one]
    assert "a1b2@qq.com" not in str(many[2].value) and many[2].value["a"][2] == 3


def test_format_preserving_digits_are_hmac_bytes_below_250_mod_10():
    """Tokens already handed out must not change: the digits are those of the plain definition."""
    import hashlib
    import hmac

    v = Vault.generate()
    key = hmac.new(v.index_key, b"xiaobao/fpe/CN_MOBILE", hashlib.sha256).digest()
    for value, n in (("13812345678", 19), ("6222021234567890128", 27), ("1", 70)):
        expected, counter = [], 0
        while len(expected) < n:
            block = hmac.new(key, value.encode() + counter.to_bytes(4, "big"), hashlib.sha256).digest()
            expected += [str(b % 10) for b in block if b < 250]
            counter += 1
        assert v.digits(value, "CN_MOBILE", n) == "".join(expected[:n])
    token_key = hmac.new(v.index_key, b"xiaobao/token/EMAIL", hashlib.sha256).digest()
    assert v.token("a@b.cn", "EMAIL") == hmac.new(token_key, b"a@b.cn", hashlib.sha256).hexdigest()[:16]


def test_display_policy_masks_text_and_drops_c3():
    anon = Anonymizer(Operators(None))
    out = anon.text("手机13812345678，密码 123456", get_policy("display"))
    assert out == "手机138****5678，密码 "


def test_unknown_policy_is_refused_with_the_names_available():
    with pytest.raises(PolicyError, match="display"):
        get_policy("nope")
