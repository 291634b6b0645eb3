#!/usr/bin/env python3
"""make-hostile.py OUTDIR: hostile and damaged PKCS#12 files, each with the exact error it must give.

Starts from real files made by `openssl pkcs12 -export` (OpenSSL 3 defaults, and unencrypted
bags) and rewrites their DER: absurd iteration counts, wrong types, unknown algorithms, too
many bags, deep nesting, BER re-encodings that must still load. Writes OUTDIR/MANIFEST.tsv in
the format tests/unit/test_vectors.c reads (file password mxtls_expect identities leaf_sha256
key generator note). Needs openssl and python3 (stdlib only).
"""
import hashlib
import os
import subprocess
import sys
import tempfile

PASSWORD = "hostile-pw"


# ---- a tiny DER tree: [tag, bytes] for primitives, [tag, [children]] for constructed ----

def parse(b):
    out, i = [], 0
    while i < len(b):
        tag = b[i]
        n = b[i + 1]
        i += 2
        if n & 0x80:
            k = n & 0x7F
            n = int.from_bytes(b[i:i + k], "big")
            i += k
        val = b[i:i + n]
        i += n
        out.append([tag, parse(val) if tag & 0x20 else val])
    return out


def length(n):
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def enc(node):
    tag, val = node
    body = b"".join(enc(c) for c in val) if isinstance(val, list) else val
    return bytes([tag]) + length(len(body)) + body


def enc_all(nodes):
    return b"".join(enc(n) for n in nodes)


def ber(node, chunk=5):
    """Indefinite lengths everywhere, OCTET STRINGs split into constructed segments."""
    tag, val = node
    if isinstance(val, list):
        return bytes([tag, 0x80]) + b"".join(ber(c, chunk) for c in val) + b"\0\0"
    if tag in (0x04, 0x80) and len(val) > chunk:  # OCTET STRING, [0] IMPLICIT OCTET STRING
        segs = b"".join(bytes([0x04]) + length(len(val[i:i + chunk])) + val[i:i + chunk]
                        for i in range(0, len(val), chunk))
        return bytes([tag | 0x20, 0x80]) + segs + b"\0\0"
    return enc(node)


def integer(v):
    raw = v.to_bytes((v.bit_length() + 8) // 8 or 1, "big")
    return [0x02, raw]


def oid(dotted):
    arcs = [int(a) for a in dotted.split(".")]
    body = bytes([40 * arcs[0] + arcs[1]])
    for a in arcs[2:]:
        chunk = [a & 0x7F]
        a >>= 7
        while a:
            chunk.insert(0, 0x80 | (a & 0x7F))
            a >>= 7
        body += bytes(chunk)
    return [0x06, body]


# ---- navigating a PFX ----

def pfx_parts(der):
    pfx = parse(der)[0]
    authsafe_ci = pfx[1][1]
    authsafe_octets = authsafe_ci[1][1][1][0]  # ContentInfo [0] OCTET STRING
    contents = parse(authsafe_octets[1])[0]
    return pfx, authsafe_octets, contents


def rebuild(pfx, authsafe_octets, contents):
    authsafe_octets[1] = enc(contents)
    return enc(pfx)


def safe_contents_of(ci):
    """SafeContents tree of a plaintext `data` ContentInfo."""
    return parse(ci[1][1][1][0][1])[0]


def set_safe_contents(ci, sc):
    ci[1][1][1][0][1] = enc(sc)


def encrypted_data(ci):
    """EncryptedData of an encryptedData ContentInfo."""
    return ci[1][1][1][0]


def pbes2_params(ed):
    """PBES2-params of EncryptedData: [kdf AlgorithmIdentifier, encryptionScheme]."""
    eci = ed[1][1]
    return eci[1][1][1][1]


def run(*cmd, **kw):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)


