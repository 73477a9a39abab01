"""Error codes of the GraphQL API and the two ways failures reach clients (userErrors, GraphQL errors)."""

from __future__ import annotations

from enum import Enum

from graphql import GraphQLError


class ErrorCode(str, Enum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


class DomainError(Exception):
    """An expected failure (validation, invalid transition, conflict): reported in the payload's userErrors."""

    def __init__(self, code: ErrorCode | str, message: str, field: str | list[str] | None = None):
        super().__init__(message)
        self.code = code.value if isinstance(code, ErrorCode) else str(code)
        self.message = message
        self.field = [field] if isinstance(field, str) else field


class DomainErrors(DomainError):
    """Several input problems found together: each becomes its own userError."""

    def __init__(self, errors: list[DomainError]):
        super().__init__(errors[0].code, "; ".join(e.message for e in errors), errors[0].field)
        self.errors = errors


class Problems:
    """Collects a use case's input problems so that a form comes back with all of them at once, not one per try."""

    def __init__(self) -> None:
        self.found: list[DomainError] = []

    def check(self, fn, *args, **kwargs):
        """`fn(*args, **kwargs)`, or None after noting the DomainError it raised."""
        try:
            return fn(*args, **kwargs)
        except DomainError as exc:
            self.add(exc)
            return None

    async def check_awaited(self, awaitable):
        """`await awaitable`, or None after noting the DomainError it raised (`check` for a coroutine)."""
        try:
            return await awaitable
        except DomainError as exc:
            self.add(exc)
            return None

    def add(self, error: DomainError) -> None:
        self.found.extend(error.errors if isinstance(error, DomainErrors) else [error])

    def __bool__(self) -> bool:
        return bool(self.found)

    def raise_any(self) -> None:
        if len(self.found) == 1:
            raise self.found[0]
        if self.found:
            raise DomainErrors(self.found)


class ApiError(GraphQLError):
    """A GraphQL error carrying `extensions.code`."""

    def __init__(self, code: ErrorCode, message: str):
        super().__init__(message, extensions={"code": code.value})


def unauthenticated(message: str = "Authentication required: send a valid bearer token") -> ApiError:
    return ApiError(ErrorCode.UNAUTHENTICATED, message)


def forbidden(message: str = "Not permitted for this principal") -> ApiError:
    return ApiError(ErrorCode.FORBIDDEN, message)


def bad_input(message: str) -> ApiError:
    return ApiError(ErrorCode.BAD_USER_INPUT, message)
