"""Query planner: splits one client operation into subgraph fetches.

A plan is a set of fetch groups. Root groups fetch root fields from the subgraph that owns them (one group per
subgraph); a field the current subgraph cannot resolve becomes an `_entities` lookup in a subgraph that can,
keyed by the entity's `@key` (plus `@requires` fields) fetched by the current group. Entity groups are merged per
(subgraph, plan step): every entity lookup to the same subgraph that can run at the same step travels in one
request, each merge path as its own aliased `_entities` field with de-duplicated representations.
`@skip`/`@include` are decided at plan time (the plan cache key holds the condition values), so a plan's fetches
are exactly the subgraph requests made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    InlineFragmentNode,
    NamedTypeNode,
    NameNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    get_named_type,
    is_abstract_type,
    is_composite_type,
    is_list_type,
    is_non_null_type,
    print_ast,
)
from graphql.language import ast as gast

from .supergraph import Key, Supergraph

TYPENAME = "__typename"
INTROSPECTION = {"__schema", "__type"}


class PlanningError(Exception):
    pass


def _typename_field() -> FieldNode:
    return FieldNode(name=NameNode(value=TYPENAME), arguments=(), directives=())


def _if_value(directive, variables: dict[str, Any]) -> bool:
    for arg in directive.arguments or ():
        if arg.name.value == "if":
            v = arg.value
            if isinstance(v, gast.VariableNode):
                return bool(variables.get(v.name.value))
            return bool(getattr(v, "value", False))
    return False


def included(node, variables: dict[str, Any]) -> bool:
    for d in node.directives or ():
        if d.name.value == "skip" and _if_value(d, variables):
            return False
        if d.name.value == "include" and not _if_value(d, variables):
            return False
    return True


def condition_variables(operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]) -> list[str]:
    """Names of the variables that @skip/@include depend on (part of the plan cache key)."""
    found: list[str] = []

    def walk(sel_set, seen):
        for sel in sel_set.selections if sel_set else ():
            for d in sel.directives or ():
                if d.name.value in ("skip", "include"):
                    for a in d.arguments or ():
                        if isinstance(a.value, gast.VariableNode) and a.value.name.value not in found:
                            found.append(a.value.name.value)
            if isinstance(sel, FragmentSpreadNode):
                if sel.name.value not in seen and sel.name.value in fragments:
                    walk(fragments[sel.name.value].selection_set, seen | {sel.name.value})
            else:
                walk(sel.selection_set, seen)

    walk(operation.selection_set, frozenset())
    return found


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


class Planner:
    def __init__(self, supergraph: Supergraph):
        self.sg = supergraph
        self.schema = supergraph.full

    def plan(self, operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode],
             variables: dict[str, Any]) -> QueryPlan:
        return _PlanBuilder(self, operation, fragments, variables).build()


class _PlanBuilder:
    def __init__(self, planner: Planner, operation, fragments, variables):
        self.sg = planner.sg
        self.schema = planner.schema
        self.operation = operation
        self.fragments = fragments
        self.variables = variables
        self.groups: list[Group] = []
        self.var_defs = {v.variable.name.value: v for v in operation.variable_definitions or ()}
        self._jumping: set[tuple] = set()

    # --- groups -------------------------------------------------------------------------------------------
    def _new_group(self, subgraph: str, level: int, stage: int, entity: bool) -> Group:
        g = Group(len(self.groups), subgraph, level, stage, entity)
        self.groups.append(g)
        return g

    def _entity_group(self, subgraph: str, level: int, stage: int) -> Group:
        for g in self.groups:
            if g.entity and g.subgraph == subgraph and g.level == level and g.stage == stage:
                return g
        return self._new_group(subgraph, level, stage, True)

    # --- entry --------------------------------------------------------------------------------------------
    def build(self) -> QueryPlan:
        op_type = self.operation.operation.value
        root = self.schema.get_root_type(self.operation.operation)
        if root is None:
            raise PlanningError(f"The supergraph has no {op_type} type")
        fields = self._collect_root_fields(root)
        stage = 0
        current: Group | None = None
        for fnode in fields:
            candidates = self.sg.field_graphs(root.name, fnode.name.value)
            if not candidates:
                raise PlanningError(f"No subgraph resolves {root.name}.{fnode.name.value}")
            if op_type == "mutation":
                if current is None or current.subgraph not in candidates:
                    stage += 1 if current is not None else 0
                    current = self._new_group(candidates[0], 0, stage, False)
                group = current
            else:
                group = next((g for g in self.groups if not g.entity and g.subgraph in candidates), None)
                if group is None:
                    group = self._new_group(candidates[0], 0, 0, False)
            group.selections.extend(self._plan_field(group, root, fnode, (), None, set()))
        self._merge_leaves()
        return QueryPlan(op_type, [self._finish(g) for g in self.groups], stage + 1)

    def _merge_leaves(self) -> None:
        """Fold an entity fetch nothing waits for into a later fetch to the same subgraph (one request less,
        and no fetch is delayed that another one needs)."""
        changed = True
        while changed:
            changed = False
            depended = {d for g in self.groups for d in g.deps}
            for g in self.groups:
                if not g.entity or g.id in depended:
                    continue
                later = [o for o in self.groups if o.entity and o is not g and o.subgraph == g.subgraph
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
                self.groups.remove(g)
                changed = True
                break

    def _collect_root_fields(self, root) -> list[FieldNode]:
        out: list[FieldNode] = []

        def walk(sel_set):
            for sel in sel_set.selections:
                if not included(sel, self.variables):
                    continue
                if isinstance(sel, FieldNode):
                    if sel.name.value != TYPENAME and sel.name.value not in INTROSPECTION:
                        out.append(sel)
                elif isinstance(sel, InlineFragmentNode):
                    walk(sel.selection_set)
                elif isinstance(sel, FragmentSpreadNode):
                    walk(self.fragments[sel.name.value].selection_set)

        walk(self.operation.selection_set)
        return out

    # --- resolvability ------------------------------------------------------------------------------------
    def _resolvable(self, type_name: str, field_name: str, graph: str, provided) -> bool:
        if field_name == TYPENAME:
            return True
        if provided is not None and _provided_child(provided, field_name, type_name, self.schema) is not None:
            return True
        if graph in self.sg.field_graphs(type_name, field_name):
            return True
        return field_name in self.sg.key_field_names(type_name, graph)

    def _fieldset_local(self, type_name: str, selections, graph: str) -> bool:
        t = self.schema.get_type(type_name)
        for s in selections:
            if isinstance(s, FieldNode):
                if not self._resolvable(type_name, s.name.value, graph, None):
                    return False
                if s.selection_set:
                    sub = get_named_type(t.fields[s.name.value].type)
                    if not self._fieldset_local(sub.name, s.selection_set.selections, graph):
                        return False
            elif isinstance(s, InlineFragmentNode):
                name = s.type_condition.name.value if s.type_condition else type_name
                if not self._fieldset_local(name, s.selection_set.selections, graph):
                    return False
        return True

    # --- selections ---------------------------------------------------------------------------------------
    def _expand(self, selections, parent_name: str) -> list[SelectionNode]:
        """Included selections with named fragments turned into inline fragments."""
        out: list[SelectionNode] = []
        for sel in selections:
            if not included(sel, self.variables):
                continue
            if isinstance(sel, FragmentSpreadNode):
                frag = self.fragments[sel.name.value]
                out.append(InlineFragmentNode(type_condition=frag.type_condition, directives=(),
                                              selection_set=frag.selection_set))
            else:
                out.append(sel)
        return out

    def _applies(self, condition: str | None, type_name: str) -> bool:
        if condition is None or condition == type_name:
            return True
        cond = self.schema.get_type(condition)
        t = self.schema.get_type(type_name)
        if cond is None or t is None:
            return False
        if is_abstract_type(cond):
            if isinstance(t, GraphQLObjectType):
                return self.schema.is_sub_type(cond, t)
            return all(self.schema.is_sub_type(cond, o) for o in self.schema.get_possible_types(t))
        return False

    def _plan_selections(self, group: Group, parent, selections, path: tuple, provided, touched: set
                         ) -> list[SelectionNode]:
        """Selections for `group` at `path`, creating entity lookups for what `group` cannot resolve."""
        selections = self._expand(selections, parent.name)
        if is_abstract_type(parent):
            return self._plan_abstract(group, parent, selections, path, provided, touched)
        out: list[SelectionNode] = []
        taken = self._response_keys(selections)
        for sel in selections:
            if isinstance(sel, FieldNode):
                out.extend(self._plan_field(group, parent, sel, path, provided, touched, taken))
            elif isinstance(sel, InlineFragmentNode):
                cond = sel.type_condition.name.value if sel.type_condition else None
                if self._applies(cond, parent.name):
                    out.extend(self._plan_selections(group, parent, sel.selection_set.selections, path,
                                                     provided, touched))
        return out

    def _plan_interface_object(self, group, parent, selections, path, touched) -> list[SelectionNode]:
        """`parent` is an @interfaceObject in this subgraph: its own fields here, the rest (concrete type,
        fragments, other fields) from a subgraph that knows the implementations, by the interface's key."""
        graph = group.subgraph
        out: list[SelectionNode] = []
        remote: list[SelectionNode] = []
        for s in selections:
            if isinstance(s, FieldNode) and s.name.value != TYPENAME and \
                    self._resolvable(parent.name, s.name.value, graph, None):
                out.extend(self._plan_field(group, parent, s, path, None, touched))
            else:
                remote.append(s)
        if not remote:
            return out
        owners = [g for g in self.sg.types[parent.name].graphs
                  if g != graph and not self.sg.is_interface_object(parent.name, g)
                  and any(k.resolvable for k in self.sg.keys(parent.name, g))]
        if not owners:
            raise PlanningError(f"No subgraph knows the implementations of {parent.name}")
        owner = owners[0]
        key = next(k for k in self.sg.keys(parent.name, owner) if k.resolvable)
        rep_fields: list[SelectionNode] = [_typename_field(), *key.fields.selections]
        out.extend(rep_fields)
        touched.add(group.id)
        child = self._entity_group(owner, group.level + 1, group.stage)
        child.deps.add(group.id)
        target = child.targets.setdefault(path, Target(path))
        target.requires.setdefault(parent.name, []).extend(rep_fields)
        target.selections.setdefault(parent.name, []).extend(
            self._plan_selections(child, parent, remote, path, None, touched))
        return out

    def _plan_abstract(self, group, parent, selections, path, provided, touched) -> list[SelectionNode]:
        graph = group.subgraph
        if self.sg.is_interface_object(parent.name, graph):
            return self._plan_interface_object(group, parent, selections, path, touched)
        possible = self.sg.possible_types(parent.name, graph)
        simple = all(
            (isinstance(s, FieldNode) and (s.name.value == TYPENAME or (
                self._resolvable(parent.name, s.name.value, graph, provided)
                and all(self._resolvable(p, s.name.value, graph, provided) for p in possible)
                and not self._needs_jump(parent, s, graph))))
            or (isinstance(s, InlineFragmentNode) and s.type_condition is not None
                and isinstance(self.schema.get_type(s.type_condition.name.value), GraphQLObjectType))
            for s in selections)
        out: list[SelectionNode] = [_typename_field()]
        if simple:
            for s in selections:
                if isinstance(s, FieldNode):
                    out.extend(self._plan_field(group, parent, s, path, provided, touched))
                else:
                    name = s.type_condition.name.value
                    if name not in possible:
                        continue
                    inner = self._plan_selections(group, self.schema.get_type(name), s.selection_set.selections,
                                                  path, _provided_for(provided, name), touched)
                    out.append(_inline(name, inner))
            return out
        for name in possible:
            obj = self.schema.get_type(name)
            inner = self._plan_selections(group, obj, selections, path, _provided_for(provided, name), touched)
            if inner:
                out.append(_inline(name, inner))
        return out

    def _needs_jump(self, parent, fnode: FieldNode, graph: str) -> bool:
        """Whether a field's sub-selection leaves `graph` (then abstract selections are split per type)."""
        if not fnode.selection_set:
            return False
        fdef = parent.fields.get(fnode.name.value)
        if fdef is None:
            return False
        sub = get_named_type(fdef.type)
        if is_abstract_type(sub):
            return False
        for s in self._expand(fnode.selection_set.selections, sub.name):
            if isinstance(s, FieldNode) and not self._resolvable(sub.name, s.name.value, graph, None):
                return True
        return False

    def _response_keys(self, selections) -> dict[str, str]:
        """Response key → field name of the client's selections at one level (fragments included)."""
        keys: dict[str, str] = {}
        for sel in selections:
            if isinstance(sel, FieldNode):
                keys.setdefault((sel.alias or sel.name).value, sel.name.value)
            elif isinstance(sel, InlineFragmentNode):
                for k, v in self._response_keys(sel.selection_set.selections).items():
                    keys.setdefault(k, v)
            elif isinstance(sel, FragmentSpreadNode) and sel.name.value in self.fragments:
                for k, v in self._response_keys(self.fragments[sel.name.value].selection_set.selections).items():
                    keys.setdefault(k, v)
        return keys

    def _plan_field(self, group: Group, parent, fnode: FieldNode, path: tuple, provided, touched: set,
                    taken: dict[str, str] | None = None) -> list[SelectionNode]:
        name = fnode.name.value
        if name == TYPENAME:
            return [FieldNode(alias=fnode.alias, name=fnode.name, arguments=(), directives=())]
        if name in INTROSPECTION:
            return []
        graph = group.subgraph
        if group.level == 0 and not group.entity and not path:
            pass  # root fields were routed to this group already
        elif not self._resolvable(parent.name, name, graph, provided):
            return self._jump(group, parent, fnode, path, touched, taken or {})
        touched.add(group.id)
        fdef = parent.fields.get(name)
        if fdef is None:
            raise PlanningError(f"Unknown field {parent.name}.{name}")
        key = (fnode.alias or fnode.name).value
        sub_sel = None
        if fnode.selection_set:
            sub = get_named_type(fdef.type)
            sub_path = path + (key,) + ("@",) * _list_depth(fdef.type)
            source = self.sg.field_source(parent.name, name, graph)
            sub_provided = _provided_child(provided, name, parent.name, self.schema) if provided is not None else None
            if source is not None and source.provides is not None:
                sub_provided = source.provides.selections
            inner = self._plan_selections(group, sub, fnode.selection_set.selections, sub_path, sub_provided,
                                          touched)
            if not inner:
                inner = [_typename_field()]
            sub_sel = SelectionSetNode(selections=tuple(inner))
        return [FieldNode(alias=fnode.alias, name=fnode.name, arguments=fnode.arguments, directives=(),
                          selection_set=sub_sel)]

    def _jump(self, group: Group, parent, fnode: FieldNode, path: tuple, touched: set, taken: dict[str, str]
              ) -> list[SelectionNode]:
        """`fnode` lives in another subgraph: fetch the key here, the field through `_entities` there."""
        if not isinstance(parent, GraphQLObjectType):
            raise PlanningError(f"Cannot plan {parent.name}.{fnode.name.value} from subgraph {group.subgraph}")
        name = fnode.name.value
        candidates = [g for g in self.sg.field_graphs(parent.name, name) if g != group.subgraph]
        if not candidates:
            served = self.sg.interface_object_sources(parent.name, name)
            if served:
                return self._jump_interface_object(group, parent, fnode, path, touched, *served[0])
        choice: tuple[str, Key] | None = None
        for graph in candidates:
            keys = [k for k in self.sg.keys(parent.name, graph) if k.resolvable]
            local = [k for k in keys if self._fieldset_local(parent.name, k.fields.selections, group.subgraph)]
            if local:
                choice = (graph, local[0])
                break
            if keys and choice is None:
                choice = (graph, keys[0])
        if choice is None:
            raise PlanningError(f"No subgraph can resolve {parent.name}.{name} by key from {group.subgraph}")
        graph, key = choice
        source = self.sg.field_source(parent.name, name, graph)
        rep_fields: list[SelectionNode] = [_typename_field(), *key.fields.selections]
        if source is not None and source.requires is not None:
            rep_fields.extend(source.requires.selections)
        # a client alias may use a key or required field's name for something else: fetch ours aside
        rep_fields = [_aside(f) if isinstance(f, FieldNode) and taken.get(f.name.value, f.name.value) != f.name.value
                      else f for f in rep_fields]
        providers: set[int] = set()
        marker = (parent.name, name, group.subgraph, path)
        if marker in self._jumping:  # fetching the key needs the key: composition should have refused this
            raise PlanningError(f"No key path reaches {parent.name}.{name} from {group.subgraph}")
        self._jumping.add(marker)
        try:
            here = self._plan_selections(group, parent, rep_fields, path, None, providers)
        finally:
            self._jumping.discard(marker)
        touched |= providers
        level = max(self.groups[i].level for i in providers | {group.id}) + 1
        child = self._entity_group(graph, level, group.stage)
        child.deps |= providers | {group.id}
        target = child.targets.get(path)
        if target is None:
            target = child.targets[path] = Target(path)
        reqs = target.requires.setdefault(parent.name, [])
        reqs.extend(rep_fields)
        fetched = self._plan_selections(child, parent, [fnode], path, None, touched)
        target.selections.setdefault(parent.name, []).extend(fetched)
        return here

    def _jump_interface_object(self, group, parent, fnode, path, touched, iface: str, graph: str):
        """A field an @interfaceObject serves for every implementation: ask `graph` about the interface."""
        keys = [k for k in self.sg.keys(iface, graph) if k.resolvable]
        local = [k for k in keys if self._fieldset_local(parent.name, k.fields.selections, group.subgraph)]
        if not local:
            raise PlanningError(f"Cannot reach {iface}.{fnode.name.value} in {graph} from {group.subgraph}")
        rep_fields: list[SelectionNode] = [_typename_field(), *local[0].fields.selections]
        providers: set[int] = set()
        here = self._plan_selections(group, parent, rep_fields, path, None, providers)
        touched |= providers
        level = max(self.groups[i].level for i in providers | {group.id}) + 1
        child = self._entity_group(graph, level, group.stage)
        child.deps |= providers | {group.id}
        target = child.targets.setdefault(path, Target(path))
        target.requires.setdefault(parent.name, []).extend(rep_fields)
        target.rename[parent.name] = iface
        iface_type = self.schema.get_type(iface)
        target.selections.setdefault(iface, []).extend(
            self._plan_selections(child, iface_type, [fnode], path, None, touched))
        return here

    # --- finishing ----------------------------------------------------------------------------------------
    def _finish(self, g: Group) -> Fetch:
        if not g.entity:
            body = merge_selections(g.selections)
            used = _used_variables(body)
            head = self._var_header(used, [])
            keyword = self.operation.operation.value
            query = f"{keyword}{head}{_print_selections(body)}"
            return Fetch(g.id, g.subgraph, g.stage, tuple(sorted(g.deps)), query, tuple(used), False, [])
        # identical selections at different paths share one `_entities` call
        merged: dict[str, Target] = {}
        for t in g.targets.values():
            sels = {k: merge_selections(v) for k, v in t.selections.items()}
            reqs = {k: merge_selections(v) for k, v in t.requires.items()}
            sig = _print_selections([_inline(k, v) for k, v in sorted(sels.items())]) + "|" + \
                _print_selections([_inline(k, v) for k, v in sorted(reqs.items())]) + repr(sorted(t.rename.items()))
            if sig in merged:
                merged[sig].paths.append(t.path)
            else:
                merged[sig] = Target(t.path, reqs, sels, [t.path], dict(t.rename))
        targets = list(merged.values())
        parts, rep_vars, used_all = [], [], []
        for i, t in enumerate(targets):
            body = [_inline(k, v) for k, v in t.selections.items()]
            used_all.extend(u for u in _used_variables(body) if u not in used_all)
            if len(targets) == 1:
                parts.append(f"_entities(representations:$representations){_print_selections(body)}")
                rep_vars.append("representations")
            else:
                parts.append(f"_{i}:_entities(representations:$r{i}){_print_selections(body)}")
                rep_vars.append(f"r{i}")
        head = self._var_header(used_all, rep_vars)
        query = f"query{head}{{{' '.join(parts)}}}"
        return Fetch(g.id, g.subgraph, g.stage, tuple(sorted(g.deps)), query, tuple(used_all), True, targets)

    def _var_header(self, used: list[str], rep_vars: list[str]) -> str:
        defs = [f"${r}:[_Any!]!" for r in rep_vars]
        for name in used:
            d = self.var_defs.get(name)
            if d is None:
                raise PlanningError(f"Variable ${name} is not defined")
            text = f"${name}:{print_ast(d.type)}"
            if d.default_value is not None:
                text += f"={print_ast(d.default_value)}"
            defs.append(text)
        return f"({','.join(defs)})" if defs else ""


