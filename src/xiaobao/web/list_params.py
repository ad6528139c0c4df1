"""The console's complaint-list query strings: reading them into the keyword filters of
`services.complaints.queries.find` and writing filters back, in the vocabulary documented there (so a
dashboard figure's `params`, the drill-down link made of them and the workbench list agree)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from xiaobao.domain.complaint import OPEN
from xiaobao.services.complaints.queries import BOOLEAN_PARAMS, MULTI_PARAMS, TEXT_PARAMS
from xiaobao.services.context import Context


def _truthy(v: str) -> bool | None:
    v = v.strip().lower()
    if v in ("1", "true", "yes", "on"):
        return True
    if v in ("0", "false", "no", "off"):
        return False
    return None


def list_filters(ctx: Context, params) -> dict:
    """A complaint list's query string (a Starlette QueryParams or a dict of str / list[str]) → the
    keyword filters of `find`. Unknown or malformed values are ignored, never an error page."""

    def values(name: str, split: bool = True) -> list[str]:
        if hasattr(params, "getlist"):
            raw = params.getlist(name)
        else:
            v = params.get(name)
            raw = [] if v is None else (list(v) if isinstance(v, (list, tuple)) else [v])
        parts = [s for x in raw for s in (str(x).split(",") if split else [str(x)])]
        return [s.strip() for s in parts if s.strip()]

    out: dict = {}
    for name in MULTI_PARAMS:
        vals = values(name)
        if vals:
            out[name] = tuple(vals)
    for name in BOOLEAN_PARAMS:
        vals = values(name)
        flag = _truthy(vals[-1]) if vals else None
        if flag is not None:
            out[name] = flag
    for name in TEXT_PARAMS:
        vals = values(name, split=False)
        if vals:
            out[name] = vals[-1]
    for name, shift in (("received_from", 0), ("received_to", 1)):
        vals = values(name)
        if vals:
            try:
                day = date.fromisoformat(vals[-1][:10])
            except ValueError:
                continue
            out[name] = datetime.combine(day + timedelta(days=shift), datetime.min.time())
    outcome = values("clock_outcome")
    if outcome and outcome[-1] in ("on_time", "late", "overdue", "pending", "ended"):
        out["clock_outcome"] = outcome[-1]
    within = values("decided_within")
    if within and within[-1].isdigit():
        out["decided_within"] = int(within[-1])
    lead = values("lead")
    if lead and lead[-1].isdigit():
        out["lead_id"] = int(lead[-1])
    branch = [b for b in values("branch", split=False) if len(b) <= 200]
    if branch:
        out["branch"] = tuple(dict.fromkeys(branch))
    point = values("point", split=False)
    if point and len(point[-1]) <= 80:  # classify_points.point_id is at most 80 characters
        out["point"] = point[-1]
    # The workbench's spellings: flag=X (one flag), blackgray=1, status=open|all.
    flags = [*out.get("flags", ()), *values("flag")]
    blackgray = values("blackgray")
    if blackgray and _truthy(blackgray[-1]):
        flags.append("blackgray_suspect")
    if flags:
        out["flags"] = tuple(dict.fromkeys(flags))
    if "status" in out:
        raw = out.pop("status")
        if "all" not in raw:
            expanded = [x for st in raw for x in ([str(o) for o in OPEN] if st == "open" else [st])]
            out["status"] = tuple(dict.fromkeys(expanded))
    q = values("q", split=False)
    if q and "search" not in out:
        out["search"] = q[-1]
    for name in ("repeat", "overdue", "paused", "unassigned", "in_review"):
        if out.get(name) is False:
            del out[name]  # these filters only narrow; "not repeat" is not a list anyone asked for
    return out


def list_params(**filters) -> str:
    """Keyword filters in the `list_filters` vocabulary → a query string (dates as YYYY-MM-DD, the end
    day included). Values that are None are left out; lists repeat the parameter."""
    pairs: list[tuple[str, str]] = []
    for name, v in filters.items():
        if v is None:
            continue
        if isinstance(v, (list, tuple)):
            pairs += [(name, str(x)) for x in v]
        elif isinstance(v, bool):
            pairs.append((name, "1" if v else "0"))
        elif isinstance(v, (date, datetime)):
            pairs.append((name, v.isoformat()[:10]))
        else:
            pairs.append((name, str(v)))
    return urlencode(pairs)
