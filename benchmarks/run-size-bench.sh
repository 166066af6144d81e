#!/usr/bin/env bash
# Image-size benchmark: builds each reference Dockerfile in benchmarks/reference/ with slimbuild
# (default optimisations, and --no-optimize), and with buildah, and prints the compressed image
# sizes and their ratios.
#
#   benchmarks/run-size-bench.sh                 # every reference it can build
#   REGISTRY=127.0.0.1:5000/library benchmarks/run-size-bench.sh
#
# copy-only/ needs nothing (its context is generated here, seeded). The others use RUN and pull
# their bases from $REGISTRY (given to the Dockerfiles as --build-arg REGISTRY); without REGISTRY
# they are skipped, and a slimbuild without RUN reports them as failed.
#
# Environment: REGISTRY, SKIP_BUILD=1 (reuse builder-cli/target/slimbuild.jar), NO_BUILDAH=1,
# DIR (default benchmarks/target/size-bench), ONLY (a space-separated list of references).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DIR=${DIR:-$ROOT/benchmarks/target/size-bench}
JAR=$ROOT/builder-cli/target/slimbuild.jar
REFS=${ONLY:-copy-only go-static python-pip node debian-apt}

for tool in java jq openssl; do
  command -v "$tool" >/dev/null || { echo "run-size-bench: missing $tool" >&2; exit 1; }
done
if [[ "${SKIP_BUILD:-0}" != 1 || ! -f "$JAR" ]]; then
  echo "== building slimbuild" >&2
  mvn -q -B -DskipTests -pl builder-cli -am package || exit 1
fi
BUILDAH=1
if [[ "${NO_BUILDAH:-0}" == 1 ]] || ! command -v buildah >/dev/null; then
  BUILDAH=0
fi

rm -rf "$DIR"
mkdir -p "$DIR"

# Deterministic pseudo-random bytes: AES-CTR of zeros under a key derived from SEED.
rand() { # SEED BYTES FILE
  openssl enc -aes-128-ctr -nosalt -pass "pass:$1" -pbkdf2 </dev/zero 2>/dev/null | head -c "$2" >"$3"
}
# Compressible text, like documentation or scripts.
text() { # SEED LINES FILE
  for ((i = 0; i < $2; i++)); do echo "$1 line $i: the quick brown fox jumps over the lazy dog"; done >"$3"
}

gen_copy_only() { # the context of copy-only/
  local c=$1
  cp "$ROOT/benchmarks/reference/copy-only/Dockerfile" "$c/"
  mkdir -p "$c/base/usr/lib" "$c/base/usr/share/doc" "$c/base/usr/bin" "$c/app"
  for i in $(seq 1 40); do rand "base-lib-$i" 100000 "$c/base/usr/lib/lib$i.so"; done
  for i in $(seq 1 30); do text "doc-$i" 400 "$c/base/usr/share/doc/doc$i.txt"; done
  rand base-sh 50000 "$c/base/usr/bin/sh"
  chmod 0755 "$c/base/usr/bin/sh"
  # the builder's /usr: everything of the base again (same bytes and modes), new libraries,
  # an app binary, and Python bytecode caches
  cp -a "$c/base/usr" "$c/app/usr"
  for i in $(seq 1 10); do rand "app-lib-$i" 100000 "$c/app/usr/lib/libapp$i.so"; done
  rand app-bin 300000 "$c/app/usr/bin/app"
  chmod 0755 "$c/app/usr/bin/app"
  mkdir -p "$c/app/usr/lib/python3/site/__pycache__"
  for i in $(seq 1 20); do
    rand "pyc-$i" 50000 "$c/app/usr/lib/python3/site/__pycache__/m$i.cpython-311.pyc"
  done
  rand data-v1 3000000 "$c/data-v1.bin"
  rand data-v2 100000 "$c/data-v2.bin"
}

# Compressed size of the layers of an OCI layout's first image (one platform).
layout_size() {
  local l=$1 m
  m=$(jq -r '.manifests[0].digest' "$l/index.json" | sed 's/sha256://')
  jq '[.layers[].size] | add' "$l/blobs/sha256/$m"
}

slim() { # NAME CTX OUT [FLAGS...]
  local name=$1 ctx=$2 out=$3
  shift 3
  local args=(--progress quiet --platform linux/amd64 -o "type=oci,dest=$out")
  [[ -n "${REGISTRY:-}" ]] && args+=(--build-arg "REGISTRY=$REGISTRY")
  if SLIMBUILD_STORE="$DIR/store" java -jar "$JAR" build "${args[@]}" "$@" "$ctx" \
      >"$out.log" 2>&1; then
    layout_size "$out"
  else
    echo "failed"
  fi
}

bah() { # NAME CTX OUT
  local name=$1 ctx=$2 out=$3
  local args=(--layers=false --platform linux/amd64 -t "size-bench-$name")
  [[ -n "${REGISTRY:-}" ]] && args+=(--build-arg "REGISTRY=$REGISTRY")
  if buildah bud "${args[@]}" "$ctx" >"$out.log" 2>&1 \
      && buildah push --format oci "size-bench-$name" "oci:$out:latest" >>"$out.log" 2>&1; then
    layout_size "$out"
    buildah rmi "size-bench-$name" >/dev/null 2>&1
  else
    echo "failed"
  fi
}

ratio() { # A B
  if [[ "$1" =~ ^[0-9]+$ && "$2" =~ ^[0-9]+$ && "$2" -gt 0 ]]; then
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'
  else
    echo "-"
  fi
}

printf '%-12s %14s %14s %14s %10s %10s\n' reference optimised no-optimize buildah opt/noopt opt/buildah
for ref in $REFS; do
  ctx="$DIR/ctx-$ref"
  mkdir -p "$ctx"
  if [[ "$ref" == copy-only ]]; then
    gen_copy_only "$ctx"
  elif [[ -z "${REGISTRY:-}" ]]; then
    printf '%-12s %14s\n' "$ref" "skipped (needs RUN and REGISTRY)"
    continue
  else
    cp -a "$ROOT/benchmarks/reference/$ref/." "$ctx/"
  fi
  opt=$(slim "$ref" "$ctx" "$DIR/$ref-opt")
  plain=$(slim "$ref" "$ctx" "$DIR/$ref-plain" --no-optimize)
  if [[ $BUILDAH == 1 ]]; then b=$(bah "$ref" "$ctx" "$DIR/$ref-buildah"); else b="n/a"; fi
  printf '%-12s %14s %14s %14s %10s %10s\n' "$ref" "$opt" "$plain" "$b" "$(ratio "$opt" "$plain")" \
    "$(ratio "$opt" "$b")"
done
echo "(compressed bytes of the image's layers; slimbuild zstd -3, buildah gzip; logs in $DIR)"
