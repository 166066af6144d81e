#!/usr/bin/env bash
# Fetches Debian 13 (trixie) builds of cosign and skopeo, and Debian 14 (forky)'s cosign 3, for
# signature interop tests, without installing them: a private apt state directory per suite,
# `apt-get download`, `dpkg-deb -x` into a cache. Debian 12's skopeo is built without sigstore
# support and Debian 12 has no cosign. cosign 2.5 (trixie) cannot sign or verify image signatures
# as sigstore bundles (`sign --new-bundle-format` came in cosign 2.6); cosign 3 writes and checks
# them by default.
#
# Idempotent: a second run only checks the tools still start. Prints, on stdout:
#   cosign=/path/to/cosign      (2.5, trixie)
#   skopeo=/path/to/skopeo      (a wrapper that starts skopeo with trixie's own libc)
#   cosign3=/path/to/cosign     (3.x, forky; a static Go binary that runs on Debian 12)
# Everything else goes to stderr. Exit status is non-zero when the tools can't be made.
#
# Environment:
#   SLIMBUILD_TOOLS_CACHE   cache directory (default ${XDG_CACHE_HOME:-$HOME/.cache}/slimbuild-tools)
#   SLIMBUILD_DEBIAN_MIRROR Debian archive URI (default: the one this machine's apt uses)
set -euo pipefail

cache="${SLIMBUILD_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/slimbuild-tools}"
suite=trixie
base="$cache/$suite"
bin="$cache/bin"
# cosign 3 comes from Debian testing, whose name is fixed until it is released.
suite3=forky
base3="$cache/$suite3"
# skopeo's shared libraries, as trixie names them; cosign is a static Go binary.
skopeo_libs=(libc6 libgpgme11t64 libassuan9 libgpg-error0 libsqlite3-0)

log() { echo "fetch-trixie-tools: $*" >&2; }

trixie_tools_work() {
  [ -x "$bin/cosign" ] && [ -x "$bin/skopeo" ] \
    && "$bin/cosign" version >/dev/null 2>&1 \
    && "$bin/skopeo" --version >/dev/null 2>&1
}

# cosign 3 hides the deprecated --new-bundle-format (its default); --use-signing-config came with
# bundle signing (2.6).
cosign3_works() {
  local help
  [ -x "$bin/cosign3" ] && "$bin/cosign3" version >/dev/null 2>&1 \
    && help=$("$bin/cosign3" sign --help 2>&1) && [[ "$help" == *--use-signing-config* ]]
}

tools_work() {
  trixie_tools_work && cosign3_works
}

print_paths() {
  echo "cosign=$bin/cosign"
  echo "skopeo=$bin/skopeo"
  echo "cosign3=$bin/cosign3"
}

# The Debian archive this machine's apt already uses (deb822 or one-line format).
debian_mirror() {
  if [ -n "${SLIMBUILD_DEBIAN_MIRROR:-}" ]; then
    echo "$SLIMBUILD_DEBIAN_MIRROR"
    return
  fi
  local uri=""
  if [ -r /etc/apt/sources.list.d/debian.sources ]; then
    uri=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
  fi
  if [ -z "$uri" ] && [ -r /etc/apt/sources.list ]; then
    uri=$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) {print $i; exit}}' \
      /etc/apt/sources.list)
  fi
  if [ -z "$uri" ]; then
    log "cannot find a Debian archive in apt's sources; set SLIMBUILD_DEBIAN_MIRROR"
    return 1
  fi
  echo "$uri"
}

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

if tools_work; then
  print_paths
  exit 0
fi

command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || {
  log "needs apt-get and dpkg-deb (a Debian-based machine)"
  exit 1
}

mirror=$(debian_mirror)
arch=$(dpkg --print-architecture)
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

# apt_for SUITE DIR: sets apt_opts to a private apt state in DIR naming SUITE, and reads its lists.
apt_for() {
  local s="$1" dir="$2"
  mkdir -p "$dir/etc/sources.list.d" "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/debs"
  echo "deb [arch=$arch signed-by=$keyring] $mirror $s main" >"$dir/etc/sources.list"
  apt_opts=(
    -o "Dir::Etc::SourceList=$dir/etc/sources.list"
    -o "Dir::Etc::SourceParts=$dir/etc/sources.list.d"
    -o "Dir::State::Lists=$dir/lists"
    -o "Dir::Cache=$dir/cache"
    -o "APT::Sandbox::User=$(id -un)"
    -o "Debug::NoLocking=true"
    -qq
  )
  log "reading $s's package lists"
  apt-get "${apt_opts[@]}" --error-on=any update >&2
}

mkdir -p "$bin"
if ! cosign3_works; then
  apt_for "$suite3" "$base3"
  log "downloading $suite3's cosign"
  (cd "$base3/debs" && rm -f ./*.deb && apt-get "${apt_opts[@]}" download cosign >&2)
  rm -rf "$base3/root.new"
  mkdir -p "$base3/root.new"
  dpkg-deb -x "$base3"/debs/cosign_*.deb "$base3/root.new"
  rm -rf "$base3/root"
  mv "$base3/root.new" "$base3/root"
  ln -sfn "$base3/root/usr/bin/cosign" "$bin/cosign3"
  if ! cosign3_works; then
    log "$suite3's cosign does not start or cannot sign in the bundle format:"
    "$bin/cosign3" version >&2 || true
    exit 1
  fi
fi

if trixie_tools_work; then
  print_paths
  exit 0
fi

apt_for "$suite" "$base"
log "downloading cosign skopeo ${skopeo_libs[*]}"
(cd "$base/debs" && rm -f ./*.deb && apt-get "${apt_opts[@]}" download cosign skopeo "${skopeo_libs[@]}" >&2)

root_new="$base/root.new"
rm -rf "$root_new"
mkdir -p "$root_new"
for deb in "$base"/debs/*.deb; do
  dpkg-deb -x "$deb" "$root_new"
done
rm -rf "$base/root"
mv "$root_new" "$base/root"
root="$base/root"

loader=$(find "$root" -name 'ld-linux*.so.*' \( -type f -o -type l \) | sort | head -n 1)
[ -n "$loader" ] || { log "no dynamic loader in trixie's libc6"; exit 1; }
libpath=$(find "$root" -type d \( -path '*/lib/*-linux-gnu' -o -path '*/lib64' \) | sort | paste -sd: -)

ln -sfn "$root/usr/bin/cosign" "$bin/cosign"
cat >"$bin/skopeo.new" <<EOF
#!/bin/sh
# skopeo from Debian $suite, started with $suite's own libc (made by fetch-trixie-tools.sh).
exec "$loader" --library-path "$libpath" "$root/usr/bin/skopeo" "\$@"
EOF
chmod 755 "$bin/skopeo.new"
mv "$bin/skopeo.new" "$bin/skopeo"

if ! tools_work; then
  log "the fetched tools do not start:"
  "$bin/cosign" version >&2 || true
  "$bin/skopeo" --version >&2 || true
  exit 1
fi
print_paths
