"""Escalation risk: how likely a complaint goes to the regulator or the media (threats to
escalate, repeated contact, vulnerable or distressed customers), as a noisy-OR of weighted signals
from `rules/classify_escalation.yaml`, so routing can send it up a tier: intake classifies before it
routes and gives a flagged complaint the file's `routing_flag`, which a rule in `rules/routing.yaml`
matches (`flags_any`).

Noisy-OR because the signals are independent reasons: two moderate ones (a vulnerable customer who
also names 12378) should outrank either alone, and no pile of signals exceeds 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from xiaobao.domain.finding import Citation, Finding, Span
from xiaobao.rules import RulesError, citation, read_yaml
from xiaobao.engines.classify.text import PhraseMatcher, original_span

KIND = "classify.escalation"
_FLAG = re.compile(r"[a-z][a-z0-9_]{0,39}")  # the complaint-flag syntax intake accepts


@dataclass(frozen=True, slots=True)
class Signal:
    id: str
    name_zh: str
    weight: float
    citation: Citation | None


@dataclass(frozen=True)
class EscalationRisk:
    score: float
    flagged: bool
    signals: dict[str, list[str]]  # signal id → phrases that matched
    findings: tuple[Finding, ...]

    def to_dict(self) -> dict:
        return {"score": self.score, "flagged": self.flagged, "signals": self.signals}


class EscalationScorer:
    def __init__(self, signals: list[Signal], phrases: dict[str, list[str]], *, flag_at: float,
                 repeat_link_weight: float = 0.0, routing_flag: str | None = None):
        for s in signals:
            if not 0 < s.weight <= 1:
                raise RulesError(f"classify_escalation.yaml: 信号 {s.id} 的权重须在 (0, 1] 之间")
        if not 0 < flag_at <= 1:
            raise RulesError("classify_escalation.yaml: flag_at 须在 (0, 1] 之间")
        if routing_flag is not None and not _FLAG.fullmatch(routing_flag):
            raise RulesError(f"classify_escalation.yaml: routing_flag 须为小写英文标识，得到 {routing_flag!r}")
        # The complaint flag a flagged complaint carries at intake, so routing.yaml can route on it.
        self.routing_flag = routing_flag
        self.signals = {s.id: s for s in signals}
        self.flag_at = flag_at
        self.repeat_link_weight = repeat_link_weight
        self._matcher = PhraseMatcher((p, sid) for sid, ps in phrases.items() for p in ps)

    def score(self, normalized: str, where: list[int], *, repeat_of: bool = False) -> EscalationRisk:
        matched: dict[str, dict[str, tuple[int, int]]] = {}
        for s, e, phrase, ids in self._matcher.iter(normalized):
            for sid in ids:
                matched.setdefault(sid, {}).setdefault(phrase, (s, e))
        keep = 1.0
        findings = []
        for sid, phrases in matched.items():
            sig = self.signals[sid]
            keep *= 1.0 - sig.weight
            s, e = original_span(where, *min(phrases.values()))
            findings.append(Finding(f"{KIND}.{sid}", KIND, sig.weight, sig.citation, Span(s, e),
                                    {"signal": sid, "phrases": sorted(phrases)}, sig.name_zh))
        signals = {sid: sorted(p) for sid, p in matched.items()}
        if repeat_of and self.repeat_link_weight > 0:
            keep *= 1.0 - self.repeat_link_weight
            signals.setdefault("repeated_contact", []).append("repeat_of")
            sig = self.signals.get("repeated_contact")
            findings.append(Finding(f"{KIND}.repeat_link", KIND, self.repeat_link_weight,
                                    sig.citation if sig else None, None, {"signal": "repeated_contact",
                                                                           "repeat_of": True},
                                    "受理时已关联同一客户的在办投诉"))
        score = round(1.0 - keep, 4)
        return EscalationRisk(score, score >= self.flag_at, signals, tuple(findings))


def load_escalation(directory: str | Path | None = None) -> EscalationScorer:
    data = read_yaml("classify_escalation.yaml", directory)
    signals, phrases = [], {}
    for i, s in enumerate(data.get("signals") or ()):
        try:
            signals.append(Signal(str(s["id"]), s["name_zh"], float(s["weight"]), citation(s.get("citation"))))
            phrases[str(s["id"])] = [str(p) for p in s["phrases"]]
        except (KeyError, TypeError, ValueError) as e:
            raise RulesError(f"classify_escalation.yaml: 第{i + 1}个信号不完整：{e!r}") from e
    flag = data.get("routing_flag")
    return EscalationScorer(signals, phrases, flag_at=float(data.get("flag_at", 0.6)),
                            repeat_link_weight=float(data.get("repeat_link_weight", 0.0)),
                            routing_flag=None if flag is None else str(flag))
