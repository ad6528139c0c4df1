"""Template families: incremental near-duplicate clustering of complaint texts.

A 代理维权 agency files the same template for many paying debtors, changing only the slots (name,
lender, amount, dates, a hardship sentence, the order of two sentences). `TemplateFamilies.add()`
normalises each text (`normalize.py`), signs it with MinHash, asks the LSH index for candidates and
confirms those whose estimated Jaccard reaches `threshold` (its *neighbours*).

Families are not single-linkage. Under single linkage a document joins a family by resembling any
one member, so a chain of texts each a little like the next (A~B, B~C, C~D …) becomes one family
although A and D share nothing — which is how topic-similar genuine complaints, written from a few
common phrasings, were pulled together into "families" of dozens of customers (the demo data before
its texts were made individual: families of up to 57 genuine complaints in which 3 % of the pairs
were near-duplicates and more than half of the members resembled at most one other). A family here is cohesive,
by a density condition counted in customers (as DBSCAN counts neighbours):
* **Core.** A document is a core document when it is in the 2-core of the similarity graph —
  the largest set in which every document resembles documents of at least `support` (2) *distinct
  other customers* of the set — or when it resembles documents of at least `hub` (3) distinct other
  customers itself (the centre of an agency's "loose sentences", which shares a different part of
  the pool with each filing). A chain has no core however long it is; a template's members resemble
  several other members and are core. Counting customers, not documents, keeps one person's
  repeated filings from being a core (that is a repeat complainant, `repeat.py`). Core documents
  that resemble each other are one family.
* **Border.** A document outside the core that resembles a core document joins the family of the
  most similar one. With `border_steps` > 1 (default 1), one whose nearest family member is such a
  border document joins too, and so on up to that many steps. Border documents link no families: a
  chain reaches at most `border_steps` into a family and never through it.
So every family has at least three customers, and near-duplicates without a core around them (a
pair, a chain) are no family. On the evaluation set (`bench/blackgray_eval.py`) the flags are those of
single linkage on both splits, and so are the test split's gangs; on the dev split one unflagged
complaint lost its gang id (it was tied to its gang only through a two-customer pair: ARI 0.930 →
0.915). `bench/blackgray_demo.py` measures the demo data.

Incremental: the core only grows when documents (and their similarity edges) are added, so `add()`
examines only the non-core documents reachable from the new one through non-core documents (at
most `max_settle`): it peels those lacking support, promotes the rest, marks new hubs and attaches
borders. Membership only grows and families only merge (union-find), so what was linked stays
linked, and the batch scan and the platform's incremental triage — which add complaints in the same
order — get the same families.

* Family ids are stable: a family is named by its first-added document. When a new document bridges
  two families, the younger family joins the older one; its former id still resolves
  (`members(old_id)` returns the merged family).
* A text with fewer than `min_shingles` distinct shingles after normalisation ("我要投诉", "退款")
  gets no signature and never joins a family.
* A family is a signal only when its members come from at least `min_customers` distinct customers
  (when the caller gives no customer key, each document counts as its own customer); with the
  default `support` and `hub` every family has at least three.

Regulatory footing of the finding: 《银行业保险业消费投诉处理管理办法》第十四条 (a complaint filed by an
agent needs the consumer's power of attorney) and 第十八条第四款 (a complaint not filed by the consumer
or their agent may be refused). The finding only flags; it never closes or rejects a complaint.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import NamedTuple

import numpy as np

from xiaobao.domain.finding import Citation, Finding
from xiaobao.engines.blackgray.minhash import LSHIndex, MinHasher
from xiaobao.engines.blackgray.normalize import default_normalizer

RULE_ID = "blackgray.template_family"
KIND = "blackgray.template"
CITATION = Citation("《银行业保险业消费投诉处理管理办法》", "第十四条、第十八条第四款",
                    "代理投诉须提供授权委托书；非消费者本人或其代理人提出的投诉可不予受理")


class Prepared(NamedTuple):
    """A text's MinHash signature (None: too short to sign), its LSH band keys and, when the index
    has already taken it in (`prepare(..., doc_ids)`), what its query found there (the index's
    internal ids and matching positions, most similar first) and the insertion number it must get."""

    signature: np.ndarray | None
    keys: np.ndarray | None
    found: tuple[np.ndarray, np.ndarray] | None = None
    seq: int | None = None


class TemplateFamilies:
    """Incremental template-family clustering (see the module docstring)."""

    def __init__(self, threshold: float = 0.38, min_customers: int = 3, *, support: int = 2, hub: int = 3,
                 border_steps: int = 1, num_perm: int = 128, k: int = 4, bands: int = 42, rows: int = 3,
                 min_shingles: int = 12, seed: int = 1,
                 max_per_band: int | None = 2048, max_candidates: int | None = 384, max_neighbours: int = 32,
                 max_settle: int = 2000,
                 track_unions: bool = False, normalizer: Callable[[str], str] | None = None):
        if not 0.0 < threshold <= 1.0:
            raise ValueError("threshold must be within (0, 1]")
        if support < 1 or max_neighbours < 2 * support or max_settle < 1 or border_steps < 0 or hub < 0:
            raise ValueError("support, max_settle ≥ 1; max_neighbours ≥ 2 · support; border_steps, hub ≥ 0")
        self.threshold = threshold
        self.min_customers = max(1, min_customers)
        self.support = support
        self.hub = hub
        self.border_steps = border_steps
        self.max_neighbours = max_neighbours
        self.max_settle = max_settle
        self.hasher = MinHasher(num_perm=num_perm, k=k, seed=seed, min_shingles=min_shingles)
        self.index = LSHIndex(num_perm=num_perm, bands=bands, rows=rows, max_per_band=max_per_band, seed=seed,
                              max_candidates=max_candidates)
        self._jaccards = (np.arange(num_perm + 1) * (1.0 / num_perm)).tolist()   # hits → estimated Jaccard
        self.normalize = normalizer or default_normalizer()
        self._seq: dict[Hashable, int] = {}          # doc id → insertion number
        self._docs: list[Hashable] = []
        self._cust: list[Hashable] = []              # customer key per document
        self._parent: list[int] = []
        # root → insertion numbers, ascending, and → distinct customer keys: for roots of two or
        # more documents only (a lone document's are [itself] and {its customer}, see `_size`). Most
        # documents stay alone, and a list and a set each would cost them ≈ 300 bytes as long as indexed.
        self._members: dict[int, list[int]] = {}
        self._customers: dict[int, set] = {}
        # confirmed neighbours (insertion number, estimated Jaccard): the document's own query, most
        # similar first, then later documents that found it; at most `max_neighbours` (enough to
        # count `support` customers; a document with more is in a core anyway)
        self._nbrs: list[list[tuple[int, float]]] = []
        self._nbr_len = np.zeros(1024, dtype=np.int32)   # len(self._nbrs[i]), kept in step (see add)
        self._seq_of = np.zeros(1024, dtype=np.int64)    # LSH internal id → insertion number
        self._in2core: list[bool] = []               # in the 2-core (see the module docstring)
        self._core: list[bool] = []                  # in the 2-core or a hub
        self._depth: list[int | None] = []           # 0 core, 1‥border_steps border, None in no family
        self._unions: list[tuple[Hashable, Hashable]] | None = [] if track_unions else None

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, doc_id: Hashable) -> bool:
        return doc_id in self._seq

    # -- union-find ------------------------------------------------------------------------------
    def _find(self, i: int) -> int:
        parent = self._parent
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:
            parent[i], i = root, parent[i]
        return root

    def _union(self, a: int, b: int) -> int:
        ra, rb = self._find(a), self._find(b)
        if ra == rb:
            return ra
        old, young = (ra, rb) if ra < rb else (rb, ra)    # the older family keeps its id
        self._parent[young] = old
        # member lists stay in insertion order (ascending), so reading a family never sorts it
        kept, joined = self._members.get(old) or [old], self._members.pop(young, None) or [young]
        if kept[-1] < joined[0]:
            kept.extend(joined)
        elif joined[-1] < kept[0]:
            kept = joined + kept
        else:
            kept.extend(joined)
            kept.sort()
        self._members[old] = kept
        customers = self._customers.get(old) or {self._cust[old]}
        customers |= self._customers.pop(young, None) or {self._cust[young]}
        self._customers[old] = customers
        if self._unions is not None:
            self._unions.append((self._docs[old], self._docs[young]))
        return old

    def drain_unions(self) -> list[tuple[Hashable, Hashable]]:
        """(kept family id, absorbed family id) for every union since the last call, in order; a
        singleton is a family of its own here, named by its document. Needs `track_unions=True`: the
        incremental detector uses it to re-key gangs and bursts when families grow or merge."""
        if self._unions is None:
            raise RuntimeError("TemplateFamilies(track_unions=True) is needed to drain unions")
        out, self._unions = self._unions, []
        return out

    # -- cohesion --------------------------------------------------------------------------------
    def _promote(self, start: int) -> list[int]:
        """Documents that join the 2-core now that `start` is indexed (see the module docstring)."""
        core, nbrs, cust, k = self._in2core, self._nbrs, self._cust, self.support
        if len({cust[o] for o, _ in nbrs[start]} - {cust[start]}) < k:
            return []      # too few neighbours to be in the 2-core, and without it nothing else changes
        region = {start}
        queue = deque([start])
        while queue and len(region) < self.max_settle:
            for o, _ in nbrs[queue.popleft()]:
                if not core[o] and o not in region:
                    region.add(o)
                    queue.append(o)
                    if len(region) >= self.max_settle:
                        break

        def support(i: int) -> int:
            me = cust[i]
            return len({cust[o] for o, _ in nbrs[i] if (core[o] or o in region) and cust[o] != me})

        peel = deque(i for i in sorted(region) if support(i) < k)
        while peel:
            i = peel.popleft()
            if i not in region:
                continue
            region.discard(i)
            for o, _ in nbrs[i]:
                if o in region and support(o) < k:
                    peel.append(o)
        return sorted(region)

    def _attach(self, start: int) -> None:
        """A document outside the core with a core neighbour joins the family of the most similar one
        (step 1); up to `border_steps`, one whose nearest family member is a border document of the
        step before joins too. A border document links nothing else."""
        depth, nbrs, limit = self._depth, self._nbrs, self.border_steps
        work = deque([start])
        while work:
            i = work.popleft()
            if depth[i] is not None:
                continue
            best = None
            for o, j in nbrs[i]:
                d = depth[o]
                if d is not None and d < limit and (best is None or (d, -j, o) < best):
                    best = (d, -j, o)
            if best is None:
                continue
            depth[i] = best[0] + 1
            self._union(i, best[2])
            if depth[i] < limit:
                work.extend(o for o, _ in nbrs[i] if depth[o] is None)

    def _is_hub(self, i: int) -> bool:
        me = self._cust[i]
        return self.hub > 0 and len({self._cust[o] for o, _ in self._nbrs[i] if self._cust[o] != me}) >= self.hub

    def _settle(self, start: int) -> None:
        promoted = self._promote(start)
        for i in promoted:
            self._in2core[i] = True
        # only `start` and its neighbours gained neighbours: only they can have become hubs
        # (a document already in the core is no news, whether it is a hub or not)
        core = self._core
        hubs = [i for i in (start, *(o for o, _ in self._nbrs[start])) if not core[i] and self._is_hub(i)]
        new = [i for i in dict.fromkeys(promoted + hubs) if not self._core[i]]
        for i in new:
            self._core[i] = True
            self._depth[i] = 0
        for i in new:
            for o, _ in self._nbrs[i]:
                if self._core[o]:
                    self._union(i, o)
        self._attach(start)
        depth = self._depth
        for i in new:
            for o, _ in self._nbrs[i]:
                if depth[o] is None:      # (attaching one already placed does nothing)
                    self._attach(o)

    # -- building --------------------------------------------------------------------------------
    def prepare(self, texts: Sequence[str], doc_ids: Sequence[Hashable] | None = None) -> list[Prepared]:
        """What `add` computes from each text before it looks at the index — normalised text,
        MinHash signature, LSH band keys — for many texts at once (one numpy pass, not one per text).
        With `doc_ids`, the LSH index also takes the documents in now, in order, and keeps what each
        query found (`LSHIndex.query_insert_many`): every one of them must then be `add`ed, in that
        order. Pass each to `add(..., prepared=...)`: the same families as without it."""
        sigs = self.hasher.signature_many([self.normalize(t) for t in texts])
        valid = [i for i, s in enumerate(sigs) if s is not None]
        keys = self.index.band_keys(np.stack([sigs[i] for i in valid])) if valid else None
        out = [Prepared(None, None)] * len(sigs)
        for n, i in enumerate(valid):
            out[i] = Prepared(sigs[i], keys[n])
        if doc_ids is not None and valid:
            for i in valid:
                if doc_ids[i] in self._seq:
                    raise ValueError(f"document {doc_ids[i]!r} already added")
            base = len(self._docs)            # the documents' insertion numbers, once added in order
            found = self.index.query_insert_many_internal([doc_ids[i] for i in valid],
                                                          np.stack([sigs[i] for i in valid]), keys, self.threshold)
            for i, got in zip(valid, found):
                self._map_internal(self.index.internal_id(doc_ids[i]), base + i)
                out[i] = out[i]._replace(found=got, seq=base + i)
        return out

    def _map_internal(self, internal: int, seq: int) -> None:
        if internal >= self._seq_of.size:
            grown = np.zeros(max(internal + 1, 2 * self._seq_of.size), dtype=np.int64)
            grown[: self._seq_of.size] = self._seq_of
            self._seq_of = grown
        self._seq_of[internal] = seq

    def add(self, doc_id: Hashable, text: str, customer: Hashable | None = None, *,
            prepared: Prepared | None = None) -> Hashable | None:
        """Add one complaint; returns its family id, or None while it is in no family. `prepared`:
        `prepare([text])[0]`, when the caller prepared a batch."""
        if doc_id in self._seq:
            raise ValueError(f"document {doc_id!r} already added")
        seq = len(self._docs)
        self._seq[doc_id] = seq
        self._docs.append(doc_id)
        self._parent.append(seq)
        # a string customer key as it is (equal to another exactly when the customers are; never to
        # a tuple): a ("customer", key) tuple for each document cost 56 bytes for as long as indexed
        cust = ("doc", doc_id) if customer is None else customer if isinstance(customer, str) else ("customer", customer)
        self._cust.append(cust)
        self._nbrs.append([])
        self._in2core.append(False)
        self._core.append(False)
        self._depth.append(None)
        if seq >= self._nbr_len.size:
            grown = np.zeros(max(1024, 2 * self._nbr_len.size), dtype=np.int32)
            grown[: self._nbr_len.size] = self._nbr_len
            self._nbr_len = grown
        sig, keys, found, expected = (Prepared(self.hasher.signature(self.normalize(text)), None) if prepared is None
                                      else prepared)
        if sig is None:
            return None
        cap = self.max_neighbours
        mine = self._nbrs[seq]
        nbrs, counts = self._nbrs, self._nbr_len
        if found is None:
            found = self.index.query_jaccard(sig, self.threshold, keys)
            self.index.insert(doc_id, sig, keys)
            self._map_internal(self.index.internal_id(doc_id), seq)
            seqs = self._seq
            for other, j in found:   # most similar first
                o = seqs[other]
                if len(mine) < cap:
                    mine.append((o, j))
                theirs = nbrs[o]
                if len(theirs) < cap:
                    theirs.append((seq, j))
                    counts[o] += 1
        else:
            # the same, on the arrays the batch query returned: only documents with room for another
            # neighbour are visited one by one (in a big family most lists are full)
            if expected != seq:
                raise RuntimeError("documents prepared together must be added in the order they were prepared")
            internal, hits = found
            others = self._seq_of[internal]
            # the estimated Jaccard (= what query_jaccard gives), one float object per value: there
            # are num_perm + 1 of them, and a neighbour list holds up to max_neighbours per document
            jof = self._jaccards
            mine.extend(zip(others[:cap].tolist(), [jof[h] for h in hits[:cap].tolist()]))
            room = counts[others] < cap
            if room.any():
                pairs: dict[int, tuple[int, float]] = {}    # (and one (seq, j) tuple per value)
                for o, h in zip(others[room].tolist(), hits[room].tolist()):
                    pair = pairs.get(h)
                    if pair is None:
                        pair = pairs[h] = (seq, jof[h])
                    nbrs[o].append(pair)
                counts[others[room]] += 1
        counts[seq] = len(mine)
        if mine:
            self._settle(seq)
        return self.family_of(doc_id)

    # -- reading ---------------------------------------------------------------------------------
    def _root(self, doc_id: Hashable) -> int:
        try:
            return self._find(self._seq[doc_id])
        except KeyError:
            raise KeyError(f"unknown document {doc_id!r}") from None

    def family_of(self, doc_id: Hashable) -> Hashable | None:
        """The family id (its first document's id), or None when the document is in no family."""
        root = self._root(doc_id)
        return self._docs[root] if root in self._members else None

    def members(self, family_id: Hashable, limit: int | None = None) -> list[Hashable]:
        """Documents of the family, in insertion order (a merged family's former id still resolves);
        the first `limit` of them when a limit is given."""
        root = self._root(family_id)
        mem = self._members.get(root)
        if mem is None:
            return []
        docs = self._docs
        return [docs[i] for i in (mem if limit is None or limit >= len(mem) else mem[:limit])]

    def family_size(self, family_id: Hashable) -> int:
        root = self._root(family_id)
        mem = self._members.get(root)
        return len(mem) if mem else 0

    def distinct_customers(self, family_id: Hashable) -> int:
        root = self._root(family_id)
        return len(self._customers[root]) if root in self._members else 0

    def families(self, min_size: int = 2) -> Iterator[tuple[Hashable, list[Hashable]]]:
        """(family id, members) for every family with at least `min_size` members."""
        for root, mem in list(self._members.items()):
            if len(mem) >= max(2, min_size):
                yield self._docs[root], [self._docs[i] for i in mem]

    def similar(self, text: str, k: int = 10, min_jaccard: float = 0.0) -> list[tuple[Hashable, float]]:
        """Up to k indexed documents most similar to `text` (estimated Jaccard, LSH candidates only)."""
        sig = self.hasher.signature(self.normalize(text))
        if sig is None:
            return []
        return self.index.query_jaccard(sig, min_jaccard)[:k]

    def is_signal(self, family_id: Hashable) -> bool:
        return self.distinct_customers(family_id) >= self.min_customers

    def _score(self, customers: int) -> float:
        return round(min(0.99, 1.0 - 0.5 ** (customers / self.min_customers)), 4)

    def score_for(self, doc_id: Hashable) -> float | None:
        """The score of `finding_for(doc_id)` (None when there is none), without building it."""
        root = self._root(doc_id)
        if root not in self._members:
            return None
        customers = len(self._customers[root])
        return self._score(customers) if customers >= self.min_customers else None

    def finding_for(self, doc_id: Hashable) -> Finding | None:
        """A `blackgray.template` finding when the document belongs to a family of at least
        `min_customers` distinct customers; the score rises with that number (0.5 at the minimum,
        0.75 at twice, 0.875 at three times, capped at 0.99)."""
        family = self.family_of(doc_id)
        if family is None or not self.is_signal(family):
            return None
        seq = self._seq[doc_id]
        root = self._find(seq)
        size = len(self._members[root])
        customers = len(self._customers[root])
        score = self._score(customers)
        near = sorted(((j, o) for o, j in self._nbrs[seq] if self._find(o) == root), key=lambda t: (-t[0], t[1]))
        similar_ids = [self._docs[o] for _, o in near[:5]]
        if len(similar_ids) < 5:
            for i in self._members[root]:          # ascending: the oldest members first
                if i != seq and self._docs[i] not in similar_ids:
                    similar_ids.append(self._docs[i])
                    if len(similar_ids) == 5:
                        break
        jaccard = round(near[0][0], 3) if near else 0.0
        return Finding(
            rule_id=RULE_ID,
            kind=KIND,
            score=score,
            citation=CITATION,
            evidence={"family_id": family, "family_size": size, "distinct_customers": customers,
                      "similar_ids": similar_ids, "jaccard": jaccard},
            message=(f"与其他 {size - 1} 件投诉文本高度雷同（模板族 {family}，{customers} 个不同客户，"
                     f"估计相似度 {jaccard:.2f}），疑似代理维权模板投诉；请核实是否本人或受托代理人提出"),
        )
