"""What a reader sees: the visible text of a material and the style of every run of it.

Rules read the visible text (tags, scripts and styles removed, entities decoded); prominence reads the
style runs. Plain text has one run in the default style; Markdown headings and **bold** become
larger/bolder runs; HTML is parsed with the standard library's `html.parser` (tolerant of unclosed
tags, as real ad pages are), with inline `style`, `<font size/color>`, `<b>/<strong>`, `<h1>…<h6>`,
`<small>/<big>` and hidden elements (`display:none`, `visibility:hidden`, size 0) understood.
Stylesheets and classes are not resolved: a page that styles its rate through CSS classes is read as
unstyled, which errs toward "equally prominent" — reviewers see the page itself.

Spans of findings are offsets into `Document.text` (for HTML: the visible text, not the markup).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

DEFAULT_SIZE = 16.0
_HEADING_SIZE = {"h1": 32.0, "h2": 24.0, "h3": 18.72, "h4": 16.0, "h5": 13.28, "h6": 10.72}
_FONT_SIZE_ATTR = {1: 10.0, 2: 13.0, 3: 16.0, 4: 18.0, 5: 24.0, 6: 32.0, 7: 48.0}
_BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header",
          "footer", "ul", "ol", "table", "blockquote", "hr", "title"}
_VOID = {"br", "img", "hr", "meta", "input", "link", "area", "base", "col", "embed", "source", "wbr", "track"}
_SKIP = {"script", "style", "head", "noscript", "template"}
_NAMED_COLOURS = {
    "black": (0, 0, 0), "white": (255, 255, 255), "red": (255, 0, 0), "green": (0, 128, 0), "blue": (0, 0, 255),
    "gray": (128, 128, 128), "grey": (128, 128, 128), "silver": (192, 192, 192), "lightgray": (211, 211, 211),
    "lightgrey": (211, 211, 211), "gainsboro": (220, 220, 220), "whitesmoke": (245, 245, 245),
    "darkgray": (169, 169, 169), "orange": (255, 165, 0), "yellow": (255, 255, 0), "navy": (0, 0, 128),
    "maroon": (128, 0, 0), "purple": (128, 0, 128), "gold": (255, 215, 0), "darkred": (139, 0, 0),
}
_HTML_HINT = re.compile(r"<\s*(?:html|body|div|p|span|font|b|strong|h[1-6]|br|table|img|a|small|big|section)\b",
                        re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Style:
    size: float = DEFAULT_SIZE  # px
    weight: int = 400
    colour: tuple[int, int, int] = (0, 0, 0)
    hidden: bool = False

    def contrast(self) -> float:
        """WCAG contrast ratio against a white page: how readable the colour is (1 = invisible, 21 = black)."""
        def lin(c: int) -> float:
            c = c / 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
        r, g, b = (lin(c) for c in self.colour)
        return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


DEFAULT_STYLE = Style()


@dataclass(frozen=True, slots=True)
class Run:
    start: int
    end: int
    style: Style


@dataclass
class Document:
    text: str
    format: str = "text"
    runs: list[Run] = field(default_factory=list)

    def style_at(self, start: int, end: int) -> Style:
        """The most prominent style over a span (a rate split over runs counts at its best)."""
        best = None
        for r in self.runs:
            if r.start < end and r.end > start and (
                    best is None or (r.style.size, r.style.weight) > (best.size, best.weight)):
                best = r.style
        return best or DEFAULT_STYLE


def guess_format(text: str) -> str:
    return "html" if _HTML_HINT.search(text) else "text"


def read(text: str, fmt: str | None = None) -> Document:
    fmt = (fmt or guess_format(text)).lower()
    if fmt == "html":
        return _html(text)
    if fmt in ("markdown", "md"):
        return _markdown(text)
    if fmt != "text":
        raise ValueError(f"format: 不支持的格式 {fmt!r}（支持 text / markdown / html）")
    return Document(text, "text", [Run(0, len(text), DEFAULT_STYLE)] if text else [])


# --- HTML -------------------------------------------------------------------------------------------

def _colour(v: str) -> tuple[int, int, int] | None:
    v = v.strip().lower()
    if v.startswith("#"):
        h = v[1:]
        if len(h) in (3, 4):
            h = "".join(c * 2 for c in h[:3])
        if len(h) >= 6:
            try:
                return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)
            except ValueError:
                return None
        return None
    m = re.match(r"rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)", v)
    if m:
        return tuple(min(255, int(x)) for x in m.groups())  # type: ignore[return-value]
    return _NAMED_COLOURS.get(v)


def _length(v: str, parent: float) -> float | None:
    m = re.match(r"\s*([\d.]+)\s*(px|pt|em|rem|%)?", v)
    if not m:
        return {"small": 13.0, "x-small": 10.0, "xx-small": 9.0, "medium": 16.0, "large": 18.0, "x-large": 24.0,
                "xx-large": 32.0, "smaller": parent * 0.83, "larger": parent * 1.2}.get(v.strip().lower())
    try:
        n = float(m.group(1))
    except ValueError:
        return None
    unit = m.group(2) or "px"
    return {"px": n, "pt": n * 4 / 3, "em": n * parent, "rem": n * DEFAULT_SIZE, "%": n * parent / 100}[unit]


def _apply(tag: str, attrs: dict[str, str | None], s: Style) -> Style:
    size, weight, colour, hidden = s.size, s.weight, s.colour, s.hidden
    if tag in _HEADING_SIZE:
        size, weight = _HEADING_SIZE[tag], 700
    elif tag in ("b", "strong"):
        weight = 700
    elif tag in ("small", "sub", "sup"):
        size = size * 0.83
    elif tag == "big":
        size = size * 1.2
    if tag == "font":
        if attrs.get("size"):
            try:
                raw = attrs["size"].strip()
                n = int(raw)
                n = 3 + n if raw[0] in "+-" else n
                size = _FONT_SIZE_ATTR[max(1, min(7, n))]
            except (ValueError, AttributeError):
                pass
        if attrs.get("color") and (c := _colour(attrs["color"])):
            colour = c
    if "hidden" in attrs:
        hidden = True
    for decl in (attrs.get("style") or "").split(";"):
        if ":" not in decl:
            continue
        prop, val = (x.strip().lower() for x in decl.split(":", 1))
        if prop == "font-size" and (n := _length(val, size)) is not None:
            size = n
        elif prop == "font-weight":
            weight = 700 if val in ("bold", "bolder") else 400 if val in ("normal", "lighter") else \
                int(val) if val.isdigit() else weight
        elif prop == "color" and (c := _colour(val)):
            colour = c
        elif (prop == "display" and val == "none") or (prop == "visibility" and val == "hidden"):
            hidden = True
        elif prop == "opacity":
            try:
                hidden = hidden or float(val) < 0.1
            except ValueError:
                pass
    if size <= 1:
        hidden = True
    return Style(size, weight, colour, hidden)


class _Visible(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.runs: list[Run] = []
        self.pos = 0
        self.stack: list[tuple[str, Style]] = []
        self.skip = 0

    def _style(self) -> Style:
        return self.stack[-1][1] if self.stack else DEFAULT_STYLE

    def _newline(self):
        if self.parts and not self.parts[-1].endswith("\n"):
            self._emit("\n", self._style())

    def _emit(self, s: str, style: Style):
        self.parts.append(s)
        self.runs.append(Run(self.pos, self.pos + len(s), style))
        self.pos += len(s)

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            self.skip += 1
            return
        if tag in _BLOCK:
            self._newline()
        if tag not in _VOID:
            self.stack.append((tag, _apply(tag, dict(attrs), self._style())))

    def handle_startendtag(self, tag, attrs):
        if tag in _BLOCK:
            self._newline()

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break
        if tag in _BLOCK:
            self._newline()

    def handle_data(self, data):
        if self.skip or not data:
            return
        style = self._style()
        if style.hidden:
            return
        self._emit(data, style)


def _html(source: str) -> Document:
    p = _Visible()
    p.feed(source)
    p.close()
    return Document("".join(p.parts), "html", p.runs)


# --- Markdown ---------------------------------------------------------------------------------------

_MD_HEADING = re.compile(r"^(#{1,6})\s+")
_MD_INLINE = re.compile(r"\*\*(.+?)\*\*|__(.+?)__|\[([^\]]*)\]\([^)]*\)|`([^`]*)`")


def _markdown(source: str) -> Document:
    parts: list[str] = []
    runs: list[Run] = []
    pos = 0

    def emit(s: str, style: Style):
        nonlocal pos
        if s:
            parts.append(s)
            runs.append(Run(pos, pos + len(s), style))
            pos += len(s)

    for line in source.splitlines(keepends=True):
        base = DEFAULT_STYLE
        if m := _MD_HEADING.match(line):
            base = Style(_HEADING_SIZE[f"h{len(m.group(1))}"], 700)
            line = line[m.end():]
        last = 0
        for m in _MD_INLINE.finditer(line):
            emit(line[last:m.start()], base)
            if m.group(1) is not None or m.group(2) is not None:
                emit(m.group(1) or m.group(2), Style(base.size, 700, base.colour))
            else:
                emit(m.group(3) if m.group(3) is not None else m.group(4), base)
            last = m.end()
        emit(line[last:], base)
    return Document("".join(parts), "markdown", runs)
