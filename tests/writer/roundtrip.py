#!/usr/bin/env python3
"""Containers written by libmxtls, read by the real tools.

usage: roundtrip.py WRITE_P12 WORKDIR [VECTORS_DIR]

For each profile (modern, compat, pbmac1) and key type (RSA-2048, EC P-256), a leaf
with a 2-certificate chain is written by WRITE_P12 (tests/writer/write_p12.c) and
read by: openssl pkcs12 (the system's OpenSSL 3.x, default provider), keytool
(OpenJDK), certtool (GnuTLS), pk12util (NSS), Node's tls.createSecureContext (a TLS
handshake whose server presents the container), pyca/cryptography (with its own
bundled OpenSSL), and an independent Python check of the MAC (RFC 7292 B.2 KDF or
RFC 9579 PBMAC1, written here from the RFCs with hashlib). Each reader must report the
same leaf SHA-256 fingerprint and, where it exposes it, a private key matching the leaf.

PBMAC1 is new (RFC 9579, 2024): a reader that predates it must fail *on the MAC*, and
the test says which ones did; a reader that supports it must pass like the others.
Prints one line per check and 'N passed, N failed'; exit 1 on any failure.
"""
import base64
import hashlib
import hmac
import os
import re
import shutil
import subprocess
import sys

results = {"passed": 0, "failed": 0}
ASCII_PW = "secret pw"
UTF8_PW = "p\u00e4ssw\u00f6rd-\u2713"  # Java's PBE refuses non-ASCII passwords: not used with keytool


def check(name, ok, detail=""):
    results["passed" if ok else "failed"] += 1
    print(f"{'ok  ' if ok else 'FAIL'} {name}" + ("" if ok else f"\n     {detail}"), flush=True)


def note(text):
    print(f"note {text}", flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, timeout=120, **kw)


