#!/usr/bin/env bash
# Makes the release tarballs dist/slimbuild-VERSION-linux-amd64.tar.gz and -linux-arm64.tar.gz.
# Each holds, under slimbuild-VERSION-linux-ARCH/:
#   bin/slimbuild, bin/executor   the launchers (scripts/release/slimbuild; kaniko's name)
#   runtime/                      a jlink'd Java runtime with only the modules slimbuild uses
#   lib/slimbuild.jar             the shaded jar the build makes, its entries stored
#   lib/slimbuild.aot | .jsa      the class-data archive, made here by a training run
#   share/bash-completion/completions/slimbuild   bash and zsh completion (picocli)
#   share/man/man1/slimbuild*.1   the man pages (picocli-codegen's AsciiDoc, asciidoctor)
#
# and the executor image (scripts/release/executor.Dockerfile, built by slimbuild from those
# tarballs and Debian's packages, see scripts/release/executor.sh) as an OCI layout tarball,
# dist/slimbuild-executor-VERSION.oci.tar (tag VERSION), one index of the platforms made.
#
#   bash scripts/release.sh                        both platforms
#   PLATFORMS=amd64 bash scripts/release.sh        one
#   RELEASE_REGISTRY=HOST[:PORT][/PATH] SLIMBUILD_SIGN_KEY=cosign.key COSIGN_PASSWORD=... \
#     bash scripts/release.sh                      the image also pushed to
#                                                  RELEASE_REGISTRY/slimbuild/executor:VERSION, signed
# Environment: SKIP_BUILD=1 (use builder-cli/target as built), DIST (default dist/),
# JDK25 (default /usr/lib/jvm/temurin-25-jdk-amd64), SOURCE_DATE_EPOCH (default: the last
# commit's time), SLIMBUILD_RELEASE_CACHE (downloaded Debian packages; default
# ~/.cache/slimbuild-release), EXECUTOR_IMAGE=0 (no executor image), EXECUTOR_MAX_SIZE (its
# budget per platform, compressed; default 60MB), RELEASE_REGISTRY, SLIMBUILD_SIGN_KEY.
#
# Runtimes:
#   amd64  Temurin 25 linked from its run-time image, with an AOT cache (JEP 483/514: classes
#          loaded and linked, method profiles) trained by scripts/release/training.txt. Without
#          a JDK 25 it falls back to the host's JDK 17 jmods and a CDS archive, as arm64 does.
#   arm64  Debian's arm64 JDK 17 jmods (openjdk-17-jdk-headless:arm64), linked by the amd64
#          jlink of exactly the same Debian version (a jlink links only its own version's jmods),
#          with a CDS archive of the JDK classes of the same training run, dumped by the arm64
#          java itself under qemu-aarch64-static. Without qemu, no archive (said so).
# The code still builds and runs on Java 17: the release only picks the runtime it ships.
# Needs root for apt-get when asciidoctor, qemu-user-static or the arm64 dpkg architecture are
# missing.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

PLATFORMS=${PLATFORMS:-amd64 arm64}
DIST=${DIST:-$repo/dist}
JDK25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
CACHE=${SLIMBUILD_RELEASE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/slimbuild-release}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
target=$repo/builder-cli/target
launcher=$repo/scripts/release/slimbuild

say() { echo "release: $*" >&2; }
die() { say "$*"; exit 1; }

