#!/usr/bin/env python3
"""Rotation without a restart, under load, against a real nginx.

Several threads make requests through libcurl (tests/tls/rotation_load) to an nginx that
requires client certificates and answers with the subject it saw, while this script replaces
the identity files many times: by rename-over-write (as editors do) and by a Kubernetes-style
..data symlink swap. Asserts: zero failed requests, the server sees each new subject after each
rotation, and every reload is reported. Prints 'N passed, N failed'.
"""
import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from net import free_port  # noqa: E402

results = {"passed": 0, "failed": 0}


def check(name, ok, detail=""):
    results["passed" if ok else "failed"] += 1
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else "\n     " + detail), flush=True)


def sh(*cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--load", required=True)
    ap.add_argument("--curl-mbedtls", default="")
    ap.add_argument("--rotations", type=int, default=12)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--wrapper", default="")
    args = ap.parse_args()
    wrapper = [w for w in args.wrapper.split(";") if w]
    d = tempfile.mkdtemp(prefix="mxtls-rot-")
    p = lambda *n: os.path.join(d, *n)

    def ec_key(path):
        sh("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path)

    for ca in ("server-ca", "client-ca"):
        ec_key(p(ca + ".key"))
        sh("openssl", "req", "-x509", "-key", p(ca + ".key"), "-out", p(ca + ".pem"), "-subj", "/CN=" + ca,
           "-days", "30", "-addext", "basicConstraints=critical,CA:TRUE")
    ec_key(p("srv.key"))
    sh("openssl", "req", "-new", "-key", p("srv.key"), "-out", p("srv.csr"), "-subj", "/CN=localhost")
    with open(p("srv.ext"), "w") as f:
        f.write("subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n")
    sh("openssl", "x509", "-req", "-in", p("srv.csr"), "-CA", p("server-ca.pem"), "-CAkey", p("server-ca.key"),
       "-CAcreateserial", "-days", "30", "-extfile", p("srv.ext"), "-out", p("srv.pem"))
    n_ids = 4 * (args.rotations + 1)  # two libcurls x two ways of replacing files
    for i in range(n_ids):
        k, c = p(f"rot-{i}.key"), p(f"rot-{i}.pem")
        ec_key(k)
        sh("openssl", "req", "-new", "-key", k, "-out", c + ".csr", "-subj", f"/CN=rot-{i}")
        sh("openssl", "x509", "-req", "-in", c + ".csr", "-CA", p("client-ca.pem"), "-CAkey", p("client-ca.key"),
           "-CAcreateserial", "-days", "30", "-out", c)
        sh("openssl", "pkcs12", "-export", "-inkey", k, "-in", c, "-passout", f"pass:pw-{i}",
           "-out", p(f"rot-{i}.p12"))

    port = free_port()
    os.makedirs(p("tmp"))
    with open(p("nginx.conf"), "w") as f:
        f.write(f"""daemon off; master_process off; worker_processes 1;
pid {d}/nginx.pid; error_log {d}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{ access_log off; client_body_temp_path {d}/tmp/b; proxy_temp_path {d}/tmp/p;
  fastcgi_temp_path {d}/tmp/f; uwsgi_temp_path {d}/tmp/u; scgi_temp_path {d}/tmp/s;
  server {{ listen 127.0.0.1:{port} ssl; ssl_certificate {d}/srv.pem; ssl_certificate_key {d}/srv.key;
    ssl_client_certificate {d}/client-ca.pem; ssl_verify_client on; keepalive_requests 100000;
    location / {{ return 200 "subject=$ssl_client_s_dn\\n"; }} }}
}}
""")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    ng = subprocess.Popen([nginx, "-c", p("nginx.conf"), "-p", d], stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)

    flavours = [("debian-libcurl", {})]
    if args.curl_mbedtls and os.path.exists(os.path.join(args.curl_mbedtls, "libcurl.so.4")):
        flavours.append(("curl-on-mbedtls", {"LD_LIBRARY_PATH": args.curl_mbedtls}))
    next_id = 0
    try:
        for flav, extra in flavours:
            for mode in ("rename", "kubernetes"):
                sec = p(f"secret-{flav}-{mode}")
                os.makedirs(sec)

                def install(i, first=False):
                    if mode == "rename":
                        # Editors: write aside, rename over. Two files, so a reload may see a
                        # new container with the old password: it must fail and keep the old.
                        for name, data in (("tls.p12", open(p(f"rot-{i}.p12"), "rb").read()),
                                           ("password", f"pw-{i}\n".encode())):
                            with open(os.path.join(sec, name + ".tmp"), "wb") as f:
                                f.write(data)
                            os.replace(os.path.join(sec, name + ".tmp"), os.path.join(sec, name))
                    else:
                        # Kubernetes: files live in a timestamped dir; ..data flips atomically.
                        ts = os.path.join(sec, f"..{i:04d}")
                        os.makedirs(ts)
                        shutil.copy(p(f"rot-{i}.p12"), os.path.join(ts, "tls.p12"))
                        with open(os.path.join(ts, "password"), "w") as f:
                            f.write(f"pw-{i}\n")
                        tmp = os.path.join(sec, "..data_tmp")
                        os.symlink(os.path.basename(ts), tmp)
                        old = os.path.realpath(os.path.join(sec, "..data")) if not first else None
                        os.replace(tmp, os.path.join(sec, "..data"))
                        if first:
                            os.symlink("..data/tls.p12", os.path.join(sec, "tls.p12"))
                            os.symlink("..data/password", os.path.join(sec, "password"))
                        elif old:
                            shutil.rmtree(old)

                install(next_id, first=True)
                env = dict(os.environ, **extra,
                           MXTLS_CLIENT_CERTIFICATE_FILE=os.path.join(sec, "tls.p12"),
                           MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE=os.path.join(sec, "password"),
                           MXTLS_CERTIFICATE_AUTHORITIES_FILE=p("server-ca.pem"), MXTLS_SYSTEM_ROOTS="0")
                proc = subprocess.Popen(wrapper + [args.load, f"https://localhost:{port}/", str(args.threads)],
                                        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                seen, lines, errs = {}, [], []
                lock = threading.Condition()

                def reader(stream, sink, count):
                    for line in stream:
                        with lock:
                            sink.append(line)
                            if count and line.startswith("subject="):
                                subj = line.strip().split("CN=")[-1]
                                seen[subj] = seen.get(subj, 0) + 1
                            lock.notify_all()

                t1 = threading.Thread(target=reader, args=(proc.stdout, lines, True), daemon=True)
                t2 = threading.Thread(target=reader, args=(proc.stderr, errs, False), daemon=True)
                t1.start()
                t2.start()

                def wait_for(subj, timeout=20):
                    end = time.time() + timeout
                    with lock:
                        while seen.get(subj, 0) < 3 and time.time() < end:
                            lock.wait(0.2)
                        return seen.get(subj, 0) >= 3

                all_seen = wait_for(f"rot-{next_id}", 30)
                first = next_id
                for r in range(args.rotations):
                    next_id += 1
                    install(next_id)
                    all_seen &= wait_for(f"rot-{next_id}")
                next_id += 1
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    proc.kill()
                t1.join(5)
                t2.join(5)
                summary = [l for l in lines if l.startswith("requests=")]
                failed = [l for l in lines if l.startswith("FAILED")]
                reloaded = sum("event reloaded" in e for e in errs)
                name = f"{flav}, {mode}: {args.rotations} rotations under {args.threads} threads"
                check(name + ": the server saw every new subject", all_seen,
                      f"seen={dict(sorted(seen.items()))} expected rot-{first}..rot-{next_id - 1}")
                check(name + ": zero failed requests", proc.returncode == 0 and not failed and summary,
                      f"rc={proc.returncode} summary={summary} failed={failed[:3]} stderr={''.join(errs[-5:])}")
                check(name + ": each rotation reported", reloaded >= args.rotations,
                      f"reloaded events={reloaded} stderr tail={''.join(errs[-8:])}")
                print(f"     {summary[0].strip() if summary else '-'}; reload failures (kept old): "
                      f"{sum('event reload_failed' in e for e in errs)}", flush=True)
    finally:
        ng.terminate()
        ng.wait(timeout=5)
        shutil.rmtree(d, ignore_errors=True)
    print(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
