#!/usr/bin/env bash
# Provide mbedTLS >= 3.6 for libmxtls.
#
# Prints the install prefix to use as CMAKE_PREFIX_PATH on stdout (empty when a
# system mbedTLS >= 3.6 is found, since CMake then finds it by itself).
# Debian 12 ships 2.28 only, so by default this builds Debian 13's source
# package into a local prefix, configured the way Debian's own rules do
# (threading on: RSA blinding state is shared between threads).
#
# Usage: scripts/build-mbedtls.sh [PREFIX]      (default: .deps/mbedtls)
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
prefix=${1:-$here/.deps/mbedtls}
want_major=3 want_minor=6

log() { echo "build-mbedtls: $*" >&2; }
# shellcheck source=scripts/debian.sh
. "$here/scripts/debian.sh"

version_ok() { # $1 = "3.6.6"
	local maj min
	IFS=. read -r maj min _ <<<"$1"
	[ "$maj" -gt $want_major ] || { [ "$maj" -eq $want_major ] && [ "$min" -ge $want_minor ]; }
}

header_version() { # $1 = include dir
	sed -n 's/^#define MBEDTLS_VERSION_STRING *"\(.*\)"/\1/p' "$1/mbedtls/build_info.h" 2>/dev/null || true
}

# 1. A system mbedTLS that is new enough wins.
sysver=$(header_version /usr/include)
if [ -n "$sysver" ] && version_ok "$sysver" && [ -z "${MXTLS_FORCE_LOCAL_MBEDTLS:-}" ]; then
	log "using system mbedTLS $sysver"
	exit 0
fi

# Fixes applied to the source until they are in a release Debian ships, in
# name order; each says why in its header.
shopt -s nullglob
patches=("$here"/scripts/patches/mbedtls/*.patch)
shopt -u nullglob
patch_sum=none
[ ${#patches[@]} -eq 0 ] || patch_sum=$(cat "${patches[@]}" | sha256sum | cut -c1-12)

# What this script changes in the build; a different recipe rebuilds.
recipe="threading pkcs12 groups=secp256r1-first patches=$patch_sum"

# 2. A local build that is already there and complete.
if [ -f "$prefix/.mxtls-stamp" ] && version_ok "$(header_version "$prefix/include")" &&
	[ "$(sed -n 2p "$prefix/.mxtls-stamp")" = "$recipe" ]; then
	log "using $prefix ($(header_version "$prefix/include"))"
	echo "$prefix"
	exit 0
fi

# 3. Build from Debian 13's source package.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
# Newest listed 3.6.x first; older listed ones if the archive lost it.
fetched=$(fetch_debian_source mbedtls '3\.6\.') || exit 1
log "building mbedTLS $fetched into $prefix"
tar xjf mbedtls_*.orig.tar.bz2
cd mbedtls-*/
cfg=scripts/config.py
# As debian/rules does (threading), plus what the PKCS#12 loader needs.
for opt in MBEDTLS_THREADING_C MBEDTLS_THREADING_PTHREAD MBEDTLS_DEPRECATED_WARNING MBEDTLS_CMAC_C \
	MBEDTLS_PKCS5_C MBEDTLS_PKCS12_C MBEDTLS_DES_C MBEDTLS_SSL_PROTO_TLS1_3 MBEDTLS_SSL_SESSION_TICKETS; do
	python3 "$cfg" set "$opt"
done
# A source that already has a fix (a newer release) skips it; one that takes
# neither the fix nor its reverse stops the build: the fix would be missing.
for p in ${patches[@]+"${patches[@]}"}; do
	if patch -p1 --dry-run --forward --silent <"$p" >/dev/null; then
		patch -p1 --forward --silent <"$p" >&2
		log "applied $(basename "$p")"
	elif patch -p1 --dry-run --reverse --silent <"$p" >/dev/null; then
		log "already in the source: $(basename "$p")"
	else
		log "$(basename "$p") does not apply to mbedTLS $fetched: update or drop it"
		exit 1
	fi
done
# secp256r1 before x25519 in the default key-exchange groups: x25519 is the
# slower of the two in mbedTLS, and libcurl's mbedTLS backend copies the
# default list at mbedtls_ssl_setup(), before libmxtls can set its own order.
python3 - library/ssl_tls.c <<'PY' || log "group order left as upstream's (pattern not found)"
import sys
path = sys.argv[1]
src = open(path).read()
x = "#if defined(MBEDTLS_ECP_HAVE_CURVE25519)\n    MBEDTLS_SSL_IANA_TLS_GROUP_X25519,\n#endif\n"
p = "#if defined(MBEDTLS_ECP_HAVE_SECP256R1)\n    MBEDTLS_SSL_IANA_TLS_GROUP_SECP256R1,\n#endif\n"
head = "static const uint16_t ssl_preset_default_groups[] = {\n"
if head + x + p not in src:
    sys.exit(1)
open(path, "w").write(src.replace(head + x + p, head + p + x, 1))
PY
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix" \
	-DUSE_STATIC_MBEDTLS_LIBRARY=ON -DUSE_SHARED_MBEDTLS_LIBRARY=ON \
	-DCMAKE_POSITION_INDEPENDENT_CODE=ON -DENABLE_PROGRAMS=OFF -DENABLE_TESTING=OFF \
	-DMBEDTLS_FATAL_WARNINGS=OFF >&2
cmake --build build -j"$(nproc)" >&2
rm -rf "$prefix"
cmake --install build >&2
printf '%s\n%s\n' "$fetched" "$recipe" >"$prefix/.mxtls-stamp"
echo "$prefix"
