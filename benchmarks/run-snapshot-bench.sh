#!/usr/bin/env bash
# RUN snapshot benchmark: materialise a generated distro-like rootfs (~20k files, ~300 MiB), touch
# one file, and time Snapshot.diff next to `tar -cf - -C DIR . | wc -c` on the same directory in the
# same run (page cache warm for both). Goal: diff under 0.3 s.
#
#   benchmarks/run-snapshot-bench.sh
#
# Environment: FILES (default 20000), SIZE_MIB (default 300), REPS (default 7), SKIP_BUILD=1 (reuse
# the jar), DIR (default benchmarks/target/snapshot-bench).
set -euo pipefail
cd "$(dirname "$0")/.."

FILES=${FILES:-20000}
SIZE_MIB=${SIZE_MIB:-300}
REPS=${REPS:-7}
DIR=${DIR:-benchmarks/target/snapshot-bench}
JAR=benchmarks/target/benchmarks.jar

for tool in tar wc java mvn; do
  command -v "$tool" >/dev/null || { echo "run-snapshot-bench: missing $tool" >&2; exit 1; }
done

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  echo "== building"
  mvn -q -B -DskipTests -pl benchmarks -am package
fi

java -Xmx512m -cp "$JAR" dev.slimbuild.bench.SnapshotBenchMain "$DIR" \
  --files "$FILES" --mib "$SIZE_MIB" --reps "$REPS"
