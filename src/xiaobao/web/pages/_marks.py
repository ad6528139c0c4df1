"""Text with findings marked: the one way the black/gray, marketing and collection pages highlight spans.

`highlight(text, marks)` cuts the text at every mark boundary and wraps each covered piece in
`<mark class=…>` carrying the ids of the findings that cover it (`data-findings`) and their messages as
a tooltip, so overlapping findings never produce broken markup and every finding stays countable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Mark:
    start: int
    end: int
    ref: str            # finding id (or index) the mark stands for
    title: str = ""     # tooltip: code, message, citation
    danger: bool = False


def highlight(text: str, marks: Iterable[Mark]) -> Markup:
    n = len(text)
    spans = [m for m in marks if 0 <= m.start < m.end and m.start < n]
    if not spans:
        return Markup(escape(text))
    cuts = sorted({0, n, *(m.start for m in spans), *(min(m.end, n) for m in spans)})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        piece = escape(text[a:b])
        over = [m for m in spans if m.start <= a and min(m.end, n) >= b]
        if not over:
            out.append(piece)
            continue
        cls = "finding finding-danger" if any(m.danger for m in over) else "finding"
        refs = " ".join(dict.fromkeys(m.ref for m in over))
        title = "\n".join(dict.fromkeys(m.title for m in over if m.title))
        out.append(Markup('<mark class="{}" data-findings="{}" title="{}">{}</mark>').format(cls, refs, title, piece))
    return Markup("").join(out)


def common_spans(text: str, others: Iterable[str], k: int = 6) -> list[tuple[int, int]]:
    """Where `text` repeats others word for word: every run of ≥k characters found in another text,
    merged. A reading aid for a template family (the detector itself works on MinHash signatures)."""
    grams: set[str] = set()
    for o in others:
        grams.update(o[i:i + k] for i in range(len(o) - k + 1))
    covered = [False] * len(text)
    for i in range(len(text) - k + 1):
        if text[i:i + k] in grams:
            for j in range(i, i + k):
                covered[j] = True
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(text):
        if covered[i]:
            j = i
            while j < len(text) and covered[j]:
                j += 1
            out.append((i, j))
            i = j
        else:
            i += 1
    return out


def phrase_spans(text: str, phrases: Iterable[str]) -> list[tuple[int, int, str]]:
    """Every occurrence of each phrase (e.g. a lexicon hit named in a signal's evidence)."""
    out = []
    for p in {p for p in phrases if p}:
        start = text.find(p)
        while start >= 0:
            out.append((start, start + len(p), p))
            start = text.find(p, start + len(p))
    return sorted(out)
