"""Black/gray signals: contact artefacts, shared-contact gangs, the lexicon, repeats and bursts."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from xiaobao.engines.blackgray.bursts import BurstDetector
from xiaobao.engines.blackgray.contacts import Artefact, extract_artefacts
from xiaobao.engines.blackgray.gangs import GangLinker
from xiaobao.engines.blackgray.lexicon import Lexicon
from xiaobao.engines.blackgray.repeat import RepeatDetector
from xiaobao.rules import RulesError


def kv(text: str, meta: dict | None = None) -> set[tuple[str, str]]:
    return {(a.kind, a.value) for a in extract_artefacts(text, meta)}


def of_kind(text: str, kind: str) -> list[Artefact]:
    return [a for a in extract_artefacts(text) if a.kind == kind]


# ---- contact artefacts ------------------------------------------------------------------------


def test_full_width_spaced_mobile_is_normalised_and_spans_the_original_text():
    text = "本人张某，借款后因失业无力还款，联系电话：１３８ １２３４ ５６７８，请尽快回复。"
    [a] = of_kind(text, "mobile")
    assert a.value == "13812345678"
    assert text[a.start:a.end] == "１３８ １２３４ ５６７８"


def test_plus86_and_dashed_numbers_are_normalised():
    text = "如有疑问请致电我方法务：+86 139-8765-4321，或座机（010）8888-6666。"
    assert {("mobile", "13987654321"), ("landline", "01088886666")} <= kv(text)
    [m] = of_kind(text, "mobile")
    assert text[m.start:m.end] == "+86 139-8765-4321"


def test_masked_numbers_are_not_artefacts():
    text = "贵司催收员用尾号138****1234的号码和139xxxx5678骚扰我，扣款卡6222********1234。"
    assert extract_artefacts(text) == []
    text = "还款账户：6222 0212 3456 7890 ***，备用账号 **** 0212 3456 7890 1234，座机 0755-8888-****"
    assert extract_artefacts(text) == []


def test_digits_inside_longer_runs_are_not_phones():
    text = "借款合同编号2024011381234567890，订单号DD13912345678001，借款金额50000元。"
    assert not [a for a in extract_artefacts(text) if a.kind in ("mobile", "landline")]


def test_id_numbers_are_neither_phones_nor_accounts():
    assert extract_artefacts("本人身份证号110101199003077777，要求核实。") == []


def test_bank_account_after_a_cue_and_grouped_card_number():
    text = "维权服务费请转账至账户 6217 0012 3456 7890 123（户名：某某咨询公司）。"
    [a] = extract_artefacts(text)
    assert (a.kind, a.value) == ("bank_account", "6217001234567890123")
    assert text[a.start:a.end] == "6217 0012 3456 7890 123"


def test_service_numbers_and_regulator_short_codes_are_not_artefacts():
    text = "我打了贵司客服热线400-820-8820和95188都没人处理，我要去12378投诉。"
    assert extract_artefacts(text) == []


def test_wechat_and_qq_ids_only_after_their_cue():
    text = "有问题加VX：zhangfawu_88 或扣扣 123456789 咨询，邮箱 Lawyer.Li@163.com"
    assert kv(text) == {("wechat", "zhangfawu_88"), ("qq", "123456789"), ("email", "lawyer.li@163.com")}


def test_words_and_numbers_without_cue_are_not_wechat_or_qq():
    text = "我通过微信支付还了500元，账单编号abc123456，QQ音乐会员被自动扣费。"
    assert not [a for a in extract_artefacts(text) if a.kind in ("wechat", "qq")]


def test_full_width_wechat_cue_and_same_as_phone():
    text = "联系我：13712345678（ＶＸ同号）"
    assert {("mobile", "13712345678"), ("wechat", "13712345678")} == kv(text)


def test_agent_names_after_legal_cues():
    text = "我方法务张伟已与贵司联系，委托代理人：李小明，联系人欧阳娜娜女士。"
    names = of_kind(text, "agent_name")
    assert [a.value for a in names] == ["张伟", "李小明", "欧阳娜娜"]
    assert all(text[a.start:a.end] == a.value for a in names)


def test_cue_words_followed_by_ordinary_words_are_not_names():
    text = "我收到了律师函，法务部说要起诉我，顾问说可以减免，代理人的电话打不通。"
    assert of_kind(text, "agent_name") == []


def test_meta_fields_are_artefacts_without_offsets():
    meta = {"customer_phone": "+86 138 0013 8000", "agent_phone": "400-820-8820",
            "agent_name": "王 强", "email": "ＷＱ@qq.com"}
    got = extract_artefacts("", meta)
    assert {(a.kind, a.value) for a in got} == {("mobile", "13800138000"), ("agent_name", "王强"),
                                                ("email", "wq@qq.com")}
    assert all(a.start is None and a.end is None for a in got)


# ---- gangs ------------------------------------------------------------------------------------

AGENCY_PHONE = Artefact("mobile", "13912345678")
AGENCY_WECHAT = Artefact("wechat", "weiquan_2024")


def test_distinct_customers_sharing_a_phone_form_a_gang():
    g = GangLinker(min_customers=2)
    g.add("c1", "cust-A", [AGENCY_PHONE])
    g.add("c2", "cust-B", [AGENCY_PHONE, Artefact("mobile", "13600001111")])
    g.add("c3", "cust-C", [Artefact("mobile", "13700002222")])
    gid = g.gang_of("c1")
    assert gid is not None and g.gang_of("c2") == gid
    assert g.gang_of("c3") is None
    assert g.members(gid) == ["c1", "c2"]
    assert [(s.kind, s.value, s.customers) for s in g.shared_artefacts(gid)] == [("mobile", "13912345678", 2)]


def test_the_same_customer_twice_is_not_a_gang():
    g = GangLinker()
    own = Artefact("mobile", "13812345678")
    g.add("c1", "cust-A", [own])
    g.add("c2", "cust-A", [own])
    assert g.gang_of("c1") is None and g.gang_of("c2") is None
    assert g.finding_for("c1") is None


def test_a_shared_artefact_bridging_two_gangs_merges_them():
    g = GangLinker(min_customers=2)
    g.add("a1", "A", [AGENCY_PHONE])
    g.add("a2", "B", [AGENCY_PHONE])
    g.add("b1", "C", [AGENCY_WECHAT])
    g.add("b2", "D", [AGENCY_WECHAT])
    assert g.gang_of("a1") != g.gang_of("b1")
    g.add("x", "E", [AGENCY_PHONE, AGENCY_WECHAT])  # the agency's two contacts on one complaint
    gid = g.gang_of("a1")
    assert gid == g.gang_of("b2") == g.gang_of("x")
    assert set(g.members(gid)) == {"a1", "a2", "b1", "b2", "x"}
    assert {s.kind for s in g.shared_artefacts(gid)} == {"mobile", "wechat"}


def test_a_template_family_links_distinct_customers():
    g = GangLinker(min_customers=2)
    g.add("t1", "A", [], family_id="fam-7")
    g.add("t2", "B", [], family_id="fam-7")
    assert g.gang_of("t1") == g.gang_of("t2") is not None
    assert g.families(g.gang_of("t1")) == ["fam-7"]
    assert g.finding_for("t1") is None  # no shared contact: the template signal speaks for it


def test_service_numbers_and_ignored_values_never_link():
    g = GangLinker(ignore_values={"02133339999"})
    g.add("c1", "A", [Artefact("landline", "4008208820"), Artefact("landline", "02133339999")])
    g.add("c2", "B", [Artefact("landline", "4008208820"), Artefact("landline", "02133339999")])
    g.add("c3", "C", [Artefact("landline", "95188")])
    g.add("c4", "D", [Artefact("landline", "95188")])
    assert all(g.gang_of(d) is None for d in ("c1", "c2", "c3", "c4"))


def test_hub_artefacts_above_the_fan_out_are_ignored_even_after_linking():
    g = GangLinker(max_fanout=3, min_customers=2)
    hub = Artefact("agent_name", "张伟")
    for i in range(3):
        g.add(f"h{i}", f"cust{i}", [hub])
    assert g.gang_of("h0") is not None  # 3 customers: still within the fan-out
    g.add("real1", "X", [hub, AGENCY_PHONE])
    g.add("real2", "Y", [AGENCY_PHONE])
    g.add("h3", "cust3", [hub])  # the name now has 5 customers: a hub
    assert g.gang_of("h0") is None and g.gang_of("h3") is None
    assert g.gang_of("real1") == g.gang_of("real2") is not None
    assert set(g.members(g.gang_of("real1"))) == {"real1", "real2"}


def test_shared_contact_finding_masks_values_and_counts_other_customers():
    g = GangLinker()
    account = Artefact("bank_account", "6217001234567890123")
    for i, cust in enumerate(("A", "B", "C")):
        g.add(f"c{i}", cust, [AGENCY_PHONE, account])
    f = g.finding_for("c0")
    assert f is not None and f.kind == f.rule_id == "blackgray.shared_contact"
    assert f.evidence["other_customers"] == 2
    shown = {s["kind"]: s["value"] for s in f.evidence["shared"]}
    assert shown == {"mobile": "139****5678", "bank_account": "621************0123"}
    assert "13912345678" not in str(f.evidence)
    assert f.citation is not None and "第十四条" in str(f.citation)
    assert 0.8 <= f.score <= 0.95


def test_more_customers_on_the_same_phone_score_higher():
    small, large = GangLinker(min_customers=2), GangLinker()
    for i in range(2):
        small.add(f"s{i}", f"S{i}", [AGENCY_PHONE])
    for i in range(6):
        large.add(f"l{i}", f"L{i}", [AGENCY_PHONE])
    assert large.finding_for("l0").score > small.finding_for("s0").score


def test_gangs_from_extracted_text_artefacts():
    texts = {
        ("d1", "客户甲"): "本人因疫情失业，现全权委托我方法务处理，联系电话13912345678，微信weiquan_2024。",
        ("d2", "客户乙"): "我方当事人收入骤降，请与法务联系：139 1234 5678。",
        ("d3", "客户丙"): "你们的催收员一天打二十个电话，我要投诉，我的电话13600001111。",
    }
    g = GangLinker(min_customers=2)
    for (doc, cust), text in texts.items():
        g.add(doc, cust, extract_artefacts(text))
    assert g.gang_of("d1") == g.gang_of("d2") is not None
    assert g.gang_of("d3") is None


# ---- lexicon ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.load()


def test_lexicon_hits_carry_spans_in_the_original_full_width_text(lexicon):
    text = "受客户全权委托，我方当事人要求贵司办理停息　挂账，并花钱修复征信。"
    fs = lexicon.analyze(text)
    by_phrase = {f.evidence["phrase"]: f for f in fs}
    assert {"全权委托", "我方当事人", "停息挂账", "花钱修复征信"} <= set(by_phrase)
    f = by_phrase["停息挂账"]
    assert text[f.span.start:f.span.end] == "停息　挂账"
    assert f.kind == "blackgray.lexicon.debt_evasion" and f.citation is not None
    assert by_phrase["花钱修复征信"].kind == "blackgray.lexicon.credit_repair"
    assert "修复征信" not in by_phrase  # inside the longer phrase, not counted twice


def test_lexicon_categories_for_anti_collection_and_proxy_work(lexicon):
    kinds = {f.kind for f in lexicon.analyze("专业反催收，一键停催，代理维权，维权费三千元")}
    assert kinds == {"blackgray.lexicon.anti_collection", "blackgray.lexicon.proxy_template"}


def test_the_lexicon_alone_never_reaches_the_flag_threshold(lexicon):
    text = ("我方当事人全权委托代理维权，要求停息挂账、债务优化、全额退息、减免本金、征信洗白、"
            "消除逾期记录、征信修复，一键停催，反催收，否则律师函、集体诉讼。")
    fs = lexicon.analyze(text)
    assert len(fs) >= 10
    assert all(f.score <= 0.35 for f in fs)
    assert lexicon.score(fs) == pytest.approx(0.35)
    assert max(lexicon.category_scores(fs).values()) <= 0.35


@pytest.mark.parametrize("text", [
    "催收太频繁要求停止，每天打十几个电话，严重影响我的工作。",
    "我要去12378投诉你们，利息太高了。",
    "本人失业三个月，希望协商还款，能不能分期？",
    "你们的催收员打电话给我父母，还威胁我，要求停止暴力催收。",
    "我的征信报告上有一笔逾期记录有误，申请征信异议。",
    "借款时被扣了砍头息，要求退还多收的费用。",
])
def test_genuine_complaints_score_low_on_the_lexicon(lexicon, text):
    assert lexicon.score(text) < 0.1


def test_a_lexicon_that_could_flag_alone_is_refused():
    with pytest.raises(RulesError):
        Lexicon.from_dict({"max_score": 0.6, "categories": {"debt_evasion": {
            "phrases": [{"text": "停息挂账", "weight": 1.0}]}}})


# ---- repeat harassment ------------------------------------------------------------------------

T0 = datetime(2025, 3, 3, 9, 30)


def test_repeats_are_counted_across_channels_within_the_window():
    r = RepeatDetector(window_days=30, min_count=3)
    r.add("r1", "cust-Z", T0, "hotline", "扣款有误，要求退还")
    r.add("r2", "cust-Z", T0 + timedelta(days=6), "app", "再次投诉，要求赔偿")
    r.add("r3", "cust-Z", T0 + timedelta(days=12), "regulator_12378", "要求赔偿并减免，否则起诉、找媒体曝光")
    r.add("other", "cust-Y", T0 + timedelta(days=1), "hotline", "要求赔偿")
    f = r.finding_for("r3")
    assert f is not None and f.kind == "blackgray.repeat_harass"
    ev = f.evidence
    assert ev["count"] == 3 and ev["channels"] == ["app", "hotline", "regulator_12378"]
    assert (ev["first"], ev["last"]) == ("2025-03-03", "2025-03-15")
    assert ev["escalating"] is True and "曝光" in ev["new_demands"]
    assert r.finding_for("r1") is not None  # the first of the run belongs to it too
    assert r.finding_for("other") is None


def test_complaints_outside_the_window_do_not_count():
    r = RepeatDetector(window_days=30, min_count=3)
    r.add("a", "cust-Z", T0, "hotline", "")
    r.add("b", "cust-Z", T0 + timedelta(days=20), "app", "")
    r.add("c", "cust-Z", T0 + timedelta(days=45), "app", "")
    assert all(r.finding_for(d) is None for d in "abc")


def test_score_grows_with_count_and_escalation():
    plain, escalating = RepeatDetector(), RepeatDetector()
    for i in range(4):
        plain.add(f"p{i}", "P", T0 + timedelta(days=i), "app", "要求处理")
    demands = ["要求处理", "要求处理", "要求赔偿", "要求赔偿并减免，否则起诉并向监管和媒体曝光"]
    for i, d in enumerate(demands):
        escalating.add(f"e{i}", "E", T0 + timedelta(days=i), "app", d)
    more = RepeatDetector()
    for i in range(6):
        more.add(f"m{i}", "M", T0 + timedelta(days=i), "app", "要求处理")
    assert plain.finding_for("p0").evidence["escalating"] is False
    assert escalating.finding_for("e0").score > plain.finding_for("p0").score
    assert more.finding_for("m0").score > plain.finding_for("p0").score


# ---- bursts -----------------------------------------------------------------------------------


def test_a_family_jumping_above_its_baseline_bursts():
    b = BurstDetector(recent_days=3, baseline_days=28, factor=3.0, min_recent=5)
    today = date(2025, 4, 30)
    for k in range(3, 31, 7):  # a steady trickle: one every week
        b.add("fam-1", today - timedelta(days=k))
        b.add("fam-2", today - timedelta(days=k))
    for k in range(3):  # fam-1: four a day for the last three days
        for _ in range(4):
            b.add("fam-1", datetime.combine(today - timedelta(days=k), datetime.min.time()))
    b.add("fam-2", today)
    f = b.finding_for_family("fam-1", today)
    assert f is not None and f.kind == "blackgray.burst"
    assert f.evidence["recent_count"] == 12 and f.evidence["baseline_count"] == 4
    assert f.evidence["ratio"] >= 3.0
    assert b.finding_for_family("fam-2", today) is None
    assert [x.evidence["family_id"] for x in b.bursting(today)] == ["fam-1"]


def test_a_steady_busy_family_does_not_burst():
    b = BurstDetector(min_recent=5)
    today = date(2025, 4, 30)
    for k in range(31):
        for _ in range(3):
            b.add("fam-steady", today - timedelta(days=k))
    assert b.finding_for_family("fam-steady", today) is None


def test_a_few_arrivals_of_a_new_family_are_not_a_burst():
    b = BurstDetector(min_recent=5)
    today = date(2025, 4, 30)
    for _ in range(4):
        b.add("fam-new", today)
    assert b.finding_for_family("fam-new", today) is None
    b.add("fam-new", today - timedelta(days=1))
    assert b.finding_for_family("fam-new", today) is not None


def test_one_phone_given_as_the_own_number_of_two_customers_links_them():
    """The debtor handing their SIM to an agency: two customers, one 'own' phone in the record."""
    g = GangLinker(min_customers=2)
    g.add("k1", "cust-A", extract_artefacts("要求减免利息。", {"customer_phone": "13511112222"}))
    g.add("k2", "cust-B", extract_artefacts("要求停息挂账。", {"customer_phone": "135 1111 2222"}))
    g.add("k3", "cust-A", extract_artefacts("再次要求减免。", {"customer_phone": "13511112222"}))
    gid = g.gang_of("k1")
    assert gid is not None and set(g.members(gid)) == {"k1", "k2", "k3"}
    assert g.finding_for("k2").evidence["other_customers"] == 1


def test_a_household_sharing_one_phone_is_not_a_gang_and_scores_low():
    """Husband and wife, one phone, two different grievances: two customers are not an agency."""
    g = GangLinker()
    g.add("h1", "cust-A", extract_artefacts("扣款两次，请退款。", {"customer_phone": "13511112222"}))
    g.add("h2", "cust-B", extract_artefacts("催收打到我单位。", {"customer_phone": "13511112222"}))
    assert g.gang_of("h1") is None and g.finding_for("h1") is None
    pair = GangLinker(min_customers=2)
    pair.add("h1", "cust-A", [AGENCY_PHONE])
    pair.add("h2", "cust-B", [AGENCY_PHONE])
    weak = pair.finding_for("h1").score
    g.add("h3", "cust-C", [Artefact("mobile", "13511112222")])   # a third customer on the same phone
    assert g.gang_of("h1") == g.gang_of("h3") is not None
    strong = g.finding_for("h1").score
    assert weak * 0.9 < 0.5 <= strong * 0.9   # weighted as in rules/blackgray.yaml: only the agency flags


def test_merging_template_families_links_their_gangs_as_if_they_had_always_been_one():
    # the incremental detector files every complaint under a family of its own and replays the
    # families' unions; the result must equal adding each complaint with its final family
    replayed, settled = GangLinker(), GangLinker()
    phone = Artefact("mobile", "13912345678")
    rows = [("a", "A", [phone], "a"), ("b", "B", [], "b"), ("c", "C", [], "c"), ("d", "D", [phone], "d")]
    for doc, cust, arts, own in rows:
        replayed.add(doc, cust, arts, family_id=own)
    assert replayed.gang_of("b") is None
    replayed.merge_family("c", "b")       # b and c became one family (named b) …
    replayed.merge_family("b", "a")       # … which a's family then absorbed
    for doc, cust, arts, _ in rows:
        settled.add(doc, cust, arts, family_id="a" if doc in "abc" else None)
    gid = replayed.gang_of("a")
    assert gid == settled.gang_of("a") == "gang-a"
    assert replayed.members(gid) == settled.members(gid) == ["a", "b", "c", "d"]
    assert replayed.families(gid) == settled.families(gid) == ["a"]
    for doc in "abcd":
        assert replayed.finding_for(doc) == settled.finding_for(doc)


def test_merging_families_past_the_family_fan_out_unlinks_them():
    g = GangLinker(max_family_fanout=3, min_customers=2)
    for i, cust in enumerate("ABCD"):
        g.add(f"d{i}", cust, [], family_id=f"d{i}")
    g.merge_family("d1", "d0")
    assert g.gang_of("d0") == g.gang_of("d1") is not None
    g.merge_family("d2", "d0")
    g.merge_family("d3", "d0")            # four customers on one family: a hub, not a link
    assert all(g.gang_of(f"d{i}") is None for i in range(4))


def test_bursts_of_merged_families_count_together():
    b = BurstDetector(min_recent=5)
    today = date(2025, 4, 30)
    for _ in range(3):
        b.add("fam-a", today)
        b.add("fam-b", today - timedelta(days=1))
    assert b.finding_for_family("fam-a", today) is None
    b.merge("fam-b", "fam-a")
    f = b.finding_for_family("fam-a", today)
    assert f is not None and f.evidence["recent_count"] == 6
    assert b.finding_for_family("fam-b", today) is None
