"""JR/T 0169-2018 axes B and C as data (`rules/classify_axes.yaml`) joined to our categories
(`rules/taxonomy.yaml`). Codes are the institution's to load; nothing here hard-codes one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xiaobao.domain.finding import Citation
from xiaobao.rules import RulesError, citation, read_yaml


@dataclass(frozen=True, slots=True)
class AxisEntry:
    code: str
    name_zh: str
    name_en: str
    level: int = 1
    parent: str | None = None
    keywords: tuple[str, ...] = ()
    # words every credit complaint uses (还款, 逾期, 利息…): they count only when no other keyword matched
    generic: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name_zh": self.name_zh, "name_en": self.name_en, "level": self.level,
                "parent": self.parent}


@dataclass(frozen=True, slots=True)
class CategoryInfo:
    code: str
    name_zh: str
    name_en: str
    axis_c: str


@dataclass(frozen=True)
class Taxonomy:
    axis_b: dict[str, AxisEntry]
    axis_c: dict[str, AxisEntry]
    categories: dict[str, CategoryInfo]
    axis_b_default: str
    needs_person_below: float
    code_status: str
    citation: Citation | None

    def axis_c_for(self, category: str) -> AxisEntry:
        info = self.categories.get(category)
        return self.axis_c[info.axis_c] if info else self.axis_c[self.other_c]

    @property
    def other_c(self) -> str:
        return self.categories["other"].axis_c if "other" in self.categories else next(iter(self.axis_c))

    def to_dict(self) -> dict[str, Any]:
        return {"code_status": self.code_status, "axis_b_default": self.axis_b_default,
                "needs_person_below": self.needs_person_below,
                "axis_b": [e.to_dict() for e in self.axis_b.values()],
                "axis_c": [{**e.to_dict(), "categories": [c.code for c in self.categories.values() if c.axis_c == e.code]}
                           for e in self.axis_c.values()],
                "categories": [{"code": c.code, "name_zh": c.name_zh, "name_en": c.name_en, "axis_c": c.axis_c}
                               for c in self.categories.values()]}


def _entries(raw: list[dict[str, Any]], axis: str) -> dict[str, AxisEntry]:
    out: dict[str, AxisEntry] = {}
    for i, e in enumerate(raw or ()):
        try:
            code = str(e["code"])
            entry = AxisEntry(code, e["name_zh"], e.get("name_en", code), int(e.get("level", 1)),
                              str(e["parent"]) if e.get("parent") is not None else None,
                              tuple(e.get("keywords") or ()), tuple(e.get("generic_keywords") or ()))
        except (KeyError, TypeError, ValueError) as err:
            raise RulesError(f"classify_axes.yaml: {axis} 第{i + 1}项不完整：{err!r}") from err
        if code in out:
            raise RulesError(f"classify_axes.yaml: {axis} 代码 {code} 重复")
        out[code] = entry
    for e in out.values():
        if e.parent is not None and e.parent not in out:
            raise RulesError(f"classify_axes.yaml: {axis} {e.code} 的上级 {e.parent} 不存在")
    if not out:
        raise RulesError(f"classify_axes.yaml: {axis} 不能为空")
    return out


def load_taxonomy(directory: str | Path | None = None) -> Taxonomy:
    axes = read_yaml("classify_axes.yaml", directory)
    tax = read_yaml("taxonomy.yaml", directory)
    axis_b = _entries(axes.get("axis_b"), "axis_b")
    axis_c = _entries(axes.get("axis_c"), "axis_c")
    owner: dict[str, str] = {}
    for e in axes.get("axis_c") or ():
        for cat in e.get("categories") or ():
            if cat in owner:
                raise RulesError(f"classify_axes.yaml: 类别 {cat} 同时归入投诉原因 {owner[cat]} 和 {e['code']}")
            owner[cat] = str(e["code"])
    categories = {}
    for c in tax.get("categories") or ():
        if c["code"] not in owner:
            raise RulesError(f"classify_axes.yaml: taxonomy.yaml 的类别 {c['code']} 未归入任何投诉原因（axis_c）")
        categories[c["code"]] = CategoryInfo(c["code"], c["name_zh"], c.get("name_en", c["code"]), owner[c["code"]])
    default_b = str(axes.get("axis_b_default", next(iter(axis_b))))
    if default_b not in axis_b:
        raise RulesError(f"classify_axes.yaml: axis_b_default {default_b} 不在 axis_b 中")
    threshold = float(axes.get("needs_person_below", 0.55))
    if not 0 <= threshold <= 1:
        raise RulesError("classify_axes.yaml: needs_person_below 须在 0..1 之间")
    return Taxonomy(axis_b, axis_c, categories, default_b, threshold, str(axes.get("code_status", "provisional")),
                    citation(axes.get("citation")))
