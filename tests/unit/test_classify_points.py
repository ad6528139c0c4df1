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
    assert fees("免收剩余期数服务费。") == {"fee:剩余期数服务费"}
