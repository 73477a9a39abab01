"""Database URLs with libpq's TLS parameters work with asyncpg: translated to its `ssl=` argument."""

from __future__ import annotations

import ssl

import pytest
from certs import make_ca
from qianzhao.common.db import make_engine
from qianzhao.common.ids import new_id
from qianzhao.common.migrations import current_revision, head_revision, upgrade
from qianzhao.common.pg_ssl import split_tls
from qianzhao.common.settings import ConfigError
from qianzhao.projects.app import SERVICE as PROJECTS
from sqlalchemy import text

BASE = "postgresql+asyncpg://qz:pw@db.example.gov.cn:5432/qianzhao_projects"


@pytest.fixture(scope="module")
def root_cert(tmp_path_factory) -> str:
    """A self-signed CA certificate file, as an operator's `sslrootcert`."""
    return str(make_ca(tmp_path_factory.mktemp("ca"))[2])


def test_a_url_without_tls_parameters_is_left_alone():
    assert split_tls(BASE + "?application_name=x") == (BASE + "?application_name=x", {})


@pytest.mark.parametrize(("mode", "expected"), [("disable", False), ("allow", "allow"), ("prefer", "prefer"),
                                                ("require", "require")])
def test_modes_without_verification_become_asyncpg_words(mode, expected):
    url, args = split_tls(f"{BASE}?sslmode={mode}&application_name=x")
    assert url == BASE + "?application_name=x" and args == {"ssl": expected}


def test_verify_full_checks_the_chain_and_the_host_name(root_cert):
    url, args = split_tls(f"{BASE}?sslmode=verify-full&sslrootcert={root_cert}")
    context = args["ssl"]
    assert url == BASE and isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert [c["subject"] for c in context.get_ca_certs()] == [((("commonName", "qianzhao test CA"),),)]


@pytest.mark.parametrize("mode", ["verify-ca", "require"])  # libpq: `require` with a root certificate verifies it
def test_verify_ca_checks_the_chain_only(root_cert, mode):
    context = split_tls(f"{BASE}?sslmode={mode}&sslrootcert={root_cert}")[1]["ssl"]
    assert context.verify_mode == ssl.CERT_REQUIRED and not context.check_hostname
    assert len(context.get_ca_certs()) == 1


def test_an_unknown_mode_names_the_setting():
    with pytest.raises(ConfigError, match="QZ_DATABASE_URL.*sslmode=always"):
        split_tls(BASE + "?sslmode=always")


async def test_services_and_migrations_connect_with_sslmode(databases, pg_server):
    """Against the embedded server (no TLS): `disable` and `prefer` connect, `require` is refused by asyncpg."""
    url = databases.fresh(PROJECTS)
    for mode in ("disable", "prefer"):
        engine = make_engine(url=f"{url}?sslmode={mode}")
        async with engine.connect() as conn:
            assert await conn.scalar(text("SELECT 1")) == 1
        await engine.dispose()
    name = f"t_sslmode_{new_id().hex[:12]}"
    pg_server.create_database(name)
    upgrade(PROJECTS.migrations, pg_server.url(name, driver="asyncpg").replace("+asyncpg", "") + "?sslmode=prefer")
    engine = make_engine(url=pg_server.url(name) + "?sslmode=disable")
    assert await current_revision(engine) == head_revision(PROJECTS.migrations)
    await engine.dispose()
    engine = make_engine(url=f"{url}?sslmode=require")
    with pytest.raises(Exception, match="(?i)ssl|reject"):
        async with engine.connect() as conn:
            await conn.scalar(text("SELECT 1"))
    await engine.dispose()
