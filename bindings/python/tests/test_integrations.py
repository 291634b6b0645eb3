"""Every HTTP client integration against nginx: the subject nginx echoes is the proof."""
import asyncio
import http.client
import json
import ssl
import urllib.parse

import pytest

import mxtls
import mxtls.aiohttp
import mxtls.httpx
import mxtls.requests
import mxtls.urllib

from conftest import answer


def via_requests(source, url):
    with mxtls.requests.Session(source) as s:
        r = s.get(url, timeout=10)
        r.raise_for_status()
        return answer(r.content)


def via_httpx(source, url):
    with mxtls.httpx.Client(source, follow_redirects=True, timeout=10) as c:
        r = c.get(url)
        r.raise_for_status()
        return answer(r.content)


def via_httpx_async(source, url):
    async def go():
        async with mxtls.httpx.AsyncClient(source, follow_redirects=True, timeout=10) as c:
            r = await c.get(url)
            r.raise_for_status()
            return answer(r.content)
    return asyncio.run(go())


def via_urllib(source, url):
    with mxtls.urllib.build_opener(source).open(url, timeout=10) as r:
        return answer(r.read())


def via_aiohttp(source, url):
    async def go():
        async with mxtls.aiohttp.ClientSession(source) as s:
            async with s.get(url) as r:
                r.raise_for_status()
                return answer(await r.read())
    return asyncio.run(go())


def via_http_client(source, url):
    """http.client does not follow redirects: the context is chosen for the one host."""
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPSConnection(u.hostname, u.port, timeout=10, context=source.ssl_context(host=u.hostname))
    try:
        conn.request("GET", u.path or "/")
        return answer(conn.getresponse().read())
    finally:
        conn.close()


CLIENTS = {"requests": via_requests, "httpx": via_httpx, "httpx_async": via_httpx_async,
           "urllib": via_urllib, "aiohttp": via_aiohttp, "http.client": via_http_client}
REDIRECTING = {k: v for k, v in CLIENTS.items() if k != "http.client"}


