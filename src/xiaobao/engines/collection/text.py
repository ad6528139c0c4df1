"""Text normalisation for matching, with a way back to the original offsets.

Matching runs on NFKC, lower-cased text without whitespace (ASR output often spaces words out:
"上 门"). The common case — text already normal, no spaces — costs one `normalize` call and no
offset table.
"""

from __future__ import annotations

import unicodedata

Origin = list[int] | None  # origin[i] = index in the original of normalised char i; None = identity


def normalize(text: str) -> tuple[str, Origin]:
    n = unicodedata.normalize("NFKC", text).lower()
    if len(n) == len(text):
        if " " not in n and "\t" not in n and "\u3000" not in text:
            return n, None
        keep = [i for i, c in enumerate(n) if not c.isspace()]
        return "".join(n[i] for i in keep), keep + [len(text)]
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFKC", ch).lower():
            if not c.isspace():
                out.append(c)
                origin.append(i)
    origin.append(len(text))
    return "".join(out), origin


def to_original(origin: Origin, start: int, end: int) -> tuple[int, int]:
    if origin is None:
        return start, end
    return origin[start], (origin[end - 1] + 1 if end > start else origin[start])


def norm_phrase(p: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", str(p)).lower() if not c.isspace())
