"""Review workflows: a person's decision moves a reviewed item from one status to another.

Marketing materials (pre-review, 营销宣传事前审核), collection QA findings (申诉与裁定) and black/gray
leads and complaint flags (人工复核) are each decided by a person. Each area keeps its own statuses and
decisions — a `Workflow`, which is data — and this module is the one mechanism over them: which decision
may be taken from which status and where it leads. As with the complaint's `transition`, a refused move
raises an error naming both states; nothing here reads or writes storage, checks roles or audits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from xiaobao.domain.errors import DomainError, InvalidValue


@dataclass(frozen=True)
class Decision:
    name: str
    to: str
    from_: frozenset[str]  # the statuses it may be taken from
    name_zh: str


class IllegalReview(DomainError):
    code = "illegal_transition"

    def __init__(self, workflow: "Workflow", current: str, decision: Decision):
        allowed = "、".join(f"「{name}」" for s, name in workflow.statuses.items() if s in decision.from_)
        super().__init__(
            f"{workflow.item_zh}状态不允许从「{workflow.status_zh(current)}」({current}) "
            f"变更为「{workflow.status_zh(decision.to)}」({decision.to})：{decision.name_zh}只适用于{allowed}状态",
            current=current, target=decision.to, decision=decision.name)
        self.current = current
        self.target = decision.to
        self.decision = decision.name


class Workflow:
    """An area's review vocabulary: statuses (code → Chinese name), the one a new item starts in
    (`initial`), decisions, and spellings accepted for them (`aliases`). `unknown_zh` is the reason given
    for a decision that is none of them."""

    def __init__(self, item_zh: str, statuses: Mapping[str, str], decisions: Iterable[Decision], *, initial: str,
                 aliases: Mapping[str, str] | None = None, unknown_zh: str | None = None):
        self.item_zh = item_zh
        self.statuses = dict(statuses)
        self.initial = initial
        self.decisions = {d.name: d for d in decisions}
        self.aliases = dict(aliases or {})
        self.unknown_zh = unknown_zh or f"应为 {' / '.join(self.decisions)}"
        # A typo in an area's table should stop the import, not surface as a refusal on some later review.
        if initial not in self.statuses:
            raise ValueError(f"{item_zh}: initial status {initial!r} is not one of its statuses")
        for d in self.decisions.values():
            unknown = ({d.to} | d.from_) - set(self.statuses)
            if unknown:
                raise ValueError(f"{item_zh}: decision {d.name!r} names unknown statuses {sorted(unknown)}")
        for alias, name in self.aliases.items():
            if name not in self.decisions:
                raise ValueError(f"{item_zh}: alias {alias!r} names unknown decision {name!r}")

    def status_zh(self, status: str) -> str:
        return self.statuses.get(status, status)

    def decision(self, name: str) -> Decision:
        """The decision this name (or an accepted spelling of it) stands for."""
        d = self.decisions.get(self.aliases.get(name, name))
        if d is None:
            raise InvalidValue("decision", self.unknown_zh)
        return d

    def can(self, current: str, decision: str) -> bool:
        return current in self.decision(decision).from_

    def move(self, current: str, decision: str) -> str:
        """The status `decision` leads to from `current`; IllegalReview if it may not be taken there."""
        d = self.decision(decision)
        if current not in d.from_:
            raise IllegalReview(self, current, d)
        return d.to


# ---- the areas ---------------------------------------------------------------------------------------
# Marketing pre-review: a submitted version is decided once; an approval can later be revoked. Any other
# change is a new version, reviewed afresh.
MATERIAL_STATUSES = {"pending": "待审核", "approved": "已通过", "rejected": "已驳回", "changes_requested": "退回修改",
                     "revoked": "已撤销"}
MATERIAL_REVIEW = Workflow("营销物料", MATERIAL_STATUSES, (
    Decision("approve", "approved", frozenset({"pending"}), "通过"),
    Decision("reject", "rejected", frozenset({"pending"}), "驳回"),
    Decision("request_changes", "changes_requested", frozenset({"pending"}), "退回修改"),
    Decision("revoke", "revoked", frozenset({"approved"}), "撤销通过"),
), initial="pending", aliases={"approved": "approve", "rejected": "reject", "changes": "request_changes",
            "request-changes": "request_changes", "revoked": "revoke"})

# Collection QA: a collector disputes a standing finding once; a QA lead upholds or overturns the dispute.
# The rulings are also accepted by the status they lead to (the API's and the CLI's spelling).
FINDING_STATUSES = {"open": "待确认", "disputed": "申诉中", "upheld": "维持原判", "overturned": "已撤销"}
FINDING_REVIEW = Workflow("质检结果", FINDING_STATUSES, (
    Decision("dispute", "disputed", frozenset({"open"}), "申诉"),
    Decision("uphold", "upheld", frozenset({"disputed"}), "维持原判"),
    Decision("overturn", "overturned", frozenset({"disputed"}), "撤销"),
), initial="open", aliases={"upheld": "uphold", "overturned": "overturn"}, unknown_zh="裁定须为 upheld 或 overturned")

# Black/gray review: an analyst confirms or rejects a lead or a complaint's flag, and may change their
# mind later (a decision is kept with who and when, and the latest one counts).
_BLACKGRAY_UNKNOWN = "须为 confirm（确认）或 reject（排除）"
LEAD_STATUSES = {"open": "待审核", "confirmed": "已确认", "rejected": "已排除", "merged": "已合并"}
LEAD_REVIEW = Workflow("线索", LEAD_STATUSES, (
    Decision("confirm", "confirmed", frozenset(LEAD_STATUSES), "确认"),
    Decision("reject", "rejected", frozenset(LEAD_STATUSES), "排除"),
), initial="open", unknown_zh=_BLACKGRAY_UNKNOWN)
FLAG_STATUSES = {"pending": "待审核", "confirmed": "已确认", "rejected": "已排除"}
FLAG_REVIEW = Workflow("黑灰产识别结果", FLAG_STATUSES, (
    Decision("confirm", "confirmed", frozenset(FLAG_STATUSES), "确认"),
    Decision("reject", "rejected", frozenset(FLAG_STATUSES), "排除"),
), initial="pending", unknown_zh=_BLACKGRAY_UNKNOWN)
