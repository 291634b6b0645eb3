#!/usr/bin/env bash
# The mTLS speed benchmark: libmxtls through libcurl against the usual libcurl options,
# against a local nginx that requires client certificates, and against the crypto floor.
#
# usage: tests/bench/run-bench-mtls.sh [BUILD_DIR]          (default: BUILD_DIR=build)
#   env N_FULL=300      requests per new-connection variant
#       N_KA=3000       requests per keep-alive variant
#       CONNS=100       concurrent connections of the memory variant
#       ROUNDS=3        rounds of every variant (interleaved; the median round is shown)
#       CURL_MBEDTLS_LIB=.deps/curl-mbedtls/lib   libcurl on mbedTLS (scripts/build-curl-mbedtls.sh)
#       SERVER_CPU=0 CLIENT_CPU=1                 cores for nginx (1 worker) and the client
#       RAW=FILE        keep every raw RESULT/FLOOR line (all rounds) in FILE
#       PROFILE=DIR     afterwards, profile variant 3 (PROFILE_ID=rsa|ec, PROFILE_TLS=13|12; default
#                       RSA-2048, TLS 1.3; ROUNDS=0 profiles only) with perf (flat, by
#                       dso and symbol) and callgrind (inclusive instructions inside
#                       curl_easy_perform, 21 handshakes) and leave the reports in DIR
#
# What it does:
#   - a private PKI with OpenSSL: an ECDSA P-256 server certificate (IP:127.0.0.1) from a
#     server CA, and RSA-2048 and ECDSA P-256 client identities (.p12 with the client CA,
#     OpenSSL 3 default encryption; and the same as PEM files) from a client CA;
#   - nginx, 1 worker pinned to SERVER_CPU, on two random 127.0.0.1 ports (TLS 1.3 only and
#     TLS 1.2 only), ssl_verify_client on, session tickets and a shared session cache on,
#     answering with what it saw ($ssl_session_reused, $ssl_protocol, $ssl_curve, client DN);
#   - bench_mtls (one process per measurement, pinned to CLIENT_CPU) for every variant,
#     with Debian's libcurl (OpenSSL) or, through LD_LIBRARY_PATH, the libcurl on mbedTLS;
#   - bench_mtls floor: the handshake's asymmetric crypto timed with mbedTLS's primitives;
#   - one table with every variant and the goals (PASS/MISS).
# Client CPU is the bench process's CPU time (user + kernel, all threads) over the timed
# requests; peak RSS is its ru_maxrss. Not a ctest test: it takes about three minutes.
set -euo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$here/build}
bin=$build/tests/bench/bench_mtls
bin_gnutls=$build/tests/bench/bench_mtls_gnutls # optional: Debian's GnuTLS libcurl
n_full=${N_FULL:-300}
n_ka=${N_KA:-3000}
conns=${CONNS:-100}
rounds=${ROUNDS:-3}
curl_mbedtls=${CURL_MBEDTLS_LIB:-$here/.deps/curl-mbedtls/lib}
server_cpu=${SERVER_CPU:-0}
client_cpu=${CLIENT_CPU:-1}
profile=${PROFILE:-}
pw="bench pw"

