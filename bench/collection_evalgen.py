"""Compose the labelled collection-QA evaluation set from the hand-written bank.

    .venv/bin/python bench/collection_evalgen.py            # writes eval/collection/calls.jsonl

Each line is a call in the CLI contract's input shape plus `expected` (the violation codes a person
would record for that call), `split` (dev/test: calls draw only from the matching half of every
bank list, even items dev, odd items test) and `scenario`. Deterministic for a given seed.
"""

from __future__ import annotations

import json
import random
import sys
from datetime import datetime, timedelta
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BANK = ROOT / "eval" / "collection" / "utterances.yaml"
OUT = ROOT / "eval" / "collection" / "calls.jsonl"
AGENCIES = ("inhouse", "安信资产", "恒信资产", "诚通催收")
BASE_DAY = datetime(2026, 11, 2)


class Gen:
    def __init__(self, bank: dict, split: str, rng: random.Random):
        self.rng, self.split, self.n = rng, split, 0
        parity = 0 if split == "dev" else 1

        def half(v):
            if isinstance(v, dict):
                return {k: half(x) for k, x in v.items()}
            return [x for i, x in enumerate(v) if i % 2 == parity] or v
        self.b = half(bank)
        self.calls: list[dict] = []

    def pick(self, key, sub=None):
        items = self.b[key][sub] if sub else self.b[key]
        return self.rng.choice(items)

    def new_id(self, prefix="D") -> str:
        self.n += 1
        return f"{self.split}-{prefix}{self.n:05d}"

    def pad(self, turns: list[tuple[str, str]], target: int, third_party=False) -> list[tuple[str, str]]:
        """Fill with compliant talk to `target` turns, alternating speakers, keeping the opening first."""
        body = turns[1:]
        pool = "compliant_third_party" if third_party else "compliant_collector"
        while len(body) + 1 < target:
            pos = self.rng.randrange(len(body) + 1)
            pos -= pos % 2  # keep collector/callee alternation roughly intact
            body[pos:pos] = [("callee", self.pick("callee_lines") if not third_party else "嗯，好的。"),
                             ("collector", self.pick(pool))]
        return turns[:1] + body

    def emit(self, scenario, turns, expected, *, relation="debtor", at=None, debtor=None, number=None, duration=None,
             **extra):
        debtor = debtor or self.new_id()
        at = at or BASE_DAY + timedelta(days=self.rng.randrange(14), hours=9 + self.rng.randrange(10),
                                        minutes=self.rng.randrange(60))
        rec = {
            "call_id": self.new_id("C"), "agency": self.rng.choice(AGENCIES),
            "collector_id": f"COL{self.rng.randrange(1, 25):03d}", "debtor_id": debtor,
            "started_at": at.strftime("%Y-%m-%dT%H:%M:%S+08:00") if isinstance(at, datetime) else at,
            "duration_s": duration if duration is not None else 30 + 12 * len(turns), "callee_relation": relation,
            "callee_number": number or f"N-{debtor}-{relation}",
            "transcript": [{"speaker": s, "text": t} for s, t in turns], **extra,
            "expected": sorted(set(expected)), "split": self.split, "scenario": scenario,
        }
        self.calls.append(rec)
        return rec

    def size(self):
        return self.rng.randrange(10, 21)

    def tp_opening(self) -> str:
        """An opening that names the caller but says nothing about a debt (the callee may not be the debtor)."""
        return self.rng.choice([o for o in self.b["openings"] if "账单" not in o and "还款" not in o])

    def opening(self):
        return [("collector", self.pick("openings")), ("callee", self.pick("callee_lines"))]

    # ---- scenarios ------------------------------------------------------------------------------
    def compliant(self):
        turns = self.opening()
        if self.rng.random() < 0.3:
            turns += [("callee", self.pick("hardship_callee")), ("collector", self.pick("hardship_responses"))]
        extra = {}
        if self.rng.random() < 0.4:
            due = self.rng.choice([3250, 12000, 5000, 860, 20500])
            turns.append(("collector", self.pick("amount_lines").format(amount=_say(due, self.rng))))
            extra["amount_due"] = due
        self.emit("compliant", self.pad(turns, self.size()), [], **extra)

    def violation(self, code, sub=None):
        turns = self.opening()
        pool_key = sub or code
        line = self.pick("collector_violations", pool_key)
        turns = self.pad(turns, self.size() - 1)
        pos = self.rng.randrange(2, len(turns) + 1)
        turns.insert(pos, ("collector", line))
        label = {"refuse_new_borrowing": "refuse_hardship_negotiation", "mislead_fee": "mislead_amount"}.get(code, code)
        self.emit(f"violation:{pool_key}", turns, [label])

    def bad_opening(self):
        turns = [("collector", self.pick("bad_openings")), ("callee", self.pick("callee_lines"))]
        self.emit("no_self_identification", self.pad(turns, self.size()), ["no_self_identification"])

    def hardship_refused(self):
        turns = self.pad(self.opening(), self.size() - 2)
        turns += [("callee", self.pick("hardship_callee")), ("collector", self.pick("hardship_refusals"))]
        self.emit("hardship_refused", turns, ["refuse_hardship_negotiation"])

    def wrong_amount(self):
        due = self.rng.choice([3250, 12000, 5000, 860, 20500])
        stated = due + self.rng.choice([500, 1000, 2000, due])
        turns = self.pad(self.opening(), self.size() - 1)
        turns.insert(3, ("collector", self.pick("amount_lines").format(amount=_say(stated, self.rng))))
        self.emit("wrong_amount", turns, ["mislead_amount"], amount_due=due)

    def third_party(self, kind):
        relation = self.rng.choice(["contact", "family", "colleague", "friend"])
        turns = [("collector", self.tp_opening()), ("callee", self.pick("third_party_intros"))]
        expected = []
        if kind == "disclose":
            turns += [("collector", self.pick("third_party_disclosures")), ("callee", "哦，这样啊。")]
            expected = ["disclose_debt_to_third_party"]
        elif kind == "harass":
            turns += [("collector", self.pick("third_party_harassment")), ("callee", "这跟我有什么关系？")]
            expected = ["harass_third_party", "disclose_debt_to_third_party"]
        self.emit(f"third_party:{kind}", self.pad(turns, self.rng.randrange(6, 11), third_party=True), expected,
                  relation=relation, debtor_unreachable=True)

    def revealed_spouse(self, disclose: bool):
        """Dialled as the debtor's number; the callee turns out to be someone else."""
        turns = [("collector", self.pick("openings")), ("callee", self.pick("third_party_intros"))]
        turns.append(("collector", self.pick("third_party_disclosures") if disclose else self.pick("compliant_third_party")))
        self.emit("revealed_third_party", self.pad(turns, self.rng.randrange(6, 10), third_party=True),
                  ["disclose_debt_to_third_party"] if disclose else [])

    def hours(self):
        day = BASE_DAY + timedelta(days=self.rng.randrange(14))
        cases = [  # (local time string, tz fields, duration, expected)
            (day.replace(hour=22, minute=10), {}, None, ["call_outside_hours"]),
            (day.replace(hour=7, minute=35), {}, None, ["call_outside_hours"]),
            (day.replace(hour=21, minute=50), {}, 1200, ["call_outside_hours"]),  # runs past 22:00
            (day.replace(hour=21, minute=40), {}, 600, []),  # ends 21:50
            (day.replace(hour=8, minute=0), {}, None, []),
            (day.replace(hour=8, minute=30), {"debtor_region": "650102"}, None, ["call_outside_hours"]),  # 06:30 Urumqi
            (day.replace(hour=23, minute=0), {"debtor_region": "650102"}, 300, []),  # 21:00 Urumqi
            (day.replace(hour=23, minute=30), {"consent": ["off_hours"]}, None, []),  # agreed with the debtor
            (day.replace(hour=6, minute=0), {"debtor_tz": "Asia/Urumqi"}, None, ["call_outside_hours"]),
        ]
        at, tz, dur, expected = self.rng.choice(cases)
        self.emit("hours", self.pad(self.opening(), self.size()), expected, at=at, duration=dur, **tz)

    def same_day_series(self, n_connected: int):
        debtor = self.new_id()
        day = BASE_DAY + timedelta(days=self.rng.randrange(14), hours=9)
        for k in range(n_connected):
            at = day + timedelta(hours=k * 2, minutes=self.rng.randrange(50))
            self.emit("series:connected", self.pad(self.opening(), self.size()),
                      ["excessive_frequency"] if k >= 3 else [], at=at, debtor=debtor, number=f"N-{debtor}")

    def attempts_series(self, n: int):
        debtor = self.new_id()
        day = BASE_DAY + timedelta(days=self.rng.randrange(14), hours=9)
        for k in range(n):
            self.emit("series:attempts", [], ["excessive_frequency"] if k >= 6 else [],
                      at=day + timedelta(minutes=40 * k), debtor=debtor, number=f"N-{debtor}", duration=0,
                      connected=False)

    def recontact(self):
        debtor = self.new_id()
        number = f"N-{debtor}-contact"
        day = BASE_DAY + timedelta(days=self.rng.randrange(10), hours=10)
        first = [("collector", self.tp_opening()), ("collector", self.pick("compliant_third_party")), ("callee", self.pick("third_party_refusals")),
                 ("collector", "好的，打扰了。")]
        self.emit("recontact:first", first, [], relation="contact", debtor=debtor, number=number, at=day,
                  debtor_unreachable=True)
        again = [("collector", self.tp_opening()), ("collector", self.pick("compliant_third_party")), ("callee", "怎么又是你们？")]
        self.emit("recontact:again", again, ["harass_third_party"], relation="contact", debtor=debtor, number=number,
                  at=day + timedelta(days=self.rng.randrange(1, 4)), debtor_unreachable=True)


