#!/usr/bin/env python3
"""The mxtls tool as users meet it: `check` agrees with start-up and reload, `inspect --json`
and `check --json` always write one JSON object with a stable code, help lists every option
the parsers accept, files of the wrong kind are named as what they are, algorithm OIDs are
named, password files that are not regular files fail at once, `get` explains TLS failures
(unknown authority, host name, validity, client certificate) on each libcurl it can find, and
`get` on a libcurl built on mbedTLS names a server key type mbedTLS cannot verify.

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

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from net import free_port, port_open  # noqa: E402

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

    test_help(mxtls)
    test_json(mxtls, hostile, tmp, pwfile)
    test_wrong_kind(mxtls, hostile, tmp)
    test_oid_names(mxtls, hostile, tmp)
    test_tls_failures(mxtls, tmp)
    test_server_key(mxtls, tmp)

    shutil.rmtree(tmp, ignore_errors=True)
    print(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


TOOLS = os.path.join(HERE, "..", "..", "tools")
COMMANDS = ("inspect", "get", "check", "pack")


def source_options(cmd):
    """The options a command's parser compares argv with, read from its source (so that a new
    option without help fails here). Password options are shared (mxtls.c), --help and -h
    are cli_is_help(), --json is cli_wants_json()."""
    import re
    files = [f"mxtls_{cmd}.c"] + (["mxtls.c"] if cmd in ("inspect", "get") else [])
    opts = {"--help", "-h"}
    for f in files:
        with open(os.path.join(TOOLS, f)) as fh:
            src = fh.read()
        opts |= set(re.findall(r'strcmp\((?:argv\[\*?i\]|opt), "(-{1,2}[a-zA-Z][-a-zA-Z]*)"\)', src))
        if "cli_wants_json" in src:
            opts.add("--json")
    return opts


def help_options(text):
    """Options listed in a help text's "Options:" section ("-L, --location", "--as IDENTIFIER")."""
    import re
    section = text.split("\nOptions:\n", 1)[1].split("\n\n", 1)[0]
    return {o for line in section.splitlines() for o in re.findall(r"(?<![\w-])(-{1,2}[a-zA-Z][-a-zA-Z]*)",
                                                                     line.split("   ")[0])}


def test_help(mxtls):
    def run(*args):
        return subprocess.run([mxtls] + list(args), capture_output=True, text=True, timeout=30)

    overview = run("help")
    check("help: `mxtls help` exits 0 and lists every command",
          overview.returncode == 0 and all(f"mxtls {c}" in overview.stdout for c in COMMANDS + ("version",)),
          overview.stdout[:300])
    for cmd in COMMANDS:
        outs = [run("help", cmd), run(cmd, "--help"), run(cmd, "-h")]
        check(f"help: `help {cmd}`, `{cmd} --help` and `{cmd} -h` exit 0 with the same text on stdout",
              all(r.returncode == 0 and r.stdout == outs[0].stdout and "Options:" in r.stdout
                  and "Exit status:" in r.stdout and "Examples:" in r.stdout for r in outs),
              [(r.returncode, r.stdout[:80], r.stderr[:80]) for r in outs])
        src, listed = source_options(cmd), help_options(outs[0].stdout)
        check(f"help {cmd}: lists exactly the options its parser accepts",
              src == listed, f"parser only: {sorted(src - listed)}, help only: {sorted(listed - src)}")
        missing = [o for o in src if o not in ("-h", "--help") and o not in overview.stdout]
        check(f"help: the overview lists every option of {cmd}", not missing, missing)
        # Every listed option gets past the parser (a value where it takes one).
        import re
        takes = set(re.findall(r"^ {2}(?:-\w, )?(--?[-a-zA-Z]+) [A-Z]+ ", outs[0].stdout, re.M))
        bad = []
        for o in listed - {"-h", "--help"}:
            args = [cmd, o] + (["1"] if o in takes else []) + (["https://127.0.0.1:1/"] if cmd == "get" else [])
            r = run(*args)
            if "unknown option" in r.stderr or "unknown option" in r.stdout:
                bad.append(o)
        check(f"help {cmd}: every listed option is accepted by the parser", not bad, bad)
        r = run(cmd, "--no-such-option")
        check(f"{cmd}: an unknown option exits 2 with a hint to `mxtls help {cmd}`",
              r.returncode == 2 and "unknown option --no-such-option" in r.stderr
              and f"Run 'mxtls help {cmd}' for the options." in r.stderr, r.stderr[-300:])
    man = os.path.join(HERE, "..", "..", "man", "mxtls.1")
    if os.path.exists(man):
        with open(man) as f:
            page = f.read().replace("\\-", "-")
        missing = sorted({o for c in COMMANDS for o in source_options(c) if o not in page})
        check("man/mxtls.1 documents every option the parsers accept", not missing, missing)
    r = run("frobnicate")
    check("an unknown command exits 2 and points to `mxtls help`",
          r.returncode == 2 and "unknown command 'frobnicate'" in r.stderr and "mxtls help" in r.stderr, r.stderr)
    r = run("help", "frobnicate")
    check("`mxtls help` of an unknown command exits 2", r.returncode == 2 and "frobnicate" in r.stderr, r.stderr)
    r = run("--version")
    lines = r.stdout.splitlines()
    check("--version names the tool, libmxtls, mbedTLS and the curl hand-off",
          r.returncode == 0 and len(lines) == 4 and lines[0].startswith("mxtls ")
          and lines[1].startswith("libmxtls ") and lines[2].startswith("mbedTLS 3.")
          and lines[3].startswith("curl hand-off: "), r.stdout)
    r = run()
    check("no command: the synopsis of every command on stderr, exit 2",
          r.returncode == 2 and all(f"mxtls {c}" in r.stderr for c in COMMANDS), r.stderr[:300])


