#!/usr/bin/env bash
# Start-up benchmark, in one run, interleaved: `--version` and the fixed cost of an all-cached
# build (the unchanged examples/hello rebuilt from the local store) through the release tarball's
# launcher (bundled runtime + class-data archive) and the development launcher
# (builder-cli/target/slimbuild on the machine's JDK 17, its class-data archive recorded by a
# first build), against `buildah --version` and buildah's own all-cached `bud --layers` of the
# same example, a bare `true` and a JVM hello-world. Prints medians (wall and CPU), peak RSS
# next to buildah's, the ratio of each to `buildah --version`, and how many classes each JVM run
# loads and how many of them come from the archive.
#
#   benchmarks/run-startup-bench.sh
#   FLAGS=1 benchmarks/run-startup-bench.sh     also the launcher flag study (scripts/release/slimbuild)
#
# Environment: REPS (default 21; medians), SKIP_BUILD=1 (reuse builder-cli/target and the
# tarball in dist/), TARBALL (an amd64 release tarball to use), KEEP=1, BEFORE_JAR (another
# build's slimbuild.jar, e.g. an older commit's: timed through the same development launcher,
# beside this one, with the ratio of each to it).
# Goals (issue 15): --version <= 300 ms, all-cached build <= 500 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

REPS=${REPS:-21}
source benchmarks/bench-lib.sh
for tool in java javac mvn python3 tar; do
  command -v "$tool" >/dev/null || { echo "run-startup-bench: missing $tool" >&2; exit 1; }
done

bench_workdir startup-bench
work=$BENCH_WORK
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  echo "== building the jar and the amd64 release tarball"
  mvn -q -B -DskipTests -pl builder-cli -am package
  PLATFORMS=amd64 SKIP_BUILD=1 DIST=$work/dist bash scripts/release.sh
  TARBALL=${TARBALL:-$(ls "$work"/dist/slimbuild-*-linux-amd64.tar.gz)}
fi
TARBALL=${TARBALL:-$(ls -t dist/slimbuild-*-linux-amd64.tar.gz 2>/dev/null | head -n 1)}
[[ -f "$TARBALL" ]] || { echo "run-startup-bench: no amd64 tarball; run scripts/release.sh or drop SKIP_BUILD" >&2; exit 1; }
mkdir -p "$work/release"
tar -xzf "$TARBALL" -C "$work/release"
home=$(ls -d "$work"/release/slimbuild-*-linux-amd64)
release=$home/bin/slimbuild
dev=$repo/builder-cli/target/slimbuild
example=$repo/examples/hello

# a JVM hello-world, on the machine's JDK 17 and on the tarball's runtime (its floor)
mkdir -p "$work/hello"
printf 'public class Hello { public static void main(String[] a) { System.out.println("hello"); } }\n' \
  >"$work/hello/Hello.java"
javac --release 17 -d "$work/hello" "$work/hello/Hello.java"

# the stores, primed: each tool has built the example once, so the timed builds are all cached
envof() { # NAME: the environment of a slimbuild run of its own
  mkdir -p "$work/$1/home" "$work/$1/tmp"
  echo "HOME=$work/$1/home XDG_CACHE_HOME=$work/$1/home/cache SLIMBUILD_STORE=$work/$1/store" \
    "TMPDIR=$work/$1/tmp SLIMBUILD_CDS_DIR=$work/$1/cds"
}
build="build -t example/hello:1 --progress quiet $example"
env $(envof rel) "$release" $build >/dev/null
env $(envof dev) "$dev" $build >/dev/null # also records the dev launcher's archive
env $(envof dev) "$dev" $build >/dev/null
before=
if [[ -n "${BEFORE_JAR:-}" ]]; then
  mkdir -p "$work/before-jar"
  cp "$BEFORE_JAR" "$work/before-jar/slimbuild.jar"
  cp "$dev" "$work/before-jar/slimbuild"
  before=$work/before-jar/slimbuild
  env $(envof before) "$before" $build >/dev/null # records its own archive
  env $(envof before) "$before" $build >/dev/null
