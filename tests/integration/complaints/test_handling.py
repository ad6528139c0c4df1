"""Handling through the service layer, on both databases, with a frozen clock."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from xiaobao.domain.errors import ApprovalRequired, DeadlinePassed, IllegalTransition, RecusalRequired
from xiaobao.services import audit
from xiaobao.services.complaints import handling, queries, views
from xiaobao.services.complaints.intake import storing as intake
from xiaobao.services.actors import Actor
from xiaobao.domain.roles import Role
from tests.conftest import record

AGENT = Actor("agent", Role.AGENT, "S000", "frontline")
SUP = Actor("supervisor", Role.SUPERVISOR, "S003", "escalation")
COMP = Actor("compliance", Role.COMPLIANCE, "S004")


def _new(ctx, n=1, **over):
    over.setdefault("category", "other")  # routed to L1 frontline, the queue AGENT works
    c, _ = intake.submit(ctx, record(n, **over), actor="agent")
    return c


def test_full_lifecycle_from_intake_to_close_is_audited(ctx, users, clock):
    c = _new(ctx, received_at="2026-11-18 09:30:00")
    assert c.due_date == date(2026, 12, 3)
    handling.accept(ctx, c.id, AGENT)
    handling.start(ctx, c.id, AGENT)
    clock.advance(days=2)
    handling.decide(ctx, c.id, AGENT, result="partially_upheld", reasons="催收外包机构违规联系第三人",
                    basis="《消费金融公司管理办法》及合作协议", verification="调取通话录音3段",
                    remedies=["可申请核查", "可向金融纠纷调解组织申请调解"])
    c = handling.notify(ctx, c.id, AGENT, channel="sms", proof="SMS-20261122-88")
    assert c.notice["on_time"] is True
    handling.record_callback(ctx, c.id, AGENT, satisfaction="satisfied")
    c = handling.close(ctx, c.id, AGENT)
    assert c.status == "closed"
    kinds = [e["action"] for e in views.timeline(ctx, c.id)]
    assert kinds == ["complaint.create", "status.accepted", "status.in_progress", "decide", "notify", "callback",
                     "status.closed"]
    assert audit.verify(ctx).problems == []


def test_illegal_transition_is_refused_and_nothing_changes(ctx, users):
    c = _new(ctx)
    with pytest.raises(IllegalTransition) as e:
        handling.close(ctx, c.id, AGENT)
    assert "待受理" in e.value.message and "已办结" in e.value.message
    assert views.get_complaint(ctx, c.id, AGENT)["status"] == "received"
    assert [t["action"] for t in views.timeline(ctx, c.id)] == ["complaint.create"]


def test_pause_for_mediation_excludes_the_days_and_shows_in_paused_query(ctx, users, clock):
    c = _new(ctx, received_at="2026-11-18 09:30:00")
    handling.start(ctx, c.id, AGENT)
    clock.set(datetime(2026, 11, 20, 10))
    c = handling.pause(ctx, c.id, AGENT, "mediation", notice_proof="CONSENT-88", note="双方同意调解")
    assert c.due_date is None
    assert [x["id"] for x in queries.find(ctx, paused=True)["items"]] == [c.id]
    clock.set(datetime(2026, 11, 27, 10))
    c = handling.resume(ctx, c.id, AGENT)
    assert c.due_date == date(2026, 12, 10)  # 3 Dec + 7 paused days (a Thursday)
    assert queries.find(ctx, paused=True)["total"] == 0


def test_extension_to_sixty_days_needs_a_recorded_approver_with_authority_and_proof_of_notice(ctx, users, clock):
    c = _new(ctx, received_at="2026-11-18 09:30:00")
    handling.start(ctx, c.id, AGENT)
    c = handling.extend(ctx, c.id, AGENT, reason="涉及多家合作机构，情况复杂")
    assert (c.clock_level, c.due_date) == (1, date(2026, 12, 18))
    with pytest.raises(Exception) as e:
        handling.extend(ctx, c.id, AGENT, reason="特别复杂")
    assert e.value.field == "approver"
    with pytest.raises(ApprovalRequired):
        handling.extend(ctx, c.id, AGENT, reason="特别复杂", approver="expert", notice_proof="CALL-1")
    c = handling.extend(ctx, c.id, AGENT, reason="特别复杂", approver="supervisor", notice_proof="CALL-20261120-1")
    assert (c.clock_level, c.due_date) == (2, date(2027, 1, 18))
    ext = [t for t in views.timeline(ctx, c.id) if t["action"] == "clock.extend"][-1]
    assert ext["data"]["approver"] == "supervisor" and ext["data"]["notice_proof"] == "CALL-20261120-1"


def test_extension_after_the_deadline_is_refused(ctx, users, clock):
    c = _new(ctx, received_at="2026-11-01 09:30:00")
    clock.set(datetime(2026, 11, 20, 10))
    with pytest.raises(DeadlinePassed):
        handling.extend(ctx, c.id, AGENT, reason="复杂")


def test_repeat_merges_and_new_facts_restart_the_parent_clock(ctx, users, clock):
    parent = _new(ctx, 1, received_at="2026-11-10 09:00:00")
    child = _new(ctx, 2, received_at="2026-11-19 09:00:00", channel="hotline", customer_phone="13900000001")
    assert child.repeat_of_id == parent.id
    p = handling.merge(ctx, child.id, parent.id, SUP, new_facts=True, note="补充了新的扣款记录")
    assert p.clock_started == date(2026, 11, 19) and p.due_date == date(2026, 12, 4)
    assert views.get_complaint(ctx, child.id, SUP)["status"] == "merged"
    actions = [t["action"] for t in views.timeline(ctx, parent.id)]
    assert "merge.parent" in actions and "clock.restart" in actions


def test_merge_without_new_facts_keeps_the_parent_clock(ctx, users):
    parent = _new(ctx, 1, received_at="2026-11-10 09:00:00")
    child = _new(ctx, 2, received_at="2026-11-19 09:00:00", channel="hotline")
    p = handling.merge(ctx, child.id, parent.id, SUP, new_facts=False)
    assert p.clock_started == date(2026, 11, 10) and p.due_date == date(2026, 11, 25)


def test_assigning_the_person_complained_about_is_refused(ctx, users):
    c = _new(ctx, respondent_staff_ids="S000")
    with pytest.raises(RecusalRequired):
        handling.assign(ctx, c.id, SUP, "agent")
    assert handling.assign(ctx, c.id, SUP, "expert").assignee == "expert"


def test_review_request_goes_to_l4_and_runs_a_30_day_clock(ctx, users, clock):
    c = _new(ctx, received_at="2026-11-02 09:00:00")
    handling.start(ctx, c.id, AGENT)
    clock.set(datetime(2026, 11, 5, 10))
    handling.decide(ctx, c.id, AGENT, result="not_upheld", reasons="费用已在合同中披露", basis="借款合同第5条",
                    verification="核对合同与扣款记录", remedies=["核查", "调解", "诉讼"])
    handling.notify(ctx, c.id, AGENT, channel="letter", proof="EMS1234567890")
    clock.set(datetime(2026, 11, 20, 10))
    c = handling.request_review(ctx, c.id, AGENT, written_ref="REV-2026-01")
    assert (c.status, c.tier, c.team) == ("in_review", "L4", "escalation")
    assert c.review_due_date == date(2026, 12, 21)  # 20 Dec is a Sunday
    assert [x["id"] for x in queries.find(ctx, in_review=True)["items"]] == [c.id]
    with pytest.raises(RecusalRequired):
        handling.decide_review(ctx, c.id, AGENT, outcome="upheld_original", reasons="维持")
    c = handling.decide_review(ctx, c.id, SUP, outcome="changed", reasons="减免部分费用")
    assert c.status == "closed" and c.review["on_time"] is True


def test_due_and_overdue_queries(ctx, users, clock):
    old = _new(ctx, 1, received_at="2026-10-20 09:00:00")  # due 4 Nov: overdue on 20 Nov
    soon = _new(ctx, 2, received_at="2026-11-05 09:00:00", customer_phone="13900000002")  # due 20 Nov
    later = _new(ctx, 3, received_at="2026-11-19 09:00:00", customer_phone="13900000003")  # due 4 Dec
    assert [x["id"] for x in queries.find(ctx, overdue=True)["items"]] == [old.id]
    assert [x["id"] for x in queries.find(ctx, due_within_days=3)["items"]] == [soon.id]
    assert {x["id"] for x in queries.find(ctx, due_within_days=30)["items"]} == {soon.id, later.id}
    item = queries.find(ctx, overdue=True)["items"][0]
    assert item["clock"]["overdue"] is True and item["clock"]["days_left"] == -16


def test_escalation_moves_complaints_near_their_deadline_up_one_tier(ctx, users, clock):
    near = _new(ctx, 1, received_at="2026-11-07 09:00:00", category="pricing_fees")  # due 23 Nov: 3 days left
    far = _new(ctx, 2, received_at="2026-11-19 09:00:00", category="pricing_fees", customer_id_number="",
               customer_phone="13900000002")
    moved = handling.escalate_due(ctx)
    assert moved == [(near.id, "L1", "L2")]
    assert views.get_complaint(ctx, far.id, SUP)["tier"] == "L1"
    last = views.timeline(ctx, near.id)[-1]
    assert last["action"] == "transfer" and "剩3天" in last["reason"]


def test_pboc_forwarded_complaint_extends_once_to_sixty_days(ctx, users):
    c = _new(ctx, channel="regulator_12363", received_at="2026-11-18 09:00:00")
    assert c.due_date == date(2026, 12, 3)
    c = handling.extend(ctx, c.id, SUP, reason="涉及外部机构", approver="compliance", notice_proof="SMS-7")
    assert c.clock_level == 1 and c.due_date == date(2027, 1, 18)
    with pytest.raises(ApprovalRequired):
        handling.extend(ctx, c.id, SUP, reason="再延", approver="compliance", notice_proof="SMS-8")


def test_personal_data_typed_into_staff_notes_is_masked_in_the_timeline(ctx, users, clock):
    """An agent who types a phone or ID number into a note must not put it into the audit in clear."""
    c = _new(ctx, received_at="2026-11-18 09:30:00")
    handling.accept(ctx, c.id, AGENT, note="客户新手机号13912345678，身份证110101199003074514")
    handling.start(ctx, c.id, AGENT)
    handling.pause(ctx, c.id, AGENT, "mediation", notice_proof="已电话告知 13912345678", note="同意调解")
    rows = views.timeline(ctx, c.id)
    accepted = next(r for r in rows if r["action"] == "status.accepted")
    assert "13912345678" not in accepted["reason"] and "110101199003074514" not in accepted["reason"]
    assert accepted["reason"].startswith("客户新手机号139") and "5678" in accepted["reason"]
    paused = next(r for r in rows if r["action"] == "clock.pause")
    assert "13912345678" not in str(paused["data"]) and paused["reason"] == "同意调解"
    with ctx.store.uow(write=False) as uow:
        stored = str(uow.audit.for_entity("complaint", str(c.id)))
    assert "13912345678" not in stored and "110101199003074514" not in stored
    assert audit.verify(ctx).problems == []
