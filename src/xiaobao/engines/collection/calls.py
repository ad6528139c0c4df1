"""Call-level rules: what a call's metadata alone shows (hours in the debtor's local time, who was
called and whether that was allowed)."""

from __future__ import annotations

from datetime import datetime, timedelta

from xiaobao.domain.finding import Finding
from xiaobao.engines.collection.model import Call
from xiaobao.engines.collection.policy import Policy


def finding(policy: Policy, code: str, sub: str, message: str, score: float = 1.0, **evidence) -> Finding:
    c = policy.codes[code]
    return Finding(rule_id=f"collection.{code}.{sub}", kind=f"collection.{code}", score=score,
                   citation=c.citation, evidence=evidence, message=message)


def outside_hours(policy: Policy, call: Call, local_start: datetime) -> Finding | None:
    if policy.off_hours_consent in call.consent:
        return None
    start_t = local_start.time()
    late = start_t < policy.allowed_start or start_t >= policy.allowed_end
    local_end = local_start + timedelta(seconds=call.duration_s)
    if not late and policy.include_duration and call.duration_s > 0:
        end_t = local_end.time()
        late = local_end.date() > local_start.date() or end_t > policy.allowed_end
    if not late:
        return None
    window = f"{policy.allowed_start:%H:%M}–{policy.allowed_end:%H:%M}"
    return finding(policy, "call_outside_hours", "quiet_hours",
                   f"通话发生在债务人当地时间 {local_start:%H:%M}–{local_end:%H:%M}（{local_start.tzinfo}），"
                   f"超出允许时段 {window}，且无债务人同意",
                   local_start=local_start.isoformat(), local_end=local_end.isoformat(),
                   timezone=str(local_start.tzinfo), allowed=window, turn=None)


def third_party_without_cause(policy: Policy, call: Call) -> Finding | None:
    """GB/T 45251: contacts only when the debtor is unreachable. Flagged when the record says the
    debtor was reachable; a record that does not say is not guessed at."""
    if call.callee_relation in policy.debt_related or call.callee_relation in ("unknown", "wrong_number"):
        return None
    if call.debtor_unreachable is not False:
        return None
    return finding(policy, "harass_third_party", "debtor_reachable",
                   f"债务人可联系（{policy.unreachable_flag}=false）时仍联系第三人（关系：{call.callee_relation}）",
                   relation=call.callee_relation, turn=None)
