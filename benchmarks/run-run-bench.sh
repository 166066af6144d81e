#!/usr/bin/env bash
# RUN benchmark: a RUN-heavy Dockerfile (Debian 12 base + `apt-get update && apt-get install` of a
# few packages from Debian's archive), cold (fresh storage every time), slimbuild against buildah at
# its fastest here (overlay storage, chroot isolation, --layers), same base from the same local
# registry, same run, interleaved. Both end with the image in their local storage.
#
#   benchmarks/run-run-bench.sh [both|slimbuild|buildah]      (default: both)
#
# The base is made once per machine: `debootstrap --variant=minbase bookworm` (cached as a tar under
# $SLIMBUILD_TEST_CACHE, default ~/.cache/slimbuild-test), turned into an image by slimbuild itself
# (FROM scratch + ADD rootfs.tar /) and pushed to a registry on a free loopback port.
#
# Environment: REPS (default 3; medians), WORKLOAD (apt: the apt-get RUN, default; many: ten small
# RUNs without network), PACKAGES (default "curl ca-certificates xz-utils less"), SKIP_BUILD=1
# (reuse the jars), SANDBOX (slimbuild --sandbox, default auto), ROOTFS (slimbuild --run-rootfs,
# default auto), KEEP=1.
# Needs root (apt-get, debootstrap, buildah's overlay storage). Prints wall times and the ratio
# slimbuild/buildah (goal: <= 0.5).
set -euo pipefail
cd "$(dirname "$0")/.."
repo_root=$PWD

mode=${1:-both}
case "$mode" in both | slimbuild | buildah) ;; *) echo "usage: $0 [both|slimbuild|buildah]" >&2; exit 2 ;; esac
REPS=${REPS:-3}
PACKAGES=${PACKAGES:-curl ca-certificates xz-utils less}
SANDBOX=${SANDBOX:-auto}
WORKLOAD=${WORKLOAD:-apt}
ROOTFS=${ROOTFS:-auto}
SLIMBUILD=$repo_root/builder-cli/target/slimbuild
CACHE=${SLIMBUILD_TEST_CACHE:-$HOME/.cache/slimbuild-test}/bench-debian

source benchmarks/bench-lib.sh
bench_need docker-registry=docker-registry buildah=buildah curl=curl debootstrap=debootstrap \
  bwrap=bubblewrap proot=proot
for tool in java mvn python3 tar; do
  command -v "$tool" >/dev/null || { echo "run-run-bench: missing $tool" >&2; exit 1; }
done

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  echo "== building"
  mvn -q -B -DskipTests -pl builder-cli -am package
fi

bench_workdir run-bench
work=$BENCH_WORK

# (a) a registry on a free loopback port
bench_start_registry "$work" run-bench
host=$BENCH_REGISTRY_HOST

# (b) the base image: the Debian root filesystem (debootstrap, once per machine), made and pushed
# by slimbuild (untimed; also records its class-data archive)
export SLIMBUILD_CDS_DIR=$work/cds
base=$host/bench/debian:12
bench_push_debian "$SLIMBUILD" "$CACHE" "$work" "$base"

mkdir -p "$work/ctx"
case "$WORKLOAD" in
  apt)
    printf 'FROM %s\nRUN apt-get update && apt-get install -y --no-install-recommends %s\n' \
      "$base" "$PACKAGES" >"$work/ctx/Dockerfile"
    expect='Setting up curl'
    ;;
  many)
    # a typical tail of a Dockerfile: many small RUNs, no network
    cat >"$work/ctx/Dockerfile" <<DOCKERFILE
FROM $base
RUN useradd -m -u 1000 app
RUN mkdir -p /opt/app/bin /opt/app/etc /var/lib/app
RUN echo 'key=value' > /opt/app/etc/app.conf
RUN printf '#!/bin/sh\\necho ready\\n' > /opt/app/bin/ready && chmod 755 /opt/app/bin/ready
RUN ln -s /opt/app/bin/ready /usr/local/bin/ready
RUN sed -i 's/^#force_color_prompt=yes/force_color_prompt=yes/' /etc/skel/.bashrc
RUN rm -rf /usr/share/doc/* /usr/share/man/*
RUN chown -R app:app /opt/app /var/lib/app
RUN dpkg-query -W > /opt/app/packages.txt
RUN ready
DOCKERFILE
    expect='ready'
    ;;
  *) echo "WORKLOAD must be apt or many" >&2; exit 2 ;;
esac
echo "== Dockerfile:"; sed 's/^/   /' "$work/ctx/Dockerfile"


run_slimbuild() { # REP -> prints milliseconds
  local d=$work/slim-$1 t0 t1
  mkdir -p "$d/home" "$d/store" "$d/tmp"
  t0=$(bench_now_ms)
  HOME=$d/home XDG_DATA_HOME=$d/home/data XDG_CACHE_HOME=$d/home/cache SLIMBUILD_STORE=$d/store \
    TMPDIR=$d/tmp "$SLIMBUILD" build --progress plain --sandbox "$SANDBOX" --run-rootfs "$ROOTFS" -t bench/run:1 \
    --insecure-registry "$host" "$work/ctx" >"$d/log" 2>&1 || { cat "$d/log" >&2; return 1; }
  t1=$(bench_now_ms)
  grep -q "$expect" "$d/log" || { cat "$d/log" >&2; return 1; }
  grep -E 'RUN sandbox|RUN took' "$d/log" >&2 || true
  rm -rf "$d"
  echo $((t1 - t0))
}

run_buildah() { # REP -> prints milliseconds
  local d=$work/buildah-$1 t0 t1
  local b=(buildah --root "$d/root" --runroot "$d/runroot" --storage-driver overlay)
  mkdir -p "$d"
  t0=$(bench_now_ms)
  BUILDAH_ISOLATION=chroot "${b[@]}" bud --isolation chroot --layers --tls-verify=false \
    -t bench/run:1 "$work/ctx" >"$d/log" 2>&1 || { cat "$d/log" >&2; return 1; }
  t1=$(bench_now_ms)
  grep -q "$expect" "$d/log" || { cat "$d/log" >&2; return 1; }
  "${b[@]}" rmi -a -f >/dev/null 2>&1 || true
  rm -rf "$d" 2>/dev/null || true
  echo $((t1 - t0))
}

bench_compare "$mode" "$REPS" \
  "RUN benchmark ($WORKLOAD): $(grep -c '^RUN' "$work/ctx/Dockerfile") RUN(s) on Debian 12 minbase, cold" \
  "slimbuild build (--sandbox $SANDBOX --run-rootfs $ROOTFS)" "buildah bud (overlay, chroot)"
