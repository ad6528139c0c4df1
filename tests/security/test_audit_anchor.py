"""Whoever owns the database cannot rewrite the audit trail unseen: digests are keyed with the key file's chain
key, and signed checkpoints of the head kept outside the database pin what the chain was."""

from __future__ import annotations

import json

from sqlalchemy import delete, select, update

from xiaobao.domain.audit import content_digest, link_hash
from xiaobao.services import audit
from xiaobao.services.complaints.intake import storing
from xiaobao.store.audit import AuditRepository, audit_head, audit_log

from tests.conftest import record


def _fill(ctx, n=4, start=700):
    for i in range(n):
        storing.submit(ctx, record(start + i), actor="t")


def _rows(ctx):
    with ctx.store.uow(write=False) as uow:
        return [dict(r) for r in uow.session.execute(select(audit_log).order_by(audit_log.c.seq)).mappings()]


def _rewrite_unkeyed(ctx, rows, *, keyed_from=None):
    """What an attacker with the database but not the key file can do: recompute every link with SHA-256."""
    prev = "0" * 64
    with ctx.store.uow() as uow:
        for r in rows:
            h = link_hash(prev, content_digest(r["content"]))
            uow.session.execute(update(audit_log).where(audit_log.c.seq == r["seq"])
                                .values(content=r["content"], prev_hash=prev, hash=h))
            prev = h
        values = {"seq": rows[-1]["seq"], "hash": prev}
        if keyed_from is not None:
            values["keyed_from"] = keyed_from
        uow.session.execute(update(audit_head).where(audit_head.c.id == 1).values(**values))
        uow.commit()


def test_an_intact_chain_with_a_checkpoint_verifies(ctx, users):
    _fill(ctx)
    cp = audit.checkpoint(ctx)
    v = audit.verify(ctx)
    assert v.ok and v.checkpoints == 1 and v.head == (cp.seq, cp.hash) and v.notes == []
    assert audit.checkpoint(ctx) == cp  # the head did not move: nothing new is written
    _fill(ctx, 1, start=800)
    audit.checkpoint(ctx)
    assert audit.verify(ctx).checkpoints == 2


def test_an_edited_entry_with_the_chain_recomputed_is_detected_without_any_checkpoint(ctx, users):
    _fill(ctx)
    rows = _rows(ctx)
    rows[2]["content"] = {**rows[2]["content"], "actor": "someone-else"}
    _rewrite_unkeyed(ctx, rows)
    problems = audit.verify(ctx).problems
    assert problems and all("内容哈希不符" in p.problem for p in problems)


def test_a_cut_tail_with_the_head_moved_back_is_detected_by_the_checkpoint(ctx, users):
    _fill(ctx)
    cp = audit.checkpoint(ctx)
    with ctx.store.uow() as uow:
        last = uow.session.execute(select(audit_log).where(audit_log.c.seq == cp.seq - 2)).mappings().one()
        uow.session.execute(delete(audit_log).where(audit_log.c.seq > cp.seq - 2))
        uow.session.execute(update(audit_head).where(audit_head.c.id == 1).values(seq=last["seq"], hash=last["hash"]))
        uow.commit()
    problems = audit.verify(ctx).problems
    assert [p.seq for p in problems] == [cp.seq] and "已不在链上" in problems[0].problem


def test_passing_rewritten_entries_off_as_pre_key_entries_is_detected(ctx, users):
    _fill(ctx)
    audit.checkpoint(ctx)
    rows = _rows(ctx)
    rows[1]["content"] = {**rows[1]["content"], "actor": "forged"}
    _rewrite_unkeyed(ctx, rows, keyed_from=rows[-1]["seq"] + 1)  # "all of these predate the key"
    problems = audit.verify(ctx).problems
    assert any("密钥起始序号与检查点不符" in p.problem for p in problems)
    assert any("哈希与链不符" in p.problem for p in problems)


def test_a_forged_checkpoint_is_refused(ctx, users):
    _fill(ctx)
    audit.checkpoint(ctx)
    path = ctx.settings.audit_anchor_path()
    line = json.loads(path.read_text(encoding="utf-8"))
    line["seq"] -= 1
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    problems = audit.verify(ctx).problems
    assert len(problems) == 1 and "签名无效" in problems[0].problem


def test_entries_written_before_the_key_still_verify(ctx):
    with ctx.store.uow() as uow:  # as an old release wrote them: plain SHA-256 digests
        legacy = AuditRepository(uow.session, key=None)
        for i in range(3):
            legacy.append(ctx.now(), "old", "legacy.entry", "x", str(i), {"n": i})
        seq = uow.audit.head()[0]
        uow.session.execute(update(audit_head).where(audit_head.c.id == 1).values(keyed_from=seq + 1))
        uow.commit()
    _fill(ctx, 2, start=900)
    audit.checkpoint(ctx)
    assert audit.verify(ctx).ok