# --- helpers ---------------------------------------------------------------------------------------------
def _list_depth(t) -> int:
    depth = 0
    while True:
        if is_non_null_type(t):
            t = t.of_type
        elif is_list_type(t):
            depth += 1
            t = t.of_type
        else:
            return depth


def _aside(f: FieldNode) -> FieldNode:
    """The same field under a gateway-private alias (representations read it from there)."""
    return FieldNode(alias=NameNode(value=f"__qz_{f.name.value}"), name=f.name, arguments=f.arguments,
                     directives=(), selection_set=f.selection_set)


def _inline(type_name: str, selections) -> InlineFragmentNode:
    return InlineFragmentNode(type_condition=NamedTypeNode(name=NameNode(value=type_name)), directives=(),
                              selection_set=SelectionSetNode(selections=tuple(selections)))


def _provided_child(provided, field_name: str, type_name: str, schema):
    """The sub-selection of a `@provides` field set for `field_name`, or None when it is not provided."""
    for s in provided or ():
        if isinstance(s, FieldNode) and s.name.value == field_name:
            return s.selection_set.selections if s.selection_set else ()
        if isinstance(s, InlineFragmentNode):
            cond = s.type_condition.name.value if s.type_condition else type_name
            if cond == type_name:
                found = _provided_child(s.selection_set.selections, field_name, type_name, schema)
                if found is not None:
                    return found
    return None


