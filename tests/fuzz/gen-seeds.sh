#!/usr/bin/env bash
# Regenerate the committed seeds of fuzz_trust, fuzz_env, fuzz_select,
# fuzz_url_host, fuzz_server_key, fuzz_keys, fuzz_pkcs7 and fuzz_keystore
# (tests/fuzz/seeds/<target>/), and
# fuzz_fixture.h, the small container and CA those targets embed. Run it by
# hand when they need to change, and commit what it writes; builds and tests
# never run it (they need no openssl). New keys each time, so every file changes.
#
#   tests/fuzz/gen-seeds.sh              all of them
#   tests/fuzz/gen-seeds.sh server_key   only seeds/server_key/
#   tests/fuzz/gen-seeds.sh readers      only seeds/keys/ and seeds/pkcs7/
#   tests/fuzz/gen-seeds.sh keystore     only seeds/keystore/ (needs keytool)
#
# (make-seeds.sh is another thing: the pkcs12 and asn1 seeds, written into the
# build directory from ../shared at test time.)
#
# Everything is small on purpose: P-256 keys, short names, a container with an
# unencrypted certificate and 1 iteration for the key and the MAC, so that a
# run with it costs microseconds. Certificates are valid for 100 years, except
# one for 3000 days (within MXTLS_EXPIRY_WARNING_DAYS=3650 in the runtime seed).
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
seeds=$here/seeds
# `gen-seeds.sh server_key`: only the seeds of fuzz_server_key (see server_key_seeds below).
only=${1:-}
password=secret-fuzz-1 # fuzz_env checks that "secret-fuzz..." never shows up in messages
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ossl() {
	if ! openssl "$@" >"$tmp/ossl.log" 2>&1; then
		cat "$tmp/ossl.log" >&2
		exit 1
	fi
}

# fuzz_server_key: what servers answer to the probe's ClientHello (lib/diag/server_key.c
# with SNI localhost and a zero random, as hex), from openssl s_server with RSA, P-256,
# Ed25519, Ed448 and RSASSA-PSS keys; the Ed25519 flight again cut into 100-byte records;
# a TLS 1.3-only server's alert; and a few hand-made answers.
hello=16030100c3010000bf0303000000000000000000000000000000000000000000000000000000000000000000003ac02bc02cc02fc030cca9cca8c023c024c027c028c009c00ac013c014009e009fccaa0067006b00330039009c009d003c003d002f0035000a00ff0100005c0000000e000c0000096c6f63616c686f7374000a00160014001d001700180019001e01000101010201030104000b00020100000d00220020080708080809080a080b0804080508060403050306030401050106010203020100170000
server_key_seeds() {
	local dir=$seeds/server_key kind alg opts port pid
	rm -rf "$dir"
	mkdir -p "$dir"
	ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/sk-ca.key"
	ossl req -x509 -new -key "$tmp/sk-ca.key" -subj "/CN=probe CA" -days 36500 -out "$tmp/sk-ca.pem"
	for kind in rsa p256 ed25519 ed448 rsa-pss; do
		case $kind in
		rsa) alg=(-algorithm RSA -pkeyopt rsa_keygen_bits:2048) ;;
		p256) alg=(-algorithm EC -pkeyopt ec_paramgen_curve:P-256) ;;
		rsa-pss) alg=(-algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048) ;;
		*) alg=(-algorithm "$kind") ;;
		esac
		ossl genpkey "${alg[@]}" -out "$tmp/$kind.key"
		ossl req -new -key "$tmp/$kind.key" -subj "/CN=localhost" -out "$tmp/$kind.csr"
		ossl x509 -req -in "$tmp/$kind.csr" -CA "$tmp/sk-ca.pem" -CAkey "$tmp/sk-ca.key" \
			-set_serial 7 -days 36500 -out "$tmp/$kind.pem"
	done
	for kind in rsa p256 ed25519 ed448 rsa-pss tls13-only; do
		opts=(-tls1_2 -cert "$tmp/${kind/tls13-only/p256}.pem" -key "$tmp/${kind/tls13-only/p256}.key")
		[ "$kind" = tls13-only ] && opts[0]=-tls1_3
		port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
		openssl s_server -accept "127.0.0.1:$port" -quiet "${opts[@]}" -cert_chain "$tmp/sk-ca.pem" \
			</dev/null >/dev/null 2>&1 &
		pid=$!
		python3 - "$port" "$hello" "$dir/$kind" <<'PY'
