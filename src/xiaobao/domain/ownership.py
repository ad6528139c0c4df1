"""Who may act on a complaint: its handler, or — while nobody holds it — the team whose queue it is in; a role
allowed to override (a supervisor) may act on any complaint, and that is recorded as an override. Reviewers
deciding a 核查 or a 不予受理 act in their own right and are not handlers (they are checked by permission)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Handling:
    allowed: bool
    override: bool = False
    reason_zh: str = ""
    reason_en: str = ""


def may_act(*, assignee: str | None, team: str | None, tier: str, username: str, actor_team: str | None,
            may_override: bool) -> Handling:
    if assignee is not None and assignee == username:
        return Handling(True)
    if assignee is None and team is not None and actor_team == team:
        return Handling(True)
    if may_override:
        return Handling(True, override=True)
    if assignee is not None:
        return Handling(False, reason_zh=f"该投诉（{tier}）由 {assignee} 经办，只有经办人或主管可以处理",
                        reason_en=f"This {tier} complaint is handled by {assignee}; only they or a supervisor may act")
    return Handling(False, reason_zh=f"该投诉（{tier}）在 {team or '未分配'} 团队的队列中，你不在该团队",
                    reason_en=f"This {tier} complaint is in the {team or 'unassigned'} team's queue, not yours")
