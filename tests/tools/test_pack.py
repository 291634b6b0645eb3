#!/usr/bin/env python3
"""`mxtls pack` as users run it, on inputs openssl makes (tests/readers/make-inputs.sh): the
leaf is found by its key whatever the order, the chain is ordered and completed, the output is
read back by `mxtls inspect --json`, `openssl pkcs12` (OpenSSL 3 default mode) and Node with the
same leaf SHA-256; key_mismatch, an empty password, atomic writes (mode 0600, nothing left on
failure), --from a legacy RC2-40 vector, every profile, and the --json shape.

usage: test_pack.py MXTLS INPUT_DIR VECTORS_DIR
Prints 'N passed, N failed'; exit 1 on any failure.
"""
import hashlib
import json
import os
import shutil
import stat
import struct
import subprocess
import sys
import tempfile

results = {"passed": 0, "failed": 0}

# Passwords of the keystores of make-inputs.sh.
JKS_SP, JKS_KP = "störe-pass€🔑", "kéy-pass"
JCEKS_SP, JCEKS_KP = "store-pass", "key-pass"


# ---- a JKS writer of our own, to make stores keytool will not (one entry, a short chain) ----

def jks_entries(data):
    """The entries of a JKS (no secret keys): [tag, alias, date, protected key, [(type, der)]]."""
    off = 12
    out = []

    def u32():
        nonlocal off
        off += 4
        return struct.unpack(">I", data[off - 4:off])[0]

    def utf():
        nonlocal off
        n = struct.unpack(">H", data[off:off + 2])[0]
        off += 2 + n
        return data[off - n:off]

    def blob():
        nonlocal off
        n = u32()
        off += n
        return data[off - n:off]

    for _ in range(struct.unpack(">I", data[8:12])[0]):
        tag, alias, date = u32(), utf(), data[off:off + 8]
        off += 8
        if tag == 1:
            key = blob()
            certs = [(utf(), blob()) for _ in range(u32())]
        else:
            key, certs = None, [(utf(), blob())]
        out.append([tag, alias, date, key, certs])
    return out


def jks_store(entries, store_pw):
    """A JKS version 2 of entries, sealed under store_pw (Java chars: UTF-16BE)."""
    def utf(b):
        return struct.pack(">H", len(b)) + b
    out = struct.pack(">III", 0xFEEDFEED, 2, len(entries))
    for tag, alias, date, key, certs in entries:
        out += struct.pack(">I", tag) + utf(alias) + date
        if tag == 1:
            out += struct.pack(">I", len(key)) + key + struct.pack(">I", len(certs))
        out += b"".join(utf(t) + struct.pack(">I", len(d)) + d for t, d in certs)
    return out + hashlib.sha1(store_pw.encode("utf-16-be") + b"Mighty Aphrodite" + out).digest()


def jdk_stream(salt, pw, n):
    """The JDK key protector's keystream: SHA-1(pw || salt), then SHA-1(pw || previous)."""
    out, d = b"", salt
    while len(out) < n:
        d = hashlib.sha1(pw + d).digest()
        out += d
    return out[:n]


def jdk_protect(pkcs8, pw):
    """EncryptedPrivateKeyInfo { 1.3.6.1.4.1.42.2.17.1.1 NULL, salt || key XOR stream || check }."""
    def der(tag, body):
        n = len(body)
        return bytes([tag]) + (bytes([n]) if n < 128 else bytes([0x82, n >> 8, n & 0xff])) + body
    salt, p = os.urandom(20), pw.encode("utf-16-be")
    data = salt + bytes(a ^ b for a, b in zip(pkcs8, jdk_stream(salt, p, len(pkcs8))))
    data += hashlib.sha1(p + pkcs8).digest()
    alg = der(0x30, bytes.fromhex("060a2b060104012a021101010500"))
    return der(0x30, alg + der(0x04, data))


