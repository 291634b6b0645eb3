#!/usr/bin/env bash
# Build libmxtls and run its tests (the README's test command).
#   scripts/test.sh               release build in build/, all tests
#   scripts/test.sh --sanitize    ASan+UBSan build in build-asan/, all tests
#   scripts/test.sh --valgrind    build-valgrind/, every test program under valgrind memcheck
#   scripts/test.sh --tsan        ThreadSanitizer build in build-tsan/, a focused set: threads
#                                 sharing one context against a real peer, rotation under load,
#                                 and the API tests
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
mode=${1:-}

prefix=$(scripts/setup.sh)
cmake_args=(-DCMAKE_PREFIX_PATH="$prefix" -DMXTLS_WERROR=ON)
build=build
case "$mode" in
--sanitize)
	build=build-asan
	cmake_args+=(-DCMAKE_C_COMPILER=clang -DMXTLS_SANITIZE=address,undefined -DCMAKE_BUILD_TYPE=Debug)
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	;;
--valgrind)
	build=build-valgrind
	cmake_args+=("-DMXTLS_TEST_WRAPPER=valgrind;-q;--error-exitcode=99;--leak-check=full;--errors-for-leak-kinds=definite,indirect;--track-origins=yes")
	;;
--tsan)
	# mbedTLS and libcurl are not instrumented: TSan sees our code, their
	# pthread mutexes and the libc calls they make. tests/tsan.supp says why
	# each suppression is there; none may cover lib/ or tests/.
	build=build-tsan
	cmake_args+=(-DCMAKE_C_COMPILER=clang -DMXTLS_SANITIZE=thread -DCMAKE_BUILD_TYPE=Debug)
	export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 history_size=4 suppressions=$here/tests/tsan.supp"
	;;
"") ;;
*)
	echo "usage: scripts/test.sh [--sanitize | --valgrind | --tsan]" >&2
	exit 2
	;;
esac

# shellcheck source=scripts/steps.sh
. "$here/scripts/steps.sh"
step "test: configure $build/" "cmake-$build" cmake -S . -B "$build" "${cmake_args[@]}"
step "test: build $build/" "build-$build" cmake --build "$build" -j"$(nproc)"
cd "$build"
if [ "$mode" = --tsan ]; then
	ctest --output-on-failure -R '^(api|public_vectors)$'
	# 8 threads, each with its own easy handle, on one context, and 4 threads
	# each making a new handle per request (sessions and connections shared
	# per thread), with Debian's libcurl (blob hand-off), its GnuTLS flavour
	# (file hand-off) and with libcurl on the same mbedTLS.
	# The reports go to files: the test prints only the end of a failing probe's stderr.
	curl_mbedtls=$(sed -n 's/^MXTLS_CURL_MBEDTLS_LIBDIR:PATH=//p' CMakeCache.txt)
	[ -e "$curl_mbedtls/libcurl.so.4" ] || { echo "no libcurl on mbedTLS in $curl_mbedtls" >&2; exit 1; }
	gnutls=()
	[ ! -x tests/tls_probe_gnutls ] || gnutls=(--probe-gnutls tests/tls_probe_gnutls --mxtls-gnutls tests/mxtls_cli_gnutls
		--handle-probe-gnutls tests/handle_probe_gnutls)
	rm -rf tsan-reports
	rc=0
	TSAN_OPTIONS="$TSAN_OPTIONS log_path=$PWD/tsan-reports/tsan" python3 "$here/tests/tls/test_peers.py" \
		--only threads --probe tests/tls_probe --mxtls ./mxtls --handle-probe tests/handle_probe "${gnutls[@]}" \
		--curl-mbedtls "$curl_mbedtls" || rc=$?
	# Rotation under load: requests in 4 threads while the runtime swaps contexts.
	TSAN_OPTIONS="$TSAN_OPTIONS log_path=$PWD/tsan-reports/tsan" python3 "$here/tests/tls/test_rotation.py" \
		--rotations 4 --load tests/rotation_load --curl-mbedtls "$curl_mbedtls" || rc=$?
	if compgen -G "tsan-reports/tsan*" >/dev/null; then
		cat tsan-reports/tsan* >&2
		echo "ThreadSanitizer reports above (also in $build/tsan-reports/)" >&2
		rc=1
	fi
	exit $rc
fi
ctest --output-on-failure -j"$(nproc)"