def test_json(mxtls, hostile, tmp, pwfile):
    """--json: one object on stdout with a stable code for every outcome; exit codes as in text."""
    def run(args, env=None):
        base = {k: v for k, v in os.environ.items() if not k.startswith(("MXTLS_", "CLIENT_", "CERTIFICATE_"))}
        r = subprocess.run([mxtls] + args, capture_output=True, env=dict(base, **(env or {})), timeout=30)
        try:
            doc = json.loads(r.stdout)
        except ValueError:
            doc = None
        return r, doc

    h = lambda f: os.path.join(hostile, f)  # noqa: E731
    cases = [
        ("inspect: success", ["inspect", "--json", "--password-file", pwfile, h("base-default.p12")], None, 0, "ok"),
        ("inspect: wrong password", ["inspect", "--json", "--password", "nope", h("base-default.p12")], None, 1,
         "wrong_password"),
        ("inspect: missing file", ["inspect", "--json", os.path.join(tmp, "missing.p12")], None, 1, "io"),
        ("inspect: a directory", ["inspect", "--json", tmp], None, 1, "io"),
        ("inspect: missing password file", ["inspect", "--json", "--password-file", "/nonexistent",
                                            h("base-default.p12")], None, 2, "io"),
        ("inspect: --json after a bad option", ["inspect", "--bogus", "--json", h("base-default.p12")], None, 2,
         "usage"),
        ("inspect: no FILE", ["inspect", "--json"], None, 2, "usage"),
        ("inspect: unset --password-env", ["inspect", "--json", "--password-env", "MXTLS_NO_SUCH_VAR",
                                           h("base-default.p12")], None, 2, "usage"),
        ("inspect: a DER certificate is read (mxtls_inspect_file.c)", ["inspect", "--json", h("trust-der.cer")],
         None, 0, "ok"),
        ("inspect: unsupported algorithm", ["inspect", "--json", "--password", PW, h("pbes2-scrypt.p12")], None, 1,
         "unsupported_algorithm"),
        ("inspect: --require-mac", ["inspect", "--json", "--require-mac", "--password", PW, h("base-nomac.p12")],
         None, 1, "no_mac"),
        ("check: valid", ["check", "--json"], {"MXTLS_CLIENT_CERTIFICATE_FILE": h("base-default.p12"),
                                               "MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE": pwfile,
                                               "MXTLS_SYSTEM_ROOTS": "0",
                                               "MXTLS_CERTIFICATE_AUTHORITIES_FILE": h("trust-bundle.pem")}, 0, "ok"),
        ("check: bad CLIENT_CERTIFICATES JSON", ["check", "--json"], {"CLIENT_CERTIFICATES": '[{"pfx": '}, 1, "config"),
        ("check: bad pin", ["check", "--json"], {"CLIENT_CERTIFICATES": '[{"pfx": null, "pin_to": ["a:1"]}]'}, 1,
         "config"),
        ("check: expired identity", ["check", "--json"], {"MXTLS_CLIENT_CERTIFICATE_FILE": h("validity-expired.p12"),
                                                          "MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE": pwfile}, 1,
         "expired"),
        ("check: missing file", ["check", "--json"], {"MXTLS_CLIENT_CERTIFICATES_FILE": "/nonexistent"}, 1, "io"),
        ("check: an argument", ["check", "--json", "extra"], None, 2, "usage"),
    ]
    for name, args, env, want_rc, want_code in cases:
        r, doc = run(args, env)
        ok = (r.returncode == want_rc and isinstance(doc, dict) and doc.get("code") == want_code
              and isinstance(doc.get("message"), str) and doc["message"]
              and (want_code == "ok" or doc.get("error", {}).get("code") == want_code)
              and r.stdout.count(b"\n{") == 0)
        check(f"--json: {name}: exit {want_rc}, one object with code {want_code!r}", ok,
              f"rc={r.returncode} out={r.stdout[:300]!r} err={r.stderr[:200]!r}")
    r, doc = run(cases[0][1])
    check("inspect --json: the data keys are there",
          doc and {"file", "identities", "mac", "mac_algorithms", "encryption", "encryption_algorithms",
                   "warnings", "other_certificates"} <= set(doc), doc and sorted(doc))
    r, doc = run(*cases[11][1:3])
    check("check --json: identities, default, authorities and events",
          doc and {"identities", "default_identity", "authorities", "system_roots", "events"} <= set(doc)
          and doc["identities"][0]["default"] is True and doc["default_identity"] == 0, doc)
    r = subprocess.run([mxtls, "check"], capture_output=True, env={"CLIENT_CERTIFICATES": '[{"pfx": '}, timeout=30)
    check("check: bad CLIENT_CERTIFICATES JSON is labelled config, not usage",
          r.returncode == 1 and b"error (config): CLIENT_CERTIFICATES: invalid JSON" in r.stdout, r.stdout)


