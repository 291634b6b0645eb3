#!/usr/bin/env bash
# The Debian packages on this machine, as a user gets them: build them
# (scripts/build-debs.sh), lintian reports no error, `apt-get install ./*.deb`
# them, build and run consumers against the system install (pkg-config and
# CMake, with no path given), run the installed tool, find the library as
# Python's ctypes and the bindings do, then purge them and check nothing is left.
#
# Installs into /usr and removes again: root only, and it refuses to replace
# libmxtls packages that were installed before. Run by .ci/run.
#   tests/packaging/test-debs.sh
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
cd "$here"

fail() { echo "FAIL $*" >&2; exit 1; }
ok() { echo "ok   $*"; }
[ "$(id -u)" -eq 0 ] || fail "installs packages: run as root"
packages=(libmxtls0 libmxtls-curl0 libmxtls-dev mxtls-tools)
for p in "${packages[@]}"; do
	! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		fail "$p is already installed: remove it first (apt-get purge ${packages[*]})"
done
# shellcheck source=scripts/debian.sh
. scripts/debian.sh
apt_install_missing lintian >/dev/null

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mxtls-debs-XXXXXX")
installed=0
cleanup() {
	[ $installed = 0 ] || DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "${packages[@]}" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT

mapfile -t debs < <(scripts/build-debs.sh "$tmp/debs")
[ ${#debs[@]} -eq 4 ] || fail "build-debs.sh made ${#debs[@]} packages: ${debs[*]}"
ok "built: ${debs[*]##*/}"

lintian --fail-on error "${debs[@]}" >"$tmp/lintian.txt" 2>&1 || { cat "$tmp/lintian.txt" >&2; fail "lintian reports errors"; }
ok "lintian: no errors ($(grep -c '^W:' "$tmp/lintian.txt" || true) warnings, $(grep -c '^I:' "$tmp/lintian.txt" || true) notes)"

installed=1
DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${debs[@]}" >"$tmp/apt.log" 2>&1 ||
	{ cat "$tmp/apt.log" >&2; fail "apt-get install ./*.deb"; }
ok "apt-get install: ${packages[*]}"

# ---- consumers against the system install: no PKG_CONFIG_PATH, no CMAKE_PREFIX_PATH
unset PKG_CONFIG_PATH CMAKE_PREFIX_PATH LD_LIBRARY_PATH
pw="deb consumer pw"
(
	cd "$tmp"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
		-subj "/CN=Deb Test CA" -days 30 -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key -out leaf.csr \
		-subj "/CN=deb consumer"
	openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -out leaf.pem
	openssl pkcs12 -export -inkey leaf.key -in leaf.pem -certfile ca.pem -passout "pass:$pw" -out client.p12
) >"$tmp/openssl.log" 2>&1 || { cat "$tmp/openssl.log" >&2; fail "openssl could not make the identity"; }
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
system_lib=/usr/lib/$multiarch/libmxtls.so.0
check_consumer() { # BINARY LABEL
	local out
	out=$("$1" "$tmp/client.p12" "$pw" "$tmp/ca.pem") || fail "$2: $out"
	grep -qx "subject=CN=deb consumer" <<<"$out" || fail "$2: unexpected output: $out"
	# readlink: /lib is /usr/lib on a merged-/usr system.
	[ "$(ldd "$1" | awk '$1 == "libmxtls.so.0" { print $3 }' | xargs -r readlink -f)" = "$(readlink -f "$system_lib")" ] ||
		fail "$2: not on $system_lib: $(ldd "$1")"
	ok "$2: runs on $system_lib"
}
# shellcheck disable=SC2046 # word splitting of pkg-config output is intended
cc -o "$tmp/pc-consumer" tests/cmake/consumer.c $(pkg-config --cflags --libs mxtls) || fail "cc with pkg-config mxtls"
check_consumer "$tmp/pc-consumer" "pkg-config mxtls (system)"
cmake -S tests/cmake -B "$tmp/cmake" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF >"$tmp/cmake.log" 2>&1 &&
	cmake --build "$tmp/cmake" >>"$tmp/cmake.log" 2>&1 || { cat "$tmp/cmake.log" >&2; fail "CMake consumer"; }
grep -q "from /usr/lib/$multiarch/cmake/mxtls " "$tmp/cmake.log" || fail "CMake found another mxtls: $(grep 'mxtls ' "$tmp/cmake.log")"
check_consumer "$tmp/cmake/consumer" "find_package(mxtls COMPONENTS curl) (system)"
out=$("$tmp/cmake/consumer_curl" "$tmp/client.p12" "$pw" "$tmp/ca.pem") || fail "consumer_curl: $out"
ok "consumer_curl: $out"

# ---- the installed tool, and the library as the loaders find it
out=$(mxtls inspect --password "$pw" "$tmp/client.p12" 2>&1) || fail "mxtls inspect: $out"
grep -q "CN=deb consumer" <<<"$out" || fail "mxtls inspect: unexpected output: $out"
ok "/usr/bin/mxtls inspect reads the identity"
for page in /usr/share/man/man1/mxtls.1.gz /usr/share/man/man3/libmxtls.3.gz; do
	zcat "$page" | grep -q '^\.TH' || fail "manual page $page missing or not a manual page"
done
ok "manual pages: mxtls(1), libmxtls(3)"
found=$(/usr/bin/python3 -c 'import ctypes.util; print(ctypes.util.find_library("mxtls"))')
[ "$found" = libmxtls.so.0 ] || fail "ctypes.util.find_library('mxtls') = $found"
ok "ctypes.util.find_library('mxtls') = $found"
if [ -d bindings/python/mxtls ]; then
	out=$(env -u MXTLS_LIBRARY PYTHONPATH=bindings/python /usr/bin/python3 -c \
		'import mxtls, sys; p = mxtls.load_pkcs12(sys.argv[1], sys.argv[2]); print(mxtls.library_path, p.identities[0].subject)' \
		"$tmp/client.p12" "$pw") || fail "the Python binding on the system library: $out"
	grep -q "CN=deb consumer" <<<"$out" || fail "the Python binding: unexpected output: $out"
	ok "the Python binding finds the system library without MXTLS_LIBRARY: $out"
fi
if [ -d bindings/node/node_modules ]; then
	out=$(env -u MXTLS_LIBRARY node -e '
		const m = require("./bindings/node"); const p = m.loadPkcs12(process.argv[1], process.argv[2]);
		console.log(m.load().path, p.identities[0].subject);' "$tmp/client.p12" "$pw") ||
		fail "the Node binding on the system library: $out"
	grep -q "CN=deb consumer" <<<"$out" || fail "the Node binding: unexpected output: $out"
	ok "the Node binding finds the system library without MXTLS_LIBRARY: $out"
fi

# ---- purge: nothing of ours is left
DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "${packages[@]}" >"$tmp/purge.log" 2>&1 ||
	{ cat "$tmp/purge.log" >&2; fail "apt-get purge"; }
installed=0
for f in "$system_lib" /usr/bin/mxtls /usr/include/mxtls "/usr/lib/$multiarch/mxtls"; do
	[ ! -e "$f" ] || fail "left after purge: $f"
done
[ "$(/usr/bin/python3 -c 'import ctypes.util; print(ctypes.util.find_library("mxtls"))')" = None ] ||
	fail "ldconfig still knows libmxtls after purge"
ok "apt-get purge: nothing left"
echo "debs: all checks passed"
