"""The marketing pre-review engine: a material in, findings (with spans and citations) and its APR out.

    engine = MarketingEngine()                # loads the rule pack once (the rules in force: rulepack.load)
    result = engine.analyze(text, fmt="html", title="…")
    result.findings, result.apr_min, result.apr_max

Pure: no database, no clock (pass `on` for the LPR date), no I/O after the rule pack is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from xiaobao.domain.finding import Finding, Span
from xiaobao.engines.marketing import document as docs
from xiaobao.engines.marketing.normalize import Views, views
from xiaobao.engines.marketing.prominence import ProminenceConfig, compare
from xiaobao.engines.marketing.rates import RateConfig, RateMention, read_rates
from xiaobao.engines.marketing.rulepack import RulePack, load
from xiaobao.rules import rules_dir

SMALL_KINDS = ("daily", "monthly", "daily_cost", "daily_hint")

@dataclass
class Result:
    text: str  # the analysed visible text (title, a newline, then the body)
    body_offset: int  # where the body starts in `text`
    findings: list[Finding]
    apr_min: float | None
    apr_max: float | None
    rates: list[dict] = field(default_factory=list)

    @property
    def compliant(self) -> bool:
        return not self.findings

    def codes(self) -> set[str]:
        return {f.kind.removeprefix("marketing.") for f in self.findings}

    def violations(self) -> list[dict]:
        """The CLI/API contract: spans relative to the body; a title hit says `field: title`."""
        out = []
        for f in self.findings:
            s, e = (f.span.start, f.span.end) if f.span else (self.body_offset, self.body_offset)
            item = {"code": f.kind.removeprefix("marketing."), "start": s - self.body_offset,
                    "end": e - self.body_offset, "message": f.message, "citation": str(f.citation or "")}
            if s < self.body_offset:
                item.update(start=s, end=min(e, self.body_offset - 1), field="title")
            out.append(item)
        return out

class MarketingEngine:
    def __init__(self, pack: RulePack | None = None, *, lender_type: str = "licensed"):
        self.pack = pack or load()
        c = self.pack.conventions
        self.rate_cfg = RateConfig(int(c.get("days_per_year", 360)), int(c.get("months_per_year", 12)),
                                   int(c.get("assumed_periods", 12)))
        self.understated_pp = float(c.get("understated_tolerance_pp", 0.5))
        self.prominence = ProminenceConfig()
        self.lender_type = lender_type

    # -- matching -----------------------------------------------------------------------------------
    def _phrase_hits(self, v: Views) -> tuple[dict[str, list[tuple[int, int, str]]], dict[str, list[tuple[int, int]]]]:
        hits: dict[str, list[tuple[int, int, str]]] = {}
        exempt: dict[str, list[tuple[int, int]]] = {}
        text = v.compact.text
        if not text:
            return hits, exempt
        for end, entries in self.pack.automaton.iter(text):
            for owner, phrase, is_exempt, length in entries:
                s, e = v.compact.span(end - length + 1, end + 1)
                if is_exempt:
                    exempt.setdefault(owner, []).append((s, e))
                else:
                    hits.setdefault(owner, []).append((s, e, phrase))
        return hits, exempt

    @staticmethod
    def _regex_spans(v: Views, patterns) -> list[tuple[int, int]]:
        out = []
        for p in patterns:
            for m in p.finditer(v.folded.text):
                if m.end() > m.start():
                    out.append(v.folded.span(m.start(), m.end()))
        return out

    @staticmethod
    def _keep(hits: list[tuple[int, int, str]], exempt: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
        """Hits outside every exemption; overlapping hits merged into the longest."""
        live = [h for h in hits if not any(a <= h[0] and h[1] <= b for a, b in exempt)]
        live.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        out: list[tuple[int, int, str]] = []
        for h in live:
            if out and h[0] < out[-1][1]:
                continue
            out.append(h)
        return out

    # -- analysis -----------------------------------------------------------------------------------
    def analyze(self, text: str, fmt: str | None = None, *, title: str = "", on: date | None = None) -> Result:
        doc = docs.read(text or "", fmt)
        offset = 0
        if title:
            offset = len(title) + 1
            doc = docs.Document(title + "\n" + doc.text, doc.format,
                                [docs.Run(0, offset, docs.DEFAULT_STYLE)]
                                + [docs.Run(r.start + offset, r.end + offset, r.style) for r in doc.runs])
        v = views(doc.text, self.pack.table)
        hits, exempt = self._phrase_hits(v)
        facts: dict[str, list[tuple[int, int]]] = {}
        for name, fact in self.pack.facts.items():
            ex = exempt.get(f"fact:{name}", []) + self._regex_spans(v, fact.exempt_regex)
            spans = [(s, e) for s, e, _ in self._keep(hits.get(f"fact:{name}", []), ex)]
            spans += self._regex_spans(v, fact.patterns)
            if spans:
                facts[name] = sorted(spans)
        reading = read_rates(v.folded.text, self.rate_cfg)
        mentions = [(m, v.folded.span(m.start, m.end)) for m in reading.mentions]
        findings: list[Finding] = []
        self._computed_facts(doc, mentions, facts, findings)
        for rule in self.pack.rules:
            if rule.type == "phrases" or rule.type == "regex":
                ex = exempt.get(f"rule:{rule.id}", []) + self._regex_spans(v, rule.exempt_regex)
                found = hits.get(f"rule:{rule.id}", []) + [(s, e, doc.text[s:e]) for s, e in
                                                           self._regex_spans(v, rule.patterns)]
                for s, e, phrase in self._keep(found, ex):
                    findings.append(Finding(rule.id, f"marketing.{rule.code}", rule.score, rule.citation, Span(s, e),
                                            {"matched": doc.text[s:e], "phrase": phrase, "severity": rule.severity},
                                            rule.message))
            elif rule.type == "structural":
                if (all(f in facts for f in rule.when_all)
                        and (not rule.when_any or any(f in facts for f in rule.when_any))
                        and not any(f in facts for f in rule.unless_any)):
                    spans = facts.get(rule.span_from) or []
                    span = Span(*spans[0]) if spans else None
                    findings.append(Finding(rule.id, f"marketing.{rule.code}", rule.score, rule.citation, span,
                                            {"facts": sorted(f for f in facts if f in (*rule.when_all, *rule.when_any)),
                                             "severity": rule.severity, **self._fact_evidence(rule.code, facts)},
                                            rule.message))
            elif rule.type == "numeric":
                findings.extend(self._over_line(rule, mentions, on))
        findings.sort(key=lambda f: (f.span.start if f.span else -1, f.kind))
        aprs = reading.all_aprs()
        return Result(doc.text, offset, findings, round(min(aprs), 4) if aprs else None,
                      round(max(aprs), 4) if aprs else None,
                      [self._rate_dict(m, span) for m, span in mentions])

    def _computed_facts(self, doc, mentions, facts, findings) -> None:
        annual = [sp for m, sp in mentions if m.kind == "annual"]
        small = [sp for m, sp in mentions if m.kind in SMALL_KINDS]
        fees = [sp for m, sp in mentions if m.kind == "fee"]
        if annual:
            facts["apr_stated"] = annual
        if small:
            facts["small_rate_stated"] = small
        if fees:
            facts["fee_quote"] = fees
            if not annual:
                facts["fee_quote_without_apr"] = fees
        priced = [sp for m, sp in mentions if m.aprs]
        if priced:
            facts["rate_stated"] = priced
        positive = [sp for m, sp in mentions if any(a > 0 for a in m.aprs)]
        if positive:
            facts["apr_positive"] = positive
        reasons, evidence = compare(doc, annual, small + fees, self.prominence)
        if reasons:
            facts["apr_less_prominent"] = annual
            self._prominence_evidence = {"reasons": reasons, **evidence}
        irr = [a for m, _ in mentions if m.kind in ("fee", "payment") for a in m.aprs]
        stated = [a for m, _ in mentions if m.kind == "annual" for a in m.aprs]
        simple = any(m.stated_method == "单利" for m, _ in mentions if m.kind == "annual")
        if irr and stated and not simple and max(stated) + self.understated_pp < min(irr):
            facts["apr_understated"] = fees or annual
            self._understated = {"stated_max": max(stated), "irr_min": round(min(irr), 4)}

    def _fact_evidence(self, code: str, facts) -> dict:
        if code == "apr_less_prominent":
            return {"prominence": getattr(self, "_prominence_evidence", {})}
        if code == "hidden_fees_installment" and "apr_understated" in facts:
            return {"understated": getattr(self, "_understated", {})}
        return {}

    def _over_line(self, rule, mentions: list[tuple[RateMention, tuple[int, int]]], on: date | None) -> list[Finding]:
        out = []
        lpr = self.pack.lpr_on(on or date.today())
        for m, (s, e) in mentions:
            if not m.aprs:
                continue
            top = max(m.aprs)
            breached, reference = [], []
            for line in self.pack.lines:
                limit = line.above
                if line.lpr_multiple is not None:
                    if lpr is None:
                        continue
                    limit = round(line.lpr_multiple * lpr[1], 4)
                    reference.append({"line": line.id, "limit": limit, "lpr": lpr[1], "lpr_date": lpr[0].isoformat()})
                if line.applies_to and self.lender_type not in line.applies_to:
                    continue
                if limit is not None and top > limit:
                    breached.append((limit, line))
            if breached:
                limit, line = max(breached, key=lambda x: x[0])
                score = rule.score if line.severity == "high" else min(rule.score, 0.7)
                out.append(Finding(rule.id, f"marketing.{rule.code}", score, line.citation or rule.citation,
                                   Span(s, e), {"apr": round(top, 4), "line": line.id, "limit": limit,
                                                "method": m.method, "severity": line.severity,
                                                "judicial_reference": reference},
                                   f"{rule.message}：年化{top:.2f}% > {line.name_zh}（{limit:g}%）"))
        return out

    @staticmethod
    def _rate_dict(m: RateMention, span: tuple[int, int]) -> dict:
        return {"kind": m.kind, "start": span[0], "end": span[1], "raw": m.raw,
                "apr": [round(a, 4) for a in m.aprs], "effective": [round(a, 4) for a in m.effective],
                "method": m.method, "method_en": m.method_en, "assumed_periods": m.assumed_periods,
                "stated_method": m.stated_method}

def default_engine(directory: str | Path | None = None) -> MarketingEngine:
    """The engine on the rules in force (`directory`, else XIAOBAO_RULES_DIR, else the bundled rules),
    built once per process and rules directory."""
    return _engine(rules_dir(directory))


@lru_cache(maxsize=8)
def _engine(directory: Path) -> MarketingEngine:
    return MarketingEngine(load(directory))

def analyze(text: str, fmt: str | None = None, *, title: str = "", on: date | None = None) -> Result:
    return default_engine().analyze(text, fmt, title=title, on=on)
