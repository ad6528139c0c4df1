"""What a collector must not say: phrases and patterns from `rules/collection_utterances.yaml`,
found with one Aho-Corasick automaton (plus a few regular expressions for frames such as
"我是……法院的"), then judged in their clause:

* negation — a negator within `negation_window` characters before the phrase, in the same scope,
  cancels it ("我们不会上门"); a scope breaker cuts the negator's reach ("你不还我们就上门"); a
  canceller makes the negation rhetorical ("别以为我们不会上门"); a post-negator right after the
  phrase cancels it too ("借款信息不方便透露");
* quotation — inside quotation marks, or after a quoting cue ("您刚才说我们是骗子"), the words are
  someone else's.

Cost: one NFKC pass and one automaton pass per turn, O(len(text) + matches); the context checks
run only on hits, which are rare in compliant calls.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import ahocorasick

from xiaobao.rules import RulesError, read_yaml
from xiaobao.engines.collection import CODES
from xiaobao.engines.collection.amounts import AMOUNT, parse_amount
from xiaobao.engines.collection.policy import UTTERANCE_FILE
from xiaobao.engines.collection.text import norm_phrase

_ENUMERATION = frozenset({"、", "和", "或", "或者", "及", "以及", "与", "、或", "或是", ""})


@dataclass(frozen=True)
class UtteranceRule:
    id: str
    code: str
    message_zh: str
    audience: str = "any"  # or "third_party"
    negatable: bool = True
    quotable: bool = True
    after_callee: str | None = None  # a callee cue class that must have been heard first
    exclusive: bool = False  # other codes' phrases inside this one's span are part of it (上门 in 上门费)
    phrases: tuple[str, ...] = ()
    patterns: tuple[re.Pattern, ...] = ()
    # What, right after a phrase, shows the phrase is used for something else ("外访的上门费": a fee named
    # after visits is a fee claim, not a visit threat).
    not_followed_by: re.Pattern | None = None


@dataclass(frozen=True, slots=True)
class Hit:
    rule: UtteranceRule
    start: int  # in the normalised text
    end: int
    phrase: str


@dataclass(frozen=True)
class AmountCheck:
    cues: tuple[str, ...]
    window: int
    tolerance_abs: Decimal
    tolerance_ratio: Decimal


@dataclass(frozen=True)
class Context:
    negators: tuple[str, ...]
    post_negators: tuple[str, ...]
    breakers: tuple[str, ...]
    cancellers: tuple[str, ...]
    window: int
    clause_marks: frozenset[str]
    quote_pairs: tuple[tuple[str, str], ...]
    quote_cues: tuple[str, ...]
    shields: tuple[str, ...] = ()


class UtteranceMatcher:
    def __init__(self, rules: list[UtteranceRule], context: Context, amount: AmountCheck,
                 callee_cues: dict[str, tuple[str, ...]]):
        self.rules = tuple(rules)
        self.ctx = context
        self.amount = amount
        self._clause_no_colon = context.clause_marks - {":", "："}
        # Context lists run on every hit; one alternation each is several times faster than
        # `any(x in s for x in list)` over dozens of words.
        alt = lambda words: re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))) or "(?!)")
        self._negator_re, self._canceller_re = alt(context.negators), alt(context.cancellers)
        self._breaker_re, self._quote_cue_re = alt(context.breakers), alt(context.quote_cues)
        self._shield_re = alt(context.shields)
        self._post_negators = context.post_negators
        self._automaton = ahocorasick.Automaton()
        by_key: dict[str, list[tuple[UtteranceRule, str]]] = {}
        for r in self.rules:
            if r.code not in CODES:
                raise RulesError(f"{UTTERANCE_FILE}: 规则 {r.id} 的 code {r.code!r} 不在固定违规代码表中")
            for p in r.phrases:
                key = norm_phrase(p)
                if key:
                    by_key.setdefault(key, []).append((r, p))
        for key, entries in by_key.items():
            self._automaton.add_word(key, (len(key), tuple(entries)))
        self._automaton.make_automaton()
        self._patterns = tuple((r, p) for r in self.rules for p in r.patterns)
        self._cues = ahocorasick.Automaton()
        cue_keys: dict[str, set[str]] = {}
        for kind, phrases in callee_cues.items():
            for p in phrases:
                cue_keys.setdefault(norm_phrase(p), set()).add(kind)
        for key, kinds in cue_keys.items():
            self._cues.add_word(key, frozenset(kinds))
        self._cues.make_automaton()

    # ---- loading ---------------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: dict[str, Any], callee_cues: dict[str, tuple[str, ...]]) -> UtteranceMatcher:
        try:
            c = data["context"]
            context = Context(
                negators=tuple(norm_phrase(x) for x in c["negators"]),
                post_negators=tuple(norm_phrase(x) for x in c.get("post_negators") or ()),
                breakers=tuple(norm_phrase(x) for x in c.get("scope_breakers") or ()),
                cancellers=tuple(norm_phrase(x) for x in c.get("cancellers") or ()),
                window=int(c.get("negation_window", 6)),
                clause_marks=frozenset(str(c.get("clause_marks", "，,。.！!？?；;：:…\n"))),
                quote_pairs=tuple((q[0], q[1]) for q in c.get("quote_pairs") or () if len(q) == 2),
                quote_cues=tuple(norm_phrase(x) for x in c.get("quote_cues") or ()),
                shields=tuple(norm_phrase(x) for x in c.get("shields") or ()),
            )
            rules = []
            for i, r in enumerate(data["rules"]):
                rules.append(UtteranceRule(
                    id=str(r["id"]), code=str(r["code"]), message_zh=str(r.get("message_zh", r["code"])),
                    audience=str(r.get("audience", "any")), negatable=bool(r.get("negatable", True)),
                    quotable=bool(r.get("quotable", True)), after_callee=r.get("after_callee"),
                    exclusive=bool(r.get("exclusive", False)),
                    phrases=tuple(str(p) for p in r.get("phrases") or ()),
                    patterns=tuple(re.compile(p) for p in r.get("patterns") or ()),
                    not_followed_by=re.compile(r["not_followed_by"]) if r.get("not_followed_by") else None))
                if rules[-1].audience not in ("any", "third_party"):
                    raise RulesError(f"{UTTERANCE_FILE}: 规则 {rules[-1].id} 的 audience 须为 any 或 third_party")
                if rules[-1].after_callee and rules[-1].after_callee not in callee_cues:
                    raise RulesError(f"{UTTERANCE_FILE}: 规则 {rules[-1].id} 的 after_callee 未在 callee_cues 中定义")
            a = data["amount_check"]
            amount = AmountCheck(tuple(norm_phrase(x) for x in a["cues"]), int(a.get("window", 12)),
                                 Decimal(str(a.get("tolerance_abs", 1))), Decimal(str(a.get("tolerance_ratio", 0.01))))
        except KeyError as e:
            raise RulesError(f"{UTTERANCE_FILE}: 缺少配置项 {e}") from e
        except (TypeError, ValueError, AttributeError, re.error) as e:
            raise RulesError(f"{UTTERANCE_FILE}: 配置格式错误：{e!r}") from e
        return cls(rules, context, amount, callee_cues)

    @classmethod
    def load(cls, directory: str | Path | None, callee_cues: dict[str, tuple[str, ...]]) -> UtteranceMatcher:
        return cls.from_dict(read_yaml(UTTERANCE_FILE, directory), callee_cues)

    # ---- matching --------------------------------------------------------------------------------
    def callee_cues(self, norm: str) -> set[str]:
        kinds: set[str] = set()
        for _, ks in self._cues.iter(norm):
            kinds |= ks
        return kinds

    def hits(self, norm: str) -> list[Hit]:
        """Every rule hit in a collector's normalised turn that survives negation and quotation."""
        raw: list[Hit] = []
        for end, (length, entries) in self._automaton.iter(norm):
            for rule, phrase in entries:
                raw.append(Hit(rule, end + 1 - length, end + 1, phrase))
        for rule, pattern in self._patterns:
            for m in pattern.finditer(norm):
                raw.append(Hit(rule, m.start(), m.end(), pattern.pattern))
        if not raw:
            return raw
        raw.sort(key=lambda h: (h.start, -(h.end - h.start)))
        shielded = [m.span() for m in self._shield_re.finditer(norm)] if self.ctx.shields else []
        kept: list[Hit] = []
        negated_end = -1
        for h in raw:
            # A phrase inside a longer phrase of the same code (拘留 in 拘留你) is one hit, not two.
            if len(raw) > 1 and any((k.rule.code == h.rule.code or k.rule.exclusive) and k.start <= h.start
                                    and h.end <= k.end and (k.end - k.start) > (h.end - h.start) for k in raw):
                continue
            if any(a <= h.start and h.end <= b for a, b in shielded):
                continue
            if h.rule.not_followed_by is not None and h.rule.not_followed_by.match(norm, h.end):
                continue
            if h.rule.quotable and self.quoted(norm, h.start):
                continue
            if h.rule.negatable and (self.negated(norm, h.start, h.end)
                                     or (negated_end >= 0 and norm[negated_end:h.start] in _ENUMERATION)):
                # "不会采取任何上门或者曝光的方式": the negation covers the whole enumeration.
                negated_end = h.end
                continue
            kept.append(h)
        return kept

    def _clause_start(self, norm: str, pos: int, marks: frozenset[str]) -> int:
        i = pos - 1
        while i >= 0 and norm[i] not in marks:
            i -= 1
        return i + 1

    def _clause_end(self, norm: str, pos: int) -> int:
        i, n = pos, len(norm)
        while i < n and norm[i] not in self.ctx.clause_marks:
            i += 1
        return i

    def negated(self, norm: str, start: int, end: int) -> bool:
        ctx = self.ctx
        prefix = norm[self._clause_start(norm, start, ctx.clause_marks):start]
        if prefix:
            if self._canceller_re.search(prefix):
                return False
            cut = 0
            for m in self._breaker_re.finditer(prefix):
                cut = max(cut, m.end())
            scope = prefix[cut:][-ctx.window:] if ctx.window else ""
            if scope and self._negator_re.search(scope):
                return True
        suffix = norm[end:self._clause_end(norm, end)]
        return bool(suffix) and any(p in suffix[:len(p) + 4] for p in self._post_negators)

    def quoted(self, norm: str, start: int) -> bool:
        before = norm[:start]
        for open_, close in self.ctx.quote_pairs:
            if open_ == close:
                if before.count(open_) % 2 == 1:
                    return True
            elif before.rfind(open_) > before.rfind(close):
                return True
        prefix = norm[self._clause_start(norm, start, self._clause_no_colon):start]
        return bool(prefix) and self._quote_cue_re.search(prefix) is not None

    def stated_totals(self, norm: str) -> list[tuple[int, int, Decimal]]:
        """Amounts the collector gives as the total owed: (start, end, value) in the normalised text."""
        out = []
        for m in AMOUNT.finditer(norm):
            lead = norm[max(0, m.start() - self.amount.window):m.start()]
            if not any(c in lead for c in self.amount.cues):
                continue
            value = parse_amount(m.group(1), m.group(2))
            if value is not None:
                out.append((m.start(), m.end(), value))
        return out

    def misstated(self, stated: Decimal, due: Decimal) -> bool:
        return abs(stated - due) > max(self.amount.tolerance_abs, self.amount.tolerance_ratio * due)
