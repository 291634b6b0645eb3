#!/usr/bin/env bash
# Build the libFuzzer targets with coverage and sanitizers, and fuzz each one for a while.
#
#   tests/fuzz/run-fuzz.sh [SECONDS [TARGET...]]   (default 60 seconds per target, all targets)
#
# TARGET: pkcs12 asn1 trust env select url_host server_key keys pkcs7 keystore (or fuzz_pkcs12, ...), one after
# the other; e.g. `tests/fuzz/run-fuzz.sh 20 trust env` fuzzes two of them.
#
# Environment: MBEDTLS_PREFIX (default: .deps/mbedtls of this repo, made by
# scripts/build-mbedtls.sh), MXTLS_VECTORS (the shared public vectors),
# MXTLS_FUZZ_BUILD (default: build-fuzz in the repo).
#
# Each target starts from a copy of its seeds: tests/fuzz/make-seeds.sh writes
# those of pkcs12 and asn1, the others are committed in tests/fuzz/seeds/. Exits
# non-zero if any target finds a crash, leak, timeout or out-of-memory; the
# reproducer is left under $MXTLS_FUZZ_BUILD/fuzz-artifacts/. Prints one stats
# line per target, and the fuzzer's report on failure; quiet otherwise.
set -euo pipefail
export LC_ALL=C

all_targets=(pkcs12 asn1 trust env select url_host server_key keys pkcs7 keystore)
usage() {
	echo "usage: $0 [SECONDS [TARGET...]]   (TARGET: ${all_targets[*]})" >&2
	exit 2
}
secs=${1:-60}
case "$secs" in
'' | *[!0-9]*) usage ;;
esac
shift $(($# > 0 ? 1 : 0))
[ $# -gt 0 ] || set -- "${all_targets[@]}"
targets=()
for t in "$@"; do
	t=${t#fuzz_}
	case " ${all_targets[*]} " in
	*" $t "*) targets+=("$t") ;;
	*)
		echo "run-fuzz: unknown target \"$t\"" >&2
		usage
		;;
	esac
done
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${MXTLS_FUZZ_BUILD:-$repo/build-fuzz}
MBEDTLS_PREFIX=${MBEDTLS_PREFIX:-$repo/.deps/mbedtls}
if [ ! -d "$MBEDTLS_PREFIX/include/mbedtls" ]; then
	echo "run-fuzz: no mbedTLS in $MBEDTLS_PREFIX (run scripts/build-mbedtls.sh or set MBEDTLS_PREFIX)" >&2
	exit 2
fi
vectors=${MXTLS_VECTORS:-$repo/../shared/vectors/pkcs12/public}

mkdir -p "$build"
logs=$build/fuzz-logs
rm -rf "$logs"
mkdir -p "$logs"

quiet() { # quiet LOG CMD...: run, show the log only on failure
	local log=$1
	shift
	if ! "$@" >"$log" 2>&1; then
		echo "run-fuzz: failed: $*" >&2
		tail -n 40 "$log" >&2
		exit 1
	fi
}

# The library objects get coverage (fuzzer-no-link) and ASan+UBSan; the
# targets add -fsanitize=fuzzer themselves (tests/fuzz/CMakeLists.txt).
CC=clang quiet "$logs/configure.log" cmake -S "$repo" -B "$build" \
	-DCMAKE_C_COMPILER=clang \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DCMAKE_PREFIX_PATH="$MBEDTLS_PREFIX" \
	-DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link \
	-DMXTLS_SANITIZE=address,undefined \
	-DMXTLS_BUILD_FUZZ=ON -DMXTLS_BUILD_TOOLS=OFF -DMXTLS_BUILD_BENCH=OFF \
	-DMXTLS_BUILD_TESTS=OFF \
	-DMXTLS_VECTORS="$vectors"
# Only the fuzzers asked for (and the static library they link): nothing else is needed here.
quiet "$logs/build.log" cmake --build "$build" -j"$(nproc)" --target "${targets[@]/#/fuzz_}"
case " ${targets[*]} " in
*" pkcs12 "* | *" asn1 "*)
	quiet "$logs/seeds.log" "$here/make-seeds.sh" "$build/tests/fuzz/seeds" "$vectors"
	;;
esac

status=0
for t in "${targets[@]}"; do
	case $t in
	pkcs12 | asn1) seeds=$build/tests/fuzz/seeds/$t ;;
	*) seeds=$here/seeds/$t ;;
	esac
	corpus=$build/fuzz-corpus/$t
	artifacts=$build/fuzz-artifacts/$t
	log=$logs/fuzz_$t.log
	rm -rf "$corpus" "$artifacts"
	mkdir -p "$corpus" "$artifacts"
	cp -R "$seeds"/. "$corpus"/
	rc=0
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
		"$build/tests/fuzz/fuzz_$t" -max_total_time="$secs" -max_len=65536 -timeout=30 \
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" \
		"$corpus" >"$log" 2>&1 || rc=$?
	# The last status line: "#N DONE cov: C ft: F corp: ... exec/s: E rss: R" when it ran out its time.
	stats=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
	found=$(find "$artifacts" -type f | head -n 5)
	if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
		status=1
		echo "fuzz_$t: FAILED (exit $rc) after: ${stats:-no stats}" >&2
		sed -n '/==[0-9]*==\|invariant violated\|runtime error\|Test unit written\|Deadly signal\|ALARM\|out-of-memory\|ERROR: libFuzzer/,$p' "$log" |
			head -n 80 >&2
		[ -n "$found" ] && echo "fuzz_$t: reproducer(s): $found" >&2
		echo "fuzz_$t: full log: $log" >&2
	else
		echo "fuzz_$t: ok: $stats"
	fi
done
exit "$status"
