"""Collection QA use cases: import and inspect calls, dispute and decide findings, scorecards, and the
link from a complaint about collection to that debtor's calls.

Personal data in a call record (`debtor_id_number`, `debtor_phone`, `callee_number`) is validated,
encrypted at rest and turned into keyed blind indexes computed exactly as `services.complaints.intake.storing.customer_key`
computes a complainant's ("id:…", "phone:…"), so the two join without clear data on either side.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from xiaobao.domain.errors import InvalidValue, RecusalRequired
from xiaobao.domain.identity import MASKERS, validate_cn_id, validate_phone
from xiaobao.domain.review import FINDING_REVIEW, IllegalReview
from xiaobao.engines.collection import CODES
from xiaobao.engines.collection import scorecard as scorecards
from xiaobao.engines.collection.inspector import Inspector, default_inspector
from xiaobao.engines.collection.model import Inspection
from xiaobao.engines.collection.records import FieldError, parse_call
from xiaobao.store.collection.repository import CollectionRepository
from xiaobao.services.actors import Actor
from xiaobao.services.context import Context
from xiaobao.services.errors import Conflict, Forbidden, NotFound
from xiaobao.services.complaints.intake.sources import Row, SourceError, read_rows
from xiaobao.engines.spreadsheet import csv_row
from xiaobao.services.loading import load_or_404

PII_FIELDS = ("debtor_id_number", "debtor_phone", "callee_number")
DECISIONS = ("upheld", "overturned")  # a QA lead's rulings, spelt as the statuses they lead to (FINDING_REVIEW)


def inspector(rules_dir: str | None = None) -> Inspector:
    return default_inspector(rules_dir)


# ---- offline inspection (no database) ---------------------------------------------------------------
@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    reason: str
    call_id: str = ""


def inspect_rows(rows: Iterable[Row], rules_dir: str | None = None) -> tuple[list[Inspection], list[RowError]]:
    """Validate and inspect every readable row; bad rows are reported, never silently dropped."""
    insp = inspector(rules_dir)
    calls, errors, seen = [], [], set()
    for n, raw in rows:
        call, _ = _parse(n, raw, insp, errors)
        if call is None:
            continue
        if call.call_id in seen:
            errors.append(RowError(n, "call_id", f"文件内重复的通话编号 {call.call_id}", call.call_id))
            continue
        seen.add(call.call_id)
        calls.append(call)
    return insp.inspect_batch(calls), errors


def _parse(n: int, raw: dict[str, Any] | SourceError, insp: Inspector, errors: list[RowError]):
    if isinstance(raw, SourceError):
        errors.append(RowError(n, raw.field, raw.reason))
        return None, None
    call, errs = parse_call({k: v for k, v in raw.items() if k not in PII_FIELDS}, insp.policy)
    if errs:
        cid = str(raw.get("call_id") or "")
        errors.extend(RowError(n, e.field, e.reason, cid) for e in errs)
    return call, errs


# ---- import ---------------------------------------------------------------------------------------
@dataclass
class ImportReport:
    source: str
    rows: int = 0
    inserted: int = 0
    duplicates: int = 0
    findings: int = 0
    violating_calls: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def error_count(self) -> int:
        return len({e.row for e in self.errors})

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "rows": self.rows, "inserted": self.inserted, "duplicates": self.duplicates,
                "findings": self.findings, "violating_calls": self.violating_calls, "error_rows": self.error_count,
                "errors": [e.__dict__ for e in self.errors[:1000]]}


def _protect(ctx: Context, raw: dict[str, Any]) -> tuple[dict[str, str], list[FieldError]]:
    """Validated clear PII of one record (never logged, never stored in clear)."""
    pii, errs = {}, []
    for f, check in (("debtor_id_number", lambda v: validate_cn_id(v, ctx.today(), "debtor_id_number")),
                     ("debtor_phone", lambda v: validate_phone(v, "debtor_phone")),
                     ("callee_number", lambda v: validate_phone(v, "callee_number"))):
        v = str(raw.get(f) or "").strip()
        if v:
            try:
                pii[f] = check(v)
            except InvalidValue as e:
                errs.append(FieldError(e.field, e.reason))
    return pii, errs


def debtor_keys(ctx: Context, pii: dict[str, str]) -> tuple[str | None, str | None]:
    """(ID-number key, phone key), the same HMAC inputs as a complaint's customer_key."""
    id_key = ctx.vault.blind_index("id:" + pii["debtor_id_number"]) if "debtor_id_number" in pii else None
    phone_key = ctx.vault.blind_index("phone:" + pii["debtor_phone"]) if "debtor_phone" in pii else None
    return id_key, phone_key


