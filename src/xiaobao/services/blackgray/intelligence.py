"""Importing black/gray intelligence (情报): phones, accounts, WeChat/QQ ids, e-mails, agent names and
template texts from CSV/XLSX/JSONL, each with its source and expiry.

Columns: kind (phone|wechat|qq|email|account|name|template), value, source, expires_on (YYYY-MM-DD,
optional), note (optional). Values are normalised exactly as the detector normalises what it finds in
complaints, then stored as a keyed blind index plus a display mask, never in clear. Rows are upserted
on (kind, value, source), so re-importing a file changes nothing and a newer file extends expiries.
Bad rows are reported (row, field, why) and the rest land.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from xiaobao.engines.blackgray.contacts import extract_artefacts
from xiaobao.engines.blackgray.gangs import mask_value
from xiaobao.engines.blackgray.intel import CONTACT_KINDS, KINDS
from xiaobao.engines.blackgray.normalize import normalize as normalize_template
from xiaobao.services.complaints.intake import recent
from xiaobao.services.context import Context
from xiaobao.services.complaints.intake.importing import RowError, write_errors
from xiaobao.services.complaints.intake.sources import SourceError, read_rows
from xiaobao.services.blackgray import triage

KIND_ALIASES = {"手机": "phone", "电话": "phone", "手机号": "phone", "mobile": "phone", "landline": "phone",
                "微信": "wechat", "vx": "wechat", "邮箱": "email", "账户": "account", "银行卡": "account",
                "bank_account": "account", "姓名": "name", "代理人": "name", "agent_name": "name", "模板": "template"}
_META_FIELD = {"phone": "phone", "wechat": "wechat", "qq": "qq", "email": "email", "account": "bank_account",
               "name": "agent_name"}
MIN_TEMPLATE_CHARS = 30
# Shapes a contact must have beyond what extraction normalises (WeChat: 6–20 chars starting with a
# letter, or a phone number; QQ: 5–11 digits; bank account: 12–23 digits).
_SHAPES = {"wechat": re.compile(r"[a-z][-_a-z0-9]{5,19}|1[3-9]\d{9}"), "qq": re.compile(r"[1-9]\d{4,10}"),
           "account": re.compile(r"\d{12,23}")}


@dataclass
class IntelReport:
    source: str
    rows: int = 0
    stored: int = 0
    errors: list[RowError] = field(default_factory=list)
    errors_path: str | None = None

    @property
    def error_count(self) -> int:
        return len({e.row for e in self.errors})


def normalise(kind: str, value: str) -> str | None:
    """The value as the detector would extract it from a complaint, or None if it is not one."""
    meta_field = _META_FIELD[kind]
    allowed = CONTACT_KINDS[kind]
    shape = _SHAPES.get(kind)
    for a in extract_artefacts("", {meta_field: value}):
        if a.kind in allowed and (shape is None or shape.fullmatch(a.value)):
            return a.value
    return None


def _display(kind: str, value: str) -> str:
    if kind in ("wechat", "qq"):
        return value[:2] + "***" + value[-2:] if len(value) > 4 else "***"
    return mask_value({"phone": "mobile", "account": "bank_account", "name": "agent_name"}.get(kind, kind), value)


def parse_row(rec: dict[str, Any], today: date) -> tuple[dict[str, Any] | None, list[tuple[str, str]]]:
    def get(name: str) -> str:
        v = rec.get(name)
        return "" if v is None else unicodedata.normalize("NFKC", str(v)).strip()

    errors: list[tuple[str, str]] = []
    kind = get("kind").lower()
    kind = KIND_ALIASES.get(kind, kind)
    value, source = get("value"), get("source")
    if kind not in KINDS:
        errors.append(("kind", f"类型须为 {'/'.join(KINDS)} 之一，而不是「{get('kind')}」"))
    if not value:
        errors.append(("value", "不能为空"))
    if not source:
        errors.append(("source", "须注明情报来源"))
    elif len(source) > 100:
        errors.append(("source", "不能超过 100 字"))
    expires = None
    if get("expires_on"):
        try:
            expires = date.fromisoformat(get("expires_on").replace("/", "-"))
        except ValueError:
            errors.append(("expires_on", f"日期格式须为 YYYY-MM-DD，而不是「{get('expires_on')}」"))
    if errors:
        return None, errors
    if kind == "template":
        if len(normalize_template(value)) < MIN_TEMPLATE_CHARS:
            return None, [("value", f"模板文本过短（少于 {MIN_TEMPLATE_CHARS} 字），无法可靠比对")]
        return {"kind": kind, "value_key": hashlib.sha256(normalize_template(value).encode()).hexdigest(),
                "display": value[:60], "template_text": value, "source": source, "expires_on": expires,
                "note": get("note") or None}, []
    norm = normalise(kind, value)
    if norm is None:
        return None, [("value", f"不是有效的{kind}（{'/'.join(CONTACT_KINDS[kind])}）")]
    return {"kind": kind, "value": norm, "display": _display(kind, norm),
            "template_text": None, "source": source, "expires_on": expires, "note": get("note") or None}, []


def import_intel(ctx: Context, path: str | Path, *, actor: str, errors_path: str | Path | None = None,
                 batch_size: int = 5000) -> IntelReport:
    path = Path(path)
    report = IntelReport(source=str(path))
    now, today = ctx.now(), ctx.today()
    ref = hashlib.sha256(f"{path.name}:{now.isoformat()}".encode()).hexdigest()[:16]
    batch: dict[tuple[str, str, str], dict[str, Any]] = {}

    def flush() -> None:
        if not batch:
            return
        with ctx.store.uow() as uow:
            uow.blackgray.upsert_intel(list(batch.values()))
            uow.commit()
        report.stored += len(batch)
        batch.clear()

    for row_no, rec in read_rows(path):
        report.rows += 1
        if isinstance(rec, SourceError):
            report.errors.append(RowError(row_no, rec.field, rec.reason))
            continue
        row, errs = parse_row(rec, today)
        if errs:
            report.errors.extend(RowError(row_no, f, why) for f, why in errs)
            continue
        if row["kind"] != "template":
            row["value_key"] = triage.intel_key(ctx, row["kind"], row.pop("value"))
        row.update(imported_at=now, import_ref=ref)
        batch[(row["kind"], row["value_key"], row["source"])] = row  # the last row for a key wins
        if len(batch) >= batch_size:
            flush()
    flush()
    if report.errors:
        report.errors_path = str(errors_path or path.with_name(path.name + ".errors.csv"))
        write_errors(report.errors, report.errors_path)
    with ctx.store.uow() as uow:
        uow.blackgray.put_setting("intel_version", {"ref": ref, "at": now.isoformat()}, actor, now)
        uow.audit.append(now, actor, "blackgray.intel.import", "bg_intel", ref,
                         {"data": {"source": path.name, "rows": report.rows, "stored": report.stored,
                                   "errors": report.error_count}})
        uow.commit()
    recent.forget_all()
    triage.invalidate(ctx)
    return report


def intel_summary(ctx: Context) -> dict[str, Any]:
    with ctx.store.uow(write=False) as uow:
        return {"counts": uow.blackgray.intel_counts(ctx.today()), "version": uow.blackgray.setting("intel_version")}
