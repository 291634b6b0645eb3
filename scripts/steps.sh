# shellcheck shell=bash
# Shared by setup.sh, test.sh and demo.sh (sourced, not run): one line per
# step on stderr, what it did and how long it took, and its output in a log
# under out/logs/. The log's end is shown only when the step fails.
# MXTLS_VERBOSE=1 shows every step's output as it comes instead.

MXTLS_LOG_DIR=${MXTLS_LOG_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/out/logs}

# step LABEL NAME CMD...: run CMD, its stdout and stderr going to NAME.log.
step() {
	local label=$1 name=$2 start=$SECONDS rc=0 log
	shift 2
	log=$MXTLS_LOG_DIR/$name.log
	mkdir -p "$MXTLS_LOG_DIR"
	if [ "${MXTLS_VERBOSE:-0}" = 1 ]; then
		echo "== $label" >&2
		"$@" >&2 || rc=$?
		[ $rc -eq 0 ] || echo "$label: failed ($rc)" >&2
		return $rc
	fi
	printf '%s ... ' "$label" >&2
	"$@" >"$log" 2>&1 </dev/null || rc=$?
	if [ $rc -ne 0 ]; then
		echo "failed after $((SECONDS - start)) s; the end of $log:" >&2
		tail -n 40 "$log" | sed 's/^/  | /' >&2
		return $rc
	fi
	echo "ok ($((SECONDS - start)) s, log: $log)" >&2
}
