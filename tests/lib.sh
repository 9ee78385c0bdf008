# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck shell=bash
#
# tests/lib.sh - the harness every shell test runner sources (tests/e2e/*,
# tests/pkg/run, tests/layers/run).
#
# A runner defines its tests as functions test_NAME, optionally lists their
# order in ALL_TESTS (default: every test_ function, by name), then:
#
#	tests_select "$@"	# the tests named on the command line, or all
#	...set up (a lab, captures)...
#	tests_run		# each in a subshell with set -e; the summary
#
# or just `run_tests "$@"` when there is nothing to set up. Each test runs
# in a subshell with `set -eE`: a command that fails unexpectedly ends it and
# says which line; a check (expect_*) that fails prints what it expected,
# what came and where, and the test goes on. The last line is
# "N passed, N failed", counting tests; tests_run returns non-zero when one
# failed. Runners that are one list of checks rather than tests (tests/pkg)
# use the checks alone and end with checks_summary, which counts checks.
#
# TEST_OUT: a directory for the runner's logs; created when unset, removed
# by the caller. Hooks, when the runner defines them: `before_each NAME`
# runs before each test, `after_each NAME FAILED` (FAILED 0 or 1) after it,
# before its PASS or FAIL line.

PASSED=0 FAILED=0 FAILED_NAMES=() TESTS=() ALL_TESTS=()
CHECKS_PASSED=0 CHECKS_FAILED=0
TEST_OUT=${TEST_OUT:-$(mktemp -d /tmp/khaxdp-test.XXXXXX)}
mkdir -p "$TEST_OUT"

# --- checks --------------------------------------------------------------------

# fail WHAT EXPECTED GOT: report one failed check (the test goes on).
fail() {
	printf '    FAIL %s\n      expected: %s\n      got:      %s\n' "$1" "$2" "$3"
	CHECKS_FAILED=$((CHECKS_FAILED + 1))
	echo 1 >"$TEST_OUT/.test_failed"
}
ok() { printf '    ok   %s\n' "$1"; CHECKS_PASSED=$((CHECKS_PASSED + 1)); }

# expect_eq WHAT EXPECTED GOT
expect_eq() { if [[ $2 == "$3" ]]; then ok "$1"; else fail "$1" "$2" "$3"; fi; }

# _num_cmp GOT OP BOUND: numbers, decimals allowed; false when GOT is not one.
_num_cmp() {
	[[ $1 =~ ^-?[0-9]+(\.[0-9]+)?$ ]] &&
		awk -v g="$1" -v b="$3" "BEGIN { exit !(g $2 b) }"
}

# expect_le WHAT GOT MAX [UNIT]: a number at most MAX.
expect_le() {
	if _num_cmp "$2" '<=' "$3"; then ok "$1: $2${4:+ $4} (bound $3${4:+ $4})"; else
		fail "$1" "at most $3${4:+ $4}" "${2:-nothing}${4:+ $4}"; fi
}

# expect_ge WHAT GOT MIN [UNIT]: a number at least MIN.
expect_ge() {
	if _num_cmp "$2" '>=' "$3"; then ok "$1: $2${4:+ $4} (at least $3${4:+ $4})"; else
		fail "$1" "at least $3${4:+ $4}" "${2:-nothing}${4:+ $4}"; fi
}

# expect_range WHAT LO HI GOT
expect_range() {
	if _num_cmp "$4" '>=' "$2" && _num_cmp "$4" '<=' "$3"; then
		ok "$1 ($4)"
	else
		fail "$1" "$2..$3" "$4"
	fi
}

# --- running tests ------------------------------------------------------------

# run_test NAME: test_NAME in a subshell; PASS or FAIL NAME.
run_test() {
	local name=$1 rc=0
	rm -f "$TEST_OUT/.test_failed"
	echo "--- $name"
	if declare -F before_each >/dev/null; then before_each "$name"; fi
	set +e
	(
		set -eE
		TEST_PID=$BASHPID
		# Only the test's own shell reports, not its background jobs.
		# shellcheck disable=SC2154 # rc_ is set in the trap itself
		trap 'rc_=$?; if [[ $BASHPID == "$TEST_PID" ]]; then
			echo "    FAIL test_$name stopped: \"$BASH_COMMAND\" returned $rc_ at line $LINENO"
			echo 1 >"$TEST_OUT/.test_failed"; fi' ERR
		"test_$name"
	)
	rc=$?
	set -e
	local failed=0
	[[ $rc == 0 && ! -f $TEST_OUT/.test_failed ]] || failed=1
	if declare -F after_each >/dev/null; then after_each "$name" "$failed"; fi
	if ((failed)); then
		echo "FAIL $name"
		FAILED=$((FAILED + 1)); FAILED_NAMES+=("$name")
	else
		echo "PASS $name"
		PASSED=$((PASSED + 1))
	fi
}

# tests_select [NAME...]: the tests to run, in ALL_TESTS order unless named;
# an unknown name is a usage error (exit 2).
tests_select() {
	local t
	if [[ ${#ALL_TESTS[@]} == 0 ]]; then
		mapfile -t ALL_TESTS < <(declare -F | awk '$3 ~ /^test_/ { sub(/^test_/, "", $3); print $3 }')
	fi
	TESTS=("$@")
	[[ ${#TESTS[@]} -gt 0 ]] || TESTS=("${ALL_TESTS[@]}")
	for t in "${TESTS[@]}"; do
		declare -F "test_$t" >/dev/null ||
			{ echo "$0: no test '$t' (tests: ${ALL_TESTS[*]})" >&2; exit 2; }
	done
}

# tests_run: run the selected tests, print the summary line.
tests_run() {
	local t
	for t in "${TESTS[@]}"; do run_test "$t"; done
	((FAILED == 0)) || echo "failed: ${FAILED_NAMES[*]}"
	echo "$PASSED passed, $FAILED failed"
	((FAILED == 0))
}

run_tests() { tests_select "$@"; tests_run; }

# checks_summary: for a runner of checks without tests.
checks_summary() {
	echo "$CHECKS_PASSED passed, $CHECKS_FAILED failed"
	((CHECKS_FAILED == 0))
}