def jdk_reprotect(epki, old_pw, new_pw):
    """The JDK key protector's data (salt || key XOR SHA-1 stream || check) under another password:
    the EncryptedPrivateKeyInfo keeps its length."""
    stream = jdk_stream
    def header(off):  # DER tag and length at off: (offset of the value, its length)
        n = epki[off + 1]
        if n < 0x80:
            return off + 2, n
        k = n & 0x7f
        return off + 2 + k, int.from_bytes(epki[off + 2:off + 2 + k], "big")
    at, _ = header(0)  # EncryptedPrivateKeyInfo SEQUENCE
    alg, alen = header(at)  # AlgorithmIdentifier
    at, n = header(alg + alen)  # encryptedData OCTET STRING
    body = epki[at:at + n]
    salt, enc, check = body[:20], body[20:-20], body[-20:]
    old, new = old_pw.encode("utf-16-be"), new_pw.encode("utf-16-be")
    key = bytes(a ^ b for a, b in zip(enc, stream(salt, old, len(enc))))
    assert hashlib.sha1(old + key).digest() == check, "not the JDK key protector's data"
    enc = bytes(a ^ b for a, b in zip(key, stream(salt, new, len(key))))
    return epki[:at] + salt + enc + hashlib.sha1(new + key).digest()


def check(name, ok, detail=""):
    results["passed" if ok else "failed"] += 1
    print(f"{'ok  ' if ok else 'FAIL'} {name}" + ("" if ok else f"\n     {detail}"))


