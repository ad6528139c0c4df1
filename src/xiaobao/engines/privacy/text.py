"""Length-preserving normalisation: full-width ASCII forms and the ideographic space to half-width,
and the text's one-byte-per-character ASCII projection the numeric recognizers search.

NFKC would do the same for these characters but can change a string's length (ligatures, ㈱ …),
which breaks offsets; a one-to-one character mapping keeps a span found in the normalised text the
same span in the original.

Speed: `str.translate` looks every character of a non-ASCII string up in its table (a Python
lookup per character, ≈ 140 ns); a Chinese text holds only a few distinct foldable characters
(，：（）), so `fold` finds which occur and replaces just those, with C string operations. It finds
them by encoding the text through a 256-entry charmap (C speed, one byte per character), which also
gives `project`'s result: the folded text with every other character as '?'. On that bytes string
the recognizers for numbers and codes find their candidates with `bytes.find` instead of a regular
expression tried at every character.
"""

from __future__ import annotations

import codecs

_FULL = range(0xFF01, 0xFF5F)  # full-width ! … ~ → ASCII
_OTHER = {0x3000: 0x20, 0x00A0: 0x20, 0x2010: 0x2D, 0x2011: 0x2D, 0x2012: 0x2D, 0x2013: 0x2D, 0x2014: 0x2D, 0x2212: 0x2D}
_TABLE = {cp: cp - 0xFEE0 for cp in _FULL} | _OTHER  # (U+3002 。 is left as it is)

# The charmap: bytes 0–127 are ASCII; 128… are the foldable characters, in _TABLE's order; the rest
# of the 256 are never produced (a placeholder character; any character not in the map encodes as '?').
_FOLDABLE = [chr(cp) for cp in _TABLE]
_PLACEHOLDER = "\uffff"
_DECODING = "".join(map(chr, range(128))) + "".join(_FOLDABLE)
_DECODING += _PLACEHOLDER * (256 - len(_DECODING))
_ENCODING_MAP = codecs.charmap_build(_DECODING)
_charmap_encode = codecs.charmap_encode
# Byte → the folded ASCII byte ('?' for the placeholders: U+FFFF is not foldable).
_PROJECT = bytes(range(128)) + bytes(_TABLE[ord(c)] for c in _FOLDABLE) + b"?" * (256 - 128 - len(_FOLDABLE))
# Deleting every byte but the foldable characters' leaves the ones a text holds.
_NOT_FOLDABLE = bytes(range(128)) + bytes(range(128 + len(_FOLDABLE), 256))
_REPLACE = {128 + i: (c, chr(_TABLE[ord(c)])) for i, c in enumerate(_FOLDABLE)}


def fold_project(text: str) -> tuple[str, bytes]:
    """(fold(text), project(text)) for the price of one."""
    if text.isascii():
        return text, text.encode("ascii")
    raw = _charmap_encode(text, "replace", _ENCODING_MAP)[0]
    present = raw.translate(None, _NOT_FOLDABLE)
    if present:
        for b in set(present):
            old, new = _REPLACE[b]
            text = text.replace(old, new)
    return text, raw.translate(_PROJECT)


def fold(text: str) -> str:
    """'ＩＤ：１１０１' → 'ID:1101', same length, same offsets."""
    return fold_project(text)[0]


def project(text: str) -> bytes:
    """The folded text as bytes, one per character: ASCII as it is (after folding), anything else
    '?'. `project('ＩＤ：张三')` → b'ID:??'. Offsets in it are offsets in the text."""
    return fold_project(text)[1]
