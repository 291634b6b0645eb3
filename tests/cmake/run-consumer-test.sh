#!/usr/bin/env bash
# Packaging test: install a build tree into a temporary prefix and use it as
# users do, with find_package(mxtls) and with pkg-config.
#   tests/cmake/run-consumer-test.sh BUILD_DIR      (ctest test `consumer`)
# Checks: installed files, SONAMEs, only mxtls_ symbols exported, the CMake
# package (mxtls::mxtls, mxtls::mxtls_curl, mxtls::mxtls_curl_gnutls when built,
# and mxtls::mxtls alone without libcurl), the pkg-config files (mxtls,
# mxtls-curl, mxtls-curl-gnutls), and that the installed
# `mxtls` tool runs from the prefix without LD_LIBRARY_PATH (its RPATH). The
# prefix is moved after installing, and the consumers and the tool run once more
# with the whole clone (sources, .deps, build tree) hidden (as root).
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
build=$(cd "$1" && pwd)
src=$(cd "$(dirname "$0")" && pwd)

fail() { echo "FAIL $*" >&2; exit 1; }
ok() { echo "ok   $*"; }
cache() { sed -n "s/^$1:[A-Z]*=//p" "$build/CMakeCache.txt" | head -n1; }
on() { case "$(cache "$1")" in ON | on | TRUE | true | 1 | YES | yes) return 0 ;; *) return 1 ;; esac; }

# mbedTLS as the build found it: MbedTLS_DIR is LIBDIR/cmake/MbedTLS.
mbedtls_dir=$(cache MbedTLS_DIR)
[ -d "$mbedtls_dir" ] || fail "MbedTLS_DIR not in $build/CMakeCache.txt"
mbedtls_libdir=$(cd "$mbedtls_dir/../.." && pwd)
mbedtls_prefix=$(cd "$mbedtls_libdir/.." && pwd)
cc=$(cache CMAKE_C_COMPILER)
san=$(cache MXTLS_SANITIZE)
flags=()
# A sanitized libmxtls needs the sanitizer runtime in the executable.
[ -z "$san" ] || flags=("-fsanitize=$san" -fno-omit-frame-pointer)
with_curl=0; on MXTLS_BUILD_CURL && with_curl=1
with_tools=0; on MXTLS_BUILD_TOOLS && with_tools=1
# The GnuTLS flavour is built when the build found libcurl-gnutls.so.4.
curl_gnutls=$(cache MXTLS_CURL_GNUTLS_LIBRARY)
case "$curl_gnutls" in '' | *NOTFOUND) curl_gnutls="" ;; esac
[ $with_curl = 1 ] || curl_gnutls=""

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mxtls-consumer-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
libdir_rel=$(cache CMAKE_INSTALL_LIBDIR)
libdir=$prefix/${libdir_rel:-lib}
unset LD_LIBRARY_PATH # everything must be found through RPATHs

# ---- install, then move the prefix: nothing may depend on where it was installed
cmake --install "$build" --prefix "$tmp/installed" >"$tmp/install.log" || { cat "$tmp/install.log" >&2; fail "cmake --install"; }
mv "$tmp/installed" "$prefix"
bundled=0; on MXTLS_BUNDLE_MBEDTLS && bundled=1
want=(include/mxtls/mxtls.h "${libdir#"$prefix"/}/libmxtls.so.0" "${libdir#"$prefix"/}/libmxtls.so"
	"${libdir#"$prefix"/}/pkgconfig/mxtls.pc" "${libdir#"$prefix"/}/cmake/mxtls/mxtlsConfig.cmake"
	"${libdir#"$prefix"/}/cmake/mxtls/mxtlsConfigVersion.cmake" "${libdir#"$prefix"/}/cmake/mxtls/mxtlsTargets.cmake")
libs=(libmxtls.so.0)
if [ $with_curl = 1 ]; then
	want+=(include/mxtls/mxtls_curl.h "${libdir#"$prefix"/}/libmxtls_curl.so.0" "${libdir#"$prefix"/}/libmxtls_curl.so"
		"${libdir#"$prefix"/}/pkgconfig/mxtls-curl.pc" "${libdir#"$prefix"/}/cmake/mxtls/mxtlsCurlTargets.cmake")
	libs+=(libmxtls_curl.so.0)
fi
if [ -n "$curl_gnutls" ]; then
	want+=("${libdir#"$prefix"/}/libmxtls_curl-gnutls.so.0" "${libdir#"$prefix"/}/libmxtls_curl-gnutls.so"
		"${libdir#"$prefix"/}/pkgconfig/mxtls-curl-gnutls.pc" "${libdir#"$prefix"/}/cmake/mxtls/mxtlsCurlGnutlsTargets.cmake")
	libs+=(libmxtls_curl-gnutls.so.0)
