"""Demo marketing materials: a month of a lender's ads going through pre-review — some approved as
submitted, some rejected for what the engine found, one fixed and approved as a new version, and the
publishing side reporting what went out (one piece published without approval, as happens)."""

from __future__ import annotations

from datetime import timedelta

from xiaobao.services.actors import Actor
from xiaobao.services.context import Context
from xiaobao.services.marketing import materials as marketing

# (ref, version, channel, product, title, content, decision, comment)
MATERIALS = (
    ("SMS-2611-01", "v1", "sms", "消费分期", "", "【示例消费金融】您有一笔最高20万元的额度待领取，年化利率(单利)7.2%-24%，"
     "具体以审批为准。贷款有风险，借款需谨慎。退订回T", "approve", ""),
    ("SMS-2611-02", "v1", "sms", "现金贷", "", "【示例消费金融】秒批秒到账！无视征信，黑户也能借，日息低至0.02%，"
     "借1万每天只要2元！", "reject", "秒批、无视征信属误导性宣传；日利率未展示年化利率"),
    ("SMS-2611-02", "v2", "sms", "现金贷", "", "【示例消费金融】最快当天到账，额度和利率以审批结果为准。日利率0.02%起，"
     "年化利率(单利)7.2%起。贷款有风险，借款需谨慎。", "approve", "已按意见修改"),
    ("PUSH-2611-03", "v1", "push", "消费分期", "", "双十二分期免息！借1万元分12期，每期手续费仅0.6%，0利息轻松购。",
     "reject", "分期手续费未折算年化利率，宣称0利息与收取手续费矛盾"),
    ("APP-2611-04", "v1", "app", "信用贷", "新客专享", "<h1 style=\"font-size:32px\">日利率低至0.03%</h1>"
     "<p style=\"font-size:10px;color:#ccc\">年化利率10.95%起</p><p>借款需谨慎。</p>", "request_changes",
     "年化利率字号、颜色明显弱于日利率，请按同等显著程度展示"),
    ("POSTER-2611-05", "v1", "poster", "消费分期", "校园分期", "大学生专享！在校学生凭学生证即可申请，最高5000元，"
     "100%通过，最低年化利率18%。", "reject", "面向在校学生营销，100%通过属误导性宣传"),
    ("LANDING-2611-06", "v1", "landing_page", "信用贷", "", "示例消费金融有限公司提供的信用贷款，年化利率(单利)"
     "9%-24%，额度、利率以审批结果为准。请理性借贷，按时还款。", "approve", ""),
)


def load_marketing_demo(ctx: Context, actors: dict[str, Actor]) -> dict[str, int]:
    submitter, reviewer = actors["marketing1"], actors["compliance1"]
    counts = {"materials": 0, "approved": 0, "published": 0}
    base = ctx.now()
    for i, (ref, version, channel, product, title, content, decision, comment) in enumerate(MATERIALS):
        m, created = marketing.submit(ctx, submitter, {"ref": ref, "version": version, "channel": channel,
                                                       "product": product, "title": title, "content": content})
        counts["materials"] += created
        if created:
            marketing.review(ctx, reviewer, m["id"], decision, comment or "经审核符合要求")
            counts["approved"] += decision == "approve"
        if decision == "approve":
            marketing.record_publication(ctx, submitter, {"channel": channel, "external_id": f"PUB-{ref}-{version}",
                                                          "content": content,
                                                          "published_at": (base + timedelta(hours=i)).isoformat()})
            counts["published"] += 1
    # Published without pre-review: the coverage report must show it.
    marketing.record_publication(ctx, submitter, {"channel": "sms", "external_id": "PUB-UNREVIEWED-01",
                                                  "content": "【示例消费金融】限时提额，点击领取！",
                                                  "published_at": base.isoformat()})
    counts["published"] += 1
    return counts