def import_rows(ctx: Context, rows: Iterable[Row], *, actor: str, source: str = "api",
                batch_size: int | None = None) -> ImportReport:
    """Each batch is one transaction: its calls, their findings and one audit entry. Calls already
    stored are skipped, so re-running an import changes nothing."""
    report = ImportReport(source)
    size = batch_size or ctx.settings.import_batch_size
    batch: list[Row] = []
    for r in rows:
        report.rows += 1
        batch.append(r)
        if len(batch) >= size:
            _import_batch(ctx, batch, actor, report)
            batch = []
    if batch:
        _import_batch(ctx, batch, actor, report)
    return report


def import_file(ctx: Context, path: Path, *, actor: str, errors_path: Path | None = None) -> ImportReport:
    report = import_rows(ctx, read_rows(path), actor=actor, source=str(path))
    if errors_path is not None and report.errors:
        with errors_path.open("w", newline="", encoding="utf-8-sig") as f:
            w = csv.writer(f)
            w.writerow(["row", "call_id", "field", "reason"])
            for e in report.errors:
                w.writerow(csv_row([e.row, e.call_id, e.field, e.reason]))
    return report


def _import_batch(ctx: Context, batch: list[Row], actor: str, report: ImportReport) -> None:
    insp = inspector(ctx.settings.rules_dir)
    parsed = []  # (call, pii, stored record)
    seen: set[str] = set()
    for n, raw in batch:
        call, _ = _parse(n, raw, insp, report.errors)
        if call is None:
            continue
        pii, errs = _protect(ctx, raw)
        if errs:
            report.errors.extend(RowError(n, e.field, e.reason, call.call_id) for e in errs)
            continue
        if call.call_id in seen:
            report.duplicates += 1
            continue
        seen.add(call.call_id)
        record = {k: v for k, v in raw.items() if k not in PII_FIELDS}
        if "callee_number" in pii:
            # Per-number limits compare numbers; a keyed index compares as well and reveals nothing.
            record["callee_number"] = ctx.vault.blind_index("phone:" + pii["callee_number"])
            call, _ = parse_call(record, insp.policy)
        parsed.append((call, pii, record))
    if not parsed:
        return
    now = ctx.now()
    with ctx.store.uow() as uow:
        repo = uow.collection
        existing = repo.existing_call_ids([c.call_id for c, _, _ in parsed])
        report.duplicates += len(existing)
        parsed = [p for p in parsed if p[0].call_id not in existing]
        if not parsed:
            return
        calls = [c for c, _, _ in parsed]
        prior = _prior_calls(repo, insp, calls)
        inspections = insp.inspect_batch(calls, prior)
        call_rows, finding_rows = [], []
        for (call, pii, record), result in zip(parsed, inspections):
            id_key, phone_key = debtor_keys(ctx, pii)
            call_rows.append({
                "call_id": call.call_id, "agency": call.agency, "collector_id": call.collector_id,
                "debtor_id": call.debtor_id, "debtor_key": id_key, "debtor_phone_key": phone_key,
                "callee_number_key": record.get("callee_number"),
                "pii": {f: ctx.vault.encrypt(v, f) for f, v in pii.items()},
                "masked": {f: MASKERS["id_number" if f == "debtor_id_number" else "phone"](v) for f, v in pii.items()},
                "started_at": call.started_at.astimezone(UTC).replace(tzinfo=None),
                "local_date": result.local_date, "timezone": str(result.local_start.tzinfo),
                "duration_s": call.duration_s, "callee_relation": call.callee_relation, "connected": call.connected,
                "record": record, "compliant": result.compliant, "violation_count": len(result.findings),
                "imported_by": actor, "imported_at": now,
            })
            finding_rows += [_finding_row(call.call_id, f, now) for f in result.findings]
        repo.add_calls(call_rows)
        report.findings += repo.add_findings(finding_rows)
        report.inserted += len(call_rows)
        report.violating_calls += sum(not r.compliant for r in inspections)
        uow.audit.append(now, actor, "collection.import", "collection_import",
                         hashlib.sha256("|".join(c.call_id for c in calls).encode()).hexdigest()[:32],
                         {"source": report.source, "calls": len(call_rows), "findings": len(finding_rows),
                          "violating_calls": sum(not r.compliant for r in inspections)})
        uow.commit()


