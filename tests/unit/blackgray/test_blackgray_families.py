"""Template families (代理维权 模板投诉): normalisation, MinHash, LSH and incremental clustering."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from xiaobao.engines.blackgray.families import CITATION, KIND, RULE_ID, TemplateFamilies
from xiaobao.engines.blackgray.minhash import (
    EMPTY,
    LSHIndex,
    MinHasher,
    exact_jaccard,
    jaccard_estimate,
)
from xiaobao.engines.blackgray.normalize import DATE, LENDER, NAME, NUM, normalize

# --- a 代理维权 template, filled in for six different debtors --------------------------------------
OPENING = "尊敬的{lender}负责人：本人{name}，身份证号{idno}，于{date}在贵司申请借款{amount}，现因{hardship}导致无力按期还款。"
FEES = "贵司在放款过程中存在砍头息、违规收取担保费和会员费等行为，综合年化利率远超国家规定的24%，严重侵害了本人的合法权益。"
DEMANDS = ("现本人正式要求贵司：一、立即停止一切催收行为，不得骚扰本人家人及通讯录联系人；二、全额退还已收取的高额利息及各项服务费；"
           "三、为本人办理停息挂账，本金分{periods}期偿还。")
THREAT = ("如贵司在三个工作日内不予处理，本人将向中国人民银行、国家金融监督管理总局及12378热线逐级投诉，"
          "并保留向公安机关报案的权利。联系电话：{phone}。")

SLOTS = [
    {"lender": "招联金融", "name": "张伟", "idno": "110101199003071234", "date": "2023年3月5日", "amount": "30,000元",
         "hardship": "公司裁员失业", "periods": 36, "phone": "13812345678"},
    {"lender": "马上消费", "name": "李秀英", "idno": "32010219881111222X", "date": "2024-01-09", "amount": "1.5万元",
         "hardship": "家人重病住院", "periods": 48, "phone": "139 0123 4567"},
    {"lender": "度小满", "name": "王建国", "idno": "440304197512120018", "date": "3月15日", "amount": "三千元",
         "hardship": "疫情期间生意失败", "periods": 24, "phone": "15900001111"},
    {"lender": "分期乐", "name": "刘芳", "idno": "510104199207070021", "date": "2022年11月20日", "amount": "8000元",
         "hardship": "工资被拖欠半年", "periods": 12, "phone": "186-2222-3333"},
    {"lender": "京东金条", "name": "陈小明", "idno": "330106198506061111", "date": "2023/07/01", "amount": "12,500元",
         "hardship": "车祸受伤无法工作", "periods": 60, "phone": "17755556666"},
    {"lender": "安逸花", "name": "欧阳娜娜", "idno": "420106199911110022", "date": "二〇二三年五月八日", "amount": "两万元",
         "hardship": "离婚后独自抚养孩子", "periods": 36, "phone": "13600007777"},
]


def fill(slots: dict, order=("opening", "fees", "demands", "threat"), extra: str = "") -> str:
    parts = {"opening": OPENING.format(**slots) + extra, "fees": FEES, "demands": DEMANDS.format(**slots),
             "threat": THREAT.format(**slots)}
    return "".join(parts[p] for p in order)


TEMPLATE_VARIANTS = [
    fill(SLOTS[0]),
    fill(SLOTS[1]),
    # a hardship story added
    fill(SLOTS[2], extra="家里还有两个孩子在上学，父母年迈多病，每月医药费就要两千多元，实在无力承担。"),
    fill(SLOTS[3]),
    # two sentences reordered
    fill(SLOTS[4], order=("opening", "demands", "fees", "threat")),
    # reordered and a different hardship sentence added
    fill(SLOTS[5], order=("opening", "fees", "threat", "demands"), extra="目前靠打零工维持生活。"),
]

# --- genuine complaints in the consumer's own words, on the same topics (hard negatives) ---------
GENUINE = [
    # 催收骚扰
    ("我在分期乐借了6000块，上个月因为工资晚发逾期了三天，结果催收员每天打十几个电话，还打给我妈妈和单位同事，"
    "说要上门找我，搞得我在公司抬不起头。我不是不还，只是希望你们别再骚扰我家人，给我几天时间筹钱。"),
    ("催收电话从早上八点一直打到晚上十点，我说了正在筹钱，他们还威胁要起诉我、要把我的欠款信息发到朋友圈，"
    "我老婆都被吓哭了。请贵司管一管你们的催收人员，该还的钱我一定会还。"),
    # 利息过高
    ("在安逸花借的钱，合同上写的年利率是23.9%，可是加上担保费和会员费，实际算下来年化快到36%了，这个利息也太高了吧？"
    "我想问问能不能把多收的费用退给我，本金我愿意按时还。"),
    ("我2022年在招联借了两万，分12期，每期还款额算下来利息比银行信用卡分期高很多，客服说不清楚费用是怎么算的。"
    "希望你们给我一份详细的费用明细，如果确实多收了请退还。"),
    # 协商还款 in own words (not 停息挂账 boilerplate)
    ("我今年生了一场大病，花了十几万，现在每个月工资只够吃饭和看病，京东金条那笔钱实在还不上了。"
    "能不能跟你们商量一下，先少还一点，等我身体好了再慢慢补上？我不想让征信变差。"),
    # uses the agencies' words (停息挂账, 全额退还, 12378) but is written by the consumer
    ("我在招联借了五千块，网上有人说可以申请停息挂账，还能全额退还利息，是真的吗？我现在每个月只能还一千左右，"
    "如果你们不同意协商，我只能打12378问问了。麻烦客服给我回个电话说明一下。"),
]

SHORT = ["我要投诉", "退款", "投诉！！！", "我要投诉我要投诉我要投诉我要投诉我要投诉我要投诉", "请尽快退款", "骚扰电话"]


def build(texts, customers=None, **kw):
    fam = TemplateFamilies(**kw)
    ids = []
    for i, t in enumerate(texts):
        doc = f"c{i:03d}"
        fam.add(doc, t, customer=None if customers is None else customers[i])
        ids.append(doc)
    return fam, ids


# --- normalisation ---------------------------------------------------------------------------------
def test_slots_are_masked_with_placeholders():
    a = normalize("本人张伟，于2023年3月5日在招联金融借款30,000元，电话13812345678。")
    b = normalize("本人李秀英，于 2024-01-09 在马上消费借款1.5万元，电话139 0123 4567。")
    assert a == b
    assert NAME in a and DATE in a and LENDER in a and NUM in a
    assert "张伟" not in a and "招联" not in a and "30" not in a


def test_chinese_numeral_amounts_and_dates_are_masked_like_arabic_ones():
    assert normalize("3月5日借了三千元") == normalize("二〇二三年五月八日借了1,000元") == normalize("2023-05-08借了1.5万元")


def test_generic_lender_forms_are_masked():
    assert normalize("我在某某消费金融有限公司借款") == normalize("我在贵司借款") == normalize("我在重庆蚂蚁消费金融有限公司借款")


def test_full_width_and_half_width_variants_normalise_equally():
    full = "本人ＺＨＡＮＧ，借款３０，０００元，ＡＰＰ显示逾期（２０２３－０３－０５），电话：１３８１２３４５６７！"
    half = "本人zhang, 借款30,000元, APP显示逾期(2023-03-05), 电话:13812345678!"
    assert normalize(full) == normalize(half)
    assert normalize("　我要　投诉。") == normalize("我要投诉") == "我要投诉"


def test_punctuation_and_whitespace_do_not_matter():
    assert normalize("利息太高了！！请退还。") == normalize("利息 太高了，请 退还")


# --- MinHash ---------------------------------------------------------------------------------------
def test_signatures_are_deterministic_across_instances_and_seeds_matter():
    texts = [normalize(t) for t in TEMPLATE_VARIANTS + GENUINE]
    a = MinHasher(seed=7).signatures(texts)
    b = MinHasher(seed=7).signatures(texts)
    c = MinHasher(seed=8).signatures(texts)
    assert a.shape == (len(texts), 128) and a.dtype == np.uint32
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_signatures_do_not_depend_on_python_hash_seed():
    code = ("import json; from xiaobao.engines.blackgray.minhash import MinHasher; "
            "print(json.dumps(MinHasher(seed=3).signatures(['催收员每天打十几个电话还打给我妈妈和单位同事说要上门'])"
            "[0].tolist()))")
    outs = []
    for hash_seed in ("1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        outs.append(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                   check=True).stdout)
    here = MinHasher(seed=3).signatures(["催收员每天打十几个电话还打给我妈妈和单位同事说要上门"])[0].tolist()
    assert json.loads(outs[0]) == json.loads(outs[1]) == here


def test_batch_and_single_signatures_agree():
    mh = MinHasher()
    texts = [normalize(t) for t in TEMPLATE_VARIANTS + GENUINE + SHORT]
    batch, valid = mh.signatures(texts, return_valid=True)
    for t, row, ok in zip(texts, batch, valid):
        single = mh.signature(t)
        assert (single is not None) == bool(ok)
        if ok:
            assert np.array_equal(single, row)


@pytest.mark.parametrize("i,j", [(0, 1), (0, 2), (1, 4), (3, 5), (0, 6), (2, 8), (6, 7)])
def test_estimated_jaccard_is_within_a_tenth_of_the_exact_one(i, j):
    texts = [normalize(t) for t in TEMPLATE_VARIANTS + GENUINE]
    mh = MinHasher(num_perm=128, k=4)
    sigs = mh.signatures([texts[i], texts[j]])
    est = jaccard_estimate(sigs[0], sigs[1])
    exact = exact_jaccard(texts[i], texts[j], 4)
    assert abs(est - exact) <= 0.1, (est, exact)


def test_short_texts_get_no_signature():
    mh = MinHasher(min_shingles=12)
    sigs, valid = mh.signatures([normalize(t) for t in SHORT], return_valid=True)
    assert not valid.any()
    assert (sigs == EMPTY).all()
    assert mh.signature(normalize(GENUINE[0])) is not None


# --- LSH -------------------------------------------------------------------------------------------
def test_lsh_batch_build_and_incremental_inserts_return_the_same_candidates():
    mh = MinHasher()
    texts = [normalize(t) for t in TEMPLATE_VARIANTS + GENUINE]
    sigs = mh.signatures(texts)
    batch, single = LSHIndex(), LSHIndex()
    batch.insert_many(list(range(len(texts))), sigs)
    for i, s in enumerate(sigs):
        single.insert(i, s)
    for s in sigs:
        assert sorted(batch.query(s)) == sorted(single.query(s))
    found = dict(batch.query_jaccard(sigs[0], 0.5))
    assert set(range(len(TEMPLATE_VARIANTS))) <= set(found)
    assert not set(found) & set(range(len(TEMPLATE_VARIANTS), len(texts)))
    with pytest.raises(ValueError):
        batch.insert(0, sigs[0])


# --- families --------------------------------------------------------------------------------------
def test_slot_filled_variants_of_a_proxy_template_land_in_one_family():
    fam, ids = build(TEMPLATE_VARIANTS)
    families = {fam.family_of(d) for d in ids}
    assert families == {"c000"}
    assert fam.members("c000") == ids
    assert fam.family_size("c000") == len(TEMPLATE_VARIANTS)


def test_genuine_complaints_on_the_same_topics_do_not_join_the_template_family():
    texts = TEMPLATE_VARIANTS + GENUINE
    fam, ids = build(texts)
    template_family = fam.family_of(ids[0])
    assert template_family is not None
    for doc in ids[len(TEMPLATE_VARIANTS):]:
        assert fam.family_of(doc) is None
        assert fam.finding_for(doc) is None
    assert len(fam.members(template_family)) == len(TEMPLATE_VARIANTS)


def test_short_texts_never_form_a_family():
    texts = SHORT * 5
    fam, ids = build(texts)
    assert all(fam.family_of(d) is None for d in ids)
    assert all(fam.finding_for(d) is None for d in ids)
    assert list(fam.families()) == []


def test_one_persons_repeated_filings_are_no_template_family():
    # the same words filed again and again by one person (or two) is 缠访 at most, never a family
    fam, ids = build(TEMPLATE_VARIANTS, customers=["cust-1"] * len(TEMPLATE_VARIANTS))
    assert all(fam.family_of(d) is None and fam.finding_for(d) is None for d in ids)
    fam, ids = build(TEMPLATE_VARIANTS, customers=["cust-1", "cust-2"] * 3)
    assert all(fam.family_of(d) is None and fam.finding_for(d) is None for d in ids)
    fam, ids = build(TEMPLATE_VARIANTS, customers=[f"cust-{i}" for i in range(6)])
    assert fam.family_of(ids[0]) == "c000" and fam.finding_for(ids[0]) is not None


def test_family_is_a_signal_only_with_enough_distinct_customers():
    fam, ids = build(TEMPLATE_VARIANTS, customers=[f"cust-{i}" for i in range(6)], min_customers=7)
    assert fam.family_of(ids[0]) == "c000" and fam.distinct_customers("c000") == 6
    assert not fam.is_signal("c000")
    assert all(fam.finding_for(d) is None for d in ids)


# --- cohesion: chains of each-a-bit-alike texts ----------------------------------------------------
BLOCKS = [
    "催收员昨天晚上十一点还打电话给我妈，老人家吓得一夜没睡", "客服电话打了好几次都转不到人工，排队半小时就自动挂断",
    "还款日那天卡里明明有钱，系统却显示扣款失败还算我逾期", "借款页面写的是低息，到手才发现每个月多了一笔服务费",
    "征信报告上多出一条查询记录，我根本没有授权过你们查", "提前还款被收了违约金，合同里根本找不到这一条约定",
    "营销短信每天好几条，回复退订以后换个号码继续发", "额度突然被降到几百块，没有任何通知也没有任何理由",
    "会员费是默认勾选的，我从来没有主动开通过这个服务", "人脸识别一直通不过，账单看不到也没有办法按时还款",
    "我在外卖站点上班，每天跑到半夜才回家休息一会儿", "孩子下个月要交学费，家里实在拿不出这么多现金",
    "上周去医院做了手术，现在还在家里躺着不能上班", "老家的房子漏雨要修，手里的钱全都垫进去了",
    "我已经把所有的通话录音都整理好了，随时可以提供", "这件事情我也已经同时向当地的消费者协会反映过了",
    "银行流水显示那笔钱早就还上了，你们系统却没有更新", "我妈妈七十多岁了不会用手机，这些事情都是我在操心",
]


def sentences(*parts: str) -> str:
    return "。".join(parts) + "。"


def test_a_chain_of_each_a_bit_alike_texts_is_no_family():
    # text i tells blocks i, i+1, i+2: each text resembles the next (J ≈ 0.5) but not the one after
    # (J ≈ 0.2). Single linkage made all of them one "template family" of ten customers.
    chain = [sentences(*BLOCKS[i:i + 3]) for i in range(10)]
    fam, ids = build(chain, customers=[f"cust-{i}" for i in range(10)])
    for i in range(9):
        assert ids[i + 1] in [d for d, _ in fam.similar(chain[i], k=5, min_jaccard=fam.threshold)]
        if i < 8:
            assert ids[i + 2] not in [d for d, _ in fam.similar(chain[i], k=5, min_jaccard=fam.threshold)]
    assert all(fam.family_of(d) is None and fam.finding_for(d) is None for d in ids)
    assert list(fam.families()) == []


def test_a_chain_reaches_one_step_into_a_family_and_no_further():
    # five customers file one script (two shared sentences) with one sentence of their own (J ≈ 0.5)
    members = [sentences(BLOCKS[0], BLOCKS[1], BLOCKS[2 + i]) for i in range(5)]
    fam, ids = build(members, customers=[f"cust-{i}" for i in range(5)])
    assert {fam.family_of(d) for d in ids} == {"c000"}

    def near(text):
        return [d for d, _ in fam.similar(text, k=9, min_jaccard=fam.threshold)]

    # each step resembles the one before it only (J ≈ 0.5 to it, ≈ 0.2 to the one before that)
    steps = [sentences(BLOCKS[1], BLOCKS[2], BLOCKS[10]), sentences(BLOCKS[2], BLOCKS[10], BLOCKS[11]),
             sentences(BLOCKS[10], BLOCKS[11], BLOCKS[12])]
    assert near(steps[0]) == ["c000"]
    assert fam.add("step1", steps[0], customer="cust-s1") == "c000"
    assert near(steps[1]) == ["step1"]
    assert fam.add("step2", steps[1], customer="cust-s2") is None       # the chain stops here
    assert fam.members("c000") == ids + ["step1"]
    assert fam.finding_for("step1").evidence["similar_ids"][0] == "c000"
    assert fam.finding_for("step2") is None

    # with border_steps = 2, the chain reaches one step further, and still no further
    fam, ids = build(members, customers=[f"cust-{i}" for i in range(5)], border_steps=2)
    for i, (step, family) in enumerate(zip(steps, ("c000", "c000", None))):
        assert near(step) == (["c000"] if i == 0 else [f"step{i}"])
        assert fam.add(f"step{i + 1}", step, customer=f"cust-s{i + 1}") == family
    assert fam.members("c000") == ids + ["step1", "step2"]


def test_a_text_resembling_three_other_customers_is_a_core_of_a_loose_family():
    # an agency's "loose sentences": the centre shares a different pair of its three sentences with
    # each of three filings that do not resemble each other — a star around one text, not a chain
    centre = sentences(BLOCKS[0], BLOCKS[1], BLOCKS[2])
    leaves = [sentences(BLOCKS[0], BLOCKS[1], BLOCKS[10]), sentences(BLOCKS[1], BLOCKS[2], BLOCKS[11]),
              sentences(BLOCKS[0], BLOCKS[2], BLOCKS[12])]
    fam, ids = build(leaves + [centre], customers=["A", "B", "C", "D"])
    assert [d for d, _ in fam.similar(leaves[0], k=9, min_jaccard=fam.threshold)] == ["c000", "c003"]
    assert fam.family_of("c003") == "c000" and fam.members("c000") == ids
    fam, ids = build(leaves + [centre], customers=["A", "B", "C", "D"], hub=0)
    assert all(fam.family_of(d) is None for d in ids)   # without the hub rule: a star is no family


def test_complaints_without_a_family_join_one_when_a_later_complaint_completes_it():
    fam = TemplateFamilies()
    assert fam.add("a", TEMPLATE_VARIANTS[0], customer="A") is None
    assert fam.add("b", TEMPLATE_VARIANTS[1], customer="B") is None      # a pair is no family yet
    assert fam.family_of("a") is None and fam.members("a") == []
    assert fam.add("c", TEMPLATE_VARIANTS[2], customer="C") == "a"       # three customers alike: it is
    assert fam.family_of("b") == "a" and fam.members("a") == ["a", "b", "c"]


def test_finding_carries_evidence_citation_and_a_score_rising_with_family_size():
    scores = []
    fam = TemplateFamilies(min_customers=3)
    for i, t in enumerate(TEMPLATE_VARIANTS):
        fam.add(f"c{i:03d}", t, customer=f"cust-{i}")
        f = fam.finding_for(f"c{i:03d}")
        scores.append(None if f is None else f.score)
    assert scores[:2] == [None, None]
    assert all(s is not None for s in scores[2:])
    assert scores[2:] == sorted(scores[2:]) and scores[-1] > scores[2]
    f = fam.finding_for("c005")
    assert f.kind == KIND == "blackgray.template"
    assert f.rule_id == RULE_ID == "blackgray.template_family"
    assert f.citation == CITATION and "第十八条第四款" in str(f.citation)
    assert f.evidence["family_id"] == "c000"
    assert f.evidence["family_size"] == 6
    assert 1 <= len(f.evidence["similar_ids"]) <= 5 and "c005" not in f.evidence["similar_ids"]
    assert 0.55 <= f.evidence["jaccard"] <= 1.0
    assert 0.0 < f.score < 1.0


def test_family_id_is_stable_when_a_bridge_merges_two_families():
    # two halves of the template, each a family of its own at first; the full template resembles
    # each half at J ≈ 0.4, so a loose threshold (and 64 bands of 2 rows) lets it bridge them
    fam = TemplateFamilies(threshold=0.35, bands=64, rows=2)
    first = [OPENING.format(**s) + FEES for s in SLOTS[:3]]
    second = [DEMANDS.format(**s) + THREAT.format(**s) for s in SLOTS[:3]]
    for i, t in enumerate(first + second):
        fam.add(f"x{i}", t)
    assert fam.family_of("x2") == "x0" and fam.family_of("x5") == "x3"
    assert fam.finding_for("x4") is not None and fam.finding_for("x4").evidence["family_id"] == "x3"
    assert fam.add("bridge", fill(SLOTS[0])) == "x0"       # the older family keeps its id
    assert fam.family_of("x5") == "x0"
    assert fam.members("x3") == fam.members("x0") == [f"x{i}" for i in range(6)] + ["bridge"]


def test_similar_returns_the_nearest_documents_first():
    fam, ids = build(TEMPLATE_VARIANTS + GENUINE)
    probe = fill(dict(SLOTS[0], name="赵磊", lender="美团借钱", amount="9,999元", date="2025年1月2日"))
    hits = fam.similar(probe, k=3)
    assert len(hits) == 3
    assert all(doc in ids[: len(TEMPLATE_VARIANTS)] for doc, _ in hits)
    assert [j for _, j in hits] == sorted((j for _, j in hits), reverse=True)
    assert hits[0][1] >= 0.8
    assert fam.similar("退款", k=3) == []


def test_adding_the_same_document_twice_is_refused():
    fam = TemplateFamilies()
    fam.add("c1", TEMPLATE_VARIANTS[0])
    with pytest.raises(ValueError):
        fam.add("c1", TEMPLATE_VARIANTS[1])