def _say(amount: int, rng: random.Random) -> str:
    """The same amount as collectors say it: digits, with thousands separators, or in Chinese."""
    forms = [f"{amount}元", f"{amount:,}元", f"{amount}块"]
    cn = {3250: "三千二百五十元", 12000: "一万二千元", 5000: "五千元", 860: "八百六十元", 20500: "两万零五百元",
          6500: "六千五百元", 10000: "一万元", 24000: "两万四千元", 1720: "一千七百二十元"}
    if amount in cn:
        forms.append(cn[amount])
    return rng.choice(forms)


def build(seed: int = 20261121) -> list[dict]:
    bank = yaml.safe_load(BANK.read_text(encoding="utf-8"))
    out = []
    for split in ("dev", "test"):
        g = Gen(bank, split, random.Random(f"{seed}-{split}"))
        for _ in range(45):
            g.compliant()
        for code in ("threat_violence", "insult_abuse", "impersonate_authority", "false_legal_consequence"):
            for _ in range(9):
                g.violation(code)
        for _ in range(6):
            g.violation("refuse_new_borrowing")
            g.violation("mislead_fee")
        for _ in range(8):
            g.bad_opening()
            g.hardship_refused()
            g.wrong_amount()
        for _ in range(10):
            g.third_party("ok")
        for _ in range(8):
            g.third_party("disclose")
            g.third_party("harass")
        for _ in range(4):
            g.revealed_spouse(True)
            g.revealed_spouse(False)
        for _ in range(16):
            g.hours()
        for n in (3, 4, 5, 3):
            g.same_day_series(n)
        for n in (6, 8):
            g.attempts_series(n)
        for _ in range(5):
            g.recontact()
        out += g.calls
    return out


def main() -> None:
    calls = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as f:
        for c in calls:
            f.write(json.dumps(c, ensure_ascii=False) + "\n")
    compliant = sum(not c["expected"] for c in calls)
    print(f"{len(calls)} calls ({compliant / len(calls):.0%} compliant) → {OUT.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
