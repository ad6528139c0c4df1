"""The demo's text tables: the YAML files beside this module, one per theme, each read once.

The generators keep their logic in Python and take names, places, sentences and weights from here.
The accessors check what they hand out, because YAML reads some unquoted words as other things
(`no` and `on` as booleans, `010` and `1e3` as numbers): a wrong type is an error naming the file
and the entry, never a changed demo. Lists come back as tuples.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

# Demo data ships with the code and is not an institution's rules: read directly, on libyaml when available.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

DATA = Path(__file__).parent


class DemoDataError(ValueError):
    """A demo data file that cannot be used; the message names the file and the entry."""


@cache
def load(name: str) -> dict[str, Any]:
    """The parsed `<name>.yaml` (cached: read once per process)."""
    path = DATA / f"{name}.yaml"
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except yaml.YAMLError as e:
        raise DemoDataError(f"{path.name}: YAML 格式错误：{e}") from e
    if not isinstance(data, dict):
        raise DemoDataError(f"{path.name}: 顶层应为映射")
    return data


def get(name: str, key: str) -> Any:
    """The entry at a dotted `key` (`given_names.male`) of `<name>.yaml`, unchecked."""
    value: Any = load(name)
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            raise DemoDataError(f"{name}.yaml: 缺少 {key}")
        value = value[part]
    return value


def check(kind: str, value: Any, where: str) -> Any:
    """`value` if it is of `kind`, one letter: t text, o text or null, w weight (a number, not yes/no),
    T a list of texts (returned as a tuple); else a DemoDataError naming `where`."""
    if kind == "o" and value is None:
        return None
    if kind in ("t", "o"):
        if not isinstance(value, str):
            raise DemoDataError(f"{where}: 应为文字，读到 {value!r}（数字、yes/no 等请加引号）")
        return value
    if kind == "w":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise DemoDataError(f"{where}: 应为数字权重，读到 {value!r}")
        return value
    if kind == "T":
        return tuple(check("t", x, f"{where}[{i}]") for i, x in enumerate(_list(value, where)))
    raise ValueError(kind)


def _mapping(value: Any, where: str) -> dict:
    if not isinstance(value, dict):
        raise DemoDataError(f"{where}: 应为映射，读到 {value!r}")
    return value


def _list(value: Any, where: str) -> list:
    if not isinstance(value, list):
        raise DemoDataError(f"{where}: 应为列表，读到 {value!r}")
    return value


def keys(name: str, key: str) -> tuple[str, ...]:
    """The keys of a mapping, in file order (to read each entry under it with a dotted key)."""
    where = f"{name}.yaml: {key}"
    return tuple(check("t", k, where) for k in _mapping(get(name, key), where))


def text(name: str, key: str) -> str:
    return check("t", get(name, key), f"{name}.yaml: {key}")


def texts(name: str, key: str) -> tuple[str, ...]:
    """A list of texts."""
    return check("T", get(name, key), f"{name}.yaml: {key}")


def text_map(name: str, key: str) -> dict[str, str]:
    """A mapping of texts to texts, in file order."""
    where = f"{name}.yaml: {key}"
    return {check("t", k, where): check("t", v, f"{where}.{k}") for k, v in _mapping(get(name, key), where).items()}


def weighted(name: str, key: str) -> tuple[tuple[str, int | float], ...]:
    """A mapping `value: weight`, as (value, weight) pairs in file order."""
    where = f"{name}.yaml: {key}"
    return tuple((check("t", k, where), check("w", v, f"{where}.{k}"))
                 for k, v in _mapping(get(name, key), where).items())


def rows(name: str, key: str, shape: str) -> tuple[tuple[Any, ...], ...]:
    """A list of rows `[a, b, …]`, as tuples; `shape` has one kind letter a field (`tttw`)."""
    where = f"{name}.yaml: {key}"
    return tuple(_row(x, f"{where}[{i}]", shape) for i, x in enumerate(_list(get(name, key), where)))


def row(name: str, key: str, shape: str) -> tuple[Any, ...]:
    """One row `[a, b, …]`, as a tuple; `shape` as for `rows`."""
    return _row(get(name, key), f"{name}.yaml: {key}", shape)


def _row(value: Any, where: str, shape: str) -> tuple[Any, ...]:
    if not isinstance(value, list) or len(value) != len(shape):
        raise DemoDataError(f"{where}: 应为 {len(shape)} 项的列表，读到 {value!r}")
    return tuple(check(k, v, where) for k, v in zip(shape, value))


def _record(value: Any, where: str, shape: dict[str, str]) -> tuple[Any, ...]:
    value = _mapping(value, where)
    if set(value) != set(shape):
        raise DemoDataError(f"{where}: 应有且只有 {', '.join(shape)}，读到 {', '.join(map(str, value))}")
    return tuple(check(kind, value[f], f"{where}.{f}") for f, kind in shape.items())


def records(name: str, key: str, shape: dict[str, str]) -> tuple[tuple[Any, ...], ...]:
    """A list of mappings, each with exactly the fields of `shape` (field: kind letter), as tuples in
    `shape`'s order."""
    where = f"{name}.yaml: {key}"
    return tuple(_record(x, f"{where}[{i}]", shape) for i, x in enumerate(_list(get(name, key), where)))
