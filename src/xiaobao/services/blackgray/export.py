"""Evidence package for a lead (线索证据包), e.g. for a police referral: an XLSX workbook a
case officer can read and a JSON document a system can load, with the same content, and the SHA-256
of each recorded in the audit trail so the package handed over can later be matched to what the
platform produced.

Clear personal data goes into a package only for a role with `pii.view` (others get the complaint
texts and contacts masked); every export is audited.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path
from typing import Any

import orjson
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from xiaobao.engines.blackgray.contacts import extract_artefacts
from xiaobao.engines.blackgray.gangs import mask_value
from xiaobao.services.privacy import protected_text
from xiaobao.services.actors import Actor
from xiaobao.services.context import Context
from xiaobao.services.errors import Forbidden
from xiaobao.services.loading import load_or_404
from xiaobao.services.blackgray import leads as leads_service
from xiaobao.services.blackgray.triage import record_of_row
from xiaobao.engines.spreadsheet import texts_only, xlsx_append

_CUSTOMER_FIELDS = (("name", "姓名"), ("phone", "手机号"), ("id_number", "证件号"))


def _artefacts(ctx: Context, members: list[dict[str, Any]], reveal: bool) -> list[dict[str, Any]]:
    by_key: dict[tuple[str, str], dict[str, set]] = defaultdict(lambda: {"customers": set(), "complaints": set()})
    for m in members:
        rec, customer = record_of_row(ctx, _Row(m))  # the original text: shared contacts are in it
        for a in extract_artefacts(rec["text"], rec):
            if a.kind == "mobile" and a.source == "meta:customer_phone":
                continue  # the complainant's own phone is not a shared contact unless it appears in the text
            slot = by_key[(a.kind, a.value)]
            slot["customers"].add(customer)
            slot["complaints"].add(m["id"])
    rows = [{"kind": k, "value": v if reveal else mask_value(k, v), "customers": len(s["customers"]),
             "complaint_ids": sorted(s["complaints"])}
            for (k, v), s in by_key.items() if len(s["customers"]) >= 2]
    return sorted(rows, key=lambda r: (-r["customers"], r["kind"], r["value"]))


class _Row:
    """A member dict seen through the attribute names `record_of_row` reads."""

    def __init__(self, m: dict[str, Any]):
        self.__dict__.update(m)


def build_package(ctx: Context, lead_id: int, actor: Actor) -> dict[str, Any]:
    if not ctx.rules.permissions.allows(actor.role, "blackgray.export"):
        raise Forbidden(f"角色 {actor.role} 无权导出黑灰产线索证据包")
    reveal = ctx.rules.permissions.allows(actor.role, "pii.view")
    with ctx.store.uow(write=False) as uow:
        lead = load_or_404(lambda: uow.blackgray.lead(lead_id), f"线索 #{lead_id}", f"lead #{lead_id}",
                           lead_id=lead_id)
        members = uow.blackgray.members(lead_id)
    complaints = []
    for m in members:
        customer = ({label: ctx.vault.decrypt(m["pii"][f], f) for f, label in _CUSTOMER_FIELDS if f in (m["pii"] or {})}
                    if reveal else {label: m["masked"].get(f) for f, label in _CUSTOMER_FIELDS if f in (m["masked"] or {})})
        complaints.append({
            "complaint_id": m["id"], "channel": m["channel"], "external_id": m["external_id"],
            "received_at": m["received_at"].isoformat(sep=" "), "customer": customer, "category": m["category"],
            "product": m["product"], "status": m["status"], "score": m["score"], "kind": m["kind"],
            "review_status": m["review_status"],
            "text": protected_text.original(ctx, m["text"], m["sealed_text"]) if reveal
            else protected_text.shown(m["text"], m["sealed_text"]),
            "signals": m["signals"] or [],
        })
    return {
        "lead": {k: (v.isoformat(sep=" ") if hasattr(v, "isoformat") else v) for k, v in lead.items()},
        "kind_name": leads_service.KIND_ZH.get(lead["kind"]), "pii_masked": not reveal,
        "exported_at": ctx.now().isoformat(sep=" "), "exported_by": actor.username,
        "complaints": complaints, "shared_artefacts": _artefacts(ctx, members, reveal),
        "timeline": lead["evidence"].get("timeline", []),
    }


def _workbook(pkg: dict[str, Any]) -> Workbook:
    wb = Workbook()
    head = Font(bold=True)

    def sheet(title: str, header: list[str], rows: list[list[Any]], widths: dict[int, int] | None = None):
        ws = wb.create_sheet(title)
        xlsx_append(ws, header)
        for c in ws[1]:
            c.font = head
        for r in rows:
            xlsx_append(ws, r)
        for col, w in (widths or {}).items():
            ws.column_dimensions[chr(64 + col)].width = w
        ws.freeze_panes = "A2"
        return ws

    lead = pkg["lead"]
    summary = wb.active
    summary.title = "线索概要"
    for k, label in (("id", "线索编号"), ("title", "标题"), ("lead_type", "类型"), ("kind", "性质"),
                     ("status", "审核状态"), ("score", "最高风险分"), ("complaints", "投诉件数"),
                     ("customers", "涉及客户数"), ("first_at", "首次投诉"), ("last_at", "最近投诉"),
                     ("reviewed_by", "审核人"), ("reviewed_at", "审核时间"), ("review_note", "审核意见")):
        xlsx_append(summary, [label, lead.get(k)])
    xlsx_append(summary, ["依据", lead["evidence"].get("citation")])
    xlsx_append(summary, ["导出时间", pkg["exported_at"]])
    xlsx_append(summary, ["导出人", pkg["exported_by"]])
    xlsx_append(summary, ["个人信息", "已脱敏" if pkg["pii_masked"] else "明文（经授权）"])
    summary.column_dimensions["A"].width = 14
    summary.column_dimensions["B"].width = 80
    for c in summary["A"]:
        c.font = head
    ws = sheet("成员投诉", ["投诉编号", "渠道", "外部编号", "受理时间", "客户", "类别", "产品", "状态", "风险分",
                        "识别性质", "审核", "投诉内容"],
               [[c["complaint_id"], c["channel"], c["external_id"], c["received_at"],
                 "；".join(f"{k}:{v}" for k, v in c["customer"].items()), c["category"], c["product"], c["status"],
                 c["score"], c["kind"], c["review_status"], c["text"]]
                for c in pkg["complaints"]], {12: 80})
    for row in ws.iter_rows(min_row=2, min_col=12, max_col=12):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet("共用联系方式", ["类型", "值", "客户数", "投诉编号"],
          [[a["kind"], a["value"], a["customers"], ",".join(map(str, a["complaint_ids"]))]
           for a in pkg["shared_artefacts"]], {2: 24, 4: 60})
    sheet("时间线", ["日期", "投诉件数"], [[t["date"], t["count"]] for t in pkg["timeline"]])
    sheet("识别依据", ["投诉编号", "信号", "分值", "规则", "依据", "证据"],
          [[c["complaint_id"], s["kind"], s["score"], s.get("rule_id"), s.get("citation"),
            orjson.dumps(s.get("evidence"), default=str).decode()[:32000]]
           for c in pkg["complaints"] for s in c["signals"]], {6: 100})
    return wb


def export_lead(ctx: Context, lead_id: int, actor: Actor, out_dir: str | Path) -> dict[str, Any]:
    """Write lead-<id>-evidence.xlsx and .json into `out_dir`; returns their paths and SHA-256."""
    pkg = build_package(ctx, lead_id, actor)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    xlsx, js = out / f"lead-{lead_id}-evidence.xlsx", out / f"lead-{lead_id}-evidence.json"
    wb = _workbook(pkg)
    texts_only(wb)
    wb.save(xlsx)
    js.write_bytes(orjson.dumps(pkg, default=str, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS))
    digests = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (xlsx, js)}
    now = ctx.now()
    with ctx.store.uow() as uow:
        uow.audit.append(now, actor.username, "blackgray.lead.export", "bg_lead", str(lead_id),
                         {"data": {"files": digests, "pii_masked": pkg["pii_masked"],
                                   "complaints": len(pkg["complaints"])}})
        uow.commit()
    return {"xlsx": str(xlsx), "json": str(js), "sha256": digests, "pii_masked": pkg["pii_masked"]}
