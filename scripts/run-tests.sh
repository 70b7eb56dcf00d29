#!/usr/bin/env bash
# Runs the built tests (`swift test --skip-build`). Swift Testing prints each failed expectation where it
# happens, which in a long parallel run is far above the end of the log; on failure the failed expectations and
# errors are printed again at the end, so the tail of the log says what failed and why.
set -uo pipefail
swift="${SWIFT:-swift}"
log="$(mktemp "${TMPDIR:-/tmp}/secretwatch-tests.XXXXXX")"
trap 'rm -f "$log"' EXIT
"$swift" test --skip-build "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then
    echo
    echo "=== failed expectations and errors (repeated from above) ==="
    grep -E -A2 "recorded an issue|Fatal error|exited with unexpected signal" "$log" | head -80
    echo "=== swift test exited with $status ==="
fi
exit "$status"
