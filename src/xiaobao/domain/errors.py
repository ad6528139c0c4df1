"""Domain errors. Messages are Chinese first with an English gloss, because handlers read them."""


class DomainError(Exception):
    """Base for every refusal the domain makes; `code` is stable for API clients."""

    code = "domain_error"

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message = message
        self.details = details


class IllegalTransition(DomainError):
    code = "illegal_transition"

    def __init__(self, current: str, target: str, why: str = ""):
        from xiaobao.domain.complaint import STATUS_NAMES_ZH

        msg = (
            f"状态不允许从「{STATUS_NAMES_ZH.get(current, current)}」({current}) "
            f"变更为「{STATUS_NAMES_ZH.get(target, target)}」({target})"
        )
        if why:
            msg += f"：{why}"
        super().__init__(msg, current=current, target=target)
        self.current = current
        self.target = target


class ApprovalRequired(DomainError):
    code = "approval_required"


class RecusalRequired(DomainError):
    code = "recusal_required"


class DeadlinePassed(DomainError):
    code = "deadline_passed"


class InvalidValue(DomainError):
    code = "invalid_value"

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}", field=field, reason=reason)
        self.field = field
        self.reason = reason
