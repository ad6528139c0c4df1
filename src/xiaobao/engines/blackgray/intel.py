"""Black/gray intelligence: known agency phones, accounts, WeChat/QQ ids, agent names and template
texts, each with where it came from and until when it holds.

Contact entries are matched by key, not by clear value: the caller supplies `key_of(kind, value)`
(the platform passes its keyed blind index), so an index built from stored intelligence never holds a
phone number in clear. Template entries are matched by MinHash similarity over the same slot-masked
normalisation the template families use, so a filled-in copy of a known script still hits.
Expired entries are ignored at match time, not deleted: an analyst may want to see what lapsed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from xiaobao.domain.finding import Citation, Finding
from xiaobao.engines.blackgray.contacts import Artefact
from xiaobao.engines.blackgray.minhash import LSHIndex, MinHasher
from xiaobao.engines.blackgray.normalize import normalize as normalize_template

RULE_ID = "blackgray.intelligence"
CITATION = Citation("《银行业保险业消费投诉处理管理办法》", "第十四条、第十八条第四款",
                    "投诉人委托他人投诉须有授权；冒用、代理维权线索依情报核查")

# Intelligence kinds (CSV `kind` column) and the artefact kinds each one matches.
CONTACT_KINDS = {"phone": ("mobile", "landline"), "wechat": ("wechat",), "qq": ("qq",), "email": ("email",),
                 "account": ("bank_account",), "name": ("agent_name",)}
KINDS = (*CONTACT_KINDS, "template")
_INTEL_KIND_OF = {a: k for k, arts in CONTACT_KINDS.items() for a in arts}
KIND_STRENGTH = {"phone": 0.95, "account": 0.95, "wechat": 0.9, "qq": 0.9, "email": 0.85, "name": 0.5,
                 "template": 0.9}


def intel_kind(artefact_kind: str) -> str | None:
    return _INTEL_KIND_OF.get(artefact_kind)


@dataclass(frozen=True, slots=True)
class IntelEntry:
    entry_id: str
    kind: str
    source: str
    expires_on: date | None
    display: str  # what a reviewer sees: masked contact, or the start of a template text

    def live(self, today: date) -> bool:
        return self.expires_on is None or self.expires_on >= today


class IntelIndex:
    def __init__(self, key_of: Callable[[str, str], str], *, template_threshold: float = 0.6):
        self._key_of = key_of
        self._by_key: dict[str, list[IntelEntry]] = {}
        self._templates: dict[str, IntelEntry] = {}
        self._hasher = MinHasher()
        self._lsh = LSHIndex()
        self.template_threshold = template_threshold

    def __len__(self) -> int:
        return sum(map(len, self._by_key.values())) + len(self._templates)

    def add_contact(self, key: str, entry: IntelEntry) -> None:
        """`key` is `key_of(kind, normalised value)` computed when the entry was imported."""
        entries = self._by_key.setdefault(key, [])
        if all(e.entry_id != entry.entry_id for e in entries):
            entries.append(entry)

    def add_template(self, text: str, entry: IntelEntry) -> bool:
        """False when the text is too short to fingerprint (it would match everything or nothing)."""
        if entry.entry_id in self._templates:
            return True
        sig = self._hasher.signature(normalize_template(text))
        if sig is None:
            return False
        self._lsh.insert(entry.entry_id, sig)
        self._templates[entry.entry_id] = entry
        return True

    def analyze(self, text: str, artefacts: Iterable[Artefact], today: date) -> list[Finding]:
        hits: list[tuple[IntelEntry, dict]] = []
        seen: set[str] = set()
        for a in artefacts if self._by_key else ():   # (no contact intelligence: no key to compute)
            kind = intel_kind(a.kind)
            if kind is None:
                continue
            for e in self._by_key.get(self._key_of(kind, a.value), ()):
                if e.entry_id not in seen and e.live(today):
                    seen.add(e.entry_id)
                    hits.append((e, {"start": a.start, "end": a.end}))
        if self._templates and text:
            sig = self._hasher.signature(normalize_template(text))
            if sig is not None:
                for eid, sim in self._lsh.query_jaccard(sig, self.template_threshold):
                    e = self._templates[eid]
                    if eid not in seen and e.live(today):
                        seen.add(eid)
                        hits.append((e, {"similarity": round(float(sim), 3)}))
        if not hits:
            return []
        score = max(KIND_STRENGTH.get(e.kind, 0.5) for e, _ in hits)
        return [Finding(
            rule_id=RULE_ID, kind=RULE_ID, score=score, citation=CITATION,
            evidence={"hits": [{"entry_id": e.entry_id, "kind": e.kind, "value": e.display, "source": e.source,
                                "expires_on": e.expires_on.isoformat() if e.expires_on else None, **where}
                               for e, where in hits]},
            message=f"命中黑灰产情报 {len(hits)} 条（{'、'.join(sorted({e.source for e, _ in hits}))}）",
        )]
