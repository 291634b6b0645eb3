#!/usr/bin/env bash
# The mTLS speed benchmark: libmxtls through libcurl against the usual libcurl options,
# against a local nginx that requires client certificates, and against the crypto floor.
#
# usage: tests/bench/run-bench-mtls.sh [BUILD_DIR]          (default: BUILD_DIR=build)
#   env N_FULL=300      requests per new-connection variant
#       N_KA=3000       requests per keep-alive variant
#       CONNS=100       concurrent connections of the memory variant
#       CURL_MBEDTLS_LIB=.deps/curl-mbedtls/lib   libcurl on mbedTLS (scripts/build-curl-mbedtls.sh)
#       SERVER_CPU=0 CLIENT_CPU=1                 cores for nginx (1 worker) and the client
#       PROFILE=DIR     afterwards, profile variant 3 (RSA-2048, TLS 1.3) with perf and
#                       callgrind and leave the reports in DIR
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
# requests; peak RSS is its ru_maxrss. Not a ctest test: it takes about two minutes.
set -euo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$here/build}
bin=$build/tests/bench/bench_mtls
n_full=${N_FULL:-300}
n_ka=${N_KA:-3000}
conns=${CONNS:-100}
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

# bench LABEL debian|mbedtls ARGS...: one bench_mtls process on the client core.
bench() {
	local label=$1 lib=$2 out rc=0
	shift 2
	if [ "$lib" = mbedtls ]; then
		out=$(LD_LIBRARY_PATH=$curl_mbedtls taskset -c "$client_cpu" "$bin" "$@" --label "$label" 2>"$tmp/stderr") || rc=$?
	else
		out=$(env -u LD_LIBRARY_PATH taskset -c "$client_cpu" "$bin" "$@" --label "$label" 2>"$tmp/stderr") || rc=$?
	fi
	printf '%s\n' "$out" | grep '^RESULT' >>"$results" || true
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

echo "run-bench-mtls.sh: variants (N=$n_full new connections, N=$n_ka keep-alive)" >&2
for id in rsa ec; do
	p12=(--p12 "$tmp/client-$id.p12" --password "$pw" --ca "$tmp/server-ca.pem")
	pem=(--cert "$tmp/client-$id-chain.pem" --key "$tmp/client-$id.key" --ca "$tmp/server-ca.pem")
	for tls in 13 12; do
		port=$port13
		[ "$tls" = 12 ] && port=$port12
		url=https://127.0.0.1:$port/
		L=$id/$tls
		bench "$L/1" debian run --way usual-p12 --fresh --n "$n_full" --url "$url" "${p12[@]}" --backend openssl
		bench "$L/2" mbedtls run --way usual-pem --fresh --no-session-cache --n "$n_full" --url "$url" "${pem[@]}" --backend mbedtls
		bench "$L/3" mbedtls run --way mxtls --fresh --no-session-cache --n "$n_full" --url "$url" "${p12[@]}" --backend mbedtls --expect mbedtls
		bench "$L/4" mbedtls run --way mxtls --fresh --n "$n_full" --url "$url" "${p12[@]}" --backend mbedtls --expect mbedtls
		bench "$L/5" debian run --way mxtls --fresh --n "$n_full" --url "$url" "${p12[@]}" --backend openssl --expect blob
		bench "$L/6a" mbedtls run --way mxtls --n "$n_ka" --url "$url" "${p12[@]}" --backend mbedtls --expect mbedtls
		bench "$L/6b" mbedtls run --way usual-pem --n "$n_ka" --url "$url" "${pem[@]}" --backend mbedtls
		bench "$L/R" mbedtls run --way direct --n "$n_full" --url "$url" "${p12[@]}"
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
	bench "rsa/$tls/7a" mbedtls multi --way mxtls --conns "$conns" --url "$url" "${p12[@]}" --backend mbedtls --expect mbedtls
	bench "rsa/$tls/7b" debian multi --way usual-p12 --conns "$conns" --url "$url" "${p12[@]}" --backend openssl
	bench "rsa/$tls/7c" debian multi --way mxtls --conns "$conns" --url "$url" "${p12[@]}" --backend openssl --expect blob
	bench "rsa/$tls/7d" mbedtls multi --way usual-pem --conns "$conns" --url "$url" "${pem[@]}" --backend mbedtls
done
echo >&2

# ---- the table ----
awk -v n_full="$n_full" -v n_ka="$n_ka" -v conns="$conns" '
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
	delete a; kv($0, a); l = a["label"]
	for (k in a) r[l, k] = a[k]
	seen[l] = 1
	next
}
function has(l) { return (l in seen) && r[l, "failed"] == "" }
function grp(c) { return c == "X25519" ? "X25519" : (c == "prime256v1" ? "P-256" : c) }
function verdict(ok) { return ok ? "PASS" : "MISS" }
function row(l, name) {
	if (!(l in seen)) { printf "  %-50s  (not run)\n", name; return }
	if (r[l, "failed"] != "") { printf "  %-50s  FAILED (exit %s, see errors below)\n", name, r[l, "failed"]; return }
	printf "  %-50s %8.1f %8.3f %6.3f %6.3f %7.1f %5d/%-5d %5d %-10s %s\n", name, r[l, "rps"],
	       r[l, "cpu_ms"], r[l, "user_ms"], r[l, "sys_ms"], r[l, "rss_kb"] / 1024,
	       r[l, "reused"], r[l, "n"], r[l, "conns"], r[l, "curve"], r[l, "backend"]
}
END {
	names["1"] = "1  usual: Debian libcurl, .p12 per connection"
	names["2"] = "2  usual: curl-mbedTLS, PEM files, no resumption"
	names["3"] = "3  mxtls: curl-mbedTLS, full handshakes"
	names["4"] = "4  mxtls: curl-mbedTLS, resumption"
	names["5"] = "5  mxtls: Debian libcurl (blob path)"
	names["6a"] = "6a keep-alive: mxtls, curl-mbedTLS"
	names["6b"] = "6b keep-alive: usual, curl-mbedTLS PEM"
	names["R"] = "R  mxtls ctx on plain mbedTLS, no curl (reference)"
	nv = split("1 2 3 4 5 6a 6b R", order, " ")
	tlsname["13"] = "TLS 1.3"; tlsname["12"] = "TLS 1.2"
	idname["rsa"] = "RSA-2048"; idname["ec"] = "ECDSA P-256"
	print ""
	print "mTLS benchmark: nginx (1 worker, ECDSA P-256 server cert, client cert required) on one core, client on the other."
	printf "N = %d requests per new-connection variant, %d per keep-alive variant. CPU = client process CPU per request.\n", n_full, n_ka
	for (ii = 1; ii <= 2; ii++) {
		id = ii == 1 ? "rsa" : "ec"
		printf "\nCrypto floor, %s identity (mbedTLS %s, CPU us per op): ECDHE keygen P-256 %s, ECDH P-256 %s, keygen X25519 %s, ECDH X25519 %s,\n", idname[id], mbedver, op[id, "ecdhe_keygen_p256"], op[id, "ecdh_shared_p256"], op[id, "ecdhe_keygen_x25519"], op[id, "ecdh_shared_x25519"]
		if (id == "rsa")
			printf "  ECDSA P-256 verify %s, RSA-2048 sign PSS %s / PKCS#1 %s; PSA ECDHE (what TLS 1.3 runs) P-256 %s, X25519 %s\n", op[id, "ecdsa_verify_p256"], op[id, "rsa2048_sign_pss"], op[id, "rsa2048_sign_pkcs1"], op[id, "psa_ecdhe_p256"], op[id, "psa_ecdhe_x25519"]
		else
			printf "  ECDSA P-256 verify %s, ECDSA P-256 sign %s; PSA ECDHE (what TLS 1.3 runs) P-256 %s, X25519 %s\n", op[id, "ecdsa_verify_p256"], op[id, "ecdsa_sign_p256"], op[id, "psa_ecdhe_p256"], op[id, "psa_ecdhe_x25519"]
		for (ti = 1; ti <= 2; ti++) {
			tls = ti == 1 ? "13" : "12"
			L = id "/" tls
			printf "\n== %s identity, %s ==   floor (1 ECDHE keygen + 1 ECDH + 2 ECDSA verify + 1 sign): P-256 %.3f ms, X25519 %.3f ms\n", idname[id], tlsname[tls], floor[id, tls, "P-256"], floor[id, tls, "X25519"]
			printf "  %-50s %8s %8s %6s %6s %7s %11s %5s %-10s %s\n", "variant", "req/s", "CPUms/rq", "user", "sys", "RSS MB", "resumed", "conns", "group", "libcurl TLS"
			for (vi = 1; vi <= nv; vi++) row(L "/" order[vi], names[order[vi]])
			print "  goals:"
			v1 = L "/1"; v3 = L "/3"; v4 = L "/4"; v5 = L "/5"; ka = L "/6a"; kb = L "/6b"
			if (has(v3)) {
				f = floor[id, tls, "P-256"]; g = floor[id, tls, grp(r[v3, "curve"])]
				x = r[v3, "cpu_ms"] / f
				printf "    V3 client CPU / floor(P-256)        %6.2fx  goal <= 1.10   %s   (%.3f ms vs %.3f ms; vs the floor of the group used, %s: %.2fx; user CPU only: %.2fx; resumed %d)\n", x, verdict(x <= 1.10), r[v3, "cpu_ms"], f, r[v3, "curve"], r[v3, "cpu_ms"] / g, r[v3, "user_ms"] / f, r[v3, "reused"]
			}
			if (has(v4) && has(v1)) {
				x = r[v4, "rps"] / r[v1, "rps"]
				printf "    V4 req/s / V1 req/s                 %6.2fx  goal >= 3      %s   (CPU per request %.2fx less)\n", x, verdict(x >= 3), r[v1, "cpu_ms"] / r[v4, "cpu_ms"]
			}
			if (has(v4)) {
				printf "    V4 sessions resumed (nginx says r)  %d/%d    goal all       %s\n", r[v4, "reused"], r[v4, "n"], verdict(r[v4, "reused"] == r[v4, "n"])
			}
			if (has(v5) && has(v1)) {
				x = r[v5, "rps"] / r[v1, "rps"]
				printf "    V5 req/s / V1 req/s                 %6.2fx  goal >= 1      %s   (CPU per request %.2fx less; 3%% noise margin)\n", x, verdict(x >= 0.97), r[v1, "cpu_ms"] / r[v5, "cpu_ms"]
			}
			if (has(ka) && has(kb)) {
				x = r[ka, "rps"] / r[kb, "rps"]
				printf "    V6 keep-alive req/s mxtls / usual   %6.2fx  goal >= 1      %s   (CPU per request usual/mxtls %.2fx; 3%% noise margin)\n", x, verdict(x >= 0.97), r[kb, "cpu_ms"] / r[ka, "cpu_ms"]
			}
		}
	}
	for (ti = 1; ti <= 2; ti++) {
		tls = ti == 1 ? "13" : "12"
		printf "\n== V7: %d concurrent connections in one multi handle, one request each (RSA-2048, %s) ==\n", conns, tlsname[tls]
		printf "  %-50s %9s %9s %9s %11s %8s %8s %s\n", "variant", "peak MB", "base MB", "end MB", "KB/conn", "ok", "wall s", "group"
		split("7a 7b 7c 7d", m7, " ")
		n7["7a"] = "7a mxtls: curl-mbedTLS, one shared context"
		n7["7b"] = "7b usual: Debian libcurl, .p12"
		n7["7c"] = "7c mxtls: Debian libcurl (blob path)"
		n7["7d"] = "7d usual: curl-mbedTLS, PEM files"
		for (k = 1; k <= 4; k++) {
			l = "rsa/" tls "/" m7[k]
			if (!has(l)) { printf "  %-50s  FAILED or not run\n", n7[m7[k]]; continue }
			printf "  %-50s %9.1f %9.1f %9.1f %11.1f %4d/%-3d %8.2f %s\n", n7[m7[k]], r[l, "rss_kb"] / 1024, r[l, "base_kb"] / 1024, r[l, "end_kb"] / 1024, r[l, "per_conn_kb"], r[l, "ok"], r[l, "n"], r[l, "wall_s"], r[l, "curve"]
		}
		a7 = "rsa/" tls "/7a"; b7 = "rsa/" tls "/7b"
		if (has(a7) && has(b7))
			printf "  peak RSS mxtls (7a) / usual Debian libcurl (7b): %.2fx\n", r[a7, "rss_kb"] / r[b7, "rss_kb"]
	}
}' "$results"

