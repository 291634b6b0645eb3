"""Shared fixtures: one real nginx mTLS server (tests/pylib/mtls_fixture.py) per session.

The binding is imported from this source tree (bindings/python), and the
library from MXTLS_LIBRARY (ctest sets it to the build's libmxtls.so.0).
"""
import json
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
BINDING = os.path.dirname(HERE)
REPO = os.path.normpath(os.path.join(BINDING, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tests", "pylib"))
sys.path.insert(0, BINDING)

if not os.environ.get("MXTLS_LIBRARY") and os.path.exists(os.path.join(REPO, "build", "libmxtls.so.0")):
    os.environ["MXTLS_LIBRARY"] = os.path.join(REPO, "build", "libmxtls.so.0")

import mxtls  # noqa: E402
from mtls_fixture import MtlsFixture  # noqa: E402


@pytest.fixture(scope="session")
def fx(tmp_path_factory):
    with MtlsFixture(str(tmp_path_factory.mktemp("mtls"))) as f:
        yield f


@pytest.fixture(scope="session")
def ids(fx):
    """The fixture's identities as of start-up (tests that re-issue use their own names)."""
    return {name: dict(v) for name, v in fx.identities.items()}


def _load(ident):
    return mxtls.load_pkcs12(ident["p12"], ident["password"])


@pytest.fixture(scope="session")
def two_hosts(fx, ids):
    """alice pinned to localhost, bob to 127.0.0.1, only the fixture's server CA trusted."""
    cfg = mxtls.Config(system_roots=False)
    with _load(ids["alice"]) as a, _load(ids["bob"]) as b:
        cfg.add_identity(a, pins=["localhost"])
        cfg.add_identity(b, pins=["127.0.0.1"])
    cfg.add_trust(fx.server_ca[1])
    return cfg.build()


@pytest.fixture(scope="session")
def alice_default(fx, ids):
    """alice as the default identity (any host), server CA trusted besides the system roots."""
    cfg = mxtls.Config()
    with _load(ids["alice"]) as a:
        cfg.add_identity(a)
    cfg.add_trust(fx.server_ca[1])
    return cfg.build()


def answer(body):
    """nginx's JSON answer: {"verify", "subject", "protocol", "reused", "host"}."""
    return json.loads(body)
