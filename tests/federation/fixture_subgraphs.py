"""Small Strawberry federation subgraphs that exercise the federation features the gateway must handle.

accounts (users; @inaccessible; the @override source), products (multiple and composite keys, an interface and
a union), inventory (@requires/@external), pricing (reached only through the composite key), reviews (@provides,
@override, @shareable, entity chains), flaky (subgraph errors, non-null violations) and legacy (never started:
the subgraph that is down).

Run one with `python tests/federation/fixture_subgraphs.py NAME PORT`.
"""

from __future__ import annotations

import sys
from typing import Annotated

import strawberry
from strawberry.federation.schema_directives import Key

# --- data ----------------------------------------------------------------------------------------------------
USERS = {
    "u1": {"name": "Ada Lovelace", "username": "ada", "birth_year": 1815},
    "u2": {"name": "Alan Turing", "username": "alan", "birth_year": 1912},
    "u3": {"name": "Grace Hopper", "username": "grace", "birth_year": 1906},
}
PRODUCTS = {
    "1": {"sku": "tea", "variation": "v1", "name": "Duyun Maojian tea", "price": 120, "weight": 2, "by": "u1"},
    "2": {"sku": "liquor", "variation": "v2", "name": "Moutai liquor", "price": 1499, "weight": 3, "by": "u2"},
    "3": {"sku": "chili", "variation": "v3", "name": "Laoganma chili sauce", "price": 15, "weight": 1, "by": "u3"},
    "4": {"sku": "kiwi", "variation": "v4", "name": "Xiuwen kiwi", "price": 60, "weight": 5, "by": "u1"},
    "5": {"sku": "batik", "variation": "v5", "name": "Danzhai batik", "price": 300, "weight": 1, "by": None},
}
SKU_TO_UPC = {p["sku"]: upc for upc, p in PRODUCTS.items()}
REVIEWS = {
    "r1": {"body": "Fragrant and fresh", "author": "u1", "product": "1", "rating": 5},
    "r2": {"body": "Strong!", "author": "u2", "product": "2", "rating": 4},
    "r3": {"body": "On everything", "author": "u3", "product": "3", "rating": 5},
    "r4": {"body": "Second cup", "author": "u2", "product": "1", "rating": 4},
    "r5": {"body": "Sweet", "author": "u1", "product": "4", "rating": 3},
    "r6": {"body": "A classic", "author": "u3", "product": None, "rating": 4, "book": "b1"},
}
BOOKS = {"b1": {"title": "Notes on the Analytical Engine", "pages": 65},
         "b2": {"title": "Computing Machinery and Intelligence", "pages": 28}}
MOVIES = {"m1": {"title": "The Imitation Game", "minutes": 114}}


# --- accounts ------------------------------------------------------------------------------------------------
@strawberry.federation.type(keys=["id"], name="User")
class AccountsUser:
    id: strawberry.ID

    @strawberry.field
    def name(self) -> str | None:
        return USERS[self.id]["name"]

    @strawberry.federation.field(shareable=True)
    def username(self) -> str | None:
        return USERS[self.id]["username"]

    @strawberry.federation.field(shareable=True)
    def email(self) -> str | None:
        return f"{self.id}@accounts.example"  # overridden by reviews: never served through the gateway

    @strawberry.federation.field(inaccessible=True)
    def secret(self) -> str | None:
        return "hidden"

    @strawberry.field
    def birth_year(self) -> int:
        return USERS[self.id]["birth_year"]

    @classmethod
    def resolve_reference(cls, id: strawberry.ID):
        return cls(id=id) if id in USERS else None

@strawberry.type(name="Query")
class AccountsQuery:
    @strawberry.field
    def me(self) -> AccountsUser | None:
        return AccountsUser(id="u1")

    @strawberry.field
    def users(self) -> list[AccountsUser]:
        return [AccountsUser(id=k) for k in USERS]

    @strawberry.field
    def user(self, id: strawberry.ID) -> AccountsUser | None:
        return AccountsUser(id=id) if id in USERS else None

    @strawberry.field
    def whoami(self, info: strawberry.Info) -> str | None:
        """Echoes the forwarded headers so tests can see what the gateway sent."""
        headers = info.context["request"].headers
        return f"{headers.get('authorization')}|{headers.get('traceparent')}"



