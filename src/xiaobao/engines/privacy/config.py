"""Recognizer and gazetteer configuration, read from `rules/privacy_*.yaml` into plain objects.

The engine never opens a database; it reads these files once per rules directory (`xiaobao.rules.
rules_dir`: an institution's copy wins, as with every rules file) and is handed the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from xiaobao.domain.finding import Citation
from xiaobao.rules import RulesError, read_yaml, rules_dir


@dataclass(frozen=True)
class TypeSpec:
    name: str
    name_zh: str
    level: str
    score: float
    score_without_context: float
    citation: Citation


@dataclass(frozen=True)
class RecognizerConfig:
    types: dict[str, TypeSpec]
    min_score: float
    context_window: int
    negative_cues: tuple[str, ...]
    cues: dict[str, tuple[str, ...]]
    gazetteer: dict[str, Any] = field(repr=False)


def _spec(name: str, raw: dict[str, Any]) -> TypeSpec:
    level = raw.get("level")
    if level not in ("C1", "C2", "C3"):
        raise RulesError(f"privacy_recognizers.yaml: {name}.level 应为 C1/C2/C3，实际 {level!r}")
    cit = raw.get("citation") or {}
    if not cit.get("source"):
        raise RulesError(f"privacy_recognizers.yaml: {name} 缺少 citation.source（每条规则须有依据）")
    score = float(raw.get("score", 0.9))
    return TypeSpec(name, raw.get("name_zh", name), level, score, float(raw.get("score_without_context", score)),
                    Citation(cit["source"], cit.get("article", ""), cit.get("note", "")))


def load_config(directory: str | Path | None = None) -> RecognizerConfig:
    return _load_config(rules_dir(directory))


@lru_cache(maxsize=8)
def _load_config(directory: Path) -> RecognizerConfig:
    rec = read_yaml("privacy_recognizers.yaml", directory)
    gaz = read_yaml("privacy_gazetteer.yaml", directory)
    common = read_yaml("privacy_common_words.yaml", directory)
    # Lender and platform names (the black/gray normaliser's list): 本人向捷信借款 holds no name 向捷.
    lenders = read_yaml("blackgray_lenders.yaml", directory).get("lenders") or []
    gaz = {**gaz, "common_words": str(common.get("words") or "").split(),
           "rarer_common_words": str(common.get("rarer_words") or "").split(), "institutions": [str(x) for x in lenders]}
    types = {name: _spec(name, raw) for name, raw in (rec.get("types") or {}).items()}
    return RecognizerConfig(
        types=types,
        min_score=float(rec.get("min_score", 0.5)),
        context_window=int(rec.get("context_window", 12)),
        negative_cues=tuple(rec.get("negative_cues") or ()),
        cues={k: tuple(v) for k, v in (rec.get("cues") or {}).items()},
        gazetteer=gaz,
    )
