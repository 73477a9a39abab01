"""What a query plan is made of: fetch groups while planning, fetches once planned."""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import SelectionNode

from .selections import print_selections


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

    def render(self) -> str:
        """The plan as text, one block per fetch: its id, subgraph, step of a mutation and the fetches it waits
        for; for an entity fetch, the representations sent and the response paths they come from; then the
        operation sent.

            [0] products
                query{topProducts{name __typename upc}}
            [1] inventory after [0]
                Product{__typename upc} at topProducts.@
                query($representations:[_Any!]!){_entities(representations:$representations){... on Product{inStock}}}
        """
        lines = []
        for f in self.fetches:
            head = f"[{f.id}] {f.subgraph}"
            if self.stages > 1:
                head += f" step {f.stage}"
            if f.deps:
                head += " after " + ", ".join(f"[{d}]" for d in f.deps)
            lines.append(head)
            for t in f.targets:
                reps = " ".join((f"{k} as {t.rename[k]}" if k in t.rename else k) + print_selections(v)
                                for k, v in t.requires.items())
                lines.append(f"    {reps} at {', '.join('.'.join(p) for p in t.paths)}")
            lines.append(f"    {f.query}")
        return "\n".join(lines)