def accounts_schema():
    return strawberry.federation.Schema(query=AccountsQuery, types=[AccountsUser])


# --- products ------------------------------------------------------------------------------------------------
@strawberry.federation.interface(name="Item", keys=["id"])
class ProductsItem:
    id: strawberry.ID
    title: str

    @classmethod
    def resolve_reference(cls, id: strawberry.ID):
        if id in BOOKS:
            return ProductsBook.resolve_reference(id)
        return ProductsMovie.resolve_reference(id) if id in MOVIES else None

@strawberry.federation.type(keys=["id"], name='Book')
class ProductsBook(ProductsItem):
    pages: int | None

    @classmethod
    def resolve_reference(cls, id: strawberry.ID):
        b = BOOKS.get(id)
        return cls(id=id, title=b["title"], pages=b["pages"]) if b else None

@strawberry.federation.type(keys=["id"], name='Movie')
class ProductsMovie(ProductsItem):
    minutes: int | None

    @classmethod
    def resolve_reference(cls, id: strawberry.ID):
        m = MOVIES.get(id)
        return cls(id=id, title=m["title"], minutes=m["minutes"]) if m else None

ProductsMedia = Annotated[ProductsBook | ProductsMovie, strawberry.union("Media")]

@strawberry.federation.type(shareable=True, name='ProductVariation')
class ProductsProductVariation:
    id: strawberry.ID

@strawberry.federation.type(keys=[Key(fields="id", resolvable=False)], name="User")
class ProductsUser:
    id: strawberry.ID

@strawberry.federation.type(keys=["upc", "sku variation { id }"], name='Product')
class ProductsProduct:
    upc: str

    @strawberry.field
    def sku(self) -> str:
        return PRODUCTS[self.upc]["sku"]

    @strawberry.field
    def variation(self) -> ProductsProductVariation:
        return ProductsProductVariation(id=PRODUCTS[self.upc]["variation"])

    @strawberry.federation.field(shareable=True)
    def name(self) -> str | None:
        return PRODUCTS[self.upc]["name"]

    @strawberry.field
    def price(self) -> int | None:
        return PRODUCTS[self.upc]["price"]

    @strawberry.field
    def weight(self) -> int | None:
        return PRODUCTS[self.upc]["weight"]

    @strawberry.field
    def created_by(self) -> ProductsUser | None:
        by = PRODUCTS[self.upc]["by"]
        return ProductsUser(id=by) if by else None

    @classmethod
    def resolve_reference(cls, upc: str | None = None, sku: str | None = None, variation=None):
        if upc is None and sku is not None:
            upc = SKU_TO_UPC.get(sku)
        return cls(upc=upc) if upc in PRODUCTS else None

@strawberry.type(name="Query")
class ProductsQuery:
    @strawberry.field
    def top_products(self, first: int = 5) -> list[ProductsProduct | None]:
        return [ProductsProduct(upc=u) for u in list(PRODUCTS)[:first]]

    @strawberry.field
    def product(self, upc: str) -> ProductsProduct | None:
        return ProductsProduct(upc=upc) if upc in PRODUCTS else None

    @strawberry.field
    def best_seller(self) -> ProductsProduct:
        return ProductsProduct(upc="2")

    @strawberry.field
    def items(self) -> list[ProductsItem]:
        return [ProductsBook.resolve_reference(k) for k in BOOKS] + [ProductsMovie.resolve_reference(k) for k in MOVIES]

    @strawberry.field
    def media(self) -> list[ProductsMedia]:
        return [ProductsMovie.resolve_reference("m1"), ProductsBook.resolve_reference("b2")]



def products_schema():
    return strawberry.federation.Schema(query=ProductsQuery, types=[ProductsBook, ProductsMovie, ProductsProduct, ProductsUser])


# --- inventory -----------------------------------------------------------------------------------------------
@strawberry.federation.type(keys=["upc"], name="Product")
class InventoryProduct:
    upc: str
    price: int | None = strawberry.federation.field(external=True, default=None)
    weight: int | None = strawberry.federation.field(external=True, default=None)

    @strawberry.field
    def in_stock(self) -> bool | None:
        return self.upc != "3"

    @strawberry.federation.field(requires=["price weight"])
    def shipping_estimate(self) -> int | None:
        if self.price is None or self.weight is None:
            return None
        return 0 if self.price > 1000 else self.weight * 5

    @classmethod
    def resolve_reference(cls, upc: str, price: int | None = None, weight: int | None = None):
        return cls(upc=upc, price=price, weight=weight)

