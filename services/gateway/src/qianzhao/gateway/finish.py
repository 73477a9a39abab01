"""Turning planned groups into fetches: leaf lookups folded into later ones, operations printed."""

from __future__ import annotations

from graphql import print_ast

from .plan import Fetch, Group, PlanningError, Target
from .selections import inline, merge_selections, print_selections, used_variables


def merge_leaves(groups: list[Group]) -> None:
    """Fold an entity fetch nothing waits for into a later fetch to the same subgraph (one request less,
    and no fetch is delayed that another one needs)."""
    changed = True
    while changed:
        changed = False
        depended = {d for g in groups for d in g.deps}
        for g in groups:
            if not g.entity or g.id in depended:
                continue
            later = [o for o in groups if o.entity and o is not g and o.subgraph == g.subgraph
                     and o.stage == g.stage and o.level > g.level]
            if not later:
                continue
            into = max(later, key=lambda o: o.level)
            for path, t in g.targets.items():
                mine = into.targets.setdefault(path, Target(path))
                for k, v in t.requires.items():
                    mine.requires.setdefault(k, []).extend(v)
                for k, v in t.selections.items():
                    mine.selections.setdefault(k, []).extend(v)
                mine.rename.update(t.rename)
            into.deps |= g.deps
            groups.remove(g)
            changed = True
            break



def finish(g: Group, keyword: str, var_defs: dict) -> Fetch:
    """The subgraph operation of one group."""
    if not g.entity:
        body = merge_selections(g.selections)
        used = used_variables(body)
        head = _var_header(var_defs, used, [])
        query = f"{keyword}{head}{print_selections(body)}"
        return Fetch(g.id, g.subgraph, g.stage, tuple(sorted(g.deps)), query, tuple(used), False, [])
    # identical selections at different paths share one `_entities` call
    merged: dict[str, Target] = {}
    for t in g.targets.values():
        sels = {k: merge_selections(v) for k, v in t.selections.items()}
        reqs = {k: merge_selections(v) for k, v in t.requires.items()}
        sig = print_selections([inline(k, v) for k, v in sorted(sels.items())]) + "|" + \
            print_selections([inline(k, v) for k, v in sorted(reqs.items())]) + repr(sorted(t.rename.items()))
        if sig in merged:
            merged[sig].paths.append(t.path)
        else:
            merged[sig] = Target(t.path, reqs, sels, [t.path], dict(t.rename))
    targets = list(merged.values())
    parts, rep_vars, used_all = [], [], []
    for i, t in enumerate(targets):
        body = [inline(k, v) for k, v in t.selections.items()]
        used_all.extend(u for u in used_variables(body) if u not in used_all)
        if len(targets) == 1:
            parts.append(f"_entities(representations:$representations){print_selections(body)}")
            rep_vars.append("representations")
        else:
            parts.append(f"_{i}:_entities(representations:$r{i}){print_selections(body)}")
            rep_vars.append(f"r{i}")
    head = _var_header(var_defs, used_all, rep_vars)
    query = f"query{head}{{{' '.join(parts)}}}"
    return Fetch(g.id, g.subgraph, g.stage, tuple(sorted(g.deps)), query, tuple(used_all), True, targets)

def _var_header(var_defs: dict, used: list[str], rep_vars: list[str]) -> str:
    defs = [f"${r}:[_Any!]!" for r in rep_vars]
    for name in used:
        d = var_defs.get(name)
        if d is None:
            raise PlanningError(f"Variable ${name} is not defined")
        text = f"${name}:{print_ast(d.type)}"
        if d.default_value is not None:
            text += f"={print_ast(d.default_value)}"
        defs.append(text)
    return f"({','.join(defs)})" if defs else ""
