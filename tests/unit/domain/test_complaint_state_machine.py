"""The Complaint aggregate against 投诉办法 (银保监会令2020年第3号) and 5号令 Art.43, on the bundled rules."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from xiaobao.domain.complaint import (
    STATUS_NAMES_ZH,
    TERMINAL,
    TRANSITIONS,
    Complaint,
    Status,
)
from xiaobao.domain.errors import (
    ApprovalRequired,
    DeadlinePassed,
    IllegalTransition,
    InvalidValue,
    RecusalRequired,
)
from xiaobao.rules import load

S = Status
REGIME = load().regime
T0 = datetime(2025, 3, 3, 10, 0)  # Monday; the 15-day period ends Tuesday 2025-03-18
DUE0 = date(2025, 3, 18)
REMEDIES = ["核查", "调解", "仲裁", "诉讼"]


def at(d: date, hour: int = 10) -> datetime:
    return datetime(d.year, d.month, d.day, hour)


def make(id: int = 1, received: datetime = T0, policy: str = "nfra_standard", **kw) -> Complaint:
    c = Complaint(channel=kw.pop("channel", "app"), external_id=f"E{id}", received_at=received,
                  text="未经同意扣划还款", clock_policy=policy, clock_started=received.date(), id=id, **kw)
    c.refresh_due(REGIME)
    return c


def decide(c: Complaint, when: datetime, by: str = "handler1"):
    return c.decide(by=by, at=when, result="partially_upheld", reasons="扣款未获授权", basis="借款合同第5条",
                    verification="调取扣款记录与通话录音", remedies=REMEDIES)


def notify(c: Complaint, when: datetime):
    return c.notify(by="handler1", at=when, channel="sms", proof="SMS-20250310-001")


# How to reach each status from a freshly received complaint (the shortest path through real actions).
def reach(status: Status, **kw) -> Complaint:
    c = make(**kw)
    t = at(c.received_at.date() + timedelta(days=1))
    if status == S.RECEIVED:
        return c
    if status == S.WITHDRAWN:
        c.transition(S.WITHDRAWN, by="agent1", at=t, reason="投诉人来电撤回")
        return c
    if status == S.NOT_ACCEPTED:
        c.refuse(by="agent1", at=t, reason="非消费者本人或其授权代理人提起", notice_proof="CALL-001")
        return c
    if status == S.MERGED:
        parent = make(id=99, received=c.received_at - timedelta(days=1))
        c.merge_into(parent, by="expert1", at=t, regime=REGIME, new_facts=False)
        return c
    c.transition(S.ACCEPTED, by="agent1", at=t)
    if status == S.ACCEPTED:
        return c
    c.transition(S.IN_PROGRESS, by="agent1", at=t)
    if status == S.IN_PROGRESS:
        return c
    if status == S.PAUSED:
        c.pause("appraisal", by="handler1", at=t, regime=REGIME, notice_proof="SMS-1")
        return c
    decide(c, t)
    if status == S.DECIDED:
        return c
    notify(c, t)
    if status == S.NOTIFIED:
        return c
    if status == S.CLOSED:
        c.close(by="handler1", at=t)
        return c
    if status == S.IN_REVIEW:
        c.request_review(by="agent1", at=t, regime=REGIME, written_ref="REV-1")
        return c
    raise AssertionError(f"no path to {status}")


def perform(c: Complaint, to: Status):
    """The real action that makes the move `c.status → to`."""
    t = at(c.received_at.date() + timedelta(days=2))
    frm = Status(c.status)
    if to in (S.ACCEPTED, S.WITHDRAWN) or (to == S.IN_PROGRESS and frm != S.PAUSED):
        return c.transition(to, by="agent1", at=t, reason="投诉人撤回" if to == S.WITHDRAWN else "")
    if to == S.IN_PROGRESS:
        return c.resume(by="handler1", at=t, regime=REGIME)
    if to == S.PAUSED:
        return c.pause("mediation", by="handler1", at=t, regime=REGIME, notice_proof="SMS-1")
    if to == S.DECIDED:
        return decide(c, t)
    if to == S.NOTIFIED:
        return notify(c, t)
    if to == S.CLOSED and frm == S.IN_REVIEW:
        return c.decide_review(by="reviewer1", at=t, outcome="upheld_original", reasons="程序、时限、结果均无不当")
    if to == S.CLOSED:
        return c.close(by="handler1", at=t)
    if to == S.IN_REVIEW:
        return c.request_review(by="agent1", at=t, regime=REGIME, written_ref="REV-2")
    if to == S.MERGED:
        return c.merge_into(make(id=99), by="expert1", at=t, regime=REGIME, new_facts=False)
    if to == S.NOT_ACCEPTED:
        return c.refuse(by="agent1", at=t, reason="代投诉未获授权", notice_proof="SMS-9")
    raise AssertionError(f"no action for {frm} → {to}")


ALLOWED = [(s, t) for s, targets in TRANSITIONS.items() for t in sorted(targets)]


# ---- the transition table -------------------------------------------------------------------


@pytest.mark.parametrize("status", list(Status))
def test_every_status_is_reachable_through_real_actions(status):
    assert reach(status).status == status


@pytest.mark.parametrize("frm, to", ALLOWED, ids=[f"{a}->{b}" for a, b in ALLOWED])
def test_every_allowed_transition_works(frm, to):
    c = reach(frm)
    assert c.status == frm
    perform(c, to)
    assert c.status == to


def test_terminal_statuses_have_no_way_out():
    assert TERMINAL == {S.WITHDRAWN, S.MERGED, S.NOT_ACCEPTED}
    for s in TERMINAL:
        c = reach(s)
        assert not any(c.can_move(t) for t in Status)


GENERIC_TARGETS = (S.ACCEPTED, S.IN_PROGRESS, S.WITHDRAWN, S.CLOSED)
GENERIC_ILLEGAL = [(s, t) for s in Status for t in GENERIC_TARGETS if t not in TRANSITIONS[s]]


@pytest.mark.parametrize("frm, to", GENERIC_ILLEGAL, ids=[f"{a}->{b}" for a, b in GENERIC_ILLEGAL])
def test_generic_transition_never_bypasses_the_table(frm, to):
    c = reach(frm)
    with pytest.raises(IllegalTransition):
        c.transition(to, by="agent1", at=at(date(2025, 3, 5)), reason="理由")
    assert c.status == frm


@pytest.mark.parametrize("frm, action, to", [
    (S.RECEIVED, lambda c, t: decide(c, t), S.DECIDED),
    (S.RECEIVED, lambda c, t: c.close(by="x", at=t), S.CLOSED),
    (S.PAUSED, lambda c, t: decide(c, t), S.DECIDED),
    (S.IN_PROGRESS, lambda c, t: notify(c, t), S.NOTIFIED),
    (S.CLOSED, lambda c, t: c.transition(S.IN_PROGRESS, by="x", at=t), S.IN_PROGRESS),
    (S.NOTIFIED, lambda c, t: c.transition(S.WITHDRAWN, by="x", at=t, reason="撤回"), S.WITHDRAWN),
    (S.WITHDRAWN, lambda c, t: c.transition(S.ACCEPTED, by="x", at=t), S.ACCEPTED),
    (S.MERGED, lambda c, t: c.transition(S.IN_PROGRESS, by="x", at=t), S.IN_PROGRESS),
    (S.NOT_ACCEPTED, lambda c, t: c.transition(S.ACCEPTED, by="x", at=t), S.ACCEPTED),
    (S.ACCEPTED, lambda c, t: c.refuse(by="x", at=t, reason="r", notice_proof="p"), S.NOT_ACCEPTED),
    (S.DECIDED, lambda c, t: c.close(by="x", at=t), S.CLOSED),
])
def test_illegal_transition_names_both_states_in_chinese(frm, action, to):
    c = reach(frm)
    with pytest.raises(IllegalTransition) as e:
        action(c, at(date(2025, 3, 6)))
    msg = str(e.value)
    assert f"「{STATUS_NAMES_ZH[str(frm)]}」" in msg
    assert f"「{STATUS_NAMES_ZH[str(to)]}」" in msg
    assert e.value.current == frm and e.value.target == to
    assert e.value.code == "illegal_transition"
    assert c.status == frm


@pytest.mark.parametrize("to", [S.PAUSED, S.DECIDED, S.NOTIFIED, S.IN_REVIEW, S.MERGED, S.NOT_ACCEPTED])
def test_generic_transition_refuses_moves_that_need_their_own_action(to):
    c = reach(S.IN_PROGRESS) if to != S.NOT_ACCEPTED else reach(S.RECEIVED)
    before = c.status
    with pytest.raises(IllegalTransition):
        c.transition(to, by="x", at=at(date(2025, 3, 5)))
    assert c.status == before


def test_transition_returns_an_event_with_before_and_after():
    c = make()
    ev = c.transition(S.ACCEPTED, by="agent1", at=at(date(2025, 3, 3), 11), reason="首问受理")
    assert (ev.kind, ev.actor, ev.before, ev.after, ev.reason) == (
        "status.accepted", "agent1", {"status": "received"}, {"status": "accepted"}, "首问受理")
    assert c.updated_at == at(date(2025, 3, 3), 11)


def test_open_statuses():
    assert make().is_open
    assert reach(S.DECIDED).is_open
    assert not reach(S.NOTIFIED).is_open
    assert not reach(S.WITHDRAWN).is_open


# ---- receipt and due date -------------------------------------------------------------------


def test_due_date_is_15_days_after_receipt_not_counting_the_day_of_receipt():
    c = make()
    assert c.due_date == DUE0
    assert not c.due_estimated
    assert c.days_left(date(2025, 3, 18)) == 0


def test_due_date_in_2027_is_flagged_estimated():
    c = make(received=datetime(2027, 1, 20, 9))  # nominal 2027-02-04 (Thu); a workday in the estimate
    assert c.due_date == date(2027, 2, 4)
    assert c.due_estimated


# ---- pause (投诉办法 Art.18 ¶2, Art.23) -------------------------------------------------------


@pytest.mark.parametrize("reason", ["appraisal", "mediation"])
def test_pause_for_appraisal_or_mediation_stops_the_clock(reason):
    c = reach(S.IN_PROGRESS)
    ev = c.pause(reason, by="handler1", at=at(date(2025, 3, 5)), regime=REGIME, notice_proof="SMS-1")
    assert c.status == S.PAUSED
    assert c.due_date is None
    assert c.pauses[-1].reason == reason and c.pauses[-1].end is None
    assert ev.kind == "clock.pause"


@pytest.mark.parametrize("reason", ["complex_case", "waiting_for_customer", "holiday", ""])
def test_pause_only_for_policy_reasons(reason):
    c = reach(S.IN_PROGRESS)
    with pytest.raises(InvalidValue) as e:
        c.pause(reason, by="handler1", at=at(date(2025, 3, 5)), regime=REGIME, notice_proof="SMS-1")
    assert e.value.field == "reason"
    assert c.status == S.IN_PROGRESS and c.due_date == DUE0 and c.pauses == ()


def test_resume_extends_due_date_by_paused_days():
    c = reach(S.IN_PROGRESS)
    c.pause("appraisal", by="handler1", at=at(date(2025, 3, 5)), regime=REGIME, notice_proof="SMS-1")
    ev = c.resume(by="handler1", at=at(date(2025, 3, 12)), regime=REGIME)
    assert c.status == S.IN_PROGRESS
    assert c.pauses[-1].days == 7
    assert c.due_date == DUE0 + timedelta(days=7) == date(2025, 3, 25)
    assert ev.after["paused_days"] == 7 and ev.after["due_date"] == date(2025, 3, 25)


def test_two_pauses_add_up():
    c = reach(S.IN_PROGRESS)
    c.pause("appraisal", by="h", at=at(date(2025, 3, 5)), regime=REGIME, notice_proof="SMS-1")
    c.resume(by="h", at=at(date(2025, 3, 7)), regime=REGIME)
    c.pause("mediation", by="h", at=at(date(2025, 3, 10)), regime=REGIME, notice_proof="SMS-1")
    c.resume(by="h", at=at(date(2025, 3, 15)), regime=REGIME)
    assert sum(p.days for p in c.pauses) == 7
    assert c.due_date == date(2025, 3, 25)


def test_resume_before_pause_start_is_refused():
    c = reach(S.PAUSED)
    with pytest.raises(InvalidValue):
        c.resume(by="h", at=at(date(2025, 3, 3)), regime=REGIME)
    assert c.status == S.PAUSED


def test_resume_only_when_paused():
    c = reach(S.IN_PROGRESS)
    with pytest.raises(IllegalTransition):
        c.resume(by="h", at=at(date(2025, 3, 5)), regime=REGIME)


def test_generic_transition_cannot_resume_a_paused_clock():
    c = reach(S.PAUSED)
    with pytest.raises(IllegalTransition, match="resume"):
        c.transition(S.IN_PROGRESS, by="h", at=at(date(2025, 3, 8)))
    assert c.status == S.PAUSED and c.pauses[-1].end is None


def test_pause_after_deadline_passed_is_refused():
    c = reach(S.IN_PROGRESS)
    with pytest.raises(DeadlinePassed):
        c.pause("appraisal", by="h", at=at(DUE0 + timedelta(days=1)), regime=REGIME, notice_proof="SMS-1")
    assert c.status == S.IN_PROGRESS


# ---- extension (投诉办法 Art.18 ¶1; 5号令 Art.43) ----------------------------------------------


def test_extension_to_30_days_needs_a_reason_only():
    c = reach(S.IN_PROGRESS)
    ev = c.extend(by="handler1", at=at(date(2025, 3, 10)), regime=REGIME, reason="涉及多笔交易，情况复杂")
    assert c.clock_level == 1
    assert c.due_date == date(2025, 4, 2)
    assert ev.after["days"] == 30 and ev.before["due_date"] == DUE0


def test_extension_without_reason_is_refused():
    c = reach(S.IN_PROGRESS)
    with pytest.raises(InvalidValue) as e:
        c.extend(by="handler1", at=at(date(2025, 3, 10)), regime=REGIME, reason="")
    assert e.value.field == "reason"
    assert c.clock_level == 0 and c.due_date == DUE0


def extended_once() -> Complaint:
    c = reach(S.IN_PROGRESS)
    c.extend(by="handler1", at=at(date(2025, 3, 10)), regime=REGIME, reason="情况复杂")
    return c


def test_extension_to_60_days_needs_an_approver():
    c = extended_once()
    with pytest.raises(InvalidValue) as e:
        c.extend(by="handler1", at=at(date(2025, 3, 25)), regime=REGIME, reason="特别复杂", notice_proof="SMS-1")
    assert e.value.field == "approver"
    assert c.clock_level == 1


def test_extension_approver_cannot_be_the_requester():
    c = extended_once()
    with pytest.raises(ApprovalRequired):
        c.extend(by="handler1", at=at(date(2025, 3, 25)), regime=REGIME, reason="特别复杂",
                 approver="handler1", notice_proof="SMS-1")
    assert c.clock_level == 1


def test_extension_to_60_days_needs_proof_the_complainant_was_told():
    c = extended_once()
    with pytest.raises(InvalidValue) as e:
        c.extend(by="handler1", at=at(date(2025, 3, 25)), regime=REGIME, reason="特别复杂", approver="vp_ops")
    assert e.value.field == "notice_proof"
    assert c.clock_level == 1


def test_extension_to_60_days_with_approval_and_notice():
    c = extended_once()
    ev = c.extend(by="handler1", at=at(date(2025, 3, 25)), regime=REGIME, reason="特别复杂",
                  approver="vp_ops", notice_proof="SMS-1")
    assert c.clock_level == 2
    assert c.due_date == date(2025, 5, 6)  # nominal 05-02 falls in the Labour Day holiday
    assert ev.data["approver"] == "vp_ops" and ev.data["notice_proof"] == "SMS-1"
    assert "第十八条" in ev.data["citation"]


def test_no_extension_beyond_60_days():
    c = extended_once()
    c.extend(by="handler1", at=at(date(2025, 3, 25)), regime=REGIME, reason="特别复杂",
             approver="vp_ops", notice_proof="SMS-1")
    with pytest.raises(ApprovalRequired):
        c.extend(by="handler1", at=at(date(2025, 4, 10)), regime=REGIME, reason="还要更久",
                 approver="ceo", notice_proof="SMS-2")
    assert c.clock_level == 2 and c.due_date == date(2025, 5, 6)


def test_extension_on_the_last_day_is_still_in_time():
    c = reach(S.IN_PROGRESS)
    c.extend(by="handler1", at=at(DUE0, 23), regime=REGIME, reason="情况复杂")
    assert c.clock_level == 1


def test_extension_after_deadline_passed_is_refused():
    c = reach(S.IN_PROGRESS)
    with pytest.raises(DeadlinePassed):
        c.extend(by="handler1", at=at(DUE0 + timedelta(days=1)), regime=REGIME, reason="情况复杂")
    assert c.clock_level == 0 and c.due_date == DUE0


def test_extension_while_paused_is_refused():
    c = reach(S.PAUSED)
    with pytest.raises(IllegalTransition):
        c.extend(by="handler1", at=at(date(2025, 3, 6)), regime=REGIME, reason="情况复杂")
    assert c.clock_level == 0


def test_extension_of_closed_complaint_is_refused():
    c = reach(S.CLOSED)
    with pytest.raises(IllegalTransition):
        c.extend(by="handler1", at=at(date(2025, 3, 6)), regime=REGIME, reason="情况复杂")


def test_pboc_forwarded_is_15_days_then_60_with_approval():
    c = reach(S.IN_PROGRESS, channel="regulator_12363", policy="pboc_forwarded")
    assert c.due_date == DUE0
    with pytest.raises(InvalidValue) as e:
        c.extend(by="handler1", at=at(date(2025, 3, 10)), regime=REGIME, reason="情况复杂")
    assert e.value.field == "approver"
    c.extend(by="handler1", at=at(date(2025, 3, 10)), regime=REGIME, reason="情况复杂",
             approver="complaint_head", notice_proof="CALL-7")
    assert c.clock_level == 1
    assert c.due_date == date(2025, 5, 6)
    with pytest.raises(ApprovalRequired):
        c.extend(by="handler1", at=at(date(2025, 3, 20)), regime=REGIME, reason="更复杂",
                 approver="complaint_head", notice_proof="CALL-8")


def test_pboc_forwarded_has_no_review_procedure():
    c = reach(S.NOTIFIED, channel="regulator_12363", policy="pboc_forwarded")
    with pytest.raises(IllegalTransition):
        c.request_review(by="agent1", at=at(date(2025, 3, 10)), regime=REGIME, written_ref="REV-1")
    assert c.status == S.NOTIFIED


def test_unknown_clock_policy_is_invalid():
    c = make()
    c.clock_policy = "no_such_policy"
    with pytest.raises(InvalidValue):
        c.refresh_due(REGIME)


# ---- new facts restart the period (Art.18 ¶3) -----------------------------------------------


def test_restart_for_new_facts_resets_clock_start_and_level():
    c = extended_once()
    ev = c.restart_for_new_facts(by="expert1", at=at(date(2025, 3, 20)), regime=REGIME,
                                 received=date(2025, 3, 20), note="补充提交了新的扣款凭证")
    assert c.clock_started == date(2025, 3, 20)
    assert c.clock_level == 0
    assert c.due_date == date(2025, 4, 7)  # nominal 04-04 is 清明, 04-05/06 the weekend
    assert ev.before["clock_level"] == 1 and ev.before["clock_started"] == date(2025, 3, 3)


def test_restart_clears_pauses_and_resumes_a_paused_complaint():
    c = reach(S.PAUSED)
    c.restart_for_new_facts(by="expert1", at=at(date(2025, 3, 10)), regime=REGIME,
                            received=date(2025, 3, 10), note="新事实")
    assert c.status == S.IN_PROGRESS
    assert c.pauses == ()
    assert c.due_date == date(2025, 3, 25)


def test_restart_reopens_a_decision_not_yet_delivered():
    c = reach(S.DECIDED)
    c.restart_for_new_facts(by="expert1", at=at(date(2025, 3, 10)), regime=REGIME,
                            received=date(2025, 3, 10), note="新事实")
    assert c.status == S.IN_PROGRESS
    assert c.decision is None and c.decided_at is None  # the old decision no longer stands


def test_restart_needs_a_note():
    c = reach(S.IN_PROGRESS)
    with pytest.raises(InvalidValue):
        c.restart_for_new_facts(by="e", at=at(date(2025, 3, 10)), regime=REGIME, received=date(2025, 3, 10), note="")
    assert c.clock_started == date(2025, 3, 3)


def test_restart_after_closure_is_refused():
    c = reach(S.CLOSED)
    with pytest.raises(IllegalTransition):
        c.restart_for_new_facts(by="e", at=at(date(2025, 3, 10)), regime=REGIME, received=date(2025, 3, 10),
                                note="新事实")
    assert c.status == S.CLOSED


# ---- merging repeats (Art.18 ¶3) ------------------------------------------------------------


def test_repeat_within_parents_period_merges():
    parent = reach(S.IN_PROGRESS, id=1)
    child = make(id=2, received=datetime(2025, 3, 10, 9))
    events = child.merge_into(parent, by="expert1", at=at(date(2025, 3, 10)), regime=REGIME, new_facts=False)
    assert child.status == S.MERGED and child.merged_into_id == 1
    assert [e.kind for e in events] == ["merge.child", "merge.parent"]
    assert parent.clock_started == date(2025, 3, 3) and parent.due_date == DUE0


def test_repeat_received_on_parents_last_day_still_merges():
    parent = reach(S.IN_PROGRESS, id=1)
    child = make(id=2, received=datetime(2025, 3, 18, 22))
    child.merge_into(parent, by="expert1", at=at(date(2025, 3, 18), 23), regime=REGIME, new_facts=False)
    assert child.status == S.MERGED


def test_merge_with_new_facts_restarts_parent_clock():
    parent = extended_once()
    child = make(id=2, received=datetime(2025, 3, 20, 9))
    events = child.merge_into(parent, by="expert1", at=at(date(2025, 3, 20)), regime=REGIME, new_facts=True,
                              note="补充了新的扣款记录")
    assert [e.kind for e in events] == ["merge.child", "merge.parent", "clock.restart"]
    assert parent.clock_started == date(2025, 3, 20)
    assert parent.clock_level == 0
    assert parent.due_date == date(2025, 4, 7)


def test_merge_into_closed_parent_is_refused():
    parent = reach(S.CLOSED, id=1)
    child = make(id=2, received=datetime(2025, 3, 10, 9))
    with pytest.raises(IllegalTransition):
        child.merge_into(parent, by="expert1", at=at(date(2025, 3, 10)), regime=REGIME, new_facts=False)
    assert child.status == S.RECEIVED and child.merged_into_id is None


def test_repeat_received_after_parents_due_date_is_refused():
    parent = reach(S.IN_PROGRESS, id=1)
    child = make(id=2, received=datetime(2025, 3, 19, 9))
    with pytest.raises(InvalidValue):
        child.merge_into(parent, by="expert1", at=at(date(2025, 3, 19)), regime=REGIME, new_facts=True)
    assert child.status == S.RECEIVED
    assert parent.clock_started == date(2025, 3, 3)


def test_complaint_cannot_merge_into_itself():
    c = make(id=5)
    with pytest.raises(InvalidValue):
        c.merge_into(c, by="expert1", at=at(date(2025, 3, 4)), regime=REGIME, new_facts=False)
    assert c.status == S.RECEIVED


# ---- assignment and recusal (Art.17) --------------------------------------------------------


def test_assign_refuses_respondent_staff_by_staff_id():
    c = reach(S.ACCEPTED, respondent={"institution": "某消金", "staff_ids": ["S001"]})
    with pytest.raises(RecusalRequired):
        c.assign("zhangsan", assignee_staff_id="S001", by="lead", at=at(date(2025, 3, 4)))
    assert c.assignee is None


def test_assign_refuses_respondent_staff_by_username():
    c = reach(S.ACCEPTED, respondent={"staff_ids": ["lisi"]})
    with pytest.raises(RecusalRequired):
        c.assign("lisi", assignee_staff_id=None, by="lead", at=at(date(2025, 3, 4)))


def test_assign_other_staff():
    c = reach(S.ACCEPTED, respondent={"staff_ids": ["S001"]})
    ev = c.assign("wangwu", assignee_staff_id="S777", by="lead", at=at(date(2025, 3, 4)))
    assert c.assignee == "wangwu" and ev.before == {"assignee": None}


def test_assign_terminal_complaint_is_refused():
    c = reach(S.WITHDRAWN)
    with pytest.raises(IllegalTransition):
        c.assign("wangwu", assignee_staff_id=None, by="lead", at=at(date(2025, 3, 4)))


def test_transfer_needs_reason_and_a_different_target():
    c = reach(S.ACCEPTED)
    with pytest.raises(InvalidValue):
        c.transfer("L2", "expert", by="lead", at=at(date(2025, 3, 4)), reason="")
    c.assign("wangwu", assignee_staff_id=None, by="lead", at=at(date(2025, 3, 4)))
    c.transfer("L2", "expert", by="lead", at=at(date(2025, 3, 4)), reason="需专家岗")
    assert (c.tier, c.team, c.assignee) == ("L2", "expert", None)
    with pytest.raises(InvalidValue):
        c.transfer("L2", "expert", by="lead", at=at(date(2025, 3, 4)), reason="再转")


# ---- decision (Art.19) ----------------------------------------------------------------------


DECISION = dict(result="upheld", reasons="扣款未获授权", basis="借款合同第5条", verification="调取录音",
                remedies=["核查", "调解", "仲裁", "诉讼"])


@pytest.mark.parametrize("missing", ["verification", "basis", "reasons", "remedies"])
def test_decision_must_state_verification_basis_reasons_and_remedies(missing):
    c = reach(S.IN_PROGRESS)
    kw = {**DECISION, missing: [] if missing == "remedies" else ""}
    with pytest.raises(InvalidValue) as e:
        c.decide(by="handler1", at=at(date(2025, 3, 10)), **kw)
    assert e.value.field == missing
    assert c.status == S.IN_PROGRESS and c.decision is None


def test_decision_result_must_be_known():
    c = reach(S.IN_PROGRESS)
    with pytest.raises(InvalidValue):
        c.decide(by="handler1", at=at(date(2025, 3, 10)), **{**DECISION, "result": "maybe"})


def test_decision_is_recorded_with_its_author():
    c = reach(S.IN_PROGRESS)
    c.decide(by="handler1", at=at(date(2025, 3, 10)), **DECISION)
    assert c.status == S.DECIDED
    assert c.decision["by"] == "handler1" and c.decision["remedies"] == DECISION["remedies"]
    assert c.decided_at == at(date(2025, 3, 10))


# ---- notice (Art.21) ------------------------------------------------------------------------


def test_notice_needs_a_known_channel():
    c = reach(S.DECIDED)
    with pytest.raises(InvalidValue) as e:
        c.notify(by="h", at=at(date(2025, 3, 10)), channel="carrier_pigeon", proof="X")
    assert e.value.field == "channel" and c.status == S.DECIDED


def test_notice_needs_proof():
    c = reach(S.DECIDED)
    with pytest.raises(InvalidValue) as e:
        c.notify(by="h", at=at(date(2025, 3, 10)), channel="sms", proof="")
    assert e.value.field == "proof" and c.status == S.DECIDED


def test_notice_on_the_last_day_is_on_time():
    c = reach(S.DECIDED)
    ev = c.notify(by="h", at=at(DUE0, 23), channel="letter", proof="EMS1234")
    assert c.notice["on_time"] is True and ev.after["on_time"] is True
    assert c.notice["due_date"] == DUE0


def test_notice_after_the_last_day_is_recorded_late():
    c = reach(S.DECIDED)
    ev = c.notify(by="h", at=at(DUE0 + timedelta(days=1), 8), channel="phone", proof="REC-88")
    assert c.status == S.NOTIFIED
    assert c.notice["on_time"] is False and ev.after["on_time"] is False


# ---- review (核查, Art.20) -------------------------------------------------------------------


def notified_on(d: date) -> Complaint:
    c = reach(S.DECIDED, received=datetime(2025, 3, 25, 9))  # due 2025-04-09
    notify(c, at(d))
    return c


def test_review_request_on_rolled_last_day_is_accepted():
    c = notified_on(date(2025, 4, 1))  # 30 days → 05-01, Labour Day; rolls to 05-06
    ev = c.request_review(by="agent1", at=at(date(2025, 5, 6), 17), regime=REGIME, written_ref="REV-9")
    assert c.status == S.IN_REVIEW
    assert c.review_due_date == date(2025, 6, 5)  # 30 days after the request
    assert ev.after["review_due_date"] == date(2025, 6, 5)
    assert c.review == {"written_ref": "REV-9"}


def test_review_request_after_window_is_refused():
    c = notified_on(date(2025, 4, 1))
    with pytest.raises(DeadlinePassed):
        c.request_review(by="agent1", at=at(date(2025, 5, 7)), regime=REGIME, written_ref="REV-9")
    assert c.status == S.NOTIFIED and c.review_due_date is None


def test_review_due_date_rolls_off_a_holiday():
    c = notified_on(date(2025, 9, 1))
    c.request_review(by="agent1", at=at(date(2025, 9, 3)), regime=REGIME, written_ref="REV-3")
    assert c.review_due_date == date(2025, 10, 9)  # nominal 10-03 inside National Day


def test_review_request_needs_a_written_reference():
    c = notified_on(date(2025, 4, 1))
    with pytest.raises(InvalidValue):
        c.request_review(by="agent1", at=at(date(2025, 4, 2)), regime=REGIME, written_ref="")


def test_review_request_before_notice_is_refused():
    c = reach(S.DECIDED)
    with pytest.raises(IllegalTransition):
        c.request_review(by="agent1", at=at(date(2025, 3, 10)), regime=REGIME, written_ref="REV-1")


def test_review_can_be_requested_after_closure_within_window():
    c = reach(S.CLOSED)
    c.request_review(by="agent1", at=at(date(2025, 3, 20)), regime=REGIME, written_ref="REV-1")
    assert c.status == S.IN_REVIEW


def test_review_decided_by_the_original_decider_is_refused():
    c = reach(S.IN_REVIEW)
    assert c.decision["by"] == "handler1"
    with pytest.raises(RecusalRequired):
        c.decide_review(by="handler1", at=at(date(2025, 3, 10)), outcome="upheld_original", reasons="无误")
    assert c.status == S.IN_REVIEW


def test_review_decision_by_another_person_closes_with_outcome():
    c = reach(S.IN_REVIEW)
    ev = c.decide_review(by="reviewer1", at=at(date(2025, 3, 10)), outcome="changed", reasons="退还违规费用")
    assert c.status == S.CLOSED
    assert c.review["outcome"] == "changed" and c.review["on_time"] is True and c.review["by"] == "reviewer1"
    assert c.review["written_ref"] == "REV-1"
    assert ev.after["on_time"] is True


def test_late_review_decision_is_recorded_late():
    c = reach(S.IN_REVIEW)
    c.decide_review(by="reviewer1", at=at(c.review_due_date + timedelta(days=1)), outcome="upheld_original",
                    reasons="维持")
    assert c.review["on_time"] is False


@pytest.mark.parametrize("outcome, reasons", [("overturned", "理由"), ("changed", "")])
def test_review_decision_needs_known_outcome_and_reasons(outcome, reasons):
    c = reach(S.IN_REVIEW)
    with pytest.raises(InvalidValue):
        c.decide_review(by="reviewer1", at=at(date(2025, 3, 10)), outcome=outcome, reasons=reasons)
    assert c.status == S.IN_REVIEW


def test_review_cannot_be_closed_without_a_review_decision():
    # Closing an open review through the generic path would skip the outcome and the recusal check.
    c = reach(S.IN_REVIEW)
    with pytest.raises(IllegalTransition):
        c.close(by="handler1", at=at(date(2025, 3, 10)))
    assert c.status == S.IN_REVIEW


# ---- not accepted (Art.18 ¶4), callback, withdrawal (Art.15) --------------------------------


def test_refuse_only_from_received():
    c = make()
    ev = c.refuse(by="agent1", at=at(date(2025, 3, 4)), reason="非本人且无授权委托书", notice_proof="SMS-3")
    assert c.status == S.NOT_ACCEPTED and ev.data == {"notice_proof": "SMS-3"}
    for s in (S.ACCEPTED, S.IN_PROGRESS, S.DECIDED):
        c = reach(s)
        with pytest.raises(IllegalTransition):
            c.refuse(by="agent1", at=at(date(2025, 3, 4)), reason="代投诉", notice_proof="SMS-3")
        assert c.status == s


@pytest.mark.parametrize("reason, proof, field", [("", "SMS-3", "reason"), ("代投诉", "", "notice_proof")])
def test_refuse_needs_reason_and_proof_of_notice(reason, proof, field):
    c = make()
    with pytest.raises(InvalidValue) as e:
        c.refuse(by="agent1", at=at(date(2025, 3, 4)), reason=reason, notice_proof=proof)
    assert e.value.field == field and c.status == S.RECEIVED


@pytest.mark.parametrize("status", [S.RECEIVED, S.IN_PROGRESS, S.DECIDED, S.WITHDRAWN])
def test_callback_only_after_notice(status):
    c = reach(status)
    with pytest.raises(IllegalTransition):
        c.record_callback(by="care1", at=at(date(2025, 3, 12)), satisfaction="satisfied")
    assert c.satisfaction is None


@pytest.mark.parametrize("status", [S.NOTIFIED, S.CLOSED, S.IN_REVIEW])
def test_callback_after_notice_is_recorded(status):
    c = reach(status)
    c.record_callback(by="care1", at=at(date(2025, 3, 12)), satisfaction="basically_satisfied")
    assert c.satisfaction == "basically_satisfied" and c.callback_at == at(date(2025, 3, 12))
    assert c.status == status


def test_callback_satisfaction_must_be_known():
    c = reach(S.NOTIFIED)
    with pytest.raises(InvalidValue):
        c.record_callback(by="care1", at=at(date(2025, 3, 12)), satisfaction="meh")


def test_withdrawal_needs_a_reason():
    c = reach(S.IN_PROGRESS)
    with pytest.raises(InvalidValue) as e:
        c.transition(S.WITHDRAWN, by="agent1", at=at(date(2025, 3, 5)))
    assert e.value.field == "reason" and c.status == S.IN_PROGRESS
    c.transition(S.WITHDRAWN, by="agent1", at=at(date(2025, 3, 5)), reason="投诉人书面撤回")
    assert c.status == S.WITHDRAWN and not c.is_open


@pytest.mark.parametrize("reason,basis", [("appraisal", "第十八条第二款"), ("mediation", "第二十三条")])
def test_pausing_the_clock_needs_proof_the_complainant_was_told_or_consented(reason, basis):
    c = make()
    with pytest.raises(InvalidValue) as e:
        c.pause(reason, by="handler1", at=at(date(2025, 3, 5)), regime=REGIME, notice_proof="")
    assert e.value.field == "notice_proof" and basis in e.value.reason
    assert c.status == Status.RECEIVED and c.pauses == ()
