#!/usr/bin/env python3
"""Mutual TLS against real peers on 127.0.0.1: nginx and openssl s_server.

Makes a private PKI, starts the servers on random ports, and drives requests through
`mxtls get` and tls_probe (libcurl + libmxtls), with Debian's libcurl (the blob hand-off)
and, when given, a libcurl built on the same mbedTLS (the shared-material hand-off).
Each check asserts what the server saw (client subject, protocol, session reuse).
Prints 'N passed, N failed' at the end; exit 1 on any failure.
"""
import argparse
import os
import queue
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import types

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from net import free_port, wait_port  # noqa: E402
from openssl_pki import PKI  # noqa: E402
from peers_handles import handle_checks, threaded_handle_check  # noqa: E402

PW = "peer test pw"
results = {"passed": 0, "failed": 0}


class Silent:
    """A TCP listener on 127.0.0.1 that accepts connections and never answers: a hung peer."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                self.conns.append(self.sock.accept()[0])
            except OSError:
                return

    def close(self):
        self.sock.close()
        for c in self.conns:
            c.close()


def private_dirs(pid, tmpdir):
    """The mxtls-* directories of process pid: in tmpdir, or wherever its open descriptors say."""
    found = {os.path.join(tmpdir, n) for n in os.listdir(tmpdir) if n.startswith("mxtls-")}
    fds = f"/proc/{pid}/fd"
    for fd in os.listdir(fds):
        try:
            target = os.readlink(os.path.join(fds, fd))
        except OSError:
            continue
        if os.path.basename(target).startswith("mxtls-") and os.path.isdir(target):
            found.add(target)
    return sorted(found)


def plant(victim, rogue_ca_pem):
    """What another user who may rename entries in the directory above victim can do: move it
    away and put a directory of the same name in its place, with a rogue CA under every name
    the original held (and ca.pem). Returns where the original went."""
    moved = victim + "-moved"
    os.rename(victim, moved)
    os.mkdir(victim, 0o755)
    for name in set(os.listdir(moved)) | {"ca.pem"}:
        if os.path.isdir(os.path.join(moved, name)):  # a CA directory
            os.mkdir(os.path.join(victim, name))
            shutil.copy(rogue_ca_pem, os.path.join(victim, name, "rogue.pem"))
        else:
            shutil.copy(rogue_ca_pem, os.path.join(victim, name))
    return moved


def check(name, ok, detail=""):
    if ok:
        results["passed"] += 1
        print(f"ok   {name}")
    else:
        results["failed"] += 1
        print(f"FAIL {name}\n     {detail}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--probe", required=True)
    ap.add_argument("--mxtls", required=True)
    ap.add_argument("--probe-gnutls", default="", help="tls_probe on Debian's GnuTLS flavour of libcurl")
    ap.add_argument("--mxtls-gnutls", default="", help="the mxtls tool on Debian's GnuTLS flavour")
    ap.add_argument("--curl-mbedtls", default="")
    ap.add_argument("--wrapper", default="")
    ap.add_argument("--example", default="", help="examples/mbedtls_client (the direct mbedTLS hand-off)")
    ap.add_argument("--count-parses", default="", help="tests/tls/count_parses.so (LD_PRELOAD shim)")
    ap.add_argument("--mbedtls-p256-first", action="store_true",
                    help="mbedTLS was built by scripts/build-mbedtls.sh (secp256r1 first by default)")
    ap.add_argument("--handle-probe", default="", help="handle_probe (a new easy handle per request)")
    ap.add_argument("--handle-probe-gnutls", default="", help="handle_probe on Debian's GnuTLS flavour")
    ap.add_argument("--example-multi", default="", help="examples/multi_mtls (event loop, Debian's libcurl ABI)")
    ap.add_argument("--only", choices=["threads", "private-dir", "timeouts", "handles"],
                    help="run only these checks, for each libcurl: the threaded one (scripts/test.sh "
                    "--tsan), the private directory against renames, or mxtls get's timeouts and signals")
    args = ap.parse_args()
    wrapper = [w for w in args.wrapper.split(";") if w]
    slack = 60 if wrapper else 5  # seconds a tool may take to start and stop (valgrind: slow)

    def wants(part):
        # The handle-per-request checks are their own ctest (tls_handles), run beside this one.
        return args.only == part if part == "handles" else args.only in (None, part)

    for tool in ("nginx", "openssl"):
        if not shutil.which(tool) and not os.path.exists("/usr/sbin/" + tool):
            print(f"{tool} is missing: run scripts/setup.sh", file=sys.stderr)
            return 1
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"

    d = tempfile.mkdtemp(prefix="mxtls-peers-")
    pki = PKI(d)
    server_ca = pki.ca("server-ca", "Peer Test Server CA")
    client_ca = pki.ca("client-ca", "Peer Test Client CA")
    rogue_ca = pki.ca("rogue-ca", "Rogue CA")
    srv_ext = "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"
    srv_rsa = pki.leaf("srv-rsa", "localhost", server_ca, "rsa", srv_ext)
    srv_ec = pki.leaf("srv-ec", "localhost", server_ca, "ec", srv_ext)
    srv_rogue = pki.leaf("srv-rogue", "localhost", rogue_ca, "ec", srv_ext)
    srv_wrongname = pki.leaf("srv-wrong", "wrong.example", server_ca, "ec",
                             "subjectAltName=DNS:wrong.example\nextendedKeyUsage=serverAuth\n")
    srv_idn = pki.leaf("srv-idn", "xn--bcher-kva.test", server_ca, "ec",
                       "subjectAltName=DNS:xn--bcher-kva.test\nextendedKeyUsage=serverAuth\n")
    cli_ext = "extendedKeyUsage=clientAuth\n"
    ids = {
        "rsa": pki.p12("client-rsa", pki.leaf("client-rsa", "client rsa", client_ca, "rsa", cli_ext), client_ca, PW),
        "ec": pki.p12("client-ec", pki.leaf("client-ec", "client ec", client_ca, "ec", cli_ext), client_ca, PW),
    }
    ec_pem = (pki.path("client-ec.key"), pki.path("client-ec.pem"))  # the same identity as PEM files
    server_ca_pem = server_ca[1]

    # nginx: one server block per case, each answering with what it saw.
    silent = Silent()
    ports = {n: free_port() for n in ("tls13_ec", "tls12_rsa", "tls12_ec", "tls13_rsa", "rogue", "wrong",
                                      "tls12_ids", "redirect", "stall", "idn")}
    blocks = []
    certs = {"tls13_ec": (srv_ec, "TLSv1.3"), "tls12_rsa": (srv_rsa, "TLSv1.2"),
             "tls12_ec": (srv_ec, "TLSv1.2"), "tls13_rsa": (srv_rsa, "TLSv1.3"),
             "rogue": (srv_rogue, "TLSv1.2 TLSv1.3"), "wrong": (srv_wrongname, "TLSv1.2 TLSv1.3"),
             "tls12_ids": (srv_ec, "TLSv1.2"), "redirect": (srv_ec, "TLSv1.2 TLSv1.3"),
             "stall": (srv_ec, "TLSv1.2 TLSv1.3"), "idn": (srv_idn, "TLSv1.2 TLSv1.3")}
    for name, ((key, crt), protos) in certs.items():
        # tls12_ids resumes by session ID only: no tickets.
        tickets = "off" if name == "tls12_ids" else "on"
        # redirect sends every request on to tls13_ec under another host name, 127.0.0.1.
        answer = ('return 200 "subject=$ssl_client_s_dn protocol=$ssl_protocol reused=$ssl_session_reused '
                  'curves=$ssl_curves\\n";')
        if name == "redirect":
            answer = f"return 302 https://127.0.0.1:{ports['tls13_ec']}/;"
        # stall completes the handshake, then waits for a peer that never answers.
        if name == "stall":
            answer = f"proxy_pass http://127.0.0.1:{silent.port}; proxy_read_timeout 60s;"
        blocks.append(f"""
  server {{
    listen 127.0.0.1:{ports[name]} ssl;
    ssl_certificate {crt}; ssl_certificate_key {key};
    ssl_client_certificate {client_ca[1]}; ssl_verify_client on;
    ssl_protocols {protos}; ssl_session_tickets {tickets}; ssl_session_cache shared:S{name}:1m;
    location / {{ {answer} }}
  }}""")
    conf = os.path.join(d, "nginx.conf")
    os.makedirs(os.path.join(d, "tmp"), exist_ok=True)
    with open(conf, "w") as f:
        f.write(f"""daemon off; master_process off; worker_processes 1;
