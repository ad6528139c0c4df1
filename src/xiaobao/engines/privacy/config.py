"""Recognizer and gazetteer configuration, read from `rules/privacy_*.yaml` into plain objects.

The engine never opens a database; it reads these files once per directory (an institution can
point at its own copy, as with every rules file) and is handed the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from xiaobao.domain.finding import Citation

BUNDLED = Path(__file__).resolve().parents[2] / "rules"


class PrivacyConfigError(ValueError):
    """A privacy rules file that cannot be used; the message names the file and entry."""


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


def read_yaml(name: str, directory: str | Path | None = None) -> dict[str, Any]:
    path = Path(directory) / name if directory else BUNDLED / name
    if not path.exists():
        path = BUNDLED / name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as e:
        raise PrivacyConfigError(f"{path}: YAML 格式错误：{e}") from e
    if not isinstance(data, dict):
        raise PrivacyConfigError(f"{path}: 顶层应为映射")
    return data


def _spec(name: str, raw: dict[str, Any]) -> TypeSpec:
    level = raw.get("level")
    if level not in ("C1", "C2", "C3"):
        raise PrivacyConfigError(f"privacy_recognizers.yaml: {name}.level 应为 C1/C2/C3，实际 {level!r}")
    cit = raw.get("citation") or {}
    if not cit.get("source"):
        raise PrivacyConfigError(f"privacy_recognizers.yaml: {name} 缺少 citation.source（每条规则须有依据）")
    score = float(raw.get("score", 0.9))
    return TypeSpec(name, raw.get("name_zh", name), level, score, float(raw.get("score_without_context", score)),
                    Citation(cit["source"], cit.get("article", ""), cit.get("note", "")))


@lru_cache(maxsize=8)
def load_config(directory: str | None = None) -> RecognizerConfig:
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
