"""PERSON_NAME and ADDRESS: lexicon and context recognizers for Chinese text, no model.

Names: a known surname followed by one or two given-name characters, accepted when a cue precedes
it (借款人、联系人、我叫 …), a title follows it (先生、女士、经理 …), or — at a lower score — every
given-name character is a common one and the pair is not an ordinary word (高利贷, 周一, 万元 …).
Addresses: start at a cue (住址、家住 …) or a province/city from the gazetteer (one Aho-Corasick pass
finds all of them), then extend over segments that end in an administrative, street or building
suffix (区、路、号、栋、单元、室 …), stopping at particles and punctuation.
"""

from __future__ import annotations

import re

import ahocorasick

from .recognizers import Hit, Recognizer, Scan, register


def _chars(raw: str) -> str:
    return "".join(ch for ch in raw if not ch.isspace())


def _class(chars: str) -> str:
    return "".join(re.escape(c) for c in sorted(set(chars)))


@register
class PersonName(Recognizer):
    type = "PERSON_NAME"

    def __init__(self, spec, gazetteer: dict):
        super().__init__(spec)
        surnames = _chars(gazetteer["surnames"])
        compound = sorted(gazetteer.get("compound_surnames") or (), key=len, reverse=True)
        self.given = frozenset(_chars(gazetteer["given_chars"]))
        self.stop = frozenset(_chars(gazetteer["name_stop"])) | {"某", "氏"}
        self.not_names = frozenset(gazetteer.get("not_names") or ())
        self.titles = tuple(sorted(gazetteer.get("name_titles") or (), key=len, reverse=True))
        alts = "|".join(map(re.escape, compound))
        # Lookahead: candidates may overlap (向张三 holds both 向张 and 张三), every surname is tried.
        self.candidates = re.compile(rf"(?=({alts}|[{_class(surnames)}])([\u4e00-\u9fff]{{1,2}}))")
        cues = sorted(gazetteer.get("name_cues") or (), key=len, reverse=True)
        self.cue = re.compile(rf"(?:{'|'.join(map(re.escape, cues))})[\"']?\s*(?:[:=是为叫]\s*)?[\"']?\s*$")

    def _cjk_word(self, t: str, i: int) -> bool:
        """Does an ordinary CJK character sit at i (so a name ending before i would run on)?"""
        return i < len(t) and "\u4e00" <= t[i] <= "\u9fff" and t[i] not in self.stop

    def _length(self, t: str, p: int, sur: str, given: str, cued: bool) -> tuple[int, bool] | None:
        """How many given-name characters (the name must end at a boundary), and whether a title follows."""
        c1 = given[0]
        if c1 in self.stop or sur + c1 in self.not_names or (len(sur) == 1 and t[p:p + 2] in self.not_names):
            return None
        base = p + len(sur)
        sizes = (2, 1) if len(given) == 2 and given[1] not in self.stop else (1,)
        for n in sizes:
            if t.startswith(self.titles, base + n):
                return n, True
        for n in sizes:
            if self._cjk_word(t, base + n):
                continue
            if n == 2 and not cued and given[1] not in self.given:
                continue
            return n, False
        return None

    def find(self, scan: Scan) -> list[Hit]:
        t = scan.text
        out: list[Hit] = []
        last_end = -1
        for m in self.candidates.finditer(t):
            p = m.start()
            if p < last_end:
                continue
            sur, given = m.group(1), m.group(2)
            if p > 0 and "\u4e00" <= t[p - 1] <= "\u9fff" and t[p - 1] not in self.stop:
                cued = bool(self.cue.search(t, max(0, p - 10), p))
                if not cued:
                    continue  # inside a run of ordinary characters: a word, not a name
            else:
                cued = bool(self.cue.search(t, max(0, p - 10), p))
            got = self._length(t, p, sur, given, cued)
            if got is None:
                continue
            n, titled = got
            end = p + len(sur) + n
            if cued or titled:
                score = self.spec.score
            elif all(c in self.given for c in t[p + len(sur):end]):
                score = self.spec.score_without_context
            else:
                continue
            out.append(Hit(self.type, p, end, score, self.level))
            last_end = end
        return out


@register
class Address(Recognizer):
    type = "ADDRESS"

    def __init__(self, spec, gazetteer: dict):
        super().__init__(spec)
        self.automaton = ahocorasick.Automaton()
        for kind in ("provinces", "cities"):
            for w in gazetteer.get(kind) or ():
                self.automaton.add_word(w, ("place", len(w)))
        for w in gazetteer.get("address_cues") or ():
            self.automaton.add_word(w, ("cue", len(w)))
        self.automaton.make_automaton()
        stop = _class("的了是我你他她们与及把被给对向说等从去来要想已很")
        chunk = rf"(?:(?![{stop}])[\u4e00-\u9fff]){{0,8}}"
        admin = "|".join(map(re.escape, sorted(gazetteer["admin_suffixes"], key=len, reverse=True)))
        street = "|".join(map(re.escape, sorted(gazetteer["street_suffixes"], key=len, reverse=True)))
        number = "|".join(map(re.escape, sorted(gazetteer["number_suffixes"], key=len, reverse=True)))
        self.segment = re.compile(rf"{chunk}(?:{admin}|{street})|[0-9A-Za-z]{{1,6}}(?:-\d{{1,5}})?(?:{number})")
        self.strong = re.compile(rf"(?:{street}|{number})$")
        self.sep = re.compile(r"[\"']?\s*(?:[:=是为在]\s*)?[\"']?\s*")

    def _extend(self, t: str, s: int) -> tuple[int, int]:
        """End of the address starting at s, and how many segments it has."""
        end, n = s, 0
        while True:
            m = self.segment.match(t, end)
            if not m or m.end() == end:
                return end, n
            end, n = m.end(), n + 1

    def find(self, scan: Scan) -> list[Hit]:
        t = scan.text
        out: list[Hit] = []
        last_end = -1
        for end_idx, (kind, length) in self.automaton.iter(t):
            start = end_idx - length + 1
            if start < last_end:
                continue
            if kind == "cue":
                body = self.sep.match(t, end_idx + 1).end()
                end, n = self._extend(t, body)
                if n == 0:
                    continue
                s = body
            else:
                if start > 0 and "\u4e00" <= t[start - 1] <= "\u9fff" and t[start - 1] not in "在住于到址自至:：往寄":
                    continue
                end, n = self._extend(t, end_idx + 1)
                s = start
                # A bare place name ("广东省") locates nobody: ask for a street, number or two more levels.
                if n == 0 or (n == 1 and not self.strong.search(t, s, end)):
                    continue
            if end - s < 4:
                continue
            out.append(Hit(self.type, s, end, self.spec.score, self.level))
            last_end = end
        return out
