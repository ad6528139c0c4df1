"""PERSON_NAME and ADDRESS: lexicon and context recognizers for Chinese text, no model.

Names: a known surname followed by one or two given-name characters, accepted when a cue precedes
it (借款人、联系人、我叫 …), a title follows it (先生、女士、经理 …), or — at a lower score — every
given-name character is a common one and the pair is not an ordinary word (高利贷, 周一, 万元 …).
Addresses: start at a cue (住址、家住 …) or a province/city from the gazetteer (one regex pass over
the words' trie finds where they start), then extend over segments that end in an administrative,
street or building suffix (区、路、号、栋、单元、室 …), stopping at particles and punctuation.
"""

from __future__ import annotations

import re

from .recognizers import Hit, Recognizer, Scan, register


def _chars(raw: str) -> str:
    return "".join(ch for ch in raw if not ch.isspace())


def _class(chars: str) -> str:
    return "".join(re.escape(c) for c in sorted(set(chars)))


def _trie(words) -> str:
    """A regex matching where one of `words` starts (it stops at the first complete word)."""
    root: dict = {}
    for w in words:
        node = root
        for c in w:
            node = node.setdefault(c, {})
        node[""] = {}

    def build(node: dict) -> str:
        if "" in node:
            return ""
        return "(?:" + "|".join(re.escape(c) + build(child) for c, child in sorted(node.items())) + ")"
    return build(root)


def _cjk_except(chars: str) -> str:
    """A class of the CJK unified ideographs minus `chars`, as ranges (one class test per character
    instead of a lookahead and a class)."""
    cut = sorted({ord(c) for c in chars if "\u4e00" <= c <= "\u9fff"})
    ranges, lo = [], 0x4E00
    for cp in cut:
        if cp > lo:
            ranges.append((lo, cp - 1))
        lo = cp + 1
    if lo <= 0x9FFF:
        ranges.append((lo, 0x9FFF))
    return "[" + "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in ranges) + "]"


_SEP_CHARS = frozenset("\"':=是为叫")


