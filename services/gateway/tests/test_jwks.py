"""The gateway with QZ_JWT_JWKS_URL: RS256 tokens whose key the identity provider's JWKS publishes are accepted,
tokens signed with the dev secret refused."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from qianzhao.common.embedded import free_port
from qianzhao.common.testing import dev_token
from qianzhao.gateway.app import create_app
from qianzhao.gateway.settings import GatewaySettings


@pytest.fixture(scope="module")
def identity_provider():
    """A JWKS endpoint on a thread (the verifier fetches keys synchronously) and its signing key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key())) | {"kid": "k1", "use": "sig",
                                                                             "alg": "RS256"}
    body = json.dumps({"keys": [jwk]}).encode()

    class Jwks(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Jwks)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/jwks.json", key
    server.shutdown()
    thread.join(5)


def rs256_token(key, **claims) -> str:
    now = int(time.time())
    payload = {"sub": "officer-1", "role": "PROVINCE", "region": "520000", "iss": "qianzhao", "aud": "qianzhao",
               "iat": now, "exp": now + 600} | claims
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": "k1"})


async def test_rs256_from_the_jwks_is_accepted_and_the_dev_secret_refused(identity_provider, monkeypatch):
    url, key = identity_provider
    monkeypatch.setenv("QZ_JWT_JWKS_URL", url)  # the platform's name, as the manifests set it
    monkeypatch.setenv("QZ_ENVIRONMENT", "production")
    settings = GatewaySettings()
    app = create_app(settings, urls={})
    query = {"query": "query Probe { __typename }"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as http:
        ok = await http.post("/graphql", json=query, headers={"authorization": f"Bearer {rs256_token(key)}"})
        assert ok.status_code == 200 and ok.json() == {"data": {"__typename": "Query"}}
        dev = await http.post("/graphql", json=query, headers={"authorization": f"Bearer {dev_token()}"})
        assert dev.status_code == 401
        assert dev.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # a key the JWKS does not publish
        forged = await http.post("/graphql", json=query, headers={"authorization": f"Bearer {rs256_token(other)}"})
        assert forged.status_code == 401
