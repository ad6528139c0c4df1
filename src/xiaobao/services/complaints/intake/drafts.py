"""Turning one raw intake record (API body, CSV/XLSX row, JSON line) into a validated draft.

Every problem in a record is collected — not just the first — so an errors file names each field
that needs fixing. Unknown fields are kept in `extras` rather than rejected.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from xiaobao.domain.errors import InvalidValue
from xiaobao.domain.identity import normalize, validate_cn_id, validate_phone, validate_uscc
from xiaobao.rules import Rules
from xiaobao.services.context import BEIJING

KNOWN_FIELDS = frozenset({
    "external_id", "channel", "received_at", "text", "request", "complainant_type",
    "customer_name", "customer_phone", "customer_id_number", "customer_id_type", "customer_no",
    "contact_address", "email", "org_name", "uscc", "legal_rep",
    "respondent_institution", "respondent_branch", "respondent_staff_ids",
    "product", "category", "flags",
    "agent_name", "agent_phone", "agent_id_number", "agent_relation", "power_of_attorney", "poa_scope",
    "poa_valid_until", "regulator_ref",
})
# Fields that hold one value: a list or an object there is a mistake, not text (str() of it would be
# stored as the complaint's words). `flags` and `respondent_staff_ids` take lists; unknown fields
# (`extras`) keep whatever they hold.
LIST_FIELDS = frozenset({"flags", "respondent_staff_ids"})
NOT_TEXT = "应为文本，不能是列表或对象 / expected text, not a list or object"
ID_TYPES = frozenset({"id_card", "passport", "hk_macau_permit", "taiwan_permit", "foreign_permanent", "other"})
AGENT_RELATIONS = frozenset({"lawyer", "relative", "heir", "guardian", "other"})
MAX_TEXT = 20000  # characters of any one field, the complaint's text included (Settings.max_text_chars)
_FLAG = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
                 "%Y/%m/%d", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日", "%Y%m%d")


@dataclass(frozen=True)
class FieldError:
    field: str
    reason: str


@dataclass
class Draft:
    channel: str
    external_id: str
    received_at: datetime
    text: str
    request: str = ""
    complainant_type: str = "person"
    customer_no: str | None = None
    pii: dict[str, str] = field(default_factory=dict)  # plaintext, normalised; encrypted on build
    id_type: str | None = None
    org_name: str | None = None
    uscc: str | None = None
    respondent: dict[str, Any] = field(default_factory=dict)
    product: str | None = None
    category: str | None = None
    flags: list[str] = field(default_factory=list)
    agent: dict[str, Any] | None = None
    regulator_ref: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        return self.channel, self.external_id


def _s(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)  # spreadsheet cells turn ids into floats
    return unicodedata.normalize("NFC", str(v)).strip()


def parse_time(v: Any) -> datetime:
    """Naive Beijing time from ISO strings (with or without offset), common Chinese formats or cells."""
    if isinstance(v, datetime):
        dt = v
    elif isinstance(v, date):
        dt = datetime(v.year, v.month, v.day)
    else:
        s = unicodedata.normalize("NFKC", _s(v))
        if not s:
            raise InvalidValue("received_at", "缺少受理时间")
        dt = None
        try:
            dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
        except ValueError:
            for fmt in _DATE_FORMATS:
                try:
                    dt = datetime.strptime(s, fmt)
                    break
                except ValueError:
                    continue
        if dt is None:
            if re.match(r"^\d{4}[-/年]\d{1,2}[-/月]\d{1,2}", s):
                raise InvalidValue("received_at", f"日期不存在或格式无效：{s}")
            raise InvalidValue("received_at", f"无法识别的时间格式：{s}（应为 YYYY-MM-DD HH:MM:SS）")
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc).astimezone(BEIJING).replace(tzinfo=None)
    return dt


def _list(v: Any) -> list[str]:
    if v is None or v == "":
        return []
    if isinstance(v, (list, tuple)):
        return [_s(x) for x in v if _s(x)]
    return [p.strip() for p in re.split(r"[,，;；|、]", _s(v)) if p.strip()]


def _unusable(raw: dict[str, Any], max_chars: int) -> tuple[dict[str, Any], list[FieldError]]:
    """The record without the values no field may take — a list or object in a one-value field, a
    value longer than `max_chars` — and an error naming each such field (never its value)."""
    errors, bad = [], set()
    for k, v in raw.items():
        if isinstance(v, (list, tuple, dict, set)) and k in KNOWN_FIELDS and k not in LIST_FIELDS:
            errors.append(FieldError(k, NOT_TEXT))
            bad.add(k)
        elif isinstance(v, str) and len(v) > max_chars:
            errors.append(FieldError(k, f"投诉内容超过{max_chars}字" if k == "text" else
                                     f"字段超过{max_chars}字上限 / longer than {max_chars} characters"))
            bad.add(k)
    return ({k: v for k, v in raw.items() if k not in bad} if bad else raw), errors


def parse_record(raw: dict[str, Any], rules: Rules, now: datetime, *,
                 max_chars: int = MAX_TEXT) -> tuple[Draft | None, list[FieldError]]:
    """`max_chars`: the most characters any one field may hold (the complaint's text too)."""
    raw, unusable = _unusable(raw, max_chars)
    errors: list[FieldError] = []
    get = lambda k: _s(raw.get(k))  # noqa: E731

    def check(fn, *args):
        try:
            return fn(*args)
        except InvalidValue as e:
            errors.append(FieldError(e.field, e.reason))
            return None

    channel = get("channel")
    if not channel:
        errors.append(FieldError("channel", "缺少投诉渠道"))
    elif channel not in rules.channels:
        errors.append(FieldError("channel", f"未知渠道 {channel!r}，可用：{', '.join(rules.channels)}"))
    external_id = get("external_id")
    if not external_id:
        errors.append(FieldError("external_id", "缺少外部编号（用于幂等去重）"))
    elif len(external_id) > 128:
        errors.append(FieldError("external_id", "外部编号超过128个字符"))
    received_at = check(parse_time, raw.get("received_at"))
    if received_at is not None:
        if received_at > now + timedelta(hours=1):
            errors.append(FieldError("received_at", f"受理时间 {received_at:%Y-%m-%d %H:%M} 晚于当前时间"))
        elif received_at.year < 2000:
            errors.append(FieldError("received_at", "受理时间早于2000年，疑似错误"))
    text = get("text")
    if not text:
        errors.append(FieldError("text", "缺少投诉内容（事实与理由）"))

    complainant_type = get("complainant_type") or "person"
    if complainant_type not in ("person", "organisation"):
        errors.append(FieldError("complainant_type", "投诉人类型须为 person 或 organisation"))
    pii: dict[str, str] = {}
    name = get("customer_name")
    org_name, uscc = get("org_name") or None, None
    if complainant_type == "organisation":
        if not org_name:
            errors.append(FieldError("org_name", "单位投诉须填写单位名称（投诉办法第十三条）"))
        uscc = check(validate_uscc, get("uscc")) if get("uscc") else None
        if not get("uscc"):
            errors.append(FieldError("uscc", "单位投诉须填写统一社会信用代码（投诉办法第十三条）"))
        if get("legal_rep"):
            pii["legal_rep"] = get("legal_rep")
    elif not name:
        errors.append(FieldError("customer_name", "缺少投诉人姓名（投诉办法第十三条）"))
    if name:
        pii["name"] = name
    id_type = get("customer_id_type") or ("id_card" if get("customer_id_number") else None)
    if id_type and id_type not in ID_TYPES:
        errors.append(FieldError("customer_id_type", f"证件类型须为 {', '.join(sorted(ID_TYPES))} 之一"))
    if get("customer_id_number"):
        if id_type == "id_card":
            v = check(validate_cn_id, get("customer_id_number"), now.date())
        else:
            v = normalize(get("customer_id_number"))
            if not re.fullmatch(r"[A-Z0-9]{5,20}", v):
                errors.append(FieldError("customer_id_number", "证件号码只能包含字母和数字，5–20位"))
                v = None
        if v:
            pii["id_number"] = v
    if get("customer_phone"):
        v = check(validate_phone, get("customer_phone"))
        if v:
            pii["phone"] = v
    if get("email"):
        if _EMAIL.match(get("email")):
            pii["email"] = get("email")
        else:
            errors.append(FieldError("email", "电子邮箱格式无效"))
    if get("contact_address"):
        pii["address"] = get("contact_address")
    if not (get("customer_phone") or get("email") or get("contact_address")):
        errors.append(FieldError("customer_phone", "至少提供一种联系方式：电话、邮箱或地址（投诉办法第十三条）"))

    agent = None
    if get("agent_name"):
        relation = get("agent_relation") or "other"
        if relation not in AGENT_RELATIONS:
            errors.append(FieldError("agent_relation", f"代理关系须为 {', '.join(sorted(AGENT_RELATIONS))} 之一"))
        if not get("power_of_attorney"):
            errors.append(FieldError("power_of_attorney", "代理投诉须提供授权委托书（原件）编号（投诉办法第十四条）"))
        pii["agent_name"] = get("agent_name")
        if get("agent_id_number"):
            v = check(validate_cn_id, get("agent_id_number"), now.date(), "agent_id_number")
            if v:
                pii["agent_id_number"] = v
        else:
            errors.append(FieldError("agent_id_number", "代理投诉须提供代理人身份证件（投诉办法第十四条）"))
        if get("agent_phone"):
            v = check(validate_phone, get("agent_phone"), "agent_phone")
            if v:
                pii["agent_phone"] = v
        else:
            errors.append(FieldError("agent_phone", "代理投诉须提供代理人联系方式（投诉办法第十四条）"))
        agent = {"relation": relation, "power_of_attorney": get("power_of_attorney"),
                 "scope": get("poa_scope") or None, "valid_until": get("poa_valid_until") or None}

    category = get("category") or None
    if category and category not in rules.categories:
        errors.append(FieldError("category", f"未知分类 {category!r}"))
    flags = _list(raw.get("flags"))
    bad = [f for f in flags if not _FLAG.match(f)]
    if bad:
        errors.append(FieldError("flags", f"标记只能是小写英文标识：{', '.join(bad)}"))

    if unusable:  # (a field left out for its value is not also "missing")
        reported = {e.field for e in unusable}
        errors = unusable + [e for e in errors if e.field not in reported]
    if errors:
        return None, errors
    extras = {k: v for k, v in raw.items() if k not in KNOWN_FIELDS and v not in (None, "")}
    return Draft(
        channel=channel, external_id=external_id, received_at=received_at, text=text, request=get("request"),
        complainant_type=complainant_type, customer_no=get("customer_no") or None, pii=pii, id_type=id_type,
        org_name=org_name, uscc=uscc,
        respondent={"institution": get("respondent_institution") or None, "branch": get("respondent_branch") or None,
                    "staff_ids": _list(raw.get("respondent_staff_ids"))},
        product=get("product") or None, category=category, flags=flags, agent=agent,
        regulator_ref=get("regulator_ref") or None, extras=extras,
    ), []
