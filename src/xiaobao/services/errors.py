"""Service-level errors (the domain's own errors pass through unchanged)."""

from xiaobao.domain.errors import DomainError


class NotFound(DomainError):
    code = "not_found"


class Forbidden(DomainError):
    code = "forbidden"


class AuthFailed(DomainError):
    code = "auth_failed"


class Conflict(DomainError):
    code = "conflict"


class TooManyAttempts(DomainError):
    code = "too_many_attempts"
