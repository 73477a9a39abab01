"""Principals from JWTs (HS256 dev secret or RS256 via JWKS) and jurisdiction rules usable in SQL."""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from typing import Any

import jwt
from sqlalchemy import ColumnElement, false, true
from stdnum.cn import uscc

from . import departments, regions
from .errors import bad_input, forbidden, unauthenticated
from .settings import PlatformSettings


class Role(str, Enum):
    PROVINCE = "PROVINCE"
    PREFECTURE = "PREFECTURE"
    COUNTY = "COUNTY"
    DEPARTMENT = "DEPARTMENT"
    ENTERPRISE = "ENTERPRISE"
    SERVICE = "SERVICE"


OFFICER_ROLES = frozenset({Role.PROVINCE, Role.PREFECTURE, Role.COUNTY})


def region_scope(code: str, column: Any, prefecture_column: Any = None) -> ColumnElement[bool]:
    """Records located in division `code` or beneath it, as a SQL predicate on their region-code column: the one
    encoding of "within" that jurisdictions, `regionCode` filters and rollups all use (`regions.contains` is its
    Python twin). Index-friendly: equality for a county, or for a prefecture when the table stores the prefecture
    code (`prefecture_column`), else a prefix match; a code that is no division is refused (BAD_USER_INPUT)."""
    region = regions.get(code)
    if region is None:
        raise bad_input(f"Unknown region code {code}")
    if region.level is regions.RegionLevel.PROVINCE:
        return true()
    if region.level is regions.RegionLevel.COUNTY:
        return column == region.code
    if prefecture_column is not None:
        return prefecture_column == region.code
    return column.startswith(region.prefix, autoescape=False)


@dataclass(frozen=True)
class Principal:
    """Who is calling: a regional officer, a provincial department officer, an enterprise user or a service."""

    subject: str
    role: Role
    region_code: str = regions.PROVINCE_CODE
    department: str | None = None
    credit_code: str | None = None
    name: str | None = None

    @cached_property
    def region(self) -> regions.Region:
        return regions.require(self.region_code)

    @property
    def is_officer(self) -> bool:
        return self.role in OFFICER_ROLES

    @property
    def sees_everything(self) -> bool:
        return self.role in (Role.PROVINCE, Role.SERVICE)

    def covers_region(self, code: str | None) -> bool:
        """Whether a record in region `code` lies in this officer's jurisdiction."""
        if self.sees_everything:
            return True
        if not self.is_officer or code is None:
            return False
        return regions.contains(self.region_code, code)

    def region_clause(self, column: Any, prefecture_column: Any = None) -> ColumnElement[bool]:
        """The same rule as `covers_region`, as a SQL predicate on a region-code column (see `region_scope`)."""
        if self.sees_everything:
            return true()
        if not self.is_officer:
            return false()
        return region_scope(self.region_code, column, prefecture_column)

    def require_officer(self) -> None:
        if not (self.is_officer or self.role is Role.SERVICE):
            raise forbidden(f"{self.role.value} principals cannot do this: an officer role is required")

    def require_role(self, *roles: Role) -> None:
        if self.role not in roles and self.role is not Role.SERVICE:
            names = ", ".join(r.value for r in roles)
            raise forbidden(f"{self.role.value} principals cannot do this: requires {names}")

    def claims(self) -> dict[str, Any]:
        out: dict[str, Any] = {"sub": self.subject, "role": self.role.value, "region": self.region_code}
        if self.department:
            out["department"] = self.department
        if self.credit_code:
            out["credit_code"] = self.credit_code
        if self.name:
            out["name"] = self.name
        return out


MAX_SUBJECT = 200
MAX_NAME = 100
MAX_DEPARTMENT = 100

# the region level an officer role must be scoped to: a token is refused when they disagree
ROLE_LEVEL = {Role.PROVINCE: regions.RegionLevel.PROVINCE, Role.PREFECTURE: regions.RegionLevel.PREFECTURE,
              Role.COUNTY: regions.RegionLevel.COUNTY}


def _text_claim(claims: dict[str, Any], name: str, limit: int, *, required: bool) -> str | None:
    """A string claim of at most `limit` characters without control characters, or None when absent."""
    value = claims.get(name)
    if value is None:
        if required:
            raise unauthenticated(f"Token has no `{name}` claim")
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > limit \
            or any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise unauthenticated(f"Token's `{name}` claim must be a non-empty string of at most {limit} characters")
    return value


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    """The principal a token's claims describe, refused (UNAUTHENTICATED) unless well-formed for its role.

    No default fills a missing claim: an officer's `region` must be present and of the role's level (a COUNTY
    token names a county), a DEPARTMENT token names its department, an ENTERPRISE token a valid credit code.
    """
    role_claim = claims.get("role")
    if not isinstance(role_claim, str) or role_claim not in Role.__members__:
        raise unauthenticated("Token has no valid `role` claim")
    role = Role(role_claim)
    subject = _text_claim(claims, "sub", MAX_SUBJECT, required=True)
    name = _text_claim(claims, "name", MAX_NAME, required=False)
    region_claim = claims.get("region")
    if region_claim is not None and (not isinstance(region_claim, str) or regions.get(region_claim) is None):
        raise unauthenticated("Token's `region` claim is not one of Guizhou's statistical division codes")
    level = ROLE_LEVEL.get(role)
    if level is not None:
        if region_claim is None:
            raise unauthenticated(f"{role.value} tokens need a `region` claim")
        if regions.require(region_claim).level is not level:
            raise unauthenticated(f"{role.value} tokens need a {level.value}-level `region`, "
                                  f"not {region_claim}")
    department = _text_claim(claims, "department", MAX_DEPARTMENT, required=role is Role.DEPARTMENT)
    if role is Role.DEPARTMENT and departments.get(department) is None:
        raise unauthenticated("DEPARTMENT tokens name their department by a registry code (see `departments`)")
    credit_code = claims.get("credit_code")
    if role is Role.ENTERPRISE and not (isinstance(credit_code, str) and uscc.is_valid(credit_code)):
        raise unauthenticated("ENTERPRISE tokens need a valid `credit_code` claim (统一社会信用代码)")
    if credit_code is not None and not isinstance(credit_code, str):
        raise unauthenticated("Token's `credit_code` claim must be a string")
    return Principal(
        subject=subject or "",
        role=role,
        region_code=region_claim or regions.PROVINCE_CODE,
        department=department if role is Role.DEPARTMENT else None,
        credit_code=credit_code if role is Role.ENTERPRISE else None,
        name=name,
    )


