#!/usr/bin/env bash
# Provide a libcurl whose TLS backend is the project's mbedTLS 3.6, for the
# tests and benchmarks that hand libmxtls identities to libcurl.
#
# Prints the install prefix on stdout (logs go to stderr). Debian 12's libcurl
# uses OpenSSL or GnuTLS, so this builds Debian 13's curl source package (with
# Debian's patches, less the GnuTLS-flavour rename) into a local prefix:
# shared libcurl, HTTP(S) only, TLS = mbedTLS from $MBEDTLS_PREFIX only, HTTP/2
# through Debian 12's libnghttp2, no other optional dependency. Binaries carry
# an RPATH to PREFIX/lib and the mbedTLS lib dir, so no LD_LIBRARY_PATH.
# The default CA bundle is compiled in as upstream's "auto" would pick it
# (/etc/ssl/certs/ca-certificates.crt, no CA path), like a distro libcurl.
#
# Usage: scripts/build-curl-mbedtls.sh [PREFIX]   (default: .deps/curl-mbedtls)
#   MBEDTLS_PREFIX   mbedTLS install prefix (default: what build-mbedtls.sh prints)
#   MXTLS_CURL_NGHTTP2=0   build without HTTP/2 (nghttp2)
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
prefix=${1:-$here/.deps/curl-mbedtls}
want_major=8
nghttp2=${MXTLS_CURL_NGHTTP2:-1}

log() { echo "build-curl-mbedtls: $*" >&2; }
# shellcheck source=scripts/debian.sh
. "$here/scripts/debian.sh"

# 0. Build tools (only what is missing).
packages=(build-essential cmake pkg-config patch xz-utils)
[ "$nghttp2" = 0 ] || packages+=(libnghttp2-dev)
apt_install_missing "${packages[@]}"

# 1. The mbedTLS to build against (empty from build-mbedtls.sh = the system one).
if [ -z "${MBEDTLS_PREFIX+x}" ]; then
	MBEDTLS_PREFIX=$("$here/scripts/build-mbedtls.sh")
fi
if [ -n "$MBEDTLS_PREFIX" ]; then
	mbed_inc=$MBEDTLS_PREFIX/include
	mbed_lib=$MBEDTLS_PREFIX/lib
else
	mbed_inc=/usr/include
	mbed_lib=$(dirname "$(gcc -print-file-name=libmbedtls.so)")
fi
mbed_ver=$(sed -n 's/^#define MBEDTLS_VERSION_STRING *"\(.*\)"/\1/p' "$mbed_inc/mbedtls/build_info.h" 2>/dev/null || true)
for l in mbedtls mbedx509 mbedcrypto; do
	[ -e "$mbed_lib/lib$l.so" ] || { log "no $mbed_lib/lib$l.so (shared mbedTLS needed)"; exit 1; }
done
case $mbed_ver in 3.6.*) ;; *) log "mbedTLS at $mbed_inc is '$mbed_ver', need 3.6.x"; exit 1 ;; esac
stamp_id="mbedtls $mbed_ver $mbed_lib nghttp2=$nghttp2 symbols=CURL_OPENSSL_4"

# 2. A build that is already there, complete, and made against this mbedTLS.
if [ -f "$prefix/.mxtls-stamp" ] && [ -x "$prefix/bin/curl" ] && [ -e "$prefix/lib/libcurl.so" ] &&
	[ "$(sed -n 2p "$prefix/.mxtls-stamp")" = "$stamp_id" ]; then
	log "using $prefix (curl $(head -n1 "$prefix/.mxtls-stamp"), $stamp_id)"
	echo "$prefix"
	exit 0
fi

