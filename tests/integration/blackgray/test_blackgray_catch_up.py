"""Two processes on one database: each one's detector catches up on what the other stored, reading
back only the complaints it has not indexed itself, and reaches the verdicts of a fresh scan."""

from __future__ import annotations

import json

from tests.conftest import record
from xiaobao.rules import load
from xiaobao.services.complaints.intake import importing, storing as intake
from xiaobao.services.blackgray import triage
from xiaobao.services.context import Context
from xiaobao.store.uow import Store

LETTER = ("本人{name}在贵司借款{amount}元，因疫情失业无力偿还，现要求停息挂账、减免全部利息罚息、本金分{n}期偿还，"
          "否则将向银保监会投诉并起诉。委托代理人张律师，联系电话 139-1234-5678。")
NAMES = ["王伟", "李娜", "赵敏", "钱坤", "孙丽", "周杰", "吴刚", "郑爽", "冯磊", "陈晨", "褚红", "卫东"]


def _letter(i: int) -> dict:
    return record(300 + i, external_id=f"L-{i:03d}", customer_name=NAMES[i % len(NAMES)], customer_id_number="",
                  customer_phone=f"1370013{i:04d}", category="other", received_at=f"2026-11-{1 + i % 17:02d} 09:30:00",
                  text=LETTER.format(name=NAMES[i % len(NAMES)], amount=10000 + 1237 * i, n=12 + 12 * (i % 3)))


def test_a_second_process_catches_up_on_both_and_agrees_with_a_fresh_scan(ctx, tmp_path):
    other = Context(store=Store(ctx.settings.database_url), rules=load(), vault=ctx.vault, settings=ctx.settings,
                    now=ctx.now)
    try:
        mine = tmp_path / "a.jsonl"
        mine.write_text("".join(json.dumps(_letter(i), ensure_ascii=False) + "\n" for i in range(0, 12, 2)),
                        encoding="utf-8")
        theirs = tmp_path / "b.jsonl"
        theirs.write_text("".join(json.dumps(_letter(i), ensure_ascii=False) + "\n" for i in range(1, 12, 2)),
                          encoding="utf-8")
        assert importing.import_file(ctx, mine, actor="t").inserted == 6
        assert importing.import_file(other, theirs, actor="t").inserted == 6   # catches up on ctx's six
        late, _ = intake.submit(ctx, _letter(12), actor="t")                    # ctx catches up on other's six
        intake.submit(other, _letter(13), actor="t")
        today = ctx.today()
        for c in (ctx, other):
            triage.state(c)  # (built)
            with c.store.uow(write=False) as uow:
                triage._catch_up(c, triage.state(c), uow)
        a, b = triage.state(ctx), triage.state(other)
        assert set(a.ids) == set(b.ids) and len(a.ids) == 14 and a.ids == b.ids
        fresh = triage._new_state(ctx)              # what a restarted process builds from the rows alone
        for doc in fresh.ids:
            want = fresh.detector.result(doc, today).to_dict()
            assert a.detector.result(doc, today).to_dict() == want
            assert b.detector.result(doc, today).to_dict() == want
        assert fresh.detector.result(triage.doc_key("app", late.external_id), today).verdict.flagged
    finally:
        other.store.dispose()