@strawberry.type(name="Query")
class InventoryQuery:
    @strawberry.field
    def warehouse_count(self) -> int:
        return 3



def inventory_schema():
    return strawberry.federation.Schema(query=InventoryQuery, types=[InventoryProduct])


# --- pricing (composite key only) ----------------------------------------------------------------------------
@strawberry.federation.type(shareable=True, name='ProductVariation')
class PricingProductVariation:
    id: strawberry.ID

    @strawberry.field
    def label(self) -> str:
        """Only pricing knows it: the gateway must take `variation` from pricing when it is asked for."""
        return f"variation {self.id}"

@strawberry.federation.type(keys=["sku variation { id }"], name="Product")
class PricingProduct:
    sku: str
    variation: PricingProductVariation

    @strawberry.field
    def discount(self) -> int | None:
        return {"tea": 10, "liquor": 0, "chili": 2}.get(self.sku, 5)

    @strawberry.field
    def currency(self) -> str:
        return f"CNY-{self.variation.id}"

    @classmethod
    def resolve_reference(cls, sku: str, variation: dict):
        return cls(sku=sku, variation=PricingProductVariation(id=variation["id"]))

@strawberry.type(name="Query")
class PricingQuery:
    @strawberry.field
    def currencies(self) -> list[str]:
        return ["CNY"]



def pricing_schema():
    return strawberry.federation.Schema(query=PricingQuery, types=[PricingProduct])


# --- reviews -------------------------------------------------------------------------------------------------
@strawberry.federation.type(keys=["id"], name="User")
class ReviewsUser:
    id: strawberry.ID
    username: str | None = strawberry.federation.field(external=True, default=None)

    @strawberry.field
    def reviews(self) -> list[ReviewsReview]:
        return [ReviewsReview(id=k) for k, r in REVIEWS.items() if r["author"] == self.id]

    @strawberry.federation.field(override="accounts", shareable=True)
    def email(self) -> str | None:
        return f"{self.id}@reviews.example"

    @classmethod
    def resolve_reference(cls, id: strawberry.ID):
        return cls(id=id)

@strawberry.federation.type(keys=["upc"], name="Product")
class ReviewsProduct:
    upc: str

    @strawberry.federation.field(shareable=True)
    def name(self) -> str | None:
        return PRODUCTS[self.upc]["name"]

    @strawberry.field
    def reviews(self) -> list[ReviewsReview]:
        return [ReviewsReview(id=k) for k, r in REVIEWS.items() if r["product"] == self.upc]

    @strawberry.field
    def review_count(self) -> int:
        return sum(1 for r in REVIEWS.values() if r["product"] == self.upc)

    @classmethod
    def resolve_reference(cls, upc: str):
        return cls(upc=upc)

@strawberry.federation.type(keys=["id"], name="Book")
class ReviewsBook:
    id: strawberry.ID

    @strawberry.field
    def reviews(self) -> list[ReviewsReview]:
        return [ReviewsReview(id=k) for k, r in REVIEWS.items() if r.get("book") == self.id]

    @classmethod
    def resolve_reference(cls, id: strawberry.ID):
        return cls(id=id)

@strawberry.federation.type(keys=["id"], name='Review')
class ReviewsReview:
    id: strawberry.ID

    @strawberry.field
    def body(self) -> str:
        return REVIEWS[self.id]["body"]

    @strawberry.field
    def rating(self) -> int:
        return REVIEWS[self.id]["rating"]

    @strawberry.federation.field(provides=["username"])
    def author(self) -> ReviewsUser | None:
        a = REVIEWS[self.id]["author"]
        return ReviewsUser(id=a, username=USERS[a]["username"])

    @strawberry.field
    def product(self) -> ReviewsProduct | None:
        p = REVIEWS[self.id]["product"]
        return ReviewsProduct(upc=p) if p else None

    @classmethod
    def resolve_reference(cls, id: strawberry.ID):
        return cls(id=id) if id in REVIEWS else None

@strawberry.type(name="Query")
class ReviewsQuery:
    @strawberry.field
    def top_reviews(self, first: int = 10) -> list[ReviewsReview]:
        return [ReviewsReview(id=k) for k in list(REVIEWS)[:first]]



