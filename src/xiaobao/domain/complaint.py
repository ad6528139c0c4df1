"""The Complaint aggregate: an explicit state machine on a regulatory clock.

Every mutating method either returns the `Event` it caused (the service appends it to the audit
chain) or raises a `DomainError` that names what was refused and why. Time is always passed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from xiaobao.domain.calendar import WorkCalendar
from xiaobao.domain.clocks import ClockPolicy, ClockState, Pause, deadline
from xiaobao.domain.errors import ApprovalRequired, DeadlinePassed, IllegalTransition, InvalidValue, RecusalRequired
from xiaobao.domain.tiers import Tier


class Status(StrEnum):
    RECEIVED = "received"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    PAUSED = "paused"
    DECIDED = "decided"
    NOTIFIED = "notified"
    CLOSED = "closed"
    IN_REVIEW = "in_review"
    WITHDRAWN = "withdrawn"
    MERGED = "merged"
    NOT_ACCEPTED = "not_accepted"


STATUS_NAMES_ZH = {
    "received": "待受理", "accepted": "已受理", "in_progress": "处理中", "paused": "暂停计时",
    "decided": "已出具处理意见", "notified": "已告知", "closed": "已办结", "in_review": "核查中",
    "withdrawn": "已撤回", "merged": "已合并", "not_accepted": "不予受理",
}
STATUS_NAMES_EN = {
    "received": "Received", "accepted": "Accepted", "in_progress": "In progress", "paused": "Clock paused",
    "decided": "Decided", "notified": "Decision notified", "closed": "Closed", "in_review": "Under review",
    "withdrawn": "Withdrawn", "merged": "Merged", "not_accepted": "Not accepted",
}

S = Status
TRANSITIONS: dict[Status, frozenset[Status]] = {
    S.RECEIVED: frozenset({S.ACCEPTED, S.IN_PROGRESS, S.WITHDRAWN, S.MERGED, S.NOT_ACCEPTED}),
    S.ACCEPTED: frozenset({S.IN_PROGRESS, S.PAUSED, S.DECIDED, S.WITHDRAWN, S.MERGED}),
    S.IN_PROGRESS: frozenset({S.PAUSED, S.DECIDED, S.WITHDRAWN, S.MERGED}),
    S.PAUSED: frozenset({S.IN_PROGRESS, S.WITHDRAWN}),
    # A decision not yet delivered can be reopened, e.g. when new facts arrive (Art.18 ¶3).
    S.DECIDED: frozenset({S.NOTIFIED, S.IN_PROGRESS, S.WITHDRAWN}),
    S.NOTIFIED: frozenset({S.CLOSED, S.IN_REVIEW}),
    S.CLOSED: frozenset({S.IN_REVIEW}),
    S.IN_REVIEW: frozenset({S.CLOSED}),
    S.WITHDRAWN: frozenset(),
    S.MERGED: frozenset(),
    S.NOT_ACCEPTED: frozenset(),
}
# Statuses in which the handling clock runs (or is paused) — the complaint is still owed a decision.
OPEN = frozenset({S.RECEIVED, S.ACCEPTED, S.IN_PROGRESS, S.PAUSED, S.DECIDED})
TERMINAL = frozenset(s for s, nxt in TRANSITIONS.items() if not nxt)

NOTICE_CHANNELS = frozenset({"sms", "email", "phone", "letter", "in_person", "app", "wechat"})
DECISION_RESULTS = frozenset({"upheld", "partially_upheld", "not_upheld", "settled"})
SATISFACTION = frozenset({"satisfied", "basically_satisfied", "dissatisfied", "unreachable"})


@dataclass(frozen=True)
class Event:
    kind: str
    at: datetime
    actor: str
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)
    reason: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Regime:
    """The clock policies and calendar a complaint is judged by (loaded from rules/ data)."""

    policies: dict[str, ClockPolicy]
    calendar: WorkCalendar

    def policy(self, code: str) -> ClockPolicy:
        try:
            return self.policies[code]
        except KeyError:
            raise InvalidValue("clock_policy", f"未知的时限规则 {code!r}") from None


def _required(value: Any, field_name: str, why: str) -> None:
    if value is None or (isinstance(value, (str, list, tuple, dict)) and not value):
        raise InvalidValue(field_name, why)


@dataclass(eq=False)
class Complaint:
    channel: str
    external_id: str
    received_at: datetime  # Beijing time (UTC+8, no DST), naive
    text: str  # the facts as the complainant told them
    clock_policy: str
    clock_started: date
    id: int | None = None
    request: str = ""  # 诉求
    complainant_type: str = "person"  # person | organisation
    customer_no: str | None = None
    customer_key: str | None = None  # keyed blind index of the identity, for repeat detection
    pii: dict[str, str] = field(default_factory=dict)  # encrypted personal data, by field
    masked: dict[str, str] = field(default_factory=dict)  # display masks, by field
    # `text` and `request` hold the display-masked words; the originals, where masking changed them,
    # are here encrypted by field. None: stored before free text was protected (text in clear).
    sealed_text: dict[str, str] | None = None
    org_name: str | None = None
    uscc: str | None = None
    respondent: dict[str, Any] = field(default_factory=dict)  # institution, branch, staff_ids
    product: str | None = None
    category: str | None = None
    flags: list[str] = field(default_factory=list)
    agent: dict[str, Any] | None = None  # relation, power_of_attorney, scope, valid_until
    regulator: str | None = None  # nfra | pboc when forwarded by a regulator
    regulator_ref: str | None = None
    status: str = Status.RECEIVED
    tier: str = Tier.L1
    team: str | None = None
    assignee: str | None = None
    clock_level: int = 0
    pauses: tuple[Pause, ...] = ()
    due_date: date | None = None
    due_estimated: bool = False
    decided_at: datetime | None = None
    decision: dict[str, Any] | None = None
    notified_at: datetime | None = None
    notice: dict[str, Any] | None = None
    review_requested_at: datetime | None = None
    review_due_date: date | None = None
    review: dict[str, Any] | None = None
    satisfaction: str | None = None
    callback_at: datetime | None = None
    merged_into_id: int | None = None
    repeat_of_id: int | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None

    # ---- clock -------------------------------------------------------------------------------
    def clock(self, regime: Regime) -> ClockState:
        return ClockState(regime.policy(self.clock_policy), self.clock_started, self.clock_level, tuple(self.pauses))

    def refresh_due(self, regime: Regime) -> None:
        d = self.clock(regime).deadline(regime.calendar)
        self.due_date = None if d is None else d.due
        self.due_estimated = bool(d and d.estimated)

    @property
    def is_open(self) -> bool:
        return Status(self.status) in OPEN

    def days_left(self, today: date) -> int | None:
        return None if self.due_date is None else (self.due_date - today).days

    # ---- generic transition ------------------------------------------------------------------
    def can_move(self, to: Status | str) -> bool:
        return Status(to) in TRANSITIONS[Status(self.status)]

    def _move(self, to: Status, why: str = "") -> dict[str, str]:
        if not self.can_move(to):
            raise IllegalTransition(str(self.status), str(to), why)
        before = {"status": str(self.status)}
        self.status = to
        return before

    def transition(self, to: Status | str, *, by: str, at: datetime, reason: str = "") -> Event:
        """Moves that need nothing but a reason: accept, start, close, withdraw."""
        to = Status(to)
        if to in (S.PAUSED, S.DECIDED, S.NOTIFIED, S.IN_REVIEW, S.MERGED, S.NOT_ACCEPTED):
            raise IllegalTransition(str(self.status), str(to), "该操作需要专门的办理动作及其材料")
        if to == S.IN_PROGRESS and Status(self.status) == S.PAUSED:
            raise IllegalTransition(str(self.status), str(to), "恢复计时请使用 resume")
        if to == S.CLOSED and Status(self.status) == S.IN_REVIEW:
            raise IllegalTransition(str(self.status), str(to), "核查须作出核查意见后办结（decide_review，投诉办法第二十条）")
        if to == S.WITHDRAWN:
            _required(reason, "reason", "撤诉须记录撤回方式/理由（投诉办法第十五条）")
        before = self._move(to)
        self.updated_at = at
        return Event(f"status.{to}", at, by, before, {"status": str(to)}, reason)

    # ---- handling actions --------------------------------------------------------------------
    def pause(self, reason: str, *, by: str, at: datetime, regime: Regime, notice_proof: str, note: str = "") -> Event:
        """Appraisal time is excluded only if the complainant is told (Art.18 ¶2); mediation needs
        their consent (Art.23). Either way a proof is recorded."""
        policy = regime.policy(self.clock_policy)
        if reason not in policy.pause_reasons:
            raise InvalidValue("reason", f"仅以下情形可暂停计时：{', '.join(policy.pause_reasons)}（投诉办法第十八条第二款、第二十三条）")
        _required(notice_proof, "notice_proof", "调解须留存投诉人同意的凭证（投诉办法第二十三条）" if reason == "mediation"
                  else "鉴定、检测、评估期间不计入处理期限须告知投诉人，请登记告知凭证（投诉办法第十八条第二款）")
        if self.due_date is not None and at.date() > self.due_date:
            raise DeadlinePassed("处理期限已过，不能再暂停计时")
        before = self._move(S.PAUSED)
        self.pauses = (*self.pauses, Pause(at.date(), None, reason))
        self.refresh_due(regime)
        self.updated_at = at
        return Event("clock.pause", at, by, before, {"status": "paused", "pause_reason": reason}, note,
                     {"notice_proof": notice_proof})

    def resume(self, *, by: str, at: datetime, regime: Regime, note: str = "") -> Event:
        if Status(self.status) != S.PAUSED:
            raise IllegalTransition(str(self.status), "in_progress", "只有暂停计时的投诉可以恢复")
        open_pause = self.pauses[-1]
        if at.date() < open_pause.start:
            raise InvalidValue("at", "恢复时间早于暂停时间")
        before = self._move(S.IN_PROGRESS)
        before["due_date"] = None
        self.pauses = (*self.pauses[:-1], Pause(open_pause.start, at.date(), open_pause.reason))
        self.refresh_due(regime)
        self.updated_at = at
        return Event("clock.resume", at, by, before, {"status": "in_progress", "due_date": self.due_date,
                                                      "paused_days": self.pauses[-1].days}, note)

    def extend(self, *, by: str, at: datetime, regime: Regime, reason: str,
               approver: str | None = None, notice_proof: str | None = None) -> Event:
        if Status(self.status) not in OPEN or Status(self.status) == S.PAUSED:
            raise IllegalTransition(str(self.status), "extended", "只有计时中的投诉可以延期")
        policy = regime.policy(self.clock_policy)
        level = self.clock_level + 1
        if level >= len(policy.stages):
            raise ApprovalRequired(f"{policy.name_zh}已达到最长处理期限，不能再延期")
        stage = policy.stage(level)
        _required(reason, "reason", "延期须说明理由（复杂或特殊情形）")
        if stage.requires_approver:
            _required(approver, "approver", f"延长至{stage.days}日须记录审批人（上级机构或总公司高管）")
            if approver == by:
                raise ApprovalRequired("延期审批人不能是申请人本人")
        if stage.requires_notice:
            _required(notice_proof, "notice_proof", f"延长至{stage.days}日须留存已告知投诉人的凭证")
        if self.due_date is not None and at.date() > self.due_date:
            raise DeadlinePassed(f"原处理期限 {self.due_date} 已过，不能事后延期")
        before = {"clock_level": self.clock_level, "due_date": self.due_date}
        self.clock_level = level
        self.refresh_due(regime)
        self.updated_at = at
        return Event("clock.extend", at, by, before, {"clock_level": level, "due_date": self.due_date, "days": stage.days},
                     reason, {"approver": approver, "notice_proof": notice_proof,
                              "citation": str(stage.citation) if stage.citation else ""})

    def restart_for_new_facts(self, *, by: str, at: datetime, regime: Regime, received: date, note: str) -> Event:
        """New facts or reasons: the period runs again from their receipt (投诉办法 Art.18 ¶3)."""
        if Status(self.status) not in OPEN:
            raise IllegalTransition(str(self.status), "in_progress", "已办结的投诉收到新事实应作为新投诉登记")
        _required(note, "note", "须说明新的事实或理由")
        before = {"status": str(self.status), "clock_started": self.clock_started, "clock_level": self.clock_level,
                  "due_date": self.due_date}
        if Status(self.status) == S.DECIDED:  # the undelivered decision no longer stands
            self.decision, self.decided_at = None, None
        if Status(self.status) in (S.PAUSED, S.DECIDED):
            self.status = S.IN_PROGRESS
        self.clock_started = received
        self.clock_level = 0
        self.pauses = ()
        self.refresh_due(regime)
        self.updated_at = at
        return Event("clock.restart", at, by, before, {"status": str(self.status), "clock_started": received,
                                                       "clock_level": 0, "due_date": self.due_date}, note)

    def merge_into(self, parent: "Complaint", *, by: str, at: datetime, regime: Regime,
                   new_facts: bool, note: str = "") -> list[Event]:
        """A repeat inside the parent's period merges; with new facts the parent's clock restarts."""
        if parent is self or parent.id == self.id:
            raise InvalidValue("parent_id", "不能与自身合并")
        if not parent.is_open:
            raise IllegalTransition(str(parent.status), "merged", "目标投诉已办结，不在处理期限内，应作为新投诉处理")
        if parent.due_date is not None and self.received_at.date() > parent.due_date:
            raise InvalidValue("parent_id", "重复投诉不在原投诉处理期限内，不能合并")
        before = self._move(S.MERGED)
        self.merged_into_id = parent.id
        self.updated_at = at
        events = [Event("merge.child", at, by, before, {"status": "merged", "merged_into_id": parent.id}, note)]
        events.append(Event("merge.parent", at, by, {}, {"merged_child_id": self.id, "new_facts": new_facts}, note))
        if new_facts:
            events.append(parent.restart_for_new_facts(by=by, at=at, regime=regime,
                                                       received=self.received_at.date(),
                                                       note=note or f"合并投诉 #{self.id} 含新事实"))
        return events

    def assign(self, assignee: str, *, assignee_staff_id: str | None, by: str, at: datetime, reason: str = "") -> Event:
        if Status(self.status) in TERMINAL:
            raise IllegalTransition(str(self.status), str(self.status), "已终结的投诉不能分派")
        staff = set(self.respondent.get("staff_ids") or [])
        if assignee in staff or (assignee_staff_id and assignee_staff_id in staff):
            raise RecusalRequired(f"{assignee} 是被投诉人，须回避（投诉办法第十七条）", assignee=assignee)
        before = {"assignee": self.assignee}
        self.assignee = assignee
        self.updated_at = at
        return Event("assign", at, by, before, {"assignee": assignee}, reason)

    def transfer(self, tier: Tier | str, team: str, *, by: str, at: datetime, reason: str) -> Event:
        if str(tier) not in {t.value for t in Tier}:
            raise InvalidValue("tier", f"处理层级须为 {'/'.join(t.value for t in Tier)} 之一")
        tier = Tier(tier)
        if Status(self.status) in TERMINAL:
            raise IllegalTransition(str(self.status), str(self.status), "已终结的投诉不能转派")
        _required(reason, "reason", "转派须说明理由")
        if tier == self.tier and team == self.team:
            raise InvalidValue("tier", "转派目标与当前层级和团队相同")
        before = {"tier": str(self.tier), "team": self.team, "assignee": self.assignee}
        self.tier, self.team, self.assignee = tier, team, None
        self.updated_at = at
        return Event("transfer", at, by, before, {"tier": str(tier), "team": team, "assignee": None}, reason)

    def decide(self, *, by: str, at: datetime, result: str, reasons: str, basis: str,
               verification: str, remedies: list[str]) -> Event:
        """投诉办法 Art.19: the decision states what was verified, its basis and reasons, and remedies."""
        if result not in DECISION_RESULTS:
            raise InvalidValue("result", f"处理结果须为 {', '.join(sorted(DECISION_RESULTS))} 之一")
        _required(verification, "verification", "处理意见须说明核实情况（投诉办法第十九条）")
        _required(basis, "basis", "处理意见须说明依据（投诉办法第十九条）")
        _required(reasons, "reasons", "处理意见须说明理由（投诉办法第十九条）")
        _required(remedies, "remedies", "处理意见须告知救济途径：核查、调解、仲裁、诉讼（投诉办法第十九条）")
        before = self._move(S.DECIDED)
        self.decided_at = at
        self.decision = {"result": result, "reasons": reasons, "basis": basis, "verification": verification,
                         "remedies": list(remedies), "by": by}
        self.updated_at = at
        return Event("decide", at, by, before, {"status": "decided", "result": result})

    def notify(self, *, by: str, at: datetime, channel: str, proof: str) -> Event:
        """Proof of notice by channel (Art.21); the clock is met when notice is given in time."""
        if channel not in NOTICE_CHANNELS:
            raise InvalidValue("channel", f"告知方式须为 {', '.join(sorted(NOTICE_CHANNELS))} 之一")
        _required(proof, "proof", "须留存告知凭证（短信/邮件发送记录、通话录音编号、邮寄单号等，投诉办法第二十一条）")
        before = self._move(S.NOTIFIED)
        on_time = self.due_date is None or at.date() <= self.due_date
        self.notified_at = at
        self.notice = {"channel": channel, "proof": proof, "on_time": on_time, "due_date": self.due_date}
        self.updated_at = at
        return Event("notify", at, by, before, {"status": "notified", "on_time": on_time}, "", {"channel": channel})

    def close(self, *, by: str, at: datetime, reason: str = "") -> Event:
        return self.transition(S.CLOSED, by=by, at=at, reason=reason)

    def record_callback(self, *, by: str, at: datetime, satisfaction: str, note: str = "") -> Event:
        if Status(self.status) not in (S.NOTIFIED, S.CLOSED, S.IN_REVIEW):
            raise IllegalTransition(str(self.status), str(self.status), "回访须在告知处理意见之后进行")
        if satisfaction not in SATISFACTION:
            raise InvalidValue("satisfaction", f"满意度须为 {', '.join(sorted(SATISFACTION))} 之一")
        before = {"satisfaction": self.satisfaction}
        self.satisfaction, self.callback_at = satisfaction, at
        self.updated_at = at
        return Event("callback", at, by, before, {"satisfaction": satisfaction}, note)

    def request_review(self, *, by: str, at: datetime, regime: Regime, written_ref: str) -> Event:
        """核查: asked in writing within the window after the decision was received (Art.20)."""
        policy = regime.policy(self.clock_policy)
        if policy.review is None:
            raise IllegalTransition(str(self.status), "in_review", f"{policy.name_zh}不适用核查程序")
        if self.notified_at is None:
            raise IllegalTransition(str(self.status), "in_review", "尚未告知处理意见，不能申请核查")
        _required(written_ref, "written_ref", "核查申请须为书面形式，请登记书面申请编号")
        window = deadline(self.notified_at.date(), policy.review.request_within_days, regime.calendar)
        if at.date() > window.due:
            raise DeadlinePassed(f"核查申请期限已于 {window.due} 届满（收到处理意见之日起{policy.review.request_within_days}日内）")
        before = self._move(S.IN_REVIEW)
        self.review_requested_at = at
        self.review_due_date = deadline(at.date(), policy.review.decide_within_days, regime.calendar).due
        self.review = {"written_ref": written_ref}
        self.updated_at = at
        return Event("review.request", at, by, before, {"status": "in_review", "review_due_date": self.review_due_date})

    def decide_review(self, *, by: str, at: datetime, outcome: str, reasons: str) -> Event:
        if outcome not in ("upheld_original", "changed"):
            raise InvalidValue("outcome", "核查结论须为 upheld_original（维持）或 changed（变更）")
        _required(reasons, "reasons", "核查意见须说明理由")
        if self.decision and self.decision.get("by") == by:
            raise RecusalRequired("核查人不能是原处理意见的作出人（投诉办法第十七条、第二十条）")
        before = self._move(S.CLOSED)
        on_time = self.review_due_date is None or at.date() <= self.review_due_date
        self.review = {**(self.review or {}), "outcome": outcome, "reasons": reasons, "decided_at": at,
                       "by": by, "on_time": on_time}
        self.updated_at = at
        return Event("review.decide", at, by, before, {"status": "closed", "outcome": outcome, "on_time": on_time})

    def refuse(self, *, by: str, at: datetime, reason: str, notice_proof: str) -> Event:
        """不予受理 only when not filed by the consumer or an authorised agent (Art.18 ¶4)."""
        _required(reason, "reason", "不予受理须说明理由（投诉办法第十八条第四款）")
        _required(notice_proof, "notice_proof", "不予受理须告知提起人并留存凭证")
        before = self._move(S.NOT_ACCEPTED)
        self.updated_at = at
        return Event("status.not_accepted", at, by, before, {"status": "not_accepted"}, reason,
                     {"notice_proof": notice_proof})
