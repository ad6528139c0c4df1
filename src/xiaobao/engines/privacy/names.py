"""PERSON_NAME and ADDRESS: lexicon and context recognizers for Chinese text, no model.

Names: a known surname followed by one or two given-name characters, accepted when a cue precedes
it (借款人、联系人、我叫 …), a title follows it (先生、女士、经理 …), or — at a lower score — every
given-name character is a common one and the pair is not an ordinary word (高利贷, 周一, 万元 …).
Addresses: start at a cue (住址、家住 …) or a province/city from the gazetteer (one regex pass over
the words' trie finds where they start), then extend over segments that end in an administrative,
street or building suffix (区、路、号、栋、单元、室 …), stopping at particles and punctuation.
"""

from __future__ import annotations

import math
import re

from xiaobao.engines.privacy.recognizers import Hit, Recognizer, Scan, register


def _chars(raw: str) -> str:
    return "".join(ch for ch in raw if not ch.isspace())


def _class(chars: str) -> str:
    return "".join(re.escape(c) for c in sorted(set(chars)))


def _trie(words, fan: int = 12) -> str:
    """A regex matching where one of `words` starts (it stops at the first complete word).

    re tries an alternation's branches one after the other (skipping one whose first literal is
    not the character at hand, but one at a time), so a node with many children — the first
    characters of hundreds of place names — is split into groups of about √n, each behind a
    lookahead on its characters: about 2√n tests instead of n/2."""
    root: dict = {}
    for w in words:
        node = root
        for c in w:
            node = node.setdefault(c, {})
        node[""] = {}

    def build(node: dict) -> str:
        if "" in node:
            return ""
        items = sorted(node.items())
        alts = [re.escape(c) + build(child) for c, child in items]
        if len(alts) <= fan:
            return "(?:" + "|".join(alts) + ")"
        k = math.isqrt(len(alts) - 1) + 1
        groups = [f"(?=[{_class(''.join(c for c, _ in items[i:i + k]))}])(?:{'|'.join(alts[i:i + k])})"
                  for i in range(0, len(alts), k)]
        return "(?:" + "|".join(groups) + ")"
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


