"""Demo marketing materials: a month of a lender's ads (SMS, push, app, poster, landing page) going
through pre-review — some approved as submitted, some rejected for what the engine found (秒批, 无视征信,
a daily rate without its APR, students), one sent back for changes, one fixed and approved as a new
version — and the publishing side reporting what went out, including one piece published without
approval, as happens, for the coverage report to show. The texts are in `data/marketing.yaml`."""

from __future__ import annotations

from datetime import timedelta

from xiaobao.demo import data
from xiaobao.services.actors import Actor
from xiaobao.services.context import Context
from xiaobao.services.marketing import materials as marketing

# (ref, version, channel, product, title, content, decision, comment)
MATERIALS = data.records("marketing", "materials", {"ref": "t", "version": "t", "channel": "t", "product": "t",
                                                   "title": "t", "content": "t", "decision": "t", "comment": "t"})
APPROVAL_COMMENT = data.text("marketing", "approval_comment")
UNREVIEWED = data.text_map("marketing", "unreviewed")  # channel, external_id, content


def load_marketing_demo(ctx: Context, actors: dict[str, Actor]) -> dict[str, int]:
    submitter, reviewer = actors["marketing1"], actors["compliance1"]
    counts = {"materials": 0, "approved": 0, "published": 0}
    base = ctx.now()
    for i, (ref, version, channel, product, title, content, decision, comment) in enumerate(MATERIALS):
        m, created = marketing.submit(ctx, submitter, {"ref": ref, "version": version, "channel": channel,
                                                       "product": product, "title": title, "content": content})
        counts["materials"] += created
        if created:
            marketing.review(ctx, reviewer, m["id"], decision, comment or APPROVAL_COMMENT)
            counts["approved"] += decision == "approve"
        if decision == "approve":
            marketing.record_publication(ctx, submitter, {"channel": channel, "external_id": f"PUB-{ref}-{version}",
                                                          "content": content,
                                                          "published_at": (base + timedelta(hours=i)).isoformat()})
            counts["published"] += 1
    # Published without pre-review: the coverage report must show it.
    marketing.record_publication(ctx, submitter, {"channel": UNREVIEWED["channel"],
                                                  "external_id": UNREVIEWED["external_id"],
                                                  "content": UNREVIEWED["content"], "published_at": base.isoformat()})
    counts["published"] += 1
    return counts
