# Shared helpers of the benchmark scripts (sourced, not run): Debian tools, a docker-registry on a
# free loopback port, and the base images the benchmarks pull from it.
#
#   source "$(dirname "$0")/bench-lib.sh"
#
# The caller runs from the repository root, owns its work directory and calls
# bench_stop_registry from its own exit trap.

# bench_need CMD=PACKAGE...: installs the Debian packages of the commands that are missing.
bench_need() {
  local pair missing=()
  for pair in "$@"; do
    command -v "${pair%%=*}" >/dev/null 2>&1 || missing+=("${pair#*=}")
  done
  if ((${#missing[@]})); then
    echo "== installing ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

BENCH_REGISTRY_PID=
BENCH_REGISTRY_HOST=
BENCH_WORK=

# bench_now_ms: wall-clock milliseconds.
bench_now_ms() { echo $(($(date +%s%N) / 1000000)); }

# bench_workdir NAME: a fresh work directory /tmp/slimbuild-NAME.XXXXXX in BENCH_WORK, deleted
# (with the registry stopped) when the script exits, or kept with KEEP=1.
bench_workdir() {
  BENCH_WORK=$(mktemp -d "/tmp/slimbuild-$1.XXXXXX")
  trap bench_cleanup EXIT
}
bench_cleanup() {
  bench_stop_registry
  if [[ "${KEEP:-0}" == 1 ]]; then
    echo "work directory kept: $BENCH_WORK"
  else
    rm -rf "$BENCH_WORK" 2>/dev/null || true
  fi
}

# bench_start_registry WORK SECRET: a docker-registry storing under WORK/registry on a free
# 127.0.0.1 port; sets BENCH_REGISTRY_HOST (127.0.0.1:PORT) and BENCH_REGISTRY_PID.
bench_start_registry() {
  local work=$1 secret=$2 port i
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  BENCH_REGISTRY_HOST=127.0.0.1:$port
  mkdir -p "$work/registry"
  cat >"$work/registry.yml" <<YAML
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $work/registry}, delete: {enabled: true}}
http: {addr: $BENCH_REGISTRY_HOST, secret: $secret}
YAML
  docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
  BENCH_REGISTRY_PID=$!
  for ((i = 0; i < 100; i++)); do
    curl -fsS -o /dev/null "http://$BENCH_REGISTRY_HOST/v2/" 2>/dev/null && break
    kill -0 "$BENCH_REGISTRY_PID" 2>/dev/null || { cat "$work/registry.log" >&2; return 1; }
    sleep 0.1
  done
  curl -fsS -o /dev/null "http://$BENCH_REGISTRY_HOST/v2/" || { echo "registry did not start" >&2; return 1; }
  echo "== registry $BENCH_REGISTRY_HOST (pid $BENCH_REGISTRY_PID)" >&2
}

# bench_stop_registry: stops the registry bench_start_registry started, if any.
bench_stop_registry() {
  if [[ -n "$BENCH_REGISTRY_PID" ]]; then
    kill "$BENCH_REGISTRY_PID" 2>/dev/null || true
    wait "$BENCH_REGISTRY_PID" 2>/dev/null || true
    BENCH_REGISTRY_PID=
  fi
}

# bench_debian_rootfs CACHE: makes CACHE/rootfs.tar, a `debootstrap --variant=minbase bookworm`
# tree without device nodes, once per machine.
bench_debian_rootfs() {
  local cache=$1 rootfs
  [[ -f "$cache/rootfs.tar" ]] && return 0
  echo "== debootstrap --variant=minbase bookworm (once; cached in $cache)" >&2
  mkdir -p "$cache"
  rootfs=$(mktemp -d "$cache/rootfs.XXXXXX")
  debootstrap --variant=minbase bookworm "$rootfs" >"$cache/debootstrap.log" 2>&1 \
    || { tail -20 "$cache/debootstrap.log" >&2; rm -rf "$rootfs"; return 1; }
  # device nodes have no place in an image
  tar --numeric-owner -C "$rootfs" --exclude='./dev/*' -cf "$cache/rootfs.tar.tmp" .
  mv "$cache/rootfs.tar.tmp" "$cache/rootfs.tar"
  rm -rf "$rootfs"
}

# bench_push_debian SLIMBUILD CACHE WORK REF: pushes the cached Debian rootfs as image REF (made by
# slimbuild itself: FROM scratch + ADD rootfs.tar /) to the registry of REF's host.
bench_push_debian() {
  local slimbuild=$1 cache=$2 work=$3 ref=$4 d
  bench_debian_rootfs "$cache" || return 1
  d=$(mktemp -d "$work/debian-base.XXXXXX")
  mkdir -p "$d/ctx"
  ln "$cache/rootfs.tar" "$d/ctx/rootfs.tar" 2>/dev/null || cp "$cache/rootfs.tar" "$d/ctx/"
  printf 'FROM scratch\nADD rootfs.tar /\nCMD ["bash"]\n' >"$d/ctx/Dockerfile"
  HOME=$d/home SLIMBUILD_STORE=$d/store "$slimbuild" build --progress quiet \
    -t "$ref" --push --insecure-registry "${ref%%/*}" "$d/ctx" >"$d/log" 2>&1 \
    || { cat "$d/log" >&2; return 1; }
  rm -rf "$d"
  echo "== base $ref" >&2
}

# bench_push_busybox BENCH_JAR WORK REF: pushes slimbuild's busybox fixture (linux/amd64 +
# linux/arm64, from Debian's busybox-static) as REF, copied in with skopeo.
bench_push_busybox() {
  local jar=$1 work=$2 ref=$3
  java -cp "$jar" dev.slimbuild.bench.BusyboxBaseLayout "$work/busybox-layout" >/dev/null || return 1
  skopeo copy -q --all --dest-tls-verify=false "oci:$work/busybox-layout:1" "docker://$ref" || return 1
  echo "== base $ref" >&2
}

# bench_compare MODE REPS TITLE SLIM_LABEL BUILDAH_LABEL: runs the caller's run_slimbuild REP and
# run_buildah REP (each prints milliseconds) interleaved REPS times (MODE both|slimbuild|buildah),
# then prints both medians and the slimbuild/buildah ratio against the 0.5 goal.
bench_median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2))}'; }
bench_compare() {
  # ARGS: MODE REPS TITLE LABEL1 LABEL2 [RATIO_LABEL]: a RATIO_LABEL compares two slimbuild
  # runs (run_buildah then times the other one), with no goal
  local mode=$1 reps=$2 title=$3 slim_label=$4 buildah_label=$5 ratio_label=${6:-} rep ms
  local slim_med= buildah_med=
  local slim_times=() buildah_times=()
  for ((rep = 1; rep <= reps; rep++)); do
    if [[ "$mode" != buildah ]]; then
      ms=$(run_slimbuild "$rep")
      slim_times+=("$ms")
      echo "rep $rep $([[ -n "$ratio_label" ]] && echo "$slim_label" || echo slimbuild)  ${ms} ms"
    fi
    if [[ "$mode" != slimbuild ]]; then
      ms=$(run_buildah "$rep")
      buildah_times+=("$ms")
      echo "rep $rep $([[ -n "$ratio_label" ]] && echo "$buildah_label" || echo buildah)    ${ms} ms"
    fi
  done
  echo "== $title, $reps reps (medians)"
  if ((${#slim_times[@]})); then
    slim_med=$(bench_median "${slim_times[@]}")
    printf '%-40s %s ms   (%s)\n' "$slim_label" "$slim_med" "${slim_times[*]}"
  fi
  if ((${#buildah_times[@]})); then
    buildah_med=$(bench_median "${buildah_times[@]}")
    printf '%-40s %s ms   (%s)\n' "$buildah_label" "$buildah_med" "${buildah_times[*]}"
  fi
  if [[ -n "$slim_med" && -n "$buildah_med" && -n "$ratio_label" ]]; then
    awk -v s="$slim_med" -v b="$buildah_med" -v l="$ratio_label" 'BEGIN {printf "ratio %s: %.2f\n", l, s / b}'
  elif [[ -n "$slim_med" && -n "$buildah_med" ]]; then
    awk -v s="$slim_med" -v b="$buildah_med" 'BEGIN {r = s / b; printf "ratio slimbuild/buildah: %.2f (goal <= 0.50)%s\n", r, (r <= 0.5 ? "" : "  ** above goal **")}'
  fi
}
