"""Aggregate queries for dashboards and statistical reports, computed in SQL (GROUP BY, SUM(CASE …)),
never by loading every complaint.

The conditions that define a figure — "decided within its stage limit", "first-contact resolution",
"has flag X", "customer's province" — live here once, as SQL expressions, and the complaint list
(`ComplaintRepository._where`, the workbench) uses the same ones, so the list a figure drills down to
holds exactly the complaints the figure counted.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Callable, Iterable, Sequence

from sqlalchemy import (Boolean, Date, Integer, String, and_, case, cast, exists, false, func, literal, not_, or_, select,
                        true)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from xiaobao.domain.complaint import OPEN, Status
from xiaobao.domain.tiers import Tier
from xiaobao.store.blackgray.tables import bg_lead_members, bg_leads
from xiaobao.store.classify.tables import classify_points, classify_predictions
from xiaobao.store.audit import audit_log
from xiaobao.store.complaints.tables import complaints

c = complaints.c
NONE = "_none"  # a group whose value is missing (no product, no category…), as a filter value

# Open and the clock running: what `overdue` means everywhere (a paused clock has no due date).
OPEN_RUNNING = [str(s) for s in OPEN if s != Status.PAUSED]
CLOCK_OUTCOMES = ("on_time", "late", "overdue", "pending", "ended")


# ---- portable SQL pieces ---------------------------------------------------------------------------
class day_of(FunctionElement):
    """The calendar day of a DateTime, comparable with a Date column on both databases
    (SQLite stores both as ISO text; `CAST(… AS DATE)` there would yield a number)."""

    type = Date()
    inherit_cache = True
    name = "day_of"


@compiles(day_of)
def _day_of_default(element, compiler, **kw):
    return "CAST(%s AS DATE)" % compiler.process(element.clauses, **kw)


@compiles(day_of, "sqlite")
def _day_of_sqlite(element, compiler, **kw):
    return "date(%s)" % compiler.process(element.clauses, **kw)


class days_between(FunctionElement):
    """Whole calendar days from the day of the first DateTime to the day of the second."""

    type = Integer()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_between_default(element, compiler, **kw):
    a, b = list(element.clauses)
    return "(CAST(%s AS DATE) - CAST(%s AS DATE))" % (compiler.process(b, **kw), compiler.process(a, **kw))


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    a, b = list(element.clauses)
    return "CAST(julianday(date(%s)) - julianday(date(%s)) AS INTEGER)" % (
        compiler.process(b, **kw), compiler.process(a, **kw))


class month_of(FunctionElement):
    """'YYYY-MM' of a DateTime."""

    type = String()
    inherit_cache = True
    name = "month_of"


@compiles(month_of)
def _month_of_default(element, compiler, **kw):
    return "to_char(%s, 'YYYY-MM')" % compiler.process(element.clauses, **kw)


@compiles(month_of, "sqlite")
def _month_of_sqlite(element, compiler, **kw):
    return "strftime('%%Y-%%m', %s)" % compiler.process(element.clauses, **kw)


class json_list_has(FunctionElement):
    """`value` is an element of the JSON list in `column` (the complaint's flags)."""

    type = Boolean()
    inherit_cache = True
    name = "json_list_has"


@compiles(json_list_has)
def _json_list_has_pg(element, compiler, **kw):
    col, value = list(element.clauses)
    return "(%s @> jsonb_build_array(CAST(%s AS TEXT)))" % (compiler.process(col, **kw), compiler.process(value, **kw))


@compiles(json_list_has, "sqlite")
def _json_list_has_sqlite(element, compiler, **kw):
    col, value = list(element.clauses)
    return "EXISTS (SELECT 1 FROM json_each(%s) WHERE json_each.value = %s)" % (
        compiler.process(col, **kw), compiler.process(value, **kw))


def has_flag(flag: str) -> ColumnElement:
    return json_list_has(c.flags, literal(flag, String))


def province_code() -> ColumnElement:
    """GB/T 2260 province code: the first two digits of the resident ID number, read from its display
    mask (which keeps the first three characters), so no personal data is decrypted for statistics.
    NULL for organisations and for customers identified otherwise (passport, phone only…)."""
    return func.substr(c.masked["id_number"].as_string(), 1, 2)


def _entity_is_complaint():
    return and_(audit_log.c.entity_type == "complaint", audit_log.c.entity_id == cast(c.id, String))


def first_contact_resolved() -> ColumnElement:
    """First-contact resolution (一次解决): a decision was made by the front line (routed to L1 at
    intake, per the `complaint.create` audit entry), with no transfer or escalation (`transfer`
    event) before the decision, and no 核查 (review) asked for afterwards."""
    routed_l1 = exists().where(_entity_is_complaint(), audit_log.c.action == "complaint.create",
                               audit_log.c.content[("after", "tier")].as_string() == str(Tier.L1))
    moved = exists().where(_entity_is_complaint(), audit_log.c.action == "transfer",
                           audit_log.c.at <= c.decided_at)
    return and_(c.decided_at.is_not(None), c.review_requested_at.is_(None), routed_l1, not_(moved))


def clock_outcome(today: date) -> ColumnElement:
    """on_time: decided on or before the due date of its clock stage (15/30/60 days, pauses excluded);
    late: decided after it; overdue: not decided, clock running, due date passed; pending: open and not
    (yet) overdue, paused included; ended: closed without a decision (withdrawn, merged, not accepted)."""
    decided = c.decided_at.is_not(None)
    return case(
        (and_(decided, or_(c.due_date.is_(None), day_of(c.decided_at) <= c.due_date)), "on_time"),
        (decided, "late"),
        (and_(c.status.in_(OPEN_RUNNING), c.due_date < today), "overdue"),
        (c.status.in_([str(s) for s in OPEN]), "pending"),
        else_="ended")


def in_stages(pairs: Iterable[tuple[str, int]]) -> ColumnElement:
    """The complaint's clock is at one of these (policy, level) stages."""
    conds = [and_(c.clock_policy == p, c.clock_level == lvl) for p, lvl in pairs]
    return or_(*conds) if conds else false()


def in_lead(lead_id: int) -> ColumnElement:
    return c.id.in_(select(bg_lead_members.c.complaint_id).where(bg_lead_members.c.lead_id == lead_id))


def has_point(point_id: str) -> ColumnElement:
    """The complaint has this complaint point (诉点), as the classifier stored it (classify_points, one row per
    complaint and point: the same rows `DashboardRepository.top_points` counts)."""
    return c.id.in_(select(classify_points.c.complaint_id).where(classify_points.c.point_id == point_id))


def needs_label() -> ColumnElement:
    """The classifier could not decide the complaint's category (below the needs-a-person threshold) and
    nobody has labelled it since: the team's labelling queue (a correction clears it)."""
    return c.id.in_(select(classify_predictions.c.complaint_id).where(classify_predictions.c.needs_person.is_(True)))


def respondent_branch() -> ColumnElement:
    """The complained-about branch or department (被投诉部门/机构, e.g. 委外催收机构（…）) as intake recorded it."""
    return c.respondent["branch"].as_string()


def value_in(column, values: Sequence[str]) -> ColumnElement:
    """column IN values, where NONE stands for a missing value."""
    named = [v for v in values if v != NONE]
    conds = [column.in_(named)] if named else []
    if NONE in values:
        conds.append(column.is_(None))
    return or_(*conds) if conds else false()


# ---- cohorts and groups, by name -------------------------------------------------------------------
# Services choose a cohort and a grouping by name; the SQL for each is here, beside the aggregates.
def received_between(start: datetime | None, end: datetime | None) -> ColumnElement:
    conds = []
    if start is not None:
        conds.append(c.received_at >= start)
    if end is not None:
        conds.append(c.received_at < end)
    return and_(true(), *conds)


def received_cohort(start: datetime | None, end: datetime | None, channel: str | None = None) -> ColumnElement:
    """Complaints received in [start, end), on one channel when given: a dashboard's or a report's cohort."""
    where = received_between(start, end)
    return and_(where, c.channel == channel) if channel else where


def received_forwarded(start: datetime | None, end: datetime | None) -> ColumnElement:
    """Complaints received in [start, end) that a regulator forwarded (监管转办)."""
    return and_(received_between(start, end), c.regulator.is_not(None))


def decided_between(start: datetime, end: datetime) -> ColumnElement:
    """Complaints decided (处理意见) in [start, end), whenever received."""
    return and_(c.decided_at >= start, c.decided_at < end)


def every_complaint() -> ColumnElement:
    return true()


# name → the grouping expression (built anew for each statement; labels are applied per query)
GROUPS: dict[str, Callable[[], ColumnElement]] = {
    "category": lambda: c.category,
    "product": lambda: c.product,
    "channel": lambda: c.channel,
    "satisfaction": lambda: c.satisfaction,
    "status": lambda: c.status,
    "tier": lambda: c.tier,
    "regulator": lambda: c.regulator,
    "branch": respondent_branch,
    "province": province_code,
    "received_month": lambda: month_of(c.received_at),
    "axis_b": lambda: classify_predictions.c.axis_b,  # needs the predictions joined (see `_source`)
}
_PREDICTION_GROUPS = frozenset({"axis_b"})


def _groups(names: Sequence[str]) -> list[ColumnElement]:
    try:
        return [GROUPS[n]() for n in names]
    except KeyError as e:
        raise ValueError(f"unknown dashboard group {e.args[0]!r} (known: {', '.join(GROUPS)})") from None


def _source(names: Sequence[str]):
    if _PREDICTION_GROUPS.intersection(names):
        return complaints.outerjoin(classify_predictions, classify_predictions.c.complaint_id == c.id)
    return complaints


# ---- the aggregates ----------------------------------------------------------------------------
def _n(cond) -> ColumnElement:
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


class DashboardRepository:
    def __init__(self, session: Session):
        self.session = session

    def totals(self, where: ColumnElement, today: date) -> dict[str, int]:
        """One pass over the cohort: the headline counts."""
        outcome = clock_outcome(today)
        row = self.session.execute(select(
            func.count().label("received"),
            _n(c.decided_at.is_not(None)).label("decided"),
            _n(c.status == str(Status.CLOSED)).label("closed"),
            _n(c.status.in_([str(s) for s in OPEN])).label("open"),
            _n(outcome == "on_time").label("on_time"),
            _n(outcome == "late").label("late"),
            _n(outcome == "overdue").label("overdue"),
            _n(c.repeat_of_id.is_not(None)).label("repeat"),
            _n(has_flag("blackgray_suspect")).label("blackgray"),
            _n(c.satisfaction.is_not(None)).label("callbacks"),
            _n(c.review_requested_at.is_not(None)).label("reviews"),
        ).select_from(complaints).where(where)).one()
        return {k: int(v or 0) for k, v in row._mapping.items()}

    def count_by(self, where: ColumnElement, *groups: str) -> list[tuple]:
        """(value…, count) for each group of the named groupings (`GROUPS`)."""
        labelled = [col.label(f"g{i}") for i, col in enumerate(_groups(groups))]
        stmt = select(*labelled, func.count()).select_from(_source(groups)).where(where).group_by(*labelled)
        return [tuple(r) for r in self.session.execute(stmt)]

    def count_by_axis_b(self, where: ColumnElement) -> list[tuple[str | None, int]]:
        """JR/T 0169 axis B (业务类别) as the classifier (or an agent's correction) set it."""
        stmt = (select(classify_predictions.c.axis_b, func.count()).select_from(
            complaints.outerjoin(classify_predictions, classify_predictions.c.complaint_id == c.id))
            .where(where).group_by(classify_predictions.c.axis_b))
        return [tuple(r) for r in self.session.execute(stmt)]

    def daily(self, where: ColumnElement) -> list[tuple[date, str, int]]:
        day = day_of(c.received_at).label("day")
        stmt = (select(day, c.channel, func.count()).select_from(complaints).where(where)
                .group_by(day, c.channel).order_by(day))
        return [(_as_date(d), ch, n) for d, ch, n in self.session.execute(stmt)]

    def clock_stages(self, where: ColumnElement, today: date) -> list[tuple[str, int, str, int]]:
        """(clock_policy, clock_level, outcome, count)."""
        outcome = clock_outcome(today).label("outcome")
        stmt = (select(c.clock_policy, c.clock_level, outcome, func.count()).select_from(complaints).where(where)
                .group_by(c.clock_policy, c.clock_level, outcome))
        return [tuple(r) for r in self.session.execute(stmt)]

    def fcr(self, where: ColumnElement) -> dict[str, int]:
        row = self.session.execute(select(_n(c.decided_at.is_not(None)).label("decided"),
                                          _n(first_contact_resolved()).label("resolved"))
                                   .select_from(complaints).where(where)).one()
        return {"decided": int(row.decided or 0), "resolved": int(row.resolved or 0)}

    def top_leads(self, where: ColumnElement, limit: int = 10) -> list[dict[str, Any]]:
        """Gangs and template families with the most member complaints in the cohort (leads merged
        into another, or rejected by a reviewer, are left out)."""
        n = func.count().label("in_range")
        stmt = (select(bg_leads.c.id, bg_leads.c.lead_type, bg_leads.c.kind, bg_leads.c.title, bg_leads.c.status,
                       bg_leads.c.score, bg_leads.c.complaints, bg_leads.c.customers, n)
                .select_from(bg_leads.join(bg_lead_members, bg_lead_members.c.lead_id == bg_leads.c.id)
                             .join(complaints, c.id == bg_lead_members.c.complaint_id))
                .where(where, bg_leads.c.status.not_in(("merged", "rejected")))
                .group_by(bg_leads.c.id, bg_leads.c.lead_type, bg_leads.c.kind, bg_leads.c.title, bg_leads.c.status,
                          bg_leads.c.score, bg_leads.c.complaints, bg_leads.c.customers)
                .order_by(n.desc(), bg_leads.c.score.desc(), bg_leads.c.id).limit(limit))
        return [dict(r._mapping) for r in self.session.execute(stmt)]

    def breakdown(self, where: ColumnElement, today: date, *groups: str) -> list[dict[str, Any]]:
        """Per group of the named groupings (`GROUPS`): received, decided, closed (status now), open, on
        time, late, overdue (open past due), and the summed days from receipt to decision (for an average)."""
        outcome = clock_outcome(today)
        labelled = [col.label(f"g{i}") for i, col in enumerate(_groups(groups))]
        source = _source(groups)
        stmt = (select(*labelled, func.count().label("received"),
                       _n(c.decided_at.is_not(None)).label("decided"),
                       _n(c.status == str(Status.CLOSED)).label("closed"),
                       _n(c.status.in_([str(s) for s in OPEN])).label("open"),
                       _n(outcome == "on_time").label("on_time"), _n(outcome == "late").label("late"),
                       _n(outcome == "overdue").label("overdue"),
                       func.coalesce(func.sum(days_between(c.received_at, c.decided_at)), 0).label("decide_days"))
                .select_from(source).where(where).group_by(*labelled))
        out = []
        for r in self.session.execute(stmt):
            m = dict(r._mapping)
            out.append({"key": tuple(m.pop(f"g{i}") for i in range(len(groups))),
                        **{k: int(v or 0) for k, v in m.items()}})
        return out

    def closed_between(self, where: ColumnElement, start: datetime, end: datetime) -> int:
        """Complaints closed (办结) in [start, end): a close or a 核查 decision in the audit trail."""
        stmt = (select(func.count(func.distinct(audit_log.c.entity_id))).select_from(audit_log)
                .join(complaints, cast(c.id, String) == audit_log.c.entity_id)
                .where(audit_log.c.entity_type == "complaint",
                       audit_log.c.action.in_(("status.closed", "review.decide")),
                       audit_log.c.at >= start, audit_log.c.at < end, where))
        return int(self.session.scalar(stmt) or 0)

    def institution(self, where: ColumnElement) -> str | None:
        """The respondent institution named most often (the report's institution when the rules name none)."""
        inst = c.respondent["institution"].as_string()
        row = self.session.execute(select(inst, func.count().label("n")).select_from(complaints)
                                   .where(where, inst.is_not(None)).group_by(inst)
                                   .order_by(func.count().desc(), inst).limit(1)).first()
        return row[0] if row else None

    # -- complaint points (诉点) -------------------------------------------------------------------
    def top_points(self, where: ColumnElement, split: datetime, limit: int) -> list[dict[str, Any]]:
        """Complaint points of the complaints `where` selects — a range of receipt spanning two periods cut at
        `split`: per point, how many of its complaints were received from `split` on (`count`, this period)
        and before it (`previous`). The `limit` points with the highest count (then previous, then id) among
        those with a count in this period. One GROUP BY over classify_points joined to the complaints."""
        p = classify_points.c
        cur, prev = _n(c.received_at >= split), _n(c.received_at < split)
        stmt = (select(p.point_id, func.max(p.name_zh).label("name_zh"), cur.label("count"), prev.label("previous"))
                .select_from(classify_points.join(complaints, c.id == p.complaint_id)).where(where)
                .group_by(p.point_id).having(cur > 0)
                .order_by(cur.desc(), prev.desc(), p.point_id).limit(limit))
        return [{"point_id": r.point_id, "name_zh": r.name_zh, "count": int(r.count), "previous": int(r.previous)}
                for r in self.session.execute(stmt)]

    def point_breakdown(self, where: ColumnElement, split: datetime, point_id: str,
                        group: str) -> list[tuple[str | None, int, int]]:
        """(value of the named grouping, complaints from `split` on, complaints before it) among the complaints
        `where` selects that have this point: where a point's complaints come from, this period against the last."""
        p = classify_points.c
        cur, prev = _n(c.received_at >= split), _n(c.received_at < split)
        g = _groups([group])[0].label("g")
        stmt = (select(g, cur, prev).select_from(classify_points.join(complaints, c.id == p.complaint_id))
                .where(where, p.point_id == point_id).group_by(g))
        return [(r[0], int(r[1]), int(r[2])) for r in self.session.execute(stmt)]

    def point_name(self, point_id: str) -> str | None:
        """The point's name as the classifier stored it; None when no complaint ever had this point."""
        return self.session.execute(select(func.max(classify_points.c.name_zh))
                                    .where(classify_points.c.point_id == point_id)).scalar()

    def point_groups(self, where: ColumnElement, point_ids: Sequence[str],
                     group: str) -> list[tuple[str, str | None, int]]:
        """(point, value of the named grouping, complaints) for these points among the complaints `where`
        selects: a point's complaints by category, by branch complained about…"""
        if not point_ids:
            return []
        p = classify_points.c
        g = _groups([group])[0].label("g")
        stmt = (select(p.point_id, g, func.count())
                .select_from(classify_points.join(complaints, c.id == p.complaint_id))
                .where(where, p.point_id.in_(list(point_ids))).group_by(p.point_id, g))
        return [tuple(r) for r in self.session.execute(stmt)]

    def point_coverage(self, where: ColumnElement) -> dict[str, int]:
        """How many of the complaints `where` selects have at least one point, and how many distinct points."""
        p = classify_points.c
        row = self.session.execute(select(func.count(func.distinct(p.complaint_id)), func.count(func.distinct(p.point_id)))
                                   .select_from(classify_points.join(complaints, c.id == p.complaint_id))
                                   .where(where)).one()
        return {"complaints": int(row[0] or 0), "points": int(row[1] or 0)}

    def received_span(self) -> tuple[datetime | None, datetime | None]:
        row = self.session.execute(select(func.min(c.received_at), func.max(c.received_at))).one()
        return row[0], row[1]


def _as_date(v) -> date:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    return date.fromisoformat(str(v)[:10])
