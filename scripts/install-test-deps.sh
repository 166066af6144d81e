#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, only when something is missing.
# Safe to run repeatedly; does nothing on a machine that already has everything.
set -euo pipefail

# command-or-file -> Debian package
declare -A need=(
  [skopeo]=skopeo
  [umoci]=umoci
  [zstd]=zstd
  [bwrap]=bubblewrap
  [proot]=proot
  [qemu-aarch64-static]=qemu-user-static
)

missing=()
for cmd in "${!need[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${need[$cmd]}")
done

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
