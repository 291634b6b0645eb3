#!/usr/bin/env bash
# The main job: build libmxtls and its `mxtls` tool, make a sample client
# identity the way users do (a private CA, a client certificate, a .p12 with
# its chain, exported by OpenSSL 3 with a password), and inspect it.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

prefix=$(scripts/setup.sh)
cmake -S . -B build -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build build -j"$(nproc)" --target mxtls_cli >/dev/null

out=out/demo
rm -rf "$out" && mkdir -p "$out" && cd "$out"
ossl() { openssl "$@" 2>/dev/null; }
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
	-subj "/O=Demo Platform/CN=Demo Client CA" -days 3650 \
	-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
ossl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj "/O=Demo App/CN=demo-client"
printf 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n' >client.ext
ossl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 365 \
	-extfile client.ext -out client.pem
printf 'demo password\n' >password.txt
ossl pkcs12 -export -inkey client.key -in client.pem -certfile ca.pem -name "demo client" \
	-passout file:password.txt -out client.p12

echo "\$ mxtls inspect --password-file password.txt client.p12"
"$here/build/mxtls" inspect --password-file password.txt client.p12
echo
echo "\$ mxtls inspect --json --password-file password.txt client.p12"
"$here/build/mxtls" inspect --json --password-file password.txt client.p12
echo
echo "\$ mxtls inspect --json --password wrong client.p12   # exit 1"
"$here/build/mxtls" inspect --json --password wrong client.p12 || echo "(exit $?)"