pid {d}/nginx.pid; error_log {d}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
  access_log off;
  client_body_temp_path {d}/tmp/body; proxy_temp_path {d}/tmp/proxy; fastcgi_temp_path {d}/tmp/fcgi;
  uwsgi_temp_path {d}/tmp/uwsgi; scgi_temp_path {d}/tmp/scgi;
{''.join(blocks)}
}}
""")
    procs = []
    try:
        ng = subprocess.Popen([nginx, "-c", conf, "-p", d], stdout=subprocess.DEVNULL,
                              stderr=open(os.path.join(d, "nginx.out"), "w"))
        procs.append(ng)
        for p in ports.values():
            wait_port(p, ng)
        s_port = free_port()
        ss = subprocess.Popen(["openssl", "s_server", "-accept", f"127.0.0.1:{s_port}", "-cert", srv_ec[1],
                               "-key", srv_ec[0], "-CAfile", client_ca[1], "-Verify", "2", "-www", "-quiet"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(ss)
        wait_port(s_port, ss)

        # (name, environment, probe, mxtls tool, the hand-off mode it must get)
        flavours = [("debian-libcurl", {}, args.probe, args.mxtls, "blob (")]
        if args.probe_gnutls and args.mxtls_gnutls:
            flavours.append(("debian-libcurl-gnutls", {}, args.probe_gnutls, args.mxtls_gnutls, "file ("))
        else:
            print("note: no build on libcurl-gnutls given; the file hand-off is not tested", file=sys.stderr)
        if args.curl_mbedtls and os.path.exists(os.path.join(args.curl_mbedtls, "libcurl.so.4")):
            env = dict(os.environ, LD_LIBRARY_PATH=args.curl_mbedtls)
            flavours.append(("curl-on-mbedtls", env, args.probe, args.mxtls, "mbedtls ("))
        else:
            print("note: no libcurl on mbedTLS given; only the blob hand-off is tested", file=sys.stderr)
        tool = {"mxtls": args.mxtls}  # the mxtls tool of the flavour under test

        def run(cmd, env):
            e = env or None
            return subprocess.run(wrapper + cmd, capture_output=True, text=True, env=e, timeout=120)

        def get(env, url, ident=None, auth=True, system=True, extra=()):
            cmd = [tool["mxtls"], "get"]
            if ident:
                cmd += ["--identity", ids[ident], "--password", PW]
            if auth:
                cmd += ["--authorities", server_ca_pem]
            if not system:
                cmd += ["--no-system-roots"]
            return run(cmd + list(extra) + [url], env)

        resumes = {}

        def usual_resumes(probe, env, srv):
            """Does this libcurl resume sessions on srv the usual way (its own files, one handle)?"""
            key = (probe, str(env and env.get("LD_LIBRARY_PATH")), srv)
            if key not in resumes:
                u = run([probe, "--usual-cainfo", server_ca_pem, "--usual-cert", ec_pem[1], "--usual-key",
                         ec_pem[0], "--fresh", "--requests", "3", f"https://localhost:{ports[srv]}/"], env)
                resumes[key] = sum("reused=r" in l for l in u.stdout.splitlines()) > 0
            return resumes[key]

        def private_dir_checks(flav, env, probe):
            """Issue 8, item 1: no file curl reads for trust (or identity) may be reachable by a
            name that another user can rename. Root stands in for that user here."""
            good, rogue = f"https://localhost:{ports['tls13_ec']}/", f"https://localhost:{ports['rogue']}/"
            with tempfile.TemporaryDirectory() as td:
                os.chmod(td, 0o777)  # writable by group and others, no sticky bit: anyone can rename in it
                p = subprocess.Popen(wrapper + [probe, "--identity", ids["ec"], "--password", PW, "--authorities",
                                                server_ca_pem, "--pause", rogue, good],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env=dict(env or os.environ, TMPDIR=td))
                lines = queue.Queue()

                def read_lines():
                    for line in p.stdout:
                        lines.put(line)
                    lines.put("")  # end of output

                reader = threading.Thread(target=read_lines, daemon=True)
                reader.start()
                out, moved, victims = [], [], []
                try:
                    while not out or out[-1] != "paused\n":
                        out.append(lines.get(timeout=slack * 4))
                        if out[-1] == "":
                            raise queue.Empty  # exited before it paused
                    here = [n for n in os.listdir(td) if n.startswith("mxtls-")]
                    check(f"{flav}: no private directory in a $TMPDIR others can rename in (0777, no sticky bit)",
                          here == [], f"found {here} in {td}")
                    victims = private_dirs(p.pid, td)
                    moved = [(v, plant(v, rogue_ca[1])) for v in victims]
                    p.stdin.write("\n")
                    p.stdin.close()
                    p.wait(timeout=slack * 4)
                except (queue.Empty, subprocess.TimeoutExpired):
                    p.kill()
                    p.wait()
                reader.join(timeout=slack)
                while not lines.empty():
                    out.append(lines.get())
                err = p.stderr.read()
                for pair in moved:
                    for x in pair:
                        shutil.rmtree(x, ignore_errors=True)
                first = [l for l in out if "request=0 " in l]
                second = [l for l in out if "request=1 " in l]
                check(f"{flav}: a rogue CA planted by renaming the private directory is not trusted, and the "
                      f"rogue server never sees the client certificate",
                      p.returncode == 1 and len(victims) == 1 and first and "CN=client ec" in first[0]
                      and second and "request=1 error=" in second[0] and "CN=client" not in "".join(second),
                      f"rc={p.returncode} dirs={victims} out={''.join(out)[-500:]!r} err={err[-300:]!r}")

        def timeout_checks(flav, env):
            """Issue 8, item 10: mxtls get gives up on peers that hang, and cleans up when killed."""
            hung, stall = f"https://localhost:{silent.port}/", f"https://localhost:{ports['stall']}/"
            for secs in ("1", "0.5"):
                t0 = time.monotonic()
                r = get(env, hung, "ec", extra=["--connect-timeout", secs])
                took = time.monotonic() - t0
                check(f"{flav}: --connect-timeout {secs} against a peer that never answers the handshake: "
                      f"exit 6, names the option",
                      r.returncode == 6 and f"--connect-timeout {secs} s" in r.stderr
                      and float(secs) <= took < float(secs) + slack,
                      f"rc={r.returncode} took={took:.1f}s err={r.stderr[-300:]!r}")
            t0 = time.monotonic()
            r = get(env, stall, "ec", extra=["--max-time", "1.5"])
            took = time.monotonic() - t0
            check(f"{flav}: --max-time 1.5 against a server that never finishes its answer: exit 6, names it",
                  r.returncode == 6 and "--max-time 1.5 s" in r.stderr and 1.5 <= took < 1.5 + slack,
                  f"rc={r.returncode} took={took:.1f}s err={r.stderr[-300:]!r}")
            if flav == flavours[0][0]:  # the tool's own parsing: the same with any libcurl
                bad = ("abc", "-1", "0", "0.0004", "1e3", "nan", "inf", "0x10", "1.", ".5", "", " 1", "1 ",
                       "86401", "99999999999999999999999")
                wrong = []
                for opt in ("--connect-timeout", "--max-time"):
                    for v in bad:
                        r = run([tool["mxtls"], "get", opt, v, hung], env)
                        if r.returncode != 2 or opt not in r.stderr:
                            wrong.append((opt, v, r.returncode, r.stderr[-120:]))
                check(f"{flav}: bad timeouts are usage errors (exit 2)", not wrong, f"{wrong[:3]}")
            r = run([tool["mxtls"], "get"], env)
            check(f"{flav}: the usage names both timeouts and the default connect timeout (30 s)",
                  r.returncode == 2 and "--max-time" in r.stderr and "--connect-timeout" in r.stderr
                  and "default 30" in r.stderr, r.stderr[-400:])
            # Killed while it hangs (default connect timeout: 30 s): its private directory goes too.
            for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                with tempfile.TemporaryDirectory() as td:
                    p = subprocess.Popen(wrapper + [tool["mxtls"], "get", "--identity", ids["ec"], "--password", PW,
                                                    "--authorities", server_ca_pem, hung],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                         env=dict(env or os.environ, TMPDIR=td))
                    end = time.monotonic() + slack * 4
                    while time.monotonic() < end and p.poll() is None and \
                            not any(n.startswith("mxtls-") for n in os.listdir(td)):
                        time.sleep(0.05)
                    made = [n for n in os.listdir(td) if n.startswith("mxtls-")]
                    time.sleep(0.3)  # into the transfer
                    p.send_signal(sig)
                    try:
                        p.wait(timeout=slack)
                    except subprocess.TimeoutExpired:
                        p.kill()
                        p.wait()
                    left = [n for n in os.listdir(td) if n.startswith("mxtls-")]
                    check(f"{flav}: {sig.name} to a hanging mxtls get removes its private directory",
                          made and left == [] and p.returncode == -sig,
                          f"made={made} left={left} rc={p.returncode} err={p.stderr.read()[-300:]!r}")

        if args.example and not args.only:
            for srv in ("tls13_ec", "tls12_rsa"):
                proto = "TLSv1.3" if srv.startswith("tls13") else "TLSv1.2"
                r = run([args.example, "localhost", str(ports[srv]), ids["rsa"], PW, server_ca_pem], None)
                check(f"mbedtls direct: {srv}: identity seen, {proto}, secp256r1 offered first",
                      r.returncode == 0 and "CN=client rsa" in r.stdout and f"protocol={proto}" in r.stdout
                      and "curves=prime256v1:" in r.stdout, f"rc={r.returncode} out={r.stdout[-300:]!r} err={r.stderr[-300:]!r}")
            r = run([args.example, "localhost", str(ports["wrong"]), ids["rsa"], PW, server_ca_pem], None)
            check("mbedtls direct: wrong host name fails", r.returncode != 0 and "CN=client" not in r.stdout,
                  f"rc={r.returncode} err={r.stderr[-300:]!r}")

        for flav, env, probe, mxtls, want_mode in flavours:
            tool["mxtls"] = mxtls
            # Several threads and easy handles share one context.
            if wants("threads"):
                r = run([probe, "--identity", ids["rsa"], "--password", PW, "--authorities", server_ca_pem, "--threads",
                         "8", "--requests", "10", "--fresh", f"https://localhost:{ports['tls13_rsa']}/"], env)
                lines = [l for l in r.stdout.splitlines() if "status=200" in l and "CN=client rsa" in l]
                check(f"{flav}: 8 threads x 10 requests share one context", r.returncode == 0 and len(lines) == 80,
                      f"rc={r.returncode} good={len(lines)} err={r.stderr[-300:]!r}")
            if wants("private-dir"):
                private_dir_checks(flav, env, probe)
            if wants("timeouts"):
                timeout_checks(flav, env)
            hprobe = args.handle_probe_gnutls if flav.endswith("gnutls") else args.handle_probe
            handles = types.SimpleNamespace(
                    flav=flav, env=env, hprobe=hprobe, run=run, check=check, ports=ports, ids=ids, pw=PW,
                    server_ca_pem=server_ca_pem, mode=want_mode.split()[0], example_multi=args.example_multi,
                    usual_resumes=lambda srv, env=env, probe=probe: usual_resumes(probe, env, srv),
                    has_idn="IDN" in run([hprobe, "--features"], env).stdout) if hprobe else None
            if wants("threads") and hprobe:
                threaded_handle_check(handles)
            if wants("handles") and hprobe:
                handle_checks(handles)
            if args.only:
                continue

            mode = run([mxtls, "get", "-v", "--authorities", server_ca_pem, "--identity", ids["ec"],
                        "--password", PW, f"https://localhost:{ports['tls13_ec']}/"], env)
            check(f"{flav}: hand-off mode", want_mode in mode.stderr, mode.stderr[:300])
            for srv in ("tls13_ec", "tls12_rsa", "tls12_ec", "tls13_rsa"):
                proto = "TLSv1.3" if srv.startswith("tls13") else "TLSv1.2"
                for ident in ("rsa", "ec"):
                    r = get(env, f"https://localhost:{ports[srv]}/", ident)
                    check(f"{flav}: {srv} with {ident} identity",
                          r.returncode == 0 and f"CN=client {ident}" in r.stdout and f"protocol={proto}" in r.stdout,
                          f"rc={r.returncode} out={r.stdout!r} err={r.stderr[-300:]!r}")
            r = get(env, f"https://localhost:{ports['tls13_ec']}/")
            check(f"{flav}: no identity is refused by the server (nginx answers 400)",
                  r.returncode == 5 and "No required SSL certificate" in r.stdout, f"rc={r.returncode} out={r.stdout!r}")
            r = get(env, f"https://localhost:{s_port}/")
            check(f"{flav}: no identity is refused by openssl s_server (handshake)", r.returncode != 0,
                  f"rc={r.returncode} out={r.stdout[:200]!r}")

            r = get(env, f"https://localhost:{ports['rogue']}/", "ec")
            check(f"{flav}: server from an untrusted authority fails verification", r.returncode == 3,
                  f"rc={r.returncode} err={r.stderr[-300:]!r}")
            r = get(env, f"https://localhost:{ports['wrong']}/", "ec")
            check(f"{flav}: wrong host name fails", r.returncode == 3, f"rc={r.returncode} err={r.stderr[-300:]!r}")
            r = get(env, f"https://localhost:{ports['tls13_ec']}/", "ec", auth=False)
            check(f"{flav}: public roots only cannot reach the private server", r.returncode == 3,
                  f"rc={r.returncode} err={r.stderr[-300:]!r}")
            r = get(env, f"https://localhost:{ports['tls13_ec']}/", "ec", system=False)
            check(f"{flav}: private authorities only work", r.returncode == 0 and "CN=client ec" in r.stdout,
                  f"rc={r.returncode} err={r.stderr[-300:]!r}")
            # The private directory for curl (mxtls_curl.h, "Files") goes under $TMPDIR and is
            # removed at exit; a $TMPDIR that does not exist is reported with its path.
            with tempfile.TemporaryDirectory() as td:
                tenv = dict(env or os.environ, TMPDIR=td)
                r = get(tenv, f"https://localhost:{ports['tls13_ec']}/", "ec")
                left = os.listdir(td)
                check(f"{flav}: private directory under $TMPDIR, removed at exit",
                      r.returncode == 0 and "CN=client ec" in r.stdout and left == [],
                      f"rc={r.returncode} left={left} err={r.stderr[-300:]!r}")
                # (Not under a wrapper: valgrind needs a $TMPDIR of its own.)
                missing = os.path.join(td, "missing")
                if not wrapper:
                    r = get(dict(tenv, TMPDIR=missing), f"https://localhost:{ports['tls13_ec']}/", "ec")
                    check(f"{flav}: a missing $TMPDIR is reported with its path",
                          r.returncode != 0 and "private directory" in r.stderr and missing in r.stderr,
                          f"rc={r.returncode} err={r.stderr[-300:]!r}")
            # Redirects (mxtls get -L): an identity pinned to localhost is never presented to
            # 127.0.0.1; pinned to both, or unpinned, it follows.
            with open(os.path.join(d, "pw.txt"), "w") as f:
                f.write(PW + "\n")
            for pins, ok_expected in (("localhost", False), ("localhost 127.0.0.1", True), ("", True)):
                renv = dict(env or os.environ, MXTLS_CLIENT_CERTIFICATE_FILE=ids["ec"],
                            MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE=os.path.join(d, "pw.txt"),
                            MXTLS_CERTIFICATE_AUTHORITIES_FILE=server_ca_pem, MXTLS_SYSTEM_ROOTS="0")
                if pins:
                    renv["MXTLS_CLIENT_CERTIFICATE_PIN_TO"] = pins
                r = run([mxtls, "get", "-L", f"https://localhost:{ports['redirect']}/"], renv)
                if ok_expected:
                    check(f"{flav}: redirect followed, identity pinned to '{pins or '(none: default)'}'",
                          r.returncode == 0 and "CN=client ec" in r.stdout,
                          f"rc={r.returncode} out={r.stdout[-200:]!r} err={r.stderr[-300:]!r}")
                else:
                    check(f"{flav}: redirect to a host the identity is not pinned to is refused (not_pinned)",
                          r.returncode == 3 and "not_pinned" in r.stderr and "127.0.0.1" in r.stderr
                          and "CN=client" not in r.stdout,
                          f"rc={r.returncode} out={r.stdout[-200:]!r} err={r.stderr[-300:]!r}")
            r = get(env, f"https://localhost:{s_port}/", "rsa")
            check(f"{flav}: openssl s_server sees the client certificate",
                  r.returncode == 0 and "client rsa" in r.stdout, f"rc={r.returncode} err={r.stderr[-300:]!r}")

            # Resumption through the shared context, new connection per request.
            for srv in ("tls13_ec", "tls12_ec", "tls12_ids"):
                r = run([probe, "--identity", ids["ec"], "--password", PW, "--authorities", server_ca_pem,
                         "--fresh", "--requests", "4", f"https://localhost:{ports[srv]}/"], env)
                lines = [l for l in r.stdout.splitlines() if "status=200" in l]
                reused = sum("reused=r" in l for l in lines)
                # The same libcurl given the same identity as files, the usual way: some
                # libcurls cannot resume at all (curl 7.88 on GnuTLS, over TLS 1.3).
                u = run([probe, "--usual-cainfo", server_ca_pem, "--usual-cert", ec_pem[1], "--usual-key",
                         ec_pem[0], "--fresh", "--requests", "4", f"https://localhost:{ports[srv]}/"], env)
                ulines = [l for l in u.stdout.splitlines() if "status=200" in l and "CN=client ec" in l]
                ureused = sum("reused=r" in l for l in ulines)
                if len(ulines) == 4 and ureused == 0:
                    check(f"{flav}: {srv}: this libcurl does not resume even the usual way; nor do we",
                          r.returncode == 0 and len(lines) == 4 and reused == 0, f"out={r.stdout[-400:]!r}")
                else:
                    check(f"{flav}: {srv} new connections resume the session (the usual way: {ureused}/3)",
                          r.returncode == 0 and len(lines) == 4 and reused >= 3,
                          f"rc={r.returncode} reused={reused} out={r.stdout[-400:]!r} err={r.stderr[-300:]!r}")
            # Set up by selection (mxtls_curl_setup_for), with its per-connection host check:
            # sessions resume just the same.
            r = run([probe, "--identity", ids["ec"], "--password", PW, "--authorities", server_ca_pem,
                     "--select", "--fresh", "--requests", "4", f"https://localhost:{ports['tls12_ec']}/"], env)
            lines = [l for l in r.stdout.splitlines() if "status=200" in l and "CN=client ec" in l]
            reused = sum("reused=r" in l for l in lines)
            check(f"{flav}: set up by selection, new connections still resume (tls12_ec)",
                  r.returncode == 0 and len(lines) == 4 and reused >= 3,
                  f"rc={r.returncode} reused={reused} out={r.stdout[-400:]!r} err={r.stderr[-300:]!r}")
            # Switching identity (another context) never resumes the other one's session.
            r = run([probe, "--identity", ids["ec"], "--password", PW, "--identity", ids["rsa"], "--password",
                     PW, "--authorities", server_ca_pem, "--fresh", "--switch", "--requests", "6",
                     f"https://localhost:{ports['tls13_ec']}/"], env)
            lines = [l for l in r.stdout.splitlines() if "status=200" in l]
            right = all(("CN=client ec" in l) == (i % 2 == 0) for i, l in enumerate(lines))
            check(f"{flav}: switching contexts presents the right identity each time",
                  r.returncode == 0 and len(lines) == 6 and right, f"out={r.stdout[-600:]!r}")
            # Shared parsed material: curl parses no CA file, certificate or key per connection.
            if flav == "curl-on-mbedtls" and args.count_parses:
                penv = dict(env, LD_PRELOAD=args.count_parses)
                r = run([probe, "--identity", ids["rsa"], "--password", PW, "--authorities", server_ca_pem,
                         "--fresh", "--requests", "6", f"https://localhost:{ports['tls13_ec']}/"], penv)
                check(f"{flav}: no CA, certificate or key parsed per connection (6 new connections)",
                      r.returncode == 0 and "config parses during requests: 0" in r.stdout,
                      f"rc={r.returncode} out={r.stdout[-300:]!r} err={r.stderr[-300:]!r}")
                # Control: curl given a CA file the usual way parses it on every new connection.
                r = run([probe, "--usual-cainfo", server_ca_pem, "--fresh", "--requests", "6",
                         f"https://localhost:{ports['tls13_ec']}/"], penv)
                counted = [l for l in r.stdout.splitlines() if l.startswith("config parses during requests:")]
                check(f"{flav}: control: the usual CURLOPT_CAINFO is parsed per connection (counter works)",
                      counted and int(counted[0].split(":")[1]) >= 6, f"out={r.stdout[-300:]!r}")
            if flav == "curl-on-mbedtls" and args.mbedtls_p256_first:
                r = get(env, f"https://localhost:{ports['tls13_ec']}/", "ec")
                check(f"{flav}: secp256r1 is offered first (our mbedTLS build's default)",
                      "curves=prime256v1:" in r.stdout, r.stdout[-200:])
            # A handle set up again for "no identity" stops presenting the previous one.
            r = run([probe, "--identity", ids["ec"], "--password", PW, "--authorities", server_ca_pem,
                     "--fresh", "--none-after-first", "--requests", "3", f"https://localhost:{ports['tls13_ec']}/"],
                    env)
            lines = r.stdout.splitlines()
            check(f"{flav}: moving a handle to no identity drops the certificate",
                  len(lines) >= 3 and "CN=client ec" in lines[0] and "status=400" in lines[1]
                  and "CN=client" not in "".join(lines[1:]), f"out={r.stdout[-400:]!r}")
            if flav == "curl-on-mbedtls":
                for srv, what in (("rogue", "an untrusted server"), ("wrong", "a wrong host name")):
                    r = run([probe, "--identity", ids["ec"], "--password", PW, "--authorities",
                             server_ca_pem, "--insecure-after", f"https://localhost:{ports[srv]}/"], env)
                    check(f"{flav}: VERIFYPEER/VERIFYHOST=0 after setup still refuses {what}",
                          r.returncode != 0 and "status=200" not in r.stdout, f"out={r.stdout[-300:]!r}")
            # After mxtls_curl_release() the handle keeps nothing of ours: with curl's own
            # CA file it presents no certificate (the server answers 400).
            r = run([probe, "--identity", ids["ec"], "--password", PW, "--authorities", server_ca_pem,
                     "--fresh", "--release-after-first", "--requests", "2",
                     f"https://localhost:{ports['tls13_ec']}/"], env)
            lines = r.stdout.splitlines()
            check(f"{flav}: a released handle presents no certificate",
                  len(lines) >= 2 and "CN=client ec" in lines[0] and "status=400" in lines[1]
                  and "CN=client" not in lines[1], f"out={r.stdout[-400:]!r} err={r.stderr[-300:]!r}")
            # Keep-alive: a pooled connection made with one identity never serves the other.
            r = run([probe, "--identity", ids["ec"], "--password", PW, "--identity", ids["rsa"], "--password",
                     PW, "--authorities", server_ca_pem, "--switch", "--requests", "6",
                     f"https://localhost:{ports['tls13_ec']}/"], env)
            lines = [l for l in r.stdout.splitlines() if "status=200" in l]
            right = all(("CN=client ec" in l) == (i % 2 == 0) for i, l in enumerate(lines))
            check(f"{flav}: keep-alive never lends a connection to another identity",
                  r.returncode == 0 and len(lines) == 6 and right, f"out={r.stdout[-600:]!r}")
    finally:
        silent.close()
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(d, ignore_errors=True)
    print(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
