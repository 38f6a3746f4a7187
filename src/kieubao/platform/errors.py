"""Errors that actions raise; the web shell renders them as RFC 9457 problem details."""


class Problem(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str, *, errors: list[dict[str, object]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class Invalid(Problem):
    status = 422
    title = "Invalid input"

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}", errors=[{"field": field, "reason": reason}])


class NotFound(Problem):
    status = 404
    title = "Not found"

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} not found")


class Conflict(Problem):
    status = 409
    title = "Conflict"


class Forbidden(Problem):
    status = 403
    title = "Forbidden"
