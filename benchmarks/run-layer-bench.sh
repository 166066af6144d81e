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

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

for mode in "${modes[@]}"; do
  case "$mode" in
  pipeline)
    # (c) slimbuild vs native, same tree, same run
    echo "== slimbuild layer pipeline (zstd -3, 1 worker), $REPS reps"
    out=$(java -Xmx512m -cp "$JAR" dev.slimbuild.bench.LayerPipelineMain "$TREE" --reps "$REPS" \
      --compression zstd --level 3 --workers 1)
    echo "$out"
    slim=$(sed -n 's/.*median_mbps=\([0-9.]*\).*/\1/p' <<<"$out")

    echo "== native: tar -cf - . | zstd -3 -T1 | sha256sum, $REPS reps"
    native_bytes=$(tar -C "$TREE" -cf - . | wc -c)
    rates=()
    for ((i = 1; i <= REPS; i++)); do
      t0=$(date +%s%N)
      tar -C "$TREE" -cf - . | zstd -q -3 -T1 | sha256sum >/dev/null
      t1=$(date +%s%N)
      rate=$(awk -v b="$native_bytes" -v ns=$((t1 - t0)) 'BEGIN {printf "%.1f", b / 1e6 / (ns / 1e9)}')
      echo "rep $i: $rate MB/s ($native_bytes tar bytes)"
      rates+=("$rate")
    done
    native=$(printf '%s\n' "${rates[@]}" | median)
    ratio=$(awk -v s="$slim" -v n="$native" 'BEGIN {printf "%.2f", s / n}')
    echo "RESULT tree=$TREE slimbuild_mbps=$slim native_mbps=$native ratio=$ratio (goal >= 1.0)"
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
