#!/usr/bin/env bash
# Image-size benchmark: builds each reference Dockerfile in benchmarks/reference/ with slimbuild
# (default optimisations, and --no-optimize), and with buildah, and prints the compressed image
# sizes and their ratios.
#
#   benchmarks/run-size-bench.sh                 # every reference
#   ONLY="copy-only debian-apt" benchmarks/run-size-bench.sh
#   REGISTRY=127.0.0.1:5000/library benchmarks/run-size-bench.sh
#
# copy-only/ needs nothing (its context is generated here, seeded). The others use RUN and pull
# their bases from $REGISTRY (given to the Dockerfiles as --build-arg REGISTRY): `debian:bookworm`
# and `busybox:1.35`. Without REGISTRY the script starts a docker-registry on a free loopback port
# and pushes them there: a `debootstrap --variant=minbase bookworm` Debian (made once per machine,
# cached under $SLIMBUILD_TEST_CACHE, default ~/.cache/slimbuild-test) and slimbuild's busybox
# fixture. The RUN steps reach Debian's archive and the npm registry.
#
# Environment: REGISTRY, INSECURE=1 (REGISTRY speaks plain HTTP; the default for the script's own
# registry), SANDBOX (slimbuild --sandbox, default auto), SKIP_BUILD=1 (reuse the jars),
# NO_BUILDAH=1, DIR (default benchmarks/target/size-bench), ONLY (a space-separated list of
# references). Needs root for apt-get, debootstrap and buildah's overlay storage.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source benchmarks/bench-lib.sh
DIR=${DIR:-$ROOT/benchmarks/target/size-bench}
JAR=$ROOT/builder-cli/target/slimbuild.jar
BENCH_JAR=$ROOT/benchmarks/target/benchmarks.jar
REFS=${ONLY:-copy-only go-static python-pip node debian-apt}
SANDBOX=${SANDBOX:-auto}
CACHE=${SLIMBUILD_TEST_CACHE:-$HOME/.cache/slimbuild-test}/bench-debian
needs_registry=0
for ref in $REFS; do [[ "$ref" != copy-only ]] && needs_registry=1; done

for tool in java jq openssl; do
  command -v "$tool" >/dev/null || { echo "run-size-bench: missing $tool" >&2; exit 1; }
done
if [[ "${SKIP_BUILD:-0}" != 1 || ! -f "$JAR" || ! -f "$BENCH_JAR" ]]; then
  echo "== building slimbuild" >&2
  mvn -q -B -DskipTests -pl builder-cli,benchmarks -am package || exit 1
fi
BUILDAH=1
if [[ "${NO_BUILDAH:-0}" == 1 ]] || ! command -v buildah >/dev/null; then
  BUILDAH=0
fi

rm -rf "$DIR"
mkdir -p "$DIR"

trap bench_stop_registry EXIT
if [[ "$needs_registry" == 1 && -z "${REGISTRY:-}" ]]; then
  bench_need docker-registry=docker-registry skopeo=skopeo curl=curl debootstrap=debootstrap \
    bwrap=bubblewrap proot=proot || exit 1
  mkdir -p "$DIR/work"
  export SLIMBUILD_CDS_DIR=$DIR/work/cds
  bench_start_registry "$DIR/work" size-bench || exit 1
  REGISTRY=$BENCH_REGISTRY_HOST/library
  INSECURE=${INSECURE:-1}
  bench_push_debian "$ROOT/builder-cli/target/slimbuild" "$CACHE" "$DIR/work" \
    "$REGISTRY/debian:bookworm" || exit 1
  bench_push_busybox "$BENCH_JAR" "$DIR/work" "$REGISTRY/busybox:1.35" || exit 1
fi
INSECURE=${INSECURE:-0}

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
  local args=(--progress plain --platform linux/amd64 --sandbox "$SANDBOX" -o "type=oci,tar=false,dest=$out")
  [[ -n "${REGISTRY:-}" ]] && args+=(--build-arg "REGISTRY=$REGISTRY")
  [[ -n "${REGISTRY:-}" && "$INSECURE" == 1 ]] && args+=(--insecure-registry "${REGISTRY%%/*}")
  if SLIMBUILD_STORE="$DIR/store" java -jar "$JAR" build "${args[@]}" "$@" "$ctx" \
      >"$out.log" 2>&1; then
    layout_size "$out"
  else
    echo "failed"
  fi
}

bah() { # NAME CTX OUT
  local name=$1 ctx=$2 out=$3
  local b=(buildah --root "$DIR/buildah/root" --runroot "$DIR/buildah/runroot" --storage-driver overlay)
  local args=(--layers=false --isolation chroot --platform linux/amd64 -t "size-bench-$name")
  [[ -n "${REGISTRY:-}" ]] && args+=(--build-arg "REGISTRY=$REGISTRY")
  [[ "$INSECURE" == 1 ]] && args+=(--tls-verify=false)
  if BUILDAH_ISOLATION=chroot "${b[@]}" bud "${args[@]}" "$ctx" >"$out.log" 2>&1 \
      && "${b[@]}" push --format oci "size-bench-$name" "oci:$out:latest" >>"$out.log" 2>&1; then
    layout_size "$out"
    "${b[@]}" rmi "size-bench-$name" >/dev/null 2>&1
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
  else
    cp -a "$ROOT/benchmarks/reference/$ref/." "$ctx/"
    # node/'s npm install trusts the machine's CA bundle (a proxy may intercept TLS)
    [[ "$ref" == node ]] && cp "${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}" "$ctx/host-ca.crt"
  fi
  opt=$(slim "$ref" "$ctx" "$DIR/$ref-opt")
  plain=$(slim "$ref" "$ctx" "$DIR/$ref-plain" --no-optimize)
  if [[ $BUILDAH == 1 ]]; then b=$(bah "$ref" "$ctx" "$DIR/$ref-buildah"); else b="n/a"; fi
  printf '%-12s %14s %14s %14s %10s %10s\n' "$ref" "$opt" "$plain" "$b" "$(ratio "$opt" "$plain")" \
    "$(ratio "$opt" "$b")"
done
echo "(compressed bytes of the image's layers; slimbuild zstd -3, buildah gzip; logs in $DIR)"