if [ -s "$errors" ]; then
	echo
	echo "errors:"
	sort -u "$errors" | head -40
fi

# ---- optional profile of variant 3 (RSA-2048, TLS 1.3) ----
if [ -n "$profile" ]; then
	mkdir -p "$profile"
	args=(run --way mxtls --fresh --no-session-cache --url "https://127.0.0.1:$port13/"
		--p12 "$tmp/client-rsa.p12" --password "$pw" --ca "$tmp/server-ca.pem" --label profile)
	if command -v perf >/dev/null; then
		LD_LIBRARY_PATH=$curl_mbedtls taskset -c "$client_cpu" perf record -q -g -o "$profile/perf.data" \
			"$bin" "${args[@]}" --n "$n_full" >"$profile/perf-run.txt" 2>/dev/null || true
		perf report -i "$profile/perf.data" --no-children --sort dso,symbol --stdio 2>/dev/null \
			>"$profile/perf-report.txt" || true
		perf report -i "$profile/perf.data" --children --sort symbol --stdio -g none 2>/dev/null \
			>"$profile/perf-report-children.txt" || true
	fi
	if command -v valgrind >/dev/null; then
		LD_LIBRARY_PATH=$curl_mbedtls valgrind --tool=callgrind --callgrind-out-file="$profile/callgrind.out" \
			"$bin" "${args[@]}" --n 20 >"$profile/callgrind-run.txt" 2>/dev/null || true
		callgrind_annotate --inclusive=yes "$profile/callgrind.out" >"$profile/callgrind-inclusive.txt" 2>/dev/null || true
	fi
	echo "profiles of variant 3 in $profile"
fi
