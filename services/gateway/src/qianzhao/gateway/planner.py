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

from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    get_named_type,
    is_abstract_type,
)

from .finish import finish, merge_leaves
from .plan import Group, PlanningError, QueryPlan, Target
from .selections import (
    INTROSPECTION,
    TYPENAME,
    aside,
    included,
    inline,
    list_depth,
    provided_child,
    provided_for,
    typename_field,
)
from .supergraph import Key, Supergraph


class Planner:
    def __init__(self, supergraph: Supergraph):
        self.sg = supergraph
        self.schema = supergraph.full

    def plan(self, operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode],
             variables: dict[str, Any]) -> QueryPlan:
        return _PlanBuilder(self, operation, fragments, variables).build()


@dataclass(slots=True)
class Visit:
    """Where planning stands: the group being filled, the type whose selections are planned, their response
    path (`@` for list items), the `@provides` selections in force there (None: nothing is provided) and the
    ids of the groups this branch has added to (an entity lookup below waits for those that fetch its key).

    Passed down unchanged while only the selections change; a new one is made where the type, the path or the
    group does (a field's sub-selection, a type of an abstract selection, an entity lookup)."""

    group: Group
    parent: Any  # GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType
    path: tuple
    provided: Any  # selections from `@provides`, or None
    touched: set[int]

    def below(self, parent, path: tuple, provided) -> Visit:
        """The same group and branch, at `path` on `parent`."""
        return Visit(self.group, parent, path, provided, self.touched)

    def lookup(self, group: Group, touched: set[int], parent=None) -> Visit:
        """The same path planned in `group` (an entity lookup, or the key it needs), nothing provided."""
        return Visit(group, self.parent if parent is None else parent, self.path, None, touched)


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
            fdef = root.fields.get(fnode.name.value)
            if fnode.selection_set and fdef is not None:
                whole = [g for g in candidates if not self._stranded(fdef.type, fnode.selection_set.selections, g)]
                candidates = whole or candidates
            if op_type == "mutation":
                if current is None or current.subgraph not in candidates:
                    stage += 1 if current is not None else 0
                    current = self._new_group(candidates[0], 0, stage, False)
                group = current
            else:
                group = next((g for g in self.groups if not g.entity and g.subgraph in candidates), None)
                if group is None:
                    group = self._new_group(candidates[0], 0, 0, False)
            group.selections.extend(self._plan_field(Visit(group, root, (), None, set()), fnode))
        merge_leaves(self.groups)
        keyword = self.operation.operation.value
        return QueryPlan(op_type, [finish(g, keyword, self.var_defs) for g in self.groups], stage + 1)

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
        if provided is not None and provided_child(provided, field_name, type_name, self.schema) is not None:
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

    def _plan_selections(self, v: Visit, selections) -> list[SelectionNode]:
        """Selections for `v.group` at `v.path`, creating entity lookups for what that group cannot resolve."""
        selections = self._expand(selections, v.parent.name)
        if is_abstract_type(v.parent):
            return self._plan_abstract(v, selections)
        out: list[SelectionNode] = []
        taken = self._response_keys(selections)
        for sel in selections:
            if isinstance(sel, FieldNode):
                out.extend(self._plan_field(v, sel, taken))
            elif isinstance(sel, InlineFragmentNode):
                cond = sel.type_condition.name.value if sel.type_condition else None
                if self._applies(cond, v.parent.name):
                    out.extend(self._plan_selections(v, sel.selection_set.selections))
        return out

    def _plan_interface_object(self, v: Visit, selections) -> list[SelectionNode]:
        """`v.parent` is an @interfaceObject in this subgraph: its own fields here, the rest (concrete type,
        fragments, other fields) from a subgraph that knows the implementations, by the interface's key."""
        group, parent = v.group, v.parent
        graph = group.subgraph
        here = v if v.provided is None else v.below(parent, v.path, None)
        out: list[SelectionNode] = []
        remote: list[SelectionNode] = []
        for s in selections:
            if isinstance(s, FieldNode) and s.name.value != TYPENAME and \
                    self._resolvable(parent.name, s.name.value, graph, None):
                out.extend(self._plan_field(here, s))
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
        rep_fields: list[SelectionNode] = [typename_field(), *key.fields.selections]
        out.extend(rep_fields)
        v.touched.add(group.id)
        child = self._entity_group(owner, group.level + 1, group.stage)
        child.deps.add(group.id)
        target = child.targets.setdefault(v.path, Target(v.path))
        target.requires.setdefault(parent.name, []).extend(rep_fields)
        target.selections.setdefault(parent.name, []).extend(
            self._plan_selections(v.lookup(child, v.touched), remote))
        return out

    def _plan_abstract(self, v: Visit, selections) -> list[SelectionNode]:
        parent, provided = v.parent, v.provided
        graph = v.group.subgraph
        if self.sg.is_interface_object(parent.name, graph):
            return self._plan_interface_object(v, selections)
        possible = self.sg.possible_types(parent.name, graph)
        simple = all(
            (isinstance(s, FieldNode) and (s.name.value == TYPENAME or (
                self._resolvable(parent.name, s.name.value, graph, provided)
                and all(self._resolvable(p, s.name.value, graph, provided) for p in possible)
                and not self._needs_jump(parent, s, graph))))
            or (isinstance(s, InlineFragmentNode) and s.type_condition is not None
                and isinstance(self.schema.get_type(s.type_condition.name.value), GraphQLObjectType))
            for s in selections)
        out: list[SelectionNode] = [typename_field()]
        if simple:
            for s in selections:
                if isinstance(s, FieldNode):
                    out.extend(self._plan_field(v, s))
                else:
                    name = s.type_condition.name.value
                    if name not in possible:
                        continue
                    inner = self._plan_selections(
                        v.below(self.schema.get_type(name), v.path, provided_for(provided, name)),
                        s.selection_set.selections)
                    out.append(inline(name, inner))
            return out
        for name in possible:
            obj = self.schema.get_type(name)
            inner = self._plan_selections(v.below(obj, v.path, provided_for(provided, name)), selections)
            if inner:
                out.append(inline(name, inner))
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

    def _plan_field(self, v: Visit, fnode: FieldNode, taken: dict[str, str] | None = None) -> list[SelectionNode]:
        name = fnode.name.value
        if name == TYPENAME:
            return [FieldNode(alias=fnode.alias, name=fnode.name, arguments=(), directives=())]
        if name in INTROSPECTION:
            return []
        group, parent, path, provided = v.group, v.parent, v.path, v.provided
        graph = group.subgraph
        if group.level == 0 and not group.entity and not path:
            pass  # root fields were routed to this group already
        elif not self._resolvable(parent.name, name, graph, provided):
            return self._jump(v, fnode, taken or {})
        fdef = parent.fields.get(name)
        if fdef is None:
            raise PlanningError(f"Unknown field {parent.name}.{name}")
        needs = self.sg.field_source(parent.name, name, graph)
        if needs is not None and needs.requires is not None and isinstance(parent, GraphQLObjectType) \
                and not self._requirements_at(group, path, parent.name, needs.requires.selections):
            # a field that @requires others is always fetched through `_entities` with them, even from its own
            # subgraph: the entity's representation carries what it requires
            return self._jump(v, fnode, taken or {}, only=[graph])
        if path and fnode.selection_set and isinstance(parent, GraphQLObjectType) and provided is None \
                and self._stranded(fdef.type, fnode.selection_set.selections, graph):
            # a value type whose selected fields this subgraph lacks: take the whole field from one that has them
            better = [g for g in self.sg.field_graphs(parent.name, name) if g != graph
                      and not self._stranded(fdef.type, fnode.selection_set.selections, g)]
            if better:
                return self._jump(v, fnode, taken or {}, only=better)
        v.touched.add(group.id)
        key = (fnode.alias or fnode.name).value
        sub_sel = None
        if fnode.selection_set:
            sub = get_named_type(fdef.type)
            sub_path = path + (key,) + ("@",) * list_depth(fdef.type)
            source = self.sg.field_source(parent.name, name, graph)
            sub_provided = provided_child(provided, name, parent.name, self.schema) if provided is not None else None
            if source is not None and source.provides is not None:
                sub_provided = source.provides.selections
            inner = self._plan_selections(v.below(sub, sub_path, sub_provided), fnode.selection_set.selections)
            if not inner:
                inner = [typename_field()]
            sub_sel = SelectionSetNode(selections=tuple(inner))
        return [FieldNode(alias=fnode.alias, name=fnode.name, arguments=fnode.arguments, directives=(),
                          selection_set=sub_sel)]

    @staticmethod
    def _requirements_at(group, path, type_name: str, required) -> bool:
        """Whether `group` is an entity fetch at `path` whose representations of `type_name` carry `required`."""
        target = group.targets.get(path) if group.entity else None
        if target is None:
            return False
        carried = {f.name.value for f in target.requires.get(type_name, ()) if isinstance(f, FieldNode)}
        return all(f.name.value in carried for f in required if isinstance(f, FieldNode))

    def _stranded(self, type_, selections, graph: str) -> bool:
        """Whether `graph` lacks a field selected on a value (non-entity) object type below this point."""
        named = get_named_type(type_)
        if not isinstance(named, GraphQLObjectType) or self.sg.is_entity(named.name):
            return False
        for sel in self._expand(selections, named.name):
            if isinstance(sel, FieldNode):
                if not self._resolvable(named.name, sel.name.value, graph, None):
                    return True
                fdef = named.fields.get(sel.name.value)
                if sel.selection_set and fdef is not None and \
                        self._stranded(fdef.type, sel.selection_set.selections, graph):
                    return True
            elif isinstance(sel, InlineFragmentNode) and self._stranded(named, sel.selection_set.selections, graph):
                return True
        return False

    def _jump(self, v: Visit, fnode: FieldNode, taken: dict[str, str], only: list[str] | None = None
              ) -> list[SelectionNode]:
        """`fnode` lives in another subgraph: fetch the key here, the field through `_entities` there."""
        group, parent, path = v.group, v.parent, v.path
        if not isinstance(parent, GraphQLObjectType):
            raise PlanningError(f"Cannot plan {parent.name}.{fnode.name.value} from subgraph {group.subgraph}")
        name = fnode.name.value
        candidates = only or [g for g in self.sg.field_graphs(parent.name, name) if g != group.subgraph]
        if not candidates:
            served = self.sg.interface_object_sources(parent.name, name)
            if served:
                return self._jump_interface_object(v, fnode, *served[0])
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
        rep_fields: list[SelectionNode] = [typename_field(), *key.fields.selections]
        if source is not None and source.requires is not None:
            rep_fields.extend(source.requires.selections)
        # a client alias may use a key or required field's name for something else: fetch ours aside
        rep_fields = [aside(f) if isinstance(f, FieldNode) and taken.get(f.name.value, f.name.value) != f.name.value
                      else f for f in rep_fields]
        providers: set[int] = set()
        marker = (parent.name, name, group.subgraph, path)
        if marker in self._jumping:  # fetching the key needs the key: composition should have refused this
            raise PlanningError(f"No key path reaches {parent.name}.{name} from {group.subgraph}")
        self._jumping.add(marker)
        try:
            here = self._plan_selections(v.lookup(group, providers), rep_fields)
        finally:
            self._jumping.discard(marker)
        v.touched.update(providers)
        level = max(self.groups[i].level for i in providers | {group.id}) + 1
        child = self._entity_group(graph, level, group.stage)
        child.deps |= providers | {group.id}
        target = child.targets.get(path)
        if target is None:
            target = child.targets[path] = Target(path)
        reqs = target.requires.setdefault(parent.name, [])
        reqs.extend(rep_fields)
        fetched = self._plan_selections(v.lookup(child, v.touched), [fnode])
        target.selections.setdefault(parent.name, []).extend(fetched)
        return here

    def _jump_interface_object(self, v: Visit, fnode: FieldNode, iface: str, graph: str) -> list[SelectionNode]:
        """A field an @interfaceObject serves for every implementation: ask `graph` about the interface."""
        group, parent, path = v.group, v.parent, v.path
        keys = [k for k in self.sg.keys(iface, graph) if k.resolvable]
        local = [k for k in keys if self._fieldset_local(parent.name, k.fields.selections, group.subgraph)]
        if not local:
            raise PlanningError(f"Cannot reach {iface}.{fnode.name.value} in {graph} from {group.subgraph}")
        rep_fields: list[SelectionNode] = [typename_field(), *local[0].fields.selections]
        providers: set[int] = set()
        here = self._plan_selections(v.lookup(group, providers), rep_fields)
        v.touched.update(providers)
        level = max(self.groups[i].level for i in providers | {group.id}) + 1
        child = self._entity_group(graph, level, group.stage)
        child.deps |= providers | {group.id}
        target = child.targets.setdefault(path, Target(path))
        target.requires.setdefault(parent.name, []).extend(rep_fields)
        target.rename[parent.name] = iface
        iface_type = self.schema.get_type(iface)
        target.selections.setdefault(iface, []).extend(
            self._plan_selections(v.lookup(child, v.touched, iface_type), [fnode]))
        return here

    # --- finishing ----------------------------------------------------------------------------------------
