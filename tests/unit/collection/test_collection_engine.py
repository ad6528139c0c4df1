"""Collection QA engine: every violation code, negation, quotation, time zones and same-day series."""

from __future__ import annotations

from decimal import Decimal

import pytest

from xiaobao.engines.collection import CODES
from xiaobao.engines.collection.amounts import chinese_number
from xiaobao.engines.collection.inspector import Inspector
from xiaobao.engines.collection.records import parse_call

OPEN = ("collector", "您好，我是示例消费金融的贷后专员李娜，工号3021，请问是张先生本人吗？")


@pytest.fixture(scope="module")
def ins():
    return Inspector.load()


def rec(turns=(OPEN,), n=1, **over):
    r = {"call_id": f"C{n}", "agency": "安信资产", "collector_id": "COL1", "debtor_id": "D1",
         "started_at": "2026-11-20T10:00:00+08:00", "duration_s": 120, "callee_relation": "debtor",
         "transcript": [{"speaker": s, "text": t} for s, t in turns]}
    r.update(over)
    return r


def run(ins, *records):
    calls = []
    for r in records:
        call, errs = parse_call(r, ins.policy)
        assert not errs, errs
        calls.append(call)
    return ins.inspect_batch(calls)


def codes(ins, line, **over):
    return run(ins, rec((OPEN, ("collector", line)), **over))[0].codes()


@pytest.mark.parametrize("line, code", [
    ("你不还钱我们明天就派人上门。", "threat_violence"),
    ("你这个老赖，真不要脸。", "insult_abuse"),
    ("我是XX区人民法院执行局的，你的案子已经转过来了。", "impersonate_authority"),
    ("再不还就要坐牢了，我们明天就立案。", "false_legal_consequence"),
    ("不还钱你孩子以后上学、考公都会受影响。", "false_legal_consequence"),
    ("没钱你就去别的平台借点来还。", "refuse_hardship_negotiation"),
    ("今天不还明天金额就翻倍。", "mislead_amount"),
    ("我们外访的上门费也要你来出。", "mislead_amount"),
])
def test_each_utterance_code_is_found_with_its_citation_and_span(ins, line, code):
    result = run(ins, rec((OPEN, ("collector", line))))[0]
    found = [f for f in result.findings if f.kind == f"collection.{code}"]
    assert found, result.to_contract()
    v = result.to_contract()["violations"][0]
    assert v["turn"] == 1 and v["citation"] and line[v["start"]:v["end"]] == found[0].evidence["matched"]
    assert result.compliant is False


@pytest.mark.parametrize("line", [
    "我们不会上门，请您放心。",
    "我们这边只是提醒，不会采取任何上门或者曝光的方式。",
    "您放心，逾期不会坐牢，但会影响个人信用记录。",
    "所谓的黑名单是不存在的，但逾期记录会如实上报征信。",
    "温馨提醒，逾期信息会按照规定报送人民银行征信系统。",
    "您刚才说我们是骗子，我理解您的担心。",
    "您刚刚骂我们是垃圾公司，我们理解您的情绪。",
    "您说的“你们这帮人渣”我们已经记录。",
    "法院传票会寄到你家，这是诉讼程序。",
])
def test_negations_quotations_and_accurate_credit_warnings_are_not_violations(ins, line):
    assert codes(ins, line) == set()


def test_negation_does_not_reach_past_a_condition_or_a_rhetorical_turn(ins):
    assert "threat_violence" in codes(ins, "你不还钱我们就上门。")
    assert "threat_violence" in codes(ins, "别以为我们不会上门。")
    assert "insult_abuse" in codes(ins, "你是不是脑子有病啊？")


def test_full_width_and_spaced_asr_text_still_matches_with_original_offsets(ins):
    line = "你 这 个 ＳＢ，快还钱"
    v = run(ins, rec((OPEN, ("collector", line))))[0].to_contract()["violations"][0]
    assert v["code"] == "insult_abuse" and line[v["start"]:v["end"]] == "ＳＢ"


def test_callee_words_are_never_the_collectors_violation(ins):
    assert run(ins, rec((OPEN, ("callee", "你们这群骗子，再打我就上门找你们！"))))[0].compliant


def test_missing_self_identification_is_flagged_on_the_first_collector_turn(ins):
    r = run(ins, rec((("collector", "喂，你欠的钱什么时候还？"), ("callee", "下周吧"))))[0]
    v = r.to_contract()["violations"]
    assert [x["code"] for x in v] == ["no_self_identification"] and v[0]["turn"] == 0


def test_debt_disclosed_to_a_contact_or_to_someone_revealed_as_a_spouse(ins):
    tp = rec((OPEN, ("collector", "他在我们平台借了两万块钱，已经逾期了。")), callee_relation="contact")
    assert run(ins, tp)[0].codes() == {"disclose_debt_to_third_party"}
    spouse = rec((OPEN, ("callee", "我是他老婆，什么事跟我说吧。"), ("collector", "他的贷款逾期很久了。")))
    assert run(ins, spouse)[0].codes() == {"disclose_debt_to_third_party"}
    same_words_to_debtor = rec((OPEN, ("collector", "您的贷款已经逾期了，请尽快还款。")))
    assert run(ins, same_words_to_debtor)[0].compliant


def test_pressing_a_third_party_and_calling_a_contact_when_the_debtor_is_reachable(ins):
    r = run(ins, rec((OPEN, ("collector", "他不还那你就替他还吧。")), callee_relation="family"))[0]
    assert "harass_third_party" in r.codes()
    polite = rec((OPEN, ("collector", "麻烦您转告他回个电话，谢谢。")), callee_relation="contact",
                 debtor_unreachable=False)
    assert run(ins, polite)[0].codes() == {"harass_third_party"}


