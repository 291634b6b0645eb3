#!/usr/bin/env python3
"""Interoperability matrix: libmxtls clients against gnutls-serv and openssl s_server (mTLS).

For each cell of cells.py (one axis varied from a baseline) and each server, starts the
server on a free 127.0.0.1 port, runs the four client flavours against it and asserts what
the server saw: the client's subject, the protocol, and what the cell is about (cipher,
group, EMS, resumption) where the server reports it. Each result is pass, xfail (a failure
the expectation table in cells.py predicts, message included), n/a or FAIL. Prints one
table per server and 'interop: N pass, N xfail, N n/a, N FAIL'; exit 1 on any FAIL.
"""
import argparse
import os
import re
import shutil
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cells import CA_NAMES, CELLS, CLIENTS, SERVERS, xfail_for  # noqa: E402
from peers import Client, Server, page_facts, stop_all  # noqa: E402
from pki import PKI, PW, client_cn  # noqa: E402

PASS, XFAIL, NA, FAIL, SKIP = "pass", "xfail", "n/a", "FAIL", "."


def clip(text, n=300):
    text = " | ".join(l.strip() for l in text.strip().splitlines() if l.strip())
    return text if len(text) <= n else text[:n] + "..."


def make_clients(args):
    """The four flavours; a flavour whose binaries were not given is left out (n/a)."""
    mb = {"LD_LIBRARY_PATH": args.curl_mbedtls_libdir} if args.curl_mbedtls_libdir else None
    have_mb = mb and os.path.exists(os.path.join(args.curl_mbedtls_libdir, "libcurl.so.4"))
    c = {}
    if args.get_openssl:
        c["debian-libcurl"] = Client("debian-libcurl", args.get_openssl, args.probe_openssl, None, None)
        if have_mb:
            c["curl-on-mbedtls"] = Client("curl-on-mbedtls", args.get_openssl, args.probe_openssl, None, mb)
    if args.get_gnutls:
        c["debian-libcurl-gnutls"] = Client("debian-libcurl-gnutls", args.get_gnutls, args.probe_gnutls,
                                            None, None)
    if args.direct:
        c["direct-mbedtls"] = Client("direct-mbedtls", None, None, args.direct, None)
    return c


def judge(cell, server, client, problems):
    """pass / xfail / FAIL from the problems seen and the expectation table."""
    xf = xfail_for(cell.name, server, client)
    if not problems:
        if xf:
            return FAIL, f"expected to fail ({xf[1]}) but passed: update cells.XFAIL"
        return PASS, ""
    msg = "; ".join(problems)
    if xf and re.search(xf[0], msg, re.S):
        return XFAIL, msg
    return FAIL, msg


def failure(r):
    """What a failed client run said (stderr, and tls_probe's error lines on stdout)."""
    errs = [l for l in r.out.splitlines() if " error=" in l]
    return f"exit {r.rc}: " + clip(r.err + "\n" + "\n".join(errs), 10000)


def run_get(cell, server, srv, client, pki):
    trust = pki.root if cell.trust == "root" else pki.int1
    mark = srv.mark()
    r = client.request(srv.port, pki.clients[cell.client], trust, PW)
    if r.rc != 0:
        return [failure(r)], None
    see = cell.see.get(server)
    report = r.out + (srv.since(mark, see) if server == "gnutls" else "")
    proto, subject = page_facts(server, r.out)
    problems = []
    if cell.mode == "ca-names":
        sent = "none" if subject is None else "cert"
        if subject is not None and not re.search(rf"CN={client_cn(cell.client)}\b", subject):
            problems.append(f"server saw subject {subject!r}")
        return problems, sent
    if subject is None or not re.search(rf"CN={client_cn(cell.client)}(,|$)", subject):
        problems.append(f"server saw subject {subject!r}, not CN={client_cn(cell.client)}")
    if cell.proto and proto != cell.proto:
        problems.append(f"server saw protocol {proto}, not {cell.proto}")
    if see and not re.search(see, report):
        problems.append(f"server report does not match {see!r}")
    return problems, None


