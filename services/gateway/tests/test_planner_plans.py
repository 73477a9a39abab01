"""How the gateway plans an operation: query in, subgraph fetches out (no subgraph, no node, no server).

The supergraph at the bottom of this file is what @apollo/composition makes of four small subgraphs (types
reordered for reading):

- accounts:  `Query.me`, `Query.user`, `Mutation.rename`; `User @key(fields: "id")` with `name`, `username`
- products:  `Query.topProducts`, `Query.product`, `Query.search` (`union SearchResult = Product | Book`),
             `Mutation.setPrice`; `Product @key(fields: "upc")` with `name price weight`, `Book @key(fields: "isbn")`
- inventory: `Product.inStock`, and `Product.shippingEstimate @requires(fields: "price weight")`
- reviews:   `Query.latestReviews`, `Mutation.addReview`; `Review` with `author @provides(fields: "username")`;
             `reviews` on `User`, `Product` and `Book`

A plan is printed by `QueryPlan.render()`, one block per subgraph request:

    [id] subgraph [step n] [after [id], ...]
        Type{representation} at path, ...      (entity fetches only: what is sent and where it was found)
        the operation sent to the subgraph

Fetches with no `after` start at once, the others as soon as the fetches they wait for are done; `@` in a path
stands for every item of a list; `step` numbers the sequential steps of a mutation. Ids are those of the groups
the planner made, so a fetch folded into another leaves a gap.
"""

from __future__ import annotations

import textwrap
from functools import cache

from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse, validate
from qianzhao.gateway.planner import Planner
from qianzhao.gateway.supergraph import Supergraph


def plan(query: str, **variables) -> str:
    supergraph, planner = _planner()
    document = parse(query)
    assert not validate(supergraph.schema, document)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    return planner.plan(operation, fragments, variables).render()


