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

from . import regions
from .errors import forbidden, unauthenticated
from .settings import PlatformSettings


class Role(str, Enum):
    PROVINCE = "PROVINCE"
    PREFECTURE = "PREFECTURE"
    COUNTY = "COUNTY"
    DEPARTMENT = "DEPARTMENT"
    ENTERPRISE = "ENTERPRISE"
    SERVICE = "SERVICE"


OFFICER_ROLES = frozenset({Role.PROVINCE, Role.PREFECTURE, Role.COUNTY})


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

    def region_clause(self, column: Any) -> ColumnElement[bool]:
        """The same rule as `covers_region`, as a SQL predicate on a region-code column (index-friendly)."""
        if self.sees_everything:
            return true()
        if not self.is_officer:
            return false()
        region = self.region
        if region.level is regions.RegionLevel.COUNTY:
            return column == region.code
        return column.startswith(region.prefix, autoescape=False)

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


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    try:
        role = Role(claims["role"])
    except (KeyError, ValueError):
        raise unauthenticated("Token has no valid `role` claim") from None
    region = claims.get("region") or regions.PROVINCE_CODE
    if regions.get(region) is None:
        raise unauthenticated(f"Token names unknown region {region!r}")
    if role is Role.ENTERPRISE and not (claims.get("credit_code") and uscc.is_valid(claims["credit_code"])):
        raise unauthenticated("ENTERPRISE tokens need a valid `credit_code` claim (统一社会信用代码)")
    if role is Role.DEPARTMENT and not claims.get("department"):
        raise unauthenticated("DEPARTMENT tokens need a `department` claim")
    return Principal(
        subject=str(claims.get("sub", "")),
        role=role,
        region_code=region,
        department=claims.get("department"),
        credit_code=claims.get("credit_code"),
        name=claims.get("name"),
    )


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
        except jwt.PyJWTError as exc:
            raise unauthenticated(f"Invalid token: {exc}") from None
        return principal_from_claims(claims), float(claims["exp"])

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