def _provided_for(provided, type_name: str):
    if provided is None:
        return None
    out = []
    for s in provided:
        if isinstance(s, InlineFragmentNode):
            if s.type_condition is None or s.type_condition.name.value == type_name:
                out.extend(s.selection_set.selections)
        else:
            out.append(s)
    return out


def _field_sig(f: FieldNode) -> str:
    args = ",".join(f"{a.name.value}:{print_ast(a.value)}" for a in f.arguments or ())
    return f"{(f.alias or f.name).value}:{f.name.value}({args})"


def merge_selections(selections) -> list[SelectionNode]:
    """Merge fields with the same response key and arguments, and fragments on the same type."""
    fields: dict[str, list] = {}
    frags: dict[str, list] = {}
    order: list[tuple[str, str]] = []
    for s in selections:
        if isinstance(s, FieldNode):
            sig = _field_sig(s)
            if sig not in fields:
                fields[sig] = [s, []]
                order.append(("f", sig))
            if s.selection_set:
                fields[sig][1].extend(s.selection_set.selections)
        elif isinstance(s, InlineFragmentNode):
            name = s.type_condition.name.value if s.type_condition else ""
            if name not in frags:
                frags[name] = []
                order.append(("i", name))
            frags[name].extend(s.selection_set.selections)
    out: list[SelectionNode] = []
    for kind, key in order:
        if kind == "f":
            node, subs = fields[key]
            if node.selection_set:
                node = FieldNode(alias=node.alias, name=node.name, arguments=node.arguments, directives=(),
                                 selection_set=SelectionSetNode(selections=tuple(merge_selections(subs))))
            out.append(node)
        else:
            inner = merge_selections(frags[key])
            if key:
                out.append(_inline(key, inner))
            else:
                out.append(InlineFragmentNode(type_condition=None, directives=(),
                                              selection_set=SelectionSetNode(selections=tuple(inner))))
    return out