def _by_prefix(words) -> dict[str, tuple[tuple[int, frozenset[str]], ...]]:
    """Words of two or more characters by their first two: (length, words) for each length among them,
    so that `_starts_word` looks up a few slices instead of trying a hundred words."""
    groups: dict[str, dict[int, set[str]]] = {}
    for w in map(str, words):
        if len(w) >= 2:
            groups.setdefault(w[:2], {}).setdefault(len(w), set()).add(w)
    return {k: tuple((n, frozenset(ws)) for n, ws in sorted(v.items())) for k, v in groups.items()}


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
        # common two-character words (privacy_common_words.yaml): a name found without a cue or title
        # is no name when its surname ends the word before it (资金一下), opens a word with the given
        # name (关键是) or its given name opens a word with what follows (查一下). After a cue (本人、
        # 联系人 …) the name stands: masking a word there errs on the side of privacy.
        self.words = frozenset(gazetteer.get("common_words") or ())
        # (rarer words too for the word before the surname: 账单才 is no name 单才; not for the others,
        # where a real name runs into many of them: 李明说 → 明说)
        self.words_before = self.words | frozenset(gazetteer.get("rarer_common_words") or ())
        # Institutions: a candidate that starts one (华润银行) or whose given name does (向捷信), or that an
        # institution word follows (康泰人寿), is part of an institution's name, cue or not.
        # (Looked up by their first two characters, then by length: a few set look-ups per candidate.)
        self.institutions = _by_prefix(gazetteer.get("institutions") or ())
        self.institution_after = _by_prefix(gazetteer.get("not_before_name") or ())
        self.titles = tuple(sorted(gazetteer.get("name_titles") or (), key=len, reverse=True))
        # `t.startswith(self.titles, i)` as look-ups of the slices of each title length at i.
        self.title_words = frozenset(self.titles)
        self.title_lengths = tuple(sorted({len(w) for w in self.titles}))
        self.title_first = frozenset(w[0] for w in self.titles)  # (tested before any slice is looked up)
        cues = sorted(gazetteer.get("name_cues") or (), key=len, reverse=True)
        self.candidates = self._candidate_pattern(surnames, compound, cues)
        # A cue is one of these words, then a separator (`cue_sep`) running up to the name, all within
        # the 10 characters before it. `_cued` reads that backwards from the name: looking up the few
        # words that could end at each separator start is cheaper than searching the window for any cue.
        self.cue_words = frozenset(cues)
        self.cue_lengths = tuple(sorted({len(c) for c in cues}))
        self.cue_last = frozenset(c[-1] for c in cues)
        self.cue_sep = re.compile(r"[\"']?\s*(?:[:=是为叫]\s*)?[\"']?\s*")

    def _candidate_pattern(self, surnames: str, compound: list[str], cues: list[str]) -> re.Pattern:
        """Where a name can start: a surname (a compound one if a Chinese character follows it, else
        a single one) and one or two Chinese characters; the last group is the given name.

        Candidates may overlap (向张三 holds both 向张 and 张三), so every surname is tried: the
        pattern consumes the surname's first character (re scans for the class in C) and reads the
        rest in a lookahead. It also refuses there, with class tests, two things `find` would refuse
        anyway: a given name opening with a stop character, and a surname inside a run of ordinary
        characters with nothing before it that could end a cue or a cue's separator (so `_cued`
        could not hold)."""
        cjk = "[\u4e00-\u9fff]"
        firsts = _class(surnames + "".join(c[0] for c in compound))
        # A compound surname's rest, then a look back at its first character: re skips an
        # alternative on its first literal, so most cost one comparison.
        rest = "|".join(f"{re.escape(c[1:])}(?<={re.escape(c)})" for c in compound)
        sur = (f"(?>(?:{rest})(?={cjk})|" if compound else "(?>") + f"(?<=[{_class(surnames)}])(?={cjk}))"
        stop = _class("".join(c for c in self.stop if "\u4e00" <= c <= "\u9fff"))
        not_stop = f"(?![{stop}])" if stop else ""
        may_precede = _class("".join(self.stop) + "".join(c[-1] for c in cues) + "".join(_SEP_CHARS))
        word_start = f"(?:(?<!{cjk}.)|(?<=[{may_precede}].))"
        self.first_class, self.body = firsts, rf"(?={word_start}{sur}{not_stop}({cjk}{{1,2}}))"
        return re.compile(f"[{firsts}]{self.body}")

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

    def _institution(self, t: str, p: int, g: int, end: int) -> bool:
        """Is the candidate t[p:end] (given name from g) part of an institution's name? (Inline: it
        runs for every name found.)"""
        inst, after = self.institutions, self.institution_after
        if t[p:p + 2] not in inst and t[g:g + 2] not in inst and t[end:end + 2] not in after:
            return False  # (the usual case, settled by three look-ups)
        for index, i in ((inst, p), (inst, g), (after, end)):
            groups = index.get(t[i:i + 2])
            if groups:
                for n, words in groups:
                    if t[i:i + n] in words:
                        return True
        return False

    def _titled(self, t: str, i: int) -> bool:
        """Does a title (先生、女士、表示 …) start at i?"""
        if t[i:i + 1] not in self.title_first:  # (most characters after a name open no title)
            return False
        words = self.title_words
        for k in self.title_lengths:
            if t[i:i + k] in words:
                return True
        return False

    def find(self, scan: Scan) -> list[Hit]:
        return self.find_candidates(scan.text, self.candidates.finditer(scan.text))

    def find_candidates(self, t: str, candidates) -> list[Hit]:
        """The names among the candidates: matches of `candidates` (or of the joint pattern, whose
        group 1 is also the given name and whose group 3 is a gazetteer word only), in text order.

        For each: the surname and the next character must not be an ordinary word (高利贷, 周一); a
        surname inside a run of ordinary characters needs a cue (`_cued`); then the given name has
        two characters (if the second is no stop character) or one, and must end at a boundary —
        a title (`_titled`, tried at two characters first, then one), a non-Chinese or stop
        character. Cued or titled names score `score`; others only if every given-name character is
        a common one (`score_without_context`), and a two-character one only if its second is."""
        out: list[Hit] = []
        last_end = -1
        not_names, stop, common = self.not_names, self.stop, self.given
        cue_last, titled_at, title_first = self.cue_last, self._titled, self.title_first
        n_t = len(t)
        for m in candidates:
            if m.lastindex == 3:
                continue  # (joint pattern: a gazetteer word only)
            p = m.start()
            if p < last_end:
                continue
            g = m.start(1)  # where the given name starts (the surname is t[p:g])
            if t[p:g + 1] in not_names:
                continue  # the surname and the next character are an ordinary word (高利贷, 周一)
            if p:
                c = t[p - 1]
                # (`_cued` is False at once unless the character before is a cue's last or a separator.)
                cued = (c in cue_last or c in _SEP_CHARS or c.isspace()) and self._cued(t, p)
                if not cued and "\u4e00" <= c <= "\u9fff" and c not in stop:
                    continue  # inside a run of ordinary characters: a word, not a name
            else:
                cued = False
            given = m.group(1)
            two = len(given) == 2 and given[1] not in stop
            # (`_titled` only where a title's first character follows)
            if two and t[g + 2:g + 3] in title_first and titled_at(t, g + 2):
                n, titled = 2, True
            elif t[g + 1:g + 2] in title_first and titled_at(t, g + 1):
                n, titled = 1, True
            else:
                titled = False
                n = 0
                if two:
                    i = g + 2
                    if not (i < n_t and "\u4e00" <= t[i] <= "\u9fff" and t[i] not in stop) \
                            and (cued or given[1] in common):
                        n = 2
                if not n:
                    i = g + 1
                    if i < n_t and "\u4e00" <= t[i] <= "\u9fff" and t[i] not in stop:
                        continue  # an ordinary Chinese character follows: the name would run on
                    n = 1
            if cued or titled:
                score = self.spec.score
            elif given[0] in common and (n == 1 or given[1] in common):
                words = self.words
                if words and ((p and t[p - 1:p + 1] in self.words_before) or t[g - 1:g + 1] in words
                              or t[g + n - 1:g + n + 1] in words):
                    continue  # part of an ordinary word on either side (资金一下, 关键, 查一下)
                score = self.spec.score_without_context
            else:
                continue
            end = g + n
            if self._institution(t, p, g, end):
                continue  # 本人向捷信公司借款, 康泰人寿
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
        self.first_class, self.body = firsts, f"{seconds}(?<=(?={_trie(self.words)}).)"
        self.starts = re.compile(f"[{firsts}]{self.body}")
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
        # After a place name with no cue, a segment ending in an ordinary word or holding a word no
        # address has ends the address before it (`_place_segments`).
        self.not_endings = tuple(gazetteer.get("not_address_endings") or ())
        self.not_words = re.compile("|".join(map(re.escape, gazetteer.get("not_address_words") or ())) or "(?!)")
        # Between a cue and the address: 住址：, 家住在, and 现居 + 住于 (现居住于 holds the cue 现居).
        self.sep = re.compile(r"[\"']?\s*(?:(?:居?住)?[在于]\s*|[:=是为]\s*)?[\"']?\s*")
        # `_extend` as one match: segments repeated take the same first-found segment each time
        # (nothing after them can fail and send re back). After a cue, the separator (atomic: taken
        # as `sep.match` takes it) and then at least one segment, in group 1.
        seg = f"(?:{self.segment.pattern})"
        self.after_cue = re.compile(f"(?>{self.sep.pattern})({seg}+)")

    def _place_segments(self, t: str, s: int) -> tuple[int, int]:
        """End of the address's segments from s, after a place name with no cue, and how many there are:
        segments as `segment` finds them one after the other, up to one that is no address part."""
        end, n = s, 0
        while True:
            m = self.segment.match(t, end)
            if not m or m.end() == end:
                return end, n
            seg = m.group()
            if seg.endswith(self.not_endings) or self.not_words.search(seg):
                return end, n
            end, n = m.end(), n + 1


    def occurrences(self, t: str, starts=None) -> list[tuple[int, str, int]]:
        """(end index, kind, length) of every gazetteer word in t, overlapping ones included, by end
        and, at one end, longest first (the order an Aho-Corasick pass reports them in). `starts`:
        where words start, if already found (`scan_names_and_places`)."""
        return [(end, kind, -neg) for end, neg, kind in self._occurrences(t, starts)]

    def _occurrences(self, t: str, starts=None) -> list[tuple[int, int, str]]:
        """`occurrences` as (end index, -length, kind), which sort in that order as they are."""
        words, by_prefix, lengths = self.words, self.by_prefix, self.lengths
        out = []
        for p in (m.start() for m in self.starts.finditer(t)) if starts is None else starts:
            for k in by_prefix.get(t[p:p + 2], lengths):
                kind = words.get(t[p:p + k])
                if kind:
                    out.append((p + k - 1, -k, kind))
        if len(out) > 1:
            out.sort()  # (no two have the same end and length: one start, one word)
        return out

    def find(self, scan: Scan, starts=None) -> list[Hit]:
        t = scan.text
        out: list[Hit] = []
        last_end = -1
        for end_idx, neg_length, kind in self._occurrences(t, starts):
            start = end_idx + neg_length + 1
            if start < last_end:
                continue
            if kind == "cue":
                m = self.after_cue.match(t, end_idx + 1)
                if m is None:
                    continue  # no segment after the cue
                s, end = m.span(1)
            else:
                if start > 0 and "\u4e00" <= t[start - 1] <= "\u9fff" and t[start - 1] not in "在住于到址自至:：往寄":
                    continue
                end, n = self._place_segments(t, end_idx + 1)
                s = start
                # A bare place name ("广东省") locates nobody: ask for a street, number or two more levels.
                if n == 0:
                    continue
                if n == 1 and not self.strong.search(t, s, end):
                    continue  # one segment
            if end - s < 4:
                continue
            out.append(Hit(self.type, s, end, self.spec.score, self.level))
            last_end = end
        return out


