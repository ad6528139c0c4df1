"""Domain and service errors → HTTP, one JSON shape: {error, message, message_en, details}."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from xiaobao.domain.errors import DomainError

STATUS = {
    "invalid_value": 422, "illegal_transition": 409, "approval_required": 422, "recusal_required": 409,
    "deadline_passed": 409, "not_found": 404, "forbidden": 403, "auth_failed": 401, "conflict": 409,
}
MESSAGE_EN = {
    "invalid_value": "A field is missing or invalid", "illegal_transition": "This status change is not allowed",
    "approval_required": "An approval is required", "recusal_required": "The handler must recuse",
    "deadline_passed": "The deadline has passed", "not_found": "Not found", "forbidden": "Your role may not do this",
    "auth_failed": "Authentication failed", "conflict": "Conflicts with existing data",
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

    @app.exception_handler(DomainError)
    async def _domain_error(request: Request, exc: DomainError):
        status = STATUS.get(exc.code, 400)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(status_code=status, headers=headers, content=jsonable_encoder({
            "error": exc.code, "message": exc.message, "message_en": MESSAGE_EN.get(exc.code, exc.code),
            "details": exc.details}))
