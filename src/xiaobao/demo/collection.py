"""Demo calls: collection calls over the last six months, by the lender's own collectors and three
outsourced agencies, for the demo's debt-collection complainants and other debtors.

Each call opens with the collector's introduction and alternates the debtor's answers with compliant
lines; one call in four has a violating line (a threat, an insult, a false identity, "borrow elsewhere")
for the inspection to find. The calls go through the real import (so blind-index links to the
complainants, inspection, findings and audit are the real ones). Seeded; the texts are in
`data/collection.yaml`."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select

from xiaobao.demo import data
from xiaobao.store.complaints.tables import complaints
from xiaobao.services.collection.calls import import_rows
from xiaobao.services.context import Context

AGENCIES = data.texts("collection", "agencies")
OPENING = data.text("collection", "opening")
COMPLIANT = data.texts("collection", "collector")
CALLEE = data.texts("collection", "callee")
VIOLATIONS = data.texts("collection", "violations")


def load_collection_demo(ctx: Context, *, calls: int = 600, seed: int = 20261121) -> dict:
    rng = random.Random(seed)
    with ctx.store.uow(write=False) as uow:
        rows = uow.session.execute(select(complaints.c.pii).where(complaints.c.category == "debt_collection")
                                   .limit(80)).scalars().all()
    ids = [ctx.vault.decrypt(p["id_number"], "id_number") for p in rows if p and "id_number" in p]
    end = ctx.now().replace(hour=0, minute=0, second=0, microsecond=0)
    recs = []
    for i in range(calls):
        debtor = i % (len(ids) + 40)
        turns = [{"speaker": "collector", "text": OPENING.format(n=rng.randrange(1, 9999))}]
        for _ in range(rng.randrange(3, 9)):
            turns += [{"speaker": "callee", "text": rng.choice(CALLEE)},
                      {"speaker": "collector", "text": rng.choice(COMPLIANT)}]
        if rng.random() < 0.25:
            turns.insert(rng.randrange(2, len(turns)), {"speaker": "collector", "text": rng.choice(VIOLATIONS)})
        hour = rng.choice([9, 10, 11, 14, 15, 16, 19, 20, 21, 22])
        at = end - timedelta(days=rng.randrange(1, 180)) + timedelta(hours=hour, minutes=rng.randrange(60))
        recs.append({"call_id": f"DEMO-CALL-{i:05d}", "agency": rng.choice(AGENCIES),
                     "collector_id": f"COL{rng.randrange(1, 30):03d}", "debtor_id": f"DEMO-D{debtor:04d}",
                     **({"debtor_id_number": ids[debtor]} if debtor < len(ids) else {}),
                     "started_at": datetime.isoformat(at) + "+08:00", "duration_s": 40 + 15 * len(turns),
                     "callee_relation": "debtor", "transcript": turns})
    report = import_rows(ctx, list(enumerate(recs, start=1)), actor="system", source="demo")
    return {"calls": report.inserted, "violating_calls": report.violating_calls, "linked_debtors": len(ids)}
