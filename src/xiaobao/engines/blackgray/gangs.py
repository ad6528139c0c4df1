"""Shared-contact gangs: complaints of *distinct customers* linked by a contact artefact or a
template family, as connected components of a union-find.

Two complaints are linked when they carry the same artefact (same kind and value, see
`contacts.extract_artefacts`) or the same template family id. A component is a gang only when it
holds at least `min_customers` (3) distinct customers: one customer filing twice with their own
phone number is a repeat complainant (see `repeat.py`), not a gang; two customers on one phone are
usually one household (a couple, a parent and child), and two customers whose texts merely resemble
each other are a coincidence — on the evaluation set's dev split, `min_customers = 2` made such pairs
into gangs (adjusted Rand index 0.56 → see docs/blackgray-engine.md).

Hubs must not glue everything together. Three guards:
* service numbers and short codes (400/800/95xxx, 12378 …) never link;
* `ignore_values` names further values that never link (the lender's own office line, its e-mail);
* an artefact carried by more than `max_fanout` distinct customers is treated as a hub and ignored
  (a common agent name, a number quoted from a public notice). Template families have their own,
  by default unlimited, fan-out (`max_family_fanout`): a family is a cluster already.

Cost: `add` is amortised near O(k) for k artefacts (union by size, path halving); the rare artefact
that crosses the fan-out marks the structure dirty and the next query rebuilds it in O(n).
Queries are O(component) for evidence and near O(1) for `gang_of`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from xiaobao.domain.finding import Citation, Finding
from xiaobao.domain.identity import MASKERS, mask_id, mask_name, mask_phone
from xiaobao.engines.blackgray.contacts import PHONE_KINDS, Artefact, is_service_number

RULE_ID = "blackgray.shared_contact"
FAMILY = "family"
CITATION = Citation(
    "投诉办法", "第十四条、第十八条第四款",
    note="代理投诉须提交授权委托书原件、代理人身份证明和联系方式；非消费者本人、法定代理人或合法授权代理人"
         "提出的投诉可不予受理。多名互不相干的客户共用同一联系方式，提示第三方代为投诉。",
)
# How much one shared artefact of a kind says about organised filing (before the customer-count boost).
KIND_STRENGTH = {
    "bank_account": 0.85, "mobile": 0.8, "wechat": 0.8, "qq": 0.75, "email": 0.75,
    "landline": 0.65, "agent_name": 0.45, FAMILY: 0.4,
}
INDIRECT_STRENGTH = 0.3  # in a gang only through other complaints, nothing of its own shared
# An artefact shared by exactly two customers is weak evidence: a couple or a parent and child share
# one phone, two friends share a WeChat. An agency's contact shows up on three or more customers'
# complaints. Measured on the dev split of eval/blackgray (shared-phone households).
PAIR_FACTOR = 0.45
EVIDENCE_LIMIT = 20  # gang-wide shared artefacts listed in one finding (most-shared first)


def mask_value(kind: str, value: str) -> str:
    """Display mask for evidence: digits keep the first 3 and last 4, names keep the surname."""
    if kind in PHONE_KINDS:
        return mask_phone(value)
    if kind == "email":
        return MASKERS["email"](value)
    if kind == "agent_name":
        return mask_name(value)
    if value.isdigit():
        return mask_id(value)
    return value


@dataclass(frozen=True, slots=True)
class SharedArtefact:
    kind: str
    value: str
    customers: int
    doc_ids: tuple[str, ...]

    @property
    def masked(self) -> str:
        return mask_value(self.kind, self.value)

    def to_evidence(self) -> dict:
        return {"kind": self.kind, "value": self.masked, "customers": self.customers, "complaints": len(self.doc_ids)}


@dataclass(frozen=True, slots=True)
class _Shared:
    """A shared key as one complaint's finding needs it: counts, not the complaints (a template
    family's key is carried by every member of the family)."""

    kind: str
    value: str
    customers: int
    complaints: int

    def to_evidence(self) -> dict:
        return {"kind": self.kind, "value": mask_value(self.kind, self.value), "customers": self.customers,
                "complaints": self.complaints}


