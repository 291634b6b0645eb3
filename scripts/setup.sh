#!/usr/bin/env bash
# Install what libmxtls needs to build and test on Debian 12, and provide
# mbedTLS 3.6 and a libcurl built on it. Idempotent: installs only what is missing. Prints nothing on
# stdout but the mbedTLS prefix for CMAKE_PREFIX_PATH (empty for a system one).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

# Build, test and real-peer tools (the corpus is made by the tools users use), and what the
# Python, Node and Java bindings are tested with (Debian's Python packages; Node 20;
# Debian's JDK 17, JNA and JUnit 5).
packages=(build-essential cmake pkg-config git python3 dpkg-dev bzip2 xz-utils
	libcmocka-dev libjansson-dev libidn2-dev libssl-dev libcurl4-openssl-dev libcurl3-gnutls openssl ca-certificates
	clang libclang-rt-14-dev valgrind
	gnutls-bin libnss3-tools python3-cryptography nginx-light patch
	python3-requests python3-httpx python3-aiohttp python3-pytest python3-venv python3-pip strace
	nodejs openjdk-17-jdk-headless libjna-java junit5)

# shellcheck source=scripts/debian.sh
. "$here/scripts/debian.sh"
# shellcheck source=scripts/steps.sh
. "$here/scripts/steps.sh"

step "setup: Debian packages" setup-apt apt_install_missing "${packages[@]}"
step "setup: mbedTLS 3.6" setup-mbedtls "$here/scripts/build-mbedtls.sh"
# What it printed last is the prefix (empty for a system mbedTLS); a second call
# answers at once from the stamp, so read it from there.
mbedtls_prefix=$("$here/scripts/build-mbedtls.sh" 2>/dev/null)
# A libcurl on the same mbedTLS, for the shared-material hand-off tests and demo.
step "setup: libcurl on mbedTLS" setup-curl-mbedtls env MBEDTLS_PREFIX="$mbedtls_prefix" \
	"$here/scripts/build-curl-mbedtls.sh"
# The Node binding's packages (koffi, undici) from the npm registry, as its lock file says;
# again only when the lock file changed.
node_dir="$here/bindings/node"
if [ -f "$node_dir/package-lock.json" ] &&
	! [ "$node_dir/node_modules/.package-lock.json" -nt "$node_dir/package-lock.json" ]; then
	step "setup: npm ci in bindings/node" setup-npm sh -c 'cd "$1" && npm ci --ignore-scripts --no-audit --no-fund' sh "$node_dir"
fi
echo "$mbedtls_prefix"
