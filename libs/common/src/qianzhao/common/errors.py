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