def test_wrong_kind(mxtls, hostile, tmp):
    """Files of the wrong kind are named as what they are (tools/mxtls_sniff.c)."""
    d = os.path.join(tmp, "kinds")
    os.mkdir(d)
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
            f"{d}/key.pem", "-out", f"{d}/cert.pem", "-subj", "/CN=kinds", "-days", "3")
    openssl("x509", "-in", f"{d}/cert.pem", "-outform", "DER", "-out", f"{d}/cert.der")
    openssl("pkcs8", "-topk8", "-nocrypt", "-in", f"{d}/key.pem", "-outform", "DER", "-out", f"{d}/key.der")
    openssl("ec", "-in", f"{d}/key.pem", "-out", f"{d}/ec.pem")
    openssl("ec", "-in", f"{d}/key.pem", "-outform", "DER", "-out", f"{d}/ec.der")
    openssl("pkcs8", "-topk8", "-in", f"{d}/key.pem", "-passout", "pass:x", "-out", f"{d}/enc.pem")
    openssl("pkcs8", "-topk8", "-in", f"{d}/key.pem", "-passout", "pass:x", "-outform", "DER", "-out", f"{d}/enc.der")
    openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", f"{d}/rsa8.pem")
    openssl("rsa", "-in", f"{d}/rsa8.pem", "-traditional", "-out", f"{d}/rsa.pem")
    openssl("rsa", "-in", f"{d}/rsa8.pem", "-traditional", "-outform", "DER", "-out", f"{d}/rsa.der")
    openssl("req", "-new", "-key", f"{d}/key.pem", "-subj", "/CN=kinds", "-out", f"{d}/csr.pem")
    openssl("req", "-in", f"{d}/csr.pem", "-outform", "DER", "-out", f"{d}/csr.der")
    openssl("crl2pkcs7", "-nocrl", "-certfile", f"{d}/cert.pem", "-out", f"{d}/p7.pem")
    openssl("crl2pkcs7", "-nocrl", "-certfile", f"{d}/cert.pem", "-outform", "DER", "-out", f"{d}/p7.der")
    with open(os.path.join(hostile, "base-default.p12"), "rb") as f, open(f"{d}/p12.b64", "w") as out:
        import base64
        out.write(base64.encodebytes(f.read()).decode())
    with open(f"{d}/certs.json", "w") as f:
        f.write('[{"pfx": "MIIK", "password": ""}]\n')
    expect = {"cert.der": ("x509-der", "an X.509 certificate (DER)"), "cert.pem": ("x509-pem", "PEM certificate text"),
              "key.pem": ("pkcs8-pem", "a private key (PEM, PRIVATE KEY)"),
              "key.der": ("pkcs8-der", "a private key (PKCS#8, DER)"),
              "ec.pem": ("ec-key-pem", "an EC private key (PEM, EC PRIVATE KEY)"),
              "ec.der": ("ec-key-der", "an EC private key (SEC 1, DER)"),
              "rsa.pem": ("rsa-key-pem", "an RSA private key (PEM, RSA PRIVATE KEY)"),
              "rsa.der": ("rsa-key-der", "an RSA private key (PKCS#1, DER)"),
              "enc.pem": ("pkcs8-encrypted-pem", "an encrypted private key (PEM, ENCRYPTED PRIVATE KEY)"),
              "enc.der": ("pkcs8-encrypted-der", "an encrypted private key (PKCS#8, DER)"),
              "csr.pem": ("csr-pem", "a certificate signing request (PEM)"),
              "csr.der": ("csr-der", "a certificate signing request (DER)"),
              "p7.pem": ("pkcs7-pem", "a PKCS#7 / CMS structure (PEM)"),
              "p7.der": ("pkcs7-der", "a PKCS#7 / CMS structure (DER)"),
              "p12.b64": ("pkcs12-base64", "a PKCS#12 container in base64"),
              "certs.json": ("json", "JSON")}
    wrong = []
    for f, (kind, text) in expect.items():
        r = subprocess.run([mxtls, "inspect", f"{d}/{f}"], capture_output=True, text=True, timeout=30)
        j = subprocess.run([mxtls, "inspect", "--json", f"{d}/{f}"], capture_output=True, text=True, timeout=30)
        try:
            doc = json.loads(j.stdout)
        except ValueError:
            doc = {}
        if f.startswith(("cert.", "key.", "ec.", "rsa.", "p7.")):
            # Certificates, .p7b and keys are read (tools/mxtls_inspect_file.c): exit 0, the kind named.
            ok = (r.returncode == 0 and f"{d}/{f}" in r.stdout and text in r.stdout
                  and j.returncode == 0 and doc.get("file_kind") == kind and doc.get("code") == "ok")
        elif f.startswith("enc."):
            # An encrypted key without its password: wrong_password, the kind named.
            ok = (r.returncode == 1 and "(wrong_password)" in r.stderr and j.returncode == 1
                  and doc.get("file_kind") == kind and doc.get("code") == "wrong_password")
        else:
            ok = (r.returncode == 1 and f"{d}/{f}: this is {text}, not a PKCS#12 container" in r.stderr
                  and j.returncode == 1 and doc.get("file_kind") == kind and doc.get("code") == "corrupt")
        if not ok:
            wrong.append((f, r.returncode, r.stderr.strip()[-160:], doc.get("file_kind")))
    check(f"inspect: {len(expect)} kinds of other file are each read or named as what they are", not wrong, wrong)
    r = subprocess.run([mxtls, "get", "--authorities", os.path.join(hostile, "base-default.p12"),
                        "https://127.0.0.1:1/"], capture_output=True, text=True, timeout=30)
    check("get --authorities client.p12: named a PKCS#12 container, pointed to --identity (exit 1)",
          r.returncode == 1 and "base-default.p12: this is a PKCS#12 container, not PEM authorities; use --identity"
          in r.stderr, r.stderr)
    r = subprocess.run([mxtls, "get", "--identity", f"{d}/cert.pem", "https://127.0.0.1:1/"],
                       capture_output=True, text=True, timeout=30)
    check("get --identity cert.pem: named PEM certificate text, pointed to --authorities (exit 1)",
          r.returncode == 1 and "cert.pem: this is PEM certificate text, not a PKCS#12 container for --identity; "
          "a CA certificate goes to --authorities" in r.stderr, r.stderr)
    r = subprocess.run([mxtls, "inspect", "--password", PW, os.path.join(hostile, "base-default.p12")],
                       capture_output=True, text=True, timeout=30)
    check("inspect: a real container is not second-guessed by the sniffer", r.returncode == 0, r.stderr)


