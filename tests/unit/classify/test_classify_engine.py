"""The day-one classifier, taxonomy, complaint points and escalation risk, on Chinese text."""

from __future__ import annotations

import shutil
import unicodedata

import pytest

from xiaobao.engines.classify.engine import ComplaintClassifier
from xiaobao.engines.classify.taxonomy import load_taxonomy
from xiaobao.rules import BUNDLED, RulesError


@pytest.fixture(scope="module")
def clf():
    return ComplaintClassifier.from_rules()


def test_collection_complaint_is_axis_c_debt_collection_with_the_contacts_point(clf):
    p = clf.predict("贵司催收人员多次拨打我的通讯录联系人，骚扰我的家人，要求停止。")
    assert p.category == "debt_collection" and not p.needs_person
    assert p.axis_c.name_zh == "债务催收方式和手段"
    assert p.axis_b.name_zh == "贷款"
    assert "collect_contacts" in {pt.id for pt in p.points}
    kinds = {f.kind for f in p.findings}
    assert {"classify.category", "classify.axis_c", "classify.axis_b", "classify.point"} <= kinds


def test_full_width_text_matches_like_half_width(clf):
    half = clf.predict("收取担保费，综合年化超过24%")
    full = clf.predict("收取担保费，综合年化超过２４％")
    assert half.category == full.category == "pricing_fees"
    assert {p.id for p in half.points} == {p.id for p in full.points}


def test_point_span_points_at_what_the_consumer_wrote(clf):
    text = "平台 收取的信息咨询 服务费太高"
    p = clf.predict(text)
    fee = [pt for pt in p.points if pt.id.startswith("fee:")]
    assert fee and fee[0].id == "fee:信息咨询服务费"
    assert text[fee[0].start:fee[0].end] == "信息咨询 服务费"


def test_no_evidence_means_needs_a_person_not_a_guess(clf):
    p = clf.predict("你好，请尽快联系我。")
    assert p.needs_person and p.category is None and p.axis_c is None
    assert any(f.kind == "classify.needs_person" for f in p.findings)


def test_credit_card_text_is_axis_b_credit_card(clf):
    p = clf.predict("信用卡账单分期的手续费太高了，卡中心不给减免")
    assert p.axis_b.name_zh == "信用卡"


def test_the_repayment_words_every_credit_complaint_uses_do_not_outvote_the_product(clf):
    # 还款, 逾期, 利息, 分期 are in every credit-card complaint too: they decide only when nothing else matched.
    card = clf.predict("浦发信用卡逾期了，想协商分期还款，利息和违约金太高，还款压力大。")
    assert card.axis_b.code == "0301"
    assert clf.predict("马上消费金融的借款逾期了，要求减免利息、协商还款。").axis_b.code == "0201"  # a consumer loan
    assert clf.predict("逾期三个月，利息越滚越多，要求协商还款。").axis_b.code == "02"  # only the generic words
    loan = clf.predict("用信用卡还不上网贷，贷款平台放款时扣了砍头息，借款合同利率超标。")
    assert loan.axis_b.code == "02"  # four loan words against one card word


def test_collection_context_is_required_for_the_contacts_point(clf):
    # 家人 alone is not a collection behaviour; it needs a collection phrase nearby.
    p = clf.predict("我的家人生病住院了，想申请延期还款。")
    assert "collect_contacts" not in {pt.id for pt in p.points}


def test_escalation_combines_independent_signals(clf):
    calm = clf.predict("提前还款的违约金是怎么算的？")
    one = clf.predict("银保监规定贷款利率不能超过24%，贵司利率太高。")  # citing a regulator's rule
    two = clf.predict("我是退休老人，已经多次投诉一直没有解决，我要向银保监投诉并找媒体曝光")
    assert calm.escalation.score == 0 and not calm.escalation.flagged
    assert 0 < one.escalation.score < two.escalation.score <= 1
    assert two.escalation.flagged and not one.escalation.flagged
    assert {"regulator_threat", "media_threat", "vulnerable_customer", "repeated_contact"} <= set(two.escalation.signals)


def test_saying_the_complaint_will_go_to_the_regulator_flags_on_its_own(clf):
    for text in ("再不停止催收，我会投诉至银监会。", "我要向银保监投诉", "已经打了12378投诉，客服才回电话。"):
        risk = clf.predict(text).escalation
        assert risk.flagged and "regulator_threat_explicit" in risk.signals, text


