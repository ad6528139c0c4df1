"""Cross-call rules over a batch, in time order: connected calls per debtor per local day,
dial attempts per number per local day, and calling a third party again after they refused.

Calls from earlier batches (`prior`) count toward the limits but get no new findings, so the
platform can feed a day's calls in several imports and still count the day as one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta

from xiaobao.engines.collection.calls import finding
from xiaobao.engines.collection.model import Inspection
from xiaobao.engines.collection.policy import Policy


def apply(policy: Policy, inspections: list[Inspection], prior: Iterable[Inspection] = ()) -> None:
    new_ids = {id(i) for i in inspections}
    ordered = sorted([*prior, *inspections], key=lambda i: (i.call.started_at, i.call.call_id))
    connected: dict[tuple[str, object], int] = defaultdict(int)
    attempts: dict[tuple[str, object], int] = defaultdict(int)
    refused_at: dict[str, object] = {}
    memory = timedelta(days=policy.refusal_memory_days)
    for insp in ordered:
        call, day, is_new = insp.call, insp.local_date, id(insp) in new_ids
        if call.connected and call.callee_relation in policy.debtor_relations and not insp.callee_not_debtor:
            connected[(call.debtor_id, day)] += 1
            n = connected[(call.debtor_id, day)]
            if n > policy.max_connected_per_debtor and is_new:
                insp.findings.append(finding(
                    policy, "excessive_frequency", "connected_per_debtor",
                    f"同一债务人当地日期 {day} 第{n}次有效接通，超过每日{policy.max_connected_per_debtor}次上限",
                    count=n, limit=policy.max_connected_per_debtor, local_date=day.isoformat(), turn=None))
        key = call.third_party_key
        attempts[(key, day)] += 1
        n = attempts[(key, day)]
        if n > policy.max_attempts_per_number and is_new:
            insp.findings.append(finding(
                policy, "excessive_frequency", "attempts_per_number",
                f"同一号码当地日期 {day} 第{n}次拨打，超过每日{policy.max_attempts_per_number}次上限",
                count=n, limit=policy.max_attempts_per_number, local_date=day.isoformat(), turn=None))
        third_party = insp.callee_not_debtor or call.callee_relation not in policy.debt_related
        if third_party and key in refused_at and call.started_at - refused_at[key] <= memory and is_new:
            insp.findings.append(finding(
                policy, "harass_third_party", "recontact_after_refusal",
                f"第三人已于 {refused_at[key].astimezone(insp.local_start.tzinfo):%Y-%m-%d %H:%M} 明确拒绝，仍再次联系",
                refused_at=refused_at[key].isoformat(), turn=None))
        if third_party and insp.callee_refused:
            refused_at.setdefault(key, call.started_at)
