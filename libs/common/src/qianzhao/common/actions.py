"""One table per aggregate of what may be done to a record: the mutations check it and `allowedActions` reads it.

A rule names the states an action starts from, who may take it, and what must come first when the state is
wrong, so a refused transition says what to do ("negotiation must start before signing") and a console shows
exactly the buttons that would succeed. Checks that need more than the record (input values, other rows) stay in
the use case; the table holds the ones a console can know from the record and the caller alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any, Generic, TypeVar

from .auth import Principal
from .errors import DomainError, ErrorCode

A = TypeVar("A", bound=Enum)
R = TypeVar("R")


@dataclass(frozen=True)
class Rule(Generic[R]):
    """One action: the states it starts from, who may take it, and what else the record must satisfy."""

    states: frozenset[str]
    needs: str  # what must come first, said when the record is in another state
    actor: Callable[[Principal, R], bool]
    denied: str | Callable[[R], str]  # why the caller may not (FORBIDDEN), or how to say it for this record
    guard: Callable[[R], str | None] | None = None  # another precondition: the message when it fails

    @classmethod
    def of(cls, states: Iterable[Any], needs: str, actor: Callable[[Principal, R], bool],
           denied: str | Callable[[R], str],
           guard: Callable[[R], str | None] | None = None) -> Rule[R]:
        return cls(frozenset(getattr(s, "value", s) for s in states), needs, actor, denied, guard)


class ActionTable(Generic[A, R]):
    """The rules of one aggregate's actions, keyed by its `<Type>Action` enum."""

    def __init__(self, rules: dict[A, Rule[R]], *, state: Callable[[R], str], name: Callable[[R], str]):
        self.rules, self._state, self._name = rules, state, name

    def actor_error(self, principal: Principal, record: R, action: A) -> DomainError | None:
        rule = self.rules[action]
        if rule.actor(principal, record):
            return None
        return DomainError(ErrorCode.FORBIDDEN, rule.denied if isinstance(rule.denied, str) else rule.denied(record),
                           "id")

    def state_error(self, record: R, action: A) -> DomainError | None:
        rule, state = self.rules[action], self._state(record)
        if state not in rule.states:
            return DomainError(ErrorCode.INVALID_TRANSITION, f"{self._name(record)} is {state}: {rule.needs}", "id")
        problem = rule.guard(record) if rule.guard else None
        return DomainError(ErrorCode.INVALID_TRANSITION, problem, "id") if problem else None

    def ensure_actor(self, principal: Principal, record: R, action: A) -> None:
        if (error := self.actor_error(principal, record, action)) is not None:
            raise error

    def ensure_state(self, record: R, action: A) -> None:
        if (error := self.state_error(record, action)) is not None:
            raise error

    def ensure(self, principal: Principal, record: R, action: A) -> None:
        """Who may act comes before the state the record is in."""
        self.ensure_actor(principal, record, action)
        self.ensure_state(record, action)

    def allowed(self, principal: Principal, record: R) -> list[A]:
        """The actions `principal` may take on `record` now, in the enum's order."""
        return [a for a in self.rules
                if self.actor_error(principal, record, a) is None and self.state_error(record, a) is None]
