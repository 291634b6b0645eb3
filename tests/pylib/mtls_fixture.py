#!/usr/bin/env python3
"""A real mTLS server for the binding tests: a private PKI made with openssl, and
nginx on 127.0.0.1 answering with what it saw of the client certificate.

As a module (Python tests):
    with MtlsFixture(tmpdir) as fx:
        fx.url("verified", host="localhost") ...

As a program (Node tests, benchmarks): `python3 mtls_fixture.py DIR` sets up, starts
nginx, prints the fixture as one JSON line on stdout, and stops nginx when its
standard input closes.

Servers (each answers JSON: {"verify", "subject", "protocol", "reused", "host"}):
- "verified": client certificate optional, verified against the client CA; the
  server certificate holds DNS:localhost and IP:127.0.0.1, so the two names
  `localhost` and `127.0.0.1` reach it as two hosts for pins. /redirect/HOST
  answers 302 to https://HOST:<same port>/.
- "any": client certificate optional and not verified (optional_no_ca), so a
  client certificate from any issuer (the legacy vectors) is echoed.
- "untrusted": a server certificate from an authority no client trusts.

Identities: "alice" (RSA 2048) and "bob" (P-256), both from the client CA, as
.p12 with PASSWORD and as PEM (chain, key) for the benchmarks' by-hand peers.
"""
import json
import os
import shutil
import signal
import subprocess
import sys

from net import free_port, wait_port
from openssl_pki import PKI

PASSWORD = "fixture pw"
HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "vectors", "pkcs12", "public"))
# An OpenSSL 1.x classic export: certificate under RC2-40, key under 3DES, SHA-1 MAC.
# OpenSSL 3 (Python's ssl, Node's pfx option) refuses it without the legacy provider.
LEGACY_VECTOR = ("pyca__cert-rc2-key-3des.p12", "cryptography")


class MtlsFixture:
    """The PKI and nginx. Use as a context manager; stop() kills nginx."""

    def __init__(self, d):
        self.d = os.path.abspath(d)
        self.pki = PKI(os.path.join(self.d, "pki"))
        self.proc = None
        self.ports = {}
        self.identities = {}

    # ---- the PKI ----
    def _make_pki(self):
        p = self.pki
        self.server_ca = p.ca("server-ca", "Fixture Server CA")
        self.client_ca = p.ca("client-ca", "Fixture Client CA")
        rogue_ca = p.ca("rogue-ca", "Fixture Rogue CA")
        server_ext = ("subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                      "extendedKeyUsage=serverAuth\n")
        self.server = p.leaf("server", "localhost", self.server_ca, "ec", server_ext)
        self.rogue = p.leaf("rogue", "localhost", rogue_ca, "ec", server_ext)
        for name, kind in (("alice", "rsa"), ("bob", "ec")):
            self.issue_identity(name, kind)

    def issue_identity(self, name, kind="ec", cn=None, password=PASSWORD):
        """A new identity from the client CA (also to rotate: same name, new certificate)."""
        cn = cn or f"{name}.fixture.test"
        leaf = self.pki.leaf(name, cn, self.client_ca, kind, "extendedKeyUsage=clientAuth\n")
        chain = self.pki.path(name + "-chain.pem")
        with open(chain, "w") as out:
            for part in (leaf[1], self.client_ca[1]):
                with open(part) as f:
                    out.write(f.read())
        ident = {"p12": self.pki.p12(name, leaf, self.client_ca, password), "password": password,
                 "subject": "CN=" + cn, "chain_pem": chain, "key_pem": leaf[0], "cert_pem": leaf[1]}
        self.identities[name] = ident
        return ident

    # ---- nginx ----
    def _nginx_conf(self):
        d = self.d
        answer = ('{"verify":"$ssl_client_verify","subject":"$ssl_client_s_dn",'
                  '"protocol":"$ssl_protocol","reused":"$ssl_session_reused","host":"$host"}')
        common = (f"ssl_protocols TLSv1.2 TLSv1.3; keepalive_requests 100000; keepalive_timeout 60s;\n"
                  f"    default_type application/json;\n"
                  f"    location ~ ^/redirect/(.+)$ {{ return 302 https://$1:$server_port/; }}\n"
                  f"    location / {{ return 200 '{answer}'; }}\n")
        servers = []
        for name, cert, verify in (("verified", self.server, "optional"),
                                   ("any", self.server, "optional_no_ca"),
                                   ("untrusted", self.rogue, "off")):
            self.ports[name] = free_port()
            client = (f"ssl_client_certificate {self.client_ca[1]}; ssl_verify_client {verify};"
                      if verify != "off" else "")
            servers.append(f"""  server {{
    listen 127.0.0.1:{self.ports[name]} ssl;
    ssl_certificate {cert[1]}; ssl_certificate_key {cert[0]};
    {client}
    {common}  }}""")
        tmp = os.path.join(d, "nginx-tmp")
        os.makedirs(tmp, exist_ok=True)
        return (f"daemon off; master_process off; worker_processes 1;\n"
                f"pid {d}/nginx.pid; error_log {d}/nginx-error.log warn;\n"
                f"events {{ worker_connections 1024; }}\n"
                f"http {{\n  access_log off;\n"
                f"  client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy;\n"
                f"  fastcgi_temp_path {tmp}/fcgi; uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;\n"
                + "\n".join(servers) + "\n}\n")

    def start(self):
        self._make_pki()
        conf = os.path.join(self.d, "nginx.conf")
        with open(conf, "w") as f:
            f.write(self._nginx_conf())
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.proc = subprocess.Popen([nginx, "-c", conf, "-p", self.d], stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(self.d, "nginx.out"), "w"))
        for port in self.ports.values():
            wait_port(port, self.proc)
        return self

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc):
        self.stop()

    def url(self, server="verified", host="localhost", path="/"):
        return f"https://{host}:{self.ports[server]}{path}"

    def describe(self):
        """Everything a test in another language needs, as plain data."""
        return {
            "dir": self.d, "password": PASSWORD, "ports": self.ports,
            "server_ca": self.server_ca[1], "client_ca": self.client_ca[1],
            "identities": self.identities,
            "legacy": {"p12": os.path.join(VECTORS, LEGACY_VECTOR[0]), "password": LEGACY_VECTOR[1]},
        }


def main():
    if len(sys.argv) != 2:
        print("usage: mtls_fixture.py DIR   (stops when standard input closes)", file=sys.stderr)
        return 2
    with MtlsFixture(sys.argv[1]) as fx:
        print(json.dumps(fx.describe()), flush=True)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        sys.stdin.read()
    return 0


if __name__ == "__main__":
    sys.exit(main())