def test_oid_names(mxtls, hostile, tmp):
    """Algorithm OIDs in inspect's output come with their names."""
    h = lambda f: os.path.join(hostile, f)  # noqa: E731
    for f, want in (("pbes2-scrypt.p12", "id-scrypt (1.3.6.1.4.1.11591.4.11)"),
                    ("pbes2-aes-gcm.p12", "aes256-GCM (2.16.840.1.101.3.4.1.46)"),
                    ("mac-gost.p12", "(1.2.643.7.1.1.2.2)")):
        r = subprocess.run([mxtls, "inspect", "--password", PW, h(f)], capture_output=True, text=True, timeout=30)
        check(f"inspect {f}: the unsupported algorithm is named: {want}",
              r.returncode == 1 and want in r.stderr and "unsupported_algorithm" in r.stderr, r.stderr)
    r = subprocess.run([mxtls, "inspect", "--password", PW, h("base-default.p12")], capture_output=True, text=True,
                       timeout=30)
    check("inspect: MAC, KDF, PRF and cipher named with their OIDs",
          "sha256 (2.16.840.1.101.3.4.2.1)" in r.stdout and "PBES2 (1.2.840.113549.1.5.13)" in r.stdout
          and "PBKDF2 (1.2.840.113549.1.5.12)" in r.stdout and "hmacWithSHA256 (1.2.840.113549.2.9)" in r.stdout
          and "aes256-CBC (2.16.840.1.101.3.4.1.42)" in r.stdout, r.stdout[:600])
    d = os.path.join(tmp, "oids")
    os.mkdir(d)
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
            f"{d}/k.pem", "-out", f"{d}/c.pem", "-subj", "/CN=oids", "-days", "3")
    openssl("pkcs12", "-export", "-inkey", f"{d}/k.pem", "-in", f"{d}/c.pem", "-passout", "pass:pw",
            "-macalg", "md5", "-out", f"{d}/md5.p12")
    openssl("pkcs12", "-export", "-inkey", f"{d}/k.pem", "-in", f"{d}/c.pem", "-passout", "pass:pw",
            "-legacy", "-out", f"{d}/legacy.p12")
    r = subprocess.run([mxtls, "inspect", "--password", "pw", f"{d}/md5.p12"], capture_output=True, text=True,
                       timeout=30)
    check("inspect: an MD5 MAC is named md5 (1.2.840.113549.2.5)",
          r.returncode == 1 and "unsupported digest algorithm md5 (1.2.840.113549.2.5)" in r.stderr, r.stderr)
    r = subprocess.run([mxtls, "inspect", "--json", "--password", "pw", f"{d}/legacy.p12"], capture_output=True,
                       text=True, timeout=30)
    doc = json.loads(r.stdout)
    check("inspect --json: legacy PBEs and the SHA-1 MAC named with their OIDs",
          doc["mac_algorithms"] == [{"name": "sha1", "oid": "1.3.14.3.2.26"}]
          and {"name": "pbeWithSHAAnd3-KeyTripleDES-CBC", "oid": "1.2.840.113549.1.12.1.3"}
          in [a for e in doc["encryption_algorithms"] for a in e]
          and len(doc["encryption_algorithms"]) == len(doc["encryption"]), doc)