def reviews_schema():
    return strawberry.federation.Schema(query=ReviewsQuery, types=[ReviewsUser, ReviewsProduct, ReviewsBook, ReviewsReview])


# --- ratings (@interfaceObject) ---------------------------------------------------------------------------
RATINGS = {"b1": 4.8, "b2": 4.1, "m1": 4.6}


@strawberry.federation.interface_object(keys=["id"], name="Item")
class RatingsItem:
    id: strawberry.ID

    @strawberry.field
    def rating(self) -> float | None:
        return RATINGS.get(self.id)

    @classmethod
    def resolve_reference(cls, id: strawberry.ID):
        return cls(id=id)


@strawberry.type(name="Query")
class RatingsQuery:
    @strawberry.field
    def top_rated(self) -> list[RatingsItem]:
        return [RatingsItem(id=k) for k, _ in sorted(RATINGS.items(), key=lambda kv: -kv[1])]


def ratings_schema():
    return strawberry.federation.Schema(query=RatingsQuery, types=[RatingsItem])


# --- flaky (errors) ------------------------------------------------------------------------------------------
@strawberry.federation.type(keys=["upc"], name="Product")
class FlakyProduct:
    upc: str

    @strawberry.field
    def flaky(self) -> str | None:
        if self.upc == "2":
            raise ValueError(f"flaky failed for product {self.upc}")
        return f"fine-{self.upc}"

    @strawberry.field
    def flaky_required(self) -> str:
        if self.upc == "3":
            raise ValueError("flakyRequired is unavailable")
        return f"required-{self.upc}"

    @classmethod
    def resolve_reference(cls, upc: str):
        return cls(upc=upc)

@strawberry.type(name="Query")
class FlakyQuery:
    @strawberry.field
    def boom(self) -> str | None:
        raise ValueError("boom went the subgraph")

    @strawberry.field
    def boom_required(self) -> str:
        raise ValueError("boomRequired went the subgraph")

    @strawberry.field
    def calm(self) -> str:
        return "calm"

    @strawberry.field
    async def slow(self) -> str | None:
        import asyncio

        await asyncio.sleep(1.5)
        return "late"



@strawberry.type(name="Mutation")
class FlakyMutation:
    @strawberry.mutation
    def echo(self, text: str) -> str:
        return text

    @strawberry.mutation
    def fail(self) -> str | None:
        raise ValueError("mutation failed")


def flaky_schema():
    return strawberry.federation.Schema(query=FlakyQuery, mutation=FlakyMutation, types=[FlakyProduct])


# --- legacy (down) -------------------------------------------------------------------------------------------
@strawberry.federation.type(keys=["upc"], name="Product")
class LegacyProduct:
    upc: str

    @strawberry.field
    def legacy_rating(self) -> float | None:
        return 4.5

    @classmethod
    def resolve_reference(cls, upc: str):
        return cls(upc=upc)

@strawberry.type(name="Query")
class LegacyQuery:
    @strawberry.field
    def legacy_health(self) -> str | None:
        return "ok"



def legacy_schema():
    return strawberry.federation.Schema(query=LegacyQuery, types=[LegacyProduct])


SCHEMAS = {"accounts": accounts_schema, "products": products_schema, "inventory": inventory_schema,
           "pricing": pricing_schema, "reviews": reviews_schema, "flaky": flaky_schema, "legacy": legacy_schema,
           "ratings": ratings_schema}
RUNNING = ["accounts", "products", "inventory", "pricing", "reviews", "flaky", "ratings"]  # legacy stays down


def asgi_app(name: str):
    """The subgraph as an ASGI app that also counts its GraphQL requests (GET /__count, POST /__reset)."""
    from strawberry.asgi import GraphQL

    graphql = GraphQL(SCHEMAS[name](), graphql_ide=None)
    counter = {"n": 0}

    async def app(scope, receive, send):
        if scope["type"] == "http" and scope["path"] in ("/__count", "/__reset"):
            if scope["path"] == "/__reset":
                counter["n"] = 0
            body = str(counter["n"]).encode()
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": body})
            return
        if scope["type"] == "http" and scope["method"] == "POST":
            counter["n"] += 1
        await graphql(scope, receive, send)

    return app


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(asgi_app(sys.argv[1]), host="127.0.0.1", port=int(sys.argv[2]), log_level="warning",
                access_log=False)
