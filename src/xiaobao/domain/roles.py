"""Roles and what each may do. The matrix itself is data (`rules/roles.yaml`)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    AGENT = "agent"  # 一线座席
    EXPERT = "expert"  # 专家岗
    CARE = "care"  # 用户关怀
    SUPERVISOR = "supervisor"  # 主管
    COMPLIANCE = "compliance"  # 合规
    AUDITOR = "auditor"  # 审计
    ADMIN = "admin"  # 系统管理员
    MARKETING = "marketing"  # 营销（物料提交）


ROLE_NAMES_ZH = {
    Role.AGENT: "一线座席", Role.EXPERT: "专家岗", Role.CARE: "用户关怀", Role.SUPERVISOR: "主管",
    Role.COMPLIANCE: "合规", Role.AUDITOR: "审计", Role.ADMIN: "系统管理员",
    Role.MARKETING: "营销",
}


@dataclass(frozen=True)
class Permissions:
    matrix: dict[str, frozenset[Role]]

    def allows(self, role: Role | str, permission: str) -> bool:
        if permission not in self.matrix:
            raise KeyError(f"unknown permission {permission!r}")
        return Role(role) in self.matrix[permission]

    def roles_for(self, permission: str) -> frozenset[Role]:
        return self.matrix[permission]