die() { echo "run-bench-mtls.sh: $*" >&2; exit 1; }
[ -x "$bin" ] || die "$bin is not an executable (build the bench_mtls target)"
[ -e "$curl_mbedtls/libcurl.so.4" ] || die "no libcurl on mbedTLS in $curl_mbedtls (run scripts/build-curl-mbedtls.sh)"
nginx=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx" ] || die "nginx is missing (run scripts/setup.sh)"
for t in openssl taskset awk; do command -v "$t" >/dev/null || die "$t is missing"; done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mxtls-bench-mtls.XXXXXX")
ng_pid=""
cleanup() {
	if [ -n "$ng_pid" ]; then
		kill "$ng_pid" 2>/dev/null || true
		wait "$ng_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- PKI ----
ossl() { openssl "$@" >/dev/null 2>&1 || die "openssl $1 failed"; }
key() { # NAME rsa|ec
	if [ "$2" = rsa ]; then
		ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$tmp/$1.key"
	else
		ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/$1.key"
	fi
}
ca() { # NAME CN
	key "$1" ec
	ossl req -x509 -key "$tmp/$1.key" -out "$tmp/$1.pem" -subj "/CN=$2" -days 30 \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign
}
leaf() { # NAME CN CA rsa|ec EXTENSIONS
	key "$1" "$4"
	printf '%b' "$5" >"$tmp/$1.ext"
	ossl req -new -key "$tmp/$1.key" -out "$tmp/$1.csr" -subj "/CN=$2"
	ossl x509 -req -in "$tmp/$1.csr" -CA "$tmp/$3.pem" -CAkey "$tmp/$3.key" -CAcreateserial \
		-days 30 -extfile "$tmp/$1.ext" -out "$tmp/$1.pem"
}
ca server-ca "mxtls bench server CA"
ca client-ca "mxtls bench client CA"
leaf server "localhost" server-ca ec "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"
for id in rsa ec; do
	leaf "client-$id" "bench client $id" client-ca "$id" "extendedKeyUsage=clientAuth\n"
	ossl pkcs12 -export -inkey "$tmp/client-$id.key" -in "$tmp/client-$id.pem" \
		-certfile "$tmp/client-ca.pem" -passout "pass:$pw" -out "$tmp/client-$id.p12"
	# The same identity as the usual PEM files: leaf + chain, unencrypted PKCS#8 key.
	cat "$tmp/client-$id.pem" "$tmp/client-ca.pem" >"$tmp/client-$id-chain.pem"
done

# ---- nginx ----
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
		echo $((20000 + RANDOM % 40000))
}
port13=$(free_port)
port12=$(free_port)
while [ "$port12" = "$port13" ]; do port12=$(free_port); done
mkdir -p "$tmp/nginx"
server_block() { # PORT PROTOCOLS NAME
	cat <<EOF
  server {
    listen 127.0.0.1:$1 ssl;
    ssl_certificate $tmp/server.pem; ssl_certificate_key $tmp/server.key;
    ssl_client_certificate $tmp/client-ca.pem; ssl_verify_client on;
    ssl_protocols $2;
    ssl_session_tickets on; ssl_session_cache shared:$3:10m; ssl_session_timeout 1h;
    location / { return 200 "reused=\$ssl_session_reused proto=\$ssl_protocol curve=\$ssl_curve cipher=\$ssl_cipher dn=\$ssl_client_s_dn\n"; }
  }
EOF
}
cat >"$tmp/nginx.conf" <<EOF
daemon off; master_process off; worker_processes 1; worker_rlimit_nofile 8192;
pid $tmp/nginx/nginx.pid; error_log $tmp/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000; keepalive_timeout 600s;
  client_body_temp_path $tmp/nginx/body; proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fcgi; uwsgi_temp_path $tmp/nginx/uwsgi; scgi_temp_path $tmp/nginx/scgi;
$(server_block "$port13" TLSv1.3 S13)
$(server_block "$port12" TLSv1.2 S12)
}
EOF
taskset -c "$server_cpu" "$nginx" -c "$tmp/nginx.conf" -p "$tmp/nginx" >"$tmp/nginx/out.log" 2>&1 &
ng_pid=$!
for p in "$port13" "$port12"; do
	for _ in $(seq 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && break
		kill -0 "$ng_pid" 2>/dev/null || die "nginx exited: $(cat "$tmp/nginx/error.log" "$tmp/nginx/out.log")"
		sleep 0.1
	done
done

# ---- measurements ----
results=$tmp/results
: >"$results"
errors=$tmp/errors
: >"$errors"
clk_tck=$(getconf CLK_TCK)
srv_ticks() { awk '{ print $14 + $15 }' "/proc/$ng_pid/stat"; }

# bench LABEL debian|mbedtls|gnutls ARGS...: one bench_mtls process on the client core. Appends its
# RESULT line with srv_ms, nginx's CPU ms per request (warm-up request included).
bench() {
	local label=$1 lib=$2 out rc=0 t0 t1 line n
	shift 2
	t0=$(srv_ticks)
	if [ "$lib" = mbedtls ]; then
		out=$(LD_LIBRARY_PATH=$curl_mbedtls taskset -c "$client_cpu" "$bin" "$@" --label "$label" 2>"$tmp/stderr") || rc=$?
	elif [ "$lib" = gnutls ]; then
		out=$(env -u LD_LIBRARY_PATH taskset -c "$client_cpu" "$bin_gnutls" "$@" --label "$label" 2>"$tmp/stderr") || rc=$?
	else
		out=$(env -u LD_LIBRARY_PATH taskset -c "$client_cpu" "$bin" "$@" --label "$label" 2>"$tmp/stderr") || rc=$?
	fi
	t1=$(srv_ticks)
	line=$(printf '%s\n' "$out" | grep '^RESULT' || true)
	if [ -n "$line" ]; then
		n=$(printf '%s\n' "$line" | sed -n 's/.* n=\([0-9]*\) .*/\1/p')
		case "$line" in *" conc="*) ;; *) n=$((n + 1)) ;; esac
		echo "$line srv_ms=$(awk -v d=$((t1 - t0)) -v hz="$clk_tck" -v n="$n" 'BEGIN { printf "%.3f", d * 1000 / hz / n }')" >>"$results"
	fi
	if [ "$rc" -ne 0 ]; then
		echo "RESULT label=$label failed=$rc" >>"$results"
		grep -v "no version information available" "$tmp/stderr" | sed "s|^|$label: |" >>"$errors" || true
	fi
	printf '.' >&2
}

