"""Finding: the one shape every engine's conclusion takes (see ARCHITECTURE.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int

    def __post_init__(self):
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"bad span {self.start}..{self.end}")


@dataclass(frozen=True, slots=True)
class Citation:
    """A regulation and the article a rule rests on, e.g. 投诉办法 第十八条."""

    source: str
    article: str = ""
    note: str = ""

    def __str__(self) -> str:
        return " ".join(p for p in (self.source, self.article) if p)


@dataclass(frozen=True, slots=True)
class Finding:
    """What an engine concludes about a text or record.

    `kind` is dotted (`blackgray.template`, `pii.CN_ID_CARD`); `evidence` says what matched so a
    reviewer can confirm or reject without rerunning the engine.
    """

    rule_id: str
    kind: str
    score: float
    citation: Citation | None = None
    span: Span | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    message: str = ""

    def __post_init__(self):
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"score must be within 0..1, got {self.score}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "kind": self.kind,
            "score": self.score,
            "span": None if self.span is None else {"start": self.span.start, "end": self.span.end},
            "evidence": self.evidence,
            "message": self.message,
            "citation": None if self.citation is None else str(self.citation),
        }