def fingerprint(pem_path):
    out = subprocess.run(["openssl", "x509", "-in", pem_path, "-outform", "DER"], check=True,
                         capture_output=True).stdout
    return hashlib.sha256(out).hexdigest()


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    rows = []
    tmp = tempfile.mkdtemp()
    key, crt = os.path.join(tmp, "k.pem"), os.path.join(tmp, "c.pem")
    run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-nodes", "-keyout", key, "-out", crt, "-subj", "/CN=hostile client", "-days", "3650")
    fp = fingerprint(crt)
    default = os.path.join(tmp, "default.p12")
    plain = os.path.join(tmp, "plain.p12")
    nomac = os.path.join(tmp, "nomac.p12")
    run("openssl", "pkcs12", "-export", "-inkey", key, "-in", crt, "-name", "client",
        "-passout", "pass:" + PASSWORD, "-out", default)
    run("openssl", "pkcs12", "-export", "-inkey", key, "-in", crt, "-name", "client",
        "-keypbe", "NONE", "-certpbe", "NONE", "-passout", "pass:" + PASSWORD, "-out", plain)
    run("openssl", "pkcs12", "-export", "-inkey", key, "-in", crt, "-name", "client",
        "-nomac", "-passout", "pass:" + PASSWORD, "-out", nomac)
    base = {n: open(p, "rb").read() for n, p in
            (("default", default), ("plain", plain), ("nomac", nomac))}

    def emit(name, data, expect, note, password=PASSWORD, ok_fp=None):
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)
        if expect == "ok":
            rows.append((name, password, "ok", "1", ok_fp or fp, "ec-p256", "make-hostile", note))
        else:
            rows.append((name, password, expect, "0", "-", "-", "make-hostile", note))

    # Sanity: the unmodified files load.
    emit("base-default.p12", base["default"], "ok", "OpenSSL 3 default, unmodified")
    emit("base-plain.p12", base["plain"], "ok", "unencrypted bags, unmodified")
    emit("base-nomac.p12", base["nomac"], "ok", "no MAC, unmodified")

    # Passwords.
    emit("wrong-password.p12", base["default"], "wrong_password", "right file, wrong password",
         password="not-the-password")
    emit("no-password.p12", base["default"], "wrong_password", "password required, none given",
         password="<none>")
    emit("nomac-wrong-password.p12", base["nomac"], "wrong_password",
         "no MAC: the bag decryption must tell the wrong password", password="wrong")

    # Iteration counts: refused at once, not hashed for hours.
    pfx, aso, cs = pfx_parts(base["default"])
    pfx[1][2][1][2] = integer(2_000_000_000)
    emit("mac-iter-2e9.p12", rebuild(pfx, aso, cs), "limit_exceeded", "MAC iterations 2e9")
    pfx, aso, cs = pfx_parts(base["default"])
    pfx[1][2][1][2] = integer(0)
    emit("mac-iter-0.p12", rebuild(pfx, aso, cs), "corrupt", "MAC iterations 0")
    pfx, aso, cs = pfx_parts(base["default"])
    pfx[1][2][1][2] = [0x02, b"\x01" + b"\x00" * 9]
    emit("mac-iter-80bit.p12", rebuild(pfx, aso, cs), "corrupt|limit_exceeded",
         "MAC iterations wider than 64 bits")
    # encryptedData (certificates): PBES2 -> PBKDF2 params -> iterationCount
    pfx, aso, cs = pfx_parts(base["default"])
    pbkdf2_params = pbes2_params(encrypted_data(cs[1][0]))[1][0][1][1]
    pbkdf2_params[1][1] = integer(2_000_000_000)
    emit("bag-iter-2e9.p12", rebuild(pfx, aso, cs), "limit_exceeded",
         "PBKDF2 iterations 2e9 in the certificate content (MAC not recomputed: limit first)")

    # Structure damage.
    pfx, aso, cs = pfx_parts(base["default"])
    pfx[1][0] = integer(2)
    emit("version-2.p12", rebuild(pfx, aso, cs), "corrupt", "PFX version 2")
    emit("trailing-garbage.p12", base["default"] + b"garbage", "corrupt", "bytes after the PFX")
    emit("outer-set.p12", b"\x31" + base["default"][1:], "corrupt", "outer SET, not SEQUENCE")
    emit("empty-file.p12", b"", "corrupt", "zero bytes")
    emit("pem-text.p12", open(crt, "rb").read(), "corrupt", "a PEM certificate, not PKCS#12")
    emit("oversized.p12", base["default"] + b"\0" * (1024 * 1024), "limit_exceeded",
         "over the 1 MiB input limit")
    emit("random.p12", hashlib.sha512(b"mxtls").digest() * 20, "corrupt", "random bytes")

    # Content types and algorithms we do not do: named, not guessed.
    pfx, aso, cs = pfx_parts(base["default"])
    pfx[1][1][1][0] = oid("1.2.840.113549.1.7.2")
    emit("signeddata-authsafe.p12", rebuild(pfx, aso, cs), "unsupported_algorithm",
         "public-key integrity mode (signedData)")
    pfx, aso, cs = pfx_parts(base["default"])
    scheme = pbes2_params(encrypted_data(cs[1][0]))[1][1]
    scheme[1][0] = oid("2.16.840.1.101.3.4.1.46")  # AES-256-GCM
    emit("pbes2-aes-gcm.p12", rebuild(pfx, aso, cs), "unsupported_algorithm",
         "PBES2 with AES-256-GCM")
    pfx, aso, cs = pfx_parts(base["default"])
    kdf = pbes2_params(encrypted_data(cs[1][0]))[1][0]
    kdf[1][0] = oid("1.3.6.1.4.1.11591.4.11")  # scrypt
    emit("pbes2-scrypt.p12", rebuild(pfx, aso, cs), "unsupported_algorithm", "PBES2 with scrypt")
    pfx, aso, cs = pfx_parts(base["default"])
    pfx[1][2][1][0][1][0][1][0] = oid("1.2.643.7.1.1.2.2")  # GOST R 34.11-2012 256
    emit("mac-gost.p12", rebuild(pfx, aso, cs), "unsupported_algorithm", "MAC digest GOST")
    pfx, aso, cs = pfx_parts(base["default"])
    pfx[1][2][1][0][1][1] = [0x04, pfx[1][2][1][0][1][1][1][:16]]
    emit("mac-truncated.p12", rebuild(pfx, aso, cs), "corrupt", "MAC value 16 of 32 bytes")
    pfx, aso, cs = pfx_parts(base["default"])
    ed = encrypted_data(cs[1][0])
    ed[1][1][1][2] = [0x05, b""]  # encryptedContent as NULL (CVE-2025-69421)
    emit("encrypted-content-null.p12", rebuild(pfx, aso, cs), "corrupt",
         "encryptedContent is NULL")

    # Bag-level type confusion in plaintext bags (seen before the MAC).
    pfx, aso, cs = pfx_parts(base["plain"])
    sc = safe_contents_of(cs[1][0])  # certificate bag content
    attrs = sc[1][0][1][2][1]
    for a in attrs:
        if a[1][0][1] == oid("1.2.840.113549.1.9.20")[1]:
            a[1][1][1][0] = [0x0C, b"client"]  # UTF8String, must be BMPString
    set_safe_contents(cs[1][0], sc)
    emit("friendlyname-utf8.p12", rebuild(pfx, aso, cs), "corrupt", "friendlyName as UTF8String")
    pfx, aso, cs = pfx_parts(base["plain"])
    sc = safe_contents_of(cs[1][0])
    for a in sc[1][0][1][2][1]:
        if a[1][0][1] == oid("1.2.840.113549.1.9.21")[1]:
            a[1][1][1][0] = integer(1)
    set_safe_contents(cs[1][0], sc)
    emit("localkeyid-integer.p12", rebuild(pfx, aso, cs), "corrupt", "localKeyId as INTEGER")
    pfx, aso, cs = pfx_parts(base["plain"])
    sc = safe_contents_of(cs[1][0])
    sc[1][0][1][1][1][0][1][1][1][0] = [0x05, b""]  # certValue [0] NULL
    set_safe_contents(cs[1][0], sc)
    emit("certvalue-null.p12", rebuild(pfx, aso, cs), "corrupt", "x509Certificate as NULL")

    # Limits on shape.
    pfx, aso, cs = pfx_parts(base["plain"])
    sc = safe_contents_of(cs[1][0])
    sc[1] = sc[1] * 300
    set_safe_contents(cs[1][0], sc)
    emit("bags-300.p12", rebuild(pfx, aso, cs), "limit_exceeded", "300 certificate bags")
    pfx, aso, cs = pfx_parts(base["plain"])
    sc = safe_contents_of(cs[1][0])
    inner = sc
    for _ in range(40):
        inner = [0x30, [[0x30, [oid("1.2.840.113549.1.12.10.1.6"), [0xA0, [inner]]]]]]
    set_safe_contents(cs[1][0], inner)
    emit("nested-40.p12", rebuild(pfx, aso, cs), "limit_exceeded|corrupt",
         "safeContentsBag nested 40 deep")
    pfx, aso, cs = pfx_parts(base["plain"])
    sc = safe_contents_of(cs[1][0])
    set_safe_contents(cs[1][0], [0x30, [[0x30, [oid("1.2.840.113549.1.12.10.1.6"),
                                                [0xA0, [sc]]]]]])
    emit("nested-1.p12", rebuild(pfx, aso, cs), "wrong_password",
         "one nested safeContentsBag is fine, but the MAC no longer matches")

    # BER as real exporters write it: indefinite lengths, constructed OCTET STRINGs.
    # The MAC covers the authSafe octets, which stay the same when only re-chunked.
    pfx, aso, cs = pfx_parts(base["default"])
    emit("ber-outer.p12", ber(pfx), "ok", "PFX re-encoded as BER (indefinite, 5-byte segments)")
    pfx, aso, cs = pfx_parts(base["nomac"])
    aso[1] = ber(cs)  # no MAC to keep: the authSafe itself may be BER too
    emit("ber-nomac-deep.p12", ber(pfx), "ok",
         "no MAC, BER down to the EncryptedData (constructed [0] IMPLICIT content)")
    deep_ber = b"\x30\x80" * 200 + b"\x00\x00" * 200
    emit("ber-indefinite-200.p12", deep_ber, "corrupt|limit_exceeded",
         "200 nested indefinite lengths")

    # Chains: issuers found by name and key id, ordered leaf to root, whatever the file order;
    # duplicates dropped; unrelated certificates listed apart, never in the chain.
    def cert(name, subj, issuer=None, ca=False):
        k, c = os.path.join(tmp, name + ".key"), os.path.join(tmp, name + ".pem")
        ext = os.path.join(tmp, name + ".ext")
        with open(ext, "w") as f:
            f.write("basicConstraints=critical,CA:%s\nsubjectKeyIdentifier=hash\n"
                    "authorityKeyIdentifier=keyid\n" % ("TRUE" if ca else "FALSE"))
            if not ca:
                f.write("extendedKeyUsage=clientAuth\n")
        run("openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-keyout", k, "-out", c + ".csr", "-subj", subj)
        if issuer is None:
            run("openssl", "x509", "-req", "-in", c + ".csr", "-signkey", k, "-days", "3650",
                "-extfile", ext, "-out", c)
        else:
            run("openssl", "x509", "-req", "-in", c + ".csr", "-CA", issuer[1], "-CAkey",
                issuer[0], "-CAcreateserial", "-days", "3650", "-extfile", ext, "-out", c)
        return k, c

    root = cert("root", "/CN=Chain Root", ca=True)
    inter = cert("inter", "/CN=Chain Intermediate", root, ca=True)
    leaf = cert("leaf", "/CN=chain leaf", inter)
    other = cert("other", "/CN=Unrelated Root", ca=True)
    shuffled = os.path.join(tmp, "shuffled.pem")
    with open(shuffled, "w") as f:
        for c in (root[1], other[1], inter[1], root[1]):
            f.write(open(c).read())
    chain_p12 = os.path.join(tmp, "chain.p12")
    run("openssl", "pkcs12", "-export", "-inkey", leaf[0], "-in", leaf[1], "-certfile", shuffled,
        "-passout", "pass:" + PASSWORD, "-out", chain_p12)
    emit("chain-shuffled.p12", open(chain_p12, "rb").read(), "ok",
         "chain given root, unrelated, intermediate, root again", ok_fp=fingerprint(leaf[1]))
    rows[-1] += (fingerprint(inter[1]) + "," + fingerprint(root[1]), fingerprint(other[1]))

    # Trust bundles as users upload them (read by tests/unit/test_trust.c).
    root_pem, inter_pem, leaf_pem = (open(c[1]).read() for c in (root, inter, leaf))
    def write(name, data, mode="w"):
        with open(os.path.join(outdir, name), mode) as f:
            f.write(data)
    text = subprocess.run(["openssl", "x509", "-in", root[1], "-noout", "-text"], check=True,
                          capture_output=True, text=True).stdout
    write("trust-bundle.pem", "# private CAs of Example Corp\n" + text + root_pem + "\n  \n" +
          "\r\n".join(inter_pem.splitlines()) + "\r\ntrailing words\n")
    write("trust-indented.pem", "ca: |\n" + "".join("    " + l + "\n" for l in root_pem.splitlines()))
    write("trust-leaf.pem", leaf_pem)
    lines = (root_pem + inter_pem).splitlines()
    bad_line = len(root_pem.splitlines()) + 3  # third line of the second block
    lines[bad_line - 1] = lines[bad_line - 1][:10] + "!" + lines[bad_line - 1][11:]
    write("trust-broken.pem", "\n".join(lines) + "\n")
    write("trust-broken.line", str(len(root_pem.splitlines()) + 1))
    write("trust-empty.pem", "# nothing here\n")
    import base64
    write("trust-base64.txt", base64.encodebytes((root_pem + inter_pem).encode()).decode())
    write("trust-der.cer", subprocess.run(["openssl", "x509", "-in", root[1], "-outform", "DER"], check=True,
                                          capture_output=True).stdout, "wb")

    # Validity and long names (read by tests/unit/test_env.c and test_api.c): made with
    # python-cryptography, which sets any dates and name lengths.
    import datetime
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    day = datetime.timedelta(days=1)

    def made(name, start, end, org="Validity Test"):
        k = ec.generate_private_key(ec.SECP256R1())
        subj = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                          x509.NameAttribute(NameOID.COMMON_NAME, name)])
        c = (x509.CertificateBuilder().subject_name(subj).issuer_name(subj)
             .public_key(k.public_key()).serial_number(x509.random_serial_number())
             .not_valid_before(start).not_valid_after(end).sign(k, hashes.SHA256()))
        write(name + ".p12", pkcs12.serialize_key_and_certificates(
            name.encode(), k, c, None, serialization.BestAvailableEncryption(PASSWORD.encode())), "wb")

    made("validity-expired", now - 30 * day, now - day)
    made("validity-future", now + 2 * day, now + 30 * day)
    made("validity-skew", now + datetime.timedelta(seconds=60), now + 30 * day)  # within the allowance
    made("validity-soon", now - day, now + 5 * day)
    made("long-subject", now - day, now + 30 * day, org="O" * 600)
    # The same container cut short by one byte: an interrupted upload.
    write("truncated-1.p12", base["default"][:-1], "wb")

    with open(os.path.join(outdir, "MANIFEST.tsv"), "w") as f:
        f.write("file\tpassword\tmxtls_expect\tidentities\tleaf_sha256\tkey\tgenerator\tnote"
                "\tchain_sha256\tother_sha256\n")
        for r in rows:
            r = r + ("-", "-") if len(r) == 8 else r
            f.write("\t".join(r) + "\n")
    print(f"make-hostile: {len(rows)} files", file=sys.stderr)


if __name__ == "__main__":
    main()
