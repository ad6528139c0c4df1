"""Call records as the engines see them: plain, immutable, already validated (see `records`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from xiaobao.domain.finding import Finding

COLLECTOR, CALLEE = "collector", "callee"


@dataclass(frozen=True, slots=True)
class Turn:
    speaker: str  # COLLECTOR or CALLEE
    text: str
    start_s: float | None = None  # offset into the recording, when the recogniser gives one
    end_s: float | None = None


@dataclass(frozen=True, slots=True)
class Call:
    call_id: str
    agency: str
    collector_id: str
    debtor_id: str
    started_at: datetime  # timezone-aware
    duration_s: float
    callee_relation: str  # canonical relation (rules: relations)
    transcript: tuple[Turn, ...] = ()
    connected: bool = True
    callee_number: str | None = None  # any stable key of the dialled number (a blind index will do)
    debtor_tz: str | None = None
    debtor_region: str | None = None
    consent: frozenset[str] = frozenset()
    debtor_unreachable: bool | None = None
    amount_due: Decimal | None = None
    extras: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def third_party_key(self) -> str:
        """Who was dialled, for per-number limits: the number when known, else debtor + relation."""
        return self.callee_number or f"{self.debtor_id}|{self.callee_relation}"


@dataclass(slots=True)
class Inspection:
    """One call's result. `local_start`/`local_date` are in the debtor's time zone."""

    call: Call
    findings: list[Finding]
    local_start: datetime
    callee_refused: bool = False
    callee_not_debtor: bool = False

    @property
    def local_date(self) -> date:
        return self.local_start.date()

    @property
    def compliant(self) -> bool:
        return not self.findings

    def codes(self) -> set[str]:
        return {f.kind.split(".", 1)[1] for f in self.findings}

    def to_contract(self) -> dict[str, Any]:
        """The stable CLI line: {call_id, compliant, violations: [{code, turn, start, end, message, citation}]}."""
        return {"call_id": self.call.call_id, "compliant": self.compliant,
                "violations": [violation_dict(f) for f in self.findings]}


def violation_dict(f: Finding) -> dict[str, Any]:
    return {"code": f.kind.split(".", 1)[1], "turn": f.evidence.get("turn"),
            "start": None if f.span is None else f.span.start, "end": None if f.span is None else f.span.end,
            "message": f.message, "citation": None if f.citation is None else str(f.citation)}