def expected(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


# --- root fields ---------------------------------------------------------------------------------------------
def test_fields_of_one_subgraph_are_one_fetch():
    assert plan("{ me { name username } }") == expected("""
        [0] accounts
            query{me{name username}}
    """)


def test_root_fields_of_two_subgraphs_are_fetched_in_parallel():
    assert plan("{ me { name } topProducts { name } }") == expected("""
        [0] accounts
            query{me{name}}
        [1] products
            query{topProducts{name}}
    """)


def test_typename_alone_is_answered_by_the_gateway():
    assert plan("{ __typename }") == ""


# --- entities --------------------------------------------------------------------------------------------------
def test_a_field_another_subgraph_adds_is_fetched_through_entities_by_key():
    # products also sends the key (and __typename) of every product; inventory gets them as representations
    assert plan("{ topProducts { name inStock } }") == expected("""
        [0] products
            query{topProducts{name __typename upc}}
        [1] inventory after [0]
            Product{__typename upc} at topProducts.@
            query($representations:[_Any!]!){_entities(representations:$representations){... on Product{inStock}}}
    """)


def test_entity_lookups_chain_and_independent_ones_run_side_by_side():
    # accounts → reviews; then products and inventory both need only the product keys reviews returned
    assert plan("{ me { reviews { body product { name inStock } } } }") == expected("""
        [0] accounts
            query{me{__typename id}}
        [1] reviews after [0]
            User{__typename id} at me
            query($representations:[_Any!]!){_entities(representations:$representations){... on User{reviews{body product{__typename upc}}}}}
        [2] products after [1]
            Product{__typename upc} at me.reviews.@.product
            query($representations:[_Any!]!){_entities(representations:$representations){... on Product{name}}}
        [3] inventory after [1]
            Product{__typename upc} at me.reviews.@.product
            query($representations:[_Any!]!){_entities(representations:$representations){... on Product{inStock}}}
    """)


def test_lookups_to_one_subgraph_at_one_step_travel_in_one_request():
    # one aliased _entities field per path; paths asking for the same selection would share one
    assert plan('{ topProducts { reviews { body } } product(upc: "1") { reviews { id } } }') == expected("""
        [0] products
            query{topProducts{__typename upc} product(upc:"1"){__typename upc}}
        [1] reviews after [0]
            Product{__typename upc} at topProducts.@
            Product{__typename upc} at product
            query($r0:[_Any!]!,$r1:[_Any!]!){_0:_entities(representations:$r0){... on Product{reviews{body}}} _1:_entities(representations:$r1){... on Product{reviews{id}}}}
    """)


def test_a_lookup_nothing_waits_for_is_folded_into_a_later_one_to_the_same_subgraph():
    # inStock of the top products could go to inventory at once, but the reviewed products' inStock has to wait
    # for reviews: one inventory request instead of two (group 1 was folded into 3)
    assert plan("{ topProducts { inStock reviews { product { inStock } } } }") == expected("""
        [0] products
            query{topProducts{__typename upc}}
        [2] reviews after [0]
            Product{__typename upc} at topProducts.@
            query($representations:[_Any!]!){_entities(representations:$representations){... on Product{reviews{product{__typename upc}}}}}
        [3] inventory after [0], [2]
            Product{__typename upc} at topProducts.@.reviews.@.product, topProducts.@
            query($representations:[_Any!]!){_entities(representations:$representations){... on Product{inStock}}}
    """)


# --- @requires and @provides -----------------------------------------------------------------------------------
def test_requires_adds_the_required_fields_to_the_representation():
    assert plan("{ topProducts { shippingEstimate } }") == expected("""
        [0] products
            query{topProducts{__typename upc price weight}}
        [1] inventory after [0]
            Product{__typename upc price weight} at topProducts.@
            query($representations:[_Any!]!){_entities(representations:$representations){... on Product{shippingEstimate}}}
    """)


def test_required_fields_the_current_subgraph_lacks_are_fetched_first():
    # reviews knows only a product's key: price and weight come from products before inventory is asked
    assert plan("{ latestReviews { author { name } product { shippingEstimate } } }") == expected("""
        [0] reviews
            query{latestReviews{author{__typename id} product{__typename upc}}}
        [1] accounts after [0]
            User{__typename id} at latestReviews.@.author
            query($representations:[_Any!]!){_entities(representations:$representations){... on User{name}}}
        [2] products after [0]
            Product{__typename upc} at latestReviews.@.product
            query($representations:[_Any!]!){_entities(representations:$representations){... on Product{price weight}}}
        [3] inventory after [0], [2]
            Product{__typename upc price weight} at latestReviews.@.product
            query($representations:[_Any!]!){_entities(representations:$representations){... on Product{shippingEstimate}}}
    """)


def test_provides_lets_a_subgraph_answer_a_field_it_does_not_own():
    assert plan("{ latestReviews { author { username } } }") == expected("""
        [0] reviews
            query{latestReviews{author{username}}}
    """)
    # a field beyond what is provided still needs the owner
    assert plan("{ latestReviews { author { username name } } }") == expected("""
        [0] reviews
            query{latestReviews{author{username __typename id}}}
        [1] accounts after [0]
            User{__typename id} at latestReviews.@.author
            query($representations:[_Any!]!){_entities(representations:$representations){... on User{name}}}
    """)


# --- abstract types and fragments ------------------------------------------------------------------------------
def test_a_union_is_planned_per_member_type():
    # products answers both members; each member's own lookup goes where its fields are
    query = '''{ search(text: "tea") {
        __typename
        ... on Product { name inStock }
        ... on Book { title reviews { body } }
    } }'''
    assert plan(query) == expected("""
        [0] products
            query{search(text:"tea"){__typename ... on Product{name __typename upc} ... on Book{title __typename isbn}}}
        [1] inventory after [0]
            Product{__typename upc} at search.@
            query($representations:[_Any!]!){_entities(representations:$representations){... on Product{inStock}}}
        [2] reviews after [0]
            Book{__typename isbn} at search.@
            query($representations:[_Any!]!){_entities(representations:$representations){... on Book{reviews{body}}}}
    """)
    # the gateway always asks for __typename of an abstract type (results are shaped by it)
    assert plan('{ search(text: "tea") { ... on Product { name } ... on Book { title } } }') == expected("""
        [0] products
            query{search(text:"tea"){__typename ... on Product{name} ... on Book{title}}}
    """)


def test_a_named_fragment_is_planned_where_it_is_spread():
    query = """
        query { topProducts { ...Card } product(upc: "1") { ...Card } }
        fragment Card on Product { name reviews { body } }
    """
    # both spreads ask reviews for the same selection: one _entities call for both paths
    assert plan(query) == expected("""
        [0] products
            query{topProducts{name __typename upc} product(upc:"1"){name __typename upc}}
        [1] reviews after [0]
            Product{__typename upc} at topProducts.@, product
            query($representations:[_Any!]!){_entities(representations:$representations){... on Product{reviews{body}}}}
    """)


# --- directives, aliases, variables ----------------------------------------------------------------------------
def test_skip_and_include_are_decided_when_planning():
    # the plan cache key holds the condition values, so a plan's fetches are exactly the requests made
    query = "query($stock: Boolean!) { topProducts { name inStock @include(if: $stock) } }"
    assert plan(query, stock=False) == expected("""
        [0] products
            query{topProducts{name}}
    """)
    assert plan(query, stock=True) == plan("{ topProducts { name inStock } }")  # an inventory lookup, as above


def test_aliases_are_sent_as_written_and_a_key_name_taken_by_an_alias_is_fetched_aside():
    query = "{ cheap: topProducts(first: 2) { title: name } top: topProducts(first: 10) { upc: name stock: inStock } }"
    assert plan(query) == expected("""
        [0] products
            query{cheap:topProducts(first:2){title:name} top:topProducts(first:10){upc:name __typename __qz_upc:upc}}
        [1] inventory after [0]
            Product{__typename __qz_upc:upc} at top.@
            query($representations:[_Any!]!){_entities(representations:$representations){... on Product{stock:inStock}}}
    """)


def test_variables_go_to_the_fetches_that_use_them():
    query = "query($upc: String!) { product(upc: $upc) { name reviews { body author { name } } } }"
    assert plan(query, upc="1") == expected("""
        [0] products
            query($upc:String!){product(upc:$upc){name __typename upc}}
        [1] reviews after [0]
            Product{__typename upc} at product
            query($representations:[_Any!]!){_entities(representations:$representations){... on Product{reviews{body author{__typename id}}}}}
        [2] accounts after [1]
            User{__typename id} at product.reviews.@.author
            query($representations:[_Any!]!){_entities(representations:$representations){... on User{name}}}
    """)


# --- mutations -------------------------------------------------------------------------------------------------
def test_mutation_fields_run_one_step_after_another():
    # each step starts when the previous one (its entity lookups included) is done; consecutive fields of one
    # subgraph would share a step
    query = """mutation {
        setPrice(upc: "1", price: 10) { name inStock }
        addReview(upc: "1", body: "Good") { id }
        rename(id: "u1", name: "Ada") { name }
    }"""
    assert plan(query) == expected("""
        [0] products step 0
            mutation{setPrice(upc:"1",price:10){name __typename upc}}
        [1] inventory step 0 after [0]
            Product{__typename upc} at setPrice
            query($representations:[_Any!]!){_entities(representations:$representations){... on Product{inStock}}}
        [2] reviews step 1
            mutation{addReview(upc:"1",body:"Good"){id}}
        [3] accounts step 2
            mutation{rename(id:"u1",name:"Ada"){name}}
    """)


# --- the supergraph ----------------------------------------------------------------------------------------------
@cache
def _planner() -> tuple[Supergraph, Planner]:
    supergraph = Supergraph(FEDERATION + TYPES)
    return supergraph, Planner(supergraph)


TYPES = '''
enum join__Graph {
  ACCOUNTS @join__graph(name: "accounts", url: "http://accounts/graphql")
  INVENTORY @join__graph(name: "inventory", url: "http://inventory/graphql")
  PRODUCTS @join__graph(name: "products", url: "http://products/graphql")
  REVIEWS @join__graph(name: "reviews", url: "http://reviews/graphql")
}

type Query
  @join__type(graph: ACCOUNTS)
  @join__type(graph: INVENTORY)
  @join__type(graph: PRODUCTS)
  @join__type(graph: REVIEWS)
{
  me: User @join__field(graph: ACCOUNTS)
  user(id: ID!): User @join__field(graph: ACCOUNTS)
  topProducts(first: Int = 5): [Product!]! @join__field(graph: PRODUCTS)
  product(upc: String!): Product @join__field(graph: PRODUCTS)
  search(text: String!): [SearchResult!]! @join__field(graph: PRODUCTS)
  latestReviews: [Review!]! @join__field(graph: REVIEWS)
}

type Mutation
  @join__type(graph: ACCOUNTS)
  @join__type(graph: PRODUCTS)
  @join__type(graph: REVIEWS)
{
  rename(id: ID!, name: String!): User @join__field(graph: ACCOUNTS)
  setPrice(upc: String!, price: Int!): Product @join__field(graph: PRODUCTS)
  addReview(upc: String!, body: String!): Review @join__field(graph: REVIEWS)
}

type User
  @join__type(graph: ACCOUNTS, key: "id")
  @join__type(graph: REVIEWS, key: "id")
{
  id: ID!
  name: String @join__field(graph: ACCOUNTS)
  username: String @join__field(graph: ACCOUNTS) @join__field(graph: REVIEWS, external: true)
  reviews: [Review!]! @join__field(graph: REVIEWS)
}

type Product
  @join__type(graph: INVENTORY, key: "upc")
  @join__type(graph: PRODUCTS, key: "upc")
  @join__type(graph: REVIEWS, key: "upc")
{
  upc: String!
  price: Int @join__field(graph: INVENTORY, external: true) @join__field(graph: PRODUCTS)
  weight: Int @join__field(graph: INVENTORY, external: true) @join__field(graph: PRODUCTS)
  inStock: Boolean @join__field(graph: INVENTORY)
  shippingEstimate: Int @join__field(graph: INVENTORY, requires: "price weight")
  name: String @join__field(graph: PRODUCTS)
  reviews: [Review!]! @join__field(graph: REVIEWS)
}

type Book
  @join__type(graph: PRODUCTS, key: "isbn")
  @join__type(graph: REVIEWS, key: "isbn")
{
  isbn: ID!
  title: String @join__field(graph: PRODUCTS)
  reviews: [Review!]! @join__field(graph: REVIEWS)
}

union SearchResult
  @join__type(graph: PRODUCTS)
  @join__unionMember(graph: PRODUCTS, member: "Product")
  @join__unionMember(graph: PRODUCTS, member: "Book")
 = Product | Book

type Review
  @join__type(graph: REVIEWS, key: "id")
{
  id: ID!
  body: String
  author: User @join__field(graph: REVIEWS, provides: "username")
  product: Product
}
'''

# the federation machinery every composed supergraph starts with
FEDERATION = '''
schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.4", for: EXECUTION)
{
  query: Query
  mutation: Mutation
}

directive @join__directive(graphs: [join__Graph!], name: String!, args: join__DirectiveArguments) repeatable on SCHEMA | OBJECT | INTERFACE | FIELD_DEFINITION
directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE
directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean, overrideLabel: String) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE
directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA

scalar join__DirectiveArguments
scalar join__FieldSet
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }
'''