def run_resume(cell, server, srv, client, pki):
    """Two fresh connections on one handle (tls_probe): the second must be resumed. The
    server says so (gnutls-serv in its log, s_server on the page: 'Reused')."""
    if not client.probe:
        return None
    mark = srv.mark()
    r = client.resume(srv.port, pki.clients[cell.client], pki.root, PW)
    if r.rc != 0:
        return [failure(r)]
    pages = re.split(r"^thread=\d+ request=\d+ ", r.out, flags=re.M)[1:]
    if len(pages) != 2 or not all(p.startswith("status=200") for p in pages):
        return [f"expected two 200 answers, got: {clip(r.out, 200)}"]
    problems = []
    proto, _ = page_facts(server, pages[1])  # (tls_probe keeps 4 KB a page: no subject check)
    if cell.proto and proto and proto != cell.proto:
        problems.append(f"server saw protocol {proto}, not {cell.proto}")
    if server == "gnutls":
        resumed = "This is a resumed session" in srv.since(mark, "This is a resumed session")
    else:
        resumed = "Reused, " in pages[1]
    if not resumed:
        # The same libcurl with its own files, no libmxtls: does it resume here at all?
        ctl = client.run([client.probe, "--usual-cainfo", pki.root,
                          "--usual-cert", pki.path(f"cli-{cell.client}.pem"),
                          "--usual-key", pki.path(f"key-{cell.client}.key"),
                          "--requests", "2", "--fresh", f"https://localhost:{srv.port}/"])
        ctl_resumed = ("This is a resumed session" in srv.since(mark, "This is a resumed session")
                       if server == "gnutls" else "Reused, " in ctl.out)
        problems.append("second connection not resumed (the same libcurl with its own files: "
                        + ("resumed" if ctl_resumed else "not resumed either") + ")")
    return problems


def quick_plan(cells, servers, clients):
    """--quick: every cell once per server, one client each, rotating so that a cell meets
    two different clients and each server meets every client (the regression cell: all)."""
    plan = {}
    for i, cell in enumerate(cells):
        choice = [c for c in clients if not (cell.mode == "resume" and c == "direct-mbedtls")]
        for j, s in enumerate(servers):
            if cell.name.startswith("regress"):
                plan[(cell.name, s)] = list(clients)
            else:
                plan[(cell.name, s)] = [choice[(i + 2 * j) % len(choice)]] if choice else []
    return plan


