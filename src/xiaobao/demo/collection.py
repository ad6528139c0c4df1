"""Demo calls: a month of collection calls for the demo's debt-collection complainants and others,
through the real import (so blind-index links, inspection, findings and audit are the real ones)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select

from xiaobao.store.complaints.tables import complaints
from xiaobao.services.collection.calls import import_rows
from xiaobao.services.context import Context

AGENCIES = ("inhouse", "安信资产", "恒信资产", "诚通催收")
OPENING = "您好，我是示例消费金融的贷后专员{n}号，工号{n:04d}，请问是本人吗？"
COMPLIANT = ("您本期账单已经逾期，麻烦您尽快登录APP查看并还款。", "逾期信息会按照规定报送人民银行征信系统。",
             "我们不会上门，也不会联系您的单位，请您放心。", "如果您现在确实有困难，可以申请协商还款。",
             "好的，已经记录您的还款时间，感谢您的配合。")
CALLEE = ("嗯，是我。", "我知道了，这两天就还。", "要还多少钱？", "现在在开会，不太方便。", "好的。")
VIOLATIONS = ("你不还钱我们就派人上门。", "你这种老赖就是不要脸。", "再不还就要坐牢了。", "我是法院的工作人员。",
              "没钱你就去别的平台借点来还。", "今天不还明天金额就翻倍。")


def load_collection_demo(ctx: Context, *, calls: int = 600, seed: int = 20261121) -> dict:
    rng = random.Random(seed)
    with ctx.store.uow(write=False) as uow:
        rows = uow.session.execute(select(complaints.c.pii).where(complaints.c.category == "debt_collection")
                                   .limit(80)).scalars().all()
    ids = [ctx.vault.decrypt(p["id_number"], "id_number") for p in rows if p and "id_number" in p]
    end = ctx.now().replace(hour=0, minute=0, second=0, microsecond=0)
    recs = []
    for i in range(calls):
        debtor = i % (len(ids) + 40)
        turns = [{"speaker": "collector", "text": OPENING.format(n=rng.randrange(1, 9999))}]
        for _ in range(rng.randrange(3, 9)):
            turns += [{"speaker": "callee", "text": rng.choice(CALLEE)},
                      {"speaker": "collector", "text": rng.choice(COMPLIANT)}]
        if rng.random() < 0.25:
            turns.insert(rng.randrange(2, len(turns)), {"speaker": "collector", "text": rng.choice(VIOLATIONS)})
        hour = rng.choice([9, 10, 11, 14, 15, 16, 19, 20, 21, 22])
        at = end - timedelta(days=rng.randrange(1, 180)) + timedelta(hours=hour, minutes=rng.randrange(60))
        recs.append({"call_id": f"DEMO-CALL-{i:05d}", "agency": rng.choice(AGENCIES),
                     "collector_id": f"COL{rng.randrange(1, 30):03d}", "debtor_id": f"DEMO-D{debtor:04d}",
                     **({"debtor_id_number": ids[debtor]} if debtor < len(ids) else {}),
                     "started_at": datetime.isoformat(at) + "+08:00", "duration_s": 40 + 15 * len(turns),
                     "callee_relation": "debtor", "transcript": turns})
    report = import_rows(ctx, list(enumerate(recs, start=1)), actor="system", source="demo")
    return {"calls": report.inserted, "violating_calls": report.violating_calls, "linked_debtors": len(ids)}
