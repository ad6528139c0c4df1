"""Builds the labelled marketing evaluation set (materials.jsonl). Deterministic (seeded).

Labels come from how each material is composed (which snippets, which rate display), written here
independently of the engine; true APRs are computed here with numpy polynomial roots (IRR) and the
simple conventions of regulations.md §10. Run: .venv/bin/python eval/marketing/build.py
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np

OUT = Path(__file__).with_name("materials.jsonl")


def irr_apr(fee: float, n: int) -> float:
    roots = np.roots([1 / n + fee] * n + [-1.0])
    x = next(z.real for z in roots if abs(z.imag) < 1e-9 and 0 < z.real < 1)
    return (1 / x - 1) * 1200


OPENERS = ["【安心借】额度最高20万，随借随还。", "急用钱？来XX分期，线上申请，最快当天到账。", "XX信用贷：按日计息，提前还款无违约金。",
           "装修、旅游、教育都能分期，XX消费贷帮你实现计划。", "您有一笔借款额度待领取，点击查看。", "借钱找XX，线上申请，放款快。"]
LENDERS = ["贷款由甲乙消费金融有限公司提供。", "放款机构：丙丁银行股份有限公司。", "本服务由戊己小额贷款有限公司发放贷款。",
           "资金方：庚辛消费金融股份有限公司。", "借款由壬癸银行股份有限公司出借，本平台不收取任何中介费用。"]
TAILS = ["理性借贷，量入为出。", "具体额度及利率以审批结果为准。", "最终以审批为准。", "请根据自身还款能力合理借款。", ""]

VIOLATIONS = {
    "misleading_approval": ["秒批秒到账！", "100%通过，包下款。", "零门槛，人人可贷！", "有身份证就能借，必下款。", "秒 批，极速到账。",
                            "百分百通过率，不看资质。", "miao批到账，无需审核。"],
    "ignore_credit": ["无视征信，黑户可贷。", "征信花了也能借！", "不查征信，逾期也能贷。", "無視徵信，白户黑户都能借。",
                      "网黑可贷，不看负债。"],
    "inducement_overborrow": ["想借就借，花明天的钱圆今天的梦！", "超前消费，享受当下。", "借得越多越划算，额度全部提现更省心。",
                              "以贷养贷也不怕，额度用不完。", "借钱送iPhone，借款送好礼！"],
    "target_students": ["大学生专享额度，凭学生证即可申请。", "学生党缺钱？在校生也能借。", "开学季借款，大学新生专属优惠。",
                        "校园贷来了，学生可贷。"],
    "absolute_terms": ["行业第一的借款平台。", "全网最低利率，最划算的选择。", "国家级金融服务平台，品质顶级。", "唯一官方认可的最佳借款App。",
                       "史上最快放款，绝对靠谱。"],
    "implied_endorsement": ["央行认证平台，放心借。", "政府背书，国家认可。", "明星代言，专家推荐的借款App。", "银保监会认证，监管保障资金安全。"],
}
COMPLIANT_TRICKY = ["申请第一步：下载App并完成实名认证。", "本产品不向在校大学生提供贷款。", "在校学生请勿申请。", "最高可借20万元。",
                    "请勿以贷养贷，理性借贷。", "经国家金融监督管理总局批准设立的持牌消费金融公司。", "首次借款可享7天内提前还款免费。",
                    "第一时间为您处理申请。", "谨防不法分子冒充客服，本公司不会以任何名义收取审核费用之外的款项。",
                    "最新活动详情请见App。", "按时还款有助于维护良好的信用记录。"]


def rate_part(r: random.Random, kind: str) -> tuple[str, set[str], list[float]]:
    d = r.choice([0.0002, 0.0003, 0.0004, 0.0005])  # daily
    dshow = {0.0002: ["日利率0.02%", "日息万分之二", "日息万2"], 0.0003: ["日利率0.03%", "日息万分之三", "日息万3"],
             0.0004: ["日利率0.04%", "日息万分之四"], 0.0005: ["日利率0.05%", "日息万分之五", "日息万五"]}[d]
    apr_d = round(d * 36000, 4)
    if kind == "apr_only":
        a = r.choice([7.2, 10.8, 12.0, 18.0, 23.9])
        text = r.choice([f"年化利率（单利）{a}%起。", f"年化利率{a}%-24%（单利）。", f"综合年化成本{a}%起。"])
        return text, set(), [a, 24.0] if "-24%" in text else [a]
    if kind == "daily_only":
        return f"{r.choice(dshow)}起，借1万元每天仅需{d * 10000:g}元。", {"daily_rate_without_apr"}, [apr_d]
    if kind == "daily_with_apr":
        return f"{r.choice(dshow)}（年化利率{apr_d:g}%，单利）。", set(), [apr_d]
    if kind == "daily_apr_far":
        filler = "额度高、审批快、随借随还，" * 4
        return f"{r.choice(dshow)}！\n{filler}\n温馨提示：年化利率{apr_d:g}%。", {"apr_less_prominent"}, [apr_d]
    if kind == "none":
        return "", {"missing_apr"}, []
    f, n = r.choice([(0.006, 12), (0.0075, 24), (0.005, 6), (0.0045, 12), (0.007, 36), (0.0035, 3)])
    true = irr_apr(f, n)
    if kind == "fee_no_apr":
        return f"分{n}期，每期手续费{f * 100:g}%。", {"hidden_fees_installment"}, [true]
    if kind == "fee_true_apr":
        return f"分{n}期，每期手续费{f * 100:g}%，年化利率约{true:.2f}%（IRR法）。", set(), [true]
    if kind == "fee_understated":
        return f"分{n}期，每期手续费{f * 100:g}%，年化利率{f * 1200:g}%。", {"hidden_fees_installment"}, [f * 1200, true]
    if kind == "over_cap":
        a = r.choice([26.0, 30.0, 35.9])
        return f"年化利率{a}%。", {"rate_over_cap"}, [a]
    raise ValueError(kind)


RATE_KINDS = ["apr_only", "apr_only", "daily_only", "daily_with_apr", "daily_apr_far", "none", "fee_no_apr",
              "fee_true_apr", "fee_true_apr", "fee_understated", "over_cap"]


def loan_material(r: random.Random, i: int) -> dict:
    kind = r.choice(RATE_KINDS)
    rate, labels, aprs = rate_part(r, kind)
    parts = [r.choice(OPENERS), rate]
    n_bad = r.choice([0, 0, 0, 1, 1, 2])
    for code in r.sample(sorted(VIOLATIONS), n_bad):
        parts.insert(r.randrange(1, len(parts) + 1), r.choice(VIOLATIONS[code]))
        labels.add(code)
    for _ in range(r.choice([0, 1, 1, 2])):
        parts.append(r.choice(COMPLIANT_TRICKY))
    if r.random() < 0.8:
        parts.append(r.choice(LENDERS))
    else:
        labels.add("missing_lender_disclosure")
    parts.append(r.choice(TAILS))
    return {"material_id": f"L{i:03d}", "channel": r.choice(["sms", "push", "landing_page", "poster", "wechat"]),
            "title": "", "text": "".join(parts), "labels": sorted(labels),
            "true_apr_min": round(min(aprs), 4) if aprs else None, "true_apr_max": round(max(aprs), 4) if aprs else None}


INVEST = [
    ("稳健理财，预期年化收益4.5%，理财有风险，投资需谨慎。", set()),
    ("稳健理财，预期年化收益4.5%。", {"missing_risk_warning"}),
    ("保本保息，年化收益6%，稳赚不赔！", {"guaranteed_return", "missing_risk_warning"}),
    ("零风险理财，收益有保障。投资有风险，入市需谨慎。", {"guaranteed_return"}),
    ("本产品为非保本浮动收益型，不保证收益，理财有风险，投资需谨慎。", set()),
    ("基金过往业绩不预示其未来表现，理财有风险，投资需谨慎。", set()),
    ("央行认证的理财平台，收益率高达8%！", {"implied_endorsement", "missing_risk_warning"}),
    ("谨防所谓“保本高收益”的非法集资，理财有风险，投资需谨慎。", set()),
]

HANDWRITTEN = [
    (('<div><h1 style="color:#e60012">日息低至万三</h1><p style="font-size:12px;color:#999">年化利率10.8%起（单利）。'
     '贷款由甲乙消费金融有限公司提供。</p></div>'), {"apr_less_prominent"}, 10.8, 10.8),
    ('<div><p style="font-size:30px"><b>日息万三</b>｜<b>年化利率10.8%</b></p><p>贷款由甲乙银行股份有限公司发放。</p></div>',
     set(), 10.8, 10.8),
    ('<p><font size="6" color="red">借1万每天只要3元</font></p><p><small>年化利率10.8%，放款机构：甲乙银行股份有限公司</small></p>',
     {"apr_less_prominent"}, 10.8, 10.8),
    ('<p><strong>年化利率7.2%起</strong></p><p>日利率0.02%起。贷款由甲乙消费金融有限公司提供。</p>', set(), 7.2, 7.2),
    (('<p style="font-size:24px"><b>月利率1%</b></p><p style="color:#cccccc;font-size:24px"><b>年化利率12%</b></p>'
     '<p>放款机构：甲乙银行股份有限公司</p>'), {"apr_less_prominent"}, 12.0, 12.0),
    ("分期免息！每期仅收服务费0.5%，分12期。贷款由甲乙消费金融有限公司提供。", {"false_zero_interest", "hidden_fees_installment"},
     None, None),
    ("首期免息券限时领取，年化利率7.2%起（单利），领券后首期利息全免，无其他费用。贷款由甲乙消费金融有限公司提供。", set(), 7.2, 7.2),
    ("0利息购物分期，手续费低至每期0.6%，分6期，年化利率约12.24%。资金方：甲乙银行股份有限公司。", {"false_zero_interest"},
     None, None),
    ("借1万元分12期，每期还款888.49元，年化利率12%（IRR）。贷款由甲乙消费金融有限公司提供。", set(), 12.0, 12.0),
    ("借1万元分12期，每期还款900元。贷款由甲乙消费金融有限公司提供。", {"missing_apr"}, None, None),
    ("年化利率最低7.2%，最高不超过24%（单利）。贷款由甲乙消费金融有限公司提供。", set(), 7.2, 24.0),
    ("每千元每天0.3元起，轻松借。放款机构：甲乙银行股份有限公司。", {"daily_rate_without_apr"}, 10.8, 10.8),
    ("年化利率36.5%，审批快。贷款由甲乙小额贷款有限公司发放。", {"rate_over_cap"}, 36.5, 36.5),
    ("申请前请阅读借款合同，年化利率18%（单利），逾期将影响个人征信。贷款由甲乙消费金融有限公司提供。", set(), 18.0, 18.0),
    ("征信报告如有异议可依法申请更正。年化利率12%。贷款由甲乙银行股份有限公司发放。", set(), 12.0, 12.0),
    ("秒 - 批 到账！日 息 万 5！", {"misleading_approval", "daily_rate_without_apr", "missing_lender_disclosure"}, 18.0, 18.0),
    ("ｍｉａｏ批，无视zhengxin，1〇〇%通过，年化利率18%。", {"misleading_approval", "ignore_credit",
                                                   "missing_lender_disclosure"}, 18.0, 18.0),
    ("XX分期，专为年轻人设计，学生党也能轻松借！年化利率15%。贷款由甲乙消费金融有限公司提供。", {"target_students"}, 15.0, 15.0),
    ("本活动仅限年满22周岁的非在校学生参与。年化利率12%起。贷款由甲乙消费金融有限公司提供。", set(), 12.0, 12.0),
    # SAMR 2023: a company's goal is not an absolute claim about the product; a bare claim is
    ("我们的目标是成为最受信赖的消费金融服务商。年化利率12%起。贷款由甲乙消费金融有限公司提供。", set(), 12.0, 12.0),
    ("最受欢迎的借款App，年化利率12%起。贷款由甲乙消费金融有限公司提供。", {"absolute_terms"}, 12.0, 12.0),
    ("借款到账快，日息低至几毛钱！贷款由甲乙消费金融有限公司提供。", {"daily_rate_without_apr"}, None, None),
    ("额度随心用，借钱就上XX，日常开销也能分期。", {"missing_apr", "missing_lender_disclosure"}, None, None),
]


def main() -> None:
    r = random.Random(20261121)
    rows = [loan_material(r, i) for i in range(150)]
    for j, (text, labels) in enumerate(INVEST):
        rows.append({"material_id": f"I{j:03d}", "channel": "wechat", "title": "", "text": text, "labels": sorted(labels),
                     "true_apr_min": None, "true_apr_max": None})
    for j, (text, labels, lo, hi) in enumerate(HANDWRITTEN):
        rows.append({"material_id": f"H{j:03d}", "channel": "landing_page", "title": "", "text": text,
                     "labels": sorted(labels), "true_apr_min": lo, "true_apr_max": hi})
    OUT.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in rows), encoding="utf-8")
    print(f"{len(rows)} materials → {OUT}")


if __name__ == "__main__":
    main()