def test_refusing_to_negotiate_counts_only_after_a_stated_hardship(ins):
    refuse = ("collector", "没得商量，今天必须全部还清。")
    assert run(ins, rec((OPEN, refuse)))[0].compliant
    hard = rec((OPEN, ("callee", "我最近失业了，能不能协商还款？"), refuse))
    assert run(ins, hard)[0].codes() == {"refuse_hardship_negotiation"}


def test_stated_total_is_compared_with_the_amount_due(ins):
    assert codes(ins, "您的欠款一共是五千二百元。", amount_due="5000") == {"mislead_amount"}
    assert codes(ins, "您的欠款一共是5,000元。", amount_due="5000") == set()
    assert codes(ins, "今天能先还五百块也可以。", amount_due="5000") == set()


@pytest.mark.parametrize("s, v", [("两千五", 2500), ("一万二", 12000), ("三千零五", 3005), ("三千二百五", 3250),
                                  ("两万零五百", 20500), ("五点五", Decimal("5.5"))])
def test_chinese_amounts(s, v):
    assert chinese_number(s) == Decimal(v)


@pytest.mark.parametrize("started, extra, dur, late", [
    ("2026-11-20T22:10:00+08:00", {}, 60, True),
    ("2026-11-20T07:59:00+08:00", {}, 30, True),
    ("2026-11-20T21:50:00+08:00", {}, 1200, True),  # runs past 22:00
    ("2026-11-20T21:40:00+08:00", {}, 600, False),
    ("2026-11-20T08:30:00+08:00", {"debtor_region": "650102"}, 60, True),  # 06:30 in Urumqi
    ("2026-11-20T23:00:00+08:00", {"debtor_region": "新疆"}, 300, False),  # 21:00 in Urumqi
    ("2026-11-20T14:30:00Z", {}, 60, True),  # 22:30 Beijing
    ("2026-11-20 23:30:00", {"consent": ["off_hours"]}, 60, False),
    ("2026-11-20T06:00:00+08:00", {"debtor_tz": "Asia/Urumqi"}, 60, True),
])
def test_hours_are_judged_in_the_debtors_local_time(ins, started, extra, dur, late):
    r = run(ins, rec(started_at=started, duration_s=dur, **extra))[0]
    assert ("call_outside_hours" in r.codes()) is late


def test_fourth_connected_call_of_a_local_day_exceeds_the_limit(ins):
    calls = [rec(n=i, started_at=f"2026-11-20T{9 + 2 * i:02d}:00:00+08:00") for i in range(5)]
    results = run(ins, *calls)
    assert [("excessive_frequency" in r.codes()) for r in results] == [False, False, False, True, True]


def test_day_boundary_follows_the_debtors_zone(ins):
    # 01:00 Beijing on the 21st is 23:00 on the 20th in Urumqi: the same local day as the others.
    calls = [rec(n=i, started_at=f"2026-11-20T{10 + 3 * i:02d}:00:00+08:00", debtor_region="65") for i in range(3)]
    calls.append(rec(n=9, started_at="2026-11-21T01:00:00+08:00", debtor_region="65",
                     consent=["off_hours"]))
    assert "excessive_frequency" in run(ins, *calls)[-1].codes()


def test_seventh_dial_attempt_to_one_number_exceeds_the_limit(ins):
    calls = [rec((), n=i, started_at=f"2026-11-20T{9 + i:02d}:00:00+08:00", duration_s=0, connected=False,
                 callee_number="N1") for i in range(8)]
    assert [("excessive_frequency" in r.codes()) for r in run(ins, *calls)] == [False] * 6 + [True, True]


def test_calling_a_third_party_again_after_they_refused(ins):
    first = rec((OPEN, ("callee", "我不认识这个人，不要再打来了。")), n=1, callee_relation="contact",
                callee_number="N9", started_at="2026-11-18T10:00:00+08:00")
    again = rec((OPEN,), n=2, callee_relation="contact", callee_number="N9", started_at="2026-11-20T10:00:00+08:00")
    r1, r2 = run(ins, first, again)
    assert r1.compliant and r2.codes() == {"harass_third_party"}


def test_prior_calls_count_but_get_no_new_findings(ins):
    prior = [parse_call(rec(n=i, started_at=f"2026-11-20T{9 + i:02d}:00:00+08:00"), ins.policy)[0] for i in range(3)]
    new = parse_call(rec(n=7, started_at="2026-11-20T16:00:00+08:00"), ins.policy)[0]
    (r,) = ins.inspect_batch([new], prior)
    assert r.codes() == {"excessive_frequency"}


def test_every_fixed_code_has_a_cited_rule(ins):
    assert set(ins.policy.codes) == set(CODES)
    assert all(c.citation.source for c in ins.policy.codes.values())


def test_bad_record_names_each_field(ins):
    call, errs = parse_call({"call_id": "X", "started_at": "昨天", "duration_s": "abc", "callee_relation": "路人",
                             "transcript": [{"speaker": "robot", "text": "hi"}]}, ins.policy)
    fields = {e.field for e in errs}
    assert call is None
    assert {"agency", "collector_id", "debtor_id", "started_at", "duration_s", "callee_relation",
            "transcript[0].speaker"} <= fields


@pytest.mark.parametrize("line, threat", [
    ("我们外访的上门费也要你来出。", False),
    ("家访产生的费用都算在你头上。", False),
    ("明天我们上门收费。", True),
    ("你不还钱我们就上门，费用你自己承担。", True),
])
def test_a_visit_word_naming_a_fee_is_a_fee_claim_not_a_visit_threat(ins, line, threat):
    assert ("threat_violence" in codes(ins, line)) is threat