import socket, sys, time
port, hello, out = int(sys.argv[1]), bytes.fromhex(sys.argv[2]), sys.argv[3]
for _ in range(50):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=2)
        break
    except OSError:
        time.sleep(0.1)
s.sendall(hello)
data = b""
s.settimeout(1)
try:
    while len(data) < 65536:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
except socket.timeout:
    pass
open(out, "wb").write(data)
PY
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	# The Ed25519 flight in 100-byte records: messages across records.
	python3 - "$dir/ed25519" "$dir/ed25519-fragmented" <<'PY'
import sys
data, out, payload = open(sys.argv[1], "rb").read(), b"", b""
while len(data) >= 5:
    n = int.from_bytes(data[3:5], "big")
    payload += data[5:5 + n]
    data = data[5 + n:]
for i in range(0, len(payload), 100):
    part = payload[i:i + 100]
    out += bytes([22, 3, 3]) + len(part).to_bytes(2, "big") + part
open(sys.argv[2], "wb").write(out)
PY
	head -c 700 "$dir/p256" >"$dir/p256-cut"
	printf '\x15\x03\x03\x00\x02\x02\x28' >"$dir/alert-handshake-failure"
	printf '\x16\x03\x03\xff\xff\x02\x00\x00\x60' >"$dir/huge-record"
	printf 'HTTP/1.1 400 Bad Request\r\n\r\n' >"$dir/http"
	echo "seeds/server_key: $(ls "$dir" | wc -l) files, $(cat "$dir"/* | wc -c) bytes"
}
if [ "$only" = server_key ]; then
	server_key_seeds
	exit 0
fi

# fuzz_keys and fuzz_pkcs7: the inputs of `mxtls pack` as openssl makes them
# (tests/readers/make-inputs.sh; its password "s3cret" is fuzz_keys' selector 1).
readers_seeds() {
	local in=$tmp/readers f sel
	"$here/../readers/make-inputs.sh" "$in" >/dev/null
	rm -rf "$seeds/keys" "$seeds/pkcs7"
	mkdir -p "$seeds/keys" "$seeds/pkcs7"
	for f in leaf-key.pem key-pkcs1.pem key-pkcs1.der key-pbes2-aes.pem key-pbes2-des3.pem \
		key-pbe-sha1-3des.pem key-pbes2-aes.der key-legacy-aes256.pem key-legacy-des3.pem \
		eckey-sec1.pem eckey-sec1.der eckey-legacy-aes256.pem ed25519-key.pem leaf.der; do
		case $f in *pbes2* | *pbe-* | *legacy*) sel='\001' ;; *) sel='\000' ;; esac
		{ printf "$sel"; cat "$in/$f"; } >"$seeds/keys/$f"
	done
	{ printf '\000'; cat "$in/leaf.pem" "$in/leaf-key.pem"; } >"$seeds/keys/leaf-and-key.pem"
	cp "$in/chain-der.p7b" "$seeds/pkcs7/chain.p7b"
	ossl crl2pkcs7 -nocrl -certfile "$in/leaf.pem" -outform DER -out "$seeds/pkcs7/one.p7b"
	ossl crl2pkcs7 -nocrl -outform DER -out "$seeds/pkcs7/empty.p7b"
}
if [ "$only" = readers ]; then
	readers_seeds
	exit 0
fi

