"""Raw call records (JSONL line, CSV row, API body) → validated `Call`s.

Every problem in a record is collected, not only the first, so a person fixing the file sees each
field at once. Field names follow the CLI contract: call_id, agency, collector_id, debtor_id,
started_at, duration_s, callee_relation, transcript; optional connected, callee_number, debtor_tz,
debtor_region, consent (list or {flag: true}), debtor_unreachable, amount_due.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from xiaobao.domain.errors import InvalidValue
from xiaobao.rules import RulesError
from xiaobao.engines.collection.adapter import DiarisedTurns
from xiaobao.engines.collection.model import Call
from xiaobao.engines.collection.policy import Policy

REQUIRED = ("call_id", "agency", "collector_id", "debtor_id", "started_at", "duration_s", "callee_relation",
            "transcript")
KNOWN = frozenset(REQUIRED + ("connected", "callee_number", "debtor_tz", "debtor_region", "consent",
                              "debtor_unreachable", "amount_due"))
MAX_ID = 128
_TRUE = {"true", "1", "yes", "y", "是", "t"}
_FALSE = {"false", "0", "no", "n", "否", "f"}


@dataclass(frozen=True)
class FieldError:
    field: str
    reason: str


def _s(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return unicodedata.normalize("NFC", str(v)).strip()


def _bool(v: Any, field: str) -> bool | None:
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return v
    s = _s(v).lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise InvalidValue(field, f"应为 true/false，实际 {v!r}")


def parse_started_at(v: Any, policy: Policy) -> datetime:
    s = unicodedata.normalize("NFKC", _s(v)).replace("/", "-")
    if not s:
        raise InvalidValue("started_at", "缺少通话开始时间")
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        raise InvalidValue("started_at", f"无法识别的时间 {s!r}（应为 ISO 8601，如 2026-11-20T21:30:00+08:00）") from None
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=policy.naive_tz)


def parse_call(raw: dict[str, Any], policy: Policy, turns: DiarisedTurns | None = None
               ) -> tuple[Call | None, list[FieldError]]:
    errors: list[FieldError] = []
    turns = turns or DiarisedTurns()

    def check(fn, *args):
        try:
            return fn(*args)
        except InvalidValue as e:
            errors.append(FieldError(e.field, e.reason))
        except RulesError as e:
            errors.append(FieldError("debtor_tz", str(e)))
        return None

    ids = {}
    for f in ("call_id", "agency", "collector_id", "debtor_id"):
        ids[f] = _s(raw.get(f))
        if not ids[f]:
            errors.append(FieldError(f, "缺少必填字段"))
        elif len(ids[f]) > MAX_ID:
            errors.append(FieldError(f, f"超过{MAX_ID}个字符"))
    started = check(parse_started_at, raw.get("started_at"), policy)
    duration = None
    try:
        duration = float(_s(raw.get("duration_s")) or "x")
        if duration < 0 or duration > 86400:
            errors.append(FieldError("duration_s", "通话时长须在 0–86400 秒之间"))
    except ValueError:
        errors.append(FieldError("duration_s", f"应为秒数，实际 {raw.get('duration_s')!r}"))
    relation_raw = _s(raw.get("callee_relation"))
    relation = policy.canonical_relation(relation_raw) if relation_raw else None
    if not relation_raw:
        errors.append(FieldError("callee_relation", "缺少被叫关系（debtor/contact/family…）"))
    elif relation is None:
        errors.append(FieldError("callee_relation", f"未知关系 {relation_raw!r}，可用：{', '.join(sorted(set(policy.relation_aliases.values())))}"))
    transcript_raw = raw.get("transcript")
    if isinstance(transcript_raw, str):  # a CSV cell holds the transcript as JSON text
        try:
            transcript_raw = json.loads(transcript_raw) if transcript_raw.strip() else []
        except json.JSONDecodeError as e:
            errors.append(FieldError("transcript", f"JSON 格式错误：{e.msg}"))
            transcript_raw = None
    transcript = () if transcript_raw is None and any(e.field == "transcript" for e in errors) else \
        check(turns.turns, [] if transcript_raw is None else transcript_raw)
    connected = check(_bool, raw.get("connected"), "connected")
    unreachable = check(_bool, raw.get(policy.unreachable_flag), policy.unreachable_flag)
    consent = _consent(raw.get("consent"), errors)
    amount = None
    if _s(raw.get("amount_due")):
        try:
            amount = Decimal(_s(raw.get("amount_due")).replace(",", ""))
            if amount < 0:
                errors.append(FieldError("amount_due", "不能为负数"))
        except InvalidOperation:
            errors.append(FieldError("amount_due", f"应为金额，实际 {raw.get('amount_due')!r}"))
    tz = _s(raw.get("debtor_tz")) or None
    if tz:
        check(policy.zone_for, tz, None)
    if errors:
        return None, errors
    transcript = transcript or ()
    if connected is None:
        connected = duration > 0 and bool(transcript)
    extras = {k: v for k, v in raw.items() if k not in KNOWN}
    return Call(call_id=ids["call_id"], agency=ids["agency"], collector_id=ids["collector_id"],
                debtor_id=ids["debtor_id"], started_at=started, duration_s=duration, callee_relation=relation,
                transcript=transcript, connected=connected, callee_number=_s(raw.get("callee_number")) or None,
                debtor_tz=tz, debtor_region=_s(raw.get("debtor_region")) or None, consent=consent,
                debtor_unreachable=unreachable, amount_due=amount, extras=extras), []


def _consent(v: Any, errors: list[FieldError]) -> frozenset[str]:
    if v is None or v == "":
        return frozenset()
    if isinstance(v, dict):
        return frozenset(str(k) for k, on in v.items() if on)
    if isinstance(v, (list, tuple)):
        return frozenset(_s(x) for x in v if _s(x))
    if isinstance(v, str):
        return frozenset(p.strip() for p in v.replace("，", ",").split(",") if p.strip())
    errors.append(FieldError("consent", "应为标志列表或 {标志: true}"))
    return frozenset()
