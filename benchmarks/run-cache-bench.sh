#!/usr/bin/env bash
# Cache benchmark: rebuilds, slimbuild against buildah at its fastest here (overlay storage, chroot
# isolation, `bud --layers`), same Dockerfiles, same bases from the same loopback registry, same
# run, interleaved. Every build ends with a push, as in CI.
#
#   benchmarks/run-cache-bench.sh                    (both workloads)
#   WORKLOADS=apt benchmarks/run-cache-bench.sh
#
# Workloads:
#   apt  Debian 12 + `apt-get install curl` + COPY of a small app + RUN over it
#   go   the multi-stage Go pattern: a Debian stage with Debian's Go toolchain (apt), COPY of the
#        module, `go build`; the binary copied onto busybox
#
# For each workload, after one cold build of each tool (untimed, it fills the caches):
#   local     unchanged rebuild on the tool's own storage
#   registry  (slimbuild only) unchanged rebuild on an empty store from the registry cache that
#             the cold build exported (--cache-to mode=max); layer bytes downloaded and uploaded
#   changed   one source file of the last COPY changed, rebuilt on the tool's storage; also
#             against the tool's own cold build
# Environment: REPS (default 3; medians), SKIP_BUILD=1 (reuse the jars), KEEP=1, SLIMBUILD (the
# launcher to time, e.g. a release tarball's bin/slimbuild; default builder-cli/target/slimbuild).
# Needs root (apt-get, debootstrap, buildah's overlay storage).
set -euo pipefail
cd "$(dirname "$0")/.."
repo_root=$PWD

REPS=${REPS:-3}
WORKLOADS=${WORKLOADS:-apt go}
SLIMBUILD=${SLIMBUILD:-$repo_root/builder-cli/target/slimbuild}
JAR=$repo_root/benchmarks/target/benchmarks.jar
CACHE=${SLIMBUILD_TEST_CACHE:-$HOME/.cache/slimbuild-test}/bench-debian

source benchmarks/bench-lib.sh
bench_need docker-registry=docker-registry buildah=buildah curl=curl debootstrap=debootstrap \
  bwrap=bubblewrap skopeo=skopeo
for tool in java mvn python3 tar; do
  command -v "$tool" >/dev/null || { echo "run-cache-bench: missing $tool" >&2; exit 1; }
done

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  echo "== building"
  mvn -q -B -DskipTests -pl builder-cli,benchmarks -am package
fi

bench_workdir cache-bench
work=$BENCH_WORK
bench_start_registry "$work" cache-bench
host=$BENCH_REGISTRY_HOST
export SLIMBUILD_CDS_DIR=$work/cds
debian=$host/bench/debian:12
busybox=$host/bench/busybox:1
bench_push_debian "$SLIMBUILD" "$CACHE" "$work" "$debian"
bench_push_busybox "$JAR" "$work" "$busybox"

make_context() { # WORKLOAD DIR
  local w=$1 ctx=$2
  mkdir -p "$ctx/app"
  case "$w" in
    apt)
      cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $debian
RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates
COPY app/ /app/
RUN cat /app/*.txt > /app/all && curl --version > /app/curl-version
DOCKERFILE
      for i in 1 2 3 4 5; do echo "file $i" >"$ctx/app/f$i.txt"; done
      changed=app/f5.txt
      ;;
    go)
      cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $debian AS build
RUN apt-get update && apt-get install -y --no-install-recommends golang-go
WORKDIR /src
COPY app/go.mod ./
COPY app/ ./
RUN CGO_ENABLED=0 GOCACHE=/tmp/gocache go build -o /out/hello .
FROM $busybox
COPY --from=build /out/hello /usr/local/bin/hello
CMD ["hello"]
DOCKERFILE
      printf 'module example.com/hello\n\ngo 1.19\n' >"$ctx/app/go.mod"
      printf 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println(greeting) }\n' >"$ctx/app/main.go"
      printf 'package main\n\nconst greeting = "hello 1"\n' >"$ctx/app/greeting.go"
      changed=app/greeting.go
      ;;
  esac
  echo "$changed"
}

slim() { # NAME STORE-DIR ARGS... -> prints milliseconds; log in STORE-DIR/log
  local name=$1 d=$2 t0 t1
  shift 2
  mkdir -p "$d/home" "$d/tmp"
  t0=$(bench_now_ms)
  HOME=$d/home XDG_DATA_HOME=$d/home/data XDG_CACHE_HOME=$d/home/cache SLIMBUILD_STORE=$d/store \
    TMPDIR=$d/tmp "$SLIMBUILD" build --progress plain --insecure-registry "$host" "$@" \
    >"$d/log.$name" 2>&1 || { cat "$d/log.$name" >&2; return 1; }
  t1=$(bench_now_ms)
  echo $((t1 - t0))
}

bah() { # NAME ROOT-DIR CONTEXT TAG -> prints milliseconds (bud --layers, then push)
  local name=$1 d=$2 ctx=$3 tag=$4 t0 t1
  local b=(buildah --root "$d/root" --runroot "$d/runroot" --storage-driver overlay)
  mkdir -p "$d"
  t0=$(bench_now_ms)
  {
    BUILDAH_ISOLATION=chroot "${b[@]}" bud --isolation chroot --layers --tls-verify=false \
      -t "$tag" "$ctx" && "${b[@]}" push --tls-verify=false "$tag" "docker://$tag"
  } >"$d/log.$name" 2>&1 || { cat "$d/log.$name" >&2; return 1; }
  t1=$(bench_now_ms)
  echo $((t1 - t0))
}

# layer bytes a slimbuild store holds (blobs that are not JSON documents)
layer_bytes() {
  local blobs=$1/store/blobs/sha256 total=0 f
  [[ -d "$blobs" ]] || { echo 0; return; }
  for f in "$blobs"/*; do
    [[ -f "$f" ]] || continue
    [[ "$(head -c1 "$f")" == "{" ]] && continue
    total=$((total + $(stat -c %s "$f")))
  done
  echo "$total"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

summary=()
for w in $WORKLOADS; do
  ctx=$work/ctx-$w
  changed=$(make_context "$w" "$ctx")
  cache_ref=$host/bench/$w-cache:1
  echo "== $w: Dockerfile"; sed 's/^/   /' "$ctx/Dockerfile"
  s_cold=$(slim cold "$work/slim-$w" -t "$host/bench/$w:slim" --push \
    --cache-to "type=registry,ref=$cache_ref,mode=max" "$ctx")
  b_cold=$(bah cold "$work/bah-$w" "$ctx" "$host/bench/$w:buildah")
  echo "cold: slimbuild ${s_cold} ms, buildah ${b_cold} ms"
  s_local=() b_local=() s_reg=() s_changed=() b_changed=()
  down=0 up=0
  for ((rep = 1; rep <= REPS; rep++)); do
    s_local+=("$(slim local-$rep "$work/slim-$w" -t "$host/bench/$w:slim" --push "$ctx")")
    b_local+=("$(bah local-$rep "$work/bah-$w" "$ctx" "$host/bench/$w:buildah")")
    rm -rf "$work/slim-$w-empty"
    s_reg+=("$(slim registry-$rep "$work/slim-$w-empty" -t "$host/bench/$w:slim-2" --push \
      --cache-from "type=registry,ref=$cache_ref" "$ctx")")
    down=$(layer_bytes "$work/slim-$w-empty")
    up=$(grep -c ': uploaded' "$work/slim-$w-empty/log.registry-$rep" || true)
    # one changed source file in the last COPY, then back (each rep changes it to a new text)
    cp "$ctx/$changed" "$work/orig"
    echo "// rep $rep" >>"$ctx/$changed"
    s_changed+=("$(slim changed-$rep "$work/slim-$w" -t "$host/bench/$w:slim" --push "$ctx")")
    b_changed+=("$(bah changed-$rep "$work/bah-$w" "$ctx" "$host/bench/$w:buildah")")
    s_up=$(grep -c ': uploaded' "$work/slim-$w/log.changed-$rep" || true)
    cp "$work/orig" "$ctx/$changed"
    echo "rep $rep: local ${s_local[-1]}/${b_local[-1]} ms, registry ${s_reg[-1]} ms" \
      "(${down} layer bytes downloaded, ${up} blobs uploaded), changed" \
      "${s_changed[-1]}/${b_changed[-1]} ms (${s_up} blobs uploaded)"
  done
  sl=$(bench_median "${s_local[@]}") bl=$(bench_median "${b_local[@]}")
  sr=$(bench_median "${s_reg[@]}") sc=$(bench_median "${s_changed[@]}")
  bc=$(bench_median "${b_changed[@]}")
  summary+=("$w | unchanged, local cache | ${sl} ms | ${bl} ms | $(ratio "$sl" "$bl") (goal <= 1.0)")
  summary+=("$w | unchanged, empty store + registry cache | ${sr} ms | ${bl} ms | $(ratio "$sr" "$bl") (goal <= 2.0); ${down} layer bytes down, ${up} blobs up")
  summary+=("$w | one file changed in the last COPY | ${sc} ms | ${bc} ms | $(ratio "$sc" "$bc"); $(ratio "$sc" "$s_cold") of slimbuild's cold ${s_cold} ms (goal <= 0.2)")
done

echo "== cache benchmark, $REPS reps, medians (build + push; buildah: bud --layers + push)"
echo "workload | rebuild | slimbuild | buildah | ratio"
printf '%s\n' "${summary[@]}"