fi
has_buildah=0
if command -v buildah >/dev/null; then
  has_buildah=1
  bah="buildah --root $work/bah/root --runroot $work/bah/runroot --storage-driver overlay"
  mkdir -p "$work/bah"
  BUILDAH_ISOLATION=chroot $bah bud --isolation chroot --layers -q -t example/hello:1 "$example" >/dev/null
fi

# the harness: interleaved rounds; wall and CPU of each run (wait4), and its peak RSS as GNU
# time reports it (the child it forks is small, so its high-water mark is the command's own)
bench_need /usr/bin/time=time
cat >"$work/harness.py" <<'PY'
import os, statistics, subprocess, sys, tempfile, time
reps = int(sys.argv[2])
cmds = [l.rstrip("\n").split("|", 1) for l in open(sys.argv[1]) if l.strip()]
res = {label: [] for label, _ in cmds}
rss_file = tempfile.mktemp()
for _ in range(reps):
    for label, cmd in cmds:
        t0 = time.perf_counter()
        p = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", rss_file, "sh", "-c", "exec " + cmd],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        wall = (time.perf_counter() - t0) * 1000
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"{label}: exit {os.waitstatus_to_exitcode(status)}: {cmd}")
        rss = int(open(rss_file).read().split()[-1]) / 1024
        res[label].append((wall, (ru.ru_utime + ru.ru_stime) * 1000, rss))
base = res.get("buildah --version")
base_wall = statistics.median(r[0] for r in base) if base else None
print(f"{'command':44s} {'wall ms':>8s} {'min':>6s} {'CPU ms':>7s} {'peak RSS MB':>12s}"
      + (f" {'x buildah --version':>20s}" if base_wall else ""))
for label, _ in cmds:
    rs = res[label]
    wall = statistics.median(r[0] for r in rs)
    line = (f"{label:44s} {wall:8.0f} {min(r[0] for r in rs):6.0f} "
            f"{statistics.median(r[1] for r in rs):7.0f} {statistics.median(r[2] for r in rs):12.0f}")
    if base_wall:
        line += f" {wall / base_wall:20.1f}"
    print(line)
print("load average:", open("/proc/loadavg").read().split()[:3])
PY

{
  echo "release: slimbuild --version|$release --version"
  echo "dev launcher (JDK 17): slimbuild --version|env $(envof dev) $dev --version"
  [[ -n "$before" ]] && echo "BEFORE_JAR (JDK 17): slimbuild --version|env $(envof before) $before --version"
  ((has_buildah)) && echo "buildah --version|buildah --version"
  echo "true|true"
  echo "JVM hello-world (JDK 17)|java -cp $work/hello Hello"
  echo "JVM hello-world (release runtime)|$home/runtime/bin/java -XX:+UseSerialGC -cp $work/hello Hello"
  echo "release: all-cached build|env $(envof rel) $release $build"
  echo "dev launcher (JDK 17): all-cached build|env $(envof dev) $dev $build"
  [[ -n "$before" ]] && echo "BEFORE_JAR (JDK 17): all-cached build|env $(envof before) $before $build"
  ((has_buildah)) && echo "buildah: all-cached bud --layers|env BUILDAH_ISOLATION=chroot $bah bud --isolation chroot --layers -q -t example/hello:1 $example"
} >"$work/cmds"
echo "== start-up, $REPS rounds interleaved (medians; peak RSS of the process)"
python3 "$work/harness.py" "$work/cmds" "$REPS" | tee "$work/table"

# classes loaded, and how many from the class-data archive
classes() { # LABEL ENV LAUNCHER ARGS...
  local label=$1 envs=$2 log=$work/classes.log
  shift 2
  rm -f "$log"
  env $envs JAVA_OPTS="-Xlog:class+load:file=$log" "$@" >/dev/null 2>&1
  printf '%-44s %5d classes, %5d from the archive\n' "$label" "$(wc -l <"$log")" \
    "$(grep -c 'shared objects file' "$log" || true)"
}
echo "== classes loaded"
classes "release: --version" "" "$release" --version
classes "release: all-cached build" "$(envof rel)" "$release" $build
classes "dev launcher (JDK 17): --version" "$(envof dev)" "$dev" --version
classes "dev launcher (JDK 17): all-cached build" "$(envof dev)" "$dev" $build

