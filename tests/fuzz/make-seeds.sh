#!/usr/bin/env bash
# Write the fuzz seed corpora into OUTDIR (a build directory: seeds are never committed).
#
#   tests/fuzz/make-seeds.sh OUTDIR [VECTORS_DIR]
#
#   OUTDIR/pkcs12/  for fuzz_pkcs12: each container prefixed with the selector
#                   byte(s) that make fuzz_pkcs12.c use its password
#   OUTDIR/asn1/    for fuzz_asn1: the same containers, raw, plus a few BER snippets
#
# Containers: every .p12/.pfx of VECTORS_DIR (default: $MXTLS_VECTORS, else
# ../shared/vectors/pkcs12/public beside the repo; passwords from column 5 of its
# MANIFEST.tsv), and small files made here with openssl (default, -legacy, -nomac,
# unencrypted bags, EC chain, ...). Missing vectors or openssl only shrink the corpus.
# Quiet unless something is missing or fails.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
[ $# -ge 1 ] || {
	echo "usage: $0 OUTDIR [VECTORS_DIR]" >&2
	exit 2
}
out=$1
vectors=${2:-${MXTLS_VECTORS:-$repo/../shared/vectors/pkcs12/public}}

warn() { echo "make-seeds: $*" >&2; }

# Password table of fuzz_pkcs12.c, same order (the selector is index * 2 + flag):
# "<empty>" is "", "<none>" is NULL, as in MANIFEST.tsv.
passwords=("<empty>" "<none>" "1234" "cryptography" "password" "test" $'M\xc3\xb6tley Cr\xc3\xbce')
PW_INLINE=127
REQUIRE_MAC=1

byte() { printf "\\$(printf '%03o' "$1")"; }

# pkcs12_seed NAME PASSWORD FLAG FILE: selector (+ inline password) + container.
pkcs12_seed() {
	local name=$1 pw=$2 flag=$3 file=$4 i
	for i in "${!passwords[@]}"; do
		if [ "${passwords[$i]}" = "$pw" ]; then
			{
				byte $((i * 2 + flag))
				cat "$file"
			} >"$out/pkcs12/$name"
			return 0
		fi
	done
	if [ "${#pw}" -gt 255 ]; then # bytes: LC_ALL=C
		warn "$name: password longer than 255 bytes, seed skipped"
		return 0
	fi
	{
		byte $((PW_INLINE * 2 + flag))
		byte "${#pw}"
		printf '%s' "$pw"
		cat "$file"
	} >"$out/pkcs12/$name"
}

# add NAME PASSWORD FILE [FLAG]: one container into both corpora.
add() {
	pkcs12_seed "$1" "$2" "${4:-0}" "$3"
	cp "$3" "$out/asn1/$1"
}

rm -rf "$out/pkcs12" "$out/asn1"
mkdir -p "$out/pkcs12" "$out/asn1"

