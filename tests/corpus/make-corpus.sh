#!/usr/bin/env bash
# make-corpus.sh OUTDIR
#
# Builds a PKCS#12 test corpus the way users make these files: a small private
# PKI made with openssl, then .p12 files written by openssl, keytool, certtool,
# NSS pk12util and python3-cryptography, plus negative files derived from
# good ones. Writes OUTDIR/MANIFEST.tsv with the columns
#   file password mxtls_expect identities leaf_sha256 key generator note
#
# MANIFEST.tsv conventions: password is literal UTF-8, <empty> (the empty
# string: BMPString 00 00 in the PKCS#12 KDF) or <none> (no password: a
# zero-length KDF input); mxtls_expect "a|b" accepts either code; for files
# with several identities, leaf_sha256 and key are comma-separated in the
# order the file holds the keys.
#
# Every listed file is checked before it is listed. Each ok row is opened with
# `openssl pkcs12 -info -nodes -legacy` (-info -noout plus extraction, one
# run): the leaf SHA-256 fingerprints that the generating tool itself
# reported must be exactly the leaves of the keys found in the file, in file
# order, each key must match its leaf, and the key type must be the one
# listed; where OpenSSL cannot tell (<empty> vs <none>, non-ASCII passwords)
# the MAC is recomputed in python to prove the password encoding. Negative
# rows are checked to fail or to be classified the same way by OpenSSL,
# except unsupported_algorithm and limit_exceeded rows, which are not opened.
#
# Quiet on success (one summary line on stderr). A tool that is absent is
# skipped with a warning (its files are not listed); a tool that fails stops
# the script (exit 1) and no MANIFEST.tsv is written.
# Needs: bash, openssl (3.x), python3 (stdlib only, for checks and DER
# surgery). Optional: keytool, certtool, pk12util+certutil, python3 cryptography.
set -euo pipefail

die() {
	echo "make-corpus: error: $*" >&2
	exit 1
}
warn() { echo "make-corpus: warning: $*" >&2; }

