"""Domain and service errors → HTTP, one JSON shape: {error, message, message_en, details}."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from typing import Any

from pydantic import BaseModel, Field

from sqlalchemy.exc import DataError

from xiaobao.domain.errors import DomainError, InvalidValue

STATUS = {
    "invalid_value": 422, "illegal_transition": 409, "approval_required": 422, "recusal_required": 409,
    "deadline_passed": 409, "not_found": 404, "forbidden": 403, "auth_failed": 401, "conflict": 409,
    "too_many_attempts": 429,
}
MESSAGE_EN = {
    "invalid_value": "A field is missing or invalid", "illegal_transition": "This status change is not allowed",
    "approval_required": "An approval is required", "recusal_required": "The handler must recuse",
    "deadline_passed": "The deadline has passed", "not_found": "Not found", "forbidden": "Your role may not do this",
    "auth_failed": "Authentication failed", "conflict": "Conflicts with existing data",
    "too_many_attempts": "Too many failed attempts; try again later",
}


class ErrorOut(BaseModel):
    """Every error response: a stable code, the message in Chinese and English, and what it concerns."""

    error: str = Field(description="稳定的错误代码 / stable code, e.g. not_found")
    message: str = Field(description="中文说明")
    message_en: str
    details: dict[str, Any] = Field(default_factory=dict)


def _declared(description: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": description}


# Declared on every operation, so the OpenAPI document lists the responses a client really gets.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _declared("未登录或令牌无效 / not authenticated"),
    403: _declared("角色无权或非本人经办 / role or ownership does not allow it"),
    404: _declared("不存在 / not found"),
    409: _declared("状态不允许或与已有数据冲突 / not allowed in this state, or conflicts"),
    422: _declared("字段缺失或无效（指明字段与原因）/ a field is missing or invalid"),
    429: _declared("尝试过于频繁，请稍后再试 / too many attempts"),
}


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError):
        errors = [{"field": ".".join(str(p) for p in e["loc"] if p != "body") or "body",
                   "reason": e["msg"]} for e in exc.errors()]
        first = errors[0] if errors else {"field": "body", "reason": "invalid"}
        return JSONResponse(status_code=422, content=jsonable_encoder({
            "error": "invalid_value", "message": f"请求字段无效：{first['field']}（{first['reason']}）",
            "message_en": MESSAGE_EN["invalid_value"], "details": {"errors": errors}}))

    # A value no parameter type bounded (a console form field, a number inside a body) that the database or
    # the calendar cannot hold is the client's error, not the server's: 422 in the one shape, never a 500.
    async def _out_of_range(request: Request, exc: Exception):
        refusal = InvalidValue("value", "数值或日期超出可处理的范围 / a number or date is out of range")
        return await request.app.exception_handlers[DomainError](request, refusal)

    app.add_exception_handler(OverflowError, _out_of_range)
    app.add_exception_handler(DataError, _out_of_range)

    @app.exception_handler(DomainError)
    async def _domain_error(request: Request, exc: DomainError):
        status = STATUS.get(exc.code, 400)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        if status == 429:
            headers = {"Retry-After": str(exc.details.get("retry_after_s", 60))}
        return JSONResponse(status_code=status, headers=headers, content=jsonable_encoder({
            "error": exc.code, "message": exc.message, "message_en": MESSAGE_EN.get(exc.code, exc.code),
            "details": exc.details}))
