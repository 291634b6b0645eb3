"""Issue 9 checks for test_peers.py: one new easy handle per request, as runtimes make them.

Sessions and idle connections outlive the handles (they live with the context), identities
never share either, whatever options the application sets after set-up, rotation and the
last mxtls_ctx_free behave, and the multi interface does the same. Every check asserts what
nginx saw: the client subject and $ssl_session_reused, per request.
"""
import base64
import glob
import json
import os
import re
import subprocess
import tempfile

LINE = re.compile(r"request=(\d+) url=(\d+) (?:status=(\d+) new_connections=(-?\d+) (.*)|error=(.*))")


def parse(out):
    """One dict per request line of handle_probe."""
    rows = []
    for line in out.splitlines():
        m = LINE.match(line)
        if m:
            rows.append({"k": int(m[1]), "url": int(m[2]), "status": int(m[3] or 0),
                         "new": int(m[4] or -1), "body": m[5] or "", "error": m[6]})
    return rows


def subject(row):
    m = re.search(r"subject=(\S*(?: \S+)?) protocol", row["body"])
    return m[1] if m else None


def env_for(t, ids_pins, tmpdir, pw):
    """The platform environment: CLIENT_CERTIFICATES from (p12 path, pins), our CA, no system roots."""
    entries = [{"pfx": base64.b64encode(open(p, "rb").read()).decode(), "password": pw, "pin_to": pins}
               for p, pins in ids_pins]
    path = os.path.join(tmpdir, "client-certificates.json")
    with open(path, "w") as f:
        json.dump(entries, f)
    e = dict(t.env or os.environ, MXTLS_CLIENT_CERTIFICATES_FILE=path, MXTLS_SYSTEM_ROOTS="0",
             MXTLS_CERTIFICATE_AUTHORITIES_FILE=t.server_ca_pem, TMPDIR=tmpdir)
    for k in ("CLIENT_CERTIFICATES", "MXTLS_CLIENT_CERTIFICATE_FILE"):
        e.pop(k, None)
    return e, path