# fuzz_keystore: the keystores of make-inputs.sh behind fuzz_keystore.c's selector byte
# (1: store.jks's passwords, 2: store.jceks's, 3: wrong, 0: none; +4: through
# mxtls_bundle_add_mem; 8: a bare Java serialization stream), a JKS version 1
# truststore of our own, and the serialized SealedObject of a JCEKS secret key.
keystore_seeds() {
	local in=$tmp/readers dir=$seeds/keystore
	[ -f "$in/store.jks" ] || "$here/../readers/make-inputs.sh" "$in" >/dev/null
	[ -f "$in/store.jks" ] || { echo "gen-seeds: no keytool: no keystore seeds" >&2; exit 1; }
	rm -rf "$dir"
	mkdir -p "$dir"
	seed() { { printf "$1"; cat "$2"; } >"$dir/$3"; }
	seed '\001' "$in/store.jks" jks
	seed '\000' "$in/store.jks" jks-no-password
	seed '\005' "$in/store.jks" jks-add-mem
	seed '\002' "$in/store.jceks" jceks
	seed '\006' "$in/store.jceks" jceks-add-mem
	seed '\003' "$in/store.jceks" jceks-wrong
	python3 - "$in/store.jks" "$in/store.jceks" "$dir" <<'PY'
import hashlib, struct, sys
jks, jceks, out = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read(), sys.argv[3]
# A version 1 JKS (no certificate types) of store.jks's trusted certificate, under "wrong".
off, n = 12, struct.unpack(">I", jks[8:12])[0]
body = b""
for _ in range(n):
    tag = struct.unpack(">I", jks[off:off + 4])[0]
    start = off
    off += 4
    off += 2 + struct.unpack(">H", jks[off:off + 2])[0] + 8
    def cert(o):
        o += 2 + struct.unpack(">H", jks[o:o + 2])[0]  # type
        return o + 4 + struct.unpack(">I", jks[o:o + 4])[0]
    if tag == 1:
        off += 4 + struct.unpack(">I", jks[off:off + 4])[0]
        k = struct.unpack(">I", jks[off:off + 4])[0]
        off += 4
        for _ in range(k):
            off = cert(off)
    else:
        alias_end = start + 4 + 2 + struct.unpack(">H", jks[start + 4:start + 6])[0] + 8
        t = alias_end + 2 + struct.unpack(">H", jks[alias_end:alias_end + 2])[0]
        off = cert(alias_end)
        body += jks[start:alias_end] + jks[t:off]
v1 = struct.pack(">III", 0xFEEDFEED, 1, 1) + body
v1 += hashlib.sha1("wrong".encode("utf-16-be") + b"Mighty Aphrodite" + v1).digest()
open(out + "/trust-v1", "wb").write(b"\x03" + v1)
# The secret key's SealedObject, from its stream header to the end of the file.
open(out + "/serialized", "wb").write(b"\x08" + jceks[jceks.index(b"\xac\xed\x00\x05"):])
PY
	echo "seeds/keystore: $(ls "$dir" | wc -l) files, $(cat "$dir"/* | wc -c) bytes"
}
if [ "$only" = keystore ]; then
	keystore_seeds
	exit 0
fi

# A CA and a client certificate it issued, without key identifiers (smaller).
printf 'basicConstraints=critical,CA:true\nkeyUsage=keyCertSign\nsubjectKeyIdentifier=none\nauthorityKeyIdentifier=none\n' >"$tmp/ca.ext"
printf 'extendedKeyUsage=clientAuth\nsubjectKeyIdentifier=none\nauthorityKeyIdentifier=none\n' >"$tmp/leaf.ext"
ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/ca.key"
ossl req -new -key "$tmp/ca.key" -subj "/CN=fuzz CA" -out "$tmp/ca.csr"
ossl x509 -req -in "$tmp/ca.csr" -signkey "$tmp/ca.key" -days 36500 -set_serial 1 \
	-extfile "$tmp/ca.ext" -out "$tmp/ca.pem"
ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/leaf.key"
ossl req -new -key "$tmp/leaf.key" -subj "/CN=fuzz client" -out "$tmp/leaf.csr"
ossl x509 -req -in "$tmp/leaf.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -set_serial 2 \
	-days 36500 -extfile "$tmp/leaf.ext" -out "$tmp/leaf.pem"
ossl pkcs12 -export -inkey "$tmp/leaf.key" -in "$tmp/leaf.pem" -passout "pass:$password" \
	-certpbe NONE -iter 1 -out "$tmp/id.p12"
# The same key with a certificate that ends within MXTLS_EXPIRY_WARNING_DAYS=3650 (runtime seed).
ossl x509 -req -in "$tmp/leaf.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -set_serial 3 \
	-days 3000 -extfile "$tmp/leaf.ext" -out "$tmp/short.pem"
