"""Demo dataset: six months of a consumer-finance lender's complaints, handled through the real services.

`load_demo(ctx)` fills an empty database with demo users (one per role, all with `DEMO_PASSWORD`) and
≥2,000 synthetic complaints. Nothing is written behind the services' back:

- complaints enter through the bulk import (`services.complaints.intake.importing.import_file`), a few times a day,
  from temporary JSONL files, so routing, repeat detection, encryption and masking are the real ones;
- every later step (dispatch, accept, transfer, pause, extension, decision, notice, callback, close,
  核查, withdrawal, 不予受理, merge) is a call to `services.complaints.handling`, so each one has its audit entry.

Each complaint's lifecycle is a small script run on a discrete-event clock: the context's `now` is
replaced for the duration and set to the time of each action, in global time order, and everything
scheduled after the real "now" simply has not happened yet. That is what leaves recent complaints
open in every status — some overdue, some due within days, some paused, extended or under review.

What the complaints say is drawn from text tables in `data/` — people.yaml (names, phones, regions,
addresses), staff.yaml (the demo users and their teams), channels.yaml, complaints.yaml (categories,
products, the templates of each category's facts and requests), agents.yaml (proxy agencies' scripts,
law firms), voices.yaml (the pieces each customer retells a template with) and handling.yaml
(decisions, transfers, pauses, notices, callbacks, 核查); the generation logic is here. All names,
phone numbers and ID numbers are generated (ID numbers carry valid GB 11643 check digits but belong
to no one). The data are deterministic for a given seed and `ctx.now()`, except the AES
nonces of the encrypted personal data (and the blind indexes, which depend on the vault's key).
"""

from __future__ import annotations

import heapq
import json
import random
import re
import tempfile
import time as _time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from xiaobao.demo import data
from xiaobao.domain.complaint import OPEN, Complaint, Status
from xiaobao.domain.errors import DomainError
from xiaobao.domain.identity import id_check_char
from xiaobao.domain.roles import Role
from xiaobao.store.complaints.repository import ComplaintQuery
from xiaobao.services.complaints import handling as H
from xiaobao.services.actors import Actor
from xiaobao.services.auth import create_user
from xiaobao.services.context import Context
from xiaobao.services.errors import Conflict
from xiaobao.services.complaints.intake.importing import import_file
from xiaobao.services.complaints.queries import counts

DEMO_PASSWORD = "xiaobao-demo"
DEMO_INSTITUTION = "示例消费金融有限公司"
IMPORT_ACTOR = "system"
DISPATCHER = "supervisor1"

# username, role, display name, team (routing.yaml), staff id
DEMO_USERS: tuple[tuple[str, str, str, str | None, str], ...] = data.rows("staff", "users", "tttot")
# Who works each routing team's queue (weights: supervisors handle only part of the escalated work).
TEAM_MEMBERS: dict[str, list[tuple[str, int]]] = {
    team: list(data.weighted("staff", f"team_members.{team}")) for team in data.keys("staff", "team_members")}
TEAM_ZH = data.text_map("staff", "team_names")

# ---- people (data/people.yaml) -------------------------------------------------------------------
SURNAMES = ("".join(s * int(n) for s, n in data.weighted("people", "surnames.common"))
            + data.text("people", "surnames.others"))  # common surnames repeated by frequency
GIVEN_M = data.text("people", "given_names.male")
GIVEN_F = data.text("people", "given_names.female")
MOBILE_PREFIXES = data.texts("people", "mobile_prefixes")
# (GB/T 2260 code, province, city, district, weight) — the lender's home market (Henan) is heaviest.
REGIONS = data.rows("people", "regions", "ttttw")
STREETS = data.texts("people", "streets")
COMMUNITIES = data.texts("people", "communities")
EMAIL_NAMES = data.texts("people", "email.names")
EMAIL_DOMAINS = data.texts("people", "email.domains")
HARDSHIPS = tuple(data.text_map("people", "hardships").items())  # (phrase, severity)


@dataclass
class _Person:
    name: str
    surname: str
    male: bool
    id_number: str
    birth: date
    phone: str
    region: tuple
    address: str
    customer_no: str | None
    vulnerable: str | None = None  # hardship phrase
    email: str | None = None

    def age(self, on: date) -> int:
        return on.year - self.birth.year - ((on.month, on.day) < (self.birth.month, self.birth.day))


def _weighted(r: random.Random, items):
    return r.choices([i[0] for i in items], weights=[i[-1] for i in items])[0]


def _name(r: random.Random, male: bool, surname: str | None = None) -> tuple[str, str]:
    s = surname or r.choice(SURNAMES)
    chars = GIVEN_M if male else GIVEN_F
    given = r.choice(chars) + (r.choice(chars) if r.random() < 0.7 else "")
    return s + given, s


def _phone(r: random.Random) -> str:
    return r.choice(MOBILE_PREFIXES) + f"{r.randrange(10 ** 8):08d}"


def _id_number(r: random.Random, region_code: str, birth: date, male: bool) -> str:
    seq = r.randrange(0, 100) * 10 + r.choice((1, 3, 5, 7, 9) if male else (0, 2, 4, 6, 8))
    first17 = f"{region_code}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17)


def _birth(r: random.Random, today: date, age_lo: int, age_hi: int) -> date:
    age = r.randint(age_lo, age_hi)
    return date(today.year - age, 1, 1) - timedelta(days=r.randrange(0, 365))


def _address(r: random.Random, region: tuple) -> str:
    _, prov, city, district, _w = region
    head = city if prov == city else prov + city
    return (f"{head}{district}{r.choice(STREETS)}{r.randint(1, 300)}号{r.choice(COMMUNITIES)}"
            f"{r.randint(1, 20)}号楼{r.randint(1, 4)}单元{r.randint(1, 28)}{r.randint(1, 4):02d}室")


def _person(r: random.Random, today: date, *, elderly: bool = False) -> _Person:
    male = r.random() < 0.58
    if elderly:
        birth = _birth(r, today, 60, 78)
    else:
        band = r.random()
        birth = _birth(r, today, *((21, 34) if band < 0.56 else (35, 49) if band < 0.88 else (50, 59)))
    name, surname = _name(r, male)
    born_in = _weighted(r, [(x, x[-1]) for x in REGIONS])
    lives_in = born_in if r.random() < 0.7 else _weighted(r, [(x, x[-1]) for x in REGIONS])
    p = _Person(name=name, surname=surname, male=male, id_number=_id_number(r, born_in[0], birth, male), birth=birth,
                phone=_phone(r), region=lives_in, address=_address(r, lives_in),
                customer_no=f"C{r.randrange(10 ** 9, 10 ** 10)}" if r.random() < 0.88 else None)
    if r.random() < 0.025:
        p.vulnerable = r.choice(HARDSHIPS)[0]
    if r.random() < 0.3:
        p.email = f"{r.choice(EMAIL_NAMES)}{r.randrange(100, 99999)}@{r.choice(EMAIL_DOMAINS)}"
    return p


