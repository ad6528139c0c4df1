"""Request bodies. Responses are the service layer's dicts; intake bodies allow unknown fields."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from xiaobao.api.params import Day


class Login(BaseModel):
    username: str
    password: str


class ComplaintIn(BaseModel):
    """Known intake fields; anything else is kept in `extras` (never rejected)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"example": {
        "external_id": "APP-20261120-0001", "channel": "app", "received_at": "2026-11-20 09:30:00",
        "customer_name": "张三", "customer_phone": "13812345678", "customer_id_number": "11010519491231002X",
        "text": "你们的催收人员一天打了十几个电话，还打给我同事。", "request": "要求停止骚扰第三方",
        "category": "debt_collection", "product": "消费分期"}})

    external_id: str | None = None
    channel: str
    received_at: str | None = None
    text: str
    request: str = ""
    customer_name: str | None = None
    customer_phone: str | None = None
    customer_id_number: str | None = None


class Note(BaseModel):
    note: str = ""


class Reason(BaseModel):
    reason: str = Field(min_length=1)


class PauseIn(BaseModel):
    reason: str = Field(description="appraisal | mediation")
    notice_proof: str = Field(description="告知投诉人（鉴定）或投诉人同意（调解）的凭证编号")
    note: str = ""


class ExtendIn(BaseModel):
    reason: str
    approver: str | None = None
    notice_proof: str | None = None


class RestartIn(BaseModel):
    received: Day
    note: str


class MergeIn(BaseModel):
    parent_id: int = Field(ge=1, le=2**63 - 1)
    new_facts: StrictBool = False
    note: str = ""


class AssignIn(BaseModel):
    assignee: str
    reason: str = ""


class TransferIn(BaseModel):
    tier: str
    team: str
    reason: str


class DecideIn(BaseModel):
    result: str
    reasons: str
    basis: str
    verification: str
    remedies: list[str]


class NotifyIn(BaseModel):
    channel: str
    proof: str


class CallbackIn(BaseModel):
    satisfaction: str
    note: str = ""


class ReviewRequestIn(BaseModel):
    written_ref: str


class ReviewDecisionIn(BaseModel):
    outcome: str
    reasons: str


class RefuseIn(BaseModel):
    reason: str
    notice_proof: str


class UserIn(BaseModel):
    username: str
    password: str
    role: str
    display_name: str = ""
    team: str | None = None
    staff_id: str | None = None


def body_dict(m: BaseModel) -> dict[str, Any]:
    d = m.model_dump(exclude_none=True)
    d.update(m.model_extra or {})
    return d
