# The executor image (scripts/release/executor.Dockerfile), built by slimbuild itself from the
# release tarballs and Debian's packages of each architecture. Sourced by scripts/release.sh
# after the tarballs are made; uses its say, die, debs, candidate, work, DIST, CACHE, version,
# jar and PLATFORMS.
#
# Environment (see scripts/release.sh): EXECUTOR_IMAGE=0 (no image), RELEASE_REGISTRY
# (HOST[:PORT][/PATH]: also push REGISTRY/slimbuild/executor:VERSION there), SLIMBUILD_SIGN_KEY
# (a cosign key: sign what is pushed; its password in COSIGN_PASSWORD), EXECUTOR_MAX_SIZE (the
# compressed size no platform may exceed; default 60MB).

# The layers' zstd level. The jar is stored (scripts/release/StoreJar.java), so zstd compresses
# its classes together: at level 9 the amd64 image is 46.7 MB, compressed in seconds (level 3
# made it 5.6 MB bigger; level 19 took minutes per platform here).
EXECUTOR_LEVEL=9

# deb_control DEB ROOT: DEB's control file as ROOT/var/lib/dpkg/status.d/PACKAGE, where the
# image's SBOM finds it (as in distroless images: there is no dpkg status file).
deb_control() {
  mkdir -p "$2/var/lib/dpkg/status.d"
  dpkg-deb -f "$1" >"$2/var/lib/dpkg/status.d/$(dpkg-deb -f "$1" Package)"
}

# deb_of PACKAGE ARCH: the path of the package's .deb (downloaded once) at apt's candidate
# version: for ARCH, or for all when the package is architecture-independent.
deb_of() {
  local a v
  a=$(apt-cache show --no-all-versions "$1" 2>/dev/null | sed -n 's/^Architecture: //p' | head -n 1)
  [[ "$a" == all ]] || a=$2
  v=$(candidate "$1:$a")
  [[ -n "$v" && "$v" != "(none)" ]] || die "executor: apt has no $1 for $2"
  debs "$1:$a=$v"
}

# deb_into ROOT ARCH PACKAGE...: the packages unpacked into ROOT, without documentation.
deb_into() {
  local root=$1 arch=$2 p deb
  shift 2
  for p in "$@"; do
    deb=$(deb_of "$p" "$arch")
    dpkg-deb -x "$deb" "$root"
    deb_control "$deb" "$root"
  done
  rm -rf "$root"/usr/share/{doc,man,info,lintian,locale,bug}
}

# needed_sonames ROOT: the shared libraries ELF files under ROOT name (DT_NEEDED), one a line.
needed_sonames() {
  find "$1" -type f \( -name '*.so*' -o -perm -u+x \) -exec sh -c \
    'for f; do readelf -d "$f" 2>/dev/null; done' sh {} + \
    | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p' | sort -u
}