def handle_checks(t):
    """t: flav, env, hprobe, run, check, ports, ids, pw, server_ca_pem, usual_resumes(srv) -> bool,
    has_idn, mode."""
    flav, check, ports = t.flav, t.check, t.ports
    with tempfile.TemporaryDirectory(prefix="mxtls-handles-") as td:
        pinned = [(t.ids["rsa"], ["localhost"]), (t.ids["ec"], ["127.0.0.1", "xn--bcher-kva.test"])]
        env, json_path = env_for(t, pinned, td, t.pw)

        def probe(*args, **kw):
            return t.run([t.hprobe] + list(args), kw.get("env", env))

        # 1. New handle per request, new TCP connection each time: sessions outlive the handles.
        for srv in ("tls13_ec", "tls12_ec"):
            r = probe("--fresh", "--requests", "5", f"https://localhost:{ports[srv]}/")
            rows = parse(r.stdout)
            reused = sum("reused=r" in x["body"] for x in rows)
            ok = r.returncode == 0 and len(rows) == 5 and all(subject(x) == "CN=client rsa" for x in rows)
            if t.usual_resumes(srv):
                check(f"{flav}: {srv}: a new handle per request resumes the session (4 of 5)",
                      ok and reused == 4, f"rc={r.returncode} reused={reused} out={r.stdout[-500:]!r} "
                      f"err={r.stderr[-300:]!r}")
            else:
                check(f"{flav}: {srv}: this libcurl does not resume even the usual way; nor do new handles",
                      ok and reused == 0, f"out={r.stdout[-400:]!r}")

        # 2. Default options: a new handle reuses the idle connection an earlier one opened.
        r = probe("--requests", "5", f"https://localhost:{ports['tls13_ec']}/")
        rows = parse(r.stdout)
        check(f"{flav}: a new handle per request reuses the previous handle's connection",
              r.returncode == 0 and [x["new"] for x in rows] == [1, 0, 0, 0, 0]
              and all(subject(x) == "CN=client rsa" for x in rows), f"out={r.stdout[-500:]!r}")
        r = probe("--own-connections", "--requests", "3", f"https://localhost:{ports['tls12_ec']}/")
        rows = parse(r.stdout)
        check(f"{flav}: mxtls_curl_share_connections(0): a connection per handle, sessions still shared",
              r.returncode == 0 and [x["new"] for x in rows] == [1, 1, 1]
              and sum("reused=r" in x["body"] for x in rows) == 2, f"out={r.stdout[-500:]!r}")

        # 3. Two identities pinned to two names of one nginx, alternating, new handles, reuse on;
        #    and the same with the application's CAPATH or CAINFO set after set-up.
        urls = [f"https://localhost:{ports['tls13_ec']}/", f"https://127.0.0.1:{ports['tls13_ec']}/"]
        variants = [("", [])]
        if t.mode == "mbedtls":
            variants += [("CAPATH=/etc/ssl/certs", ["--capath", "/etc/ssl/certs"]), ("CAPATH=NULL", ["--capath", ""])]
        else:
            variants += [("CAINFO=the same CA", ["--cainfo", t.server_ca_pem])]
        for name, extra in variants:
            r = probe(*extra, "--requests", "8", *urls)
            rows = parse(r.stdout)
            want = {0: "CN=client rsa", 1: "CN=client ec"}
            right = all(subject(x) == want[x["url"]] for x in rows)
            check(f"{flav}: two identities alternating on new handles, each request its own subject"
                  + (f" (application sets {name} after set-up)" if name else ""),
                  r.returncode == 0 and len(rows) == 8 and right
                  and sum(x["new"] for x in rows) == 2, f"out={r.stdout[-700:]!r} err={r.stderr[-300:]!r}")

        # 4. The multi interface: 20 transfers at once, two identities, new handles.
        r = probe("--multi", "20", "--requests", "20", *urls)
        rows = parse(r.stdout)
        right = all(subject(x) == {0: "CN=client rsa", 1: "CN=client ec"}[x["url"]] for x in rows)
        check(f"{flav}: multi interface, 20 concurrent transfers, each its own subject",
              r.returncode == 0 and len(rows) == 20 and right, f"out={r.stdout[-700:]!r} err={r.stderr[-300:]!r}")
        r = probe("--multi", "4", "--requests", "12", "--fresh", f"https://localhost:{ports['tls12_ec']}/")
        rows = parse(r.stdout)
        check(f"{flav}: multi interface, new handles resume sessions (tls12_ec)",
              r.returncode == 0 and len(rows) == 12 and sum("reused=r" in x["body"] for x in rows) >= 8,
              f"out={r.stdout[-700:]!r}")

        # The event-loop example (curl_multi_socket_action): several hosts at once, each its own identity.
        if t.example_multi and t.mode != "file":
            r = t.run([t.example_multi] + urls * 3, env)
            lines = [l for l in r.stdout.splitlines() if " -> " in l]
            right = all(("CN=client rsa" if "localhost" in l else "CN=client ec") in l and " -> 200 " in l
                        for l in lines)
            check(f"{flav}: examples/multi_mtls: 6 concurrent calls on an event loop, each its own subject",
                  r.returncode == 0 and len(lines) == 6 and right, f"out={r.stdout[-600:]!r} err={r.stderr[-300:]!r}")

        # 5. Rotation in the middle of a handle-per-request loop: the next request presents the new
        #    certificate, no request fails.
        p = subprocess.Popen([t.hprobe, "--pause-at", "3", "--requests", "6", urls[0]], env=env,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        first = p.stdout.readline() + p.stdout.readline() + p.stdout.readline() + p.stdout.readline()
        env_for(t, [(t.ids["ec"], ["localhost"])], td, t.pw)  # localhost now gets the ec identity
        out, err = p.communicate("go\n", timeout=120)
        rows = parse(first + out)
        check(f"{flav}: rotation between new handles: the next request presents the new certificate",
              p.returncode == 0 and [subject(x) for x in rows] == ["CN=client rsa"] * 3 + ["CN=client ec"] * 3,
              f"rc={p.returncode} out={(first + out)[-700:]!r} err={err[-300:]!r}")
        env, json_path = env_for(t, pinned, td, t.pw)

        # 6. The last reference to the context goes: its directory at once, and its sessions.
        p = subprocess.Popen([t.hprobe, "--fresh", "--restart-at", "2", "--requests", "4", urls[0]], env=env,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        first = p.stdout.readline() + p.stdout.readline() + p.stdout.readline()
        left = glob.glob(os.path.join(td, "mxtls-*"))
        out, err = p.communicate("go\n", timeout=120)
        rows = parse(first + out)
        reused = ["reused=r" in x["body"] for x in rows]
        if t.usual_resumes("tls13_ec"):
            ok = reused == [False, True, False, True]
        else:
            ok = reused == [False] * 4
        check(f"{flav}: the last mxtls_ctx_free removes the private directory and the sessions",
              p.returncode == 0 and "restarted" in first and left == [] and ok,
              f"left={left} reused={reused} out={(first + out)[-600:]!r} err={err[-300:]!r}")

        # 7. A duplicated handle carries no identity until it is set up itself: performed while
        #    the original is set up, then after it is released.
        r = probe("--dup", urls[0])
        rows = parse(r.stdout)
        # GnuTLS path: refused before any connection (the HSTS read callback names the copy).
        # Blob path: curl loads the copied certificate before our SSL_CTX callback, which refuses
        # the copy. mbedTLS path: trust alone while the original is set up (nginx answers 400,
        # no certificate), refused once it is gone.
        refused = [bool(x["error"]) for x in rows]
        expected = [False, True] if t.mode == "mbedtls" else [True, True]
        reason = "aborted by an application callback" if t.mode == "file" else "local SSL certificate"
        check(f"{flav}: a duplicated handle never presents the identity, before or after the original's release",
              len(rows) == 2 and refused == expected and reason in rows[1]["error"]
              and (t.mode != "mbedtls" or rows[0]["status"] == 400) and "CN=client" not in r.stdout,
              f"out={r.stdout[-600:]!r} err={r.stderr[-300:]!r}")

        # 8. The application's own SSL_CTX_FUNCTION does not switch off the redirect check: an
        #    identity pinned to localhost is never presented to 127.0.0.1 after a redirect.
        r = probe("--follow", "--app-ssl-ctx", f"https://localhost:{ports['redirect']}/")
        rows = parse(r.stdout)
        check(f"{flav}: with the application's own SSL_CTX_FUNCTION a redirect to another host is still refused",
              r.returncode != 0 and len(rows) == 1 and rows[0]["error"] and "CN=client" not in r.stdout,
              f"out={r.stdout[-300:]!r} err={r.stderr[-300:]!r}")

        # 10. Release, a transfer without us, and a new set-up on one handle (valgrind: no leak).
        r = probe("--cycle", f"https://localhost:{ports['tls13_ec']}/")
        rows = parse(r.stdout)
        check(f"{flav}: set-up, release, set-up again on one handle: right identity each time",
              r.returncode == 0 and len(rows) == 3 and subject(rows[0]) == "CN=client rsa"
              and rows[1]["status"] == 400 and subject(rows[2]) == "CN=client rsa",
              f"rc={r.returncode} out={r.stdout[-500:]!r} err={r.stderr[-300:]!r}")

        # 11. A connection made with an explicitly chosen identity never serves a handle whose
        #     identity was selected by host: after a redirect to a host pinned to "no certificate",
        #     the idle connection there (made by the explicit handle) must not be reused.
        with tempfile.TemporaryDirectory(prefix="mxtls-explicit-") as td2:
            env2, _ = env_for(t, [(t.ids["rsa"], ["localhost"])], td2, t.pw)
            with open(os.path.join(td2, "client-certificates.json")) as f:
                entries = json.load(f)
            entries.append({"pfx": None, "pin_to": ["127.0.0.1"]})
            with open(os.path.join(td2, "client-certificates.json"), "w") as f:
                json.dump(entries, f)
            r = probe("--explicit-first", "0", "--follow", "--requests", "2",
                      f"https://127.0.0.1:{ports['tls13_ec']}/", f"https://localhost:{ports['redirect']}/", env=env2)
            rows = parse(r.stdout)
            check(f"{flav}: a redirect never reuses a connection the pins did not check (explicit identity's)",
                  len(rows) == 2 and subject(rows[0]) == "CN=client rsa" and rows[1]["error"]
                  and "CN=client" not in rows[1]["body"], f"out={r.stdout[-500:]!r} err={r.stderr[-300:]!r}")

        # 12. A handle that shares connections, performed in another thread than the one that set
        #     it up (curl does not support one pool across threads): refused, and said why; with
        #     connections of its own, it works. Refused before it takes or opens a connection.
        r = probe("--other-thread", urls[0])
        check(f"{flav}: a handle performed in another thread than its set-up is refused before connecting, "
              "with the reason",
              r.returncode != 0 and "last_error=usage: refused a request in another thread" in r.stdout
              and "connections_made=0" in r.stdout and "CN=client" not in r.stdout, f"out={r.stdout[-400:]!r} err={r.stderr[-300:]!r}")
        r = probe("--other-thread", "--own-connections", urls[0])
        rows = parse(r.stdout)
        check(f"{flav}: with connections of its own, a handle may run in another thread",
              r.returncode == 0 and rows and subject(rows[0]) == "CN=client rsa",
              f"out={r.stdout[-400:]!r} err={r.stderr[-300:]!r}")

        # 9. International names: pins, URL and what curl connects to compare in one form.
        if t.has_idn:
            idn = f"https://b\u00fccher.test:{ports['idn']}/"
            r = probe("--resolve", f"xn--bcher-kva.test:{ports['idn']}:127.0.0.1", idn,
                      env=dict(env, LC_ALL="C.UTF-8"))
            rows = parse(r.stdout)
            check(f"{flav}: an IDN URL selects the identity pinned to its punycode name",
                  r.returncode == 0 and rows and subject(rows[0]) == "CN=client ec",
                  f"out={r.stdout[-300:]!r} err={r.stderr[-300:]!r}")


def threaded_handle_check(t):
    """Threads that each make a new handle per request, two identities (ThreadSanitizer runs this)."""
    with tempfile.TemporaryDirectory(prefix="mxtls-handles-") as td:
        env, _ = env_for(t, [(t.ids["rsa"], ["localhost"]), (t.ids["ec"], ["127.0.0.1"])], td, t.pw)
        urls = [f"https://localhost:{t.ports['tls13_ec']}/", f"https://127.0.0.1:{t.ports['tls13_ec']}/"]
        r = t.run([t.hprobe, "--threads", "4", "--requests", "10"] + urls, env)
        rows = parse(r.stdout)
        right = all(subject(x) == {0: "CN=client rsa", 1: "CN=client ec"}[x["url"]] for x in rows)
        t.check(f"{t.flav}: 4 threads x 10 requests, a new handle each, two identities: each its own subject",
                r.returncode == 0 and len(rows) == 40 and right, f"rc={r.returncode} out={r.stdout[-500:]!r} "
                f"err={r.stderr[-500:]!r}")
