"""The two servers (gnutls-serv, openssl s_server) and the four clients of the interop run.

A server is started for one cell and always killed (a context manager). A client run
returns a Result: exit code, stdout (the server's status page), stderr.
"""
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from net import free_port, port_open  # noqa: E402

# Every signature scheme a client may sign its CertificateVerify with: s_server's -sigalgs
# would otherwise restrict the client's signature too.
CLIENT_SIGALGS = ":".join([
    "ecdsa_secp256r1_sha256", "ecdsa_secp384r1_sha384", "ecdsa_secp521r1_sha512",
    "rsa_pss_rsae_sha256", "rsa_pss_rsae_sha384", "rsa_pss_rsae_sha512",
    "rsa_pss_pss_sha256", "rsa_pss_pss_sha384", "rsa_pss_pss_sha512",
    "rsa_pkcs1_sha256", "rsa_pkcs1_sha384", "rsa_pkcs1_sha512", "ed25519",
])


LIVE = set()  # every server process not yet reaped: stop_all() ends them whatever happened


def stop(proc):
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    LIVE.discard(proc)


def stop_all():
    for proc in list(LIVE):
        stop(proc)


class Server:
    """One server process for one cell. name: 'gnutls' or 'openssl'; chain: pki.chain(...);
    opts: the cell's server options (see cells.py)."""

    def __init__(self, name, pki, chain, opts, workdir):
        self.name, self.pki, self.chain, self.opts, self.workdir = name, pki, chain, opts, workdir
        self.proc = None
        self.log = None

    def command(self, port):
        key, full, leaf, rest = self.chain
        o, ca_names = self.opts, self.opts.get("mode") == "ca-names"
        if self.name == "gnutls":
            # stdbuf: the log (one block per connection) is read while the server runs.
            cmd = ["stdbuf", "-oL", "gnutls-serv", "--http", "-p", str(port), "--x509certfile", full,
                   "--x509keyfile", key, "--priority", o["gnutls"]]
            if ca_names:  # request a certificate, naming only the other CA; accept whatever comes
                cmd += ["--x509cafile", self.pki.other_ca]
            else:
                cmd += ["--x509cafile", self.pki.client_ca, "--require-client-cert", "--verify-client-cert"]
            if not o.get("tickets", True):
                cmd.append("--noticket")
            return cmd
        cmd = ["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-cert", leaf, "-key", key,
               "-www", "-quiet"]
        if rest:
            cmd += ["-cert_chain", rest]
        if ca_names:
            # Request (not require) a certificate. s_server 3.0 has no -requestCAfile: the
            # names come from -CAfile (the other CA), verification from -verifyCAfile.
            cmd += ["-verify", "2", "-CAfile", self.pki.other_ca, "-verifyCAfile", self.pki.client_ca]
        else:
            cmd += ["-Verify", "2", "-CAfile", self.pki.client_ca]
        if not o.get("tickets", True):
            cmd.append("-no_ticket")
        if "-sigalgs" in o["openssl"]:
            cmd += ["-client_sigalgs", CLIENT_SIGALGS]
        return cmd + list(o["openssl"])

    def env(self):
        # EMS has no s_server switch in OpenSSL 3.0: a config file turns its option off.
        if self.name == "openssl" and self.opts.get("no_ems"):
            conf = os.path.join(self.workdir, "no-ems.cnf")
            with open(conf, "w") as f:
                f.write("openssl_conf = init\n[init]\nssl_conf = ssl\n[ssl]\nsystem_default = sys\n"
                        "[sys]\nOptions = -ExtendedMasterSecret\n")
            return dict(os.environ, OPENSSL_CONF=conf)
        return None

    def __enter__(self):
        try:
            for _ in range(3):  # a port taken between free_port() and the bind: try another
                self.port = free_port()
                self.log = os.path.join(self.workdir, f"{self.name}-{self.port}.log")
                with open(self.log, "w") as log:
                    self.proc = subprocess.Popen(self.command(self.port), stdin=subprocess.DEVNULL,
                                                 stdout=log, stderr=subprocess.STDOUT, env=self.env())
                LIVE.add(self.proc)
                if port_open(self.port, self.proc, 15.0):
                    return self
                self.stop()
        except BaseException:  # interrupted while starting (SIGTERM, ^C): leave nothing behind
            self.stop()
            raise
        raise RuntimeError(f"{self.name} server did not start: {self.output()[-500:]}")

    def stop(self):
        if self.proc:
            stop(self.proc)

    def __exit__(self, *exc):
        self.stop()

    def mark(self):
        return len(self.output())

    def since(self, mark, want=None, wait=1.0):
        """The server's log after mark (what it printed about the connections since); with
        want, waits up to wait seconds for that regex to show (the log trails the answer)."""
        end = time.time() + wait
        while True:
            time.sleep(0.03)
            text = self.output()[mark:]
            if want is None or re.search(want, text) or time.time() > end:
                return text

    def output(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""


@dataclass
class Result:
    rc: int
    out: str
    err: str


@dataclass
class Client:
    name: str
    get: str         # the `mxtls get` tool, or None (direct-mbedtls)
    probe: str       # tls_probe for the resumption cells, or None
    example: str     # examples/mbedtls_client, or None
    env: dict        # extra environment (LD_LIBRARY_PATH of libcurl on mbedTLS), or None

    def run(self, cmd, timeout=60):
        env = dict(os.environ, **self.env) if self.env else None
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, errors="replace", env=env,
                               timeout=timeout, stdin=subprocess.DEVNULL)
            return Result(r.returncode, r.stdout, r.stderr)
        except subprocess.TimeoutExpired as e:
            return Result(-1, str(e.stdout or ""), f"timeout after {timeout}s")

    def request(self, port, p12, authorities, pw):
        if self.example:
            return self.run([self.example, "localhost", str(port), p12, pw, authorities])
        return self.run([self.get, "get", "--identity", p12, "--password", pw, "--authorities",
                         authorities, "--connect-timeout", "10", "--max-time", "30",
                         f"https://localhost:{port}/"])

    def resume(self, port, p12, authorities, pw):
        """Two fresh connections on one handle: the second may resume the first's session."""
        return self.run([self.probe, "--identity", p12, "--password", pw, "--authorities", authorities,
                         "--requests", "2", "--fresh", f"https://localhost:{port}/"])


def page_facts(server, page):
    """The protocol and client certificate subject on a server's status page
    (gnutls-serv: an HTML table and the certificate's text; s_server -www: SSL_SESSION_print)."""
    if server == "gnutls":
        m = re.search(r"Protocol version:</TD><TD>TLS(1\.\d)", page)
        proto = m and "TLSv" + m.group(1)
        m = re.search(r"^\s*Subject: ([^\n<]*)", page, re.M)
    else:
        m = re.search(r"Protocol\s*: (\S+)", page)
        proto = m and m.group(1)
        m = re.search(r"Client certificate.*?^\s*Subject: ([^\n]*)", page, re.S | re.M)
    return proto, m and m.group(1).strip()
