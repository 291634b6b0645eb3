#!/usr/bin/env bash
# Build libmxtls and run its tests (the README's test command).
#   scripts/test.sh               release build in build/, all tests
#   scripts/test.sh --sanitize    ASan+UBSan build in build-asan/, all tests
#   scripts/test.sh --valgrind    build-valgrind/, every test program under valgrind memcheck
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
"") ;;
*)
	echo "usage: scripts/test.sh [--sanitize | --valgrind]" >&2
	exit 2
	;;
esac

cmake -S . -B "$build" "${cmake_args[@]}" >/dev/null
cmake --build "$build" -j"$(nproc)"
cd "$build"
ctest --output-on-failure -j"$(nproc)"
