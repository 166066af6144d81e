#!/usr/bin/env bash
# The one command that runs every test: installs what the tests need, then unit tests (*Test)
# and loopback integration tests (*IT) of every module. Benchmarks are compiled, not run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
status=0
mvn -B -ntp verify "$@" || status=$?
if [ "$status" -ne 0 ]; then
  # the reports of the failed test classes, with their causes, last: where a CI log's tail shows
  for report in */target/surefire-reports/*.txt */target/failsafe-reports/*.txt; do
    [ -f "$report" ] || continue
    if grep -qE '(FAILURE|ERROR)!' "$report"; then
      echo "=== $report"
      grep -vE '^\s+at (org\.junit|org\.apache\.maven|java\.base/jdk\.internal|java\.base/java\.util)' \
        "$report" | head -n 120
    fi
  done
fi
exit "$status"
