"""Leads (线索): gangs and template families that hold flagged complaints, with their members, the
contacts they share, a timeline and the evidence, kept current from the live detector.

A lead is keyed by its first complaint (the detector names gangs and families after it), so it
keeps its id, status and review as members arrive. When two leads merge, the younger one is marked
`merged`; a lead an analyst has already decided keeps that decision.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from xiaobao.domain.finding import Citation
from xiaobao.services.context import Context
from xiaobao.services.loading import load_or_404
from xiaobao.services.blackgray import triage

KIND_ZH = {"proxy_template": "代理维权", "repeat_harass": "缠访", "credit_repair": "征信修复",
           "debt_evasion": "逃废债", "genuine": "待定"}
TYPE_ZH = {"gang": "团伙", "family": "模板族"}
ARTEFACT_ZH = {"mobile": "手机号", "landline": "固话", "wechat": "微信", "qq": "QQ", "email": "邮箱",
               "bank_account": "银行账户", "agent_name": "代理人姓名"}
CITATIONS = {
    "proxy_template": Citation("《银行业保险业消费投诉处理管理办法》", "第十四条、第十八条第四款"),
    "repeat_harass": Citation("《银行业保险业消费投诉处理管理办法》", "第十六条、第十八条第三款"),
    "credit_repair": Citation("《消费者权益保护法实施条例》", "第二十七条"),
    "debt_evasion": Citation("《消费者权益保护法实施条例》", "第二十七条"),
}


def _groups(st: triage._State) -> list[dict[str, Any]]:
    """Gangs, and signal families not already inside a gang, as plain snapshots."""
    det = st.detector
    groups, in_gang = [], set()
    for gid in det.gangs.gangs():
        docs = [d for d in det.gangs.members(gid) if d in st.ids]
        in_gang.update(docs)
        groups.append({"lead_type": "gang", "key": gid, "docs": docs,
                       "customers": len(det.gangs.customers(gid)),
                       "artefacts": [s.to_evidence() for s in det.gangs.shared_artefacts(gid)],
                       "families": det.gangs.families(gid)})
    for fid, members in det.families.families(min_size=2):
        if not det.families.is_signal(fid):
            continue
        docs = [d for d in members if d in st.ids]
        if docs and not set(docs) <= in_gang:
            groups.append({"lead_type": "family", "key": f"family-{fid}", "docs": docs,
                           "customers": det.families.distinct_customers(fid), "artefacts": [],
                           "families": [str(fid)]})
    for g in groups:
        g["times"] = [t for t in (det.received_at(d) for d in g["docs"]) if t is not None]
    return groups


def _title(lead_type: str, kind: str, customers: int, complaints: int, artefacts: list[dict]) -> str:
    top = artefacts[0] if artefacts else None
    shared = f"，共用{ARTEFACT_ZH.get(top['kind'], top['kind'])} {top['value']}" if top else ""
    return f"{TYPE_ZH[lead_type]}·{KIND_ZH.get(kind, kind)}：{customers} 名客户 {complaints} 件投诉{shared}"[:200]


def refresh_leads(ctx: Context) -> dict[str, int]:
    """Bring every lead up to date with the detector: create, grow, mark merged. Idempotent."""
    st = triage.state(ctx)
    with st.lock:
        triage._catch_up(ctx, st)
        groups = _groups(st)
        ids = dict(st.ids)
    now = ctx.now()
    created = updated = 0
    with ctx.store.uow() as uow:
        existing = uow.blackgray.lead_keys()
        flags = uow.blackgray.flags_for({ids[d] for g in groups for d in g["docs"]})
        seen = set()
        for g in groups:
            cids = [ids[d] for d in g["docs"]]
            member_flags = [flags[c] for c in cids if c in flags]
            flagged = [f for f in member_flags if f["flagged"]]
            if not flagged:
                continue  # a family of genuine complaints (an outage, a fee change) is not a lead
            kinds = Counter(f["kind"] for f in flagged)
            kind = kinds.most_common(1)[0][0]
            signal_counts = Counter(s["kind"] for f in flagged for s in f["signals"] or [])
            days = Counter(t.date().isoformat() for t in g["times"])
            row = {
                "lead_type": g["lead_type"], "key": g["key"], "kind": kind,
                "title": _title(g["lead_type"], kind, g["customers"], len(cids), g["artefacts"]),
                "status": "open", "score": round(max(f["score"] for f in flagged), 4),
                "complaints": len(cids), "customers": g["customers"],
                "first_at": min(g["times"], default=None), "last_at": max(g["times"], default=None),
                "artefacts": g["artefacts"], "families": g["families"],
                "evidence": {"flagged": len(flagged), "kinds": dict(kinds), "signals": dict(signal_counts),
                             "timeline": [{"date": d, "count": n} for d, n in sorted(days.items())],
                             "citation": str(CITATIONS.get(kind, "")) or None},
                "created_at": now, "updated_at": now,
            }
            old = existing.get((g["lead_type"], g["key"]))
            lead_id = uow.blackgray.save_lead(row, old["id"] if old else None)
            uow.blackgray.set_members(lead_id, cids, now)
            seen.add(lead_id)
            created += old is None
            updated += old is not None
        stale = [v["id"] for v in existing.values() if v["id"] not in seen and v["status"] == "open"]
        uow.blackgray.mark_stale(stale, now)
        uow.commit()
    return {"leads": len(seen), "created": created, "updated": updated, "merged": len(stale)}


def list_leads(ctx: Context, *, status: str | None = None, lead_type: str | None = None, limit: int = 100,
               offset: int = 0) -> dict[str, Any]:
    with ctx.store.uow(write=False) as uow:
        total, rows = uow.blackgray.leads(status=status, lead_type=lead_type, limit=limit, offset=offset)
    return {"total": total, "items": [_lead_dict(r) for r in rows]}


def _lead_dict(r: dict[str, Any]) -> dict[str, Any]:
    return {**r, "kind_name": KIND_ZH.get(r["kind"], r["kind"]), "type_name": TYPE_ZH.get(r["lead_type"])}


def _member_dict(m: dict[str, Any]) -> dict[str, Any]:
    return {"complaint_id": m["id"], "channel": m["channel"], "external_id": m["external_id"],
            "received_at": m["received_at"], "status": m["status"], "tier": m["tier"], "team": m["team"],
            "customer": m["masked"], "category": m["category"], "product": m["product"],
            "score": m["score"], "kind": m["kind"], "review_status": m["review_status"]}


def get_lead(ctx: Context, lead_id: int) -> dict[str, Any]:
    with ctx.store.uow(write=False) as uow:
        lead = load_or_404(lambda: uow.blackgray.lead(lead_id), f"线索 #{lead_id}", f"lead #{lead_id}",
                           lead_id=lead_id)
        members = uow.blackgray.members(lead_id)
    return {**_lead_dict(lead), "members": [_member_dict(m) for m in members]}
