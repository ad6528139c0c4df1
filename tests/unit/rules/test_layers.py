"""The arrows hold: entrypoints → services → engines → domain / rules. Engines read rules through
`xiaobao.rules` (which alone asks `xiaobao.config` for XIAOBAO_RULES_DIR) and never import the
settings, services, store or entrypoints themselves."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import xiaobao

SRC = Path(xiaobao.__file__).parent

ALLOWED = {
    "engines": {"xiaobao.engines", "xiaobao.domain", "xiaobao.rules"},
    "domain": {"xiaobao.domain"},
    "rules": {"xiaobao.domain", "xiaobao.config"},
}


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return {m for m in out if m == "xiaobao" or m.startswith("xiaobao.")}


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_a_lower_layer_imports_only_what_is_below_it(layer):
    bad = []
    for path in sorted((SRC / layer).rglob("*.py")):
        for module in _imports(path):
            if not any(module == a or module.startswith(a + ".") for a in ALLOWED[layer]):
                bad.append(f"{path.relative_to(SRC)} imports {module}")
    assert not bad, "\n".join(bad)


def test_settings_import_nothing_of_the_platform():
    assert _imports(SRC / "config.py") == set()
