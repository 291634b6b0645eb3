# shellcheck shell=bash
# Shared by the setup and build scripts (sourced, not run): Debian package
# installs and Debian 13 source packages. Logs go to stderr.

# Install the packages that are missing, as root or through sudo.
apt_install_missing() {
	local p missing=() sudo=""
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep "ok installed" >/dev/null || missing+=("$p")
	done
	[ ${#missing[@]} -gt 0 ] || return 0
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	echo "installing ${missing[*]}" >&2
	$sudo apt-get update -q >&2
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}" >&2
}

# Whether the archive still has the .dsc of PACKAGE=VERSION (yes when curl cannot tell).
source_available() {
	local uri
	command -v curl >/dev/null 2>&1 || return 0
	uri=$(apt-get source --print-uris -qq "$1=$2" 2>/dev/null | sed -n "s/^'\([^']*\.dsc\)'.*/\1/p" | head -n1)
	[ -n "$uri" ] || return 0
	curl -sfI --max-time 30 "$uri" >/dev/null
}

# Download the newest listed Debian source of PACKAGE whose version matches the
# sed pattern VERSION_RE (e.g. '3\.6\.'), into the current directory, falling
# back to older listed ones if the archive lost the newest. Adds Debian 13's
# deb-src list to apt when no such version is listed. Prints the version.
fetch_debian_source() {
	local package=$1 version_re=$2 v
	# grep without -q: an early exit would SIGPIPE apt-cache and fail the pipe under pipefail.
	if ! apt-cache showsrc "$package" 2>/dev/null | grep "^Version: $version_re" >/dev/null; then
		echo "adding Debian 13 (trixie) source packages to apt" >&2
		cat >/etc/apt/sources.list.d/mxtls-trixie-src.sources <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
		apt-get update -q >&2
	fi
	for v in $(apt-cache showsrc "$package" | sed -n "s/^Version: \(${version_re}[^ ]*\)/\1/p" | sort -ruV); do
		# The archive drops superseded versions that the source lists still name:
		# ask for the .dsc first, so that a missing one is skipped quietly
		# instead of apt printing "E: Failed to fetch".
		if ! source_available "$package" "$v"; then
			echo "source $package=$v is no longer in the archive, trying an older one" >&2
			continue
		fi
		rm -f "${package}"_*
		if apt-get source -q --download-only "$package=$v" >&2; then
			echo "$v"
			return 0
		fi
		echo "source $package=$v missing from the archive, trying an older one" >&2
	done
	echo "no $package source package matching $version_re could be fetched" >&2
	return 1
}