ossl pkcs12 -export -inkey "$tmp/leaf.key" -in "$tmp/short.pem" -passout "pass:$password" \
	-certpbe NONE -iter 1 -out "$tmp/short.p12"
ossl x509 -in "$tmp/ca.pem" -outform DER -out "$tmp/ca.der"
ossl x509 -in "$tmp/ca.pem" -trustout -addtrust clientAuth -out "$tmp/ca-trusted.pem"
p12b64=$(base64 -w0 "$tmp/id.p12")

# fuzz_fixture.h: the container (as bytes), its password, the CA (as text).
{
	echo "/* Written by gen-seeds.sh: a P-256 client identity (1 iteration) and the CA that issued it. */"
	echo "#ifndef MXTLS_FUZZ_FIXTURE_H"
	echo "#define MXTLS_FUZZ_FIXTURE_H"
	echo
	echo "#define FIXTURE_P12_PASSWORD \"$password\""
	echo
	echo "static const unsigned char fixture_p12[] = {"
	od -An -v -w12 -tx1 "$tmp/id.p12" | sed 's/ *$//; s/ \([0-9a-f][0-9a-f]\)/0x\1, /g; s/, $/,/; s/^/\t/'
	echo "};"
	echo
	echo "static const char fixture_ca_pem[] ="
	sed 's/^/\t"/; s/$/\\n"/' "$tmp/ca.pem"
	echo "\t;"
	echo
	echo "#endif"
} | sed 's/^\\t/\t/' >"$here/fuzz_fixture.h"

rm -rf "$seeds/trust" "$seeds/env" "$seeds/select" "$seeds/url_host"
mkdir -p "$seeds/trust" "$seeds/env" "$seeds/select" "$seeds/url_host"

# fuzz_trust: PEM with text around it, CRLF and indentation, DER, base64 forms.
cp "$tmp/ca.pem" "$seeds/trust/ca.pem"
cp "$tmp/ca.der" "$seeds/trust/ca.der"
cp "$tmp/ca-trusted.pem" "$seeds/trust/trusted.pem"
base64 -w 64 "$tmp/ca.pem" >"$seeds/trust/ca-pem.b64"
base64 -w0 "$tmp/ca.der" >"$seeds/trust/ca-der.b64"
{
	echo "subject=CN = fuzz client"
	echo "issuer=CN = fuzz CA"
	cat "$tmp/leaf.pem"
	echo "# and the CA:"
	cat "$tmp/ca.pem"
} >"$seeds/trust/chain.txt"
{
	printf 'authorities: |\n'
	printf -- '-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n'
	cat "$tmp/leaf.pem"
} | sed '2,$s/^/    /; s/$/\r/' >"$seeds/trust/indented-crlf.yaml"
printf -- '-----BEGIN CERTIFICATE-----\nMIIBkTCCATegAwIBAgIBATAKBggqhkjOPQQDAjASMRAwDgYDVQQDDAdmdXp6IENB\n' \
	>"$seeds/trust/no-end.pem"
printf 'no certificate here\n' >"$seeds/trust/empty.txt"

# fuzz_env: NUL-separated NAME=value entries and @ directives (see fuzz_env.c).
env_seed() { # env_seed NAME ENTRY...
	local name=$1
	shift
	printf '%s\0' "$@" >"$seeds/env/$name"
}
env_seed one-identity \
	"CLIENT_CERTIFICATES=[{\"pfx\": \"$p12b64\", \"password\": \"$password\", \"pin_to\": [\"api.example.com\", \"*.example.org\", \"Svc.One\", \"[::1]\"]}]" \
	"@host=api.example.com" "@host=a.example.org" "@host=::1" "@id=Svc.One"
