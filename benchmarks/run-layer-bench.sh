#!/usr/bin/env bash
# Layer pipeline benchmark: slimbuild (tar -> SHA-256 -> zstd -> SHA-256, one JVM pass) against
# `tar -cf - . | zstd -3 -T1 | sha256sum` on the same generated tree, same run, medians.
#
#   benchmarks/run-layer-bench.sh [pipeline|memory|jmh|all]     (default: pipeline memory)
#
# Environment: SIZE_MIB (tree size, default 384), REPS (default 5), SKIP_BUILD=1 (reuse the jar),
# MEMORY_MIB (synthetic layer size for the -Xmx256m check, default 1024), JMH_ARGS (extra JMH args).
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE_MIB=${SIZE_MIB:-384}
REPS=${REPS:-5}
MEMORY_MIB=${MEMORY_MIB:-1024}
TREE=${TREE:-benchmarks/target/bench-tree-${SIZE_MIB}m}
JAR=benchmarks/target/benchmarks.jar
modes=("$@")
((${#modes[@]})) || modes=(pipeline memory)
[[ " ${modes[*]} " == *" all "* ]] && modes=(pipeline memory jmh)

for tool in tar zstd sha256sum java mvn; do
  command -v "$tool" >/dev/null || { echo "run-layer-bench: missing $tool" >&2; exit 1; }
done

# (a) build
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  echo "== building"
  mvn -q -B -DskipTests package
fi

# (b) the tree, generated once and reused
java -cp "$JAR" dev.slimbuild.bench.TreeGenerator "$TREE" "$SIZE_MIB"

for mode in "${modes[@]}"; do
  case "$mode" in
  pipeline)
    # (c) slimbuild vs native on the same tree in the same run: the JVM runs the native pipeline
    # between its own repetitions (after one warm-up), so both see the same machine load.
    native_bytes=$(tar -C "$TREE" -cf - . | wc -c)
    native="tar -C '$TREE' -cf - . | zstd -q -3 -T1 | sha256sum"
    echo "== slimbuild (zstd -3, 1 worker) interleaved with native: $native, $REPS reps"
    out=$(java -Xmx512m -cp "$JAR" dev.slimbuild.bench.LayerPipelineMain "$TREE" --reps "$REPS" \
      --compression zstd --level 3 --workers 1 --native "$native" --native-bytes "$native_bytes")
    echo "$out"
    slim=$(sed -n 's/.*median_mbps=\([0-9.]*\) .*/\1/p' <<<"$out" | head -1)
    nat=$(sed -n 's/^native_median_mbps=\([0-9.]*\).*/\1/p' <<<"$out")
    ratio=$(sed -n 's/.*ratio=\([0-9.]*\).*/\1/p' <<<"$out")
    echo "RESULT tree=$TREE slimbuild_mbps=$slim native_mbps=$nat ratio=$ratio (goal >= 1.0)"
    ;;
  memory)
    # a layer far bigger than the heap goes through LayerWriter in -Xmx256m
    echo "== memory: ${MEMORY_MIB} MiB synthetic layer under -Xmx256m"
    java -Xmx256m -cp "$JAR" dev.slimbuild.bench.LayerPipelineMain --synthetic-mib "$MEMORY_MIB" \
      --reps 1 --compression zstd --level 1 --workers 1
    echo "RESULT memory: ${MEMORY_MIB} MiB layer written with -Xmx256m: ok"
    ;;
  jmh)
    # (d) the JMH suite; the tarBytes counter is in bytes/s of tar stream
    echo "== JMH"
    java -Dslimbuild.bench.mib="$SIZE_MIB" -Dslimbuild.bench.tree="$TREE" -jar "$JAR" \
      LayerBench ${JMH_ARGS:-}
    ;;
  *)
    echo "unknown mode $mode (pipeline|memory|jmh|all)" >&2
    exit 2
    ;;
  esac
done
