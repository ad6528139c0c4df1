"""Scoring a recognizer against labelled text: exact-span precision, recall and F1 per type, and
the share of decoys (order numbers, amounts, dates, Luhn-failing cards …) wrongly reported."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


@dataclass
class Scores:
    tp: Counter = field(default_factory=Counter)
    fp: Counter = field(default_factory=Counter)
    fn: Counter = field(default_factory=Counter)
    decoys: int = 0
    decoy_hits: int = 0

    def prf(self, kind: str) -> tuple[float, float, float]:
        tp, fp, fn = self.tp[kind], self.fp[kind], self.fn[kind]
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def types(self) -> list[str]:
        return sorted(set(self.tp) | set(self.fn) | set(self.fp))

    @property
    def decoy_fp_rate(self) -> float:
        return self.decoy_hits / self.decoys if self.decoys else 0.0

    def table(self) -> list[dict]:
        rows = []
        for k in self.types():
            p, r, f = self.prf(k)
            rows.append({"type": k, "support": self.tp[k] + self.fn[k], "tp": self.tp[k], "fp": self.fp[k],
                         "fn": self.fn[k], "precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)})
        return rows


Span = tuple[int, int, str]


def evaluate(docs: Iterable[dict], predict: Callable[[str], list[Span]], types: set[str] | None = None,
             type_map: dict[str, str] | None = None) -> Scores:
    """docs: {"text", "spans": [{start, end, type}], "decoys": [{start, end}]}; predict returns
    (start, end, type). `types` limits scoring to those gold types (and predictions of them);
    `type_map` renames predicted types onto the gold set's names."""
    s = Scores()
    for d in docs:
        gold = {(g["start"], g["end"], g["type"]) for g in d.get("spans", ())
                if types is None or g["type"] in types}
        pred = set()
        raw = predict(d["text"])
        for a, b, t in raw:
            t = (type_map or {}).get(t, t)
            if types is None or t in types:
                pred.add((a, b, t))
        for _a, _b, t in pred & gold:
            s.tp[t] += 1
        for _a, _b, t in pred - gold:
            s.fp[t] += 1
        for _a, _b, t in gold - pred:
            s.fn[t] += 1
        for dec in d.get("decoys", ()):
            s.decoys += 1
            if any(a < dec["end"] and dec["start"] < b for a, b, _ in raw):
                s.decoy_hits += 1
    return s
