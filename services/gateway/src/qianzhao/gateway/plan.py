"""What a query plan is made of: fetch groups while planning, fetches once planned."""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import SelectionNode


class PlanningError(Exception):
    pass


@dataclass
class Target:
    """One `_entities` call: the entities found at `path`, the representation to send and what to fetch."""

    path: tuple
    requires: dict[str, list[SelectionNode]] = field(default_factory=dict)  # typename → representation fields
    selections: dict[str, list[SelectionNode]] = field(default_factory=dict)  # typename → fields to fetch
    paths: list[tuple] = field(default_factory=list)
    rename: dict[str, str] = field(default_factory=dict)  # typename → __typename sent (@interfaceObject)


@dataclass(eq=False)
class Group:
    id: int
    subgraph: str
    level: int
    stage: int
    entity: bool
    deps: set[int] = field(default_factory=set)
    selections: list[SelectionNode] = field(default_factory=list)  # root groups
    targets: dict[tuple, Target] = field(default_factory=dict)  # entity groups, by merge path


@dataclass
class Fetch:
    """One subgraph request of a plan."""

    id: int
    subgraph: str
    stage: int
    deps: tuple[int, ...]
    query: str
    variable_names: tuple[str, ...]
    entity: bool
    targets: list[Target]  # entity fetches: aliases `_0`, `_1` … in this order (or `_entities` when one)


@dataclass
class QueryPlan:
    operation_type: str
    fetches: list[Fetch]
    stages: int

    def describe(self) -> list[dict]:
        return [{"id": f.id, "subgraph": f.subgraph, "deps": list(f.deps), "query": f.query} for f in self.fetches]