echo "run-bench-mtls.sh: nginx on CPU $server_cpu (ports $port13 TLS 1.3, $port12 TLS 1.2), client on CPU $client_cpu" >&2
echo "run-bench-mtls.sh: crypto floor" >&2
for id in rsa ec; do
	taskset -c "$client_cpu" "$bin" floor --p12 "$tmp/client-$id.p12" --password "$pw" \
		--ca "$tmp/server-ca.pem" --server-cert "$tmp/server.pem" 2>>"$errors" |
		sed "s/^FLOOR /FLOOR id=$id /" >>"$results" || die "floor failed: $(cat "$errors")"
done

# Every variant ROUNDS times, the rounds interleaved so that drift hits all alike; the table
# shows the round with the median req/s and the range over the rounds.
echo "run-bench-mtls.sh: variants, $rounds rounds (N=$n_full new connections, N=$n_ka keep-alive)" >&2
for round in $(seq "$rounds"); do
	for id in rsa ec; do
		p12=(--p12 "$tmp/client-$id.p12" --password "$pw" --ca "$tmp/server-ca.pem")
		pem=(--cert "$tmp/client-$id-chain.pem" --key "$tmp/client-$id.key" --ca "$tmp/server-ca.pem")
		for tls in 13 12; do
			port=$port13
			[ "$tls" = 12 ] && port=$port12
			url=https://127.0.0.1:$port/
			L=$id/$tls
			R=$round
			bench "$L/1#$R" debian run --way usual-p12 --fresh --n "$n_full" --url "$url" "${p12[@]}" --backend openssl
			bench "$L/1f#$R" debian run --way usual-p12 --fresh --no-session-cache --n "$n_full" --url "$url" "${p12[@]}" --backend openssl
			bench "$L/2#$R" mbedtls run --way usual-pem --fresh --no-session-cache --n "$n_full" --url "$url" "${pem[@]}" --backend mbedtls
			bench "$L/3#$R" mbedtls run --way mxtls --fresh --no-session-cache --n "$n_full" --url "$url" "${p12[@]}" --backend mbedtls --expect mbedtls
			bench "$L/4#$R" mbedtls run --way mxtls --fresh --n "$n_full" --url "$url" "${p12[@]}" --backend mbedtls --expect mbedtls
			bench "$L/5#$R" debian run --way mxtls --fresh --n "$n_full" --url "$url" "${p12[@]}" --backend openssl --expect blob
			bench "$L/6a#$R" mbedtls run --way mxtls --n "$n_ka" --url "$url" "${p12[@]}" --backend mbedtls --expect mbedtls
			bench "$L/6b#$R" mbedtls run --way usual-pem --n "$n_ka" --url "$url" "${pem[@]}" --backend mbedtls
			bench "$L/R#$R" mbedtls run --way direct --n "$n_full" --url "$url" "${p12[@]}"
			# A new easy handle per request, as runtimes call curl (issue 9): the usual way, and
			# mxtls with new connections (H2) or default options (H4) on both libcurls; 6c is the
			# long-lived keep-alive handle on Debian's libcurl that H4d is held against.
			bench "$L/H1#$R" debian run --way usual-p12 --new-handle --fresh --n "$n_full" --url "$url" "${p12[@]}" --backend openssl
			bench "$L/H2m#$R" mbedtls run --way mxtls --new-handle --fresh --n "$n_full" --url "$url" "${p12[@]}" --backend mbedtls --expect mbedtls
			bench "$L/H2d#$R" debian run --way mxtls --new-handle --fresh --n "$n_full" --url "$url" "${p12[@]}" --backend openssl --expect blob
			bench "$L/H4m#$R" mbedtls run --way mxtls --new-handle --n "$n_ka" --url "$url" "${p12[@]}" --backend mbedtls --expect mbedtls
			bench "$L/H4d#$R" debian run --way mxtls --new-handle --n "$n_ka" --url "$url" "${p12[@]}" --backend openssl --expect blob
			bench "$L/6c#$R" debian run --way mxtls --n "$n_ka" --url "$url" "${p12[@]}" --backend openssl --expect blob
			if [ -x "$bin_gnutls" ]; then
				# curl 7.88 on GnuTLS cannot load a .p12 ("error reading X.509 potentially-
				# encrypted key file"): its usual way is PEM files. It also loads its CA
				# directory (/etc/ssl/certs) beside CURLOPT_CAINFO, so mxtls gets the same
				# trust: system roots + the private authority, in the CA file it hands over.
				bench "$L/1g#$R" gnutls run --way usual-pem --fresh --n "$n_full" --url "$url" "${pem[@]}" --backend gnutls
				bench "$L/5g#$R" gnutls run --way mxtls --fresh --n "$n_full" --url "$url" "${p12[@]}" --backend gnutls --expect file --system-roots
			fi
		done
	done
