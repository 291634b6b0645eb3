#!/usr/bin/env bash
# Install what libmxtls needs to build and test on Debian 12, and provide
# mbedTLS 3.6 and a libcurl built on it. Idempotent: installs only what is missing. Prints nothing on
# stdout but the mbedTLS prefix for CMAKE_PREFIX_PATH (empty for a system one).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

# Build, test and real-peer tools (the corpus is made by the tools users use).
packages=(build-essential cmake pkg-config git python3 dpkg-dev bzip2 xz-utils
	libcmocka-dev libjansson-dev libidn2-dev libssl-dev libcurl4-openssl-dev libcurl3-gnutls openssl ca-certificates
	clang libclang-rt-14-dev valgrind
	gnutls-bin libnss3-tools python3-cryptography nginx-light patch)
command -v keytool >/dev/null 2>&1 || packages+=(openjdk-17-jre-headless)

# shellcheck source=scripts/debian.sh
. "$here/scripts/debian.sh"
apt_install_missing "${packages[@]}"

mbedtls_prefix=$("$here/scripts/build-mbedtls.sh")
# A libcurl on the same mbedTLS, for the shared-material hand-off tests and demo.
MBEDTLS_PREFIX="$mbedtls_prefix" "$here/scripts/build-curl-mbedtls.sh" >&2
echo "$mbedtls_prefix"