# ---- complaint texts (data/complaints.yaml, data/agents.yaml) ------------------------------------
CATEGORIES = data.weighted("complaints", "categories")
# What people take to the central bank's 12363 line: credit reports, payments, personal data.
PBOC_CATEGORIES = data.weighted("complaints", "pboc_categories")
PRODUCTS = data.weighted("complaints", "products")
# Each template: (facts, requests that fit those facts). Slots are filled by _slots().
TEMPLATES: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    category: list(data.records("complaints", f"templates.{category}", {"facts": "t", "requests": "T"}))
    for category in data.keys("complaints", "templates")}
HARDSHIP_ABOUT_DEBT = ("debt_collection", "pricing_fees", "repayment", "credit_report", "fraud_victim")
THREATS = data.text_map("complaints", "threats")  # flag: the sentence
SHORT = data.text_map("complaints", "summaries")
CONTACTS = data.texts("complaints", "contacts")
DEBTOR_REL = data.texts("complaints", "debtor_relations")
BANKS = data.texts("complaints", "banks")
INSURANCE = data.texts("complaints", "insurance")
MEMBERS = data.texts("complaints", "memberships")
PROXY_AGENCIES = data.texts("agents", "agencies")
PROXY_TEXT = data.text("agents", "default_script")
PROXY_HARDSHIPS = data.texts("agents", "hardships")
# Each agency sells something different and files its own script (the engine must find all three).
PROXY_TEXTS = data.text_map("agents", "scripts")
LAW_FIRMS = data.texts("agents", "law_firms")


# ---- individual voices (data/voices.yaml) --------------------------------------------------------
# Each genuine complaint is retold by its author (`_voice`): only part of the facts, in their own order
# and wording, with something of their own life, assembled from the small pieces below, so that two
# customers with the same problem share the gist but rarely a sentence — the same words from many
# distinct customers is what the black/gray engine calls a template (voices.yaml says more).
# `bench/blackgray_demo.py` measures what the black/gray engine then flags in the demo.
_SYNONYMS = {word: data.texts("voices", f"synonyms.{word}") for word in data.keys("voices", "synonyms")}
_OPENERS = data.texts("voices", "openers")
_CLOSERS = data.texts("voices", "closers")
_WHO = data.texts("voices", "who")
_JOBS = data.texts("voices", "jobs")
_CITIES = data.texts("voices", "cities")
_EFFECT = data.texts("voices", "effects")  # each reads after 我 (我整晚睡不着, 弄得我孩子都被吓到了)
_WHEN = data.texts("voices", "when")
_TRIED = data.texts("voices", "tried")
_ASIDE = data.texts("voices", "asides")


def _retell(r: random.Random, text: str) -> str:
    """Part of the facts, in the teller's order: the gist (first clause) stays, later clauses and
    sentences are left out or swapped now and then."""
    sentences = [x for x in re.split(r"(?<=[。！？])", text) if x]
    out = []
    for i, sentence in enumerate(sentences):
        body, end = (sentence[:-1], sentence[-1]) if sentence[-1] in "。！？" else (sentence, "。")
        clauses = [c for c in body.split("，") if c]
        if i and len(clauses) > 1 and r.random() < 0.2:
            continue
        clauses = clauses[:1] + [c for c in clauses[1:] if r.random() < 0.6]
        if len(clauses) > 2 and r.random() < 0.4:
            j = r.randrange(1, len(clauses) - 1)
            clauses[j], clauses[j + 1] = clauses[j + 1], clauses[j]
        if r.random() < 0.25:
            clauses.insert(r.randint(1, len(clauses)), r.choice(_ASIDE) + "我" + r.choice(_EFFECT))
        out.append("，".join(clauses) + (end if r.random() < 0.8 else r.choice(("！", "。", "……"))))
    if len(out) > 2 and r.random() < 0.35:
        out[0], out[1] = out[1], out[0]
    return "".join(out)


def _own(r: random.Random) -> str:
    """One sentence of the teller's own: who they are, what it did to them, or what they tried."""
    slots = {"job": r.choice(_JOBS), "city": r.choice(_CITIES), "kids": r.choice("一两三"), "calls": r.randint(2, 9)}
    pick = r.random()
    if pick < 0.35:
        text = r.choice(_WHO) + "，" + r.choice(_WHEN) + r.choice(("我", "弄得我", "我都")) + r.choice(_EFFECT)
    elif pick < 0.7:
        text = r.choice(_TRIED) + r.choice(("，", "，", "。")) + r.choice(_WHEN) + r.choice(("我", "弄得我")) + r.choice(_EFFECT)
    else:
        text = r.choice(_WHO) + "，" + r.choice(_TRIED)
    return text.format(**slots).rstrip("。") + r.choice(("。", "。", "！"))


_SYNONYM_RE = re.compile("|".join(sorted(map(re.escape, _SYNONYMS), key=len, reverse=True)))


def _voice(r: random.Random, text: str) -> str:
    # one pass, longest words first, so a replacement is never rewritten again (从来没有 ≠ 从来 + 没有)
    text = _SYNONYM_RE.sub(lambda m: r.choice(_SYNONYMS[m[0]]) if r.random() < 0.8 else m[0], text)
    sentences = [x for x in re.split(r"(?<=[。！？…])", _retell(r, text)) if x]
    for _ in range(r.choice((1, 1, 2, 2, 3))):
        sentences.insert(r.randint(0, len(sentences)), _own(r))
    return r.choice(_OPENERS) + "".join(sentences) + r.choice(_CLOSERS)


def _fmt_md(d: date | datetime) -> str:
    return f"{d.month}月{d.day}日"


def _money(v: float) -> str:
    return f"{int(v):,}元"


def _third_person(text: str, who: str) -> str:
    """First person → `who`, in one pass (so `who` itself is not rewritten)."""
    if who == "其":
        text = text.replace("我的", "\0").replace("本人的", "\0")
    return text.replace("本人", "\1").replace("我", "\1").replace("\0", "其").replace("\1", who)