def test_a_repeat_link_from_intake_raises_the_risk(clf):
    text = "额度被冻结了，借不出来"
    assert clf.predict(text, repeat_of=True).escalation.score > clf.predict(text).escalation.score


def test_the_risk_names_the_flag_that_routing_sends_up_a_tier(clf):
    from xiaobao.rules import load

    flag = clf.escalation.routing_flag
    assert flag == "escalation_risk"
    rule = next(r for r in load().routing.rules if flag in r.when.get("flags_any", ()))
    assert (rule.id, rule.tier, rule.team) == ("route.escalation_risk", "L4", "escalation") and rule.citation


def test_a_routing_flag_intake_would_refuse_is_refused(tmp_path):
    text = (BUNDLED / "classify_escalation.yaml").read_text(encoding="utf-8").replace(
        "routing_flag: escalation_risk", "routing_flag: 升级风险")
    (tmp_path / "classify_escalation.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(RulesError, match="routing_flag"):
        ComplaintClassifier.from_rules(tmp_path)


def test_without_a_routing_flag_risk_is_scored_but_routes_nothing(tmp_path):
    text = (BUNDLED / "classify_escalation.yaml").read_text(encoding="utf-8").replace(
        "routing_flag: escalation_risk", "")
    (tmp_path / "classify_escalation.yaml").write_text(text, encoding="utf-8")
    clf = ComplaintClassifier.from_rules(tmp_path)
    assert clf.escalation.routing_flag is None
    assert clf.predict("我是退休老人，多次投诉一直没有解决，我要向银保监投诉并找媒体曝光").escalation.flagged


def test_every_taxonomy_category_reports_under_one_axis_c():
    tax = load_taxonomy()
    assert set(tax.categories) >= {"debt_collection", "pricing_fees", "repayment", "credit_report", "personal_info",
                                   "marketing", "service_attitude", "credit_limit", "bundling", "fraud_victim"}
    assert tax.axis_c_for("debt_collection").name_zh == "债务催收方式和手段"
    assert tax.axis_c["99"].name_zh == "其他" and tax.axis_b["99"].name_zh == "其他"


def test_an_institution_can_load_its_own_codes(tmp_path):
    shutil.copy(BUNDLED / "taxonomy.yaml", tmp_path / "taxonomy.yaml")
    text = (BUNDLED / "classify_axes.yaml").read_text(encoding="utf-8").replace('code: "11", name_zh: 债务催收方式和手段',
                                                                                 'code: "C12", name_zh: 债务催收方式和手段')
    (tmp_path / "classify_axes.yaml").write_text(text, encoding="utf-8")
    p = ComplaintClassifier.from_rules(tmp_path).predict("暴力催收，威胁恐吓我")
    assert p.axis_c.code == "C12"


def test_a_category_left_out_of_axis_c_is_refused(tmp_path):
    text = (BUNDLED / "classify_axes.yaml").read_text(encoding="utf-8").replace("categories: [bundling]", "categories: []")
    (tmp_path / "classify_axes.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(RulesError, match="bundling"):
        load_taxonomy(tmp_path)


def test_a_negative_lexicon_weight_is_refused(tmp_path):
    (tmp_path / "classify_lexicon.yaml").write_text("categories:\n  marketing: {推销: -1}\n", encoding="utf-8")
    with pytest.raises(RulesError, match="推销"):
        ComplaintClassifier.from_rules(tmp_path)


@pytest.mark.parametrize("text", [
    "平台 收取的信息咨询 服务费太高", "综合年化超过２４％，ＡＢＣ公司", "İstanbul 催收\t电话\n", "ﬁle ㈱ 费用",
    "e\u0301 重音", "", "   ",
])
def test_fast_normalisation_gives_the_same_text_and_offsets_as_per_character(text):
    from xiaobao.engines.classify.text import (
        _normalize_with_offsets_per_char,
        normalize,
        normalize_with_offsets,
    )

    fast = normalize_with_offsets(text)
    assert fast == _normalize_with_offsets_per_char(text)
    assert fast[0] == normalize(text) or not unicodedata.is_normalized("NFKC", text)