def print_tables(cells, servers, clients, results):
    short = {"debian-libcurl": "debian-libcurl", "debian-libcurl-gnutls": "debian-gnutls",
             "curl-on-mbedtls": "curl-on-mbedtls", "direct-mbedtls": "direct-mbedtls"}
    width = max(len(c.name) for c in cells) + 2
    for s in servers:
        print(f"\n== server: {'gnutls-serv' if s == 'gnutls' else 'openssl s_server'} ==")
        print("cell".ljust(width) + "".join(short[c].ljust(17) for c in clients))
        axis = None
        for cell in cells:
            if cell.axis != axis:  # one heading per axis
                axis = cell.axis
                print(f"-- {axis}")
            row = []
            for c in clients:
                st, _, note = results.get((cell.name, s, c), (SKIP, "", ""))
                row.append((st + (f" ({note})" if note else "")).ljust(17))
            print(cell.name.ljust(width) + "".join(row))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--get-openssl", default="", help="the mxtls tool (Debian's libcurl, OpenSSL)")
    ap.add_argument("--get-gnutls", default="", help="the mxtls tool on Debian's libcurl-gnutls")
    ap.add_argument("--curl-mbedtls-libdir", default="", help="lib/ of libcurl built on mbedTLS")
    ap.add_argument("--direct", default="", help="examples/mbedtls_client")
    ap.add_argument("--probe-openssl", default="", help="tls_probe (resumption cells)")
    ap.add_argument("--probe-gnutls", default="", help="tls_probe on libcurl-gnutls")
    ap.add_argument("--quick", action="store_true", help="each cell once per server, clients rotating")
    ap.add_argument("--only", default="", help="regex: run only the cells whose name matches")
    ap.add_argument("--clients", default="", help="comma-separated client names (default: all)")
    ap.add_argument("--servers", default="", help="comma-separated: gnutls,openssl (default: both)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory (PKI, logs)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every result as it comes")
    args = ap.parse_args()

    for tool in ("gnutls-serv", "openssl", "stdbuf"):
        if not shutil.which(tool):
            print(f"interop: {tool} is missing (scripts/setup.sh installs it)", file=sys.stderr)
            return 1
    avail = make_clients(args)
    clients = [c for c in CLIENTS if not args.clients or c in args.clients.split(",")]
    for c in clients:
        if c not in avail:
            print(f"note: client {c} not given or not built: n/a", file=sys.stderr)
    servers = [s for s in SERVERS if not args.servers or s in args.servers.split(",")]
    cells = [c for c in CELLS if not args.only or re.search(args.only, c.name)]
    plan = quick_plan(cells, servers, [c for c in clients if c in avail]) if args.quick else None

    # ctest's timeout sends SIGTERM: unwind so that the servers are killed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(2))
    start = time.time()
    tmp = tempfile.mkdtemp(prefix="mxtls-interop-")
    results = {}
    try:
        pki = PKI(os.path.join(tmp, "pki")).make()
        print(f"interop: PKI made in {time.time() - start:.1f}s", flush=True)
        for cell in cells:
            for s in servers:
                want = plan[(cell.name, s)] if plan else clients
                opts = {"gnutls": cell.gnutls, "openssl": cell.openssl, "mode": cell.mode,
                        "tickets": cell.tickets, "no_ems": cell.no_ems}
                if opts[s] is None:  # this server cannot express the cell
                    for c in want:
                        results[(cell.name, s, c)] = (NA, "", "")
                    continue
                try:
                    with Server(s, pki, pki.chain(cell.srv_key, cell.chain), opts, tmp) as srv:
                        for c in want:
                            results[(cell.name, s, c)] = run_cell(cell, s, srv, avail.get(c), c, pki)
                            if args.verbose:
                                st, msg, note = results[(cell.name, s, c)]
                                print(f"{cell.name} {s} {c}: {st} {note} {msg}", flush=True)
                except RuntimeError as e:  # the server refused its options: the cell is broken
                    for c in want:
                        results[(cell.name, s, c)] = (FAIL, clip(str(e)), "")
    finally:
        stop_all()
        if args.keep:
            print(f"interop: kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    print_tables(cells, servers, clients, results)
    count = {k: sum(1 for v in results.values() if v[0] == k) for k in (PASS, XFAIL, NA, FAIL)}
    for title, kind in (("expected failures", XFAIL), ("FAILURES", FAIL)):
        rows = [(k, v) for k, v in results.items() if v[0] == kind]
        if rows:
            print(f"\n{title}:")
            for (cell, s, c), (_, msg, _) in rows:
                print(f"  {cell} / {s} / {c}: {clip(msg, 600)}")
    notes = sorted({(s, c, v[2]) for (cell, s, c), v in results.items() if v[2]})
    if notes:
        print("\nCertificateRequest naming another CA, what each client sent: "
              + ", ".join(f"{s}/{c}={n}" for s, c, n in notes))
    print(f"\ninterop: {count[PASS]} pass, {count[XFAIL]} xfail, {count[NA]} n/a, {count[FAIL]} FAIL"
          f" ({time.time() - start:.0f}s)")
    return 1 if count[FAIL] else 0


def run_cell(cell, server, srv, client, name, pki):
    """One client on one cell: (status, message, note)."""
    if client is None:
        return NA, "client not built", ""
    if cell.mode == "resume":
        problems = run_resume(cell, server, srv, client, pki)
        if problems is None:
            return NA, "no resumption driver for this client", ""
        st, msg = judge(cell, server, name, problems)
        return st, msg, ""
    problems, sent = run_get(cell, server, srv, client, pki)
    if cell.mode == "ca-names" and not problems:
        want, why = CA_NAMES.get((server, name), (None, ""))
        if sent != want:
            return FAIL, f"sent {sent}, cells.CA_NAMES says {want}", sent
        return PASS, why, sent
    st, msg = judge(cell, server, name, problems)
    return st, msg, ""


if __name__ == "__main__":
    sys.exit(main())