def _slots(r: random.Random, p: _Person, at: datetime, product: str | None) -> dict[str, Any]:
    principal = r.choice((3000, 5000, 8000, 10000, 12000, 15000, 20000, 30000, 50000)) + r.choice((0, 0, 500, 1000))
    term = r.choice((3, 6, 6, 12, 12, 12, 24, 36))
    apr = round(r.uniform(7.2, 23.9), 1)
    real_apr = round(r.uniform(28, 48), 1)
    monthly = principal * (1 + real_apr / 100 * term / 12) / term
    fee = r.choice((58, 99, 168, 236, 320, 480, 650, 880, 1200, 1560, 2380))
    paid = principal * r.uniform(0.8, 1.3)
    limit = r.choice((5000, 8000, 10000, 20000, 30000, 50000))
    return {
        "product": product or "信用贷", "amount": _money(principal), "term": term, "apr": apr, "real_apr": real_apr,
        "monthly": f"{monthly:,.0f}", "daily": round(r.uniform(0.04, 0.098), 3), "fee": _money(fee),
        "od": r.choice((3, 5, 7, 12, 15, 20, 31, 45, 60, 90, 120)), "n": r.randint(5, 40), "k": r.randint(3, 30),
        "contacts": r.choice(CONTACTS), "debtor_rel": r.choice(DEBTOR_REL), "late_hour": r.choice((21, 22, 23)),
        "date1": _fmt_md(at - timedelta(days=r.randint(2, 40))), "bank": r.choice(BANKS),
        "amount2": _money(r.choice((356, 498, 820, 1033, 1288, 1876, 2450))), "limit": f"{limit:,}",
        "limit2": f"{limit // r.choice((2, 4, 5, 10)):,}", "insurance": r.choice(INSURANCE), "member": r.choice(MEMBERS),
        "wait": r.choice((20, 30, 40, 60)), "police_no": f"{p.region[0][:4]}{at:%Y%m%d}{r.randrange(10 ** 5):05d}",
        "paid": _money(paid), "remain": _money(principal * r.uniform(0.3, 0.9)), "pct": r.choice((2, 3, 5)),
        "d": r.randint(1, 6), "staffno": "", "age": p.age(at.date()), "name": p.name,
    }


# ---- handling texts (data/handling.yaml) ---------------------------------------------------------
REMEDIES_NFRA = list(data.texts("handling", "remedies.nfra"))
REMEDIES_PBOC = list(data.texts("handling", "remedies.pboc"))
BASIS = data.text_map("handling", "basis")
OUTCOMES: dict[str, list[tuple[str, int, str, str]]] = {  # result, weight, verification, reasons
    category: list(data.records("handling", f"outcomes.{category}",
                                {"result": "t", "weight": "w", "verification": "t", "reasons": "t"}))
    for category in data.keys("handling", "outcomes")}


def _tiers(key: str) -> tuple[str, str]:
    """`L1 → L2` as ("L1", "L2")."""
    tiers = tuple(tier.strip() for tier in key.split("→"))
    if len(tiers) != 2:
        raise data.DemoDataError(f"handling.yaml: transfer_reasons.{key}: 应写作「L1 → L2」")
    return tiers


TRANSFER_REASONS = {_tiers(key): list(data.texts("handling", f"transfer_reasons.{key}"))  # (from, to): reasons
                    for key in data.keys("handling", "transfer_reasons")}
PAUSE_NOTES = {reason: list(data.texts("handling", f"pause_notes.{reason}"))
               for reason in data.keys("handling", "pause_notes")}
SATISFACTION_BY_RESULT = {result: data.weighted("handling", f"satisfaction.{result}")
                          for result in data.keys("handling", "satisfaction")}
CALLBACK_NOTES = data.text_map("handling", "callback_notes")
NOTICE_CHANNELS = data.weighted("handling", "notice_channels")
NOTICE_PROOFS = {channel: data.row("handling", f"notice_proofs.{channel}", "tt")  # (label, number prefix)
                 for channel in data.keys("handling", "notice_proofs")}
REVIEW_UPHELD = list(data.texts("handling", "review.upheld"))
REVIEW_CHANGED = list(data.texts("handling", "review.changed"))
WITHDRAW_REASONS = list(data.texts("handling", "withdraw_reasons"))
EXTEND_REASONS = list(data.texts("handling", "extend_reasons"))


# ---- channels (data/channels.yaml) ---------------------------------------------------------------
CHANNEL_WEIGHTS = data.weighted("channels", "weights")
EXT_PREFIX = data.text_map("channels", "ticket_prefixes")
CHANNEL_ZH = data.text_map("channels", "names")
FORWARDED_BY = data.text_map("channels", "forwarded_by")  # how a regulator's forwarded complaint begins


def _time_of_day(r: random.Random, channel: str, day: date) -> datetime:
    """Hotline in service hours, online channels around the clock, regulators and letters on office days."""
    if channel in ("app", "wechat", "internet_platform", "email"):
        hour = r.choices(range(24), weights=[1, 1, 1, 1, 1, 1, 2, 4, 6, 8, 9, 9, 8, 8, 8, 8, 8, 7, 7, 8, 9, 9, 7, 4])[0]
    elif channel == "hotline":
        hour = r.choices(range(8, 21), weights=[3, 8, 10, 9, 6, 7, 9, 9, 8, 6, 5, 4, 3])[0]
    else:
        while day.weekday() >= 5:
            day -= timedelta(days=1 if r.random() < 0.5 else 2) if day.weekday() == 6 else timedelta(days=1)
        hour = r.randint(9, 16)
    return datetime.combine(day, time(hour, r.randrange(60), r.randrange(60)))


# ---- generation ----------------------------------------------------------------------------------
@dataclass
class _Plan:
    """Everything the lifecycle script of one complaint needs to know besides its row."""

    seed: int
    category: str
    city: str = "郑州市"  # where the complainant lives (for the mediation body)
    agency: bool = False  # filed by a proxy "rights-defence" agency
    refuse: bool = False


@dataclass
class _Record:
    at: datetime
    channel: str
    raw: dict[str, Any]
    plan: _Plan