# apt_need CMD=PACKAGE...: installs the Debian packages of the commands that are missing.
apt_need() {
  local pair missing=()
  for pair in "$@"; do
    command -v "${pair%%=*}" >/dev/null 2>&1 || missing+=("${pair#*=}")
  done
  ((${#missing[@]})) || return 0
  [[ "$(id -u)" == 0 ]] || die "missing ${missing[*]}; install them or run as root"
  say "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

for p in $PLATFORMS; do
  [[ "$p" == amd64 || "$p" == arm64 ]] || die "PLATFORMS: '$p' is neither amd64 nor arm64"
done
command -v jlink >/dev/null && command -v jdeps >/dev/null || die "needs a JDK 17 (jlink, jdeps) on PATH"
apt_need asciidoctor=asciidoctor

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  say "building the jar"
  mvn -B -ntp -q -DskipTests -pl builder-cli -am package
fi
jar=$target/slimbuild.jar
codegen=$target/release-tools/picocli-codegen.jar
[[ -f "$jar" && -f "$codegen" ]] || die "no $jar (or $codegen): build first, or drop SKIP_BUILD"
version=$(sed -n 's|^  <version>\(.*\)</version>$|\1|p' pom.xml | head -n 1)
[[ -n "$version" ]] || die "no <version> in pom.xml"

work=$(mktemp -d /tmp/slimbuild-release.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$DIST" "$CACHE"

# The modules the jar uses, as jdeps finds them (the JDK 17 API the code is compiled against),
# plus jdk.crypto.ec, a security provider jdeps cannot see (TLS's elliptic curves on Java 17),
# less java.desktop (9 MB of the compressed tarball: AWT, fonts, sound): only java.beans of it is
# named, by library code slimbuild never runs (commons-compress's pack200, commons-lang3's
# circuit breaker) or runs without it (Jackson, reading registry logins for jib, loads its
# java.beans support reflectively and goes on without it; ReleaseIT pushes with a login).
modules=$(jdeps --ignore-missing-deps --print-module-deps --multi-release 17 "$jar" \
  | tr , '\n' | grep -vx java.desktop | paste -sd, -),jdk.crypto.ec
say "modules: $modules"

# completion and man pages, from the command tree itself (dev.slimbuild.cli.ReleaseDocs)
say "completion and man pages"
java -cp "$jar:$codegen" dev.slimbuild.cli.ReleaseDocs "$work/docs"
# asciidoctor dates the pages by SOURCE_DATE_EPOCH
asciidoctor -b manpage -D "$work/docs/man1" "$work/docs/man"/*.adoc

# The launcher's start-up flags; the training runs with the same ones.
flags=$(sed -n 's/^flags="\(.*\)"$/\1/p' "$launcher")
[[ -n "$flags" ]] || die "no flags= line in $launcher"

# training inputs: a copy of the example, so that the training reads nothing of the checkout,
# and a context FROM it once pushed to a loopback docker-registry (when there is one: the
# registry client's classes are then in the archive too)
mkdir -p "$work/example" "$work/from"
cp -r examples/hello/. "$work/example/"
registry_pid=
trap 'if [[ -n "$registry_pid" ]]; then kill "$registry_pid"; wait "$registry_pid" || true; fi 2>/dev/null
  rm -rf "$work"' EXIT
registry=
if command -v docker-registry >/dev/null && command -v python3 >/dev/null; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  registry=127.0.0.1:$port
  printf '%s\n' 'version: 0.1' 'log: {level: error}' \
    "storage: {filesystem: {rootdirectory: $work/registry}}" \
    "http: {addr: $registry, secret: training}" >"$work/registry.yml"
  docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
  registry_pid=$!
  for ((i = 0; i < 100; i++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { cat "$work/registry.log" >&2; die "docker-registry did not start"; }
fi
printf 'FROM %s/example/hello:1\nCOPY hello.txt /copy/\n' "$registry" >"$work/from/Dockerfile"
cp examples/hello/hello.txt "$work/from/"
sed -e "s|@EXAMPLE@|$work/example|g" -e "s|@FROM@|$work/from|g" -e "s|@WORK@|$work/train|g" \
  scripts/release/training.txt >"$work/training.txt"
if [[ -n "$registry" ]]; then
  sed -i "s|@REGISTRY@|$registry|g" "$work/training.txt"
else
  say "no docker-registry: the archive is trained without the registry client"
  sed -i '/@REGISTRY@/d' "$work/training.txt"
fi

# train JAVA ARGS...: runs the training in a scratch store (each run gets a fresh one).
train() {
  rm -rf "$work/train"
  mkdir -p "$work/train/home" "$work/train/tmp"
  env HOME="$work/train/home" XDG_CACHE_HOME="$work/train/home/cache" \
    XDG_DATA_HOME="$work/train/home/data" SLIMBUILD_STORE="$work/train/store" \
    TMPDIR="$work/train/tmp" "$@" dev.slimbuild.cli.Training "$work/training.txt"
}

# stage ARCH: the tarball's tree without runtime and archive; prints its directory.
stage() {
  local s=$work/slimbuild-$version-linux-$1
  mkdir -p "$s/bin" "$s/lib" "$s/share/man/man1" "$s/share/bash-completion/completions"
  install -m 755 "$launcher" "$s/bin/slimbuild"
  install -m 755 builder-cli/src/main/sh/executor "$s/bin/executor"
  # picocli's Java 5 class files made Java 8's (scripts/release/UpgradeClasses.java, JDK 24+), so
  # that the class-data archive holds them; then stored, not deflated (StoreJar.java): the
  # tarball's gzip and the executor image's zstd compress it better so
  local shipped=$jar
  if [[ -x "$JDK25/bin/java" ]]; then
    shipped=$work/upgraded.jar
    [[ -f "$shipped" ]] || "$JDK25/bin/java" scripts/release/UpgradeClasses.java "$jar" "$shipped" >&2
  fi
  java scripts/release/StoreJar.java "$shipped" "$s/lib/slimbuild.jar"
  chmod 644 "$s/lib/slimbuild.jar"
  install -m 644 "$work/docs/completion/slimbuild.bash" "$s/share/bash-completion/completions/slimbuild"
  install -m 644 "$work/docs/man1"/*.1 "$s/share/man/man1/"
  echo "$s"
}

# fix_times DIR: every file's time is SOURCE_DATE_EPOCH. Done before the archive is made: a
# class-data archive records the jar's time and size and is refused if they differ.
fix_times() { find "$1" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +; }

# pack DIR: DIST/DIR's name.tar.gz, entries in name order with fixed times and owners. Two
# releases of one commit still differ in the class-data archive: the JVM's dump is not
# byte-for-byte repeatable (it holds profiles of the training run).
pack() {
  local s=$1 name out
  name=$(basename "$s")
  out=$DIST/$name.tar.gz
  fix_times "$s"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
    -C "$(dirname "$s")" -cf - "$name" | gzip -n >"$out"
  say "$out: $(du -h "$out" | cut -f1)"
}

# link_runtime JLINK OUT [--module-path DIR] [strip option]
link_runtime() {
  local jlink=$1 out=$2
  shift 2
  "$jlink" "$@" --add-modules "$modules" --no-header-files --no-man-pages --output "$out"
}

# prune_providers RUNTIME: drops from the runtime's java.security the security providers whose
# modules it lacks (XMLDSig, SunPCSC, SunPKCS11, JdkSASL). The JDK looks for a configured provider
# it cannot find among every provider on the class path, which instantiates the jar's
# BouncyCastle provider (thousands of algorithms; about 60 ms of every TLS connection here).
prune_providers() {
  local conf=$1/conf/security/java.security modules
  modules=$(sed -n 's/^MODULES="\(.*\)"$/\1/p' "$1/release")
  awk -v modules=" $modules " '
    BEGIN {
      split("SunJGSS=java.security.jgss SunSASL=java.security.sasl XMLDSig=java.xml.crypto " \
        "SunPCSC=java.smartcardio JdkLDAP=java.naming JdkSASL=jdk.security.jgss " \
        "SunPKCS11=jdk.crypto.cryptoki", pairs, " ")
      for (i in pairs) { split(pairs[i], kv, "="); module[kv[1]] = kv[2] }
    }
    /^security\.provider\.[0-9]+=/ {
      name = substr($0, index($0, "=") + 1); split(name, w, " ")
      if ((w[1] in module) && index(modules, " " module[w[1]] " ") == 0) next
      print "security.provider." ++n "=" name; next
    }
    { print }' "$conf" >"$conf.tmp"
  mv "$conf.tmp" "$conf"
}

# cds_archive DIR JAVA...: a CDS archive, DIR/lib/slimbuild.jsa, of the JDK classes that the
# training run loads (JDK 17: the class list of one run, then -Xshare:dump). Only the JDK's: a
# JDK 17 archive holding the jar's classes names the jar by the absolute path it had at dump time
# and is refused anywhere else (JDK 25's AOT cache may move with the jar).
cds_archive() {
  local s=$1
  shift
  train "$@" $flags -XX:DumpLoadedClassList="$work/classes.lst" -cp "$s/lib/slimbuild.jar" \
    >"$work/train.log" 2>&1 || { cat "$work/train.log" >&2; return 1; }
  "$@" $flags -Xshare:dump -XX:SharedClassListFile="$work/classes.lst" \
    -XX:SharedArchiveFile="$s/lib/slimbuild.jsa" >"$work/dump.log" 2>&1 \
    || { cat "$work/dump.log" >&2; return 1; }
}

release_amd64() {
  local s
  s=$(stage amd64)
  if [[ -x "$JDK25/bin/jlink" ]]; then
    say "amd64: runtime from $JDK25 ($("$JDK25/bin/java" -XshowSettings:properties -version 2>&1 \
      | sed -n 's/^ *java.runtime.version = //p'))"
    # --strip-debug: no Java debug attributes and no native debug symbols. No --compress: a
    # compressed image reads slower and the .tar.gz is smaller without it.
    link_runtime "$JDK25/bin/jlink" "$s/runtime" --strip-debug
    prune_providers "$s/runtime"
    fix_times "$s"
    say "amd64: training the AOT cache"
    train "$s/runtime/bin/java" $flags -XX:AOTCacheOutput="$s/lib/slimbuild.aot" \
      -Xlog:aot=off -Xlog:cds=off -cp "$s/lib/slimbuild.jar" >"$work/aot.log" 2>&1 \
      || { cat "$work/aot.log" >&2; die "amd64: the AOT training run failed"; }
  else
    local jdk17
    jdk17=$(dirname "$(dirname "$(readlink -f "$(command -v jlink)")")")
    say "amd64: no JDK 25 at $JDK25; runtime from $jdk17's jmods, with a CDS archive"
    link_runtime jlink "$s/runtime" --module-path "$jdk17/jmods" --strip-debug
    prune_providers "$s/runtime"
    fix_times "$s"
    cds_archive "$s" "$s/runtime/bin/java" || die "amd64: the CDS dump failed"
  fi
  pack "$s"
}

# debs PACKAGE=VERSION...: downloads them into CACHE (once) and prints their paths.
debs() {
  local p name ver arch f
  for p in "$@"; do
    name=${p%%=*} ver=${p#*=} arch=${name#*:}
    name=${name%%:*}
    f=$(compgen -G "$CACHE/${name}_${ver//:/%3a}_$arch.deb" | head -n 1 || true)
    if [[ -z "$f" ]]; then
      (cd "$CACHE" && apt-get download "$name:$arch=$ver") >"$work/apt.log" 2>&1 \
        || { cat "$work/apt.log" >&2; die "cannot download $name:$arch=$ver"; }
      f=$(compgen -G "$CACHE/${name}_${ver//:/%3a}_$arch.deb" | head -n 1) \
        || die "no $name $ver deb in $CACHE after downloading it"
    fi
    echo "$f"
  done
}

# candidate PACKAGE: the version apt would install.
candidate() { apt-cache policy "$1" | sed -n 's/^ *Candidate: //p'; }

release_arm64() {
  local s v jdk arm sysroot deb
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    [[ "$(id -u)" == 0 ]] || die "dpkg has no arm64 architecture; run as root to add it"
    dpkg --add-architecture arm64
    apt-get update -qq
  fi
  v=$(candidate openjdk-17-jdk-headless:arm64)
  [[ -n "$v" && "$v" != "(none)" ]] || die "apt has no openjdk-17-jdk-headless:arm64"
  say "arm64: Debian's JDK $v (its arm64 jmods, its amd64 jlink)"
  jdk=$work/jdk-amd64 arm=$work/jdk-arm64 sysroot=$work/sysroot-arm64
  for deb in $(debs "openjdk-17-jdk-headless:amd64=$v" "openjdk-17-jre-headless:amd64=$v"); do
    dpkg-deb -x "$deb" "$jdk"
  done
  dpkg-deb -x "$(debs "openjdk-17-jdk-headless:arm64=$v")" "$arm"
  # the package's absolute links into /etc (jvm.cfg, security files) lead into the extracted copy
  find "$jdk" -type l -lname '/etc/*' -exec sh -c \
    'for l; do ln -sfn "$0$(readlink "$l")" "$l"; done' "$jdk" {} +
  s=$(stage arm64)
  # --strip-debug would run the host's objcopy on arm64 binaries; Debian's are stripped already
  link_runtime "$jdk/usr/lib/jvm/java-17-openjdk-amd64/bin/jlink" "$s/runtime" \
    --module-path "$arm/usr/lib/jvm/java-17-openjdk-arm64/jmods" --strip-java-debug-attributes
  prune_providers "$s/runtime"
  fix_times "$s"
  [[ "$(id -u)" != 0 ]] || apt_need qemu-aarch64-static=qemu-user-static
  if command -v qemu-aarch64-static >/dev/null; then
    say "arm64: dumping the CDS archive under qemu-aarch64-static (slow)"
    for deb in $(debs "libc6:arm64=$(candidate libc6:arm64)" \
        "libstdc++6:arm64=$(candidate libstdc++6:arm64)" \
        "libgcc-s1:arm64=$(candidate libgcc-s1:arm64)" "zlib1g:arm64=$(candidate zlib1g:arm64)"); do
      dpkg-deb -x "$deb" "$sysroot"
    done
    cds_archive "$s" qemu-aarch64-static -L "$sysroot" "$s/runtime/bin/java" \
      || { rm -f "$s/lib/slimbuild.jsa"; say "arm64: the CDS dump failed under qemu; no archive"; }
  else
    say "arm64: no qemu-aarch64-static, so no class-data archive: the launcher runs without one"
  fi
  pack "$s"
}

for p in $PLATFORMS; do
  "release_$p"
done
. scripts/release/executor.sh
[[ "${EXECUTOR_IMAGE:-1}" == 0 ]] || executor_image
(cd "$DIST" && sha256sum slimbuild-"$version"-linux-*.tar.gz \
  $(compgen -G "slimbuild-executor-$version.oci.tar") >"slimbuild-$version.sha256")
say "done: $DIST"