def _prior_calls(repo: CollectionRepository, insp: Inspector, calls) -> list:
    days = [c.started_at.astimezone(insp.policy.zone_for(c.debtor_tz, c.debtor_region)).date() for c in calls]
    memory = min(insp.policy.refusal_memory_days, 400)  # older refusals age out of the platform's look-back
    records = repo.records_for_debtors({c.debtor_id for c in calls}, min(days) - timedelta(days=memory), max(days))
    out = []
    for rec in records:
        call, _ = parse_call(rec, insp.policy)
        if call is not None:
            out.append(call)
    return out


def _finding_row(call_id: str, f, now: datetime) -> dict[str, Any]:
    ev = f.evidence
    turn = ev.get("turn")
    return {"call_id": call_id, "code": f.kind.split(".", 1)[1], "rule_id": f.rule_id,
            "turn": -1 if turn is None else int(turn), "speaker": ev.get("speaker"), "utterance": ev.get("utterance"),
            "span_start": None if f.span is None else f.span.start, "span_end": None if f.span is None else f.span.end,
            "t_start_s": ev.get("t_start"), "t_end_s": ev.get("t_end"), "message": f.message,
            "citation": None if f.citation is None else str(f.citation),
            "evidence": {k: v for k, v in ev.items() if k not in ("utterance",)}, "score": f.score,
            "status": FINDING_REVIEW.initial, "created_at": now}


# ---- reading ----------------------------------------------------------------------------------------
def _call_view(row: dict[str, Any], findings: list[dict[str, Any]], disputes: list[dict[str, Any]]) -> dict[str, Any]:
    by_finding: dict[int, list[dict[str, Any]]] = {}
    for d in disputes:
        by_finding.setdefault(d["finding_id"], []).append(d)
    return {
        "call_id": row["call_id"], "agency": row["agency"], "collector_id": row["collector_id"],
        "debtor_id": row["debtor_id"], "masked": row["masked"], "started_at_utc": row["started_at"],
        "local_date": row["local_date"], "timezone": row["timezone"], "duration_s": row["duration_s"],
        "callee_relation": row["callee_relation"], "connected": row["connected"], "compliant": row["compliant"],
        "violation_count": row["violation_count"], "transcript": row["record"].get("transcript"),
        "findings": [{"id": f["id"], "code": f["code"], "rule_id": f["rule_id"],
                      "turn": None if f["turn"] < 0 else f["turn"], "start": f["span_start"], "end": f["span_end"],
                      "utterance": f["utterance"], "t_start_s": f["t_start_s"], "t_end_s": f["t_end_s"],
                      "message": f["message"], "citation": f["citation"], "status": f["status"],
                      "disputes": by_finding.get(f["id"], [])} for f in findings],
    }


def get_call(ctx: Context, call_id: str) -> dict[str, Any]:
    with ctx.store.uow(write=False) as uow:
        repo = uow.collection
        row = load_or_404(lambda: repo.get_call(call_id), f"通话 {call_id}", f"call {call_id}", call_id=call_id)
        findings = repo.findings_for_call(call_id)
        return _call_view(row, findings, repo.disputes_for([f["id"] for f in findings]))


