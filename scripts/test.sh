#!/usr/bin/env bash
# The one command that runs every test: installs what the tests need, then unit tests (*Test)
# and loopback integration tests (*IT) of every module. Benchmarks are compiled, not run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
exec mvn -B -ntp verify "$@"
