"""The inspector: every rule over every call, one `Inspection` per call.

    inspector = Inspector.load()        # or default_inspector(): built once per rules directory
    for insp in inspector.inspect_batch(calls):
        insp.to_contract()   # {"call_id", "compliant", "violations": [...]}
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from xiaobao.domain.finding import Finding, Span
from xiaobao.engines.collection import calls as call_rules
from xiaobao.engines.collection import series
from xiaobao.engines.collection.model import CALLEE, Call, Inspection
from xiaobao.engines.collection.policy import Policy, load_policy
from xiaobao.engines.collection.text import normalize, to_original
from xiaobao.engines.collection.utterances import UtteranceMatcher
from xiaobao.rules import rules_dir

UTTERANCE_SCORE = 0.9


class Inspector:
    def __init__(self, policy: Policy, matcher: UtteranceMatcher):
        self.policy = policy
        self.matcher = matcher

    @classmethod
    def load(cls, directory: str | Path | None = None) -> Inspector:
        """From the rules in force: `directory`, else XIAOBAO_RULES_DIR, else the bundled rules."""
        directory = rules_dir(directory)
        policy = load_policy(directory)
        return cls(policy, UtteranceMatcher.load(directory, policy.callee_cues))

    def inspect_batch(self, calls: Iterable[Call], prior: Iterable[Call] = ()) -> list[Inspection]:
        """Per-call rules on each call, then the cross-call rules over `prior` + these calls."""
        out = [self.inspect(c) for c in calls]
        series.apply(self.policy, out, [self.inspect(c, utterances=False) for c in prior] if prior else ())
        return out

    def inspect(self, call: Call, *, utterances: bool = True) -> Inspection:
        """Call-level and utterance rules for one call (no cross-call rules)."""
        policy = self.policy
        local_start = call.started_at.astimezone(policy.zone_for(call.debtor_tz, call.debtor_region))
        insp = Inspection(call, [], local_start)
        for f in (call_rules.outside_hours(policy, call, local_start), call_rules.third_party_without_cause(policy, call)):
            if f is not None:
                insp.findings.append(f)
        self._transcript(insp, utterances)
        return insp

    def _transcript(self, insp: Inspection, utterances: bool) -> None:
        """Walks the turns once. Callee turns change the state (not the debtor after all, refused,
        stated a hardship); collector turns are judged against that state."""
        policy, matcher, call = self.policy, self.matcher, insp.call
        third_party = call.callee_relation not in policy.debt_related and call.callee_relation != "unknown"
        heard: set[str] = set()
        collector_turns = 0
        first_collector: int | None = None
        identified_inst = identified_person = False
        seen: set[tuple[str, int]] = set()
        for i, turn in enumerate(call.transcript):
            norm, origin = normalize(turn.text)
            if turn.speaker == CALLEE:
                cues = matcher.callee_cues(norm)
                if cues:
                    heard |= cues
                    if "not_debtor" in cues:
                        third_party = insp.callee_not_debtor = True
                    if "refusal" in cues:
                        insp.callee_refused = True
                continue
            if first_collector is None:
                first_collector = i
            if collector_turns < policy.self_id_within:
                identified_inst = identified_inst or any(p.search(norm) for p in policy.institution_patterns)
                identified_person = identified_person or any(p.search(norm) for p in policy.person_patterns)
            collector_turns += 1
            if not utterances:
                continue
            for h in matcher.hits(norm):
                rule = h.rule
                if rule.audience == "third_party" and not third_party:
                    continue
                if rule.after_callee and rule.after_callee not in heard:
                    continue
                if (rule.code, i) in seen:
                    continue
                seen.add((rule.code, i))
                s, e = to_original(origin, h.start, h.end)
                insp.findings.append(self._utterance_finding(rule.code, rule.id, rule.message_zh, i, turn, s, e,
                                                             phrase=h.phrase))
            if call.amount_due is not None and ("元" in norm or "块" in norm) and ("mislead_amount", i) not in seen:
                for s_, e_, value in matcher.stated_totals(norm):
                    if matcher.misstated(value, call.amount_due):
                        s, e = to_original(origin, s_, e_)
                        seen.add(("mislead_amount", i))
                        insp.findings.append(self._utterance_finding(
                            "mislead_amount", "amount.misstated",
                            f"所述欠款 {value} 元与账户应还 {call.amount_due} 元不符", i, turn, s, e,
                            stated=str(value), amount_due=str(call.amount_due)))
                        break
        if (utterances and call.connected and first_collector is not None
                and not (identified_inst and identified_person)):
            missing = "、".join(w for w, ok in (("机构", identified_inst), ("本人身份", identified_person)) if not ok)
            insp.findings.append(self._utterance_finding(
                "no_self_identification", "self_identification.missing",
                f"开场 {policy.self_id_within} 句内未表明{missing}", first_collector, call.transcript[first_collector],
                None, None))

    def _utterance_finding(self, code: str, rule_id: str, message: str, i: int, turn, s: int | None, e: int | None,
                           **evidence) -> Finding:
        c = self.policy.codes[code]
        matched = turn.text[s:e] if s is not None else ""
        msg = f"{message}：「{matched}」" if matched and "：" not in message else message
        return Finding(rule_id=f"collection.{code}.{rule_id}", kind=f"collection.{code}", score=UTTERANCE_SCORE,
                       citation=c.citation, span=None if s is None else Span(s, e),
                       evidence={"turn": i, "speaker": turn.speaker, "utterance": turn.text, "matched": matched,
                                 "t_start": turn.start_s, "t_end": turn.end_s, **evidence},
                       message=msg)


def default_inspector(directory: str | Path | None = None) -> Inspector:
    """The inspector on the rules in force, built once per process and rules directory."""
    return _inspector(rules_dir(directory))


@lru_cache(maxsize=8)
def _inspector(directory: Path) -> Inspector:
    return Inspector.load(directory)