# executor_context ARCH CTX: the image's files for ARCH under CTX/ARCH/{base,sandboxes,runtime,
# slimbuild}, one directory a layer.
executor_context() {
  local arch=$1 dir=$2/$1 emulated tarball unpacked top name bundle
  case $arch in
    amd64) emulated=aarch64 ;;
    arm64) emulated=x86_64 ;;
  esac
  tarball=$DIST/slimbuild-$version-linux-$arch.tar.gz
  [[ -f "$tarball" ]] || die "executor: no $tarball"
  mkdir -p "$dir"/{base,sandboxes,runtime,slimbuild}

  # base: libc, busybox and its applets (listed by the amd64 binary, which runs here: both are
  # built from one source with one configuration), CA certificates, users, os-release
  local base=$dir/base scratch=$work/executor-debs-$arch deb
  deb_into "$base" "$arch" libc6 busybox
  rm -rf "$base"/usr/lib/*-linux-gnu/gconv # iconv's character sets: nothing here uses them
  if [[ ! -x "$work/busybox-amd64/bin/busybox" ]]; then
    dpkg-deb -x "$(deb_of busybox amd64)" "$work/busybox-amd64"
  fi
  while read -r name; do
    [[ "$name" == linuxrc || -e "$base/$name" || -L "$base/$name" ]] && continue
    mkdir -p "$base/$(dirname "$name")"
    ln -s /bin/busybox "$base/$name"
  done < <("$work/busybox-amd64/bin/busybox" --list-full)
  [[ -L "$base/bin/sh" ]] || die "executor: busybox has no sh applet"
  rm -rf "$scratch"
  mkdir -p "$scratch"
  for name in ca-certificates base-files; do
    deb=$(deb_of "$name" "$arch")
    dpkg-deb -x "$deb" "$scratch/$name"
    deb_control "$deb" "$base"
  done
  # the bundle update-ca-certificates would write: every Mozilla certificate, in name order
  mkdir -p "$base/etc/ssl/certs"
  bundle=$base/etc/ssl/certs/ca-certificates.crt
  : >"$bundle"
  while read -r name; do
    cat "$name" >>"$bundle"
  done < <(find "$scratch/ca-certificates/usr/share/ca-certificates/mozilla" -name '*.crt' | LC_ALL=C sort)
  [[ -s "$bundle" ]] || die "executor: no CA certificates in the ca-certificates package"
  install -D -m 644 "$scratch/base-files/usr/lib/os-release" "$base/usr/lib/os-release"
  ln -s ../usr/lib/os-release "$base/etc/os-release"
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' \
    >"$base/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$base/etc/group"
  mkdir -p "$base"/{dev,proc,sys,run,tmp,var/tmp,root,workspace}
  chmod 1777 "$base/tmp" "$base/var/tmp"
  chmod 700 "$base/root"
  chmod 777 "$base/workspace"

  # sandboxes: bwrap and proot with their libraries, and one emulator out of qemu-user-static
  local sandboxes=$dir/sandboxes
  deb_into "$sandboxes" "$arch" bubblewrap libcap2 libselinux1 libpcre2-8-0 proot libtalloc2
  deb=$(deb_of qemu-user-static "$arch")
  dpkg-deb --fsys-tarfile "$deb" | tar -xf - -C "$sandboxes" "./usr/bin/qemu-$emulated-static"
  deb_control "$deb" "$sandboxes"
  rm -rf "$sandboxes"/usr/lib/*-linux-gnu/libpsx* # libcap2's POSIX-semantics helper: unused

  # the tarball: the runtime in one layer, the rest of slimbuild (without man pages and
  # completion: the image has neither man nor bash) in the next
  unpacked=$work/executor-tarball-$arch
  rm -rf "$unpacked"
  mkdir -p "$unpacked"
  tar -xzf "$tarball" -C "$unpacked"
  top=$unpacked/slimbuild-$version-linux-$arch
  mkdir -p "$dir/runtime/opt/slimbuild" "$dir/slimbuild/opt/slimbuild" "$dir/slimbuild/usr/local/bin"
  mv "$top/runtime" "$dir/runtime/opt/slimbuild/runtime"
  mv "$top/bin" "$top/lib" "$dir/slimbuild/opt/slimbuild/"
  ln -s /opt/slimbuild/bin/slimbuild "$dir/slimbuild/usr/local/bin/slimbuild"
  ln -s /opt/slimbuild/bin/executor "$dir/slimbuild/usr/local/bin/executor"
  # the runtime's libraries that libc6 does not hold (Debian's JDK links libstdc++ and zlib;
  # Temurin's does not)
  local have needs=()
  have=$(find "$dir" -name '*.so*' -printf '%f\n' | sort -u)
  while read -r name; do
    grep -qxF "$name" <<<"$have" && continue
    case $name in
      libstdc++.so.6) needs+=(libstdc++6) ;;
      libgcc_s.so.1) needs+=(libgcc-s1) ;;
      libz.so.1) needs+=(zlib1g) ;;
      *) die "executor: $name (needed by the $arch runtime) is in no package this script knows" ;;
    esac
  done < <(needed_sonames "$dir/runtime")
  ((${#needs[@]} == 0)) || deb_into "$dir/runtime" "$arch" "${needs[@]}"

  # every library a binary names is in the image
  have=$(find "$dir" -name '*.so*' -printf '%f\n' | sort -u)
  while read -r name; do
    grep -qxF "$name" <<<"$have" || die "executor: $arch: no $name in the image, but a binary needs it"
  done < <(needed_sonames "$dir")
}

# executor_image: builds the image for PLATFORMS into DIST/slimbuild-executor-VERSION.oci.tar (an
# OCI layout tarball, tag VERSION, with each platform's SBOM and provenance), and with
# RELEASE_REGISTRY also pushes it there (signed with SLIMBUILD_SIGN_KEY when given).
executor_image() {
  local ctx=$work/executor p platforms=() out args
  command -v readelf >/dev/null || die "executor: needs readelf (package binutils)"
  for p in $PLATFORMS; do
    say "executor: $p files"
    executor_context "$p" "$ctx"
    platforms+=("linux/$p")
  done
  out=$DIST/slimbuild-executor-$version.oci.tar
  args=(build --progress plain --file "$repo/scripts/release/executor.Dockerfile"
    --platform "$(IFS=,; echo "${platforms[*]}")" --compression zstd
    --compression-level "$EXECUTOR_LEVEL" --max-size "${EXECUTOR_MAX_SIZE:-60MB}"
    --sbom=true --provenance=mode=min
    --label "org.opencontainers.image.title=slimbuild executor"
    --label "org.opencontainers.image.version=$version"
    --metadata-file "$work/executor-metadata.json" -o "type=oci,dest=$out")
  # one name: --push pushes every name, and the layout's tag is the name's (VERSION either way)
  if [[ -n "${RELEASE_REGISTRY:-}" ]]; then
    args+=(--tag "$RELEASE_REGISTRY/slimbuild/executor:$version" --push)
    [[ -z "${SLIMBUILD_SIGN_KEY:-}" ]] || args+=(--sign-key "$SLIMBUILD_SIGN_KEY")
  else
    args+=(--tag "slimbuild/executor:$version")
    [[ -z "${SLIMBUILD_SIGN_KEY:-}" ]] \
      || say "executor: not signed: SLIMBUILD_SIGN_KEY needs RELEASE_REGISTRY (signatures live in a registry)"
  fi
  say "executor: building $(IFS=,; echo "${platforms[*]}") (zstd level $EXECUTOR_LEVEL)"
  # a store of its own: the release leaves nothing in the user's
  env SLIMBUILD_STORE="$work/executor-store" TMPDIR="$work" \
    java -jar "$jar" "${args[@]}" "$ctx" >"$work/executor.out" 2>"$work/executor.log" \
    || { cat "$work/executor.log" >&2; die "executor: the image build failed"; }
  grep -E '^linux/[a-z0-9]+: [0-9]+ layers' "$work/executor.log" | sed 's/^/release: executor: /' >&2
  install -m 644 "$work/executor-metadata.json" "$DIST/slimbuild-executor-$version.metadata.json"
  chmod 644 "$out"
  say "executor: $out ($(cat "$work/executor.out"))"
}