def _make_record(r: random.Random, p: _Person, at: datetime, channel: str, category: str, *,
                 repeat_of: tuple[datetime, str] | None, agent: _Person | None, agent_kind: str | None,
                 agency: str | None = None) -> dict[str, Any]:
    """One intake row. agent_kind: relative (for an elderly parent), lawyer, or agency (代理维权)."""
    product = _weighted(r, PRODUCTS) if category not in ("marketing",) or r.random() < 0.5 else None
    slots = _slots(r, p, at, product)
    flags: list[str] = []
    respondent_branch, staff_ids = "客户服务中心", []
    if category == "debt_collection":
        respondent_branch = r.choice(("贷后管理部", "委外催收机构（某信息咨询有限公司）", "委外催收机构（某商务服务有限公司）"))
        if r.random() < 0.6:
            staff_ids = [f"WB{r.randrange(1000, 9999)}"]
    elif category == "marketing":
        respondent_branch = "营销中心"
    elif category in ("pricing_fees", "bundling", "credit_limit"):
        respondent_branch = "产品运营部"
    elif category == "service_attitude":
        staff = r.choice(("S001", "S002", "S003", "S001", f"S{r.randint(100, 399)}", f"S{r.randint(100, 399)}"))
        slots["staffno"] = staff
        staff_ids = [staff]
    elif category == "credit_report":
        respondent_branch = "征信管理岗"

    if agent_kind == "agency":
        text = PROXY_TEXTS.get(agency, PROXY_TEXT).format(name=p.name, agency=agency,
                                                          hardship=r.choice(PROXY_HARDSHIPS))
        request = "停息挂账，本金分60期偿还；减免全部罚息及费用；消除征信不良记录"
    else:
        facts, requests = r.choice(TEMPLATES[category])
        text = facts.format(**slots)
        request = r.choice(requests).format(**slots)
        age = p.age(at.date())
        if age >= 60:
            if r.random() < 0.85:
                flags.append("elderly")
            if r.random() < 0.6:
                text = f"本人今年{age}岁，不太会用智能手机。" + text
        if p.vulnerable:
            flags.append("vulnerable")
            text += f"我目前{p.vulnerable}，" + ("实在没有能力一次性还款。" if category in HARDSHIP_ABOUT_DEBT
                                                 else "希望贵司尽快处理。")
        threat_p = 0.15 if repeat_of else 0.03
        if r.random() < threat_p:
            threat = _weighted(r, (("media_threat", 5), ("regulator_threat", 0 if channel.startswith("regulator_") else 3),
                                   ("litigation_threat", 2)))
            flags.append(threat)
            text += THREATS[threat]
        if repeat_of:
            prev_at, prev_channel = repeat_of
            text = (f"我在{_fmt_md(prev_at)}已经通过{prev_channel}投诉过一次，到现在还没有解决，再次投诉。" + text)
        text = _voice(r, text + r.choice(("诉求：", "我的诉求是：", "", "希望：", "请求：")) + request + "。")

    raw: dict[str, Any] = {
        "channel": channel, "received_at": at.strftime("%Y-%m-%d %H:%M:%S"),
        "customer_name": p.name, "customer_phone": p.phone, "customer_id_number": p.id_number,
        "customer_no": p.customer_no, "respondent_institution": DEMO_INSTITUTION,
        "respondent_branch": respondent_branch, "respondent_staff_ids": staff_ids, "product": product,
        "category": category, "flags": flags, "request": request,
    }
    if channel in ("letter", "branch") or r.random() < 0.15:
        raw["contact_address"] = p.address
    if p.email and (channel == "email" or r.random() < 0.2):
        raw["email"] = p.email
    regulator = FORWARDED_BY.get(channel)
    if agent_kind == "agency":
        a = agent  # the agency's staffer, the same few across many filings
        raw.update(agent_name=a.name, agent_phone=a.phone, agent_id_number=a.id_number, agent_relation="other",
                   power_of_attorney=f"WT{at:%Y%m%d}{r.randrange(10 ** 4):04d}", poa_scope="代为投诉、协商还款",
                   poa_valid_until=(at.date() + timedelta(days=365)).isoformat())
    elif agent_kind == "relative":
        rel = "儿子" if agent.male else "女儿"
        parent = "父亲" if p.male else "母亲"
        if regulator:
            text = f"{regulator}消费者{p.surname}某的{rel}代为反映，" + _third_person(text, "其" + parent)
        else:
            text = (f"我是投诉人{p.name}的{rel}，老人年纪大了不会操作手机，受其委托代为投诉。"
                    + _third_person(text, "我" + parent))
        raw.update(agent_name=agent.name, agent_phone=agent.phone, agent_id_number=agent.id_number,
                   agent_relation="relative",
                   power_of_attorney=f"WT{at:%Y%m%d}{r.randrange(10 ** 4):04d}", poa_scope="代为投诉及接收处理意见",
                   poa_valid_until=(at.date() + timedelta(days=180)).isoformat())
    elif agent_kind == "lawyer":
        firm = LAW_FIRMS[int(agent.id_number[-2]) % len(LAW_FIRMS)]
        lead = (f"{regulator}{firm}{agent.surname}律师受消费者{p.surname}某委托反映，" if regulator
                else f"{firm}律师{agent.name}受{p.name}委托，就以下事项提出投诉：")
        text = lead + _third_person(text, "委托人")
        raw.update(agent_name=agent.name, agent_phone=agent.phone, agent_id_number=agent.id_number,
                   agent_relation="lawyer", power_of_attorney=f"LS{at:%Y%m%d}{r.randrange(10 ** 4):04d}",
                   poa_scope="特别授权：代为投诉、调解、和解",
                   poa_valid_until=(at.date() + timedelta(days=365)).isoformat())
    elif regulator:
        text = f"{regulator}消费者{p.surname}某反映，" + _third_person(text, "其")

    if channel == "internet_platform":
        text = (f"【投诉对象】{DEMO_INSTITUTION}【投诉问题】{SHORT[category]}【投诉要求】{request}"
                f"【涉诉金额】{slots['amount']}【详细描述】" + text)
    elif channel == "letter":
        text = "尊敬的贵公司领导：" + text + "此致 敬礼！"
    elif channel == "email":
        text = "您好！" + text + "盼复。"
    raw["text"] = text
    return raw