MAX_TOKEN_BYTES = 8192

# what a client is told about a token that fails verification (never the library's own words)
_REASONS: dict[type, str] = {
    jwt.InvalidSignatureError: "its signature does not verify",
    jwt.InvalidAudienceError: "it is meant for another audience (`aud`)",
    jwt.InvalidIssuerError: "it comes from an unknown issuer (`iss`)",
    jwt.ImmatureSignatureError: "it is not valid yet (`iat`/`nbf`)",
    jwt.InvalidIssuedAtError: "its `iat` is not a time",
    jwt.InvalidAlgorithmError: "its signing algorithm is not accepted",
    jwt.DecodeError: "it is not a well-formed JWT",
    jwt.PyJWKClientError: "its signing key is not published by the identity provider",
}


class TokenVerifier:
    """Verifies bearer tokens; the same rules run in the gateway and in every subgraph."""

    CACHE_SIZE = 4096

    def __init__(self, settings: PlatformSettings):
        self.settings = settings
        self._jwks = jwt.PyJWKClient(settings.jwt_jwks_url, cache_keys=True) if settings.jwt_jwks_url else None
        self._verified: OrderedDict[str, tuple[Principal, float]] = OrderedDict()

    def verify(self, token: str) -> Principal:
        """The token's principal; a token already verified is served from memory until it expires.

        Clients send the same token on every request, and checking its signature and claims again is a fair share
        of a small request's CPU; a signed token cannot change, so only its expiry needs checking again.
        """
        found = self._verified.get(token)
        if found is not None:
            principal, expires = found
            if time.time() < expires:
                return principal
            del self._verified[token]
        principal, expires = self._decode(token)
        self._verified[token] = (principal, expires)
        if len(self._verified) > self.CACHE_SIZE:
            self._verified.popitem(last=False)
        return principal

    def _decode(self, token: str) -> tuple[Principal, float]:
        if len(token) > MAX_TOKEN_BYTES:
            raise unauthenticated(f"Invalid token: longer than {MAX_TOKEN_BYTES} characters")
        try:
            if self._jwks is not None:
                key = self._jwks.get_signing_key_from_jwt(token).key
                algorithms = ["RS256"]
            else:
                key = self.settings.jwt_secret.get_secret_value()
                algorithms = ["HS256"]
            claims = jwt.decode(
                token, key, algorithms=algorithms, audience=self.settings.jwt_audience,
                issuer=self.settings.jwt_issuer, options={"require": ["exp", "sub", "role"]},
            )
        except jwt.ExpiredSignatureError:
            raise unauthenticated("Token has expired") from None
        except jwt.MissingRequiredClaimError as exc:
            raise unauthenticated(f"Invalid token: the `{exc.claim}` claim is missing") from None
        except jwt.PyJWTError as exc:
            reason = next((_REASONS[k] for k in type(exc).__mro__ if k in _REASONS), "it cannot be verified")
            raise unauthenticated(f"Invalid token: {reason}") from None
        exp = claims["exp"]
        if isinstance(exp, bool) or not isinstance(exp, int | float):
            raise unauthenticated("Invalid token: `exp` must be a number of seconds")
        longest = self.settings.jwt_max_lifetime_minutes * 60
        if exp - time.time() > longest:
            raise unauthenticated(f"Invalid token: it lives longer than the allowed "
                                  f"{self.settings.jwt_max_lifetime_minutes} minutes")
        return principal_from_claims(claims), float(exp)

    def expires_at(self, token: str) -> float:
        """When a token (verified before) stops being accepted, in seconds since the epoch."""
        self.verify(token)
        found = self._verified.get(token)
        return found[1] if found is not None else self._decode(token)[1]

    def from_header(self, authorization: str | None) -> Principal | None:
        """None when no credentials were sent; raises UNAUTHENTICATED for bad ones."""
        if not authorization:
            return None
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise unauthenticated("Authorization header must be `Bearer <token>`")
        return self.verify(token.strip())


def issue_token(settings: PlatformSettings, principal: Principal, ttl_minutes: int = 720) -> str:
    """A signed HS256 dev/test token (production tokens come from the identity provider)."""
    now = int(time.time())
    claims = principal.claims() | {
        "iat": now, "exp": now + ttl_minutes * 60, "iss": settings.jwt_issuer, "aud": settings.jwt_audience,
    }
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")


def require_principal(principal: Principal | None) -> Principal:
    if principal is None:
        raise unauthenticated()
    return principal