def main():
    mxtls, inputs, vectors = sys.argv[1], sys.argv[2], sys.argv[3]
    tmp = tempfile.mkdtemp(prefix="mxtls-pack-")
    pwfile = os.path.join(tmp, "pw")
    with open(pwfile, "w") as f:
        f.write("pack-pw\n")
    empty = os.path.join(tmp, "empty")
    open(empty, "w").close()
    env = dict(os.environ, INPW="s3cret", RC2PW="cryptography", JKS_SP=JKS_SP, JKS_KP=JKS_KP,
               JCEKS_SP=JCEKS_SP, JCEKS_KP=JCEKS_KP)

    def inp(name):
        return os.path.join(inputs, name)

    def pack(*args, json_out=True):
        r = subprocess.run([mxtls, "pack"] + list(args) + (["--json"] if json_out else []),
                           capture_output=True, text=True, env=env, timeout=120)
        try:
            j = json.loads(r.stdout) if json_out else None
        except ValueError:
            j = None
        return r, j

    def pem_sha256(path):
        der = subprocess.run(["openssl", "x509", "-in", path, "-outform", "DER"],
                             capture_output=True, check=True).stdout
        return hashlib.sha256(der).hexdigest()

    leaf, inter, root = pem_sha256(inp("leaf.pem")), pem_sha256(inp("int.pem")), pem_sha256(inp("root.pem"))

    def openssl_leaf(p12, pw="pack-pw"):
        r = subprocess.run(["openssl", "pkcs12", "-in", p12, "-nokeys", "-clcerts", "-passin", "pass:" + pw],
                           capture_output=True)
        if r.returncode != 0:
            return r.stderr.decode()[-200:]
        der = subprocess.run(["openssl", "x509", "-outform", "DER"], input=r.stdout,
                             capture_output=True).stdout
        return hashlib.sha256(der).hexdigest()

    def node_reads(p12, pw="pack-pw"):
        if shutil.which("node") is None:
            return True
        r = subprocess.run(["node", "-e", "require('tls').createSecureContext({pfx: require('fs')."
                            "readFileSync(process.argv[1]), passphrase: process.argv[2]})", p12, pw],
                           capture_output=True, text=True)
        return r.returncode == 0 or r.stderr

    def inspect(p12):
        r = subprocess.run([mxtls, "inspect", "--json", "--password-file", pwfile, p12],
                           capture_output=True, text=True)
        return json.loads(r.stdout)

    # Shuffled certificates (root, leaf, intermediate) and each key form.
    for key, needs_pw in (("leaf-key.pem", False), ("key-pkcs1.pem", False), ("key-pkcs1.der", False),
                          ("key-pbes2-aes.pem", True), ("key-pbes2-des3.pem", True),
                          ("key-pbe-sha1-3des.pem", True), ("key-pbes2-aes.der", True),
                          ("key-legacy-aes256.pem", True), ("key-legacy-des3.pem", True)):
        out = os.path.join(tmp, key + ".p12")
        args = ["--cert", inp("chain-shuffled.pem"), "--key", inp(key), "--password-file", pwfile, "-o", out]
        if needs_pw:
            args += ["--in-password-env", "INPW"]
        r, j = pack(*args)
        ident = (j or {}).get("identities", [{}])[0]
        ok = (r.returncode == 0 and j["code"] == "ok" and ident["certificate"]["sha256"] == leaf
              and [c["sha256"] for c in ident["chain"]] == [inter, root])
        check(f"pack {key} + shuffled certificates: leaf found by key, chain ordered", ok,
              (r.returncode, r.stdout[:400], r.stderr[-300:]))
        if not ok:
            continue
        i = inspect(out)
        check(f"pack {key}: inspect --json reads the same leaf and chain",
              i["identities"][0]["certificate"]["sha256"] == leaf and len(i["identities"][0]["chain"]) == 2)
        check(f"pack {key}: openssl pkcs12 (default mode) reads the same leaf", openssl_leaf(out) == leaf,
              openssl_leaf(out))
        mode = stat.S_IMODE(os.stat(out).st_mode)
        check(f"pack {key}: written with mode 0600", mode == 0o600, oct(mode))

    # An EC leaf (SEC1 key, legacy encrypted), chain from a .p7b, completed from --authorities.
    for chain in ("chain.p7b", "chain-der.p7b"):
        out = os.path.join(tmp, chain + ".p12")
        r, j = pack("--cert", inp("ecleaf.pem"), "--key", inp("eckey-legacy-aes256.pem"), "--in-password-env",
                    "INPW", "--chain", inp(chain), "--password-file", pwfile, "-o", out)
        ident = (j or {}).get("identities", [{}])[0]
        check(f"pack EC leaf + {chain}: chain leaf to root, key P-384",
              r.returncode == 0 and [c["sha256"] for c in ident["chain"]] == [inter, root]
              and ident["key"] == {"type": "ec", "bits": 384, "curve": "P-384"}, (r.stdout[:600], r.stderr))
        skipped = [w for w in j.get("warnings", []) if w["kind"] == "skipped_entry"] if j else []
        check(f"pack EC leaf + {chain}: the other leaf of the bundle is left out with a warning",
              any("readers-client" in w["message"] for w in skipped), j and j.get("warnings"))
    out = os.path.join(tmp, "auth.p12")
    r, j = pack("--cert", inp("leaf.der"), "--key", inp("key-pkcs8.der"), "--authorities", inp("cas.pem"),
                "--password-file", pwfile, "-o", out)
    check("pack: a DER leaf completed from --authorities",
          r.returncode == 0 and [c["sha256"] for c in j["identities"][0]["chain"]] == [inter, root],
          (r.stdout[:300], r.stderr))

    # Without the root: written, with a warning naming the missing issuer.
    out = os.path.join(tmp, "noroot.p12")
    r, j = pack("--cert", inp("leaf.pem"), "--chain", inp("int.pem"), "--key", inp("leaf-key.pem"),
                "--password-file", pwfile, "-o", out)
    inc = [w for w in (j or {}).get("warnings", []) if w["kind"] == "incomplete_chain"]
    check("pack: a chain short of its root is written with an incomplete_chain warning naming the issuer",
          r.returncode == 0 and len(inc) == 1 and "Readers Test Root" in inc[0]["message"], (r.stdout[-600:]))
    r, _ = pack("--cert", inp("leaf.pem"), "--chain", inp("int.pem"), "--key", inp("leaf-key.pem"),
                "--password-file", pwfile, "-o", os.path.join(tmp, "t.p12"), json_out=False)
    check("pack (text): reports the file, the leaf and the warning",
          r.returncode == 0 and "wrote " in r.stdout and "CN=readers-client" in r.stdout
          and "warning (incomplete_chain)" in r.stdout, r.stdout[-400:])

    # Refusals: nothing is written.
    out = os.path.join(tmp, "refused.p12")
    r, j = pack("--cert", inp("chain-full.pem"), "--key", inp("other-key.pem"), "--password-file", pwfile, "-o", out)
    check("pack: a key no certificate holds is key_mismatch, exit 1, nothing written",
          r.returncode == 1 and j["code"] == "key_mismatch" and not os.path.exists(out), r.stdout)
    r, j = pack("--cert", inp("leaf.pem"), "--key", inp("key-pbes2-aes.pem"), "--password-file", pwfile, "-o", out)
    check("pack: an encrypted key without its password is wrong_password, exit 1",
          r.returncode == 1 and j["code"] == "wrong_password" and "line 1" in j["message"]
          and not os.path.exists(out), r.stdout)
    r, j = pack("--cert", inp("leaf.pem"), "--key", inp("ed25519-key.pem"), "--password-file", pwfile, "-o", out)
    check("pack: an Ed25519 key is unsupported_key naming its OID",
          r.returncode == 1 and j["code"] == "unsupported_key" and "1.3.101.112" in j["message"], r.stdout)
    r, j = pack("--cert", inp("leaf.pem"), "--key", inp("leaf-key.pem"), "--password-file", empty, "-o", out)
    check("pack: an empty password is refused (usage, exit 2)",
          r.returncode == 2 and j["code"] == "usage" and not os.path.exists(out), (r.returncode, r.stdout))
    r, j = pack("--cert", inp("leaf.pem"), "--key", inp("leaf-key.pem"), "--password-file", empty,
                "--allow-empty-password", "-o", out)
    check("pack: --allow-empty-password writes it", r.returncode == 0 and os.path.exists(out), r.stdout[-300:])
    os.unlink(out)
    r, j = pack("--cert", inp("leaf.pem"), "--key", inp("leaf-key.pem"), "--password-file", pwfile,
                "-o", os.path.join(tmp, "no-such-dir", "x.p12"))
    check("pack: an unwritable output is io, exit 1", r.returncode == 1 and j["code"] == "io", r.stdout)
    # Atomic: a failed pack leaves an existing output as it was, and no temporary file behind.
    keep = os.path.join(tmp, "keep.p12")
    with open(keep, "wb") as f:
        f.write(b"previous")
    r, j = pack("--cert", inp("leaf.pem"), "--key", inp("other-key.pem"), "--password-file", pwfile, "-o", keep)
    with open(keep, "rb") as f:
        kept = f.read()
    check("pack: a failure leaves the existing output untouched and no temporary file",
          r.returncode == 1 and kept == b"previous" and not [n for n in os.listdir(tmp) if n.startswith("keep.p12.")],
          os.listdir(tmp))
    r, j = pack("--cert", inp("leaf.pem"), "--key", inp("leaf-key.pem"), "--password-file", pwfile, "-o", keep)
    check("pack: success replaces the output in one rename (0600)",
          r.returncode == 0 and stat.S_IMODE(os.stat(keep).st_mode) == 0o600
          and not [n for n in os.listdir(tmp) if n.startswith("keep.p12.")], os.listdir(tmp))
    r = subprocess.run([mxtls, "pack", "--cert", inp("leaf.pem"), "--key", inp("leaf-key.pem"), "-o", out,
                        "--password-env", "INPW"], capture_output=True, text=True, env=env)
    check("pack: the password is never echoed", "s3cret" not in r.stdout + r.stderr, r.stdout)
    r, j = pack("--cert", inp("leaf.pem"), "-o", out, "--password-file", pwfile)
    check("pack: no --key is usage (exit 2)", r.returncode == 2 and j["code"] == "usage", r.stdout)

    # Profiles.
    for prof, mac in (("modern", "HMAC-SHA256"), ("compat", "HMAC-SHA1"), ("pbmac1", "PBMAC1")):
        out = os.path.join(tmp, prof + ".p12")
        r, j = pack("--cert", inp("chain-full.pem"), "--key", inp("leaf-key.pem"), "--profile", prof,
                    "--alias", "client " + prof, "--password-file", pwfile, "-o", out)
        check(f"pack --profile {prof}: profile, MAC and alias as asked",
              r.returncode == 0 and j["profile"] == prof and j["mac"].startswith(mac)
              and j["identities"][0].get("friendly_name") == "client " + prof, (r.stdout[:300], r.stderr))
        if prof != "pbmac1":  # OpenSSL 3.0 has no RFC 9579
            check(f"pack --profile {prof}: openssl pkcs12 reads the same leaf", openssl_leaf(out) == leaf,
                  openssl_leaf(out))

    # --from: a legacy RC2-40 container re-encrypted under modern.
    legacy = os.path.join(vectors, "pyca__cert-rc2-key-3des.p12")
    if os.path.exists(legacy):
        out = os.path.join(tmp, "from.p12")
        r, j = pack("--from", legacy, "--in-password-env", "RC2PW", "--password-file", pwfile, "-o", out)
        ok = r.returncode == 0 and j["profile"] == "modern" and "AES-256-CBC" in j["encryption"][0]
        check("pack --from an RC2-40 container: re-encrypted modern", ok, (r.stdout[:400], r.stderr))
        if ok:
            src = subprocess.run([mxtls, "inspect", "--json", "--password-env", "RC2PW", legacy],
                                 capture_output=True, text=True, env=env)
            sleaf = json.loads(src.stdout)["identities"][0]["certificate"]["sha256"]
            check("pack --from: same leaf as the source", j["identities"][0]["certificate"]["sha256"] == sleaf)
            check("pack --from: openssl pkcs12 (default mode, no -legacy) reads it", openssl_leaf(out) == sleaf,
                  openssl_leaf(out))
            check("pack --from: Node tls.createSecureContext({pfx, passphrase}) takes it",
                  node_reads(out) is True, node_reads(out))
        r, j = pack("--from", legacy, "--password-file", pwfile, "-o", os.path.join(tmp, "x.p12"))
        check("pack --from without its password: wrong_password, exit 1",
              r.returncode == 1 and j["code"] == "wrong_password", r.stdout)
    else:
        check("the RC2-40 vector is there", False, legacy)

    # inspect on what users hand to pack: certificates and key in one PEM, a .p7b, an encrypted key.
    both = os.path.join(tmp, "both.pem")
    with open(both, "wb") as f:
        for n in ("chain-shuffled.pem", "key-legacy-aes256.pem"):
            with open(inp(n), "rb") as g:
                f.write(g.read())
    r = subprocess.run([mxtls, "inspect", "--json", "--password-env", "INPW", both], capture_output=True,
                       text=True, env=env)
    j = json.loads(r.stdout)
    check("inspect: a PEM of certificates and an encrypted key shows the identity, never the key",
          r.returncode == 0 and j["file_kind"] == "x509-pem" and j["identities"][0]["certificate"]["sha256"] == leaf
          and [c["sha256"] for c in j["identities"][0]["chain"]] == [inter, root]
          and "PRIVATE" not in r.stdout and "MII" not in r.stdout, r.stdout[:500])
    r = subprocess.run([mxtls, "inspect", "--json", inp("chain-der.p7b")], capture_output=True, text=True)
    j = json.loads(r.stdout)
    check("inspect: a DER .p7b lists its certificates",
          r.returncode == 0 and j["file_kind"] == "pkcs7-der" and len(j["other_certificates"]) == 3, r.stdout[:300])
    r = subprocess.run([mxtls, "inspect", "--json", "--password-env", "INPW", inp("key-pbes2-des3.pem")],
                       capture_output=True, text=True, env=env)
    j = json.loads(r.stdout)
    check("inspect: an encrypted key with its password: type, size and form, no key material",
          r.returncode == 0 and j["keys_without_certificate"][0]["bits"] == 2048
          and "DES-EDE3-CBC" in j["keys_without_certificate"][0]["form"], r.stdout[:400])

    if os.path.exists(inp("store.jks")):
        test_keystores(mxtls, inp, pack, tmp, openssl_leaf, pwfile, env, leaf, inter, root)
    else:
        print("skipped: the Java keystores (make-inputs.sh found no keytool)")

    # --json shape: inspect's members plus profile and bytes.
    i = inspect(os.path.join(tmp, "modern.p12"))
    r, j = pack("--cert", inp("chain-full.pem"), "--key", inp("leaf-key.pem"), "--password-file", pwfile,
                "-o", os.path.join(tmp, "shape.p12"))
    check("pack --json: inspect's members, plus profile and bytes",
          set(i) <= set(j) and {"profile", "bytes"} <= set(j) and j["code"] == "ok", (sorted(i), sorted(j)))
    shutil.rmtree(tmp)
    print(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


def test_keystores(mxtls, inp, pack, tmp, openssl_leaf, pwfile, env, leaf, inter, root):
    """pack --from STORE.jks|jceks and inspect STORE, on keytool's stores and ours."""
    ecleaf = hashlib.sha256(subprocess.run(["openssl", "x509", "-in", inp("ecleaf.pem"), "-outform", "DER"],
                                           capture_output=True, check=True).stdout).hexdigest()
    for store, sp, kp in (("store.jks", "JKS_SP", "JKS_KP"), ("store.jceks", "JCEKS_SP", "JCEKS_KP")):
        for alias, want, key in (("client", leaf, {"type": "rsa", "bits": 2048}),
                                 ("EC-Client", ecleaf, {"type": "ec", "bits": 384, "curve": "P-384"})):
            out = os.path.join(tmp, f"{store}-{alias}.p12")
            r, j = pack("--from", inp(store), "--alias", alias, "--in-password-env", sp,
                        "--in-key-password-env", kp, "--password-file", pwfile, "-o", out)
            ident = (j or {}).get("identities", [{}])[0]
            ok = (r.returncode == 0 and ident.get("certificate", {}).get("sha256") == want
                  and [c["sha256"] for c in ident["chain"]] == [inter, root] and ident["key"] == key
                  and ident.get("friendly_name") == alias.lower())
            check(f"pack --from {store} --alias {alias}: that entry's leaf (the PEM leaf's SHA-256), "
                  "chain and key; its alias as friendlyName", ok, (r.returncode, r.stdout[:600], r.stderr[-300:]))
            if ok:
                check(f"pack --from {store} --alias {alias}: openssl pkcs12 reads the same leaf",
                      openssl_leaf(out) == want, openssl_leaf(out))
                other = "ec-client" if alias == "client" else "client"
                check(f"pack --from {store} --alias {alias}: the other key is left out with a warning",
                      any(w["kind"] == "skipped_entry" and f'"{other}"' in w["message"] for w in j["warnings"]),
                      j["warnings"])
                if store.endswith("jceks"):
                    check(f"pack --from {store}: the secret-key entry is skipped with a warning naming it",
                          any(w["kind"] == "skipped_entry" and '"aes-secret"' in w["message"]
                              for w in j["warnings"]), j["warnings"])
        out = os.path.join(tmp, "ks-refused.p12")
        r, j = pack("--from", inp(store), "--in-password-env", sp, "--in-key-password-env", kp,
                    "--password-file", pwfile, "-o", out)
        check(f"pack --from {store} without --alias: two keys: usage (exit 2) listing their aliases",
              r.returncode == 2 and j["code"] == "usage" and '"client"' in j["message"]
              and '"ec-client"' in j["message"] and not os.path.exists(out), r.stdout)
        r, j = pack("--from", inp(store), "--alias", "nope", "--in-password-env", sp, "--in-key-password-env", kp,
                    "--password-file", pwfile, "-o", out)
        check(f"pack --from {store} --alias nope: usage (exit 2) listing the aliases",
              r.returncode == 2 and j["code"] == "usage" and '"ec-client"' in j["message"], r.stdout)
        r, j = pack("--from", inp(store), "--alias", "client", "--in-password-env", kp,
                    "--in-key-password-env", kp, "--password-file", pwfile, "-o", out)
        check(f"pack --from {store}, a wrong store password: wrong_password (exit 1), the integrity check",
              r.returncode == 1 and j["code"] == "wrong_password" and "integrity check" in j["message"]
              and not os.path.exists(out), r.stdout)
        r, j = pack("--from", inp(store), "--alias", "client", "--in-password-env", sp,
                    "--password-file", pwfile, "-o", out)
        check(f"pack --from {store}, the key password not given (the store's is tried): wrong_password "
              "(exit 1) naming an alias", r.returncode == 1 and j["code"] == "wrong_password"
              and 'alias "' in j["message"] and not os.path.exists(out), r.stdout)
        r = subprocess.run([mxtls, "pack", "--from", inp(store), "--alias", "client", "--in-password-env", sp,
                            "--in-key-password-env", "INPW", "--password-file", pwfile, "-o", out],
                           capture_output=True, text=True, env=env)
        check(f"pack --from {store}, a wrong key password (text): exit 1, (wrong_password), no password echoed",
              r.returncode == 1 and "(wrong_password)" in r.stderr and "s3cret" not in r.stderr
              and env[sp] not in r.stderr, r.stderr)
    r, j = pack("--from", os.path.join(tmp, "modern.p12"), "--in-key-password-env", "INPW",
                "--password-file", pwfile, "-o", os.path.join(tmp, "x.p12"))
    check("pack --from FILE.p12 --in-key-password-env: usage (keystores only)",
          r.returncode == 2 and j["code"] == "usage", r.stdout)

    # Our own JKS: only ec-client, its chain cut to the leaf, key re-protected under the store
    # password: the chain is completed by --chain/--authorities; inspect opens it with one password.
    entries = jks_entries(open(inp("store.jks"), "rb").read())
    ec = next(e for e in entries if e[1] == b"ec-client")
    ec[3] = jdk_reprotect(ec[3], JKS_KP, JKS_SP)
    ec[4] = ec[4][:1]
    one = os.path.join(tmp, "one.jks")
    with open(one, "wb") as f:
        f.write(jks_store([ec], JKS_SP))
    out = os.path.join(tmp, "one.p12")
    r, j = pack("--from", one, "--in-password-env", "JKS_SP", "--password-file", pwfile, "-o", out)
    inc = [w for w in (j or {}).get("warnings", []) if w["kind"] == "incomplete_chain"]
    check("pack --from a JKS of one key (no --alias), its chain only the leaf: written, incomplete_chain",
          r.returncode == 0 and j["identities"][0]["certificate"]["sha256"] == ecleaf and len(inc) == 1,
          (r.stdout[:600], r.stderr))
    r, j = pack("--from", one, "--chain", inp("int.pem"), "--authorities", inp("cas.pem"),
                "--in-password-env", "JKS_SP", "--password-file", pwfile, "-o", out)
    check("pack --from a JKS --chain int.pem --authorities cas.pem: the chain completed to the root",
          r.returncode == 0 and [c["sha256"] for c in j["identities"][0]["chain"]] == [inter, root]
          and not [w for w in j["warnings"] if w["kind"] == "incomplete_chain"], (r.stdout[:600], r.stderr))
    check("pack --from a JKS + --chain: openssl pkcs12 reads the same leaf", openssl_leaf(out) == ecleaf,
          openssl_leaf(out))
    r, j = pack("--from", one, "--cert", inp("leaf.pem"), "--in-password-env", "JKS_SP",
                "--password-file", pwfile, "-o", out)
    check("pack --from a keystore --cert: usage (exit 2)", r.returncode == 2 and j["code"] == "usage", r.stdout)
    r = subprocess.run([mxtls, "inspect", "--json", "--password-env", "JKS_SP", one], capture_output=True,
                       text=True, env=env)
    j = json.loads(r.stdout)
    check("inspect a JKS: file_kind jks, the identity with its alias, form and key, in inspect's shape",
          r.returncode == 0 and j["file_kind"] == "jks" and j["identities"][0]["certificate"]["sha256"] == ecleaf
          and j["identities"][0]["friendly_name"] == "ec-client"
          and j["identities"][0]["key"]["form"] == "JKS, JDK key protector (SHA-1)"
          and {"other_certificates", "keys_without_certificate", "warnings"} <= set(j), r.stdout[:600])
    # An Ed25519 key entry beside it (keytool of Java 17 would store one too): skipped with a warning.
    ed = subprocess.run(["openssl", "pkey", "-in", inp("ed25519-key.pem"), "-outform", "DER"],
                        capture_output=True, check=True).stdout
    two = os.path.join(tmp, "two.jks")
    with open(two, "wb") as f:
        f.write(jks_store([ec, [1, b"edkey", ec[2], jdk_protect(ed, JKS_SP), ec[4]]], JKS_SP))
    r, j = pack("--from", two, "--alias", "ec-client", "--in-password-env", "JKS_SP", "--password-file", pwfile,
                "-o", out)
    check("pack --from a JKS with an Ed25519 key entry too: that entry is skipped with a warning naming its OID",
          r.returncode == 0 and any(w["kind"] == "skipped_entry" and 'alias "edkey"' in w["message"]
                                    and "1.3.101.112" in w["message"] for w in j["warnings"]),
          (r.stdout[-800:], r.stderr))
    r = subprocess.run([mxtls, "inspect", "--json", inp("store.jks")], capture_output=True, text=True, env=env)
    j = json.loads(r.stdout)
    check("inspect a JKS without a password: wrong_password naming a key's alias (exit 1)",
          r.returncode == 1 and j["code"] == "wrong_password" and 'alias "' in j["message"], r.stdout[:400])
    trust = os.path.join(tmp, "trust.jks")
    with open(trust, "wb") as f:
        f.write(jks_store([e for e in entries if e[0] == 2], "changeit"))
    r = subprocess.run([mxtls, "inspect", "--json", trust], capture_output=True, text=True)
    j = json.loads(r.stdout)
    check("inspect a truststore without its password: the certificate, a no_mac warning",
          r.returncode == 0 and [c["sha256"] for c in j["other_certificates"]] == [root]
          and [w["kind"] for w in j["warnings"]].count("no_mac") == 1, r.stdout[:600])
    r = subprocess.run([mxtls, "inspect", "--password", "changeit", trust], capture_output=True, text=True)
    check("inspect a truststore (text): its kind and the root, no warning",
          r.returncode == 0 and "a Java keystore (JKS)" in r.stdout and "CN=Readers Test Root" in r.stdout
          and "warning" not in r.stdout, r.stdout[:600])


if __name__ == "__main__":
    sys.exit(main())
