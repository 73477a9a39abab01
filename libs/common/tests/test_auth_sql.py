"""Production token verification (RS256 via JWKS) and jurisdiction predicates evaluated by PostgreSQL."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from qianzhao.common import regions
from qianzhao.common.auth import Principal, Role, TokenVerifier
from qianzhao.common.errors import ApiError
from qianzhao.common.settings import PlatformSettings
from sqlalchemy import column, select, table
from sqlalchemy.dialects import postgresql


@pytest.fixture(scope="module")
def jwks_server():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    body = json.dumps({"keys": [public | {"kid": "k1", "use": "sig", "alg": "RS256"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/jwks.json", key
    server.shutdown()


def rs256(key, **claims) -> str:
    now = int(time.time())
    base = {"sub": "u", "role": "PREFECTURE", "region": "520100", "iat": now, "exp": now + 600,
            "iss": "qianzhao", "aud": "qianzhao"}
    return jwt.encode(base | claims, key, algorithm="RS256", headers={"kid": "k1"})


def test_rs256_tokens_verify_against_the_jwks(jwks_server):
    url, key = jwks_server
    verifier = TokenVerifier(PlatformSettings(jwt_jwks_url=url))
    principal = verifier.verify(rs256(key))
    assert (principal.role, principal.region_code) == (Role.PREFECTURE, "520100")
    with pytest.raises(ApiError):  # HS256 dev tokens are not accepted once a JWKS is configured
        verifier.verify(jwt.encode({"sub": "u", "role": "PROVINCE", "exp": int(time.time()) + 60,
                                    "iss": "qianzhao", "aud": "qianzhao"},
                                   PlatformSettings().jwt_secret.get_secret_value(), algorithm="HS256"))
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(ApiError):
        verifier.verify(rs256(other))
    with pytest.raises(ApiError):
        verifier.verify(rs256(key, aud="someone-else"))


def test_a_remembered_token_still_expires():
    settings = PlatformSettings()
    verifier = TokenVerifier(settings)
    expires = int(time.time()) + 2
    token = jwt.encode({"sub": "u", "role": "PROVINCE", "region": "520000", "exp": expires, "iss": "qianzhao", "aud": "qianzhao"},
                       settings.jwt_secret.get_secret_value(), algorithm="HS256")
    assert verifier.verify(token) is verifier.verify(token)  # the second answer comes from memory
    time.sleep(max(0.0, expires - time.time()) + 0.1)
    with pytest.raises(ApiError, match="expired"):
        verifier.verify(token)
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(ApiError):  # a different string is verified afresh, never matched to a remembered one
        verifier.verify(forged)


def test_region_clause_selects_exactly_the_jurisdiction(pg_server):
    pg_server.create_database("jurisdiction_check")
    codes = list(regions.all_regions())
    values = ", ".join(f"('{c}')" for c in codes)
    pg_server.psql(f"CREATE TABLE IF NOT EXISTS recs (region_code text); TRUNCATE recs; INSERT INTO recs VALUES {values}",
                   database="jurisdiction_check")
    recs = table("recs", column("region_code"))
    principals = [
        Principal("p", Role.PROVINCE), Principal("f", Role.PREFECTURE, "520100"),
        Principal("f2", Role.PREFECTURE, "522300"), Principal("c", Role.COUNTY, "520102"),
        Principal("e", Role.ENTERPRISE, credit_code="91520000MA6DM1RE5L"),
        Principal("d", Role.DEPARTMENT, department="自然资源厅"),
    ]
    for principal in principals:
        stmt = select(recs.c.region_code).where(principal.region_clause(recs.c.region_code))
        sql = str(stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
        got = set(pg_server.psql(sql, database="jurisdiction_check").split())
        expected = {c for c in codes if principal.covers_region(c)}
        assert got == expected, principal
