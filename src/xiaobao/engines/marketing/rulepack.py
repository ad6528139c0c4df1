"""Loading the marketing rule pack (`rules/marketing_rules.yaml`, `rules/marketing_rates.yaml`, the
folding table of `rules/marketing_normalize.yaml`) into matchers, from the rules directory in force
(`xiaobao.rules.rules_dir`), with `RulesError`s that name the file, the rule and the field.

Phrase lists of every rule and fact go into ONE Aho-Corasick automaton (pyahocorasick) over the compact
view, so a material is scanned once whatever the number of phrases. Each phrase is compacted as the text
is (see `normalize`) and spelled in pinyin too (pypinyin, at load time): every syllable either as the
character or as its pinyin ("miao批", "秒pi", "miaopi"), and for phrases of three or more characters one
syllable as its initial ("无视zx" is not generated — only one initial, e.g. "wu视征信" / "w视征信").
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import ahocorasick
from pypinyin import Style, lazy_pinyin

from xiaobao.domain.finding import Citation
from xiaobao.engines.marketing.normalize import Table, compact, lookalikes
from xiaobao.rules import RulesError, read_yaml, rules_dir

RULES_FILE = "marketing_rules.yaml"
RATES_FILE = "marketing_rates.yaml"
CODES = ("missing_apr", "daily_rate_without_apr", "apr_less_prominent", "misleading_approval", "ignore_credit",
         "false_zero_interest", "inducement_overborrow", "target_students", "absolute_terms", "implied_endorsement",
         "guaranteed_return", "rate_over_cap", "hidden_fees_installment", "missing_risk_warning",
         "missing_lender_disclosure")
COMPUTED_FACTS = ("apr_stated", "small_rate_stated", "fee_quote", "rate_stated", "apr_positive", "apr_less_prominent",
                  "apr_understated", "fee_quote_without_apr")
SEVERITY_SCORE = {"high": 0.9, "medium": 0.7, "low": 0.5}
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Rule:
    id: str
    code: str
    severity: str
    message: str
    message_en: str
    citation: Citation | None
    type: str
    when_all: tuple[str, ...] = ()
    when_any: tuple[str, ...] = ()
    unless_any: tuple[str, ...] = ()
    span_from: str = ""
    patterns: tuple[re.Pattern, ...] = ()
    exempt_regex: tuple[re.Pattern, ...] = ()
    check: str = ""

    @property
    def score(self) -> float:
        return SEVERITY_SCORE[self.severity]


@dataclass(frozen=True)
class Fact:
    name: str
    patterns: tuple[re.Pattern, ...] = ()
    exempt_regex: tuple[re.Pattern, ...] = ()


@dataclass(frozen=True)
class RateLine:
    id: str
    severity: str
    name_zh: str
    above: float | None = None
    lpr_multiple: float | None = None
    applies_to: tuple[str, ...] = ()
    citation: Citation | None = None


@dataclass
class RulePack:
    rules: list[Rule]
    facts: dict[str, Fact]
    automaton: Any  # ahocorasick.Automaton: compact spelling → [(owner, phrase, is_exempt, length)]
    lines: list[RateLine]
    lpr: list[tuple[date, float]]
    conventions: dict[str, float] = field(default_factory=dict)
    channels: dict[str, str] = field(default_factory=dict)
    table: Table | None = None  # the folding table the phrases were compacted with; materials fold with it too

    def lpr_on(self, on: date) -> tuple[date, float] | None:
        known = [x for x in self.lpr if x[0] <= on]
        return known[-1] if known else (self.lpr[0] if self.lpr else None)


def _citation(raw: Any) -> Citation | None:
    if not raw:
        return None
    if isinstance(raw, str):
        return Citation(raw)
    return Citation(str(raw.get("source", "")), str(raw.get("article", "")), str(raw.get("note", "")))


def pinyin_variants(phrase: str) -> set[str]:
    """Spellings an evader might use: each CJK character as itself or its pinyin; one initial letter."""
    chars = list(phrase)
    if not _CJK.search(phrase) or len(chars) > 8:
        return set()
    full = lazy_pinyin(chars, style=Style.NORMAL, errors=lambda x: list(x))
    first = lazy_pinyin(chars, style=Style.FIRST_LETTER, errors=lambda x: list(x))
    options = [(c, p) if _CJK.match(c) else (c,) for c, p in zip(chars, full)]
    out = {"".join(combo) for combo in itertools.product(*options)}
    if len(chars) >= 3:
        for i, c in enumerate(chars):
            if _CJK.match(c):
                out.add("".join(chars[:i]) + first[i] + "".join(chars[i + 1:]))
    out.discard(phrase)
    return {v for v in out if len(v) >= 3}  # two-letter spellings collide with ordinary Latin text


def _regexes(raw: Any, where: str) -> tuple[re.Pattern, ...]:
    out = []
    for p in raw or ():
        try:
            out.append(re.compile(str(p)))
        except re.error as e:
            raise RulesError(f"{where}: 正则表达式无效 {p!r}：{e}") from e
    return tuple(out)


def _add_phrases(auto, owner: str, phrases: Any, exempt: bool, where: str, table: Table,
                 pinyin: bool = True) -> None:
    if phrases is not None and not isinstance(phrases, list):
        raise RulesError(f"{where}: 应为短语列表")
    for p in phrases or ():
        base = compact(str(p), table)
        if not base:
            raise RulesError(f"{where}: 短语 {p!r} 归一化后为空")
        spellings = {base} | (pinyin_variants(base) if pinyin and not exempt else set())
        for s in spellings:
            entry = auto.get(s) if s in auto else []
            entry.append((owner, base, exempt, len(s)))
            auto.add_word(s, entry)


def load(directory: str | Path | None = None) -> RulePack:
    """The rule pack of `directory` (else XIAOBAO_RULES_DIR, else the bundled rules), file by file."""
    directory = rules_dir(directory)
    data, rates, table = read_yaml(RULES_FILE, directory), read_yaml(RATES_FILE, directory), lookalikes(directory)
    name = RULES_FILE
    auto = ahocorasick.Automaton()
    facts: dict[str, Fact] = {}
    for fname, f in (data.get("facts") or {}).items():
        where = f"{name}: facts.{fname}"
        if fname in COMPUTED_FACTS:
            raise RulesError(f"{where}: 与计算得出的事实同名")
        _add_phrases(auto, f"fact:{fname}", f.get("phrases"), False, where, table, pinyin=False)
        _add_phrases(auto, f"fact:{fname}", f.get("exempt"), True, where, table)
        facts[fname] = Fact(fname, _regexes(f.get("regex"), where), _regexes(f.get("exempt_regex"), where))
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, r in enumerate(data.get("rules") or (), start=1):
        rid = r.get("id") if isinstance(r, dict) else None
        where = f"{name}: 第{i}条规则 {rid or ''}".rstrip()
        if not rid:
            raise RulesError(f"{where}: 缺少 id")
        if rid in seen:
            raise RulesError(f"{where}: id 重复")
        seen.add(rid)
        code, severity, match = r.get("code"), r.get("severity", "medium"), r.get("match") or {}
        if code not in CODES:
            raise RulesError(f"{where}: code {code!r} 不在固定违规代码中（{', '.join(CODES)}）")
        if severity not in SEVERITY_SCORE:
            raise RulesError(f"{where}: severity 应为 high / medium / low")
        if not r.get("message"):
            raise RulesError(f"{where}: 缺少中文 message")
        if not r.get("citation"):
            raise RulesError(f"{where}: 缺少 citation（每条规则须注明法规依据）")
        kind = match.get("type")
        if kind not in ("phrases", "regex", "numeric", "structural"):
            raise RulesError(f"{where}: match.type 应为 phrases / regex / numeric / structural")
        names = [*(match.get("when_all") or ()), *(match.get("when_any") or ()), *(match.get("unless_any") or ())]
        for n in names:
            if n not in facts and n not in COMPUTED_FACTS:
                raise RulesError(f"{where}: 未定义的事实 {n!r}")
        if kind == "phrases":
            if not match.get("phrases"):
                raise RulesError(f"{where}: phrases 为空")
            _add_phrases(auto, f"rule:{rid}", match["phrases"], False, where, table)
            _add_phrases(auto, f"rule:{rid}", match.get("variants"), False, where, table, pinyin=False)
            _add_phrases(auto, f"rule:{rid}", match.get("exempt"), True, where, table, pinyin=False)
        if kind == "numeric" and match.get("check") != "apr_above_line":
            raise RulesError(f"{where}: numeric 规则目前支持 check: apr_above_line")
        rules.append(Rule(
            rid, code, severity, str(r["message"]), str(r.get("message_en", "")), _citation(r["citation"]), kind,
            tuple(match.get("when_all") or ()), tuple(match.get("when_any") or ()),
            tuple(match.get("unless_any") or ()), str(match.get("span_from") or ""),
            _regexes(match.get("patterns"), where), _regexes(match.get("exempt_regex"), where),
            str(match.get("check") or "")))
    auto.make_automaton()
    lines = []
    for j, ln in enumerate(rates.get("lines") or (), start=1):
        if "above" not in ln and "lpr_multiple" not in ln:
            raise RulesError(f"{RATES_FILE}: lines 第{j}条须有 above 或 lpr_multiple")
        lines.append(RateLine(str(ln.get("id", f"line{j}")), str(ln.get("severity", "high")), str(ln.get("name_zh", "")),
                              float(ln["above"]) if "above" in ln else None,
                              float(ln["lpr_multiple"]) if "lpr_multiple" in ln else None,
                              tuple(ln.get("applies_to") or ()), _citation(ln.get("citation"))))
    try:
        lpr = sorted((x["date"] if isinstance(x["date"], date) else date.fromisoformat(str(x["date"])),
                      float(x["rate"])) for x in rates.get("lpr_1y") or ())
    except (KeyError, ValueError, TypeError) as e:
        raise RulesError(f"{RATES_FILE}: lpr_1y 每项须有 date 与 rate：{e}") from e
    return RulePack(rules, facts, auto, lines, lpr, {k: float(v) for k, v in (rates.get("conventions") or {}).items()},
                    {str(k): str(v) for k, v in (data.get("channels") or {}).items()}, table)