def make_tls_pki(d):
    """Server CA, an unknown CA, a client CA; server certificates good, untrusted, for another
    name, expired, not yet valid; clients from the client CA and from the unknown CA."""
    import datetime
    import ipaddress
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    now = datetime.datetime.now(datetime.timezone.utc)
    day = datetime.timedelta(days=1)

    def name(cn):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def save(stem, k, c):
        with open(f"{d}/{stem}.key", "wb") as f:
            f.write(k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
        with open(f"{d}/{stem}.pem", "wb") as f:
            f.write(c.public_bytes(serialization.Encoding.PEM))

    def cert(cn, issuer, start, end, sans=None, eku=None, ca=False):
        k = ec.generate_private_key(ec.SECP256R1())
        b = (x509.CertificateBuilder().subject_name(name(cn)).public_key(k.public_key())
             .issuer_name(issuer[1].subject if issuer else name(cn)).serial_number(x509.random_serial_number())
             .not_valid_before(start).not_valid_after(end))
        if ca:
            b = b.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        if eku:
            b = b.add_extension(x509.ExtendedKeyUsage([eku]), critical=False)
        if sans:
            b = b.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        return k, b.sign(issuer[0] if issuer else k, hashes.SHA256())

    cas = {n: cert(cn, None, now - day, now + 30 * day, ca=True)
           for n, cn in (("server-ca", "cli server CA"), ("unknown-ca", "cli unknown CA"), ("client-ca", "cli client CA"))}
    for n, (k, c) in cas.items():
        save(n, k, c)
    sans = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    srv = ExtendedKeyUsageOID.SERVER_AUTH
    for n, (ca, start, end, s) in {"good": ("server-ca", now - day, now + 30 * day, sans),
                                   "untrusted": ("unknown-ca", now - day, now + 30 * day, sans),
                                   "othername": ("server-ca", now - day, now + 30 * day,
                                                 [x509.DNSName("other.example")]),
                                   "expired": ("server-ca", now - 30 * day, now - 2 * day, sans),
                                   "future": ("server-ca", now + 2 * day, now + 30 * day, sans)}.items():
        save(n, *cert(f"cli {n}", cas[ca], start, end, s, srv))
    for n, ca in (("client", "client-ca"), ("stranger", "unknown-ca")):
        save(n, *cert(f"cli {n}", cas[ca], now - day, now + 30 * day, eku=ExtendedKeyUsageOID.CLIENT_AUTH))
        openssl("pkcs12", "-export", "-inkey", f"{d}/{n}.key", "-in", f"{d}/{n}.pem", "-passout", "pass:pw",
                "-out", f"{d}/{n}.p12")


def test_tls_failures(mxtls, tmp):
    """`mxtls get` names the server, the certificate and the problem, on each libcurl found."""
    if shutil.which("openssl") is None:
        print("skip get: TLS failures (no openssl)")
        return
    d = os.path.join(tmp, "tls")
    os.mkdir(d)
    make_tls_pki(d)
    procs, ports = [], {}
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("MXTLS_", "CLIENT_", "CERTIFICATE_")) and "proxy" not in k.lower()}

    def s_server(name, cert, *extra, addr="127.0.0.1"):
        ports[name] = free_port()
        p = subprocess.Popen(["openssl", "s_server", "-accept", f"{addr}:{ports[name]}", "-cert", f"{d}/{cert}.pem",
                              "-key", f"{d}/{cert}.key", "-www", "-quiet", *extra],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(p)
        return p

    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    try:
        for n in ("good", "untrusted", "othername", "expired", "future"):
            s_server(n, n, "-tls1_2")
        # The good certificate holds localhost and 127.0.0.1; reached as 127.0.0.2 it is for another host.
        s_server("good2", "good", "-tls1_2", addr="127.0.0.2")
        s_server("require13", "good", "-tls1_3", "-Verify", "1", "-verify_return_error", "-CAfile",
                 f"{d}/client-ca.pem")
        s_server("require12", "good", "-tls1_2", "-Verify", "1", "-verify_return_error", "-CAfile",
                 f"{d}/client-ca.pem")
        if nginx:
            ports["nginx"] = free_port()
            with open(f"{d}/nginx.conf", "w") as f:
                f.write(f"""daemon off; master_process off; worker_processes 1; pid {d}/nginx.pid;
error_log {d}/nginx.log warn; events {{ worker_connections 64; }}
http {{ access_log off; client_body_temp_path {d}/t1; proxy_temp_path {d}/t2; fastcgi_temp_path {d}/t3;
  uwsgi_temp_path {d}/t4; scgi_temp_path {d}/t5;
  server {{ listen 127.0.0.1:{ports['nginx']} ssl; ssl_certificate {d}/good.pem; ssl_certificate_key {d}/good.key;
    ssl_client_certificate {d}/client-ca.pem; ssl_verify_client on; location / {{ return 200 "hello"; }} }} }}
""")
            procs.append(subprocess.Popen([nginx, "-c", f"{d}/nginx.conf", "-p", d], stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL))
        for name, port in ports.items():
            if not port_open(port, procs[list(ports).index(name)], host="127.0.0.2" if name == "good2" else "127.0.0.1"):
                check(f"get: test server {name} starts", False, "it did not")
                return

        flavours = [("debian-libcurl", mxtls, {})]
        gnutls = os.path.join(os.path.dirname(mxtls), "tests", "mxtls_cli_gnutls")
        if os.path.exists(gnutls):
            flavours.append(("debian-libcurl-gnutls", gnutls, {}))
        libdir = os.environ.get("MXTLS_CURL_MBEDTLS_LIBDIR") or os.path.join(HERE, "..", "..", ".deps",
                                                                            "curl-mbedtls", "lib")
        if os.path.exists(os.path.join(libdir, "libcurl.so.4")):
            flavours.append(("curl-on-mbedtls", mxtls, {"LD_LIBRARY_PATH": libdir}))
        for flav, tool, extra in flavours:
            def get(srv, *args, host="localhost"):
                return subprocess.run([tool, "get", "--connect-timeout", "10", "--authorities", f"{d}/server-ca.pem",
                                       *args, f"https://{host}:{ports[srv]}/"], capture_output=True, text=True,
                                      env=dict(env, **extra), timeout=60)

            r = get("good")
            check(f"{flav}: the good server answers", r.returncode == 0, r.stderr[-300:])
            p = ports
            cases = [
                ("untrusted", (), 3, [f"localhost:{p['untrusted']} presented a certificate for CN=cli untrusted, "
                                      "issued by CN=cli unknown CA",
                                      "unknown authority: CN=cli unknown CA is not among the authorities we trust",
                                      "--authorities FILE"]),
                ("othername", (), 3, [f"localhost:{p['othername']} presented a certificate for CN=cli othername",
                                      "host name mismatch: the certificate is for other.example, not for localhost"]),
                ("expired", (), 3, ["presented a certificate for CN=cli expired",
                                    "expired: the certificate (or one of its chain) was valid until 20"]),
                ("future", (), 3, ["presented a certificate for CN=cli future",
                                   "not yet valid: the certificate (or one of its chain) is valid from 20"]),
                ("require12", ("--identity", f"{d}/stranger.p12", "--password", "pw"), 3,
                 [f"localhost:{p['require12']} refused our client certificate CN=cli stranger"]
                 if flav == "debian-libcurl" else [f"localhost:{p['require12']}"]),
                ("require13", (), 4, [f"localhost:{p['require13']} requires a client certificate, and we sent none"]
                 if flav == "debian-libcurl" else
                 [f"localhost:{p['require13']} ended the connection with a TLS alert; we sent no client certificate"]),
            ]
            stranger = ("--identity", f"{d}/stranger.p12", "--password", "pw")
            cases.append(("require13", stranger, 4,
                          [f"localhost:{p['require13']} refused our client certificate CN=cli stranger: it does "
                           "not trust its issuer"] if flav == "debian-libcurl" else
                          [f"localhost:{p['require13']} ended the connection with a TLS alert after the handshake; "
                           "it may have refused our client certificate CN=cli stranger"]))
            if nginx:
                cases.append(("nginx", (), 5, [f"127.0.0.1:{p['nginx']} requires a client certificate, "
                                               "and we sent none", "HTTP status 400"]))
                cases.append(("nginx", stranger, 5, [f"127.0.0.1:{p['nginx']} refused our client certificate "
                                                     "CN=cli stranger", "HTTP status 400"]))
                r = get("nginx", "--identity", f"{d}/client.p12", "--password", "pw", host="127.0.0.1")
                check(f"{flav}: nginx requiring a client certificate accepts ours",
                      r.returncode == 0 and r.stdout == "hello", f"rc={r.returncode} err={r.stderr[-300:]!r}")
            for srv, args, rc, wants in cases:
                r = get(srv, *args, host="127.0.0.1" if srv == "nginx" else "localhost")
                missing = [w for w in wants if w not in r.stderr]
                check(f"{flav}: {srv}: exit {rc}, says {wants[-1][:60]!r}...",
                      r.returncode == rc and not missing
                      and ("mxtls get: curl: " in r.stderr or srv == "nginx"),
                      f"rc={r.returncode} missing={missing} err={r.stderr[-600:]!r}")
            # Mismatch by address: the good certificate holds 127.0.0.1, not 127.0.0.2.
            r = get("good2", host="127.0.0.2")
            check(f"{flav}: a host the certificate is not for (127.0.0.2): names the certificate's names",
                  r.returncode == 3 and "host name mismatch: the certificate is for localhost, 127.0.0.1, "
                  "not for 127.0.0.2" in r.stderr, r.stderr[-500:])
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


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
            if not port_open(port, proc):
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
        check(f"get (curl on mbedTLS): a P-256 server of another CA ({version}) gets no key-type line, "
              "but names the authority",
              r is not None and r.returncode == 3 and b"not OK" in r.stderr
              and b"server's certificate has" not in r.stderr and b"TLS 1.3" not in r.stderr
              and b"unknown authority: CN=probe CA is not among the authorities we trust" in r.stderr,
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
