"""Ordinary words that start with a surname character are not names (found on real complaint text,
where they were masked as names: 利息高达三万 → 利息高*三万). Sentences written for this test."""

import pytest

from xiaobao.engines.privacy.config import load_config
from xiaobao.engines.privacy.scanner import default_scanner


@pytest.mark.parametrize("text", [
    "这个月资金一下子周转不开了",            # 资金 + 一下: 金 is no surname here
    "利息高达三万元，远超当初的说法",         # 高达: as high as
    "关键是我从来没有授权过这笔扣款",         # 关键
    "我多次与客服协商一次性结清",             # 协商 + 一次
    "客服说帮我查一下，到现在也没有回复",      # 一下
    "不顾我的反对强行扣款",                  # 不顾
    "最近一查账单才知道被扣了会员费",          # 账单 (a rarer word, before the surname 单)
    "本人向捷信公司借款两万",                 # 向 + 捷信: a lender's name, even after the cue 本人
    "本人向招联金融借款一万",
    "下午收到康泰人寿短信提示欠保",            # an institution word follows
    "放款供应商是华润银行，之前借过",
])
def test_ordinary_words_are_not_names(text):
    assert [text[h.start:h.end] for h in default_scanner().scan(text) if h.type == "PERSON_NAME"] == []


@pytest.mark.parametrize("text, name", [
    ("联系人张伟，电话已经打不通", "张伟"),     # after a cue the name stands
    ("本人高玲，要求退还服务费", "高玲"),
    ("催收员张伟经理每天打电话", "张伟"),       # a title
    ("李明说会退款，到现在也没退", "李明"),     # no cue: a common given name, no word around it
    ("我家人考虑业务员林伟英是她同学", "林伟英"),
    ("本人向东借款一万，现在无力偿还", "向东"),  # the surname 向 itself, before no lender's name
])
def test_names_are_still_found(text, name):
    found = [text[h.start:h.end] for h in default_scanner().scan(text) if h.type == "PERSON_NAME"]
    assert any(f.startswith(name) for f in found), found


def test_the_common_words_are_data_with_their_source():
    words = load_config().gazetteer["common_words"]
    assert len(words) > 10_000 and all(len(w) == 2 for w in words)
    assert {"资金", "关键", "一下", "协商"} <= set(words)
    rarer = load_config().gazetteer["rarer_common_words"]
    assert "账单" in rarer and not set(rarer) & set(words)


@pytest.mark.parametrize("text", ["2020年1 3 4 5 6 7 8 10 11这几个月都按时还了", "第1 2 3 4 12期已经还清"])
def test_a_spaced_list_of_small_rising_numbers_is_no_phone_number(text):
    assert default_scanner().scan(text) == [] and default_scanner().scan_many([text]) == [[]]


@pytest.mark.parametrize("text, value", [("我的电话1 3 8 1 2 3 4 5 6 7 8", "1 3 8 1 2 3 4 5 6 7 8"),
                                         ("电话 138 1234 5678 找我", "138 1234 5678")])
def test_a_phone_number_typed_in_groups_is_still_found(text, value):
    for hits in (default_scanner().scan(text), default_scanner().scan_many([text])[0]):
        assert [(text[h.start:h.end], h.type) for h in hits] == [(value, "CN_MOBILE")]
