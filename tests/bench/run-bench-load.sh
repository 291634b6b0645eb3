#!/bin/sh
# Benchmark loading an OpenSSL 3 default .p12 with libmxtls and with OpenSSL's PKCS12_parse.
# usage: run-bench-load.sh [BENCH_LOAD_BINARY] [N]
#   BENCH_LOAD_BINARY defaults to build/tests/bench/bench_load in this tree
# Makes a fresh RSA-2048 key and self-signed certificate, exports them with plain
# `openssl pkcs12 -export` (OpenSSL 3 defaults: PBES2 PBKDF2-HMAC-SHA256 AES-256-CBC,
# HMAC-SHA256 MAC, 2048 iterations) and runs bench_load on the result.
set -eu

here=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$here/build/tests/bench/bench_load}
n=${2:-}

if [ ! -x "$bin" ]; then
	echo "run-bench-load.sh: $bin is not an executable (build the bench_load target)" >&2
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mxtls-bench-load.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" \
	-days 30 -subj "/CN=mxtls bench client" 2>/dev/null
openssl pkcs12 -export -passout pass:bench -inkey "$tmp/key.pem" -in "$tmp/cert.pem" \
	-out "$tmp/bench.p12"

if [ -n "$n" ]; then
	"$bin" "$tmp/bench.p12" bench "$n"
else
	"$bin" "$tmp/bench.p12" bench
fi