# 3. Fetch Debian 13's curl source package.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
# Newest listed 8.x first; older listed ones if the archive lost it.
fetched=$(fetch_debian_source curl "$want_major\.") || exit 1
t0=$(date +%s)
log "building curl $fetched on mbedTLS $mbed_ver ($mbed_lib) into $prefix"
tar xzf curl_*.orig.tar.gz
tar xJf curl_*.debian.tar.xz
cd curl-*/
# Debian's fixes (security and others); not the patch that renames the
# library for Debian's GnuTLS flavour (libcurl-gnutls).
while read -r p _; do
	case $p in '' | '#'*) continue ;; ZZZgnutls-build.patch) continue ;; esac
	patch -p1 -s -N --no-backup-if-mismatch <"../debian/patches/$p" >&2 ||
		{ log "Debian patch $p does not apply"; exit 1; }
done <../debian/patches/series

# The release tarball ships both CMakeLists.txt and configure; CMake is used
# (it takes the mbedTLS libraries by path, exports CURLConfig.cmake).
h2=OFF
[ "$nghttp2" = 0 ] || h2=ON
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix" \
	-DCMAKE_INSTALL_LIBDIR=lib -DCMAKE_INSTALL_RPATH="$prefix/lib;$mbed_lib" \
	-DBUILD_SHARED_LIBS=ON -DBUILD_STATIC_LIBS=OFF -DBUILD_CURL_EXE=ON \
	-DBUILD_TESTING=OFF -DBUILD_EXAMPLES=OFF -DBUILD_LIBCURL_DOCS=OFF -DBUILD_MISC_DOCS=OFF \
	-DENABLE_CURL_MANUAL=OFF -DPICKY_COMPILER=OFF \
	-DCURL_ENABLE_SSL=ON -DCURL_USE_MBEDTLS=ON -DCURL_USE_OPENSSL=OFF -DCURL_USE_GNUTLS=OFF \
	-DCURL_USE_WOLFSSL=OFF -DCURL_USE_BEARSSL=OFF -DCURL_USE_RUSTLS=OFF \
	-DMBEDTLS_INCLUDE_DIR="$mbed_inc" -DMBEDTLS_LIBRARY="$mbed_lib/libmbedtls.so" \
	-DMBEDX509_LIBRARY="$mbed_lib/libmbedx509.so" -DMBEDCRYPTO_LIBRARY="$mbed_lib/libmbedcrypto.so" \
	-DCURL_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt -DCURL_CA_PATH=none \
	-DHTTP_ONLY=ON -DCURL_DISABLE_LDAP=ON -DCURL_DISABLE_LDAPS=ON \
	-DUSE_NGHTTP2=$h2 -DUSE_NGTCP2=OFF -DUSE_QUICHE=OFF -DUSE_MSH3=OFF -DUSE_OPENSSL_QUIC=OFF \
	-DCURL_USE_LIBPSL=OFF -DUSE_LIBIDN2=OFF -DCURL_USE_LIBSSH2=OFF -DCURL_USE_LIBSSH=OFF \
	-DCURL_USE_GSSAPI=OFF -DUSE_LIBRTMP=OFF -DCURL_BROTLI=OFF -DCURL_ZSTD=OFF -DCURL_ZLIB=OFF \
	-DENABLE_ARES=OFF \
	-DCURL_LIBCURL_VERSIONED_SYMBOLS=ON -DCURL_LIBCURL_VERSIONED_SYMBOLS_PREFIX=OPENSSL_ >&2
# The versioned symbols carry Debian's libcurl4-openssl names (CURL_OPENSSL_4), so
# programs built against Debian's libcurl can swap in this one, as a runtime would.
cmake --build build -j"$(nproc)" >&2
rm -rf "$prefix"
cmake --install build >&2
# The vtls sources that were built, for reading (design notes cite them).
mkdir -p "$prefix/src"
cp -r lib "$prefix/src/"
find "$prefix/src/lib" -type f ! -name '*.[ch]' -delete
"$prefix/bin/curl" -V | grep -q "mbedTLS/$mbed_ver" ||
	{ log "installed curl does not report mbedTLS/$mbed_ver"; exit 1; }
printf '%s\n%s\n' "$fetched" "$stamp_id" >"$prefix/.mxtls-stamp"
log "built in $(($(date +%s) - t0)) s"
echo "$prefix"