fi
[ $with_tools = 0 ] || want+=(bin/mxtls)
[ $bundled = 0 ] || want+=("${libdir#"$prefix"/}/mxtls/mbedtls/lib/libmbedtls.so.21"
	"${libdir#"$prefix"/}/mxtls/mbedtls/include/mbedtls/ssl.h"
	"${libdir#"$prefix"/}/mxtls/mbedtls/lib/cmake/MbedTLS/MbedTLSConfig.cmake")
for f in "${want[@]}"; do
	[ -e "$prefix/$f" ] || fail "not installed: $f"
done
ok "installed: ${#want[@]} files and links"

# ---- SONAME and exported symbols
for lib in "${libs[@]}"; do
	soname=$(readelf -d "$libdir/$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
	[ "$soname" = "$lib" ] || fail "$lib: SONAME is '$soname'"
	# MXTLS_0 is the symbol version node of lib/mxtls.map (an absolute symbol).
	bad=$(nm -D --defined-only "$libdir/$lib" | awk '{print $3}' | grep -v '^mxtls_' | grep -vx 'MXTLS_[0-9]*' || true)
	[ -z "$bad" ] || fail "$lib exports non-mxtls_ symbols: $(echo "$bad" | tr "\n" " " | head -c 400)"
	n=$(nm -D --defined-only "$libdir/$lib" | awk '$3 ~ /^mxtls_/' | wc -l)
	[ "$n" -gt 0 ] || fail "$lib exports no mxtls_ symbol"
	ok "$lib: SONAME $soname, exports only mxtls_ symbols ($n)"
done

# ---- self-contained: with a private mbedTLS bundled, no RUNPATH and no CMake or pkg-config
# file names the build machine's paths (the clone, its .deps): only $ORIGIN-relative ones.
if [ $bundled = 1 ]; then
	while IFS= read -r -d '' f; do
		rp=$(readelf -d "$f" 2>/dev/null | sed -n 's/.*(R[UN]*PATH).*\[\(.*\)\]/\1/p')
		[ -z "$rp" ] || ! tr ':' '\n' <<<"$rp" | grep -qv '^\$ORIGIN' || fail "$f: RUNPATH $rp is not relative"
	done < <(find "$prefix" -type f \( -name '*.so*' -o -path '*/bin/*' \) -print0)
	leaks=$(grep -rlF -e "$mbedtls_prefix" -e "$(cd "$src/../.." && pwd)" "$prefix" --include='*.cmake' --include='*.pc' || true)
	[ -z "$leaks" ] || fail "installed files name the build machine's paths: $leaks"
	ok "self-contained: \$ORIGIN RUNPATHs, mbedTLS in ${libdir#"$prefix"/}/mxtls/mbedtls, no build paths"
fi

# ---- a client identity made with OpenSSL
pw="consumer pw"
(
	cd "$tmp"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
		-subj "/CN=Consumer Test CA" -days 30 -addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key -out leaf.csr \
		-subj "/CN=consumer client/O=mxtls packaging"
	printf 'extendedKeyUsage=clientAuth\n' >leaf.ext
	openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -extfile leaf.ext -out leaf.pem
	openssl pkcs12 -export -inkey leaf.key -in leaf.pem -certfile ca.pem -passout "pass:$pw" -out client.p12
) >"$tmp/openssl.log" 2>&1 || { cat "$tmp/openssl.log" >&2; fail "openssl could not make the identity"; }
want_subject="subject=CN=consumer client, O=mxtls packaging"

# Where the dynamic loader finds library NAME for BINARY, as a real path.
resolved() { ldd "$1" | awk -v n="$2" '$1 == n { print $3 }' | xargs -r readlink -f; }
uses_installed() { [ "$(resolved "$1" "$2")" = "$(readlink -f "$libdir/$2")" ]; }
# With a bundled mbedTLS, a consumer must run on that one, not the build's.
uses_bundled_mbedtls() {
	[ $bundled = 0 ] || [ "$(resolved "$1" libmbedtls.so.21)" = "$(readlink -f "$libdir/mxtls/mbedtls/lib/libmbedtls.so.21")" ]
}

check_consumer() { # BINARY LABEL
	local out
	out=$("$1" "$tmp/client.p12" "$pw" "$tmp/ca.pem") || fail "$2: consumer failed: $out"
	grep -qxF "$want_subject" <<<"$out" || fail "$2: unexpected output: $out"
	grep -qx 'identities=1 authorities=1' <<<"$out" || fail "$2: unexpected output: $out"
	uses_installed "$1" libmxtls.so.0 || fail "$2: does not run on the installed libmxtls: $(ldd "$1")"
	uses_bundled_mbedtls "$1" || fail "$2: does not run on the bundled mbedTLS: $(ldd "$1")"
	ok "$2: consumer prints '$want_subject'"
}
check_consumer_curl() { # BINARY LABEL [LIBRARY MODE-REGEX]
	local out lib=${3:-libmxtls_curl.so.0} want=${4:-'(1 mbedtls|2 blob)'}
	out=$("$1" "$tmp/client.p12" "$pw" "$tmp/ca.pem") || fail "$2: consumer_curl failed: $out"
	grep -Eq "^mode=$want \\(libcurl " <<<"$out" || fail "$2: unexpected output: $out"
	uses_installed "$1" "$lib" || fail "$2: does not run on the installed ${lib%.so.0}: $(ldd "$1")"
	ok "$2: consumer_curl prints '$out'"
}
check_consumer_curl_gnutls() { # BINARY LABEL: one libcurl in the process, the GnuTLS one
	check_consumer_curl "$1" "$2" libmxtls_curl-gnutls.so.0 '3 file'
	! ldd "$1" | grep -q 'libcurl\.so' || fail "$2: loads libcurl.so.4 beside libcurl-gnutls: $(ldd "$1")"
}

# ---- CMake: find_package(mxtls) from the prefix (and nothing else when mbedTLS is bundled)
consumer_prefix_path=$prefix
[ $bundled = 1 ] || consumer_prefix_path="$prefix;$mbedtls_prefix"
cmake_consumer() { # DIR ARGS...
	local dir=$1
	shift
	cmake -S "$src" -B "$dir" -DCMAKE_PREFIX_PATH="$consumer_prefix_path" -DCMAKE_C_COMPILER="$cc" \
		-DCMAKE_C_FLAGS="${flags[*]}" -DCMAKE_EXE_LINKER_FLAGS="${flags[*]}" \
		-DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_BUILD_TYPE=Debug "$@" >"$dir.log" 2>&1 &&
		cmake --build "$dir" >>"$dir.log" 2>&1 || { cat "$dir.log" >&2; fail "CMake consumer in $dir"; }
	grep -q "from $libdir/cmake/mxtls " "$dir.log" || fail "CMake found another mxtls: $(grep 'mxtls ' "$dir.log")"
}
if [ $with_curl = 1 ]; then
	cmake_consumer "$tmp/cmake-curl"
	check_consumer "$tmp/cmake-curl/consumer" "cmake (mxtls::mxtls)"
	check_consumer_curl "$tmp/cmake-curl/consumer_curl" "cmake (mxtls::mxtls_curl)"
	# A runtime that ships a libcurl built on the same mbedTLS (scripts/build-curl-mbedtls.sh
	# with MBEDTLS_PREFIX=P/LIB/mxtls/mbedtls) swaps it in: the installed hand-off then
	# shares parsed material with curl (mode 1), one mbedTLS in the process.
	curl_mbedtls=$(cache MXTLS_CURL_MBEDTLS_LIBDIR)
	if [ -n "$curl_mbedtls" ] && [ -e "$curl_mbedtls/libcurl.so.4" ]; then
		out=$(LD_LIBRARY_PATH=$curl_mbedtls "$tmp/cmake-curl/consumer_curl" "$tmp/client.p12" "$pw" "$tmp/ca.pem") ||
			fail "consumer_curl on libcurl-on-mbedTLS: $out"
		grep -Eq '^mode=1 mbedtls \(libcurl .*mbedTLS' <<<"$out" || fail "consumer_curl on libcurl-on-mbedTLS: $out"
		n=$(LD_LIBRARY_PATH=$curl_mbedtls ldd "$tmp/cmake-curl/consumer_curl" | grep -c 'libmbedtls\.so')
		[ "$n" = 1 ] || fail "consumer_curl on libcurl-on-mbedTLS loads $n mbedTLS libraries"
		ok "cmake (mxtls::mxtls_curl) with a libcurl on the same mbedTLS: $out"
	fi
fi
if [ -n "$curl_gnutls" ]; then
	cmake_consumer "$tmp/cmake-gnutls" -DCONSUMER_CURL=OFF -DCONSUMER_CURL_GNUTLS="$curl_gnutls"
	check_consumer_curl_gnutls "$tmp/cmake-gnutls/consumer_curl_gnutls" "cmake (mxtls::mxtls_curl_gnutls)"
fi
# Only mxtls::mxtls, on a machine without libcurl's development files.
cmake_consumer "$tmp/cmake-nocurl" -DCONSUMER_CURL=OFF -DCMAKE_DISABLE_FIND_PACKAGE_CURL=ON
check_consumer "$tmp/cmake-nocurl/consumer" "cmake without libcurl (mxtls::mxtls only)"

# ---- pkg-config, plain cc
export PKG_CONFIG_PATH="$libdir/pkgconfig"
[ $bundled = 1 ] || PKG_CONFIG_PATH="$PKG_CONFIG_PATH:$mbedtls_libdir/pkgconfig"
[ "$(pkg-config --modversion mxtls)" = "$(sed -n 's/^Version: //p' "$build/mxtls.pc")" ] || fail "pkg-config mxtls version: $(pkg-config --modversion mxtls)"
# shellcheck disable=SC2046 # word splitting of pkg-config output is intended
"$cc" "${flags[@]}" -o "$tmp/pc-consumer" "$src/consumer.c" $(pkg-config --cflags --libs mxtls) \
	"-Wl,-rpath,$libdir" || fail "cc with pkg-config mxtls"
check_consumer "$tmp/pc-consumer" "pkg-config mxtls"
if [ $with_curl = 1 ]; then
	# shellcheck disable=SC2046
	"$cc" "${flags[@]}" -o "$tmp/pc-consumer-curl" "$src/consumer_curl.c" $(pkg-config --cflags --libs mxtls-curl) \
		"-Wl,-rpath,$libdir" || fail "cc with pkg-config mxtls-curl"
	check_consumer_curl "$tmp/pc-consumer-curl" "pkg-config mxtls-curl"
fi
if [ -n "$curl_gnutls" ]; then
	# mxtls-curl-gnutls names no libcurl: the app links its GnuTLS flavour itself.
	# shellcheck disable=SC2046
	"$cc" "${flags[@]}" -o "$tmp/pc-consumer-gnutls" "$src/consumer_curl.c" \
		$(pkg-config --cflags --libs mxtls-curl-gnutls) "$curl_gnutls" "-Wl,-rpath,$libdir" ||
		fail "cc with pkg-config mxtls-curl-gnutls"
	check_consumer_curl_gnutls "$tmp/pc-consumer-gnutls" "pkg-config mxtls-curl-gnutls"
fi

# ---- the installed tool runs from the prefix (RPATH to libmxtls and mbedTLS)
if [ $with_tools = 1 ]; then
	out=$("$prefix/bin/mxtls" inspect --password "$pw" "$tmp/client.p12" 2>&1) || fail "installed mxtls inspect: $out"
	grep -q "CN=consumer client" <<<"$out" || fail "installed mxtls inspect: unexpected output: $out"
	deps=$(ldd "$prefix/bin/mxtls")
	! grep -q "not found" <<<"$deps" || fail "installed mxtls misses libraries: $deps"
	uses_installed "$prefix/bin/mxtls" libmxtls.so.0 || fail "installed mxtls does not use the installed libmxtls: $deps"
	[ $with_curl = 0 ] || uses_installed "$prefix/bin/mxtls" libmxtls_curl.so.0 ||
		fail "installed mxtls does not use the installed libmxtls_curl: $deps"
	ok "installed mxtls runs from the prefix ($(readelf -d "$prefix/bin/mxtls" | sed -n 's/.*R[UN]*PATH).*\[\(.*\)\]/\1/p'))"
fi
# ---- the clone gone: the consumers and the tool run with the source tree, its .deps and
# the build tree hidden (an empty tmpfs over the clone, in a private mount namespace).
clone=$(cd "$src/../.." && pwd)
if [ "$(id -u)" -eq 0 ] && unshare --mount true 2>/dev/null; then
	without_clone() { unshare --mount sh -c 'mount -t tmpfs none "$1" && shift && exec "$@"' sh "$clone" "$@"; }
	[ "$(without_clone ls -A "$clone")" = "" ] || fail "could not hide $clone"
	for bin in "$tmp/pc-consumer" "$tmp/cmake-nocurl/consumer"; do
		out=$(without_clone "$bin" "$tmp/client.p12" "$pw" "$tmp/ca.pem" 2>&1) || fail "$bin without the clone: $out"
		grep -qxF "$want_subject" <<<"$out" || fail "$bin without the clone: $out"
	done
	if [ $with_curl = 1 ]; then
		out=$(without_clone "$tmp/cmake-curl/consumer_curl" "$tmp/client.p12" "$pw" "$tmp/ca.pem" 2>&1) ||
			fail "consumer_curl without the clone: $out"
	fi
	if [ $with_tools = 1 ]; then
		out=$(without_clone "$prefix/bin/mxtls" inspect --password "$pw" "$tmp/client.p12" 2>&1) ||
			fail "installed mxtls without the clone: $out"
	fi
	ok "consumers and the installed tool run with the clone hidden ($clone)"
else
	ok "(not root or no mount namespaces: the run without the clone is skipped)"
fi
echo "consumer: all checks passed"
