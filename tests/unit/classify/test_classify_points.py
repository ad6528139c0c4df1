"""Complaint points (诉点) that say what was complained about, on the texts the demo and consumers write."""

from __future__ import annotations

import pytest

from xiaobao.engines.classify.engine import ComplaintClassifier


@pytest.fixture(scope="module")
def clf():
    return ComplaintClassifier.from_rules()


def points(clf, text: str) -> set[str]:
    return {p.id for p in clf.predict(text).points}


def test_taking_a_loan_in_the_app_is_not_an_app_fault(clf):
    assert "app_function" not in points(clf, "我4月29日在贵平台App借款8,000元，分36期，页面展示年化利率22.8%。")
    assert "app_function" in points(clf, "App无法登录，人脸识别一直失败，无法查看账单和还款。")
    assert "app_function" in points(clf, "申请更换还款银行卡一直失败，App提示“系统繁忙”。")


def test_a_context_phrase_inside_the_anchor_does_not_count(clf):
    # 联系人 contains 联系: a proxy's "contact person" line is not collection calling the contacts.
    assert "collect_contacts" not in points(clf, "要求删除征信不良记录。联系人微信 xy_123456，三个工作日内未处理将投诉。")
    assert "collect_contacts" in points(clf, "催收员打电话给我的联系人，说我欠钱不还。")
    assert "collect_contacts" in points(clf, "催收人员多次拨打我的通讯录联系人，要求停止。")


def test_a_fee_name_is_the_charge_without_the_request_around_it(clf):
    fees = lambda t: {p for p in points(clf, t) if p.startswith("fee:")}
    assert fees("恳请减免罚息，并退回给我会员费。") == set()  # 罚息 and 会员费 have rules of their own
    assert fees("要求提前还款违约金全免，退还50元手续费。") == set()
    assert fees("每期多收1,200元“信用评估费”，提前并未提醒。") == {"fee:信用评估费"}
    assert fees("免收剩余期数服务费。") == set()  # the service fee of the remaining periods is the service fee
    assert fees("要求退还什么服务费，现在利息违约金也不减免。") == set()  # a request's words are not a fee name
    assert fees("擅自开通账单分期手续费和信用卡年费，还收了信息咨询服务费。") == {
        "fee:账单分期手续费", "fee:信用卡年费", "fee:信息咨询服务费"}
    assert fees("每月支付保费120元") == set()  # 支付 is the paying, 保费 the premium (a point of its own)
    assert fees("2021年费用合计3000元，保一年费用是每月交的。") == set()  # years, not an annual fee
    assert fees("办卡时没说有年费，现在扣了600元年费。") == {"fee:年费"}


def test_the_themes_real_complaints_raise_most_have_points(clf):
    cases = {
        "天天发暴力催收的短信，严重影响生活。": "collect_violent",
        "借6600元分24期，利息太高了还不起。": "rate_high",
        "业务员虚假宣传，说保本保息。": "marketing_false",
        "在我不知情的情况下开通了增值服务，每月扣费20元。": "unauthorized_charge",
        "没有申请任何保险，莫名其妙收到投保成功的短信。": "insurance_unconsented",
        "要求全额退保，退还保费。": "insurance_surrender",
        "住院后申请理赔，保险公司以既往症为由拒赔。": "insurance_claim",
        "商品没收到，客服一直不给退款。": "refund_refused",
        "没有任何通知，我的工资卡突然被冻结，无法转账。": "account_frozen",
        "申请的借款显示放款成功，但一直没到账。": "funds_not_arrived",
        "参加了开卡活动，达标后奖励一直未发放。": "promotion_unfulfilled",
    }
    for text, point in cases.items():
        assert point in points(clf, text), (text, point)
    assert "unauthorized_charge" not in points(clf, "我在App开通了自动还款，每月按时扣款。")  # consented: no cue
    assert "insurance_unconsented" not in points(clf, "我购买了意外保险，现在想咨询保障范围。")
    assert "account_frozen" not in points(clf, "信用卡额度被冻结了，借不出来。")  # a credit limit, not an account
    assert "promotion_unfulfilled" not in points(clf, "这严重侵犯了消费者权益，要求退还扣除的费用。")


def test_rules_files_with_the_old_fee_keys_are_refused(tmp_path):
    from xiaobao.engines.classify.points import load_points
    from xiaobao.rules import RulesError

    (tmp_path / "classify_points.yaml").write_text('fee_pattern: "(服务费)"\npoints: []\n', encoding="utf-8")
    with pytest.raises(RulesError, match="fee_heads"):
        load_points(tmp_path)