done
echo >&2
echo "run-bench-mtls.sh: $conns concurrent connections" >&2
for tls in 13 12; do
	port=$port13
	[ "$tls" = 12 ] && port=$port12
	url=https://127.0.0.1:$port/
	p12=(--p12 "$tmp/client-rsa.p12" --password "$pw" --ca "$tmp/server-ca.pem")
	pem=(--cert "$tmp/client-rsa-chain.pem" --key "$tmp/client-rsa.key" --ca "$tmp/server-ca.pem")
	bench "rsa/$tls/7a#1" mbedtls multi --way mxtls --conns "$conns" --url "$url" "${p12[@]}" --backend mbedtls --expect mbedtls
	bench "rsa/$tls/7b#1" debian multi --way usual-p12 --conns "$conns" --url "$url" "${p12[@]}" --backend openssl
	bench "rsa/$tls/7c#1" debian multi --way mxtls --conns "$conns" --url "$url" "${p12[@]}" --backend openssl --expect blob
	bench "rsa/$tls/7d#1" mbedtls multi --way usual-pem --conns "$conns" --url "$url" "${pem[@]}" --backend mbedtls
done
echo >&2

# ---- the table ----
awk -v n_full="$n_full" -v n_ka="$n_ka" -v conns="$conns" -v rounds="$rounds" '
function kv(line, arr,    i, n, f, p) {
	n = split(line, f, " ")
	for (i = 2; i <= n; i++) {
		p = index(f[i], "=")
		if (p) arr[substr(f[i], 1, p - 1)] = substr(f[i], p + 1)
	}
}
/^FLOOR / {
	delete a; kv($0, a)
	if (a["op"] != "") op[a["id"], a["op"]] = a["us"]
	else if ($3 == "sum") { t = a["tls"]; gsub(/\./, "", t); floor[a["id"], t, a["group"]] = a["us"] / 1000 }
	else if ($3 == "info") mbedver = a["mbedtls"]
	next
}
/^RESULT / {
	delete a; kv($0, a)
	full = a["label"]; base = full; sub(/#.*/, "", base)
	for (k in a) r[full, k] = a[k]
	if (a["failed"] != "") bad[base] = a["failed"]
	nr[base]++; lab[base, nr[base]] = full
	if (a["backend"] ~ /^OpenSSL/) deb = "Debian libcurl " a["curl"] " (" a["backend"] ")"
	if (a["backend"] ~ /^mbedTLS/) mbc = "libcurl " a["curl"] " on " a["backend"]
	if (a["backend"] ~ /^GnuTLS/) gnc = "; Debian libcurl-gnutls " a["curl"] " (" a["backend"] ")"
	next
}
# The round with the median req/s stands for the variant; lo/hi keep the range.
function pick(base,    i, j, n, v, t, ok) {
	if (base in chosen) return chosen[base]
	n = 0
	for (i = 1; i <= nr[base]; i++) if (r[lab[base, i], "failed"] == "") { n++; v[n] = lab[base, i] }
	if (n == 0) return ""
	for (i = 2; i <= n; i++) for (j = i; j > 1 && r[v[j], "rps"] + 0 < r[v[j - 1], "rps"] + 0; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
	lo[base] = r[v[1], "rps"]; hi[base] = r[v[n], "rps"]
	chosen[base] = v[int((n + 1) / 2)]
	return chosen[base]
}
function has(base) { return (base in nr) && !(base in bad) && pick(base) != "" }
function val(base, k) { return r[pick(base), k] }
function med(arr, n,    i, j, t) {
	for (i = 2; i <= n; i++) for (j = i; j > 1 && arr[j] + 0 < arr[j - 1] + 0; j--) { t = arr[j]; arr[j] = arr[j - 1]; arr[j - 1] = t }
	return n % 2 ? arr[(n + 1) / 2] : (arr[n / 2] + arr[n / 2 + 1]) / 2
}
# Smallest value of k over the rounds (best of ROUNDS, as the floor is best of 3).
function best(base, k,    i, m) {
	m = ""
	for (i = 1; i <= nr[base]; i++) if (m == "" || r[lab[base, i], k] + 0 < m + 0) m = r[lab[base, i], k]
	return m
}
# Median over the rounds of a#i.k / b#i.k: each pair ran seconds apart, so slow drift cancels.
function pratio(a, b, k,    i, n, v) {
	n = 0
	for (i = 1; i <= rounds; i++)
		if (((a "#" i, k) in r) && ((b "#" i, k) in r) && r[b "#" i, k] + 0 > 0) { n++; v[n] = r[a "#" i, k] / r[b "#" i, k] }
	return n ? med(v, n) : 0
}
function grp(c) { return c == "X25519" ? "X25519" : (c == "prime256v1" ? "P-256" : c) }
function verdict(ok) { return ok ? "PASS" : "MISS" }
function row(b, name) {
	if (!(b in nr)) { printf "  %-48s  (not run)\n", name; return }
	if (b in bad) { printf "  %-48s  FAILED (exit %s, see errors below)\n", name, bad[b]; return }
	printf "  %-48s %7.1f %15s %7.3f %6.3f %6.3f %7.3f %7.3f %6.1f %9s %-10s\n", name, val(b, "rps"),
	       sprintf("%.0f-%.0f", lo[b], hi[b]), val(b, "cpu_ms"), val(b, "user_ms"), val(b, "sys_ms"),
	       val(b, "srv_ms"), val(b, "p50_ms"), val(b, "rss_kb") / 1024,
	       val(b, "reused") "/" val(b, "n"), val(b, "curve")
}
END {
	names["1"] = "1  usual: Debian libcurl, .p12 per connection"
	names["1f"] = "1f usual: Debian libcurl, .p12, full handshakes"
	names["2"] = "2  usual: curl-mbedTLS, PEM files, no resumption"
	names["3"] = "3  mxtls: curl-mbedTLS, full handshakes"
	names["4"] = "4  mxtls: curl-mbedTLS, resumption"
	names["5"] = "5  mxtls: Debian libcurl (blob path), new conns"
	names["6a"] = "6a keep-alive: mxtls, curl-mbedTLS"
	names["6b"] = "6b keep-alive: usual, curl-mbedTLS PEM files"
	names["R"] = "R  reference: mxtls ctx on plain mbedTLS, no curl"
	names["1g"] = "1g usual: Debian libcurl-gnutls, PEM files"
	names["5g"] = "5g mxtls: libcurl-gnutls (file path), +system roots"
	names["H1"] = "H1 new handle/request, usual: Debian, .p12"
	names["H2m"] = "H2m new handle/request, mxtls, curl-mbedTLS"
	names["H2d"] = "H2d new handle/request, mxtls, Debian libcurl"
	names["H4m"] = "H4m new handle/request, reuse on, curl-mbedTLS"
	names["H4d"] = "H4d new handle/request, reuse on, Debian"
	names["6c"] = "6c keep-alive: mxtls, Debian libcurl, one handle"
	nv = split("1 1f 2 3 4 5 6a 6b R 1g 5g H1 H2m H2d H4m H4d 6c", order, " ")
	tlsname["13"] = "TLS 1.3"; tlsname["12"] = "TLS 1.2"
	idname["rsa"] = "RSA-2048"; idname["ec"] = "ECDSA P-256"
	print ""
	print "mTLS benchmark: nginx 1 worker on one core (ECDSA P-256 server certificate from a private CA, client"
	print "certificates required, tickets + session cache on); the client, one process per measurement, on the other."
	printf "%s; %s%s. N = %d requests on new connections, %d keep-alive;\n", deb, mbc, gnc, n_full, n_ka
	printf "each variant ran %d times interleaved; rows show the median round (by req/s) and the req/s range; req/s\n", rounds
	print "ratios are medians of per-round ratios (the two variants ran seconds apart); V3 uses its best round."
	print "CPU = client process CPU ms per request (user + sys), srv = nginx CPU ms per request, p50 = median request"
	print "wall ms, RSS = client peak RSS, resumed = requests nginx saw as resumed ($ssl_session_reused), group = ECDHE group."
	for (ii = 1; ii <= 2; ii++) {
		id = ii == 1 ? "rsa" : "ec"
		printf "\nCrypto floor, %s identity (mbedTLS %s, client CPU us per op, best of 3): ECDHE keygen P-256 %s, ECDH P-256 %s,\n", idname[id], mbedver, op[id, "ecdhe_keygen_p256"], op[id, "ecdh_shared_p256"]
		printf "  keygen X25519 %s, ECDH X25519 %s, ECDSA P-256 verify %s, ", op[id, "ecdhe_keygen_x25519"], op[id, "ecdh_shared_x25519"], op[id, "ecdsa_verify_p256"]
		if (id == "rsa")
			printf "RSA-2048 sign PSS %s / PKCS#1 v1.5 %s;\n", op[id, "rsa2048_sign_pss"], op[id, "rsa2048_sign_pkcs1"]
		else
			printf "ECDSA P-256 sign %s;\n", op[id, "ecdsa_sign_p256"]
		printf "  (info) PSA generate+export+agree, as mbedTLS TLS 1.3 runs ECDHE: P-256 %s, X25519 %s\n", op[id, "psa_ecdhe_p256"], op[id, "psa_ecdhe_x25519"]
		for (ti = 1; ti <= 2; ti++) {
			tls = ti == 1 ? "13" : "12"
			L = id "/" tls
			printf "\n== %s identity, %s ==  floor = 1 ECDHE keygen + 1 ECDH + 2 ECDSA verify + 1 sign: P-256 %.3f ms (X25519: %.3f ms)\n", idname[id], tlsname[tls], floor[id, tls, "P-256"], floor[id, tls, "X25519"]
			printf "  %-48s %7s %15s %7s %6s %6s %7s %7s %6s %9s %-10s\n", "variant", "req/s", "req/s range", "CPU ms", "user", "sys", "srv ms", "p50 ms", "RSS MB", "resumed", "group"
			for (vi = 1; vi <= nv; vi++) row(L "/" order[vi], names[order[vi]])
			print "  goals:"
			v1 = L "/1"; v1f = L "/1f"; v3 = L "/3"; v4 = L "/4"; v5 = L "/5"; ka = L "/6a"; kb = L "/6b"; rf = L "/R"
			if (has(v3)) {
				f = floor[id, tls, "P-256"]; g = floor[id, tls, grp(val(v3, "curve"))]
				c = best(v3, "cpu_ms"); x = c / f
				printf "    V3 client CPU / floor               %5.2fx  goal <= 1.10  %s  (best round %.3f ms vs floor %.3f ms; median round %.2fx;\n", x, verdict(x <= 1.10), c, f, val(v3, "cpu_ms") / f
				printf "        vs the floor with the group curl used (%s, %.3f ms): %.2fx; user CPU only: %.2fx", val(v3, "curve"), g, c / g, best(v3, "user_ms") / f
				if (has(rf)) printf "; R (no curl, %s): %.2fx", val(rf, "curve"), best(rf, "cpu_ms") / f
				printf ")\n"
				# Where the rest goes: kernel time (TCP connect and close on loopback) and, against a
				# TLS 1.2 server, the TLS 1.3 key share that a client offering TLS 1.3 must send.
				u = best(v3, "user_ms") - f
				printf "        above the floor: %.3f ms user, %.3f ms kernel (median round)", u, val(v3, "sys_ms")
				if (tls == "12") {
					ks = (op[id, "ecdhe_keygen_p256"] + 0) / 1000
					printf "; of the user part, the unused TLS 1.3 key share (one P-256 keygen) %.3f ms:\n", ks
					printf "        floor + that key share %.3f ms: %.2fx", f + ks, c / (f + ks)
				}
				printf "\n"
			}
			if (has(v4) && has(v1f)) {
				x = pratio(v4, v1f, "rps")
				printf "    V4 req/s / V1f req/s                %5.2fx  goal >= 3     %s  (the usual way of the issue: .p12, full handshakes; client CPU %.2fx lower)\n", x, verdict(x >= 3), 1 / pratio(v4, v1f, "cpu_ms")
				if (has(v1))
					printf "        against V1 (the usual way resuming through the session cache of curl): %.2fx\n", pratio(v4, v1, "rps")
				if (tls == "13") {
					# TLS 1.3 resumption still runs one ECDHE on each side, one after the other: the
					# ECDHE of the client (mbedTLS, timed in the floor) plus the CPU of nginx per
					# request bound req/s even with no other client cost at all.
					e = (op[id, "psa_ecdhe_p256"] + 0) / 1000; sv = val(v4, "srv_ms")
					cap = 1000 / (e + sv)
					printf "        ceiling with zero client overhead: 1000 / (client ECDHE %.3f ms + nginx %.3f ms) = %.0f req/s = %.2fx V1f\n", e, sv, cap, cap / val(v1f, "rps")
				}
			}
			if (has(v4))
				printf "    V4 resumed sessions                 %s  goal all      %s\n", val(v4, "reused") "/" val(v4, "n"), verdict(val(v4, "reused") == val(v4, "n"))
			if (has(v5) && has(v1)) {
				x = pratio(v5, v1, "rps")
				printf "    V5 req/s / V1 req/s                 %5.2fx  goal >= 1     %s  (client CPU per request %.2fx lower; 3%% noise margin)\n", x, verdict(x >= 0.97), 1 / pratio(v5, v1, "cpu_ms")
			}
			v1g = L "/1g"; v5g = L "/5g"
			if (has(v5g) && has(v1g)) {
				x = pratio(v5g, v1g, "rps")
				printf "    V5g req/s / V1g req/s (GnuTLS)      %5.2fx  goal >= 1     %s  (goal 4 on the file path; client CPU per request %.2fx lower)\n", x, verdict(x >= 0.97), 1 / pratio(v5g, v1g, "cpu_ms")
			}
			if (has(ka) && has(kb)) {
				x = pratio(ka, kb, "rps")
				printf "    V6 keep-alive req/s mxtls / usual   %5.2fx  goal >= 1     %s  (client CPU per request usual/mxtls %.2fx; 3%% noise margin)\n", x, verdict(x >= 0.97), 1 / pratio(ka, kb, "cpu_ms")
			}
			# Issue 9: a new easy handle per request.
			h1 = L "/H1"
			if (has(L "/H2m") && has(h1))
				printf "    H2m / H1 (new handles, new conns)   %5.2fx  goal >= 2     %s  (resumed %s)\n", pratio(L "/H2m", h1, "rps"), verdict(pratio(L "/H2m", h1, "rps") >= 2), val(L "/H2m", "reused") "/" val(L "/H2m", "n")
			if (has(L "/H2d") && has(h1))
				printf "    H2d / H1 (new handles, new conns)   %5.2fx  goal >= 2     %s  (resumed %s)\n", pratio(L "/H2d", h1, "rps"), verdict(pratio(L "/H2d", h1, "rps") >= 2), val(L "/H2d", "reused") "/" val(L "/H2d", "n")
			if (has(L "/H2m") && has(v4))
				printf "    H2m / V4 (vs one long-lived handle) %5.2fx  goal >= 0.95  %s\n", pratio(L "/H2m", v4, "rps"), verdict(pratio(L "/H2m", v4, "rps") >= 0.95)
			if (has(L "/H2d") && has(v5))
				printf "    H2d / V5 (vs one long-lived handle) %5.2fx  goal >= 0.95  %s\n", pratio(L "/H2d", v5, "rps"), verdict(pratio(L "/H2d", v5, "rps") >= 0.95)
			if (has(L "/H4m") && has(ka))
				printf "    H4m / V6a (vs one keep-alive handle)%5.2fx  goal >= 0.9   %s\n", pratio(L "/H4m", ka, "rps"), verdict(pratio(L "/H4m", ka, "rps") >= 0.9)
			if (has(L "/H4d") && has(L "/6c"))
				printf "    H4d / 6c (vs one keep-alive handle) %5.2fx  goal >= 0.9   %s\n", pratio(L "/H4d", L "/6c", "rps"), verdict(pratio(L "/H4d", L "/6c", "rps") >= 0.9)
		}
	}
	for (ti = 1; ti <= 2; ti++) {
		tls = ti == 1 ? "13" : "12"
		printf "\n== V7: %d concurrent connections, one multi handle, one request each (RSA-2048, %s) ==\n", conns, tlsname[tls]
		printf "  %-48s %8s %8s %8s %8s %8s %7s %s\n", "variant", "peak MB", "base MB", "end MB", "KB/conn", "ok", "wall s", "group"
		split("7a 7b 7c 7d", m7, " ")
		n7["7a"] = "7a mxtls: curl-mbedTLS, one shared context"
		n7["7b"] = "7b usual: Debian libcurl, .p12"
		n7["7c"] = "7c mxtls: Debian libcurl (blob path)"
		n7["7d"] = "7d usual: curl-mbedTLS, PEM files"
		for (k = 1; k <= 4; k++) {
			b = "rsa/" tls "/" m7[k]
			if (!has(b)) { printf "  %-48s  FAILED or not run\n", n7[m7[k]]; continue }
			printf "  %-48s %8.1f %8.1f %8.1f %8.1f %8s %7.2f %s\n", n7[m7[k]], val(b, "rss_kb") / 1024, val(b, "base_kb") / 1024, val(b, "end_kb") / 1024, val(b, "per_conn_kb"), val(b, "ok") "/" val(b, "n"), val(b, "wall_s"), val(b, "curve")
		}
		a7 = "rsa/" tls "/7a"; b7 = "rsa/" tls "/7b"
		if (has(a7) && has(b7))
			printf "  client peak RSS, mxtls (7a) / usual Debian libcurl (7b): %.2fx   (KB/conn = (peak - base) / %d)\n", val(a7, "rss_kb") / val(b7, "rss_kb"), conns
	}
}' "$results"

[ -z "${RAW:-}" ] || cp "$results" "$RAW"
if [ -s "$errors" ]; then
	echo
	echo "errors:"
	sort -u "$errors" | head -40
fi

# ---- optional profile of variant 3 (PROFILE_ID, PROFILE_TLS) ----
if [ -n "$profile" ]; then
	mkdir -p "$profile"
	pport=$port13
	[ "${PROFILE_TLS:-13}" = 12 ] && pport=$port12
	args=(run --way mxtls --fresh --no-session-cache --url "https://127.0.0.1:$pport/"
		--p12 "$tmp/client-${PROFILE_ID:-rsa}.p12" --password "$pw" --ca "$tmp/server-ca.pem" --label profile)
	# Flat profile (the mbedTLS libraries have no frame pointers: call graphs would be noise).
	if command -v perf >/dev/null; then
		LD_LIBRARY_PATH=$curl_mbedtls taskset -c "$client_cpu" perf record -q -e cpu-clock -F 4000 \
			-o "$profile/perf.data" "$bin" "${args[@]}" --n "$n_full" >"$profile/perf-run.txt" 2>/dev/null || true
		perf report -i "$profile/perf.data" --no-children --sort dso,symbol --stdio -g none 2>/dev/null \
			>"$profile/perf-report.txt" || true
		perf report -i "$profile/perf.data" --no-children --sort dso --stdio -g none 2>/dev/null \
			>"$profile/perf-report-dso.txt" || true
	fi
	# Exact inclusive instruction counts per function, collected inside curl_easy_perform only
	# (20 requests + the warm-up: divide by 21 for one handshake).
	if command -v valgrind >/dev/null; then
		LD_LIBRARY_PATH=$curl_mbedtls valgrind --tool=callgrind --toggle-collect=curl_easy_perform \
			--callgrind-out-file="$profile/callgrind.out" "$bin" "${args[@]}" --n 20 \
			>"$profile/callgrind-run.txt" 2>/dev/null || true
		callgrind_annotate --inclusive=yes "$profile/callgrind.out" >"$profile/callgrind-inclusive.txt" 2>/dev/null || true
	fi
	echo "profiles of variant 3 in $profile"
fi