def fp_pem(pem_text):
    """SHA-256 fingerprints (hex, upper, no colons) of every certificate in PEM text."""
    out = []
    for b in re.findall(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", pem_text, re.S):
        out.append(hashlib.sha256(base64.b64decode("".join(b.split()))).hexdigest().upper())
    return out


def colon_fp(text):
    return [s.replace(":", "").upper() for s in re.findall(r"(?:[0-9A-F]{2}:){31}[0-9A-F]{2}", text)]


# ---- a small DER reader and the two MACs, from RFC 7292 and RFC 9579 -------------------------

def der(buf, i=0):
    """(tag, content_start, content_end, next) of the element at i; definite lengths only."""
    tag, n = buf[i], buf[i + 1]
    i += 2
    if n & 0x80:
        k = n & 0x7F
        assert 1 <= k <= 4, "indefinite or huge length in our own DER output"
        n = int.from_bytes(buf[i:i + k], "big")
        i += k
    return tag, i, i + n, i + n


def children(buf, start, end):
    out, i = [], start
    while i < end:
        t, s, e, i = der(buf, i)
        out.append((t, s, e))
    assert i == end
    return out


def p12_kdf(hname, pw_bmp, salt, iters, ident, n):
    """RFC 7292 appendix B.2."""
    h = hashlib.new(hname)
    u, v = h.digest_size, h.block_size
    D = bytes([ident]) * v

    def fill(x):  # x repeated to v * ceil(len(x) / v) bytes
        n = v * ((len(x) + v - 1) // v)
        return (x * (n // len(x) + 1))[:n] if x else b""

    S, P = fill(salt), fill(pw_bmp)
    I = bytearray(S + P)
    out = b""
    while len(out) < n:
        A = D + bytes(I)
        for _ in range(iters):
            A = hashlib.new(hname, A).digest()
        out += A
        B = (A * ((v + u - 1) // u))[:v]
        b = int.from_bytes(B, "big") + 1
        for j in range(0, len(I), v):
            x = (int.from_bytes(I[j:j + v], "big") + b) % (1 << (8 * v))
            I[j:j + v] = x.to_bytes(v, "big")
    return out[:n]


OID_SHA1 = bytes.fromhex("2b0e03021a")
OID_SHA256 = bytes.fromhex("608648016503040201")
OID_PBMAC1 = bytes.fromhex("2a864886f70d01050e")
OID_HMAC_SHA256 = bytes.fromhex("2a864886f70d0209")


def verify_mac(data, password):
    """Independent MAC check of a PFX; returns a description or raises."""
    t, s, e, _ = der(data)
    version, auth_safe, mac_data = children(data, s, e)
    ci = children(data, auth_safe[1], auth_safe[2])
    explicit = children(data, ci[1][1], ci[1][2])[0]
    content = data[explicit[1]:explicit[2]]
    digest_info, mac_salt, mac_iter = children(data, mac_data[1], mac_data[2])
    alg, digest = children(data, digest_info[1], digest_info[2])
    alg_parts = children(data, alg[1], alg[2])
    oid = data[alg_parts[0][1]:alg_parts[0][2]]
    want = data[digest[1]:digest[2]]
    if oid == OID_PBMAC1:
        kdf, scheme = children(data, alg_parts[1][1], alg_parts[1][2])
        kdf_oid, kdf_params = children(data, kdf[1], kdf[2])
        salt, iters, keylen, prf = children(data, kdf_params[1], kdf_params[2])
        salt = data[salt[1]:salt[2]]
        iters = int.from_bytes(data[iters[1]:iters[2]], "big")
        keylen = int.from_bytes(data[keylen[1]:keylen[2]], "big")
        prf_oid = data[children(data, prf[1], prf[2])[0][1]:children(data, prf[1], prf[2])[0][2]]
        mac_oid = data[children(data, scheme[1], scheme[2])[0][1]:children(data, scheme[1], scheme[2])[0][2]]
        assert prf_oid == OID_HMAC_SHA256 and mac_oid == OID_HMAC_SHA256 and keylen == 32
        key = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iters, keylen)
        got = hmac.new(key, content, "sha256").digest()
        desc = f"PBMAC1 PBKDF2-HMAC-SHA256 keyLength {keylen}, HMAC-SHA256, {iters} iterations"
    else:
        hname = {OID_SHA1: "sha1", OID_SHA256: "sha256"}[oid]
        salt = data[mac_salt[1]:mac_salt[2]]
        iters = int.from_bytes(data[mac_iter[1]:mac_iter[2]], "big")
        bmp = password.encode("utf-16-be") + b"\0\0"
        key = p12_kdf(hname, bmp, salt, iters, 3, hashlib.new(hname).digest_size)
        got = hmac.new(key, content, hname).digest()
        desc = f"HMAC-{hname.upper()} (PKCS#12 KDF), {iters} iterations, {len(salt)}-byte salt"
    if not hmac.compare_digest(got, want):
        raise ValueError("MAC mismatch")
    return desc


# ---- the readers -------------------------------------------------------------------------------

def openssl_version():
    m = re.search(r"OpenSSL (\d+)\.(\d+)", run(["openssl", "version"]).stdout.decode(errors='replace'))
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


def read_openssl(path, pw, profile, ctx):
    tag = f"openssl {ctx['osslv'][0]}.{ctx['osslv'][1]} {ctx['name']}"
    base = ["openssl", "pkcs12", "-in", path, "-passin", f"pass:{pw}"]
    r = run(base + ["-nokeys", "-clcerts"])
    if profile == "pbmac1" and ctx["osslv"] < (3, 4):
        err = r.stderr.decode(errors='replace')
        check(f"{tag}: refuses the PBMAC1 MAC (before 3.4)", r.returncode != 0 and "PBMAC1" in err, err[-300:])
        base.append("-nomacver")
        r = run(base + ["-nokeys", "-clcerts"])
        tag += " -nomacver"
    out = r.stdout.decode(errors='replace')
    check(f"{tag}: leaf fingerprint", r.returncode == 0 and fp_pem(out) == [ctx["leaf_fp"]],
          r.stderr.decode(errors='replace')[-300:] + str(fp_pem(out)))
    r = run(base + ["-nokeys", "-cacerts"])
    check(f"{tag}: chain", r.returncode == 0 and fp_pem(r.stdout.decode(errors='replace')) == [ctx["ca_fp"]],
          r.stderr.decode(errors='replace')[-300:])
    r = run(base + ["-nocerts", "-nodes"])
    pub = run(["openssl", "pkey", "-pubout"], input=r.stdout).stdout
    check(f"{tag}: private key matches the leaf", r.returncode == 0 and pub == ctx["leaf_pub"],
          r.stderr.decode(errors='replace')[-300:])
    if profile != "pbmac1" or ctx["osslv"] >= (3, 4):
        r = run(["openssl", "pkcs12", "-in", path, "-passin", "pass:wrong", "-noout"])
        check(f"{tag}: wrong password refused", r.returncode != 0)


def read_keytool(path, pw, profile, ctx):
    if not shutil.which("keytool"):
        note("keytool not found: skipped")
        return
    r = run(["keytool", "-list", "-v", "-storetype", "PKCS12", "-keystore", path, "-storepass", pw])
    out = r.stdout.decode(errors='replace') + r.stderr.decode(errors='replace')
    tag = f"keytool {ctx['name']}"
    if profile == "pbmac1" and r.returncode != 0:
        check(f"{tag}: no PBMAC1 support, fails on the MAC algorithm",
              "1.2.840.113549.1.5.14" in out or "PBMAC1" in out, out[-300:])
        return
    fps = colon_fp(out)
    check(f"{tag}: PrivateKeyEntry, alias from friendlyName, chain of 2, leaf fingerprint",
          r.returncode == 0 and "Entry type: PrivateKeyEntry" in out and
          f"Alias name: {ctx['alias']}" in out and "Certificate chain length: 2" in out and
          fps[:2] == [ctx["leaf_fp"], ctx["ca_fp"]], out[-400:])


def read_certtool(path, pw, profile, ctx):
    if not shutil.which("certtool"):
        note("certtool not found: skipped")
        return
    r = run(["certtool", "--p12-info", "--inder", "--password", pw, "--infile", path])
    out = r.stdout.decode(errors='replace') + r.stderr.decode(errors='replace')
    tag = f"certtool {ctx['name']}"
    if profile == "pbmac1" and r.returncode != 0:
        check(f"{tag}: no PBMAC1 support, fails on the MAC algorithm",
              "verify_mac" in out and "unknown" in out, out[-300:])
        return
    check(f"{tag}: MAC verified, leaf and chain fingerprints",
          r.returncode == 0 and ctx["leaf_fp"] in fp_pem(out) and ctx["ca_fp"] in fp_pem(out),
          out[-400:])


def read_pk12util(path, pw, profile, ctx):
    if not shutil.which("pk12util"):
        note("pk12util not found: skipped")
        return
    db = os.path.join(ctx["work"], "nssdb")
    if not os.path.isdir(db):
        os.makedirs(db)
        run(["certutil", "-N", "-d", f"sql:{db}", "--empty-password"])
    r = run(["pk12util", "-l", path, "-W", pw, "-d", f"sql:{db}"])
    out = r.stdout.decode(errors='replace') + r.stderr.decode(errors='replace')
    tag = f"pk12util {ctx['name']}"
    if profile == "pbmac1" and r.returncode != 0:
        # NSS reports an unknown MAC algorithm as a bad password.
        check(f"{tag}: no PBMAC1 support, fails verifying the MAC", "decode not verified" in out, out[-300:])
        return
    fps = colon_fp(out)
    check(f"{tag}: key bag listed, leaf and chain fingerprints",
          r.returncode == 0 and "Key(shrouded)" in out and fps[:1] == [ctx["leaf_fp"]] and ctx["ca_fp"] in fps,
          out[-400:])


NODE_JS = r"""
const tls = require('tls'), fs = require('fs');
const pfx = fs.readFileSync(process.argv[1]);
let ctx;
try { ctx = tls.createSecureContext({pfx, passphrase: process.argv[2]}); }
catch (e) { console.log('ERR ' + e.message); process.exit(3); }
const srv = tls.createServer({pfx, passphrase: process.argv[2]}, s => s.end());
srv.listen(0, '127.0.0.1', () => {
  const c = tls.connect({port: srv.address().port, host: '127.0.0.1', rejectUnauthorized: false}, () => {
    console.log('FP ' + c.getPeerCertificate().fingerprint256);
    c.end(); srv.close();
  });
  c.on('error', e => { console.log('ERR ' + e.message); process.exit(4); });
});
"""


def read_node(path, pw, profile, ctx):
    if not shutil.which("node"):
        note("node not found: skipped")
        return
    r = run(["node", "-e", NODE_JS, path, pw])
    out = r.stdout.decode(errors='replace') + r.stderr.decode(errors='replace')
    tag = f"node {ctx['nodev']} {ctx['name']}"
    if profile == "pbmac1" and r.returncode != 0:
        check(f"{tag}: no PBMAC1 support (its OpenSSL predates 3.4)", "ERR" in out, out[-300:])
        return
    check(f"{tag}: TLS server presents the leaf", r.returncode == 0 and colon_fp(out) == [ctx["leaf_fp"]],
          out[-300:])
    r = run(["node", "-e", NODE_JS, path, "wrong"])
    check(f"{tag}: wrong passphrase refused", r.returncode == 3)


def read_pyca(path, pw, profile, ctx):
    try:
        from cryptography.hazmat.backends.openssl import backend
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.serialization import pkcs12
    except ImportError:
        note("pyca/cryptography not importable: skipped")
        return
    ver = backend.openssl_version_text()
    tag = f"pyca/cryptography ({ver}) {ctx['name']}"
    data = open(path, "rb").read()
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, pw.encode())
    except Exception as e:  # noqa: BLE001
        ok = profile == "pbmac1" and re.search(r"OpenSSL 3\.[0-3]\.", ver) is not None
        check(f"{tag}: load" + (" (PBMAC1 unsupported before 3.4)" if ok else ""), ok, str(e))
        return
    pub = key.public_key().public_bytes(serialization.Encoding.PEM,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    check(f"{tag}: leaf, chain, key",
          cert.fingerprint(hashes.SHA256()).hex().upper() == ctx["leaf_fp"] and
          [c.fingerprint(hashes.SHA256()).hex().upper() for c in extra] == [ctx["ca_fp"]] and
          pub == ctx["leaf_pub"])
    # The MAC value is the last OCTET STRING before macSalt: flip its last byte.
    t, s, e, _ = der(data)
    mac_data = children(data, s, e)[2]
    digest = children(data, children(data, mac_data[1], mac_data[2])[0][1],
                      children(data, mac_data[1], mac_data[2])[0][2])[1]
    bad = bytearray(data)
    bad[digest[2] - 1] ^= 1
    try:
        pkcs12.load_key_and_certificates(bytes(bad), pw.encode())
        check(f"{tag}: a damaged MAC is refused (the MAC is verified)", False, "loaded")
    except Exception:  # noqa: BLE001
        check(f"{tag}: a damaged MAC is refused (the MAC is verified)", True)


def read_independent(path, pw, profile, ctx):
    try:
        desc = verify_mac(open(path, "rb").read(), pw)
        check(f"independent MAC check {ctx['name']}: {desc}", True)
    except Exception as e:  # noqa: BLE001
        check(f"independent MAC check {ctx['name']}", False, repr(e))


def main():
    writer, work = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    vectors = os.path.abspath(sys.argv[3]) if len(sys.argv) > 3 else None
    if os.path.isdir(work):
        shutil.rmtree(work)
    os.makedirs(work)
    os.chdir(work)

    def sh(*cmd):
        r = run(list(cmd))
        if r.returncode != 0:
            sys.exit(f"setup failed: {' '.join(cmd)}\n{r.stderr.decode(errors='replace')}")
        return r.stdout

    # A CA and two leaves it signs (RSA-2048, EC P-256).
    sh("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
       "-subj", "/CN=mxtls writer test CA", "-days", "30", "-addext", "basicConstraints=critical,CA:TRUE")
    sh("openssl", "x509", "-in", "ca.pem", "-outform", "DER", "-out", "ca.der")
    for kt, spec in (("rsa", ["-newkey", "rsa:2048"]), ("ec", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"])):
        sh("openssl", "req", "-new", *spec, "-nodes", "-keyout", f"{kt}.key", "-out", f"{kt}.csr",
           "-subj", f"/CN=writer-{kt}-leaf")
        sh("openssl", "x509", "-req", "-in", f"{kt}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
           "-out", f"{kt}.pem", "-days", "30")
        sh("openssl", "x509", "-in", f"{kt}.pem", "-outform", "DER", "-out", f"{kt}.der")
        # PKCS#1 / SEC1 ("traditional") for RSA, PKCS#8 for EC: both input forms get used.
        fmt = ["-traditional"] if kt == "rsa" else []
        sh("openssl", "pkey", "-in", f"{kt}.key", *fmt, "-outform", "DER", "-out", f"{kt}.key.der")

    osslv = openssl_version()
    nodev = run(["node", "--version"]).stdout.decode(errors='replace').strip() if shutil.which("node") else "-"
    ca_fp = hashlib.sha256(open("ca.der", "rb").read()).hexdigest().upper()
    for kt in ("rsa", "ec"):
        leaf_fp = hashlib.sha256(open(f"{kt}.der", "rb").read()).hexdigest().upper()
        leaf_pub = sh("openssl", "x509", "-in", f"{kt}.pem", "-noout", "-pubkey")
        for profile in ("modern", "compat", "pbmac1"):
            for pw in (ASCII_PW, UTF8_PW):
                name = f"{profile}/{kt}/{'ascii' if pw == ASCII_PW else 'utf8'}-password"
                out = f"{profile}-{kt}-{'a' if pw == ASCII_PW else 'u'}.p12"
                alias = f"writer {kt} \u00e9"  # a non-ASCII friendlyName, as a BMPString
                r = run([writer, "--profile", profile, "--out", out, "--pass", pw, "--key", f"{kt}.key.der",
                         "--cert", f"{kt}.der", "--cert", "ca.der", "--name", alias])
                check(f"write {name}", r.returncode == 0, r.stderr.decode(errors='replace'))
                if r.returncode != 0:
                    continue
                ctx = dict(name=name, leaf_fp=leaf_fp, ca_fp=ca_fp, leaf_pub=leaf_pub, osslv=osslv,
                           nodev=nodev, work=work, alias=alias)
                read_independent(out, pw, profile, ctx)
                read_openssl(out, pw, profile, ctx)
                read_certtool(out, pw, profile, ctx)
                read_pyca(out, pw, profile, ctx)
                if pw == ASCII_PW:
                    # Java's PBE key factory refuses non-ASCII passwords ("Password is not ASCII"),
                    # for OpenSSL's files as for ours; NSS's pk12util and Node get the ASCII one too.
                    read_keytool(out, pw, profile, ctx)
                    read_pk12util(out, pw, profile, ctx)
                    read_node(out, pw, profile, ctx)

    # Re-encrypting a legacy RC2-40 file (OpenSSL 3 needs -legacy for it) to modern.
    if vectors and os.path.exists(os.path.join(vectors, "pyca__cert-rc2-key-3des.p12")):
        src = os.path.join(vectors, "pyca__cert-rc2-key-3des.p12")
        r = run(["openssl", "pkcs12", "-in", src, "-passin", "pass:cryptography", "-nokeys", "-noout"])
        note(f"openssl default provider on the RC2 original: rc={r.returncode}")
        r = run([writer, "--profile", "modern", "--out", "reenc.p12", "--pass", ASCII_PW, "--from", src,
                 "--from-pass", "cryptography"])
        check("re-encrypt pyca cert-rc2-key-3des.p12 to modern", r.returncode == 0, r.stderr.decode(errors='replace'))
        legacy = run(["openssl", "pkcs12", "-legacy", "-in", src, "-passin", "pass:cryptography", "-nokeys",
                      "-clcerts"]).stdout.decode(errors='replace')
        r = run(["openssl", "pkcs12", "-in", "reenc.p12", "-passin", f"pass:{ASCII_PW}", "-nokeys", "-clcerts"])
        check("openssl default provider reads the re-encrypted file, same leaf",
              r.returncode == 0 and fp_pem(r.stdout.decode(errors='replace')) == fp_pem(legacy) and fp_pem(legacy),
              r.stderr.decode(errors='replace')[-300:])

    print(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