def joint_pattern(names: PersonName, places: Address) -> re.Pattern:
    """One pattern for both recognizers' candidates (`scan_names_and_places`): the union of their
    first-character classes, consumed, then the name candidate's lookahead and the gazetteer word's,
    each tried (neither consumes): group 1 is a candidate's given name, group 2 or 3 (empty) says
    a word starts there too, or only a word."""
    # (Each body behind a look back at the consumed character: a place name's first character is
    # not tried as a surname, nor a surname as a place name's start, past one class test.)
    nf, pf = f"(?<=[{names.first_class}])", f"(?<=[{places.first_class}])"
    return re.compile(f"[{names.first_class}{places.first_class}]"
                      f"(?:{nf}{names.body}(?:{pf}{places.body}()|)|{pf}{places.body}())")


def scan_names_and_places(names: PersonName, places: Address, joint: re.Pattern, scan: Scan) -> list[Hit]:
    """`names.find(scan) + places.find(scan)` from one pass over the text (`joint_pattern`)
    instead of one each."""
    t = scan.text
    found = list(joint.finditer(t))
    if not found:
        return []
    out = names.find_candidates(t, found)  # (it skips the gazetteer-only matches)
    starts = [m.start() for m in found if m.lastindex != 1]
    if starts:
        out += places.find(scan, starts)
    return out
