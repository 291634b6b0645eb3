#!/usr/bin/env python3
"""The mxtls tool as users meet it: `check` agrees with start-up and reload, `inspect --json`
always writes JSON, password files that are not regular files fail at once, and `get` on a
libcurl built on mbedTLS names a server key type mbedTLS cannot verify.

usage: test_cli.py MXTLS HOSTILE_DIR   (files made by tests/corpus/make-hostile.py)
The `get` tests need openssl and a libcurl on mbedTLS 3.6: lib/ in $MXTLS_CURL_MBEDTLS_LIBDIR,
else .deps/curl-mbedtls/lib of this repository (scripts/build-curl-mbedtls.sh); skipped without.
Prints 'N passed, N failed'; exit 1 on any failure.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))

PW = "hostile-pw"
results = {"passed": 0, "failed": 0}


def check(name, ok, detail=""):
    results["passed" if ok else "failed"] += 1
    print(f"{'ok  ' if ok else 'FAIL'} {name}" + ("" if ok else f"\n     {detail}"))


def main():
    mxtls, hostile = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp(prefix="mxtls-cli-")
    pwfile = os.path.join(tmp, "pw")
    with open(pwfile, "w") as f:
        f.write(PW + "\n")

    def run(args, env=None, timeout=30):
        base = {k: v for k, v in os.environ.items() if not k.startswith(("MXTLS_", "CLIENT_", "CERTIFICATE_"))}
        return subprocess.run([mxtls] + args, capture_output=True, env=dict(base, **(env or {})),
                              timeout=timeout)

    def check_env(p12, **extra):
        return dict({"MXTLS_CLIENT_CERTIFICATE_FILE": os.path.join(hostile, p12),
                     "MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE": pwfile, "MXTLS_SYSTEM_ROOTS": "0",
                     "MXTLS_CERTIFICATE_AUTHORITIES_FILE": os.path.join(hostile, "trust-bundle.pem")}, **extra)

    # check: what start-up and a reload refuse, check refuses (exit 1), with the same code.
    r = run(["check"], check_env("base-default.p12"))
    check("check: a valid identity is ok", r.returncode == 0 and b"\nok\n" in r.stdout, r.stdout[-300:])
    for f, what in (("validity-expired.p12", b"expired"), ("validity-future.p12", b"not valid for another")):
        r = run(["check"], check_env(f))
        check(f"check: {f} is refused like start-up and reload do",
              r.returncode == 1 and b"error (expired)" in r.stdout and what in r.stdout, r.stdout[-300:])
    r = run(["check"], check_env("base-nomac.p12"))
    check("check: the container's warnings are shown (no MAC)",
          r.returncode == 0 and b"warning: MXTLS_CLIENT_CERTIFICATE_FILE: " in r.stdout and b"MAC" in r.stdout,
          r.stdout[-400:])
    r = run(["check"], check_env("base-default.p12", MXTLS_EXPIRY_WARNING_DAYS="abc"))
    check("check: MXTLS_EXPIRY_WARNING_DAYS=abc is refused (config)",
          r.returncode == 1 and b"error (config)" in r.stdout, r.stdout[-300:])
    r = run(["check"], check_env("long-subject.p12"))
    line = [l for l in r.stdout.splitlines() if l.startswith(b"  [0] ")]
    check("check: a subject over 511 bytes is shown, cut", r.returncode == 0 and line
          and line[0].startswith(b"  [0] O=OOOO") and b"..." in line[0], r.stdout[:300])
    r = run(["check"], dict(check_env("base-default.p12"), MXTLS_CLIENT_CERTIFICATE_PIN_TO="[::1] api.example.com"))
    check("check: an IPv6 pin in brackets is accepted", r.returncode == 0 and b"pin: [::1]" in r.stdout,
          r.stdout[-300:])

    # inspect --json: a JSON object on every failure, whatever the file name holds.
    long_name = os.path.join(tmp, "\u00e9" * 200, "x.p12")
    for name, path in (("non-UTF-8 name", os.path.join(tmp.encode(), b"\xff\xfe.p12")),
                       ("long UTF-8 name", long_name.encode()), ("truncated file", os.path.join(hostile, "truncated-1.p12").encode())):
        r = subprocess.run([mxtls.encode(), b"inspect", b"--json", b"--password", PW.encode(), path], capture_output=True,
                           timeout=30)
        try:
            doc = json.loads(r.stdout)
            ok = r.returncode == 1 and "code" in doc["error"] and isinstance(doc["error"]["message"], str)
        except (ValueError, KeyError, TypeError):
            ok, doc = False, r.stdout
        check(f"inspect --json: {name} gives an error object", ok, repr(doc)[:300])
    r = run(["inspect", "--password", PW, os.path.join(hostile, "truncated-1.p12")])
    check("inspect: a file cut short says it is truncated", b"PFX: truncated: " in r.stderr, r.stderr[:300])

    # Password files: a directory or a FIFO fails at once (no hang, no silent "no password").
    fifo = os.path.join(tmp, "fifo")
    os.mkfifo(fifo)
    for what, path in (("a directory", tmp), ("a FIFO", fifo)):
        try:
            r = run(["inspect", "--password-file", path, os.path.join(hostile, "base-default.p12")], timeout=10)
            ok = r.returncode != 0 and what.split()[1].encode() in r.stderr
            detail = r.stderr[-200:]
        except subprocess.TimeoutExpired:
            ok, detail = False, "hung"
        check(f"inspect --password-file {what} is refused at once", ok, detail)
    big = os.path.join(tmp, "big-pw")
    with open(big, "w") as f:
        f.write("x" * 5000)
    r = run(["inspect", "--password-file", big, os.path.join(hostile, "base-default.p12")])
    check("inspect --password-file over 4096 bytes is refused", r.returncode != 0 and b"4096" in r.stderr,
          r.stderr[-200:])

    test_server_key(mxtls, tmp)

    print(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, timeout=10):
    end = time.monotonic() + timeout
    while time.monotonic() < end and proc.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def openssl(*args):
    subprocess.run(["openssl"] + list(args), check=True, capture_output=True)


def make_certs(d):
    """A P-256 CA, and leaves for localhost with Ed25519 and P-256 keys."""
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", f"{d}/ca.key", "-out", f"{d}/ca.pem", "-subj", "/CN=probe CA", "-days", "3",
            "-addext", "basicConstraints=critical,CA:TRUE")
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", f"{d}/other-ca.key", "-out", f"{d}/other-ca.pem", "-subj", "/CN=other CA", "-days", "3")
    with open(f"{d}/san.ext", "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    for kind, alg in (("ed25519", ["-algorithm", "ed25519"]),
                      ("p256", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"])):
        openssl("genpkey", *alg, "-out", f"{d}/{kind}.key")
        openssl("req", "-new", "-key", f"{d}/{kind}.key", "-out", f"{d}/{kind}.csr", "-subj", "/CN=localhost")
        openssl("x509", "-req", "-in", f"{d}/{kind}.csr", "-CA", f"{d}/ca.pem", "-CAkey", f"{d}/ca.key",
                "-set_serial", "9", "-days", "3", "-extfile", f"{d}/san.ext", "-out", f"{d}/{kind}.pem")


class FakeServer:
    """Answers each connection's first bytes with the next of answers, then closes."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        for answer in self.answers:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                try:
                    conn.recv(4096)
                    conn.sendall(answer)
                    time.sleep(0.2)
                except OSError:
                    pass

    def close(self):
        self.sock.close()


