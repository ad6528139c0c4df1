"""The complaint repository: the only place that knows how complaints (and import runs) are queried."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterable, Sequence

from sqlalchemy import String, and_, bindparam, case, cast, func, insert, or_, select, update
from sqlalchemy.orm import Session

from xiaobao.domain.complaint import OPEN, Complaint, Status
from xiaobao.store.complaints.tables import complaints, import_runs


@dataclass(frozen=True)
class ComplaintQuery:
    status: Sequence[str] = ()
    channel: Sequence[str] = ()
    tier: Sequence[str] = ()
    team: str | None = None
    assignee: str | None = None
    due_within_days: int | None = None  # open and due on or before today + N
    overdue: bool = False  # open and due before today
    paused: bool = False
    in_review: bool = False
    review_overdue: bool = False
    customer_key: str | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None
    # Dashboard drill-downs (conditions defined once in dashboard_repository, shared with the figures).
    product: Sequence[str] = ()  # "_none": no product
    satisfaction: Sequence[str] = ()  # callback result; "_none": no callback yet
    clock_outcome: str | None = None  # on_time | late | overdue | pending (dashboard_repository.clock_outcome)
    clock_stages: Sequence[tuple[str, int]] = ()  # (clock_policy, clock_level) pairs
    fcr: bool | None = None  # first-contact resolution (dashboard_repository.first_contact_resolved)
    decided: bool | None = None
    lead_id: int | None = None  # member of a black/gray lead
    point: str | None = None  # has this complaint point (诉点 id as classify_points stores it)
    branch: Sequence[str] = ()  # the complained-about branch/department (respondent.branch); "_none": not given
    needs_label: bool | None = None  # the classifier asked for a person and nobody has labelled it yet
    province: Sequence[str] = ()  # GB/T 2260 province code of the ID number; "_none": unknown
    today: date | None = None
    limit: int = 100
    offset: int = 0
    category: Sequence[str] = ()
    flags: Sequence[str] = ()  # every one of these flags present
    repeat: bool = False  # a repeat of an earlier open complaint of the same customer
    unassigned: bool = False
    search: str | None = None  # the id, or part of the external id


_OPEN = [str(s) for s in OPEN if s != Status.PAUSED]
_OPEN_ALL = [str(s) for s in OPEN]


def _by_channel(keys: Iterable[tuple[str, str]], chunk: int = 500):
    """(channel, [external_id…]) chunks: `channel = ? AND external_id IN (…)` is an index seek on both
    databases, where a row-value `(channel, external_id) IN (…)` makes SQLite scan the whole index."""
    grouped: dict[str, list[str]] = {}
    for ch, ext in keys:
        grouped.setdefault(ch, []).append(ext)
    for ch, exts in grouped.items():
        for i in range(0, len(exts), chunk):
            yield ch, exts[i:i + chunk]


# Hot statements are built once; building a select costs more than running it on SQLite.
_INSERT_RETURNING_ID = insert(complaints).returning(complaints.c.id)
_KEY_EXISTS = select(complaints.c.id).where(complaints.c.channel == bindparam("channel"),
                                            complaints.c.external_id == bindparam("external_id"))
_OPEN_FOR_KEY = (select(func.min(complaints.c.id)).where(complaints.c.customer_key == bindparam("key"),
                                                         complaints.c.status.in_(_OPEN_ALL)))
_EXISTING_AND_OPEN = select(_KEY_EXISTS.scalar_subquery(), _OPEN_FOR_KEY.scalar_subquery())


def _drilldown_conditions(q: ComplaintQuery, today: date) -> list:
    from xiaobao.store.dashboards import repository as d

    conds = []
    if q.product:
        conds.append(d.value_in(complaints.c.product, q.product))
    if q.satisfaction:
        conds.append(d.value_in(complaints.c.satisfaction, q.satisfaction))
    if q.clock_outcome:
        conds.append(d.clock_outcome(today) == q.clock_outcome)
    if q.clock_stages:
        conds.append(d.in_stages(q.clock_stages))
    if q.fcr is not None:
        conds.append(d.first_contact_resolved() if q.fcr else ~d.first_contact_resolved())
    if q.decided is not None:
        conds.append(complaints.c.decided_at.is_not(None) if q.decided else complaints.c.decided_at.is_(None))
    if q.lead_id is not None:
        conds.append(d.in_lead(q.lead_id))
    if q.point:
        conds.append(d.has_point(q.point))
    if q.province:
        conds.append(d.value_in(d.province_code(), q.province))
    if q.branch:
        conds.append(d.value_in(d.respondent_branch(), q.branch))
    if q.needs_label is not None:
        conds.append(d.needs_label() if q.needs_label else ~d.needs_label())
    return conds


class ComplaintRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, c: Complaint) -> Complaint:
        self.session.add(c)
        self.session.flush()
        return c

    def get(self, complaint_id: int, for_update: bool = False) -> Complaint | None:
        stmt = select(Complaint).where(complaints.c.id == complaint_id)
        if for_update:
            stmt = stmt.with_for_update()
        return self.session.scalars(stmt).first()

    def existing_and_open(self, channel: str, external_id: str, key: str | None) -> tuple[int | None, int | None]:
        """One round trip for intake: the id stored under this key (if any), and the customer's
        earliest open complaint (repeat detection)."""
        row = self.session.execute(_EXISTING_AND_OPEN, {"channel": channel, "external_id": external_id,
                                                        "key": key}).one()
        return row[0], row[1]

    def by_key(self, channel: str, external_id: str) -> Complaint | None:
        return self.session.scalars(select(Complaint).where(complaints.c.channel == channel,
                                                            complaints.c.external_id == external_id)).first()

    def by_keys(self, keys: list[tuple[str, str]]) -> list[Complaint]:
        """Complaints by (channel, external_id), in id order."""
        out: list[Complaint] = []
        for ch, exts in _by_channel(keys):
            out += self.session.scalars(select(Complaint).where(complaints.c.channel == ch,
                                                                complaints.c.external_id.in_(exts)))
        return sorted(out, key=lambda c: c.id)

    def ids_by_key(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        found: dict[tuple[str, str], int] = {}
        for ch, exts in _by_channel(keys):
            for cid, ext in self.session.execute(select(complaints.c.id, complaints.c.external_id)
                                                 .where(complaints.c.channel == ch, complaints.c.external_id.in_(exts))):
                found[(ch, ext)] = cid
        return found

    def bulk_insert(self, rows: list[dict[str, Any]]) -> list[int]:
        """One executemany for the batch, then its ids by natural key.

        INSERT … RETURNING with guaranteed row order makes SQLite fall back to a statement per
        row; the natural key is unique, so looking the ids up afterwards is exact and much faster.
        """
        if not rows:
            return []
        self.session.execute(insert(complaints), [{**r, "version": 1} for r in rows])
        ids = self.ids_by_key((r["channel"], r["external_id"]) for r in rows)
        return [ids[(r["channel"], r["external_id"])] for r in rows]

    def insert_one(self, row: dict[str, Any]) -> int:
        # Values as execute parameters, not .values(**row): the compiled statement is then cached
        # instead of rebuilt (forty coerced bind parameters) on every request.
        return self.session.execute(_INSERT_RETURNING_ID, {**row, "version": 1}).scalar_one()

    def open_for_customer(self, customer_key: str, exclude_id: int | None = None) -> list[Complaint]:
        stmt = select(Complaint).where(complaints.c.customer_key == customer_key,
                                       complaints.c.status.in_(_OPEN_ALL))
        if exclude_id is not None:
            stmt = stmt.where(complaints.c.id != exclude_id)
        return list(self.session.scalars(stmt.order_by(complaints.c.received_at)))

    def set_repeat_of(self, links: dict[int, int]) -> None:
        if links:
            self.session.execute(update(complaints).where(complaints.c.id == bindparam("cid"))
                                 .values(repeat_of_id=bindparam("rid")),
                                 [{"cid": c, "rid": r} for c, r in links.items()])

    def open_ids_for_customers(self, keys: set[str]) -> dict[str, int]:
        """customer_key → the earliest open complaint's id, for repeat detection in bulk.

        Served by ix_complaints_customer_status (customer_key, status): without it both databases
        pick the status index, and every new complaint is open, so the look-up scanned the table."""
        out: dict[str, int] = {}
        keys_l = sorted(keys)
        for i in range(0, len(keys_l), 500):
            rows = self.session.execute(
                select(complaints.c.customer_key, func.min(complaints.c.id))
                .where(complaints.c.customer_key.in_(keys_l[i:i + 500]), complaints.c.status.in_(_OPEN_ALL))
                .group_by(complaints.c.customer_key))
            out.update({k: v for k, v in rows})
        return out

    def count_for_customer_since(self, customer_key: str, since: datetime) -> int:
        return self.session.scalar(select(func.count()).where(complaints.c.customer_key == customer_key,
                                                              complaints.c.received_at >= since)) or 0

    def _where(self, q: ComplaintQuery):
        today = q.today or date.today()
        conds = []
        if q.status:
            conds.append(complaints.c.status.in_(list(q.status)))
        if q.channel:
            conds.append(complaints.c.channel.in_(list(q.channel)))
        if q.tier:
            conds.append(complaints.c.tier.in_(list(q.tier)))
        if q.team:
            conds.append(complaints.c.team == q.team)
        if q.assignee:
            conds.append(complaints.c.assignee == q.assignee)
        if q.customer_key:
            conds.append(complaints.c.customer_key == q.customer_key)
        if q.received_from:
            conds.append(complaints.c.received_at >= q.received_from)
        if q.received_to:
            conds.append(complaints.c.received_at < q.received_to)
        if q.overdue:
            conds += [complaints.c.status.in_(_OPEN), complaints.c.due_date < today]
        if q.due_within_days is not None:
            conds += [complaints.c.status.in_(_OPEN), complaints.c.due_date >= today,
                      complaints.c.due_date <= date.fromordinal(today.toordinal() + q.due_within_days)]
        if q.paused:
            conds.append(complaints.c.status == str(Status.PAUSED))
        if q.in_review:
            conds.append(complaints.c.status == str(Status.IN_REVIEW))
        if q.review_overdue:
            conds += [complaints.c.status == str(Status.IN_REVIEW), complaints.c.review_due_date < today]
        if q.category:  # "_none" (dashboard_repository.NONE) stands for no category
            from xiaobao.store.dashboards.repository import value_in
            conds.append(value_in(complaints.c.category, q.category))
        for flag in q.flags:
            # The JSON list as text contains the quoted code: portable across SQLite and PostgreSQL.
            conds.append(cast(complaints.c.flags, String).contains(f'"{flag}"', autoescape=True))
        if q.repeat:
            conds.append(complaints.c.repeat_of_id.is_not(None))
        if q.unassigned:
            conds.append(complaints.c.assignee.is_(None))
        if q.search and q.search.strip():
            term = q.search.strip()
            match = func.lower(complaints.c.external_id).contains(term.lower(), autoescape=True)
            conds.append(or_(match, complaints.c.id == int(term)) if term.isdigit() and len(term) < 18 else match)
        conds += _drilldown_conditions(q, today)
        return and_(True, *conds)

    def find(self, q: ComplaintQuery) -> tuple[list[Complaint], int]:
        where = self._where(q)
        total = self.session.scalar(select(func.count()).select_from(complaints).where(where)) or 0
        order = [complaints.c.due_date.asc().nulls_last(), complaints.c.id] if (q.overdue or q.due_within_days is not None) \
            else [complaints.c.received_at.desc(), complaints.c.id.desc()]
        items = self.session.scalars(select(Complaint).where(where).order_by(*order).limit(q.limit).offset(q.offset))
        return list(items), total

    def open_with_due(self) -> list[Complaint]:
        return list(self.session.scalars(select(Complaint).where(complaints.c.status.in_(_OPEN),
                                                                 complaints.c.due_date.is_not(None))))

    def count_queues(self, statuses: Sequence[str], today: date) -> list[dict[str, Any]]:
        """Complaints in these statuses per (tier, team), with how many are past their due date."""
        c = complaints.c
        late = func.sum(case((and_(c.status.in_(_OPEN), c.due_date < today), 1), else_=0))
        rows = self.session.execute(select(c.tier, c.team, func.count(), late)
                                    .where(c.status.in_(list(statuses))).group_by(c.tier, c.team))
        return [{"tier": t, "team": team, "count": n, "overdue": int(o or 0)} for t, team, n, o in rows]

    def related_to(self, c: Complaint, limit: int = 50) -> list[Complaint]:
        """Complaints tied to this one by the customer (same identity key), a repeat link or a merge."""
        cc = complaints.c
        links = [cc.repeat_of_id == c.id, cc.merged_into_id == c.id]
        if c.customer_key:
            links.append(cc.customer_key == c.customer_key)
        for other in (c.repeat_of_id, c.merged_into_id):
            if other is not None:
                links.append(cc.id == other)
        stmt = (select(Complaint).where(or_(*links), cc.id != c.id)
                .order_by(cc.received_at.desc(), cc.id.desc()).limit(limit))
        return list(self.session.scalars(stmt))

    def by_ids(self, ids: Iterable[int]) -> list[Complaint]:
        ids = sorted(set(ids))
        out: list[Complaint] = []
        for i in range(0, len(ids), 500):
            out += self.session.scalars(select(Complaint).where(complaints.c.id.in_(ids[i:i + 500])))
        return out

    def count_by(self, column: str) -> dict[str, int]:
        col = complaints.c[column]
        return {k: v for k, v in self.session.execute(select(col, func.count()).group_by(col))}


class ImportRunRepository:
    def __init__(self, session: Session):
        self.session = session

    def start(self, **values) -> int:
        return self.session.execute(insert(import_runs).values(**values).returning(import_runs.c.id)).scalar_one()

    def finish(self, run_id: int, **values) -> None:
        self.session.execute(update(import_runs).where(import_runs.c.id == run_id).values(**values))
