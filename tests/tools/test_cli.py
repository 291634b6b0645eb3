#!/usr/bin/env python3
"""The mxtls tool as users meet it: `check` agrees with start-up and reload, `inspect --json`
always writes JSON, and password files that are not regular files fail at once.

usage: test_cli.py MXTLS HOSTILE_DIR   (files made by tests/corpus/make-hostile.py)
Prints 'N passed, N failed'; exit 1 on any failure.
"""
import json
import os
import subprocess
import sys
import tempfile

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

    print(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
