"""Is the annualised rate at least as prominent as the daily/monthly rate or per-period fee?

PBOC 公告〔2021〕第3号 point 1: the small-unit rate "不得比年化利率更明显". We compare the most prominent
APR mention with the most prominent small-unit mention on four things a reader notices:

- position: the APR first appears on a later line than the first small-unit rate and more than
  `slack_chars` after it (a rate followed by its APR in the same sentence or the next short line is
  fine), or the APR sits only in a footnote line (starting with *, ※, 注, 备注, 温馨提示) while the
  small rate does not;
- font size (HTML/Markdown): APR smaller by more than `size_tolerance_px`;
- weight: the small rate bold (≥ 600), the APR not;
- colour: the APR's contrast against a white page below `contrast_ratio` × the small rate's and
  under WCAG's 4.5 (pale grey small print under a black or red headline rate).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from xiaobao.engines.marketing.document import Document, Style

_FOOTNOTE = re.compile(r"\s*(?:[*※＊]|注[:：]?|备注|温馨提示|特别提示|¹|\(注)")


@dataclass(frozen=True)
class ProminenceConfig:
    slack_chars: int = 40
    size_tolerance_px: float = 0.5
    contrast_ratio: float = 0.6


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _footnote(text: str, pos: int) -> bool:
    return bool(_FOOTNOTE.match(text, _line_start(text, pos)))


def _key(s: Style) -> tuple[float, int, float]:
    return (s.size, s.weight, s.contrast())


def _describe(s: Style) -> dict:
    return {"font_px": round(s.size, 1), "weight": s.weight, "colour": "#{:02x}{:02x}{:02x}".format(*s.colour),
            "contrast": round(s.contrast(), 2)}


def compare(doc: Document, aprs: list[tuple[int, int]], smalls: list[tuple[int, int]],
            cfg: ProminenceConfig | None = None) -> tuple[list[str], dict]:
    """Reasons the APR is less prominent (empty: it is not), and the evidence compared."""
    cfg = cfg or ProminenceConfig()
    if not aprs or not smalls:
        return [], {}
    text = doc.text
    apr_best = max(aprs, key=lambda sp: _key(doc.style_at(*sp)))
    small_best = max(smalls, key=lambda sp: _key(doc.style_at(*sp)))
    a, s = doc.style_at(*apr_best), doc.style_at(*small_best)
    reasons = []
    first_apr, first_small = min(x[0] for x in aprs), min(x[0] for x in smalls)
    if (first_apr > first_small + cfg.slack_chars
            and _line_start(text, first_apr) > _line_start(text, first_small)):
        reasons.append("position")
    if all(_footnote(text, x[0]) for x in aprs) and not all(_footnote(text, x[0]) for x in smalls):
        reasons.append("footnote")
    if a.size + cfg.size_tolerance_px < s.size:
        reasons.append("font_size")
    if s.weight >= 600 > a.weight:
        reasons.append("font_weight")
    if a.contrast() < cfg.contrast_ratio * s.contrast() and a.contrast() < 4.5:
        reasons.append("colour")
    return reasons, {"apr": {"start": apr_best[0], **_describe(a)}, "small_rate": {"start": small_best[0],
                                                                                     **_describe(s)}}