# base64 cut into lines with JSON "\n", a null pfx, an unknown key, a default, base64 CAs.
env_seed null-default-b64ca \
	"CLIENT_CERTIFICATES=[{\"pfx\": null, \"pin_to\": [\"public.example.com\", \"*.example.net\", \"fe80::1\"]},
 {\"pfx\": \"${p12b64:0:600}\\n${p12b64:600}\", \"password\": \"$password\", \"note\": 1},
 {\"pfx\": null, \"pin_to\": [\"API.Example.com.\"]}]" \
	"CERTIFICATE_AUTHORITIES_BASE64=$(base64 -w0 "$tmp/ca.pem")" "MXTLS_SYSTEM_ROOTS=false" \
	"@host=public.example.com" "@host=[fe80::1]" "@host=x.example.net" "@id=API.Example.com"
env_seed runtime "@runtime" "MXTLS_EXPIRY_WARNING_DAYS=3650" \
	"CLIENT_CERTIFICATES=[{\"pfx\": \"$(base64 -w0 "$tmp/short.p12")\", \"password\": \"$password\", \"pin_to\": [\"Svc.Two\", \"10.0.0.1\"]}]" \
	"CERTIFICATE_AUTHORITIES=$(cat "$tmp/ca.pem")" "@id=Svc.Two" "@host=10.0.0.1"
env_seed file-pins "@file" "MXTLS_CLIENT_CERTIFICATE_PIN_TO=a.example.com, Svc.Three *.b.example" \
	"@host=x.b.example" "@id=Svc.Three"
env_seed file-runtime "@runtime" "@file" "MXTLS_CLIENT_CERTIFICATE_PIN_TO=c.example.com"
env_seed file-cert-only "@file=cert"
env_seed bad-json 'CLIENT_CERTIFICATES=[{"pfx": '
env_seed bad-base64 "CLIENT_CERTIFICATES=[{\"pfx\": \"MII*\", \"password\": \"secret-fuzz-2\"}]"
env_seed bad-pins 'CLIENT_CERTIFICATES=[{"pfx": null, "pin_to": ["https://a.example.com", "b.example.com:443"]}]'
env_seed bad-values "MXTLS_SYSTEM_ROOTS=yes" "MXTLS_EXPIRY_WARNING_DAYS=99999"
env_seed empty-array "CLIENT_CERTIFICATES=[]" "MXTLS_EXPIRY_WARNING_DAYS=0"

# fuzz_select: lines of "id PIN...", "none PIN...", "? IDENT HOST" (see fuzz_select.c).
printf 'id api.example.com *.example.org Svc.One\nid\nnone public.example.com *.example.net\n? Svc.One a.example.org\n? - x.example.net\n' \
	>"$seeds/select/basic"
printf 'id ::1 [fe80::1] 10.0.0.1\nid [::ffff:1.2.3.4] 2001:db8::1\nnone 127.0.0.1 ::2\n? - [::1]\n? - 0:0::1\n? - FE80::1\n' \
	>"$seeds/select/ip-literals"
printf 'id [2001:DB8::1]\nid 10.0.0.1\n? - 2001:db8:0::1\n' >"$seeds/select/ipv6"
printf 'id b\xc3\xbccher.example *.stra\xc3\x9fe.example\n? - xn--bcher-kva.example\n? - a.STRASSE.example\n' \
	>"$seeds/select/idn"
printf 'id a.example.com\nid A.EXAMPLE.COM. b.example.com\nnone b.example.com\nid\nid\n? - a.example.com.\n' \
	>"$seeds/select/claims"
printf 'id https://a.example.com\nid a.example.com:443\nid *.*.x\nid a\tb\nnone\nid *.\nid ok.example\n' \
	>"$seeds/select/refused"
printf 'id MyModule.MyService Svc.\nnone Svc..\n? Svc. -\n? MyModule.MyService api.example.com\n' \
	>"$seeds/select/identifiers"

# fuzz_url_host: one URL each.
url() { printf '%s' "$2" >"$seeds/url_host/$1"; }
url name 'https://api.example.com/path?q=1#f'
url ipv6-port 'https://[::1]:8443/'
url ipv6-zone 'https://[fe80::1%25eth0]/x'
url userinfo 'https://user:pass@a.example.org:443/'
url ipv4-hex 'http://0x7f.1/'
url upper-dot 'HTTPS://EXAMPLE.edu./'
url no-scheme 'public.example.com/x'
url idn 'https://bücher.example.net/'
url percent 'https://a%2eexample.org/'
url other-scheme 'foo://a.b/'
url file 'file:///etc/passwd'

server_key_seeds
readers_seeds
keystore_seeds

for t in trust env select url_host keys pkcs7 keystore; do
	echo "seeds/$t: $(ls "$seeds/$t" | wc -l) files, $(cat "$seeds/$t"/* | wc -c) bytes"
done