med() { awk -F'  +' -v l="$1" '$1 == l {print $2}' "$work/table" | awk '{print $1}'; }
if [[ -n "$before" ]]; then
  echo "== this jar against BEFORE_JAR ($(stat -c %s "$dev.jar") against $(stat -c %s "$BEFORE_JAR") bytes)"
  for what in "slimbuild --version" "all-cached build"; do
    awk -v w="$what" -v a="$(med "dev launcher (JDK 17): $what")" -v b="$(med "BEFORE_JAR (JDK 17): $what")" \
      'BEGIN { printf "%-20s %5d ms against %5d ms: %.2fx\n", w, a, b, a / b }'
  done
fi
echo "== goals"
awk -v v="$(med 'release: slimbuild --version')" -v b="$(med 'release: all-cached build')" 'BEGIN {
  printf "--version          %4d ms (goal <= 300)%s\n", v, (v <= 300 ? "" : "  ** above goal **")
  printf "all-cached build   %4d ms (goal <= 500)%s\n", b, (b <= 500 ? "" : "  ** above goal **") }'

if [[ "${FLAGS:-0}" == 1 ]]; then
  # each of the launcher's choices (scripts/release/slimbuild), one at a time, on the same runtime
  # and archive: start-up, and a big COPY (time and peak RSS as the layers grow)
  java=$home/runtime/bin/java jar=$home/lib/slimbuild.jar
  kept=$(sed -n 's/^flags="\(.*\)"$/\1/p' "$repo/scripts/release/slimbuild")
  arch=
  [[ -f "$home/lib/slimbuild.aot" ]] && arch="-XX:AOTCache=$home/lib/slimbuild.aot"
  [[ -f "$home/lib/slimbuild.jsa" ]] && arch="-XX:SharedArchiveFile=$home/lib/slimbuild.jsa"
  without() { echo " $kept " | sed "s| $1 | |"; }
  variants() { # ARGS: one line per variant
    local e=$1 args=$2 label=$3
    echo "$label: the launcher's flags|env $e $java $kept $arch -jar $jar $args"
    echo "$label: no class-data archive|env $e $java $kept -jar $jar $args"
    echo "$label: G1 instead of Serial|env $e $java $(without -XX:+UseSerialGC) $arch -jar $jar $args"
    echo "$label: with perf data|env $e $java $(without -XX:-UsePerfData) $arch -jar $jar $args"
    echo "$label: default initial heap|env $e $java $(without -Xms8m) $arch -jar $jar $args"
    echo "$label: default compile thresholds|env $e $java $(without -XX:CompileThresholdScaling=10) $arch -jar $jar $args"
    echo "$label: + TieredStopAtLevel=1|env $e $java $kept -XX:TieredStopAtLevel=1 $arch -jar $jar $args"
    echo "$label: + Xss512k|env $e $java $kept -Xss512k $arch -jar $jar $args"
  }
  env $(envof flags) "$release" $build >/dev/null
  { variants "$(envof flags)" --version "--version"; variants "$(envof flags)" "$build" "cached build"; } \
    >"$work/flags.cmds"
  echo "== launcher flags ($kept): start-up, $REPS rounds interleaved"
  python3 "$work/harness.py" "$work/flags.cmds" "$REPS"

  # a 300 MB context of 3000 compressible files (seeded), copied into a fresh OCI layout
  mkdir -p "$work/big/data"
  python3 - "$work/big/data" <<'PY'
import random, sys
rnd = random.Random(15)
words = [("%x" % rnd.getrandbits(40)) for _ in range(4096)]
for i in range(3000):
    with open(f"{sys.argv[1]}/f{i:04d}.txt", "w") as f:
        f.write(" ".join(rnd.choice(words) for _ in range(10000)))
PY
  printf 'FROM scratch\nCOPY data/ /data/\n' >"$work/big/Dockerfile"
  big="build --no-cache --progress quiet -o type=oci,tar=false,dest=$work/big-out $work/big"
  variants "$(envof big)" "$big" "big COPY" | grep -v 'no class-data\|Xss' >"$work/big.cmds"
  echo "== launcher flags: a big COPY ($(du -sh "$work/big/data" | cut -f1)), ${BIG_REPS:-3} rounds"
  python3 "$work/harness.py" "$work/big.cmds" "${BIG_REPS:-3}"
fi
