"""Template families: incremental near-duplicate clustering of complaint texts.

A 代理维权 agency files the same template for many paying debtors, changing only the slots (name,
lender, amount, dates, a hardship sentence, the order of two sentences). `TemplateFamilies.add()`
normalises each text (`normalize.py`), signs it with MinHash, asks the LSH index for candidates,
confirms those whose estimated Jaccard reaches `threshold` and merges their families (union-find).

* Family ids are stable: a family is named by its first-added document. When a new document bridges
  two families, the younger family joins the older one; its former id still resolves
  (`members(old_id)` returns the merged family).
* A text with fewer than `min_shingles` distinct shingles after normalisation ("我要投诉", "退款")
  gets no signature and never joins a family.
* A family is a signal only when its members come from at least `min_customers` distinct customers
  (when the caller gives no customer key, each document counts as its own customer): one person
  filing the same words three times is a repeat complainant, not a template family.

Regulatory footing of the finding: 《银行业保险业消费投诉处理管理办法》第十四条 (a complaint filed by an
agent needs the consumer's power of attorney) and 第十八条第四款 (a complaint not filed by the consumer
or their agent may be refused). The finding only flags; it never closes or rejects a complaint.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator

from ...domain.finding import Citation, Finding
from .minhash import LSHIndex, MinHasher
from .normalize import default_normalizer

RULE_ID = "blackgray.template_family"
KIND = "blackgray.template"
CITATION = Citation("《银行业保险业消费投诉处理管理办法》", "第十四条、第十八条第四款",
                    "代理投诉须提供授权委托书；非消费者本人或其代理人提出的投诉可不予受理")


class TemplateFamilies:
    """Incremental template-family clustering (see the module docstring)."""

    def __init__(self, threshold: float = 0.38, min_customers: int = 3, *, num_perm: int = 128, k: int = 4,
                 bands: int = 42, rows: int = 3, min_shingles: int = 12, seed: int = 1,
                 max_per_band: int | None = 2048, normalizer: Callable[[str], str] | None = None):
        if not 0.0 < threshold <= 1.0:
            raise ValueError("threshold must be within (0, 1]")
        self.threshold = threshold
        self.min_customers = max(1, min_customers)
        self.hasher = MinHasher(num_perm=num_perm, k=k, seed=seed, min_shingles=min_shingles)
        self.index = LSHIndex(num_perm=num_perm, bands=bands, rows=rows, max_per_band=max_per_band, seed=seed)
        self.normalize = normalizer or default_normalizer()
        self._seq: dict[Hashable, int] = {}          # doc id → insertion number
        self._docs: list[Hashable] = []
        self._parent: list[int] = []
        self._members: dict[int, list[int]] = {}     # root → insertion numbers
        self._customers: dict[int, set] = {}         # root → distinct customer keys
        self._best: list[float] = []                 # best confirmed Jaccard per document
        self._neighbours: dict[int, list[tuple[int, float]]] = {}

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
        self._members[old].extend(self._members.pop(young))
        self._customers[old] |= self._customers.pop(young)
        return old

    # -- building --------------------------------------------------------------------------------
    def add(self, doc_id: Hashable, text: str, customer: Hashable | None = None) -> Hashable | None:
        """Add one complaint; returns its family id, or None while it has no near-duplicate."""
        if doc_id in self._seq:
            raise ValueError(f"document {doc_id!r} already added")
        seq = len(self._docs)
        self._seq[doc_id] = seq
        self._docs.append(doc_id)
        self._parent.append(seq)
        self._members[seq] = [seq]
        self._customers[seq] = {("doc", doc_id) if customer is None else ("customer", customer)}
        self._best.append(0.0)
        sig = self.hasher.signature(self.normalize(text))
        if sig is None:
            return None
        for other, j in self.index.query_jaccard(sig, self.threshold):
            o = self._seq[other]
            self._union(seq, o)
            self._best[seq] = max(self._best[seq], j)
            self._best[o] = max(self._best[o], j)
            for a, b in ((seq, o), (o, seq)):
                lst = self._neighbours.setdefault(a, [])
                if len(lst) < 8:
                    lst.append((b, j))
        self.index.insert(doc_id, sig)
        return self.family_of(doc_id)

    # -- reading ---------------------------------------------------------------------------------
    def _root(self, doc_id: Hashable) -> int:
        try:
            return self._find(self._seq[doc_id])
        except KeyError:
            raise KeyError(f"unknown document {doc_id!r}") from None

    def family_of(self, doc_id: Hashable) -> Hashable | None:
        """The family id (its first document's id), or None when the document has no near-duplicate."""
        root = self._root(doc_id)
        return self._docs[root] if len(self._members[root]) > 1 else None

    def members(self, family_id: Hashable) -> list[Hashable]:
        """Documents of the family, in insertion order (a merged family's former id still resolves)."""
        root = self._root(family_id)
        if len(self._members[root]) < 2:
            return []
        return [self._docs[i] for i in sorted(self._members[root])]

    def family_size(self, family_id: Hashable) -> int:
        root = self._root(family_id)
        n = len(self._members[root])
        return n if n > 1 else 0

    def distinct_customers(self, family_id: Hashable) -> int:
        root = self._root(family_id)
        return len(self._customers[root]) if len(self._members[root]) > 1 else 0

    def families(self, min_size: int = 2) -> Iterator[tuple[Hashable, list[Hashable]]]:
        """(family id, members) for every family with at least `min_size` members."""
        for root, mem in list(self._members.items()):
            if len(mem) >= max(2, min_size):
                yield self._docs[root], [self._docs[i] for i in sorted(mem)]

    def similar(self, text: str, k: int = 10, min_jaccard: float = 0.0) -> list[tuple[Hashable, float]]:
        """Up to k indexed documents most similar to `text` (estimated Jaccard, LSH candidates only)."""
        sig = self.hasher.signature(self.normalize(text))
        if sig is None:
            return []
        return self.index.query_jaccard(sig, min_jaccard)[:k]

    def is_signal(self, family_id: Hashable) -> bool:
        return self.distinct_customers(family_id) >= self.min_customers

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
        score = min(0.99, 1.0 - 0.5 ** (customers / self.min_customers))
        near = sorted(self._neighbours.get(seq, ()), key=lambda t: (-t[1], t[0]))
        similar_ids = [self._docs[i] for i, _ in near[:5]]
        if len(similar_ids) < 5:
            similar_ids += [self._docs[i] for i in sorted(self._members[root])
                            if i != seq and self._docs[i] not in similar_ids][: 5 - len(similar_ids)]
        jaccard = round(self._best[seq], 3)
        return Finding(
            rule_id=RULE_ID,
            kind=KIND,
            score=round(score, 4),
            citation=CITATION,
            evidence={"family_id": family, "family_size": size, "distinct_customers": customers,
                      "similar_ids": similar_ids, "jaccard": jaccard},
            message=(f"与其他 {size - 1} 件投诉文本高度雷同（模板族 {family}，{customers} 个不同客户，"
                     f"估计相似度 {jaccard:.2f}），疑似代理维权模板投诉；请核实是否本人或受托代理人提出"),
        )