def _generate(n: int, rng: random.Random, start: datetime, end: datetime) -> list[_Record]:
    today = end.date()
    days = [(start + timedelta(days=i)).date() for i in range((end - start).days + 1)]
    day_w = []
    for i, d in enumerate(days):
        w = (0.72 if d.weekday() == 5 else 0.62 if d.weekday() == 6 else 1.0) * (0.85 + 0.3 * i / len(days))
        day_w.append(w * rng.uniform(0.75, 1.25))
    latest = end - timedelta(minutes=5)
    records: list[_Record] = []
    proxy_staff = [_person(rng, today) for _ in PROXY_AGENCIES]
    n_agency = max(12, n // 80)  # ≥ 4 filings per agency, so even a small demo shows its gangs

    def add(at: datetime, channel: str, category: str, p: _Person, repeat_of, agent: _Person | None,
            agent_kind: str | None, *, agency: str | None = None, refuse: bool = False) -> None:
        raw = _make_record(rng, p, at, channel, category, repeat_of=repeat_of, agent=agent, agent_kind=agent_kind,
                           agency=agency)
        records.append(_Record(at, channel, raw, _Plan(rng.getrandbits(48), category, p.region[2], bool(agency),
                                                       refuse)))

    # Proxy-agency filings: template text, same few agency staff, mostly refused after verification.
    for i in range(n_agency):
        at = start + (end - start) * rng.uniform(0.05, 0.97)
        at = min(at, end - timedelta(days=3))
        k = i % len(PROXY_AGENCIES)
        channel = rng.choice(("hotline", "email", "letter"))
        add(_time_of_day(rng, channel, at.date()), channel, "debt_collection", _person(rng, today), None,
            proxy_staff[k], "agency", agency=PROXY_AGENCIES[k], refuse=i % 3 != 2)

    # A few filed online in the last hours: still waiting in the intake queue.
    for _ in range(max(2, n // 400)):
        channel = rng.choice(("app", "app", "wechat", "internet_platform"))
        at = (end - timedelta(minutes=rng.uniform(10, 180))).replace(microsecond=0)
        add(max(at, start), channel, _weighted(rng, CATEGORIES), _person(rng, today), None, None, None)

    while len(records) < n:
        elderly = rng.random() < 0.07
        p = _person(rng, today, elderly=elderly)
        size = _weighted(rng, ((1, 80), (2, 13), (3, 4), (4, 1.5), (5, 1), (6, 0.5)))
        day = rng.choices(days, weights=day_w)[0]
        channel = _weighted(rng, CHANNEL_WEIGHTS)
        at = _time_of_day(rng, channel, day)
        category = _weighted(rng, PBOC_CATEGORIES if channel == "regulator_12363" else CATEGORIES)
        agent, agent_kind = None, None
        if elderly and rng.random() < 0.5:  # a son or daughter files for an elderly parent
            agent, agent_kind = _person(rng, today), "relative"
            agent.name, agent.surname = _name(rng, agent.male, p.surname)
        elif rng.random() < 0.025:
            agent, agent_kind = _person(rng, today), "lawyer"
        prev = None
        for j in range(size):
            if j:
                gap = rng.uniform(1, 12) if rng.random() < 0.8 else rng.uniform(20, 75)
                channel = _weighted(rng, (("hotline", 30), ("app", 20), (channel, 25), ("regulator_12378", 8),
                                          ("regulator_12363", 3), ("internet_platform", 8)))
                at = _time_of_day(rng, channel, (prev[0] + timedelta(days=gap)).date())
                if rng.random() < 0.2:
                    category = _weighted(rng, CATEGORIES)
                if channel == "regulator_12363" and category not in [c for c, _w in PBOC_CATEGORIES]:
                    channel = "regulator_12378"  # the central bank's line takes credit-report, payment and data cases
            if at > latest or at < start:
                break
            add(at, channel, category, p, (prev[0], CHANNEL_ZH[prev[1]]) if prev else None, agent, agent_kind)
            prev = (at, channel)
            if len(records) >= n:
                break
    records.sort(key=lambda x: x.at)
    # Ticket numbers in receipt order, per channel and day, the way source systems number them.
    seq: dict[tuple[str, date], int] = {}
    for rec in records:
        key = (rec.channel, rec.at.date())
        seq[key] = seq.get(key, 0) + 1
        ext = f"{EXT_PREFIX[rec.channel]}{rec.at:%Y%m%d}{seq[key]:04d}"
        rec.raw["external_id"] = ext
        if rec.channel.startswith("regulator_"):
            kind = "金管投诉" if rec.channel.endswith("12378") else "人行转办"
            rec.raw["regulator_ref"] = f"{kind}〔{rec.at:%Y}〕{rec.at:%m%d}{seq[key]:03d}号"
    return records


# ---- simulation ----------------------------------------------------------------------------------
class _Sim:
    def __init__(self, ctx: Context, end: datetime, actors: dict[str, Actor]):
        self.ctx = ctx
        self.end = end
        self.clock = end
        self.actors = actors
        self.state: dict[int, Complaint] = {}
        self.heap: list[tuple[datetime, int, Iterator[datetime]]] = []
        self.n = 0
        self.actions: dict[str, int] = {}
        self.refused: list[str] = []  # domain refusals met (should stay empty; kept for the summary)
        self.imports = 0
        self.imported = 0

    # scheduling
    def at(self, when: datetime, gen: Iterator[datetime]) -> None:
        heapq.heappush(self.heap, (when, self.n, gen))
        self.n += 1

    def run(self) -> None:
        while self.heap:
            when, _, gen = heapq.heappop(self.heap)
            if when > self.end:
                break  # the rest has not happened yet
            self.clock = when
            try:
                nxt = next(gen)
            except StopIteration:
                continue
            self.at(max(nxt, when), gen)

    # time helpers
    def work(self, t: datetime, r: random.Random) -> datetime:
        """Staff act between 08:30 and 20:30."""
        t = t.replace(microsecond=0)
        if t.time() < time(8, 30):
            return datetime.combine(t.date(), time(8, 30)) + timedelta(minutes=r.randrange(0, 90))
        if t.time() > time(20, 30):
            return datetime.combine(t.date() + timedelta(days=1), time(8, 30)) + timedelta(minutes=r.randrange(0, 90))
        return t

    def later(self, r: random.Random, lo_h: float, hi_h: float) -> datetime:
        return self.work(self.clock + timedelta(hours=r.uniform(lo_h, hi_h)), r)

    # service calls
    def call(self, fn: Callable[..., Complaint], cid: int, *args, **kw) -> Complaint | None:
        try:
            c = fn(self.ctx, cid, *args, **kw)
        except DomainError as e:
            self.refused.append(f"#{cid} {fn.__name__}: {e.message}")
            return None
        self.actions[fn.__name__] = self.actions.get(fn.__name__, 0) + 1
        if fn is not H.merge:
            self.state[cid] = c
        return c

    def label_if_asked(self, cid: int, category: str, me: Actor, r: random.Random) -> None:
        """Most handlers, once they know what a complaint is about, label the ones the classifier left to a
        person (the corrections a model is later trained on); some leave it for the labelling queue."""
        from xiaobao.services.classify import classification

        if r.random() >= 0.6:
            return
        try:
            if not classification.prediction(self.ctx, cid)["needs_person"]:
                return
            classification.correct(self.ctx, cid, me, category=category, reason="办理中核实诉求后标注类别")
        except DomainError as e:
            self.refused.append(f"#{cid} classify.correct: {e.message}")
            return
        self.actions["classify.correct"] = self.actions.get("classify.correct", 0) + 1

    def status(self, cid: int) -> Status:
        return Status(self.state[cid].status)

    def pick(self, c: Complaint, r: random.Random, exclude: tuple[str, ...] = ()) -> str:
        staff = set(c.respondent.get("staff_ids") or [])
        members = [(u, w) for u, w in TEAM_MEMBERS.get(c.team or "frontline", TEAM_MEMBERS["frontline"])
                   if u not in exclude and u not in staff and self.actors[u].staff_id not in staff]
        if not members:
            members = [(u, w) for u, w in TEAM_MEMBERS["escalation"] if u not in exclude]
        return _weighted(r, members)

    # imports
    def importer(self, slots: list[tuple[datetime, list[_Record]]], workdir: Path) -> Iterator[datetime]:
        for k, (slot, recs) in enumerate(slots):
            path = workdir / f"demo-{slot:%Y%m%d-%H%M}.jsonl"
            with path.open("w", encoding="utf-8") as f:
                for rec in recs:
                    f.write(json.dumps(rec.raw, ensure_ascii=False) + "\n")
            report = import_file(self.ctx, path, actor=IMPORT_ACTOR)
            if report.errors:
                raise RuntimeError(f"demo data failed validation: {report.errors[:5]}")
            self.imports += 1
            self.imported += report.inserted
            plans = {(rec.channel, rec.raw["external_id"]): rec.plan for rec in recs}
            with self.ctx.store.uow(write=False) as uow:
                loaded = uow.complaints.by_keys([(rec.channel, rec.raw["external_id"]) for rec in recs])
            for c in loaded:
                self.state[c.id] = c
                plan = plans[(c.channel, c.external_id)]
                r = random.Random(plan.seed)
                gen = self.life(c.id, plan, r)
                self.at(self.work(self.clock + timedelta(hours=r.uniform(0.1, 4)), r), gen)
            if k + 1 < len(slots):
                yield slots[k + 1][0]

    # one complaint's life
    def life(self, cid: int, plan: _Plan, r: random.Random) -> Iterator[datetime]:
        A = self.actors
        sup = A[DISPATCHER]
        c = self.state[cid]

        def ref(prefix: str) -> str:  # a document / record number dated today
            return f"{prefix}{self.clock:%Y%m%d}{r.randrange(10 ** 6):06d}"

        if plan.refuse:
            who = A[self.pick(c, r)]
            self.call(H.refuse, cid, who, notice_proof=ref("SMS"),
                      reason="经向消费者本人电话核实，其未签署授权委托书，亦未委托该机构代为投诉；提起人不是消费者本人或其"
                             "合法授权的代理人，依据投诉办法第十八条第四款不予受理。已告知提起人，并引导消费者本人直接提出诉求")
            return

        # A repeat within the first complaint's period: the expert merges it into the first.
        if c.repeat_of_id and c.repeat_of_id in self.state and r.random() < 0.6:
            parent = self.state[c.repeat_of_id]
            if Status(parent.status) in (Status.RECEIVED, Status.ACCEPTED, Status.IN_PROGRESS) and (
                    parent.due_date is None or c.received_at.date() <= parent.due_date):
                new_facts = Status(parent.status) != Status.RECEIVED and r.random() < 0.3
                who = A[self.pick(c, r)]
                if who.team != c.team:  # a queue worked by staff of another team: the dispatcher merges (override)
                    who = sup
                note = (f"处理期内重复投诉，合并至 #{parent.id} 办理" +
                        ("；本次投诉补充了新的扣款/通话记录，原投诉处理期限重新计算" if new_facts else ""))
                p = self.call(H.merge, cid, parent.id, who, new_facts=new_facts, note=note)
                if p is not None:
                    self.state[parent.id] = p
                    return

        assignee = self.pick(c, r)
        self.call(H.assign, cid, sup, assignee, reason=f"按分层路由派单至{TEAM_ZH.get(c.team, c.team)}")
        me = A[assignee]
        yield self.later(r, 0.05, 2.5)
        if r.random() < 0.6:  # otherwise the handler starts at once (受理 and 处理 in one step)
            self.call(H.accept, cid, me, note=r.choice(("已受理，已告知投诉人处理时限", "已受理", "已受理并短信告知受理编号")))
            yield self.later(r, 20, 70) if r.random() < 0.12 else self.later(r, 0.1, 16)
        self.call(H.start, cid, me, note="" if Status(self.state[cid].status) == Status.ACCEPTED else "受理并开始处理")

        # Tier transfers as the facts come out.
        for tier, team, reason in self.transfer_plan(self.state[cid], r):
            yield self.work(self.clock + timedelta(days=r.uniform(0.3, 2.5)), r)
            if self.status(cid) not in (Status.ACCEPTED, Status.IN_PROGRESS):
                break
            if self.call(H.transfer, cid, me, tier=tier, team=team, reason=reason) is None:
                break
            yield self.later(r, 0.2, 5)
            assignee = self.pick(self.state[cid], r)
            self.call(H.assign, cid, sup, assignee, reason=f"转派后分派至{TEAM_ZH.get(team, team)}")
            me = A[assignee]

        withdraw = r.random() < 0.025
        pause = r.random() < (0.12 if plan.category in ("fraud_victim", "credit_report") else 0.05)
        extend = 0 if r.random() > 0.1 else (2 if r.random() < 0.3 else 1)
        slow = extend == 0 and r.random() < 0.035

        if pause:
            c = self.state[cid]
            t = self.work(self.clock + timedelta(days=r.uniform(0.5, 5)), r)
            if c.due_date is not None and t.date() > c.due_date:
                t = max(self.clock, datetime.combine(c.due_date, time(10)))
            if c.due_date is None or t.date() <= c.due_date:
                yield t
                reason = "appraisal" if plan.category in ("fraud_victim", "credit_report") and r.random() < 0.6 \
                    else "mediation"
                notes = PAUSE_NOTES[reason]
                if reason == "appraisal":
                    notes = notes[1:] if plan.category == "debt_collection" else notes[:1]
                note = r.choice(notes).format(city=plan.city, ts=f"{self.clock:%Y%m%d}{r.randrange(1000):03d}")
                if self.status(cid) in (Status.ACCEPTED, Status.IN_PROGRESS) and \
                        self.call(H.pause, cid, me, reason, notice_proof=f"TZ{cid:05d}-{reason[:3].upper()}", note=note) is not None:
                    yield self.work(self.clock + timedelta(days=r.uniform(4, 28)), r)
                    if self.status(cid) == Status.PAUSED:
                        if reason == "mediation" and r.random() < 0.3:
                            self.call(H.withdraw, cid, me, reason=f"调解达成一致，投诉人书面撤回投诉（调解协议{ref('TJXY')}）")
                            return
                        self.call(H.resume, cid, me, note="调解未达成一致，恢复计时" if reason == "mediation"
                                  else "鉴定意见已出具，恢复计时")

        if withdraw:
            yield self.work(self.clock + timedelta(days=r.uniform(0.3, 6)), r)
            if self.status(cid) in OPEN:
                self.call(H.withdraw, cid, me, reason=r.choice(WITHDRAW_REASONS).format(ref=ref("REC")))
                return

        for _ in range(extend):
            c = self.state[cid]
            if c.due_date is None or self.clock.date() > c.due_date:
                break
            t = datetime.combine(c.due_date - timedelta(days=r.randint(0, 3)), time(r.randint(9, 17), r.randrange(60)))
            yield max(t, self.clock + timedelta(minutes=10))
            if not self.extend(cid, me, r, ref):
                break

        # The decision.
        c = self.state[cid]
        if Status(c.status) not in (Status.ACCEPTED, Status.IN_PROGRESS):
            return
        due = c.due_date or self.clock.date()
        cap = datetime.combine(due, time(17, 30))
        if slow:
            target = cap + timedelta(days=r.uniform(1, 40))
        elif c.clock_level > 0:
            room = max(0.5, (cap - self.clock).total_seconds() / 86400 - 0.5)
            target = self.clock + timedelta(days=r.uniform(min(2.0, room), room))
        else:
            target = c.received_at + timedelta(days=r.triangular(1.2, 13.5, 4.5) if not c.regulator else r.uniform(2, 10))
            if target > cap:
                target = cap - timedelta(hours=r.uniform(1, 30))
        target = max(target, self.clock + timedelta(hours=r.uniform(0.5, 3)))
        yield self.work(target, r)
        if self.status(cid) not in (Status.ACCEPTED, Status.IN_PROGRESS):
            return
        self.label_if_asked(cid, plan.category, me, r)
        result, verification, reasons = self.outcome(self.state[cid], plan, r)
        remedies = list(REMEDIES_PBOC if c.clock_policy == "pboc_forwarded" else REMEDIES_NFRA)
        if self.call(H.decide, cid, me, result=result, reasons=reasons, basis=BASIS[plan.category],
                     verification=verification, remedies=remedies) is None:
            return

        # Notice of the decision, normally at once, now and then only near (or after) the due date.
        c = self.state[cid]
        due = c.due_date or self.clock.date()
        late = r.random() < 0.02
        if late:
            t = datetime.combine(due, time(15)) + timedelta(days=r.uniform(-2, 4))
        else:
            t = self.clock + timedelta(hours=r.uniform(0.2, 26))
            if not slow:
                t = min(t, datetime.combine(due, time(20)))
        yield self.work(max(t, self.clock + timedelta(minutes=15)), r)
        channel = _weighted(r, NOTICE_CHANNELS)
        if c.channel == "letter" and r.random() < 0.7:
            channel = "letter"
        label, prefix = NOTICE_PROOFS[channel]
        proof = f"{label} {prefix}{r.randrange(10 ** 11, 10 ** 12)}" if channel == "letter" else f"{label} {ref(prefix)}"
        if self.call(H.notify, cid, me, channel=channel, proof=proof) is None:
            return
        notified = self.clock

        # Callback and closing.
        satisfaction = None
        if r.random() < 0.82:
            yield self.work(self.clock + timedelta(days=r.uniform(0.5, 5)), r)
            caller = A[r.choice(("agent1", "agent2", "agent3"))] if me.team == "frontline" or r.random() < 0.5 else me
            satisfaction = _weighted(r, SATISFACTION_BY_RESULT[result])
            self.call(H.record_callback, cid, caller, satisfaction=satisfaction, note=CALLBACK_NOTES[satisfaction])
            yield self.later(r, 0.1, 6)
        else:
            yield self.work(self.clock + timedelta(days=r.uniform(2, 8)), r)
        self.call(H.close, cid, me, note="处理意见已告知，办结" if satisfaction != "dissatisfied"
                  else "处理意见已告知，客户仍有异议，已告知核查渠道，办结")

        # 核查: a written request within 30 days of the notice, decided by someone other than the decider.
        if c.clock_policy == "pboc_forwarded":
            return
        if r.random() < (0.3 if satisfaction == "dissatisfied" else 0.006):
            yield self.work(max(self.clock, notified + timedelta(days=r.uniform(2, 24))), r)
            registrar = A[r.choice(("agent1", "agent2", "agent3"))]
            if self.call(H.request_review, cid, registrar, written_ref=ref("HC")) is None:
                return
            decider = self.state[cid].decision["by"]
            reviewer = r.choice([u for u in ("supervisor1", "compliance1") if u != decider])
            yield self.later(r, 0.5, 20)
            self.call(H.assign, cid, sup, reviewer, reason="核查申请，指定核查人（与原处理人不同）")
            span = r.uniform(4, 27) if r.random() < 0.9 else r.uniform(31, 36)
            yield self.work(self.clock + timedelta(days=span), r)
            changed = r.random() < 0.25
            self.call(H.decide_review, cid, A[reviewer], outcome="changed" if changed else "upheld_original",
                      reasons=r.choice(REVIEW_CHANGED if changed else REVIEW_UPHELD))

    def fill_gaps(self, r: random.Random) -> None:
        """Small datasets or an unlucky hour can leave a status unseen; show each one with a last action now."""
        self.clock = self.end
        today = self.end.date()

        def latest(status: Status, ok: Callable[[Complaint], bool] = lambda c: True, keep: int = 1) -> Complaint | None:
            """The newest complaint in `status` passing `ok`, if taking it still leaves `keep` in that status."""
            with self.ctx.store.uow(write=False) as uow:
                items, total = uow.complaints.find(ComplaintQuery(status=[str(status)], today=today, limit=50))
            if total <= keep:
                return None
            return next((c for c in items if ok(c)), None)

        def have(status: Status) -> bool:
            with self.ctx.store.uow(write=False) as uow:
                return uow.complaints.count_by("status").get(str(status), 0) > 0

        def handler(c: Complaint) -> Actor:
            return self.actors[c.assignee] if c.assignee in self.actors else self.actors[self.pick(c, r)]

        sup = self.actors[DISPATCHER]
        if not have(Status.NOTIFIED) and (c := latest(Status.DECIDED)):
            self.call(H.notify, c.id, handler(c), channel="phone", proof=f"告知录音 REC{today:%Y%m%d}{c.id:06d}")
        if not have(Status.DECIDED) and (c := latest(Status.IN_PROGRESS, keep=2)):
            result, verification, reasons = self.outcome(c, _Plan(0, c.category or "other"), r)
            self.call(H.decide, c.id, handler(c), result=result, reasons=reasons,
                      basis=BASIS.get(c.category or "other", BASIS["other"]), verification=verification,
                      remedies=list(REMEDIES_PBOC if c.clock_policy == "pboc_forwarded" else REMEDIES_NFRA))
        if not have(Status.PAUSED) and (c := latest(Status.IN_PROGRESS, lambda c: c.due_date and c.due_date >= today,
                                                     keep=2)):
            self.call(H.pause, c.id, handler(c), "mediation", notice_proof=f"TY{c.id:05d}", note=f"经双方同意，提交金融消费纠纷调解组织调解（调解编号TJ{today:%Y%m%d}{c.id:03d}）")
        if not have(Status.ACCEPTED) and (c := latest(Status.RECEIVED)):
            if c.assignee is None:
                self.call(H.assign, c.id, sup, self.pick(c, r), reason=f"按分层路由派单至{TEAM_ZH.get(c.team, c.team)}")
            self.call(H.accept, c.id, handler(self.state.get(c.id, c)), note="已受理")
        if not have(Status.IN_REVIEW):
            window = today - timedelta(days=25)
            c = latest(Status.CLOSED, lambda c: c.clock_policy != "pboc_forwarded" and c.notified_at is not None
                       and c.notified_at.date() >= window)
            if c is not None:
                self.call(H.request_review, c.id, self.actors["agent1"], written_ref=f"HC{today:%Y%m%d}{c.id:06d}")

    def transfer_plan(self, c: Complaint, r: random.Random) -> list[tuple[str, str, str]]:
        tier, out = str(c.tier), []
        if tier == "L1":
            x = r.random()
            if x < 0.12:
                out.append(("L2", "collection_expert" if c.category == "debt_collection" else "expert",
                            r.choice(TRANSFER_REASONS[("L1", "L2")])))
                if r.random() < 0.15:
                    out.append(("L4", "escalation", r.choice(TRANSFER_REASONS[("L2", "L4")])))
            elif x < 0.14:
                out.append(("L3", "care", r.choice(TRANSFER_REASONS[("L1", "L3")])))
            elif x < 0.15:
                out.append(("L4", "escalation", r.choice(TRANSFER_REASONS[("L1", "L4")])))
        elif tier == "L2" and r.random() < 0.07:
            out.append(("L4", "escalation", r.choice(TRANSFER_REASONS[("L2", "L4")])))
        elif tier == "L3" and r.random() < 0.04:
            out.append(("L4", "escalation", r.choice(TRANSFER_REASONS[("L3", "L4")])))
        return out

    def extend(self, cid: int, me: Actor, r: random.Random, ref: Callable[[str], str]) -> bool:
        c = self.state[cid]
        if self.status(cid) not in (Status.ACCEPTED, Status.IN_PROGRESS):
            return False
        if c.due_date is None or self.clock.date() > c.due_date:
            return False  # a merge with new facts may have restarted the clock meanwhile
        policy = self.ctx.rules.regime.policy(c.clock_policy)
        level = c.clock_level + 1
        if level >= len(policy.stages):
            return False
        stage = policy.stage(level)
        kw: dict[str, Any] = {}
        reason = r.choice(EXTEND_REASONS)
        if stage.requires_approver:
            kw["approver"] = r.choice([u for u in ("supervisor1", "compliance1") if u != me.username])
            reason = f"特别复杂：{reason}，经{self.actors[kw['approver']].display_name}审批延长至{stage.days}日"
        else:
            reason = f"情况复杂、处理难度大：{reason}，延长至{stage.days}日"
        if stage.requires_notice:
            kw["notice_proof"] = f"延期告知{r.choice(('录音 ' + ref('REC'), '短信 ' + ref('SMS')))}"
        return self.call(H.extend, cid, me, reason=reason, **kw) is not None

    def outcome(self, c: Complaint, plan: _Plan, r: random.Random) -> tuple[str, str, str]:
        if plan.agency:
            return ("partially_upheld", "核实委托关系有效；调取催收录音及费用明细，催收频次超标，费用计算与合同一致",
                    ("对催收频次超标问题已整改；停息挂账、减免全部费用的诉求无合同及法律依据，不予支持；"
                    "可为消费者本人办理个性化分期，请消费者本人联系我司"))
        options = OUTCOMES[plan.category]
        result, _w, verification, reasons = options[r.choices(range(len(options)), weights=[o[1] for o in options])[0]]
        d2 = c.received_at.date() - timedelta(days=r.randint(0, 3))
        slots = {"d1": _fmt_md(d2 - timedelta(days=r.randint(5, 40))), "d2": _fmt_md(d2), "n": r.randint(3, 24),
                 "term": r.choice((3, 6, 12)), "od": r.randint(3, 90), "apr": round(r.uniform(9.9, 23.9), 1),
                 "fee": _money(r.choice((99, 168, 320, 480, 880, 1200))),
                 "amount2": _money(r.choice((356, 498, 820, 1033, 1288)))}
        return result, verification.format(**slots), reasons.format(**slots)


def _slots_for_import(records: list[_Record], end: datetime) -> list[tuple[datetime, list[_Record]]]:
    """Channel systems sync twice a day (12:00 and 21:00), and once more at the end."""
    out: dict[datetime, list[_Record]] = {}
    for rec in records:
        d = rec.at.date()
        if rec.at.time() < time(12):
            slot = datetime.combine(d, time(12))
        elif rec.at.time() < time(21):
            slot = datetime.combine(d, time(21))
        else:
            slot = datetime.combine(d + timedelta(days=1), time(12))
        out.setdefault(min(slot, end), []).append(rec)
    return sorted(out.items(), key=lambda kv: kv[0])


def _create_users(ctx: Context) -> dict[str, Actor]:
    actors = {}
    for username, role, display, team, staff in DEMO_USERS:
        create_user(ctx, username=username, password=DEMO_PASSWORD, role=role, display_name=display, team=team,
                    staff_id=staff, by="system" if username == "admin" else "admin")
        actors[username] = Actor(username, Role(role), staff, team, display)
    return actors


def load_demo(ctx: Context, *, complaints: int = 2400, seed: int = 20261121) -> dict:
    """Fill an empty database with demo users and `complaints` complaints over the six months to `ctx.now()`.

    Raises `Conflict` if the database already holds users or complaints. `ctx.now` is replaced while the
    history is replayed and restored afterwards. Returns counts: users, complaints, imports, actions
    (service calls made), refused_actions (domain refusals met; 0 expected), by_status, by_tier,
    by_channel, overdue, due_within_3_days, review_overdue and seconds taken.
    """
    started = _time.perf_counter()
    with ctx.store.uow(write=False) as uow:
        if uow.users.all() or uow.complaints.count_by("status"):
            raise Conflict("演示数据只能加载到空数据库（已存在用户或投诉）")
    end = ctx.now().replace(microsecond=0)
    start = end - timedelta(days=182)
    rng = random.Random(seed)
    records = _generate(complaints, rng, start, end)

    original_now = ctx.now
    sim = _Sim(ctx, end, {})
    ctx.now = lambda: sim.clock
    try:
        sim.clock = start - timedelta(days=14) + timedelta(hours=10)
        sim.actors = _create_users(ctx)
        with tempfile.TemporaryDirectory(prefix="xiaobao-demo-") as tmp:
            slots = _slots_for_import(records, end)
            if slots:
                sim.at(slots[0][0], sim.importer(slots, Path(tmp)))
            sim.run()
            sim.fill_gaps(random.Random(seed + 1))
    finally:
        ctx.now = original_now
    from xiaobao.services.blackgray.leads import refresh_leads

    from xiaobao.demo.marketing import load_marketing_demo

    lead_stats = refresh_leads(ctx)
    marketing_stats = load_marketing_demo(ctx, sim.actors)
    from xiaobao.demo.collection import load_collection_demo

    collection_stats = load_collection_demo(ctx)
    summary = counts(ctx)
    return {
        "users": len(DEMO_USERS), "complaints": sim.imported, "imports": sim.imports,
        "actions": sum(sim.actions.values()), "refused_actions": len(sim.refused),
        "by_status": dict(sorted(summary["by_status"].items())), "by_tier": dict(sorted(summary["by_tier"].items())),
        "by_channel": dict(sorted(summary["by_channel"].items())), "overdue": summary["overdue"],
        "due_within_3_days": summary["due_within_3_days"], "review_overdue": summary["review_overdue"],
        "leads": lead_stats["leads"], "marketing_materials": marketing_stats["materials"],
        "collection_calls": collection_stats["calls"], "seconds": round(_time.perf_counter() - started, 1),
    }
