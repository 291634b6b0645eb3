#!/usr/bin/python3
"""Benchmark: the binding against the usual ways of giving Python a client certificate.

usage: MXTLS_LIBRARY=build/libmxtls.so.0 /usr/bin/python3 bindings/python/bench/bench_requests.py [N]

Against the fixture's nginx (tests/pylib/mtls_fixture.py), N sequential requests
with requests and with http.client, each with a new connection per request and
over one kept-alive connection, for three set-ups of the same identity and trust:
  binding: mxtls.load_pkcs12 + Config (only the server CA) -> ctx.ssl_context()
  pem:     PEM files by hand (load_cert_chain(chain.pem, key.pem) + cafile);
           for requests: session.cert=(chain, key), session.verify=cafile
  p12:     the usual way with a .p12: python3-cryptography's
           pkcs12.load_key_and_certificates, key written to a temporary file,
           load_cert_chain (requests: session.cert pointing at those files)
Prints req/s (median of the rounds), the binding/peer ratio for each variant
(median of the per-round ratios; >= 1.0 means the binding is as fast or faster),
and the start-up time (load to first response).
Not a unit test: numbers depend on the machine.
"""
import http.client
import os
import statistics
import ssl
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.dirname(HERE), os.path.join(HERE, "..", "..", "..", "tests", "pylib")]

import requests  # noqa: E402

import mxtls  # noqa: E402
import mxtls.requests  # noqa: E402
from mtls_fixture import MtlsFixture  # noqa: E402

ROUNDS = 9  # a multiple of 3: each set-up runs first, second and third equally often


# ---- the three set-ups: each returns (requests.Session, ssl.SSLContext, cleanup) ----

def setup_binding(fx, ident):
    with mxtls.load_pkcs12(ident["p12"], ident["password"]) as p12:
        cfg = mxtls.Config(system_roots=False)
        cfg.add_identity(p12)
    cfg.add_trust(fx.server_ca[1])
    ctx = cfg.build()
    return mxtls.requests.Session(ctx), ctx.ssl_context(host="localhost"), lambda: None


def _context(chain, key, cafile):
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    c.load_cert_chain(chain, key)
    c.load_verify_locations(cafile)
    return c


def setup_pem(fx, ident):
    s = requests.Session()
    s.cert, s.verify = (ident["chain_pem"], ident["key_pem"]), fx.server_ca[1]
    return s, _context(ident["chain_pem"], ident["key_pem"], fx.server_ca[1]), lambda: None


def setup_p12(fx, ident):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
    with open(ident["p12"], "rb") as f:
        key, cert, extra = pkcs12.load_key_and_certificates(f.read(), ident["password"].encode())
    d = tempfile.mkdtemp()
    chain, keyfile = os.path.join(d, "chain.pem"), os.path.join(d, "key.pem")
    with open(chain, "wb") as f:
        for c in [cert] + list(extra or []):
            f.write(c.public_bytes(serialization.Encoding.PEM))
    fd = os.open(keyfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    s = requests.Session()
    s.cert, s.verify = (chain, keyfile), fx.server_ca[1]

    def cleanup():
        for p in (chain, keyfile):
            os.unlink(p)
        os.rmdir(d)
    return s, _context(chain, keyfile, fx.server_ca[1]), cleanup


SETUPS = {"binding": setup_binding, "pem": setup_pem, "p12": setup_p12}


# ---- the four request loops ----

def run_requests(session, sslctx, url, host, port, n, keepalive):
    headers = {} if keepalive else {"Connection": "close"}
    for _ in range(n):
        r = session.get(url, headers=headers)
        assert r.status_code == 200 and b"SUCCESS" in r.content, r.content


def run_http_client(session, sslctx, url, host, port, n, keepalive):
    conn = None
    for _ in range(n):
        if conn is None:
            conn = http.client.HTTPSConnection(host, port, context=sslctx)
        conn.request("GET", "/")
        body = conn.getresponse().read()
        assert b"SUCCESS" in body, body
        if not keepalive:
            conn.close()
            conn = None
    if conn is not None:
        conn.close()


LOOPS = {("requests", "new connection"): (run_requests, False), ("requests", "keep-alive"): (run_requests, True),
         ("http.client", "new connection"): (run_http_client, False),
         ("http.client", "keep-alive"): (run_http_client, True)}


def startup(fx, ident, name, url):
    """Seconds from loading the identity to the first response (median of 5)."""
    times = []
    for _ in range(5):
        t = time.perf_counter()
        session, sslctx, cleanup = SETUPS[name](fx, ident)
        assert session.get(url).status_code == 200
        times.append(time.perf_counter() - t)
        session.close()
        cleanup()
    return statistics.median(times)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    # requests lets these replace a session's verify= (the peers' CA file); every
    # set-up keeps trust_env (proxy lookup per request), so all pay the same.
    for var in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        os.environ.pop(var, None)
    with MtlsFixture(tempfile.mkdtemp(prefix="mxtls-bench-")) as fx:
        ident = fx.identities["alice"]
        host, port = "localhost", fx.ports["verified"]
        url = fx.url("verified", host)
        print(f"libmxtls {mxtls.library_version()}, {n} requests per run, median of {ROUNDS} rounds, "
              f"alice (RSA 2048), nginx TLS 1.3")
        setups = {name: SETUPS[name](fx, ident) for name in SETUPS}
        results = {}
        for (client, mode), (loop, keepalive) in LOOPS.items():
            rates = {name: [] for name in setups}
            names = list(setups)
            for rnd in range(ROUNDS):
                # interleaved, and each set-up takes each position in turn: same conditions for all
                for name in names[rnd % len(names):] + names[:rnd % len(names)]:
                    session, sslctx, _ = setups[name]
                    loop(session, sslctx, url, host, port, 20, keepalive)  # warm
                    t = time.perf_counter()
                    loop(session, sslctx, url, host, port, n, keepalive)
                    rates[name].append(n / (time.perf_counter() - t))
            r = {name: statistics.median(v) for name, v in rates.items()}
            # ratios paired by round (same moment, same load), then the median: robust to a
            # busy machine, where two identical peers differ by 10-15 % from run to run
            for peer in ("pem", "p12"):
                r["vs " + peer] = statistics.median(b / p for b, p in zip(rates["binding"], rates[peer]))
            results[(client, mode)] = r
        for _, _, cleanup in setups.values():
            cleanup()

        print(f"\n{'client':12} {'mode':15} {'binding':>9} {'pem':>9} {'p12':>9}  {'vs pem':>7} {'vs p12':>7}")
        for (client, mode), r in results.items():
            print(f"{client:12} {mode:15} {r['binding']:9.0f} {r['pem']:9.0f} {r['p12']:9.0f}  "
                  f"{r['vs pem']:6.2f}x {r['vs p12']:6.2f}x")
        print("\nstart-up, load to first response (requests):")
        ups = {name: startup(fx, ident, name, url) for name in SETUPS}
        for name, t in ups.items():
            print(f"  {name:8} {t * 1000:7.1f} ms" + ("" if name == "binding" else
                                                       f"   binding/peer speed {t / ups['binding']:.2f}x"))


if __name__ == "__main__":
    main()