class GangLinker:
    def __init__(self, max_fanout: int = 50, max_family_fanout: int | None = None, min_customers: int = 3,
                 ignore_values: Iterable[str] = (), link_kinds: Iterable[str] | None = None):
        if max_fanout < 2 or min_customers < 2:
            raise ValueError("max_fanout and min_customers must be at least 2")
        self.max_fanout = max_fanout
        self.max_family_fanout = max_family_fanout
        self.min_customers = min_customers
        self.ignore_values = frozenset(ignore_values)
        self.link_kinds = None if link_kinds is None else frozenset(link_kinds)
        self._seq: dict[str, int] = {}
        self._customer: dict[str, str] = {}
        self._keys: dict[str, tuple[tuple[str, str], ...]] = {}
        # key → its complaints (in the order added) and their distinct customers; a key carried by
        # one complaint or customer holds a 1-tuple, a list or set from the second on: most keys are
        # one complaint's (its own family key, its own phone), and a set is 216 bytes
        self._docs_by_key: dict[tuple[str, str], list[str] | tuple[str]] = {}
        self._customers_by_key: dict[tuple[str, str], set[str] | tuple[str]] = {}
        self._hot: set[tuple[str, str]] = set()
        self._parent: dict[str, str] = {}
        # per component root: its members, distinct customers and first member — for components of
        # two or more complaints only; a lone complaint's are itself and its customer (`_size`,
        # `_custs`): most complaints stay alone, and a list and a set each cost them ≈ 300 bytes
        self._members: dict[str, list[str]] = {}
        self._customers: dict[str, set[str]] = {}
        self._first: dict[str, str] = {}
        # per component (root): its contact keys carried by two or more customers, and the template
        # families (FAMILY key values) of its members — kept through unions, so a gang's shared
        # contacts and families are read without walking its members (a big family's gang is big).
        # Only components that have shared keys are in `_shared_keys`: most complaints share none,
        # and an empty set for each would cost 216 bytes a complaint for as long as it is indexed.
        self._shared_keys: dict[str, set[tuple[str, str]]] = {}
        # (`_family_keys` too only for components of two or more: a lone complaint's families are its
        # own FAMILY keys, `_fams`)
        self._family_keys: dict[str, set[str]] = {}
        self._dirty = False
        self._counter = 0
        self._version = 0
        # bumped when any component's shared contacts (or their counts) may have changed: what the
        # shared-contact caches are valid for (a new member bringing only its own phone leaves them)
        self._shared_epoch = 0
        self._shared_cache: dict[str, tuple[tuple[int, str], list[SharedArtefact]]] = {}
        self._members_cache: dict[str, tuple[int, list[str]]] = {}
        self._evidence_cache: dict[str, tuple[list[SharedArtefact], list[dict]]] = {}  # per shared list

    # ---- building ---------------------------------------------------------------------------

    def _ignored(self, kind: str, value: str) -> bool:
        if not value or value in self.ignore_values:
            return True
        if self.link_kinds is not None and kind != FAMILY and kind not in self.link_kinds:
            return True
        return kind in PHONE_KINDS and is_service_number(value)

    def _fanout(self, kind: str) -> int | None:
        return self.max_family_fanout if kind == FAMILY else self.max_fanout

    def add(self, doc_id: str, customer: str, artefacts: Iterable[Artefact], family_id: str | None = None) -> None:
        """Add (or replace) one complaint. `customer` identifies the complainant (an id or id hash)."""
        if doc_id in self._seq:
            self._remove(doc_id)
        self._counter += 1
        self._version += 1
        self._seq[doc_id] = self._counter
        customer = customer or f"?{doc_id}"  # an unknown customer is distinct from everyone
        self._customer[doc_id] = customer
        keys = {a.key for a in artefacts if not self._ignored(a.kind, a.value)}
        if family_id:
            keys.add((FAMILY, str(family_id)))
        self._keys[doc_id] = tuple(sorted(keys))
        self._parent[doc_id] = doc_id
        shared = []
        docs_by_key, customers_by_key = self._docs_by_key, self._customers_by_key
        for key in self._keys[doc_id]:
            docs = docs_by_key.get(key)
            if docs is None:
                docs = docs_by_key[key] = (doc_id,)
            else:
                if type(docs) is tuple:
                    docs = docs_by_key[key] = list(docs)
                docs.append(doc_id)
            custs = customers_by_key.get(key)
            if custs is None:
                custs = customers_by_key[key] = (customer,)
            elif type(custs) is tuple:
                if custs[0] != customer:
                    custs = customers_by_key[key] = {custs[0], customer}
            else:
                custs.add(customer)
            cap = self._fanout(key[0])
            if key in self._hot:
                continue
            if cap is not None and len(custs) > cap:
                self._hot.add(key)
                self._dirty = True  # unions already made through this hub must be undone
            elif not self._dirty:
                self._union(doc_id, docs[0])
                if key[0] != FAMILY and len(custs) >= 2:
                    shared.append(key)
        if shared:
            self._shared_epoch += 1
            if not self._dirty:
                self._shared_keys.setdefault(self._find(doc_id), set()).update(shared)

    def merge_family(self, absorbed: str, kept: str) -> None:
        """Template family `absorbed` has become part of family `kept` (`TemplateFamilies.drain_unions`):
        its complaints now carry `kept`'s key. Costs O(members of the two families), no rebuild, so
        the incremental detector keeps gangs linked by the families as they are *now* — what a batch
        scan, which settles families first, links them by."""
        old, new = (FAMILY, str(absorbed)), (FAMILY, str(kept))
        if old == new or old not in self._docs_by_key:
            return
        docs = self._docs_by_key.pop(old)
        custs = self._customers_by_key.pop(old)
        self._hot.discard(old)
        if not self._dirty:     # (a rebuild recounts the families of every component)
            for root in {self._find(d) for d in docs}:
                fams = self._family_keys.get(root)
                if fams is not None:      # (else a lone complaint: its keys, changed below, say it)
                    fams.discard(old[1])
                    fams.add(new[1])
        for d in docs:
            self._keys[d] = tuple(sorted(new if k == old else k for k in self._keys[d]))
        into = self._docs_by_key.get(new)
        if type(into) is not list:
            into = self._docs_by_key[new] = list(into or ())
        anchor = into[0] if into else None
        # both lists are in the order the complaints were added; keep the merged one so, sorting
        # only when they interleave (a new complaint joining a family comes after all of it)
        seq = self._seq
        if not into or seq[into[-1]] < seq[docs[0]]:
            into.extend(docs)
        elif seq[docs[-1]] < seq[into[0]]:
            into[:0] = docs
        else:
            into.extend(docs)
            into.sort(key=seq.__getitem__)
        merged = self._customers_by_key.get(new)
        if type(merged) is not set:
            merged = self._customers_by_key[new] = set(merged or ())
        merged.update(custs)
        self._version += 1
        cap = self._fanout(FAMILY)
        if cap is not None and len(merged) > cap:
            self._dirty = True  # a hub now: unions made through either key must be undone (rebuilt)
        elif not self._dirty and anchor is not None:
            self._union(docs[0], anchor)

    def _remove(self, doc_id: str) -> None:
        for key in self._keys.pop(doc_id, ()):
            docs = self._docs_by_key[key] = [d for d in self._docs_by_key[key] if d != doc_id]
            self._customers_by_key[key] = {self._customer[d] for d in docs}
        del self._seq[doc_id], self._customer[doc_id]
        self._version += 1
        self._dirty = True

    def _find(self, x: str) -> str:
        parent = self._parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def _union(self, a: str, b: str) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra == rb:
            return
        if self._size(ra) < self._size(rb):
            ra, rb = rb, ra
        self._parent[rb] = ra
        members = self._members.get(ra) or [ra]
        members.extend(self._members.pop(rb, None) or (rb,))
        self._members[ra] = members
        customers = self._customers.get(ra) or {self._customer[ra]}
        customers |= self._customers.pop(rb, None) or {self._customer[rb]}
        self._customers[ra] = customers
        absorbed = self._shared_keys.pop(rb, None)
        if absorbed:
            self._shared_keys.setdefault(ra, set()).update(absorbed)
            self._shared_epoch += 1
        fams = self._family_keys.get(ra)
        if fams is None:
            fams = self._own_fams(ra)
        fams |= self._family_keys.pop(rb, None) or self._own_fams(rb)
        self._family_keys[ra] = fams
        fa, fb = self._first.get(ra, ra), self._first.pop(rb, rb)
        self._first[ra] = fa if self._seq[fa] <= self._seq[fb] else fb

    def _own_fams(self, doc_id: str) -> set[str]:
        return {value for kind, value in self._keys[doc_id] if kind == FAMILY}

    def _fams(self, root: str) -> set[str]:
        """The template families (FAMILY key values) of the component's members (read only)."""
        fams = self._family_keys.get(root)
        return self._own_fams(root) if fams is None else fams

    def _size(self, root: str) -> int:
        members = self._members.get(root)
        return 1 if members is None else len(members)

    def _custs(self, root: str) -> set[str] | tuple[str]:
        """The component's distinct customers (read only)."""
        customers = self._customers.get(root)
        return (self._customer[root],) if customers is None else customers

    def _n_customers(self, root: str) -> int:
        return len(self._custs(root))

    def _ensure(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        self._shared_epoch += 1
        self._parent = {d: d for d in self._seq}
        self._members, self._customers, self._first = {}, {}, {}
        self._shared_keys, self._family_keys = {}, {}
        for key, docs in self._docs_by_key.items():
            cap = self._fanout(key[0])
            if cap is not None and len(self._customers_by_key[key]) > cap:
                self._hot.add(key)
                continue
            self._hot.discard(key)
            for d in docs[1:]:
                self._union(d, docs[0])
        for key, docs in self._docs_by_key.items():
            if key[0] == FAMILY:       # (a hub family's members may lie in several components)
                for d in docs:
                    root = self._find(d)
                    if root in self._members:   # (a lone complaint's are its own keys)
                        self._family_keys.setdefault(root, set()).add(key[1])
            elif key not in self._hot and len(self._customers_by_key[key]) >= 2:
                self._shared_keys.setdefault(self._find(docs[0]), set()).add(key)

    # ---- queries ----------------------------------------------------------------------------

    def _root(self, doc_id: str) -> str | None:
        if doc_id not in self._seq:
            return None
        self._ensure()
        return self._find(doc_id)

    def _gang_id(self, root: str) -> str | None:
        if len(self._custs(root)) < self.min_customers:
            return None
        return f"gang-{self._first.get(root, root)}"

    def gang_of(self, doc_id: str) -> str | None:
        """The gang id shared by every complaint in the component, or None (fewer than `min_customers`)."""
        root = self._root(doc_id)
        return None if root is None else self._gang_id(root)

    def gangs(self) -> Iterator[str]:
        self._ensure()
        members = self._members   # (roots in the order their complaints were added, as before)
        for root in [d for d in self._seq if d in members]:
            gid = self._gang_id(root)
            if gid:
                yield gid

    def _gang_root(self, gang_id: str) -> str | None:
        doc = gang_id[len("gang-"):] if gang_id.startswith("gang-") else None
        root = None if doc is None else self._root(doc)
        return root if root is not None and self._gang_id(root) == gang_id else None

    def members(self, gang_id: str) -> list[str]:
        """Complaint ids of the gang in the order they were added; [] for an unknown id."""
        return list(self._members_in_order(gang_id))

    def _members_in_order(self, gang_id: str) -> list[str]:
        root = self._gang_root(gang_id)
        if root is None:
            return []
        cached = self._members_cache.get(gang_id)
        if cached is None or cached[0] != self._version:
            cached = (self._version, sorted(self._members.get(root) or (root,), key=self._seq.__getitem__))
            self._members_cache[gang_id] = cached
        return cached[1]

    def customers(self, gang_id: str) -> set[str]:
        root = self._gang_root(gang_id)
        return set() if root is None else set(self._custs(root))

    def _shared(self, keys: Iterable[tuple[str, str]], with_docs: bool = True) -> list[SharedArtefact | _Shared]:
        out = []
        for key in keys:
            if key in self._hot:
                continue
            custs = self._customers_by_key[key]
            if len(custs) >= 2:
                docs = self._docs_by_key[key]
                out.append(SharedArtefact(key[0], key[1], len(custs), tuple(docs)) if with_docs
                           else _Shared(key[0], key[1], len(custs), len(docs)))
        return sorted(out, key=lambda s: (-s.customers, s.kind, s.value))

    def shared_artefacts(self, gang_id: str) -> list[SharedArtefact]:
        """Contact artefacts (not families) shared by at least two distinct customers of the gang."""
        return list(self._gang_shared(gang_id))

    def _gang_shared(self, gang_id: str) -> list[SharedArtefact]:
        root = self._gang_root(gang_id)
        if root is None:
            return []
        cached = self._shared_cache.get(gang_id)
        # valid for one component as it was: a union can hand an id to the other component
        if cached is None or cached[0] != (self._shared_epoch, root):
            cached = ((self._shared_epoch, root), self._shared(self._shared_keys.get(root, ())))
            self._shared_cache[gang_id] = cached
        return cached[1]

    def families(self, gang_id: str) -> list[str]:
        """Template families (of two or more complaints) that link members of the gang."""
        return sorted(f for f in self.family_ids(gang_id) if len(self._docs_by_key[(FAMILY, f)]) > 1)

    def family_ids(self, gang_id: str) -> set[str]:
        """The family key of every member of the gang (a complaint in no family has its own)."""
        root = self._gang_root(gang_id)
        return set() if root is None else set(self._fams(root))

    def _others(self, doc_id: str) -> int:
        """Customers in the complaint's gang other than its own."""
        customer = self._customer[doc_id]
        customers = self._custs(self._find(doc_id))
        return len(customers) - (customer in customers)

    def _own_counts(self, doc_id: str) -> list[tuple[str, int]]:
        """(kind, customers) of the complaint's own keys shared by two or more customers (at least
        one of them another customer's, so every such key counts): what its score rests on."""
        hot, by_key = self._hot, self._customers_by_key
        out = []
        for key in self._keys[doc_id]:
            if key not in hot:
                n = len(by_key[key])
                if n >= 2:
                    out.append((key[0], n))
        return out

    @staticmethod
    def _score(own: list[tuple[str, int]], others: int) -> float:
        if own:
            base = max(KIND_STRENGTH.get(kind, 0.5) * (PAIR_FACTOR if n < 3 else 1.0) for kind, n in own)
            kinds = {kind for kind, _ in own if kind != FAMILY}
            score = base + 0.05 * min(max(others - 1, 0), 5) + 0.05 * min(max(len(kinds) - 1, 0), 2)
            if max(n for _, n in own) < 3:
                score = min(score, base + 0.05)  # two households on one phone stay weak however big the component
        else:
            score = INDIRECT_STRENGTH
        return round(min(score, 0.95), 4)

    def _gang_evidence(self, gang_id: str, gang_shared: list[SharedArtefact]) -> list[dict]:
        """The gang-wide part of a member's evidence (most-shared first, at most EVIDENCE_LIMIT): made
        once per gang and state, handed to each finding as dicts of its own."""
        cached = self._evidence_cache.get(gang_id)
        if cached is None or cached[0] is not gang_shared:
            cached = (gang_shared, [s.to_evidence() for s in gang_shared[:EVIDENCE_LIMIT]])
            self._evidence_cache[gang_id] = cached
        return [dict(e) for e in cached[1]]

    def gang_shares(self, gang_id: str) -> bool:
        """Whether the gang shares a contact artefact (else it has no `finding_for`)."""
        return bool(self._gang_shared(gang_id))

    def score_for(self, doc_id: str, gang_id: str | None = None, shares: bool | None = None) -> float | None:
        """The score of `finding_for(doc_id)` (None when there is none), without building it.
        `gang_id` and `shares`: the complaint's `gang_of` and its gang's `gang_shares`, when known."""
        gid = self.gang_of(doc_id) if gang_id is None else gang_id
        if gid is None or not (self.gang_shares(gid) if shares is None else shares):
            return None
        return self._score(self._own_counts(doc_id), self._others(doc_id))

    def finding_for(self, doc_id: str) -> Finding | None:
        """A `blackgray.shared_contact` finding when the complaint belongs to a gang that shares at
        least one contact artefact (a gang held together by a template family alone is the template
        signal's business). Values in the evidence are masked."""
        gid = self.gang_of(doc_id)
        if gid is None:
            return None
        gang_shared = self._gang_shared(gid)
        if not gang_shared:
            return None
        own = self._shared(self._keys[doc_id], with_docs=False)
        others = self._others(doc_id)
        own_contacts = [s for s in own if s.kind != FAMILY]
        score = self._score([(s.kind, s.customers) for s in own], others)
        return Finding(
            rule_id=RULE_ID, kind=RULE_ID, score=score, citation=CITATION,
            evidence={
                "gang_id": gid,
                "shared": [s.to_evidence() for s in own_contacts],
                "shared_families": sorted(s.value for s in own if s.kind == FAMILY),
                "gang_shared": self._gang_evidence(gid, gang_shared),
                "gang_shared_count": len(gang_shared),
                "other_customers": others,
                "complaints": self._size(self._find(doc_id)),
            },
            message=f"与另外 {others} 名客户的投诉共用联系方式（{len(gang_shared)} 项）",
        )
