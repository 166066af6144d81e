#!/usr/bin/env bash
# Push benchmark: a two-platform build FROM a registry base image plus `COPY . /app/`, pushed to a
# local registry, cold (fresh storage every time), slimbuild against buildah at its fastest here
# (overlay storage, chroot isolation, --layers), same context, same run, interleaved.
#
#   benchmarks/run-push-bench.sh [both|slimbuild|buildah]      (default: both)
#   BEFORE_JAR=old/slimbuild.jar benchmarks/run-push-bench.sh before
#                        this build's jar against another's (e.g. an older commit's), both through
#                        the development launcher, interleaved, with the ratio this/before
#
# Environment: SIZE_MIB (context size, default 50), REPS (default 3; medians), SKIP_BUILD=1 (reuse
# the jars), SLIMBUILD_ARGS (extra `slimbuild build` arguments), KEEP=1 (keep the work directory).
# Needs root for apt-get (docker-registry, skopeo, buildah are installed when missing) and for
# buildah's overlay storage. Prints wall times and the ratio slimbuild/buildah (goal: <= 0.5).
set -euo pipefail
cd "$(dirname "$0")/.."
repo_root=$PWD

mode=${1:-both}
case "$mode" in both | slimbuild | buildah | before) ;; *) echo "usage: $0 [both|slimbuild|buildah|before]" >&2; exit 2 ;; esac
if [[ "$mode" == before && ! -f "${BEFORE_JAR:-}" ]]; then
  echo "run-push-bench: mode before needs BEFORE_JAR (a slimbuild.jar)" >&2
  exit 2
fi
SIZE_MIB=${SIZE_MIB:-50}
REPS=${REPS:-3}
PLATFORMS=linux/amd64,linux/arm64
JAR=benchmarks/target/benchmarks.jar
SLIMBUILD=$repo_root/builder-cli/target/slimbuild

source benchmarks/bench-lib.sh

# (a) tools: Debian packages, installed once
bench_need docker-registry=docker-registry skopeo=skopeo buildah=buildah curl=curl
for tool in java mvn python3; do
  command -v "$tool" >/dev/null || { echo "run-push-bench: missing $tool" >&2; exit 1; }
done

# (b) build
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  echo "== building"
  mvn -q -B -DskipTests package
fi

bench_workdir push-bench
work=$BENCH_WORK

# (c) a registry on a free loopback port
bench_start_registry "$work" push-bench
host=$BENCH_REGISTRY_HOST

# (d) the base image: slimbuild's busybox fixture (linux/amd64 + linux/arm64), copied in with skopeo
base=$host/base/busybox:1
bench_push_busybox "$JAR" "$work" "$base"

# (e) the context: seeded random and text files; the Dockerfile sits outside it
context=benchmarks/target/push-bench-context-${SIZE_MIB}m
java -cp "$JAR" dev.slimbuild.bench.TreeGenerator "$context" "$SIZE_MIB" >/dev/null
printf 'FROM %s\nCOPY . /app/\n' "$base" >"$work/Dockerfile"
echo "== context $context ($(du -sm "$context" | cut -f1) MiB, $(find "$context" -type f | wc -l) files)"


check_pushed() { # REF: the pushed index lists both platforms
  local raw
  raw=$(skopeo inspect --raw --tls-verify=false "docker://$1")
  for arch in amd64 arm64; do
    grep -q "\"architecture\": *\"$arch\"" <<<"$raw" || { echo "$1: no $arch in $raw" >&2; return 1; }
  done
}

# slimbuild's launcher keeps a class-data-sharing archive of its own classes (recorded by its first
# build, like an installed binary's pages); record it once, untimed, outside the cold per-rep dirs
export SLIMBUILD_CDS_DIR=$work/cds

run_slimbuild() { # REP -> prints milliseconds
  local d=$work/slim-$1 ref=$host/bench-slimbuild-$1:1 t0 t1
  mkdir -p "$d/home" "$d/store"
  t0=$(bench_now_ms)
  HOME=$d/home XDG_DATA_HOME=$d/home/data XDG_CACHE_HOME=$d/home/cache SLIMBUILD_STORE=$d/store \
    "$SLIMBUILD" build --progress quiet --platform "$PLATFORMS" -t "$ref" --push \
    --insecure-registry "$host" -f "$work/Dockerfile" ${SLIMBUILD_ARGS:-} "$context" \
    >"$d/log" 2>&1 || { cat "$d/log" >&2; return 1; }
  t1=$(bench_now_ms)
  check_pushed "$ref" || return 1 # inside $(...) set -e does not stop the function
  rm -rf "$d"
  echo $((t1 - t0))
}

run_buildah() { # REP -> prints milliseconds (build + manifest push)
  local d=$work/buildah-$1 ref=$host/bench-buildah-$1:1 t0 t1
  local b=(buildah --root "$d/root" --runroot "$d/runroot" --storage-driver overlay)
  mkdir -p "$d"
  t0=$(bench_now_ms)
  BUILDAH_ISOLATION=chroot "${b[@]}" bud --isolation chroot --layers --tls-verify=false \
    --platform "$PLATFORMS" --manifest bench -f "$work/Dockerfile" "$context" >"$d/log" 2>&1 \
    || { cat "$d/log" >&2; return 1; }
  "${b[@]}" manifest push --all --tls-verify=false bench "docker://$ref" >>"$d/log" 2>&1 \
    || { cat "$d/log" >&2; return 1; }
  t1=$(bench_now_ms)
  check_pushed "$ref" || return 1 # inside $(...) set -e does not stop the function
  "${b[@]}" rmi -a -f >/dev/null 2>&1 || true
  rm -rf "$d" 2>/dev/null || true
  echo $((t1 - t0))
}

if [[ "$mode" == before ]]; then
  mkdir -p "$work/before-jar"
  cp "$BEFORE_JAR" "$work/before-jar/slimbuild.jar"
  cp "$SLIMBUILD" "$work/before-jar/slimbuild"
  run_buildah() { SLIMBUILD=$work/before-jar/slimbuild run_slimbuild "before-$1"; }
  first=$(run_slimbuild 0)
  before_first=$(run_buildah 0)
  echo "== first runs (record the class-data archives; untimed): $first ms, $before_first ms"
  bench_compare both "$REPS" "push benchmark: ${SIZE_MIB} MiB context, $PLATFORMS, cold" \
    "slimbuild build --push (this jar)" "slimbuild build --push (BEFORE_JAR)" "this/before"
  exit 0
fi
if [[ "$mode" != buildah ]]; then
  first=$(run_slimbuild 0)
  echo "== slimbuild first run (records its class-data archive; untimed): $first ms"
fi
bench_compare "$mode" "$REPS" "push benchmark: ${SIZE_MIB} MiB context, $PLATFORMS, cold" \
  "slimbuild build --push" "buildah bud + manifest push --all"
