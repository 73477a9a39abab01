"""Operations run through both gateways on the fixture supergraph: (name, query, variables)."""

from __future__ import annotations

NESTED = """
query Nested {
  topProducts {
    upc name inStock shippingEstimate discount
    reviews { body author { username name email reviews { rating product { name price inStock } } } }
  }
}"""

CORPUS: list[tuple[str, str, dict | None]] = [
    ("root single", "{ me { id name } }", None),
    ("root list", "{ users { id name username birthYear } }", None),
    ("root typename", "{ __typename }", None),
    ("typename nested", "{ me { __typename id } topProducts { __typename upc } }", None),
    ("two subgraphs in parallel", "{ me { name } topProducts { name } topReviews { body } }", None),
    ("entity jump", "{ topProducts { upc reviews { body } } }", None),
    ("entity jump back", "{ topReviews { body product { name price } } }", None),
    ("requires", "{ topProducts { upc shippingEstimate } }", None),
    ("requires with the required fields selected", "{ topProducts { price weight shippingEstimate } }", None),
    ("requires and plain field", "{ product(upc: \"4\") { inStock shippingEstimate name } }", None),
    ("composite key", "{ topProducts { upc discount currency } }", None),
    ("composite key with key fields", "{ topProducts { sku variation { id } discount } }", None),
    ("multiple keys from reviews", "{ topReviews { product { discount upc } } }", None),
    ("provides", "{ topReviews { author { username } } }", None),
    ("provides plus non-provided", "{ topReviews { author { username name } } }", None),
    ("override", "{ me { email } }", None),
    ("override list", "{ users { id email name } }", None),
    ("shareable from current subgraph", "{ topReviews { product { name } } }", None),
    ("shareable root products", "{ topProducts { name reviewCount } }", None),
    ("deep chain", NESTED, None),
    ("chain of users", "{ users { name reviews { body product { name reviews { author { name birthYear } } } } } }",
     None),
    ("entity reverse chain", "{ me { reviews { product { createdBy { name reviews { rating } } } } } }", None),
    ("aliases", "{ a: product(upc: \"1\") { n: name s: shippingEstimate } b: product(upc: \"2\") { n: name } }",
     None),
    ("aliases on entity fields", "{ topProducts { upc r: reviews { b: body } c: reviewCount } }", None),
    ("same field twice different aliases", "{ me { x: name y: name } }", None),
    ("variables", "query P($upc: String!) { product(upc: $upc) { name inStock } }", {"upc": "3"}),
    ("variables default", "query P($first: Int = 2) { topProducts(first: $first) { upc } }", None),
    ("variables list size", "query P($first: Int!) { topProducts(first: $first) { upc reviews { body } } }",
     {"first": 3}),
    ("variables in entity fetch", "query R($f: Int!) { me { reviews { product { name } } } topReviews(first: $f) "
                                  "{ body } }", {"f": 2}),
    ("missing entity", "{ product(upc: \"99\") { name inStock } }", None),
    ("skip true", "query S($s: Boolean!) { topProducts { upc reviews @skip(if: $s) { body } } }", {"s": True}),
    ("skip false", "query S($s: Boolean!) { topProducts { upc reviews @skip(if: $s) { body } } }", {"s": False}),
    ("include false", "query S($i: Boolean!) { me { name reviews @include(if: $i) { body } } }", {"i": False}),
    ("include true", "query S($i: Boolean!) { me { name reviews @include(if: $i) { body } } }", {"i": True}),
    ("literal skip", "{ me { name @skip(if: true) id } }", None),
    ("skip on fragment", "query S($s: Boolean!) { me { ... on User @skip(if: $s) { name } id } }", {"s": True}),
    ("named fragment", "fragment P on Product { name inStock } { topProducts { ...P upc } }", None),
    ("nested named fragments", "fragment U on User { name } fragment R on Review { body author { ...U } } "
                               "{ topReviews { ...R } }", None),
    ("inline fragment same type", "{ topProducts { ... on Product { name shippingEstimate } } }", None),
    ("interface", "{ items { id title } }", None),
    ("interface typename", "{ items { __typename id } }", None),
    ("interface fragments", "{ items { id ... on Book { pages } ... on Movie { minutes } } }", None),
    ("interface with entity jump", "{ items { title ... on Book { reviews { body author { name } } } } }", None),
    ("union", "{ media { __typename ... on Book { title } ... on Movie { title minutes } } }", None),
    ("union with entity jump", "{ media { ... on Book { id reviews { rating } } ... on Movie { id } } }", None),
    ("union partial fragments", "{ media { ... on Movie { title } } }", None),
    ("fragment on interface inside union", "{ media { ... on Item { id title } } }", None),
    ("named fragment on interface", "fragment I on Item { id title } { items { ...I } }", None),
    ("subgraph error root", "{ boom calm }", None),
    ("subgraph error root non-null", "{ boomRequired }", None),
    ("subgraph error plus other subgraph", "{ boom me { name } }", None),
    ("entity error nullable", "{ topProducts { upc flaky } }", None),
    ("entity error non-null bubbles to list item", "{ topProducts { upc flakyRequired } }", None),
    ("entity error non-null under non-null", "{ bestSeller { upc flakyRequired } }", None),
    ("entity error deep", "{ topReviews { product { upc flaky } } }", None),
    ("entity error with aliases", "{ topProducts { u: upc f: flaky } }", None),
    ("subgraph down root", "{ legacyHealth me { name } }", None),
    ("subgraph down entity", "{ topProducts { upc legacyRating name } }", None),
    ("subgraph down nested", "{ topReviews { body product { legacyRating } } }", None),
    ("null list items", "{ topReviews { product { name } } }", None),
    ("nullable created by", "{ topProducts { upc createdBy { name } } }", None),
    ("operation name choice", "query A { me { name } } query B { users { id } }", None),
    ("introspection type", "{ __type(name: \"User\") { name fields { name } } }", None),
    ("introspection schema", "{ __schema { queryType { name } mutationType { name } } }", None),
    ("inaccessible absent", "{ __type(name: \"User\") { fields { name } } }", None),
    ("introspection mixed with data", "{ me { name } __type(name: \"Media\") { possibleTypes { name } } }", None),
    ("mixed root fields four subgraphs", "{ warehouseCount currencies calm me { id } }", None),
    ("deduplicated representations", "{ topReviews { author { name } } users { reviews { author { name } } } }",
     None),
    ("wide", "{ topProducts { upc sku name price weight inStock shippingEstimate discount currency reviewCount "
             "createdBy { name username email } } }", None),
    ("validation error", "{ me { nope } }", None),
    ("inaccessible field is invalid", "{ me { secret } }", None),
    ("parse error", "{ me { ", None),
]

OPERATION_NAMES = {"operation name choice": "B"}
