#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, only when something is missing.
# Safe to run repeatedly; does nothing on a machine that already has everything.
set -euo pipefail

# command-or-file -> Debian package (a path for what is not on a user's PATH)
declare -A need=(
  [skopeo]=skopeo
  [umoci]=umoci
  [zstd]=zstd
  [qemu-aarch64-static]=qemu-user-static
  [proot]=proot
  [docker-registry]=docker-registry
  [htpasswd]=apache2-utils
  [openssl]=openssl
  [bwrap]=bubblewrap
  [debootstrap]=debootstrap
  [setpriv]=util-linux
  [fsck.erofs]=erofs-utils
  [gcc]=gcc
  [git]=git
  [tmux]=tmux
  [podman]=podman
  [file]=file
  # SshMountIT: a loopback sshd serving a git repository, an ssh-agent holding the key
  [/usr/sbin/sshd]=openssh-server
  [ssh-agent]=openssh-client
  [asciidoctor]=asciidoctor
  # ExecutorImageIT: the release checks that the image holds every library its binaries name
  [readelf]=binutils
)

missing=()
for cmd in "${!need[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${need[$cmd]}")
done

# IsolationIT compiles a static openat2(2) probe: the C library's static archive and headers
[ -e /usr/include/linux/openat2.h ] && [ -e /usr/include/stdio.h ] \
  && compgen -G "/usr/lib/*-linux-gnu/libc.a" >/dev/null || missing+=(libc6-dev)

if ((${#missing[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-test-deps: missing ${missing[*]}; run as root or install them" >&2
    exit 1
  fi
  echo "install-test-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The busybox base-image fixture downloads busybox-static for arm64 as well as amd64.
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-test-deps: dpkg has no arm64 architecture; run as root to add it" >&2
    exit 1
  fi
  dpkg --add-architecture arm64
  apt-get update -qq
fi
