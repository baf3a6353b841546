"""Domain errors: each carries a stable machine code and maps to one HTTP status."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the operation; nothing was written.

    `after_rollback`, when set, is work the refusal itself must leave behind (an audit line
    saying who was refused what): the edge runs it in a fresh transaction after rolling the
    failed work back (app.core.transaction.rollback_and_keep).
    """

    code = "domain_error"
    status = 422
    after_rollback = None

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}


class ValidationFailed(DomainError):
    """Input that fails validation; `fields` names each bad field."""

    code = "validation_failed"
    status = 422


class NotFound(DomainError):
    """Missing, or belonging to someone the actor may not see."""

    code = "not_found"
    status = 404


class Forbidden(DomainError):
    """The actor is known but lacks the role for this operation."""

    code = "forbidden"
    status = 403


class Conflict(DomainError):
    """The operation conflicts with the current state (duplicates, races)."""

    code = "conflict"
    status = 409


class Unauthorized(DomainError):
    """Credentials are missing or wrong."""

    code = "unauthorized"
    status = 401


class RateLimited(DomainError):
    """Too many attempts; try again later."""

    code = "rate_limited"
    status = 429
