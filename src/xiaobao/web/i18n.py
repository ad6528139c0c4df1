"""Console text in Simplified Chinese (default) and English, from YAML catalogs under `locales/<lang>/`.

Keys are dotted (`area.key`); every area keeps its own file so areas don't edit one shared catalog. A key
missing in English falls back to Chinese; a key missing everywhere shows itself, so it is noticed.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

LANGS = ("zh", "en")
DEFAULT = "zh"
HTML_LANG = {"zh": "zh-CN", "en": "en"}
_DIR = Path(__file__).parent / "locales"


def _flatten(prefix: str, data, out: dict[str, str], origin: Path) -> None:
    if isinstance(data, dict):
        for k, v in data.items():
            _flatten(f"{prefix}.{k}" if prefix else str(k), v, out, origin)
    elif isinstance(data, str):
        if prefix in out:
            raise ValueError(f"{origin}: 键 {prefix} 重复定义")
        out[prefix] = data
    else:
        raise ValueError(f"{origin}: 键 {prefix} 的值必须是字符串")


@lru_cache(maxsize=None)
def catalog(lang: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for path in sorted((_DIR / lang).glob("*.yaml")):
        # UI catalogs ship with the code, not with the rules: XIAOBAO_RULES_DIR and `rules.read_yaml` do not apply.
        _flatten("", yaml.safe_load(path.read_text("utf-8")) or {}, out, path)
    return out


def translate(lang: str, key: str, **values) -> str:
    text = catalog(lang).get(key) or catalog(DEFAULT).get(key) or key
    return text.format(**values) if values else text


def pick(lang: str | None) -> str:
    return lang if lang in LANGS else DEFAULT