def test_server_key(mxtls, tmp):
    """`mxtls get` on curl-on-mbedTLS: the key-type line after a failed handshake (server-key probe)."""
    libdir = os.environ.get("MXTLS_CURL_MBEDTLS_LIBDIR") or os.path.join(HERE, "..", "..", ".deps",
                                                                        "curl-mbedtls", "lib")
    if not os.path.exists(os.path.join(libdir, "libcurl.so.4")) or shutil.which("openssl") is None:
        print(f"skip get: server key probe (no libcurl on mbedTLS in {libdir}, or no openssl; "
              "set MXTLS_CURL_MBEDTLS_LIBDIR)")
        return
    d = os.path.join(tmp, "server-key")
    os.mkdir(d)
    make_certs(d)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("MXTLS_", "CLIENT_", "CERTIFICATE_")) and "proxy" not in k.lower()}
    env["LD_LIBRARY_PATH"] = libdir + (":" + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH") else "")

    def get(port, ca, *extra):
        return subprocess.run([mxtls, "get", "--connect-timeout", "10", "--authorities", ca, *extra,
                               f"https://localhost:{port}/"], capture_output=True, env=env, timeout=60)

    def with_s_server(kind, version, ca):
        port = free_port()
        proc = subprocess.Popen(["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-cert", f"{d}/{kind}.pem",
                                 "-key", f"{d}/{kind}.key", "-www", "-quiet", version],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            if not wait_port(port, proc):
                return None
            return get(port, ca)
        finally:
            proc.kill()
            proc.wait()

    key_line = (b"mxtls get: the server's certificate has an Ed25519 key, which is not supported by "
                b"mbedTLS 3.6: it verifies RSA and ECDSA (P-256, P-384, P-521) "
                b"server keys only\n")
    tls13_line = (b"mxtls get: the server accepts only TLS 1.3, where its certificate is encrypted; if it uses "
                  b"an Ed25519, Ed448 or RSASSA-PSS key, mbedTLS 3.6 cannot verify it\n")
    r = with_s_server("ed25519", "-tls1_2", f"{d}/ca.pem")
    check("get (curl on mbedTLS): an Ed25519 server on TLS 1.2 is named as such",
          r is not None and r.returncode == 3 and r.stderr.endswith(key_line), r and r.stderr[-500:])
    r = with_s_server("ed25519", "-tls1_3", f"{d}/ca.pem")
    check("get (curl on mbedTLS): a TLS 1.3-only Ed25519 server gets the TLS 1.3 line",
          r is not None and r.returncode == 3 and r.stderr.endswith(tls13_line), r and r.stderr[-500:])
    for version in ("-tls1_2", "-tls1_3"):
        r = with_s_server("p256", version, f"{d}/other-ca.pem")
        check(f"get (curl on mbedTLS): a P-256 server of another CA ({version}) gets no key-type line",
              r is not None and r.returncode == 3 and b"not OK" in r.stderr and r.stderr.count(b"\n") == 1,
              r and r.stderr[-500:])

    # A TLS 1.3-only GnuTLS server answers the probe with handshake_failure, not protocol_version.
    alert = bytes([21, 3, 3, 0, 2, 2, 40])
    server = FakeServer([alert, alert])
    try:
        r = get(server.port, f"{d}/ca.pem")
    finally:
        server.close()
    check("get: a server that refuses the probe too (handshake_failure) gets the hedged line",
          r.returncode == 3 and b"refused a TLS 1.2 handshake offering every signature scheme" in r.stderr
          and b"mbedTLS 3.6 cannot verify it\n" in r.stderr, r.stderr[-500:])

    # The probe's reader on a cut record and on one claiming 0xffff bytes: curl gets a
    # handshake_failure alert, the probe the bad record; no crash, no key line.
    alert = bytes([21, 3, 3, 0, 2, 2, 40])
    for what, answer in (("a cut record", bytes([22, 3, 3, 0, 100, 2, 0, 0, 96]) + bytes(20)),
                         ("a record of 0xffff bytes", bytes([22, 3, 3, 0xff, 0xff, 2, 0, 0, 96]) + bytes(64))):
        server = FakeServer([alert, answer])
        try:
            r = get(server.port, f"{d}/ca.pem", "-v")
        finally:
            server.close()
        check(f"get: the probe reads {what} as no certificate",
              r.returncode == 3 and b"* server key probe: no certificate seen" in r.stderr
              and b"server's certificate has" not in r.stderr and b"TLS 1.3" not in r.stderr, r.stderr[-500:])


if __name__ == "__main__":
    sys.exit(main())