def find_cause(exc, kind):
    """The first exception of type kind in exc's chain (causes, contexts, .reason, args)."""
    seen, todo = set(), [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen or not isinstance(e, BaseException):
            continue
        seen.add(id(e))
        if isinstance(e, kind):
            return e
        todo += [e.__cause__, e.__context__, getattr(e, "reason", None), getattr(e, "certificate_error", None)]
        todo += list(getattr(e, "args", ()))
    return None


@pytest.mark.parametrize("client", CLIENTS)
def test_two_identities_by_host(client, fx, two_hosts):
    get = CLIENTS[client]
    a = get(two_hosts, fx.url("verified", "localhost"))
    b = get(two_hosts, fx.url("verified", "127.0.0.1"))
    assert (a["verify"], a["subject"], a["host"]) == ("SUCCESS", "CN=alice.fixture.test", "localhost")
    assert (b["verify"], b["subject"], b["host"]) == ("SUCCESS", "CN=bob.fixture.test", "127.0.0.1")


def test_requests_remembered_pools_stay_per_host(fx, two_hosts):
    """One pool in the manager: every switch of host evicts the other's, and the
    adapter's remembered pool must not be used once urllib3 has closed it."""
    adapter = mxtls.requests.Adapter(two_hosts, pool_connections=1)
    with mxtls.requests.Session(two_hosts) as s:
        s.mount("https://", adapter)
        for host, cn in [("localhost", "alice"), ("localhost", "alice"), ("127.0.0.1", "bob"),
                         ("localhost", "alice"), ("127.0.0.1", "bob"), ("127.0.0.1", "bob")]:
            got = s.get(fx.url("verified", host), timeout=10).json()
            assert (got["host"], got["subject"]) == (host, f"CN={cn}.fixture.test")
        assert len(adapter.poolmanager.pools) == 1


@pytest.mark.parametrize("client", REDIRECTING)
def test_redirect_is_selected_again(client, fx, two_hosts):
    got = REDIRECTING[client](two_hosts, fx.url("verified", "localhost", "/redirect/127.0.0.1"))
    assert (got["host"], got["subject"]) == ("127.0.0.1", "CN=bob.fixture.test")


def test_context_for_one_host_refuses_another(fx, two_hosts):
    alice_ctx = two_hosts.ssl_context(host="localhost")
    conn = http.client.HTTPSConnection("127.0.0.1", fx.ports["verified"], timeout=10, context=alice_ctx)
    with pytest.raises(mxtls.NotPinnedError) as e:
        conn.request("GET", "/")
    conn.close()
    assert e.value.code == "not_pinned" and "127.0.0.1" in e.value.message

    async def bio():  # asyncio goes through wrap_bio
        await asyncio.open_connection("127.0.0.1", fx.ports["verified"], ssl=alice_ctx, server_hostname="127.0.0.1")
    with pytest.raises(mxtls.NotPinnedError):
        asyncio.run(bio())


@pytest.mark.parametrize("client", CLIENTS)
def test_no_identity_for_a_host(client, fx, ids):
    cfg = mxtls.Config(system_roots=False)
    with mxtls.load_pkcs12(ids["alice"]["p12"], ids["alice"]["password"]) as p12:
        cfg.add_identity(p12)  # the default...
    cfg.add_no_identity(["127.0.0.1"])  # ...but never for this host
    cfg.add_trust(fx.server_ca[1])
    ctx = cfg.build()
    got = CLIENTS[client](ctx, fx.url("verified", "127.0.0.1"))
    assert (got["verify"], got["subject"]) == ("NONE", "")
    assert CLIENTS[client](ctx, fx.url("verified", "localhost"))["subject"] == "CN=alice.fixture.test"


def test_no_identity_from_env_json(fx, ids):
    import base64
    with open(ids["bob"]["p12"], "rb") as f:
        pfx = base64.b64encode(f.read()).decode()
    with open(fx.server_ca[1]) as f:
        ca = f.read()
    env = {"CLIENT_CERTIFICATES": json.dumps([{"pfx": pfx, "password": ids["bob"]["password"]},
                                              {"pfx": None, "pin_to": ["localhost"]}]),
           "CERTIFICATE_AUTHORITIES": ca, "MXTLS_SYSTEM_ROOTS": "0"}
    ctx = mxtls.from_env(env)
    assert via_requests(ctx, fx.url("verified", "localhost"))["verify"] == "NONE"
    assert via_requests(ctx, fx.url("verified", "127.0.0.1"))["subject"] == "CN=bob.fixture.test"


@pytest.mark.parametrize("client", CLIENTS)
def test_untrusted_server_fails_verification(client, fx, alice_default):
    with pytest.raises(Exception) as e:
        CLIENTS[client](alice_default, fx.url("untrusted", "localhost"))
    assert find_cause(e.value, ssl.SSLCertVerificationError) is not None, repr(e.value)


@pytest.mark.parametrize("client", CLIENTS)
def test_legacy_vector_through_the_binding(client, fx):
    legacy = fx.describe()["legacy"]
    cfg = mxtls.Config(system_roots=False)
    with mxtls.load_pkcs12(legacy["p12"], legacy["password"]) as p12:
        cfg.add_identity(p12)
    cfg.add_trust(fx.server_ca[1])
    got = CLIENTS[client](cfg.build(), fx.url("any", "localhost"))
    assert got["verify"] != "NONE" and "CN=cryptography CA" in got["subject"].split(",")


def test_identifier_selects(fx, ids):
    cfg = mxtls.Config(system_roots=False)
    with mxtls.load_pkcs12(ids["alice"]["p12"], ids["alice"]["password"]) as a, \
            mxtls.load_pkcs12(ids["bob"]["p12"], ids["bob"]["password"]) as b:
        cfg.add_identity(a)
        cfg.add_identity(b, pins=["Billing.Api"])
    cfg.add_trust(fx.server_ca[1])
    ctx = cfg.build()
    with mxtls.requests.Session(ctx, identifier="Billing.Api") as s:
        assert s.get(fx.url("verified", "localhost"), timeout=10).json()["subject"] == "CN=bob.fixture.test"
    assert via_requests(ctx, fx.url("verified", "localhost"))["subject"] == "CN=alice.fixture.test"


def test_requests_refuses_verify_false(fx, alice_default):
    with mxtls.requests.Session(alice_default) as s:
        with pytest.raises(ValueError):
            s.get(fx.url("verified", "localhost"), verify=False, timeout=10)


def _new_connection_answers(sslctx, host, port, n):
    """n requests over n new http.client connections with one SSLContext: nginx's answers."""
    out = []
    for _ in range(n):
        conn = http.client.HTTPSConnection(host, port, timeout=10, context=sslctx)
        try:
            conn.request("GET", "/")
            out.append(answer(conn.getresponse().read()))
        finally:
            conn.close()
    return out


def _fresh_two_hosts(fx, ids):
    """As the two_hosts fixture, but new: no session from other tests."""
    cfg = mxtls.Config(system_roots=False)
    with mxtls.load_pkcs12(ids["alice"]["p12"], ids["alice"]["password"]) as a, \
            mxtls.load_pkcs12(ids["bob"]["p12"], ids["bob"]["password"]) as b:
        cfg.add_identity(a, pins=["localhost"])
        cfg.add_identity(b, pins=["127.0.0.1"])
    cfg.add_trust(fx.server_ca[1])
    return cfg.build()


def test_new_connections_resume_their_session_per_server(fx, ids):
    port = fx.ports["verified"]
    two_hosts = _fresh_two_hosts(fx, ids)
    alice = two_hosts.ssl_context(host="localhost")
    got = _new_connection_answers(alice, "localhost", port, 3)
    assert [(a["reused"], a["subject"]) for a in got] == [
        (".", "CN=alice.fixture.test"), ("r", "CN=alice.fixture.test"), ("r", "CN=alice.fixture.test")]
    # Another identity's SSLContext has sessions of its own: its first connection is a full handshake.
    bob = two_hosts.ssl_context(host="127.0.0.1")
    got = _new_connection_answers(bob, "127.0.0.1", port, 2)
    assert [(a["reused"], a["subject"]) for a in got] == [(".", "CN=bob.fixture.test"), ("r", "CN=bob.fixture.test")]
    # Another server (port) of the same host name does not get localhost:port's session.
    other = _new_connection_answers(alice, "localhost", fx.ports["any"], 1)
    assert other[0]["reused"] == "."


def test_requests_new_connections_resume(fx, ids):
    with mxtls.requests.Session(_fresh_two_hosts(fx, ids)) as s:
        got = [s.get(fx.url("verified", "localhost"), headers={"Connection": "close"}, timeout=10).json()
               for _ in range(3)]
    assert [g["reused"] for g in got] == [".", "r", "r"]
    assert {g["subject"] for g in got} == {"CN=alice.fixture.test"}


def test_close_after_the_app_swapped_the_socket_context(fx, two_hosts):
    """The socket gives its session back on close; a context swapped by the app has no cache."""
    import ssl
    conn = http.client.HTTPSConnection("localhost", fx.ports["verified"], timeout=10,
                                       context=two_hosts.ssl_context(host="localhost"))
    conn.request("GET", "/")
    assert answer(conn.getresponse().read())["subject"] == "CN=alice.fixture.test"
    conn.sock.context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    conn.close()  # must not raise