def list_calls(ctx: Context, *, agency: str | None = None, collector_id: str | None = None,
               debtor_id: str | None = None, code: str | None = None, disputed: bool | None = None,
               violating: bool | None = None, day_from: date | None = None, day_to: date | None = None,
               limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """Calls for QA review, newest first (local days `day_from`..`day_to`, as the scorecards count them):
    each with the codes it was flagged for (overturned ones left out) and how many of its findings await
    a decision on a dispute."""
    if code is not None and code not in CODES:
        raise InvalidValue("code", f"未知违规代码 {code!r}")
    with ctx.store.uow(write=False) as uow:
        repo = uow.collection
        total, rows = repo.calls(agency=agency, collector_id=collector_id, debtor_id=debtor_id, code=code,
                                 disputed=disputed, violating=violating, day_from=day_from, day_to=day_to,
                                 limit=limit, offset=offset)
        findings = repo.finding_summaries([r["call_id"] for r in rows])
        agencies = repo.agencies()
    codes: dict[str, list[str]] = {}
    pending: dict[str, int] = {}
    for f in findings:
        if f["status"] != "overturned" and f["code"] not in codes.setdefault(f["call_id"], []):
            codes[f["call_id"]].append(f["code"])
        pending[f["call_id"]] = pending.get(f["call_id"], 0) + (f["status"] == "disputed")
    return {"total": total, "agencies": agencies, "items": [
        {"call_id": r["call_id"], "agency": r["agency"], "collector_id": r["collector_id"], "debtor_id": r["debtor_id"],
         "local_date": r["local_date"], "started_at_utc": r["started_at"], "duration_s": r["duration_s"],
         "callee_relation": r["callee_relation"], "connected": r["connected"], "compliant": r["compliant"],
         "violation_count": r["violation_count"], "codes": codes.get(r["call_id"], []),
         "disputes_pending": pending.get(r["call_id"], 0)} for r in rows]}


def actor_for(ctx: Context, username: str) -> Actor:
    """The acting user for command-line use (the API authenticates with a token instead)."""
    from xiaobao.services.auth import _actor

    with ctx.store.uow(write=False) as uow:
        user = uow.users.get(username)
    if user is None or not user["active"]:
        raise NotFound(f"用户 {username} 不存在或已停用", username=username)
    return _actor(user)


# ---- dispute and decision (the Review) --------------------------------------------------------------
def dispute(ctx: Context, finding_id: int, actor: Actor, reason: str) -> dict[str, Any]:
    """A collector disputes a finding on their own call (a supervisor may file for them)."""
    if not ctx.rules.permissions.allows(actor.role, "collection.dispute"):
        raise Forbidden(f"角色 {actor.role.value} 无权申诉质检结果", permission="collection.dispute")
    if not (reason or "").strip():
        raise InvalidValue("reason", "申诉须说明理由")
    now = ctx.now()
    with ctx.store.uow() as uow:
        repo = uow.collection
        f = _finding(repo, finding_id)
        call = repo.get_call(f["call_id"])
        if actor.role.value == "agent" and actor.staff_id != call["collector_id"]:
            raise Forbidden("催收员只能申诉本人通话的质检结果", finding_id=finding_id)
        try:
            status = FINDING_REVIEW.move(f["status"], "dispute")
        except IllegalReview:
            raise Conflict(f"质检结果当前状态为 {f['status']}，只有 open 状态可申诉", status=f["status"]) from None
        dispute_id = repo.add_dispute({"finding_id": finding_id, "disputed_by": actor.username, "disputed_at": now,
                                       "reason": reason.strip()})
        repo.set_finding_status(finding_id, status)
        uow.audit.append(now, actor.username, "collection.dispute", "collection_finding", str(finding_id),
                         {"before": {"status": f["status"]}, "after": {"status": status}, "reason": reason.strip(),
                          "data": {"call_id": f["call_id"], "code": f["code"], "dispute_id": dispute_id}})
        uow.commit()
    return {"finding_id": finding_id, "dispute_id": dispute_id, "status": status}


def decide(ctx: Context, finding_id: int, actor: Actor, decision: str, reason: str) -> dict[str, Any]:
    """A QA lead upholds or overturns a disputed finding; an overturned one no longer counts."""
    if not ctx.rules.permissions.allows(actor.role, "collection.decide"):
        raise Forbidden(f"角色 {actor.role.value} 无权裁定申诉", permission="collection.decide")
    if decision not in DECISIONS:
        raise InvalidValue("decision", f"裁定须为 {' 或 '.join(DECISIONS)}")
    if not (reason or "").strip():
        raise InvalidValue("reason", "裁定须说明理由")
    now = ctx.now()
    with ctx.store.uow() as uow:
        repo = uow.collection
        f = _finding(repo, finding_id)
        d = repo.open_dispute(finding_id)
        if d is None or not FINDING_REVIEW.can(f["status"], decision):
            raise Conflict(f"质检结果当前状态为 {f['status']}，没有待裁定的申诉", status=f["status"])
        if d["disputed_by"] == actor.username:
            raise RecusalRequired("申诉人不能裁定自己的申诉", finding_id=finding_id)
        status = FINDING_REVIEW.move(f["status"], decision)
        repo.decide_dispute(d["id"], {"decided_by": actor.username, "decided_at": now, "decision": status,
                                      "decision_reason": reason.strip()})
        repo.set_finding_status(finding_id, status)
        repo.set_compliance([f["call_id"]])
        uow.audit.append(now, actor.username, "collection.decide", "collection_finding", str(finding_id),
                         {"before": {"status": f["status"]}, "after": {"status": status}, "reason": reason.strip(),
                          "data": {"call_id": f["call_id"], "code": f["code"], "dispute_id": d["id"]}})
        uow.commit()
    return {"finding_id": finding_id, "dispute_id": d["id"], "status": status}


def _finding(repo, finding_id: int) -> dict[str, Any]:
    """The finding, locked for the decision on it."""
    return load_or_404(lambda: repo.finding(finding_id, lock=True), f"质检结果 {finding_id}",
                       f"QA finding {finding_id}", finding_id=finding_id)


# ---- scorecards -------------------------------------------------------------------------------------
def scorecard(ctx: Context, *, by: str = "agency", day_from: date | None = None, day_to: date | None = None,
              period: str = "month") -> dict[str, Any]:
    if by not in ("agency", "collector"):
        raise InvalidValue("by", "须为 agency 或 collector")
    if period not in ("week", "month", "quarter"):
        raise InvalidValue("period", "须为 week、month 或 quarter")
    day_to = day_to or ctx.today()
    day_from = day_from or day_to.replace(month=1, day=1)
    if day_from > day_to:
        raise InvalidValue("from", "起始日期晚于截止日期")
    with ctx.store.uow(write=False) as uow:
        calls, findings = uow.collection.scorecard_rows(day_from, day_to)
    return {"by": by, "from": day_from, "to": day_to, "period": period, "codes": list(CODES),
            "rows": scorecards.build(calls, findings, by=by, period=period)}


# ---- complaint linkage ------------------------------------------------------------------------------
def calls_for_complaint(ctx: Context, complaint_id: int) -> dict[str, Any]:
    """The calls of the debtor a complaint is from, joined on the keyed blind index."""
    with ctx.store.uow(write=False) as uow:
        repo = uow.collection
        c = load_or_404(lambda: repo.complaint_link(complaint_id), f"投诉 {complaint_id}", f"complaint {complaint_id}",
                        complaint_id=complaint_id)
        rows = repo.calls_for_keys([c["customer_key"]] if c["customer_key"] else [])
    return {"complaint_id": complaint_id, "category": c["category"], "about_collection": c["category"] == "debt_collection",
            "calls": [{"call_id": r["call_id"], "agency": r["agency"], "collector_id": r["collector_id"],
                       "local_date": r["local_date"], "started_at_utc": r["started_at"], "compliant": r["compliant"],
                       "violation_count": r["violation_count"], "callee_relation": r["callee_relation"]} for r in rows]}
