#!/usr/bin/env bash
# The main job, end to end on 127.0.0.1:
#  1. build libmxtls, its `mxtls` tool and the examples;
#  2. make a private PKI the way a platform user would: a server CA, a client
#     CA and a client identity exported by OpenSSL as a password-protected .p12;
#  3. `mxtls inspect` the .p12;
#  4. start a real nginx that requires client certificates from that CA and
#     answers with the subject of the certificate it saw;
#  5. call it with `mxtls get` (Debian's libcurl, its GnuTLS flavour, and libcurl
#     on mbedTLS) and
#     with the example programs in C, Python, Node and Java, and show what the server saw.
#
# scripts/demo.sh --keep leaves nginx running at the end and prints how to call
# it again and how to stop it.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
keep=0
case "${1:-}" in
--keep) keep=1 ;;
"") ;;
*) echo "usage: scripts/demo.sh [--keep]" >&2; exit 2 ;;
esac

prefix=$(scripts/setup.sh)
# shellcheck source=scripts/steps.sh
. "$here/scripts/steps.sh"
step "demo: configure build/" cmake-build cmake -S . -B build -DCMAKE_PREFIX_PATH="$prefix"
step "demo: build the library, the tool and the examples" build-demo \
	cmake --build build -j"$(nproc)" --target mxtls mxtls_cli curl_mtls mbedtls_client mxtls_java
mxtls=$here/build/mxtls

out=$here/out/demo
rm -rf "$out" && mkdir -p "$out/tmp" && cd "$out"
ossl() { openssl "$@" 2>/dev/null; }
echo "== a private PKI in $out"
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server-ca.key -out server-ca.pem \
	-subj "/O=Demo Partner/CN=Demo Server CA" -days 3650 -addext basicConstraints=critical,CA:TRUE
ossl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key -out server.csr -subj "/CN=localhost"
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >server.ext
ossl x509 -req -in server.csr -CA server-ca.pem -CAkey server-ca.key -CAcreateserial -days 365 \
	-extfile server.ext -out server.pem
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
rm -f client.key server-ca.key ca.key # the identity now lives only in client.p12

echo
echo "\$ mxtls inspect --password-file password.txt client.p12"
"$mxtls" inspect --password-file password.txt client.p12

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >nginx.conf <<CONF
daemon off; master_process off; worker_processes 1;
pid $out/nginx.pid; error_log $out/nginx-error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $out/tmp/body; proxy_temp_path $out/tmp/proxy; fastcgi_temp_path $out/tmp/fcgi;
  uwsgi_temp_path $out/tmp/uwsgi; scgi_temp_path $out/tmp/scgi;
  server {
    listen 127.0.0.1:$port ssl;
    ssl_certificate $out/server.pem; ssl_certificate_key $out/server.key;
    ssl_client_certificate $out/ca.pem; ssl_verify_client on; ssl_protocols TLSv1.2 TLSv1.3;
    location / { return 200 "hello \$ssl_client_s_dn, you came over \$ssl_protocol\n"; }
  }
}
CONF
nginx=$(command -v nginx || echo /usr/sbin/nginx)
"$nginx" -c "$out/nginx.conf" -p "$out" >/dev/null 2>"$out/nginx.out" &
nginx_pid=$!
[ $keep = 1 ] || trap 'kill $nginx_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do
	(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
	sleep 0.1
done
url=https://localhost:$port/

echo
echo "== nginx on $url requires a client certificate from Demo Client CA"
echo "\$ mxtls get --identity client.p12 --password-file password.txt --authorities server-ca.pem -v $url"
"$mxtls" get --identity client.p12 --password-file password.txt --authorities server-ca.pem -v "$url" \
	2> >(grep -E '^\* (libmxtls|identity|trusted|verified|  )' >&2)
curl_mbedtls=$here/.deps/curl-mbedtls/lib
if [ -e "$curl_mbedtls/libcurl.so.4" ]; then
	echo
	echo "\$ LD_LIBRARY_PATH=$curl_mbedtls mxtls get ... $url   # libcurl on mbedTLS: shared parsed material"
	LD_LIBRARY_PATH=$curl_mbedtls "$mxtls" get --identity client.p12 --password-file password.txt \
		--authorities server-ca.pem -v "$url" 2> >(grep -E '^\* (libmxtls|identity)' >&2)
fi
# The same tool linked with libmxtls_curl-gnutls (a test build), where libcurl3-gnutls is.
if cmake --build "$here/build" --target mxtls_cli_gnutls >/dev/null 2>&1; then
	echo
	echo "\$ mxtls get ... $url   # the same tool on Debian's GnuTLS libcurl: in-memory files"
	"$here/build/tests/mxtls_cli_gnutls" get --identity client.p12 --password-file password.txt \
		--authorities server-ca.pem -v "$url" 2> >(grep -E '^\* (libmxtls|identity)' >&2)
fi
echo
echo "\$ mxtls get --authorities server-ca.pem $url   # no identity: nginx refuses"
"$mxtls" get --authorities server-ca.pem "$url" | grep -o '<title>.*</title>' || echo "(exit ${PIPESTATUS[0]})"
echo
echo "\$ mxtls get --identity client.p12 --password-file password.txt $url   # public roots only"
"$mxtls" get --identity client.p12 --password-file password.txt "$url" || echo "(exit $?)"
echo
echo "\$ P12_PASSWORD=... examples/curl_mtls $url client.p12 server-ca.pem"
P12_PASSWORD="demo password" "$here/build/examples/curl_mtls" "$url" client.p12 server-ca.pem
echo
echo "\$ examples/mbedtls_client localhost $port client.p12 ... server-ca.pem   # mbedTLS directly"
"$here/build/examples/mbedtls_client" localhost "$port" client.p12 "demo password" server-ca.pem | tail -n 1
# The language bindings, with the platform's environment: the .p12 and its password
# as mounted files, the private CA added to the system roots.
export MXTLS_CLIENT_CERTIFICATE_FILE=$out/client.p12 MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE=$out/password.txt \
	MXTLS_CERTIFICATE_AUTHORITIES_FILE=$out/server-ca.pem MXTLS_LIBRARY=$here/build/libmxtls.so.0
echo
echo "\$ MXTLS_CLIENT_CERTIFICATE_FILE=client.p12 MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE=password.txt \\"
echo "  MXTLS_CERTIFICATE_AUTHORITIES_FILE=server-ca.pem MXTLS_LIBRARY=build/libmxtls.so.0 \\"
echo "  PYTHONPATH=bindings/python /usr/bin/python3 examples/python/call_api.py $url   # Python, requests"
PYTHONPATH=$here/bindings/python /usr/bin/python3 "$here/examples/python/call_api.py" "$url"
echo
echo "\$ MXTLS_... node examples/node/call_api.js $url   # Node, fetch"
node "$here/examples/node/call_api.js" "$url"
echo
echo "\$ MXTLS_... java -cp build/java/mxtls.jar:/usr/share/java/jna.jar examples/java/CallApi.java $url   # Java, HttpClient"
java -cp "$here/build/java/mxtls.jar:/usr/share/java/jna.jar" "$here/examples/java/CallApi.java" "$url"
if [ $keep = 1 ]; then
	echo
	echo "nginx keeps running on $url (pid $nginx_pid). Call it again with:"
	echo "  build/mxtls get --identity $out/client.p12 --password-file $out/password.txt --authorities $out/server-ca.pem $url"
	echo "Stop it with: kill $nginx_pid"
fi
