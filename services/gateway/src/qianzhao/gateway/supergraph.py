"""Reads any Federation v2 supergraph: subgraphs from `join__Graph`, ownership from `join__*`, and the API schema.

The API schema is what clients see: the supergraph without the federation machinery (link/join types and
directives) and without anything marked `@inaccessible`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from graphql import (
    DirectiveNode,
    DocumentNode,
    GraphQLSchema,
    SelectionSetNode,
    build_ast_schema,
    is_abstract_type,
    is_interface_type,
    is_object_type,
    parse,
    value_from_ast_untyped,
)
from graphql.language import ast as gast

BUILTIN_DIRECTIVES = {"deprecated", "specifiedBy", "skip", "include", "oneOf"}


@dataclass(frozen=True)
class Subgraph:
    enum_value: str
    name: str
    url: str


@dataclass(frozen=True)
class Key:
    fields: SelectionSetNode
    text: str
    resolvable: bool


@dataclass
class FieldSource:
    """How one subgraph declares a field (from `@join__field`)."""

    graph: str
    requires: SelectionSetNode | None = None
    provides: SelectionSetNode | None = None
    external: bool = False
    override: str | None = None
    used_overridden: bool = False
    override_label: str | None = None  # progressive @override: who serves depends on whether the label is on


@dataclass
class TypeMeta:
    name: str
    graphs: list[str] = field(default_factory=list)  # subgraph names defining the type
    keys: dict[str, list[Key]] = field(default_factory=dict)
    interface_object: set[str] = field(default_factory=set)
    implements: dict[str, set[str]] = field(default_factory=dict)  # graph → interfaces
    members: dict[str, set[str]] = field(default_factory=dict)  # graph → union members
    fields: dict[str, list[FieldSource] | None] = field(default_factory=dict)  # None: every graph of the type


def parse_field_set(text: str) -> SelectionSetNode:
    doc = parse("{" + text + "}", no_location=True)
    return doc.definitions[0].selection_set  # type: ignore[attr-defined]


def _args(node: DirectiveNode) -> dict:
    return {a.name.value: value_from_ast_untyped(a.value) for a in node.arguments or ()}


def _feature_name(url: str) -> str:
    parts = [p for p in url.rstrip("/").split("/") if p]
    return parts[-2] if len(parts) >= 2 and parts[-1].startswith("v") else parts[-1]


class Supergraph:
    """Federation metadata plus the API schema of one supergraph SDL."""

    def __init__(self, sdl: str, override_labels: frozenset[str] | set[str] = frozenset()):
        self.sdl = sdl
        self.override_labels = frozenset(override_labels)
        self.document: DocumentNode = parse(sdl, no_location=True)
        self._read_links()
        self.subgraphs: dict[str, Subgraph] = {}
        self.types: dict[str, TypeMeta] = {}
        self._read_join()
        self.schema: GraphQLSchema = build_ast_schema(self._api_document(), assume_valid_sdl=True)
        self.full: GraphQLSchema = build_ast_schema(self.document, assume_valid_sdl=True)

    # --- links -------------------------------------------------------------------------------------------
    def _read_links(self) -> None:
        """Feature prefixes (`join__`, `link__` …) and the local name of @inaccessible, honouring `as:`."""
        self.feature_names: set[str] = {"link", "join"}
        self.imported: set[str] = set()
        self.inaccessible = "inaccessible"
        self.join = "join"
        for definition in self.document.definitions:
            if not isinstance(definition, gast.SchemaDefinitionNode | gast.SchemaExtensionNode):
                continue
            for d in definition.directives or ():
                if d.name.value != "link":
                    continue
                args = _args(d)
                name = args.get("as") or _feature_name(args.get("url", ""))
                self.feature_names.add(name)
                if _feature_name(args.get("url", "")) == "inaccessible":
                    self.inaccessible = name
                if _feature_name(args.get("url", "")) == "join":
                    self.join = name
                for imp in args.get("import") or ():
                    local = imp if isinstance(imp, str) else (imp.get("as") or imp.get("name"))
                    self.imported.add(local.lstrip("@"))

    def _is_machinery(self, name: str) -> bool:
        return "__" in name and name.split("__", 1)[0] in self.feature_names

    def _machinery_directive(self, name: str) -> bool:
        return name in self.feature_names or self._is_machinery(name) or name in self.imported

    # --- join --------------------------------------------------------------------------------------------
    def _read_join(self) -> None:
        j = self.join
        for definition in self.document.definitions:
            if isinstance(definition, gast.EnumTypeDefinitionNode) and definition.name.value == f"{j}__Graph":
                for value in definition.values or ():
                    for d in value.directives or ():
                        if d.name.value == f"{j}__graph":
                            a = _args(d)
                            self.subgraphs[value.name.value] = Subgraph(value.name.value, a["name"], a["url"])
        for definition in self.document.definitions:
            if not isinstance(definition, gast.TypeDefinitionNode) or self._is_machinery(definition.name.value):
                continue
            meta = TypeMeta(definition.name.value)
            self.types[meta.name] = meta
            for d in definition.directives or ():
                a = _args(d)
                graph = self.subgraphs[a["graph"]].name if a.get("graph") in self.subgraphs else None
                if d.name.value == f"{j}__type" and graph:
                    if graph not in meta.graphs:
                        meta.graphs.append(graph)
                    if a.get("key"):
                        meta.keys.setdefault(graph, []).append(
                            Key(parse_field_set(a["key"]), a["key"], a.get("resolvable", True) is not False))
                    if a.get("isInterfaceObject"):
                        meta.interface_object.add(graph)
                elif d.name.value == f"{j}__implements" and graph:
                    meta.implements.setdefault(graph, set()).add(a["interface"])
                elif d.name.value == f"{j}__unionMember" and graph:
                    meta.members.setdefault(graph, set()).add(a["member"])
            for fdef in getattr(definition, "fields", None) or ():
                sources = []
                joined = False
                for d in fdef.directives or ():
                    if d.name.value != f"{j}__field":
                        continue
                    joined = True
                    a = _args(d)
                    if a.get("graph") not in self.subgraphs:
                        continue  # `@join__field` without a graph: served through an @interfaceObject
                    sources.append(FieldSource(
                        graph=self.subgraphs[a["graph"]].name,
                        requires=parse_field_set(a["requires"]) if a.get("requires") else None,
                        provides=parse_field_set(a["provides"]) if a.get("provides") else None,
                        external=bool(a.get("external")), override=a.get("override"),
                        used_overridden=bool(a.get("usedOverridden")), override_label=a.get("overrideLabel")))
                meta.fields[fdef.name.value] = sources if joined else None

    # --- questions the planner asks ------------------------------------------------------------------------
    def field_graphs(self, type_name: str, field_name: str) -> list[str]:
        """Subgraphs that can resolve `type.field` themselves (not external, not overridden away)."""
        meta = self.types.get(type_name)
        if meta is None:
            return []
        sources = meta.fields.get(field_name, None)
        if sources is None:
            graphs = list(meta.graphs)
        else:
            graphs = [s.graph for s in sources if not s.external and not s.used_overridden and self._label_ok(s)]
        return graphs

    def _label_ok(self, source: FieldSource) -> bool:
        """Progressive override: the overriding subgraph serves when the label is on, the original one when it
        is off (labels are off unless configured, as in @apollo/gateway without override conditions)."""
        if source.override_label is None:
            return True
        on = source.override_label in self.override_labels
        return on if source.override is not None else not on

    def field_source(self, type_name: str, field_name: str, graph: str) -> FieldSource | None:
        meta = self.types.get(type_name)
        sources = meta.fields.get(field_name) if meta else None
        for s in sources or ():
            if s.graph == graph:
                return s
        return None

    def interface_object_sources(self, type_name: str, field_name: str) -> list[tuple[str, str]]:
        """(interface, graph) pairs where an @interfaceObject serves `type.field` for the implementations."""
        t = self.full.get_type(type_name)
        out = []
        for iface in getattr(t, "interfaces", None) or ():
            meta = self.types.get(iface.name)
            for graph in sorted(meta.interface_object) if meta else ():
                if graph in self.field_graphs(iface.name, field_name):
                    out.append((iface.name, graph))
        return out

    def is_interface_object(self, type_name: str, graph: str) -> bool:
        meta = self.types.get(type_name)
        return bool(meta and graph in meta.interface_object)

    def keys(self, type_name: str, graph: str) -> list[Key]:
        meta = self.types.get(type_name)
        return meta.keys.get(graph, []) if meta else []

    def key_field_names(self, type_name: str, graph: str) -> set[str]:
        return {s.name.value for k in self.keys(type_name, graph) for s in k.fields.selections
                if isinstance(s, gast.FieldNode)}

    def has_type(self, type_name: str, graph: str) -> bool:
        meta = self.types.get(type_name)
        return bool(meta and graph in meta.graphs)

    def possible_types(self, abstract: str, graph: str) -> list[str]:
        """Object types a value of `abstract` can have when `graph` returns it."""
        out = self._possible_in.get((abstract, graph))
        if out is None:
            t = self.full.get_type(abstract)
            if t is None:
                return []
            if not is_abstract_type(t):
                return [abstract]
            candidates = [o.name for o in self.full.get_possible_types(t)]
            meta = self.types.get(abstract)
            if is_interface_type(t):
                out = [c for c in candidates if self.has_type(c, graph)
                       and (not any(self.types[c].implements.values()) or abstract in self.types[c].implements.get(graph, ()))]
            elif meta and meta.members:
                out = [c for c in candidates if c in meta.members.get(graph, ())]
            else:
                out = [c for c in candidates if self.has_type(c, graph)]
            self._possible_in[(abstract, graph)] = out
        return out

    @cached_property
    def _possible_in(self) -> dict:
        return {}

    def is_entity(self, type_name: str) -> bool:
        meta = self.types.get(type_name)
        return bool(meta and meta.keys)

    def url_of(self, graph: str) -> str:
        for s in self.subgraphs.values():
            if s.name == graph:
                return s.url
        raise KeyError(graph)

    # --- API schema --------------------------------------------------------------------------------------
    def _hidden(self, node) -> bool:
        return any(d.name.value == self.inaccessible for d in getattr(node, "directives", None) or ())

    def _strip(self, directives):
        return tuple(d for d in directives or () if not self._machinery_directive(d.name.value))

    def _api_document(self) -> DocumentNode:
        hidden_types = {d.name.value for d in self.document.definitions
                        if isinstance(d, gast.TypeDefinitionNode) and (self._hidden(d) or self._is_machinery(d.name.value))}
        out = []
        for d in self.document.definitions:
            if isinstance(d, gast.DirectiveDefinitionNode):
                if not self._machinery_directive(d.name.value) and d.name.value not in BUILTIN_DIRECTIVES:
                    out.append(d)
                continue
            if isinstance(d, gast.SchemaDefinitionNode):
                out.append(gast.SchemaDefinitionNode(directives=(), operation_types=d.operation_types,
                                                     description=d.description))
                continue
            if not isinstance(d, gast.TypeDefinitionNode) or d.name.value in hidden_types:
                continue
            out.append(self._api_type(d, hidden_types))
        return gast.DocumentNode(definitions=tuple(out))

    def _api_type(self, d, hidden_types):
        kw = {k: getattr(d, k) for k in d.keys if k != "loc"}
        kw["directives"] = self._strip(d.directives)
        if getattr(d, "fields", None) is not None:
            kw["fields"] = tuple(self._api_field(f) for f in d.fields if not self._hidden(f))
        if getattr(d, "values", None) is not None:
            kw["values"] = tuple(v.__class__(**{k: getattr(v, k) for k in v.keys if k != "loc"}
                                             | {"directives": self._strip(v.directives)})
                                 for v in d.values if not self._hidden(v))
        if getattr(d, "interfaces", None) is not None:
            kw["interfaces"] = tuple(i for i in d.interfaces if i.name.value not in hidden_types)
        if getattr(d, "types", None) is not None:
            kw["types"] = tuple(t for t in d.types if t.name.value not in hidden_types)
        return d.__class__(**kw)

    def _api_field(self, f):
        kw = {k: getattr(f, k) for k in f.keys if k != "loc"}
        kw["directives"] = self._strip(f.directives)
        if getattr(f, "arguments", None) is not None:
            kw["arguments"] = tuple(a.__class__(**{k: getattr(a, k) for k in a.keys if k != "loc"}
                                                | {"directives": self._strip(a.directives)})
                                    for a in f.arguments if not self._hidden(a))
        return f.__class__(**kw)

    def object_type(self, name: str):
        t = self.schema.get_type(name)
        return t if is_object_type(t) else None