# 1. The shared public vectors, each with its manifest password.
nvec=0
if [ -d "$vectors" ]; then
	declare -A pw_of=()
	if [ -f "$vectors/MANIFEST.tsv" ]; then
		while IFS= read -r line; do
			f=$(printf '%s\n' "$line" | cut -f1)
			pw_of["$f"]=$(printf '%s\n' "$line" | cut -f5)
		done < <(tail -n +2 "$vectors/MANIFEST.tsv")
	else
		warn "no MANIFEST.tsv in $vectors: vectors get the empty password"
	fi
	for f in "$vectors"/*.p12 "$vectors"/*.pfx; do
		[ -f "$f" ] || continue
		b=$(basename "$f")
		add "v-$b" "${pw_of[$b]:-<empty>}" "$f"
		nvec=$((nvec + 1))
	done
fi
[ "$nvec" -gt 0 ] || warn "no vectors found in $vectors (pass VECTORS_DIR or set MXTLS_VECTORS)"

# 2. Small containers made with openssl.
if command -v openssl >/dev/null 2>&1; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	ossl() { # quiet openssl; a failing recipe loses only its own seed
		if ! openssl "$@" >"$tmp/ossl.log" 2>&1; then
			warn "openssl $1 failed: $(tail -n 3 "$tmp/ossl.log" | tr '\n' ' ')"
			return 1
		fi
	}
	p12() { # p12 NAME PASSWORD KEY CERT [openssl pkcs12 options...]
		local name=$1 pw=$2 key=$3 cert=$4 pass
		shift 4
		case "$pw" in
		"<empty>" | "<none>") pass=pass: ;;
		*) pass="pass:$pw" ;;
		esac
		ossl pkcs12 -export -inkey "$tmp/$key" -in "$tmp/$cert" -passout "$pass" \
			-out "$tmp/$name" "$@" || return 0
		add "o-$name" "$pw" "$tmp/$name"
	}
	printf 'extendedKeyUsage=clientAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' >"$tmp/leaf.ext"
	ok=1
	ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$tmp/rsa.key" &&
		ossl req -x509 -new -key "$tmp/rsa.key" -subj "/CN=fuzz rsa/O=mxtls" -days 3650 \
			-addext extendedKeyUsage=clientAuth -out "$tmp/rsa.crt" &&
		ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$tmp/ca.key" &&
		ossl req -x509 -new -key "$tmp/ca.key" -subj "/CN=fuzz ca/O=mxtls" -days 3650 \
			-out "$tmp/ca.crt" &&
		ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/ec.key" &&
		ossl req -new -key "$tmp/ec.key" -subj "/CN=fuzz ec/O=mxtls" -out "$tmp/ec.csr" &&
		ossl x509 -req -in "$tmp/ec.csr" -CA "$tmp/ca.crt" -CAkey "$tmp/ca.key" -set_serial 2 \
			-days 3650 -extfile "$tmp/leaf.ext" -out "$tmp/ec.crt" || ok=0
	if [ "$ok" = 1 ]; then
		# The file openssl writes by default: PBES2 AES-256-CBC, HMAC-SHA256 MAC, 2048 iterations.
		p12 default.p12 test rsa.key rsa.crt -name "fuzz rsa"
		# RC2-40 certificates, 3DES key, SHA-1 MAC.
		p12 legacy.p12 1234 rsa.key rsa.crt -legacy -iter 1
		# No MAC at all, once with MXTLS_LOAD_REQUIRE_MAC too.
		p12 nomac.p12 password ec.key ec.crt -iter 1 -nomac # -iter after -nomac would bring the MAC back
		[ -f "$tmp/nomac.p12" ] && pkcs12_seed o-nomac-require.p12 password "$REQUIRE_MAC" "$tmp/nomac.p12"
		# Unencrypted key and certificate bags; MAC with the empty password.
		p12 plain.p12 "<empty>" ec.key ec.crt -keypbe NONE -certpbe NONE -iter 1
		p12 plain-nomac.p12 "<none>" ec.key ec.crt -keypbe NONE -certpbe NONE -nomac
		# EC leaf + P-384 CA, friendly names, non-ASCII password, SHA-512 MAC, AES-128/192.
		p12 ec-chain.p12 $'M\xc3\xb6tley Cr\xc3\xbce' ec.key ec.crt -certfile "$tmp/ca.crt" \
			-name $'cl\xc3\xa9 \xe2\x82\xac' -caname "fuzz ca" -macalg sha512 \
			-keypbe AES-128-CBC -certpbe AES-192-CBC -iter 1
		# RC4-128 certificates, 2-key 3DES key, SHA-1 MAC.
		p12 rc4.p12 cryptography ec.key ec.crt -legacy -certpbe PBE-SHA1-RC4-128 \
			-keypbe PBE-SHA1-2DES -macalg sha1 -iter 1
		# A password outside the table (inline in the seed), with a non-BMP character.
		p12 emoji.p12 $'pw \xf0\x9f\x94\x91' ec.key ec.crt -iter 1
		# PBES2 with the legacy ciphers: RC2 at 40, 64 and 128 bits, 3DES.
		p12 pbes2-rc2-3des.p12 test ec.key ec.crt -legacy -certpbe RC2-40-CBC \
			-keypbe DES-EDE3-CBC -iter 1
		p12 pbes2-rc2.p12 test ec.key ec.crt -legacy -certpbe RC2-64-CBC -keypbe RC2-CBC -iter 1
	fi
	# Keys mxtls refuses (unsupported_key): Ed25519, RSA-512.
	if ossl genpkey -algorithm ED25519 -out "$tmp/ed.key" &&
		ossl req -x509 -new -key "$tmp/ed.key" -subj /CN=ed25519 -days 3650 -out "$tmp/ed.crt"; then
		p12 ed25519.p12 test ed.key ed.crt -iter 1
	fi
	if ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:512 -out "$tmp/rsa512.key" &&
		ossl req -x509 -new -key "$tmp/rsa512.key" -subj /CN=rsa512 -days 3650 -out "$tmp/rsa512.crt"; then
		p12 rsa512.p12 test rsa512.key rsa512.crt -iter 1
	fi
else
	warn "openssl not found: only the shared vectors are seeds"
fi

# 3. BER shapes for the reader: indefinite lengths, constructed strings, odd INTEGERs and OIDs.
raw() { printf "$2" >"$out/asn1/$1"; }
raw ber-indef '\x30\x80\x04\x03\x01\x02\x03\x24\x80\x04\x01\xaa\x04\x02\xbb\xcc\x00\x00\x00\x00'
raw ber-nested '\xa0\x80\x30\x80\x24\x80\x24\x04\x04\x02\x01\x02\x00\x00\x00\x00\x00\x00'
raw ber-ctx '\x80\x02\xaa\xbb\xa0\x06\x04\x01\x01\x04\x01\x02\x30\x00'
raw int '\x02\x01\x03\x02\x09\x00\xff\xff\xff\xff\xff\xff\xff\xff\x02\x01\x80\x02\x00'
raw oid '\x06\x0b\x2a\x86\x48\x86\xf7\x0d\x01\x0c\x0a\x01\x03\x06\x03\x88\x37\x01\x06\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f'
raw long-len '\x04\x81\x03\x61\x62\x63\x04\x82\x00\x01\x7a\x30\x84\x00\x00\x00\x00'