def _by_end_longest_first(o: tuple[int, str, int]) -> tuple[int, int]:
    return o[0], -o[2]


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
        # Candidates may overlap (向张三 holds both 向张 and 张三), so every surname is tried: the
        # pattern consumes one character (so that re scans for it in C) and reads the candidate in a
        # lookahead placed inside a one-character lookbehind, i.e. starting at that character.
        firsts = _class(surnames + "".join(c[0] for c in compound))
        self.candidates = re.compile(rf"[{firsts}](?<=(?=({alts}|[{_class(surnames)}])([\u4e00-\u9fff]{{1,2}})).)")
        cues = sorted(gazetteer.get("name_cues") or (), key=len, reverse=True)
        # A cue is one of these words, then a separator (`cue_sep`) running up to the name, all within
        # the 10 characters before it. `_cued` reads that backwards from the name: looking up the few
        # words that could end at each separator start is cheaper than searching the window for any cue.
        self.cue_words = frozenset(cues)
        self.cue_lengths = tuple(sorted({len(c) for c in cues}))
        self.cue_last = frozenset(c[-1] for c in cues)
        self.cue_sep = re.compile(r"[\"']?\s*(?:[:=是为叫]\s*)?[\"']?\s*")

    def _cued(self, t: str, p: int) -> bool:
        """Does a name cue (姓名：, 借款人, 我叫 …) lie within the 10 characters before p, followed
        only by a separator up to p? (As searching `(?:cues)SEP$` in t[p-10:p] would answer.)"""
        lo = max(0, p - 10)
        words, lengths, last = self.cue_words, self.cue_lengths, self.cue_last
        q = p
        while True:
            if q > lo and t[q - 1] in last and (q == p or self.cue_sep.fullmatch(t, q, p)):
                for k in lengths:
                    if q - k < lo:
                        break
                    if t[q - k:q] in words:
                        return True
            if q <= lo:
                return False
            c = t[q - 1]
            if c not in _SEP_CHARS and not c.isspace():
                return False
            q -= 1

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
            c1 = given[0]
            if c1 in self.stop or sur + c1 in self.not_names or (len(sur) == 1 and t[p:p + 2] in self.not_names):
                continue  # `_length` refuses these whatever the cue: skip the cue search
            if p > 0 and "\u4e00" <= t[p - 1] <= "\u9fff" and t[p - 1] not in self.stop:
                cued = self._cued(t, p)
                if not cued:
                    continue  # inside a run of ordinary characters: a word, not a name
            else:
                cued = self._cued(t, p)
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
        self.words: dict[str, str] = {}
        for kind in ("provinces", "cities"):
            for w in gazetteer.get(kind) or ():
                self.words[w] = "place"
        for w in gazetteer.get("address_cues") or ():
            self.words[w] = "cue"
        self.lengths = sorted({len(w) for w in self.words})
        # The lengths of the words opening with each two characters: the few to look up at a start.
        # (Not with one-character words, which no two-character key covers: then every length is tried.)
        self.by_prefix: dict[str, tuple[int, ...]] = {}
        for w in self.words if min(self.lengths, default=1) > 1 else ():
            self.by_prefix[w[:2]] = tuple(sorted({*self.by_prefix.get(w[:2], ()), len(w)}))
        # Positions where some gazetteer word starts, found at C speed: the first character is
        # consumed (re scans for a character class quickly) and a lookahead over the words' trie,
        # read from that character, confirms one starts there.
        # (The class test on the second character spares most positions the trie's wide first branch.)
        firsts = _class("".join(w[0] for w in self.words))
        seconds = f"(?=[{_class(''.join(w[1] for w in self.words))}])" if min(self.lengths) > 1 else ""
        self.starts = re.compile(rf"[{firsts}]{seconds}(?<=(?={_trie(self.words)}).)")
        stop_chars = "的了是我你他她们与及把被给对向说等从去来要想已很"
        chunk = rf"{_cjk_except(stop_chars)}{{0,8}}"
        admin = "|".join(map(re.escape, sorted(gazetteer["admin_suffixes"], key=len, reverse=True)))
        street = "|".join(map(re.escape, sorted(gazetteer["street_suffixes"], key=len, reverse=True)))
        number = "|".join(map(re.escape, sorted(gazetteer["number_suffixes"], key=len, reverse=True)))
        # The lookahead on the suffixes' first characters lets re reject each shorter chunk it backs
        # off to with one class test instead of trying every suffix.
        firsts = _class("".join(w[0] for w in (*gazetteer["admin_suffixes"], *gazetteer["street_suffixes"])))
        self.segment = re.compile(rf"{chunk}(?=[{firsts}])(?:{admin}|{street})|[0-9A-Za-z]{{1,6}}(?:-\d{{1,5}})?(?:{number})")
        self.strong = re.compile(rf"(?:{street}|{number})$")
        # Between a cue and the address: 住址：, 家住在, and 现居 + 住于 (现居住于 holds the cue 现居).
        self.sep = re.compile(r"[\"']?\s*(?:(?:居?住)?[在于]\s*|[:=是为]\s*)?[\"']?\s*")

    def _extend(self, t: str, s: int) -> tuple[int, int]:
        """End of the address starting at s, and how many segments it has."""
        end, n = s, 0
        while True:
            m = self.segment.match(t, end)
            if not m or m.end() == end:
                return end, n
            end, n = m.end(), n + 1

    def occurrences(self, t: str) -> list[tuple[int, str, int]]:
        """(end index, kind, length) of every gazetteer word in t, overlapping ones included, by end
        and, at one end, longest first (the order an Aho-Corasick pass reports them in)."""
        words, by_prefix, lengths = self.words, self.by_prefix, self.lengths
        out = []
        for m in self.starts.finditer(t):
            p = m.start()
            for k in by_prefix.get(t[p:p + 2], lengths):
                kind = words.get(t[p:p + k])
                if kind:
                    out.append((p + k - 1, kind, k))
        if len(out) > 1:
            out.sort(key=_by_end_longest_first)
        return out

    def find(self, scan: Scan) -> list[Hit]:
        t = scan.text
        out: list[Hit] = []
        last_end = -1
        for end_idx, kind, length in self.occurrences(t):
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