if [ $# -ne 1 ] || [ -z "$1" ]; then
	echo "usage: $0 OUTDIR" >&2
	exit 2
fi
command -v openssl >/dev/null 2>&1 || die "openssl is required"
command -v python3 >/dev/null 2>&1 || die "python3 is required (stdlib only)"
# The interpreter itself, not a wrapper such as a pyenv shim (~0.1 s a call).
PY=$(python3 -c 'import sys; print(sys.executable)') || die "python3 does not run"

T0=$(date +%s%N)
OUT=$1
# OUTDIR is made fresh. Only delete a directory that is empty or that an
# earlier run of this script made (marker file), never anything else.
if [ -e "$OUT" ]; then
	[ -d "$OUT" ] || die "$OUT exists and is not a directory"
	if [ -e "$OUT/.mxtls-corpus" ]; then
		rm -rf -- "$OUT"
	elif [ -n "$(ls -A -- "$OUT")" ]; then
		die "$OUT is not empty and was not made by this script; refusing to delete it"
	else
		rmdir -- "$OUT"
	fi
fi
mkdir -p -- "$OUT"
OUT=$(cd -- "$OUT" && pwd)
: >"$OUT/.mxtls-corpus"
P=$OUT/pki
mkdir "$P"
W=$(mktemp -d)
LANE=
trap '[ -z "$LANE" ] || kill "$LANE" 2>/dev/null; rm -rf -- "$W"' EXIT

# q CMD...: run quietly; on failure show the command and its output, then stop.
# (One log per shell: the keytool/NSS lane runs in a subshell.)
q() {
	local log=$W/q.$BASHPID.log
	if ! "$@" >"$log" 2>&1 </dev/null; then
		echo "make-corpus: command failed: $*" >&2
		sed 's/^/  | /' "$log" >&2
		exit 1
	fi
}

# ----------------------------------------------------------------------------
# Helpers in python3 (stdlib only)
# ----------------------------------------------------------------------------

# verify.py FILE EXPECT [FP=KEY ...]   (password in $MXPW)
# Opens FILE with openssl and checks it against EXPECT (not for
# unsupported_algorithm / limit_exceeded rows: OpenSSL may lack the algorithm,
# or would spend the huge KDF cost the row is about). For ok rows prints
# "fp1,fp2<TAB>key1,key2" in the order the file holds the keys.
cat >"$W/verify.py" <<'PYEOF'
import base64, hashlib, os, re, subprocess, sys

path, expect = sys.argv[1], sys.argv[2]
tool = [a.split("=", 1) for a in sys.argv[3:]]
accept = set(expect.split("|"))

def fail(msg):
    sys.stderr.write("verify %s [%s]: %s\n" % (os.path.basename(path), expect, msg))
    sys.exit(1)

def tlv(b, i):
    t = b[i]; i += 1; l = b[i]; i += 1
    if l & 0x80:
        n = l & 0x7F
        l = int.from_bytes(b[i:i + n], "big"); i += n
    return t, i, l

def kids(b, start, end):
    out, i = [], start
    while i < end:
        t, c, l = tlv(b, i)
        out.append((t, i, c, l)); i = c + l
    return out

def cert_spki(der):
    t, c, l = tlv(der, 0)
    tbs = kids(der, c, c + l)[0]
    k = kids(der, tbs[2], tbs[2] + tbs[3])
    s = k[6] if k[0][0] == 0xA0 else k[5]
    return der[s[1]:s[2] + s[3]]

def oid_str(b):
    v = [b[0] // 40, b[0] % 40]; x = 0
    for ch in b[1:]:
        x = (x << 7) | (ch & 0x7F)
        if not ch & 0x80: v.append(x); x = 0
    return ".".join(map(str, v))

CURVES = {"1.2.840.10045.3.1.7": "ec-p256", "1.3.132.0.34": "ec-p384", "1.3.132.0.35": "ec-p521"}
def key_type(spki):
    t, c, l = tlv(spki, 0)
    alg, bits = kids(spki, c, c + l)[:2]
    ak = kids(spki, alg[2], alg[2] + alg[3])
    oid = oid_str(spki[ak[0][2]:ak[0][2] + ak[0][3]])
    if oid == "1.2.840.113549.1.1.1":
        t, c, l = tlv(spki, bits[2] + 1)  # BIT STRING: skip unused-bits byte
        n = kids(spki, c, c + l)[0]
        return "rsa%d" % int.from_bytes(spki[n[2]:n[2] + n[3]], "big").bit_length()
    if oid == "1.2.840.10045.2.1":
        if len(ak) > 1 and ak[1][0] == 0x06:
            c = oid_str(spki[ak[1][2]:ak[1][2] + ak[1][3]])
            return CURVES.get(c, "ec-" + c)
        return "ec-explicit"
    return {"1.2.840.10040.4.1": "dsa", "1.3.101.112": "ed25519", "1.3.101.113": "ed448",
            "1.2.840.113549.1.1.10": "rsa-pss"}.get(oid, oid)

SUPPORTED = re.compile(r"^(rsa\d+|ec-p256|ec-p384|ec-p521)$")

def ossl(args):
    return subprocess.run(["openssl"] + args, capture_output=True)

def inspect():
    """None if openssl cannot open the file, else (keys, certs)."""
    # One run does both: -info (MAC check, algorithms, on stderr) and the
    # extraction of every bag (-nodes, on stdout).
    r = ossl(["pkcs12", "-in", path, "-info", "-nodes", "-legacy", "-passin", "env:MXPW"])
    err = r.stderr.decode(errors="replace")
    if r.returncode != 0:
        return None, err
    # "MAC is absent" is expected for -nomac files; any other warning (e.g.
    # OpenSSL falling back to its old broken non-ASCII password encoding) fails.
    if re.search(r"warning|broken|error", err.replace("Warning: MAC is absent!", ""), re.I):
        fail("openssl -info complained: " + err.strip())
    keys, certs, lkid, lines = [], [], None, r.stdout.decode(errors="replace").splitlines()
    i = 0
    while i < len(lines):
        ln = lines[i]
        if ln.startswith("Bag Attributes"):
            lkid = None
        m = re.match(r"\s+localKeyID: (.*)", ln)
        if m:
            lkid = m.group(1).strip()
        m = re.match(r"-----BEGIN (.*)-----", ln)
        if m:
            kind, body = m.group(1), []
            i += 1
            while not lines[i].startswith("-----END"):
                body.append(lines[i]); i += 1
            pem = "-----BEGIN %s-----\n%s\n-----END %s-----\n" % (kind, "\n".join(body), kind)
            if kind == "CERTIFICATE":
                der = base64.b64decode("".join(body))
                certs.append({"lkid": lkid, "fp": hashlib.sha256(der).hexdigest(), "spki": cert_spki(der)})
            elif kind.endswith("PRIVATE KEY"):
                p = subprocess.run(["openssl", "pkey", "-pubout", "-outform", "DER"],
                                   input=pem.encode(), capture_output=True)
                if p.returncode != 0:
                    fail("openssl pkey cannot read a key: " + p.stderr.decode(errors="replace"))
                keys.append({"lkid": lkid, "spki": p.stdout})
            else:
                fail("unexpected PEM block " + kind)
        i += 1
    return (keys, certs), err

if accept <= {"unsupported_algorithm", "limit_exceeded"}:
    sys.exit(0)
res, err = inspect()
if res is None:
    state = "unreadable"
else:
    keys, certs = res
    ids, unsup, unmatched = [], 0, 0
    for k in keys:
        # the leaf: same localKeyID when the key has one, else same public key
        c = [c for c in certs if k["lkid"] and c["lkid"] == k["lkid"]] or \
            [c for c in certs if c["spki"] == k["spki"]]
        if not c or c[0]["spki"] != k["spki"]:
            unmatched += 1
            continue
        kt = key_type(k["spki"])
        if SUPPORTED.match(kt):
            ids.append((c[0]["fp"], kt))
        else:
            unsup += 1
    if not keys and not certs:
        state = "empty"
    elif not keys:
        state = "no_key"
    elif not certs:
        state = "no_certificate"
    elif ids:
        state = "ok"
    elif unsup:
        state = "unsupported_key"
    else:
        state = "key_mismatch"

if "ok" in accept:
    if accept != {"ok"}:
        fail("ok rows must not list alternatives")
    if state != "ok":
        fail("expected ok, openssl sees %s %s" % (state, err.strip()))
    if sorted(ids) != sorted((f.lower(), k) for f, k in tool):
        fail("identities in file %s != tool report %s" % (ids, tool))
    # OpenSSL retries an empty password as NULL and once had a broken
    # non-ASCII encoding, so check the password encoding ourselves where it matters.
    field = os.environ["MXPWFIELD"]
    if field in ("<empty>", "<none>") or not field.isascii():
        import p12mac
        kind = {"<empty>": "empty", "<none>": "null"}.get(field, "bmp")
        if p12mac.mac_ok(path, kind, os.environ["MXPW"]) is False:
            fail("the MAC is not keyed with the %s password encoding" % kind)
    print(",".join(f for f, _ in ids) + "\t" + ",".join(k for _, k in ids))
elif accept & {"corrupt", "wrong_password"}:
    if state != "unreadable":
        fail("expected openssl to fail, it sees " + state)
elif accept & {"empty", "no_key", "no_certificate", "key_mismatch", "unsupported_key"}:
    if state not in accept:
        fail("openssl sees %s %s" % (state, err.strip()))
PYEOF

# p12mac.py: recompute the PKCS#12 MAC (RFC 7292 appendix B KDF) of a DER or
# BER PFX to see which password *encoding* keys it: "null" (zero-length,
# no password), "empty" (BMPString 00 00) or "bmp" (UTF-16BE of the given
# password + 00 00). Used because OpenSSL silently retries a failed empty
# password as NULL, so it cannot tell <empty> from <none>.
#   p12mac.py FILE   prints "empty", "null" or "nomac" (for <auto> rows)
cat >"$W/p12mac.py" <<'PYEOF'
import hashlib, hmac, sys

def _parse(b, i):
    t = b[i]; i += 1; l = b[i]; i += 1
    if l == 0x80:
        l = None
    elif l & 0x80:
        n = l & 0x7F
        l = int.from_bytes(b[i:i + n], "big"); i += n
    if t & 0x20:
        kids, j = [], i
        while (b[j:j + 2] != b"\0\0") if l is None else (j < i + l):
            k, j = _parse(b, j); kids.append(k)
        return (t, kids), (j + 2 if l is None else j)
    return (t, bytes(b[i:i + l])), i + l

def _octets(node):
    t, v = node
    return v if isinstance(v, bytes) else b"".join(_octets(k) for k in v)

HASHES = {"2b0e03021a": "sha1", "608648016503040204": "sha224", "608648016503040201": "sha256",
          "608648016503040202": "sha384", "608648016503040203": "sha512"}

def _kdf(pw, salt, ident, it, h, n):
    u, v = hashlib.new(h).digest_size, hashlib.new(h).block_size
    fill = lambda x: (x * (v * ((len(x) + v - 1) // v) // len(x) + 1))[:v * ((len(x) + v - 1) // v)] if x else b""
    I, out = fill(salt) + fill(pw), b""
    while len(out) < n:
        A = hashlib.new(h, bytes([ident]) * v + I).digest()
        for _ in range(it - 1):
            A = hashlib.new(h, A).digest()
        out += A
        B = int.from_bytes((A * (v // u + 1))[:v], "big")
        I = b"".join(((int.from_bytes(I[j:j + v], "big") + B + 1) % (1 << (8 * v))).to_bytes(v, "big")
                     for j in range(0, len(I), v))
    return out[:n]

def mac_ok(path, kind, pw=""):
    """True/False whether the MAC verifies with that encoding; None if no MAC."""
    b = open(path, "rb").read()
    (_, pfx), _ = _parse(b, 0)
    if len(pfx) < 3:
        return None
    data = _octets(pfx[1][1][1][1][0])
    mac = pfx[2][1]
    alg = mac[0][1][0][1][0][1].hex()
    if alg not in HASHES:
        raise SystemExit("p12mac: unknown MAC digest " + alg)
    h = HASHES[alg]
    digest, salt = mac[0][1][1][1], mac[1][1]
    it = int.from_bytes(mac[2][1], "big") if len(mac) > 2 else 1
    pwb = {"null": b"", "empty": b"\0\0", "bmp": pw.encode("utf-16-be") + b"\0\0"}[kind]
    key = _kdf(pwb, salt, 3, it, h, hashlib.new(h).digest_size)
    return hmac.compare_digest(hmac.new(key, data, h).digest(), digest)

if __name__ == "__main__":
    for kind in ("empty", "null"):
        r = mac_ok(sys.argv[1], kind)
        if r is None:
            print("nomac"); break
        if r:
            print(kind); break
    else:
        raise SystemExit("p12mac: MAC matches neither an empty nor a null password")
PYEOF

# der.py MODE IN OUT: surgery on a DER PFX made by openssl.
#   macflip: flip one bit in the middle of the MacData digest
#   encflip: flip one bit in the middle of the first EncryptedData ciphertext
#   maciter: set MacData iterations to 2^31-1 (lengths re-encoded)
cat >"$W/der.py" <<'PYEOF'
import sys

mode, src, dst = sys.argv[1:4]
b = bytearray(open(src, "rb").read())

def tlv(i):
    t = b[i]; i += 1; l = b[i]; i += 1
    if l == 0x80:
        sys.exit("der.py: indefinite length, need DER")
    if l & 0x80:
        n = l & 0x7F
        l = int.from_bytes(b[i:i + n], "big"); i += n
    return t, i, l

def kids(c, l):
    out, i = [], c
    while i < c + l:
        t, cc, ll = tlv(i)
        out.append((t, i, cc, ll)); i = cc + ll
    return out

def enc(tag, body):
    n = len(body)
    if n < 0x80:
        ln = bytes([n])
    else:
        nb = n.to_bytes((n.bit_length() + 7) // 8, "big")
        ln = bytes([0x80 | len(nb)]) + nb
    return bytes([tag]) + ln + body

t, c, l = tlv(0)
version, authsafe, macdata = kids(c, l)
mk = kids(macdata[2], macdata[3])
if mode == "macflip":
    digest = kids(mk[0][2], mk[0][3])[1]
    b[digest[2] + digest[3] // 2] ^= 0x10
elif mode == "encflip":
    ENCRYPTED_DATA = bytes.fromhex("2a864886f70d010706")
    ci = kids(authsafe[2], authsafe[3])
    octet = kids(ci[1][2], ci[1][3])[0]
    seq = kids(octet[2], octet[3])[0]
    for info in kids(seq[2], seq[3]):
        oid, expl = kids(info[2], info[3])
        if bytes(b[oid[2]:oid[2] + oid[3]]) == ENCRYPTED_DATA:
            ed = kids(expl[2], expl[3])[0]
            eci = kids(ed[2], ed[3])[1]
            blob = kids(eci[2], eci[3])[2]
            assert blob[0] == 0x80, "expected [0] IMPLICIT encryptedContent"
            b[blob[2] + blob[3] // 2] ^= 0x10
            break
    else:
        sys.exit("der.py: no EncryptedData found")
elif mode == "maciter":
    assert len(mk) == 3 and mk[2][0] == 0x02
    parts = [bytes(b[k[1]:k[2] + k[3]]) for k in mk[:2]] + [enc(0x02, (2**31 - 1).to_bytes(4, "big"))]
    newmac = enc(0x30, b"".join(parts))
    body = bytes(b[version[1]:authsafe[2] + authsafe[3]]) + newmac
    b = bytearray(enc(0x30, body))
else:
    sys.exit("der.py: bad mode")
open(dst, "wb").write(bytes(b))
PYEOF

# ----------------------------------------------------------------------------
# Manifest
# ----------------------------------------------------------------------------
# Each group (tool) appends its rows to $W/rows.GROUP; MANIFEST.tsv is put
# together in GROUPS_ORDER at the end, so the order does not depend on timing.
MAN=$OUT/MANIFEST.tsv
GROUPS_ORDER="openssl derived keytool certtool pk12util pyca"
GROUP=

# row FILE PASSWORD EXPECT GENERATOR NOTE [FP=KEY ...]
# PASSWORD is the manifest text: literal, <empty> or <none>. FP=KEY pairs are
# what the generating tool reported (ok rows only); the file order is checked.
row() {
	local file=$1 pwfield=$2 expect=$3 gen=$4 note=$5 pw res n=0 fps=- keys=-
	shift 5
	case $pwfield in
	'<empty>' | '<none>') pw= ;;
	'') die "row $file: use <empty> for an empty password" ;;
	*) pw=$pwfield ;;
	esac
	case "$pwfield$note$gen" in *$'\t'* | *$'\n'*) die "row $file: tab or newline in a field" ;; esac
	[ -f "$OUT/$file" ] || die "row $file: file missing"
	res=$(MXPW=$pw MXPWFIELD=$pwfield "$PY" "$W/verify.py" "$OUT/$file" "$expect" "$@") || die "check of $file failed"
	if [ "$expect" = ok ]; then
		n=$#
		fps=${res%%$'\t'*}
		keys=${res#*$'\t'}
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$file" "$pwfield" "$expect" "$n" "$fps" "$keys" "$gen" "$note" \
		>>"$W/rows.$GROUP"
}

# fp CERTFILE: SHA-256 fingerprint as openssl reports it, lowercase hex
fp() {
	local s
	s=$(openssl x509 -noout -fingerprint -sha256 -in "$1") || die "fingerprint of $1"
	s=${s#*=}
	s=${s//:/}
	echo "${s,,}"
}

# ----------------------------------------------------------------------------
# PKI (openssl): root CA -> intermediate CA -> client leaves; unrelated CA
# ----------------------------------------------------------------------------
cat >"$W/ext.cnf" <<'EOF'
[root]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[inter]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF

genkey() { q openssl genpkey -out "$P/$1.key" "${@:2}"; }
ec() { genkey "$1" -algorithm EC -pkeyopt "ec_paramgen_curve:$2" -pkeyopt ec_param_enc:named_curve; }
ec root P-384
ec inter P-256
ec other P-256
ec ec-p256 P-256
ec ec-p384 P-384
ec ec-p521 P-521
ec brainpool brainpoolP256r1
genkey rsa1024 -algorithm RSA -pkeyopt rsa_keygen_bits:1024
genkey rsa2048 -algorithm RSA -pkeyopt rsa_keygen_bits:2048
genkey rsa3072 -algorithm RSA -pkeyopt rsa_keygen_bits:3072
genkey rsa-pss -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048
genkey ed25519 -algorithm ED25519
q openssl genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:2048 -pkeyopt dsa_paramgen_q_bits:256 -out "$W/dsa.param"
genkey dsa -paramfile "$W/dsa.param"

SERIAL=100
# cert NAME SUBJECT_CN ISSUER(self|inter|root) EXT
cert() {
	local name=$1 cn=$2 issuer=$3 ext=$4
	SERIAL=$((SERIAL + 1))
	q openssl req -new -key "$P/$name.key" -subj "/O=mxtls test/CN=$cn" -out "$W/$name.csr"
	if [ "$issuer" = self ]; then
		q openssl x509 -req -in "$W/$name.csr" -signkey "$P/$name.key" -sha384 -days 3650 \
			-set_serial "$SERIAL" -extfile "$W/ext.cnf" -extensions "$ext" -out "$P/$name.crt"
	else
		q openssl x509 -req -in "$W/$name.csr" -CA "$P/$issuer.crt" -CAkey "$P/$issuer.key" -sha256 \
			-days 3650 -set_serial "$SERIAL" -extfile "$W/ext.cnf" -extensions "$ext" -out "$P/$name.crt"
	fi
}
cert root "mxtls test root CA" self root
cert other "mxtls unrelated CA" self root
cert inter "mxtls test intermediate CA" root inter
LEAVES="rsa1024 rsa2048 rsa3072 ec-p256 ec-p384 ec-p521 dsa ed25519 brainpool rsa-pss"
for k in $LEAVES; do cert "$k" "mxtls client $k" inter leaf; done

cat "$P/inter.crt" "$P/root.crt" >"$P/chain.pem"
cat "$P/root.crt" "$P/inter.crt" >"$P/chain-reversed.pem"
cat "$P/inter.crt" "$P/inter.crt" "$P/root.crt" >"$P/chain-dup.pem"
cat "$P/inter.crt" "$P/root.crt" "$P/other.crt" >"$P/chain-extra.pem"
for _ in $(seq 300); do cat "$P/inter.crt"; done >"$W/many.pem"

declare -A FP=()
for k in $LEAVES; do FP[$k]=$(fp "$P/$k.crt"); done

PW=mxtls-test
PW_UTF8='pässwörd-密码'
PW_LONG=
for i in $(seq 0 40); do PW_LONG+="long-password-$i/"; done
PW_LONG=${PW_LONG:0:300}
WRONG=wrong-password

# Source containers for the other tools (not listed in the manifest).
# op_src NAME LEAF [args]: $W/src-NAME.p12, password $PW, friendlyName "mxtls LEAF"
op_src() {
	local name=$1 leaf=$2
	shift 2
	q env MXPW="$PW" openssl pkcs12 -export -in "$P/$leaf.crt" -inkey "$P/$leaf.key" -name "mxtls $leaf" \
		-passout env:MXPW -out "$W/src-$name.p12" "$@"
}

# op OUTFILE LEAF PASSWORD [openssl pkcs12 args...]
op() {
	local out=$1 leaf=$2 pw=$3
	shift 3
	q env MXPW="$pw" openssl pkcs12 -export -in "$P/$leaf.crt" -inkey "$P/$leaf.key" \
		-passout env:MXPW -out "$OUT/$out" "$@"
}

# ----------------------------------------------------------------------------
# openssl pkcs12
# ----------------------------------------------------------------------------
make_openssl() {
	GROUP=openssl
	OV=$(openssl version | awk '{print $2}') || die "openssl version failed"
	OV=${OV%.*}
	G="openssl-$OV"
	LEG=(-provider legacy -provider default)

	for k in rsa2048 rsa3072 rsa1024 ec-p256 ec-p384 ec-p521; do
		note="defaults: PBES2 AES-256-CBC key+certs, HMAC-SHA256 MAC, 2048 iterations"
		[ $k = rsa1024 ] && note+="; weak RSA-1024 key"
		op ossl-default-$k.p12 $k "$PW"
		row ossl-default-$k.p12 "$PW" ok "$G" "$note" "${FP[$k]}=$k"
	done

	op ossl-legacy-rsa2048.p12 rsa2048 "$PW" -legacy
	row ossl-legacy-rsa2048.p12 "$PW" ok "$G -legacy" "RC2-40 certs, 3DES key, SHA-1 MAC" "${FP[rsa2048]}=rsa2048"

	for a in PBE-SHA1-3DES PBE-SHA1-2DES PBE-SHA1-RC2-128 PBE-SHA1-RC2-40 PBE-SHA1-RC4-128 PBE-SHA1-RC4-40 \
		AES-128-CBC AES-192-CBC AES-256-CBC DES-EDE3-CBC RC2-CBC; do
		f="ossl-pbe-${a,,}.p12"
		case $a in
		PBE-SHA1-* | RC2-CBC) g="$G -provider legacy" prov=("${LEG[@]}") ;;
		*) g=$G prov=() ;;
		esac
		op "$f" ec-p256 "$PW" -keypbe "$a" -certpbe "$a" ${prov[@]+"${prov[@]}"}
		case $a in
		PBE-*) n="PKCS#12 PBE $a (RFC 7292 KDF) for key and certs" ;;
		*) n="PBES2/PBKDF2-HMAC-SHA256 with $a for key and certs" ;;
		esac
		row "$f" "$PW" ok "$g" "$n; SHA-256 MAC" "${FP[ec-p256]}=ec-p256"
	done

	op ossl-certpbe-none.p12 ec-p256 "$PW" -certpbe NONE
	row ossl-certpbe-none.p12 "$PW" ok "$G" "certificates not encrypted (-certpbe NONE), key AES-256" "${FP[ec-p256]}=ec-p256"
	op ossl-keypbe-none.p12 ec-p256 "$PW" -keypbe NONE
	row ossl-keypbe-none.p12 "$PW" ok "$G" "plain keyBag (-keypbe NONE), certificates AES-256" "${FP[ec-p256]}=ec-p256"
	op ossl-nopbe-mac.p12 ec-p256 "$PW" -keypbe NONE -certpbe NONE
	row ossl-nopbe-mac.p12 "$PW" ok "$G" "nothing encrypted, password only keys the SHA-256 MAC" "${FP[ec-p256]}=ec-p256"
	op ossl-nopbe-nomac.p12 ec-p256 "" -keypbe NONE -certpbe NONE -nomac
	row ossl-nopbe-nomac.p12 "<none>" ok "$G" "nothing encrypted and no MAC (-nodes-like); no password needed" "${FP[ec-p256]}=ec-p256"

	for m in sha1 sha224 sha256 sha384 sha512; do
		op ossl-mac-$m.p12 ec-p256 "$PW" -macalg $m
		row ossl-mac-$m.p12 "$PW" ok "$G" "-macalg $m (PKCS#12 KDF with $m), AES-256 bags" "${FP[ec-p256]}=ec-p256"
	done
	op ossl-nomac.p12 ec-p256 "$PW" -nomac
	row ossl-nomac.p12 "$PW" ok "$G" "-nomac: AES-256 bags but no integrity MAC" "${FP[ec-p256]}=ec-p256"

	op ossl-iter-1.p12 ec-p256 "$PW" -iter 1
	row ossl-iter-1.p12 "$PW" ok "$G" "-iter 1: 1 iteration for bags and MAC" "${FP[ec-p256]}=ec-p256"
	op ossl-iter-100000.p12 ec-p256 "$PW" -iter 100000
	row ossl-iter-100000.p12 "$PW" ok "$G" "-iter 100000 for bags and MAC" "${FP[ec-p256]}=ec-p256"
	op ossl-noiter.p12 ec-p256 "$PW" -noiter
	row ossl-noiter.p12 "$PW" ok "$G" "-noiter: bags 1 iteration, MAC 2048" "${FP[ec-p256]}=ec-p256"
	op ossl-nomaciter.p12 ec-p256 "$PW" -nomaciter
	row ossl-nomaciter.p12 "$PW" ok "$G" "-nomaciter: MAC 1 iteration, bags 2048" "${FP[ec-p256]}=ec-p256"

	op ossl-chain.p12 ec-p384 "$PW" -certfile "$P/chain.pem"
	row ossl-chain.p12 "$PW" ok "$G" "leaf + intermediate + root" "${FP[ec-p384]}=ec-p384"
	op ossl-chain-reversed.p12 ec-p384 "$PW" -certfile "$P/chain-reversed.pem"
	row ossl-chain-reversed.p12 "$PW" ok "$G" "chain given root first (wrong order)" "${FP[ec-p384]}=ec-p384"
	op ossl-chain-dup.p12 ec-p384 "$PW" -certfile "$P/chain-dup.pem"
	row ossl-chain-dup.p12 "$PW" ok "$G" "intermediate listed twice" "${FP[ec-p384]}=ec-p384"
	op ossl-chain-extra.p12 ec-p384 "$PW" -certfile "$P/chain-extra.pem"
	row ossl-chain-extra.p12 "$PW" ok "$G" "chain plus an unrelated self-signed CA (an extra cert)" "${FP[ec-p384]}=ec-p384"
	op ossl-names.p12 rsa2048 "$PW" -certfile "$P/chain.pem" -name "mxtls Ünïcødé client ☃" \
		-caname "mxtls intermediate CA" -caname "mxtls root CA"
	row ossl-names.p12 "$PW" ok "$G" "friendlyName 'mxtls Ünïcødé client ☃' (-name) and -caname on the chain" "${FP[rsa2048]}=rsa2048"

	op ossl-pw-empty.p12 ec-p256 ""
	row ossl-pw-empty.p12 "<empty>" ok "$G" "empty password (-passout pass:), MAC over BMPString 00 00" "${FP[ec-p256]}=ec-p256"
	op ossl-pw-utf8.p12 ec-p256 "$PW_UTF8"
	row ossl-pw-utf8.p12 "$PW_UTF8" ok "$G" "non-ASCII UTF-8 password" "${FP[ec-p256]}=ec-p256"
	op ossl-pw-long300.p12 ec-p256 "$PW_LONG"
	row ossl-pw-long300.p12 "$PW_LONG" ok "$G" "300-character password" "${FP[ec-p256]}=ec-p256"

	op ossl-bags-301.p12 ec-p256 "$PW" -certfile "$W/many.pem" -certpbe NONE
	row ossl-bags-301.p12 "$PW" limit_exceeded "$G" "301 SafeBags (intermediate repeated 300 times), over MXTLS_MAX_BAGS 256"

	q env MXPW="$PW" openssl pkcs12 -export -nokeys -in "$P/ec-p256.crt" -certfile "$P/chain.pem" -passout env:MXPW -out "$OUT/ossl-nokeys.p12"
	row ossl-nokeys.p12 "$PW" no_key "$G" "-nokeys: leaf and chain certificates only"
	q env MXPW="$PW" openssl pkcs12 -export -nocerts -inkey "$P/ec-p256.key" -passout env:MXPW -out "$OUT/ossl-nocerts.p12"
	row ossl-nocerts.p12 "$PW" no_certificate "$G" "-nocerts: a shrouded key only"

	for k in dsa ed25519 brainpool rsa-pss; do
		op ossl-key-$k.p12 $k "$PW"
		row ossl-key-$k.p12 "$PW" unsupported_key "$G" "$k key with its certificate"
	done

	op ossl-keypbe-seed.p12 ec-p256 "$PW" -keypbe SEED-CBC "${LEG[@]}"
	row ossl-keypbe-seed.p12 "$PW" unsupported_algorithm "$G -provider legacy" "key bag PBES2 with SEED-CBC"
	op ossl-mac-md5.p12 ec-p256 "$PW" -macalg md5
	row ossl-mac-md5.p12 "$PW" unsupported_algorithm "$G" "MD5 MAC"
}

# ----------------------------------------------------------------------------
# Negative files derived from good ones
# ----------------------------------------------------------------------------
make_derived() {
	GROUP=derived
	base=$OUT/ossl-default-ec-p256.p12
	size=$(wc -c <"$base")
	head -c $((size / 2)) "$base" >"$OUT/neg-truncated.p12"
	row neg-truncated.p12 "$PW" corrupt "$G +truncated" "ossl-default-ec-p256.p12 cut to half its length"
	"$PY" "$W/der.py" macflip "$base" "$OUT/neg-macflip.p12"
	row neg-macflip.p12 "$PW" "wrong_password|corrupt" "$G +bitflip" "ossl-default-ec-p256.p12 with one bit flipped in the MAC digest"
	"$PY" "$W/der.py" encflip "$base" "$OUT/neg-encflip.p12"
	row neg-encflip.p12 "$PW" "wrong_password|corrupt" "$G +bitflip" "ossl-default-ec-p256.p12 with one bit flipped in the middle of the encrypted certificates"
	"$PY" "$W/der.py" maciter "$base" "$OUT/neg-maciter-huge.p12"
	row neg-maciter-huge.p12 "$PW" limit_exceeded "$G +edited" "MAC iteration count rewritten to 2147483647 (over MXTLS_MAX_KDF_ITERATIONS)"
	cp "$OUT/ossl-default-rsa2048.p12" "$OUT/neg-wrongpw.p12"
	row neg-wrongpw.p12 "$WRONG" wrong_password "$G" "copy of ossl-default-rsa2048.p12 (password $PW) listed with a wrong password"
	cp "$OUT/ossl-legacy-rsa2048.p12" "$OUT/neg-wrongpw-legacy.p12"
	row neg-wrongpw-legacy.p12 "$WRONG" wrong_password "$G -legacy" "copy of ossl-legacy-rsa2048.p12 (password $PW) listed with a wrong password"
	: >"$OUT/neg-zero.p12"
	row neg-zero.p12 "$PW" "corrupt|empty" script "zero-byte file"
	head -c 2048 /dev/urandom >"$OUT/neg-random.p12"
	row neg-random.p12 "$PW" corrupt script "2048 random bytes"
	cat "$P/ec-p256.crt" "$P/ec-p256.key" >"$OUT/neg-pem.p12"
	row neg-pem.p12 "$PW" corrupt script "PEM certificate + private key saved as .p12 (not DER)"
	base64 -w 76 "$base" >"$OUT/neg-base64.p12"
	row neg-base64.p12 "$PW" corrupt script "base64 text of ossl-default-ec-p256.p12 (as some vaults hand it out)"
	head -c $((1024 * 1024 + 1)) /dev/urandom >"$OUT/neg-oversize.p12"
	row neg-oversize.p12 "$PW" "limit_exceeded|corrupt" script "1 MiB + 1 random bytes (over MXTLS_MAX_INPUT_BYTES)"
}

# ----------------------------------------------------------------------------
# keytool (JDK)
# ----------------------------------------------------------------------------
make_keytool() {
	if command -v keytool >/dev/null 2>&1; then
		GROUP=keytool
		KV=$(keytool -J-version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1) || die "keytool -J-version failed"
		G="keytool-${KV:-jdk}"
		# JIT/GC flags only make the JVM start faster; the files are the same.
		KT=(keytool -J-XX:TieredStopAtLevel=1 -J-XX:+UseSerialGC)
		op_src ec-p256 ec-p256 -certfile "$P/chain.pem"
		op_src ec-p384 ec-p384 -certfile "$P/chain.pem"
		op_src rsa2048 rsa2048 -certfile "$P/chain.pem"
		op_src rsa3072 rsa3072 -certfile "$P/chain.pem"
		op_src ed25519 ed25519 -certfile "$P/chain.pem"
		# kt_import SRC DEST PASSWORD [-J...]
		kt_import() {
			q "${KT[@]}" -importkeystore -noprompt -srckeystore "$W/src-$1.p12" -srcstoretype PKCS12 -srcstorepass "$PW" \
				-destkeystore "$OUT/$2" -deststoretype PKCS12 -deststorepass "$3" "${@:4}"
		}
		# kt_fp FILE PASSWORD ALIAS...: for each ALIAS "FP" as keytool -list -v reports
		# the SHA256 of its first (leaf) certificate
		kt_fp() {
			local f=$1 pw=$2 s a fps
			shift 2
			s=$("${KT[@]}" -list -v -storetype PKCS12 -keystore "$OUT/$f" -storepass "$pw" </dev/null) ||
				die "keytool -list $f"
			for a in "$@"; do
				fps=$(awk -v a="$a" '/^Alias name: / {c = (substr($0, 13) == a); l = 0} c && /^Certificate\[1\]:/ {l = 1}
					c && l && /SHA256:/ {print $2; exit}' <<<"$s")
				[ -n "$fps" ] || die "keytool -list $f: no SHA256 for alias $a"
				fps=${fps//:/}
				echo "${fps,,}"
			done
		}
		kt_import ec-p256 kt-import-ec-p256.p12 "$PW"
		row kt-import-ec-p256.p12 "$PW" ok "$G" "-importkeystore from openssl p12 with chain (PBES2 AES-256, HMAC-SHA256, 10000 iter)" \
			"$(kt_fp kt-import-ec-p256.p12 "$PW" "mxtls ec-p256")=ec-p256"
		kt_import rsa2048 kt-import-legacy-rsa2048.p12 "$PW" -J-Dkeystore.pkcs12.legacy
		row kt-import-legacy-rsa2048.p12 "$PW" ok "$G -Dkeystore.pkcs12.legacy" "legacy store: RC2-40 certs, 3DES key, SHA-1 MAC" \
			"$(kt_fp kt-import-legacy-rsa2048.p12 "$PW" "mxtls rsa2048")=rsa2048"
		kt_import ec-p384 kt-merge-2id.p12 "$PW"
		kt_import rsa3072 kt-merge-2id.p12 "$PW"
		fps=$(kt_fp kt-merge-2id.p12 "$PW" "mxtls ec-p384" "mxtls rsa3072")
		read -r fa fb <<<"${fps//$'\n'/ }"
		row kt-merge-2id.p12 "$PW" ok "$G" "two identities imported from two openssl p12 files, each with its chain" \
			"$fa=ec-p384" "$fb=rsa3072"
		q "${KT[@]}" -genkeypair -keystore "$OUT/kt-gen-2id.p12" -storetype PKCS12 -storepass "$PW" -alias "ec client" \
			-keyalg EC -groupname secp256r1 -dname "O=mxtls test,CN=keytool ec" -ext EKU=clientAuth -validity 3650
		q "${KT[@]}" -genkeypair -keystore "$OUT/kt-gen-2id.p12" -storetype PKCS12 -storepass "$PW" -alias "rsa client" \
			-keyalg RSA -keysize 2048 -dname "O=mxtls test,CN=keytool rsa" -ext EKU=clientAuth -validity 3650
		fps=$(kt_fp kt-gen-2id.p12 "$PW" "ec client" "rsa client")
		read -r fa fb <<<"${fps//$'\n'/ }"
		row kt-gen-2id.p12 "$PW" ok "$G" "-genkeypair twice: EC P-256 and RSA-2048 entries, self-signed" \
			"$fa=ec-p256" "$fb=rsa2048"
		kt_import ec-p256 kt-with-ed25519.p12 "$PW"
		kt_import ed25519 kt-with-ed25519.p12 "$PW"
		row kt-with-ed25519.p12 "$PW" ok "$G" "EC P-256 identity plus an Ed25519 entry that must be skipped" \
			"$(kt_fp kt-with-ed25519.p12 "$PW" "mxtls ec-p256")=ec-p256"
		q "${KT[@]}" -genkeypair -keystore "$OUT/kt-empty.p12" -storetype PKCS12 -storepass "$PW" -alias gone \
			-keyalg EC -groupname secp256r1 -dname "CN=gone" -validity 30
		q "${KT[@]}" -delete -keystore "$OUT/kt-empty.p12" -storetype PKCS12 -storepass "$PW" -alias gone
		row kt-empty.p12 "$PW" empty "$G" "keystore whose only entry was deleted: empty AuthenticatedSafe with a valid MAC"
	else
		warn "keytool not found: skipping keytool files"
	fi
}

# ----------------------------------------------------------------------------
# GnuTLS certtool
# ----------------------------------------------------------------------------
make_certtool() {
	if command -v certtool >/dev/null 2>&1; then
		GROUP=certtool
		CV=$(certtool --version | awk 'NR == 1 {print $NF}') || die "certtool --version failed"
		G="certtool-${CV%.*}"
		# ct OUTFILE LEAF CERTFILE [certtool args...]
		ct() {
			local out=$1 leaf=$2 certs=$3
			shift 3
			q certtool --to-p12 --load-privkey "$P/$leaf.key" --load-certificate "$certs" --p12-name "mxtls $leaf" \
				--outder --outfile "$OUT/$out" "$@"
		}
		ctfp() {
			local s
			s=$(certtool --fingerprint --hash=sha256 --infile "$P/$1.crt" </dev/null) || die "certtool --fingerprint $1"
			echo "${s,,}=$1"
		}
		ct ct-default-rsa2048.p12 rsa2048 "$P/rsa2048.crt" --password "$PW"
		row ct-default-rsa2048.p12 "$PW" ok "$G" "defaults: PBES2 AES-128 key+certs, HMAC-SHA256 MAC, 600000 iterations" "$(ctfp rsa2048)"
		for c in 3des 3des-pkcs12 aes-128 aes-192 aes-256 rc2-40 arcfour; do
			ct ct-cipher-$c.p12 ec-p256 "$P/ec-p256.crt" --password "$PW" --pkcs-cipher=$c
			row ct-cipher-$c.p12 "$PW" ok "$G" "--pkcs-cipher=$c for key and certs" "$(ctfp ec-p256)"
		done
		for h in SHA1 SHA512; do
			ct ct-hash-${h,,}.p12 ec-p256 "$P/ec-p256.crt" --password "$PW" --hash=$h
			row ct-hash-${h,,}.p12 "$PW" ok "$G" "--hash=$h MAC" "$(ctfp ec-p256)"
		done
		ct ct-pw-empty.p12 ec-p256 "$P/ec-p256.crt" --empty-password
		row ct-pw-empty.p12 "<empty>" ok "$G" "--empty-password: MAC over BMPString 00 00" "$(ctfp ec-p256)"
		ct ct-pw-null.p12 ec-p256 "$P/ec-p256.crt" --null-password
		row ct-pw-null.p12 "<none>" ok "$G" "--null-password: MAC over a zero-length password" "$(ctfp ec-p256)"
		cat "$P/ec-p521.crt" "$P/chain.pem" >"$W/ec-p521-chain.pem"
		ct ct-chain-ec-p521.p12 ec-p521 "$W/ec-p521-chain.pem" --password "$PW"
		row ct-chain-ec-p521.p12 "$PW" ok "$G" "leaf + intermediate + root in --load-certificate" "$(ctfp ec-p521)"
		ct ct-pw-utf8.p12 rsa3072 "$P/rsa3072.crt" --password "$PW_UTF8"
		row ct-pw-utf8.p12 "$PW_UTF8" ok "$G" "non-ASCII UTF-8 password" "$(ctfp rsa3072)"
	else
		warn "certtool not found: skipping certtool files"
	fi
}

# ----------------------------------------------------------------------------
# NSS pk12util
# ----------------------------------------------------------------------------
make_nss() {
	if command -v pk12util >/dev/null 2>&1 && command -v certutil >/dev/null 2>&1; then
		GROUP=pk12util
		NV=$( (nss-config --version || pkg-config --modversion nss || dpkg-query -W -f='${Version}' libnss3-tools) 2>/dev/null | head -1) || true
		NV=${NV#*:}
		NV=$(sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p' <<<"$NV")
		G="pk12util-${NV:-nss}"
		DB="sql:$OUT/nssdb"
		mkdir "$OUT/nssdb"
		q certutil -N -d "$DB" --empty-password
		op_src nss-ec-p384 ec-p384 -certfile "$P/chain.pem"
		op_src nss-rsa2048 rsa2048 -certfile "$P/chain.pem"
		q pk12util -i "$W/src-nss-ec-p384.p12" -d "$DB" -W "$PW" -K ""
		q pk12util -i "$W/src-nss-rsa2048.p12" -d "$DB" -W "$PW" -K ""
		# ne OUTFILE NICK PASSWORD [pk12util args...]
		ne() {
			local out=$1 nick=$2 pw=$3
			shift 3
			q pk12util -o "$OUT/$out" -n "$nick" -d "$DB" -W "$pw" -K "" "$@"
		}
		nssfp() {
			local s
			s=$(certutil -L -n "mxtls $1" -d "$DB" </dev/null) || die "certutil -L mxtls $1"
			s=$(awk '/Fingerprint \(SHA-256\):/ {getline; print $1; exit}' <<<"$s")
			[ -n "$s" ] || die "no SHA-256 fingerprint from certutil for mxtls $1"
			s=${s//:/}
			echo "${s,,}=$1"
		}
		V2="PKCS #12 V2 PBE With SHA-1 And"
		ne nss-default-ec-p384.p12 "mxtls ec-p384" "$PW"
		row nss-default-ec-p384.p12 "$PW" ok "$G" "defaults: key AES-256, certs AES-128 (PBES2), HMAC-SHA256, 600000 iter; BER indefinite lengths; chain" "$(nssfp ec-p384)"
		ne nss-default-rsa2048.p12 "mxtls rsa2048" "$PW"
		row nss-default-rsa2048.p12 "$PW" ok "$G" "defaults as nss-default-ec-p384 with an RSA key" "$(nssfp rsa2048)"
		ne nss-3des.p12 "mxtls ec-p384" "$PW" -c "$V2 3KEY Triple DES-CBC" -C "$V2 3KEY Triple DES-CBC"
		row nss-3des.p12 "$PW" ok "$G" "-c/-C '$V2 3KEY Triple DES-CBC'" "$(nssfp ec-p384)"
		ne nss-certs-rc2-40.p12 "mxtls ec-p384" "$PW" -C "$V2 40 Bit RC2 CBC"
		row nss-certs-rc2-40.p12 "$PW" ok "$G" "-C '$V2 40 Bit RC2 CBC', key default AES-256" "$(nssfp ec-p384)"
		ne nss-key-rc4-128.p12 "mxtls ec-p384" "$PW" -c "$V2 128 Bit RC4"
		row nss-key-rc4-128.p12 "$PW" ok "$G" "-c '$V2 128 Bit RC4', certs default AES-128" "$(nssfp ec-p384)"
		ne nss-aes256.p12 "mxtls ec-p384" "$PW" -c AES-256-CBC -C AES-256-CBC
		row nss-aes256.p12 "$PW" ok "$G" "-c AES-256-CBC -C AES-256-CBC" "$(nssfp ec-p384)"
		ne nss-certs-plain.p12 "mxtls ec-p384" "$PW" -C NONE
		row nss-certs-plain.p12 "$PW" ok "$G" "-C NONE: certificates not encrypted" "$(nssfp ec-p384)"
		ne nss-mac-sha1.p12 "mxtls ec-p384" "$PW" -M SHA-1
		row nss-mac-sha1.p12 "$PW" ok "$G" "-M SHA-1: SHA-1 MAC, and PBKDF2 PRF becomes hmacWithSHA1 too" "$(nssfp ec-p384)"
		ne nss-mac-sha384.p12 "mxtls ec-p384" "$PW" -M SHA-384
		row nss-mac-sha384.p12 "$PW" ok "$G" "-M SHA-384: SHA-384 MAC, PBKDF2 PRF hmacWithSHA384" "$(nssfp ec-p384)"
		ne nss-pw-empty.p12 "mxtls ec-p384" ""
		row nss-pw-empty.p12 "<empty>" ok "$G" "-W '': MAC over BMPString 00 00" "$(nssfp ec-p384)"
		ne nss-pw-utf8.p12 "mxtls ec-p384" "$PW_UTF8"
		row nss-pw-utf8.p12 "$PW_UTF8" ok "$G" "non-ASCII UTF-8 password" "$(nssfp ec-p384)"
		ne nss-key-seed.p12 "mxtls ec-p384" "$PW" -c SEED-CBC
		row nss-key-seed.p12 "$PW" unsupported_algorithm "$G" "key bag PBES2 with SEED-CBC"
	else
		warn "pk12util/certutil not found: skipping NSS files"
	fi
}

# ----------------------------------------------------------------------------
# python3 cryptography
# ----------------------------------------------------------------------------
make_pyca() {
	if PYV=$("$PY" -c 'import cryptography; print(cryptography.__version__)' 2>/dev/null); then
		GROUP=pyca
		G="pyca-${PYV%%.*}"
		cat >"$W/pyca.py" <<'PYEOF'
import os, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12

P, OUT, PW, PW_UTF8 = sys.argv[1:5]
pw, pw_utf8 = PW.encode(), PW_UTF8.encode()

def key(n):
    return serialization.load_pem_private_key(open(os.path.join(P, n + ".key"), "rb").read(), None)
def cert(n):
    return x509.load_pem_x509_certificate(open(os.path.join(P, n + ".crt"), "rb").read())
chain = [cert("inter"), cert("root")]

def emit(fname, pwfield, expect, note, leaf=None, kt=None, **kw):
    open(os.path.join(OUT, fname), "wb").write(pkcs12.serialize_key_and_certificates(**kw))
    ids = "%s=%s" % (leaf.fingerprint(hashes.SHA256()).hex(), kt) if leaf else ""
    print("\t".join([fname, pwfield, expect, note, ids]))

def ok(fname, pwfield, note, kt, enc, name=None, cas=None):
    c = cert(kt)
    emit(fname, pwfield, "ok", note, c, kt, name=name, key=key(kt), cert=c, cas=cas, encryption_algorithm=enc)

best = serialization.BestAvailableEncryption
ok("py-best-ec-p256.p12", PW, "BestAvailableEncryption, key + leaf only", "ec-p256", best(pw), b"mxtls ec-p256")
ok("py-best-chain-rsa2048.p12", PW, "BestAvailableEncryption with cas=[intermediate, root]", "rsa2048", best(pw),
   b"mxtls rsa2048", chain)
ok("py-noenc-ec-p384.p12", "<auto>", "NoEncryption: nothing encrypted, but still a SHA-256 MAC keyed with",
   "ec-p384", serialization.NoEncryption(), b"mxtls ec-p384")
ok("py-pw-utf8-ec-p521.p12", PW_UTF8, "BestAvailableEncryption, non-ASCII UTF-8 password", "ec-p521", best(pw_utf8))
ok("py-cas-names-rsa3072.p12", PW, "UTF-8 key friendlyName and named CA certs (PKCS12Certificate)", "rsa3072", best(pw),
   "clé client ☃".encode(), [pkcs12.PKCS12Certificate(chain[0], b"mxtls intermediate"),
                              pkcs12.PKCS12Certificate(chain[1], b"mxtls root")])
if hasattr(serialization.PrivateFormat.PKCS12, "encryption_builder"):
    B = lambda: serialization.PrivateFormat.PKCS12.encryption_builder()
    PBES = pkcs12.PBES
    ok("py-b-3des-sha1.p12", PW, "encryption_builder: PBESv1SHA1And3KeyTripleDESCBC, hmac SHA1, kdf_rounds 50000", "rsa2048",
       B().kdf_rounds(50000).key_cert_algorithm(PBES.PBESv1SHA1And3KeyTripleDESCBC).hmac_hash(hashes.SHA1()).build(pw))
    ok("py-b-aes-sha256.p12", PW, "encryption_builder: PBESv2SHA256AndAES256CBC, hmac SHA256, kdf_rounds 100000, chain", "ec-p384",
       B().kdf_rounds(100000).key_cert_algorithm(PBES.PBESv2SHA256AndAES256CBC).hmac_hash(hashes.SHA256()).build(pw),
       b"mxtls ec-p384", chain)
    ok("py-b-aes-sha512.p12", PW, "encryption_builder: PBESv2SHA256AndAES256CBC, hmac SHA512, kdf_rounds 2048", "ec-p256",
       B().kdf_rounds(2048).key_cert_algorithm(PBES.PBESv2SHA256AndAES256CBC).hmac_hash(hashes.SHA512()).build(pw))
else:
    sys.stderr.write("make-corpus: warning: cryptography has no PKCS12 encryption_builder: skipping py-b-*\n")
# key_mismatch: serialize_key_and_certificates refuses a mismatched cert=, so
# pass the EC key with another identity's certificate as a CA cert.
emit("py-mismatch.p12", PW, "key_mismatch", "EC P-256 key with only the RSA-2048 leaf certificate (given as cas=); no localKeyId",
     name=b"mxtls mismatch", key=key("ec-p256"), cert=None, cas=[cert("rsa2048")], encryption_algorithm=best(pw))
PYEOF
		"$PY" "$W/pyca.py" "$P" "$OUT" "$PW" "$PW_UTF8" >"$W/pyca.tsv" || die "pyca.py failed"
		while IFS=$'\t' read -r f pwf ex note ids; do
			if [ "$pwf" = "<auto>" ]; then
				# NoEncryption's MAC key changed between versions (38: zero-length
				# password, 48: BMPString 00 00): list what this version wrote.
				case $("$PY" "$W/p12mac.py" "$OUT/$f") in
				empty) pwf="<empty>" note+=" the empty password (BMPString 00 00)" ;;
				null) pwf="<none>" note+=" a zero-length (null) password" ;;
				*) die "$f: unexpected MAC" ;;
				esac
			fi
			if [ -n "$ids" ]; then row "$f" "$pwf" "$ex" "$G" "$note" "$ids"; else row "$f" "$pwf" "$ex" "$G" "$note"; fi
		done <"$W/pyca.tsv"
	else
		warn "python3 cryptography not importable: skipping pyca files"
	fi
}

# ----------------------------------------------------------------------------
# Run: keytool and NSS (JVM start-up, 600000-iteration KDFs) in a second lane
# while openssl, certtool and python run here; 2 cores are kept busy.
# ----------------------------------------------------------------------------
(
	make_keytool
	make_nss
) &
LANE=$!
make_openssl
make_derived
make_certtool
make_pyca
wait "$LANE" || die "the keytool/NSS lane failed (see above)"
LANE=

printf 'file\tpassword\tmxtls_expect\tidentities\tleaf_sha256\tkey\tgenerator\tnote\n' >"$MAN"
summary=
for g in $GROUPS_ORDER; do
	[ -f "$W/rows.$g" ] || continue
	cat "$W/rows.$g" >>"$MAN"
	summary+=" $g=$(wc -l <"$W/rows.$g")"
done

# Every corpus file is listed exactly once.
listed=$(tail -n +2 "$MAN" | cut -f1 | sort)
present=$(cd "$OUT" && find . -maxdepth 1 -type f -name '*.p12' | sed 's|^\./||' | sort)
[ "$listed" = "$present" ] || die "manifest and files differ: $(diff <(echo "$listed") <(echo "$present") | tr '\n' ' ')"
[ "$(echo "$listed" | uniq -d)" = "" ] || die "a file is listed twice"

T1=$(date +%s%N)
printf 'make-corpus: %d files (%s) in %d.%01ds -> %s\n' "$(($(wc -l <"$MAN") - 1))" "${summary# }" \
	$(((T1 - T0) / 1000000000)) $((((T1 - T0) / 100000000) % 10)) "$OUT" >&2
