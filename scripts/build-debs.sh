#!/usr/bin/env bash
# Build Debian packages of libmxtls, following Debian's library conventions:
#   libmxtls0        the library (package named after its SONAME), and the
#                    private mbedTLS 3.6 it runs on where Debian has none
#                    (in /usr/lib/<multiarch>/mxtls/mbedtls, found through $ORIGIN)
#   libmxtls-curl0   the libcurl hand-off, for Debian's libcurl (OpenSSL) and its GnuTLS flavour
#   libmxtls-dev     headers, pkg-config files, the CMake package, the .so links
#                    (and the private mbedTLS's headers and CMake package)
#   mxtls-tools      the mxtls command-line tool and its manual page
# Dependencies come from dpkg-shlibdeps; the libraries carry shlibs files and
# ldconfig triggers. lintian reports no errors on them (tests/packaging/).
#
# Usage: scripts/build-debs.sh [OUTDIR]      (default: out/debs); prints the .deb paths.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
outdir=$(mkdir -p "${1:-$here/out/debs}" && cd "${1:-$here/out/debs}" && pwd)
cd "$here"

prefix=$(scripts/setup.sh)
# shellcheck source=scripts/steps.sh
. "$here/scripts/steps.sh"

version=$(sed -n 's/^project(mxtls VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
debver=$version-1
arch=$(dpkg --print-architecture)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
libdir=usr/lib/$multiarch
soversion=$(sed -n 's/^#define MXTLS_ABI_VERSION \([0-9]*\)$/\1/p' include/mxtls/mxtls.h)
maintainer="libmxtls developers <libmxtls@lists.example.org>"

# Debian's hardening flags (fortify, stack protector, relro, bind-now), as a package build uses.
eval "$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --export=sh)"
build=$here/build-deb
stage=$here/out/deb-stage
step "debs: configure $build/" cmake-build-deb cmake -S . -B "$build" -DCMAKE_PREFIX_PATH="$prefix" \
	-DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr -DMXTLS_BUILD_TESTS=OFF \
	-DMXTLS_BUILD_BENCH=OFF -DMXTLS_BUILD_EXAMPLES=OFF -DMXTLS_WERROR=ON
step "debs: build" build-deb cmake --build "$build" -j"$(nproc)"
rm -rf "$stage" && mkdir -p "$stage"
step "debs: install into a staging tree" install-deb env DESTDIR="$stage/all" cmake --install "$build"

# Each package's tree is debian/PACKAGE of a minimal source tree, where dpkg-shlibdeps looks.
src=$stage/src
pkgdir() { echo "$src/debian/$1"; }
# take PACKAGE PATH...: move staged paths (globs relative to the staging root) into PACKAGE.
take() {
	local pkg=$1 p from
	shift
	for p in "$@"; do
		for from in "$stage"/all/$p; do
			[ -e "$from" ] || [ -L "$from" ] || { echo "build-debs: nothing staged at $p" >&2; exit 1; }
			mkdir -p "$(pkgdir "$pkg")/$(dirname "${from#"$stage"/all/}")"
			mv "$from" "$(pkgdir "$pkg")/${from#"$stage"/all/}"
		done
	done
}

take libmxtls0 "$libdir/libmxtls.so.$soversion*"
take libmxtls-curl0 "$libdir/libmxtls_curl.so.$soversion*" "$libdir/libmxtls_curl-gnutls.so.$soversion*"
take mxtls-tools usr/bin/mxtls
[ ! -d "$stage/all/usr/share/man/man1" ] || take mxtls-tools usr/share/man/man1
if [ -d "$stage/all/$libdir/mxtls/mbedtls" ]; then
	# The private mbedTLS: its shared libraries run libmxtls; the rest is for building.
	take libmxtls0 "$libdir/mxtls/mbedtls/lib/lib*.so.*"
fi
take libmxtls-dev usr/include "$libdir/libmxtls*.so" "$libdir/pkgconfig" "$libdir/cmake"
[ ! -d "$stage/all/$libdir/mxtls" ] || take libmxtls-dev "$libdir/mxtls"
[ ! -d "$stage/all/usr/share/man/man3" ] || take libmxtls-dev usr/share/man/man3
left=$(cd "$stage/all" && find . -type f -o -type l)
[ -z "$left" ] || { echo "build-debs: staged files in no package: $left" >&2; exit 1; }

# Manual pages compressed as dh_compress does.
find "$src/debian" -path '*/usr/share/man/*' -type f ! -name '*.gz' -exec gzip -9n {} +

# Strip as dh_strip does; the build has no debug symbols to keep (Release).
find "$src/debian" -type f \( -name '*.so.*' -o -path '*/usr/bin/*' \) -exec \
	strip --strip-unneeded --remove-section=.comment --remove-section=.note {} +

# dpkg-shlibdeps wants the source tree's control file, and shlibs for our own libraries.
for p in libmxtls0 libmxtls-curl0 libmxtls-dev mxtls-tools; do mkdir -p "$(pkgdir "$p")/DEBIAN"; done
cat >"$src/debian/control" <<EOF
Source: libmxtls
Maintainer: $maintainer

Package: libmxtls0
Architecture: any

Package: libmxtls-curl0
Architecture: any

Package: mxtls-tools
Architecture: any
EOF
{
	echo "libmxtls $soversion libmxtls0 (>= $version)"
	echo "libmxtls_curl $soversion libmxtls-curl0 (>= $version)"
	echo "libmxtls_curl-gnutls $soversion libmxtls-curl0 (>= $version)"
	for f in "$(pkgdir libmxtls0)/$libdir"/mxtls/mbedtls/lib/lib*.so.*; do
		[ -e "$f" ] || continue
		n=$(basename "$f")
		case "$n" in *.so.[0-9]*.[0-9]*) continue ;; esac # the real file; the SONAME link names it
		echo "${n%%.so.*} ${n##*.so.} libmxtls0 (= $debver)"
	done
} >"$src/debian/shlibs.local"

# depends PACKAGE: the Depends line dpkg-shlibdeps computes for PACKAGE's ELF files.
depends() {
	local pkg=$1 files
	mapfile -t files < <(find "$(pkgdir "$pkg")" -type f \( -name '*.so.*' -o -path '*/usr/bin/*' \))
	(cd "$src" && dpkg-shlibdeps -x"$pkg" -O \
		-l"$(pkgdir libmxtls0)/$libdir/mxtls/mbedtls/lib" -l"$(pkgdir libmxtls0)/$libdir" \
		-l"$(pkgdir libmxtls-curl0)/$libdir" "${files[@]}" 2>"$stage/shlibdeps-$pkg.log") |
		sed -n 's/^shlibs:Depends=//p'
}

docs() { # PACKAGE: copyright and changelog, as policy wants them
	local d
	d=$(pkgdir "$1")/usr/share/doc/$1
	mkdir -p "$d"
	cat >"$d/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: libmxtls
Comment: libmxtls has not chosen a license yet; these packages are for the platform's
 own machines. The bundled mbedTLS (in /usr/lib/$multiarch/mxtls/mbedtls) is
 Debian 13's source package of Mbed TLS.

Files: *
Copyright: 2026 the libmxtls developers
License: LicenseRef-libmxtls-internal
 Internal use by the platform until a license is chosen.

Files: usr/lib/$multiarch/mxtls/mbedtls/*
Copyright: The Mbed TLS Contributors
License: Apache-2.0 or GPL-2.0+
 On Debian systems, the full texts are in /usr/share/common-licenses/Apache-2.0
 and /usr/share/common-licenses/GPL-2.
EOF
	printf 'libmxtls (%s) unstable; urgency=medium\n\n  * Packaged by scripts/build-debs.sh.\n\n -- %s  %s\n' \
		"$debver" "$maintainer" "$(date -R -d "@$(git log -1 --format=%ct)")" | gzip -9n >"$d/changelog.Debian.gz"
}

control() { # PACKAGE SECTION MULTIARCH DEPENDS SUMMARY DESCRIPTION
	local d
	d=$(pkgdir "$1")/DEBIAN
	mkdir -p "$d"
	{
		echo "Package: $1"
		echo "Source: libmxtls"
		echo "Version: $debver"
		echo "Architecture: $arch"
		[ -z "$3" ] || echo "Multi-Arch: $3"
		echo "Maintainer: $maintainer"
		echo "Installed-Size: $(du -sk --exclude=DEBIAN "$(pkgdir "$1")" | cut -f1)"
		[ -z "$4" ] || echo "Depends: $4"
		echo "Section: $2"
		echo "Priority: optional"
		echo "Homepage: https://libmxtls.example.org/"
		echo "Description: $5"
		echo "$6" | fold -s -w 78 | sed 's/ *$//; s/^/ /'
	} >"$d/control"
	(cd "$(pkgdir "$1")" && find . -path ./DEBIAN -prune -o -type f -print0 | sort -z |
		xargs -0 md5sum | sed 's|  \./|  |') >"$d/md5sums"
}

for p in libmxtls0 libmxtls-curl0 libmxtls-dev mxtls-tools; do docs "$p"; done
# Two lintian errors are by design, said where lintian reads such reasons:
overrides() { # PACKAGE LINES...
	local pkg=$1 d
	d=$(pkgdir "$pkg")/usr/share/lintian/overrides
	mkdir -p "$d"
	shift
	printf '%s\n' "$@" >"$d/$pkg"
}
overrides libmxtls0 \
	"# Debian 12 has mbedTLS 2.28 only; libmxtls needs 3.6 LTS (TLS 1.3, PSA), so it ships" \
	"# Debian 13's mbedTLS privately, found only by libmxtls (\$ORIGIN RUNPATH)." \
	"libmxtls0: embedded-library mbedtls [usr/lib/$multiarch/mxtls/mbedtls/lib/*]"
overrides libmxtls-dev \
	"# mbedTLS's CMake package names these two driver archives, empty in this configuration:" \
	"# without them find_package(MbedTLS), and so find_package(mxtls), fails." \
	"libmxtls-dev: no-code-sections [usr/lib/$multiarch/mxtls/mbedtls/lib/libeverest.a]" \
	"libmxtls-dev: no-code-sections [usr/lib/$multiarch/mxtls/mbedtls/lib/libp256m.a]"

# (No line of a description may start with a dot: keep dots out of fold's reach.)
about="libmxtls loads client certificates from PKCS#12 containers (p12 and pfx files from OpenSSL, Windows, Java, GnuTLS or NSS) and private certificate authorities, and builds one TLS client context, with identities pinned to hosts, that it hands to libcurl and to language bindings; it rotates to renewed certificates without a restart."
control libmxtls0 libs same "$(depends libmxtls0)" "outbound TLS identity (PKCS#12) and trust for app runtimes" \
	"$about This package has the shared library, and the private mbedTLS 3.6 it runs on."
control libmxtls-curl0 libs same "$(depends libmxtls-curl0)" "libmxtls hand-off to libcurl" \
	"$about This package has libmxtls_curl, for Debian's libcurl (OpenSSL), and libmxtls_curl-gnutls, for its GnuTLS flavour."
control libmxtls-dev libdevel same \
	"libmxtls0 (= $debver), libmxtls-curl0 (= $debver), libjansson-dev, libidn2-dev, libcurl4-openssl-dev | libcurl-dev" \
	"libmxtls development files" \
	"$about This package has the headers, pkg-config files (mxtls, mxtls-curl, mxtls-curl-gnutls) and the CMake package (find_package(mxtls))."
control mxtls-tools utils foreign "$(depends mxtls-tools)" "inspect PKCS#12 containers and call mTLS servers" \
	"$about This package has the mxtls tool: mxtls inspect explains a PKCS#12 file, mxtls get calls a URL with an identity, and mxtls check validates the platform's environment."
# The libraries' shlibs (what dependent packages get) and ldconfig triggers.
echo "libmxtls $soversion libmxtls0 (>= $version)" >"$(pkgdir libmxtls0)/DEBIAN/shlibs"
printf 'libmxtls_curl %s libmxtls-curl0 (>= %s)\nlibmxtls_curl-gnutls %s libmxtls-curl0 (>= %s)\n' \
	"$soversion" "$version" "$soversion" "$version" >"$(pkgdir libmxtls-curl0)/DEBIAN/shlibs"
for p in libmxtls0 libmxtls-curl0; do
	echo "activate-noawait ldconfig" >"$(pkgdir "$p")/DEBIAN/triggers"
done

rm -f "$outdir"/*.deb
for p in libmxtls0 libmxtls-curl0 libmxtls-dev mxtls-tools; do
	find "$(pkgdir "$p")" -type d -exec chmod 0755 {} +
	find "$(pkgdir "$p")" -type f ! -path '*/DEBIAN/*' ! -path '*/usr/bin/*' -exec chmod 0644 {} +
	find "$(pkgdir "$p")/DEBIAN" -type f -exec chmod 0644 {} +
	deb=$outdir/${p}_${debver}_$arch.deb
	dpkg-deb --root-owner-group -Zxz --build "$(pkgdir "$p")" "$deb" >/dev/null
	echo "$deb"
done