def _used_variables(selections) -> list[str]:
    found: list[str] = []

    def value(v):
        if isinstance(v, gast.VariableNode):
            if v.name.value not in found:
                found.append(v.name.value)
        elif isinstance(v, gast.ListValueNode):
            for x in v.values:
                value(x)
        elif isinstance(v, gast.ObjectValueNode):
            for f in v.fields:
                value(f.value)

    def walk(sels):
        for s in sels:
            if isinstance(s, FieldNode):
                for a in s.arguments or ():
                    value(a.value)
            if s.selection_set:
                walk(s.selection_set.selections)

    walk(selections)
    return found


def _print_selections(selections) -> str:
    """Compact printing of a selection set: `{a b:c(x:$y) ... on T{d}}`."""
    parts = []
    for s in selections:
        if isinstance(s, FieldNode):
            text = f"{s.alias.value}:{s.name.value}" if s.alias else s.name.value
            if s.arguments:
                text += "(" + ",".join(f"{a.name.value}:{print_ast(a.value)}" for a in s.arguments) + ")"
            if s.selection_set:
                text += _print_selections(s.selection_set.selections)
        else:
            cond = f"... on {s.type_condition.name.value}" if s.type_condition else "..."
            text = cond + _print_selections(s.selection_set.selections)
        parts.append(text)
    return "{" + " ".join(parts) + "}"


__all__ = ["Planner", "QueryPlan", "Fetch", "Target", "PlanningError", "included", "condition_variables",
           "is_composite_type"]
