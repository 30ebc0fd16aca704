#!/usr/bin/env bash
# A Debian trixie root with RAUC 1.13 for the real-RAUC tests (test/harness/rauc-root.ts runs RAUC from
# it in a private mount namespace). Built once with mmdebstrap (as root, from Debian's default mirror)
# and cached under .cache/rauc-root/<recipe hash>/, so a changed recipe gives a new root.
#
#   scripts/rauc-root.sh build   # build unless cached; prints the root's path
#   scripts/rauc-root.sh path    # prints the root's path; fails when it is not built
#   scripts/rauc-root.sh clean   # removes every cached root
set -euo pipefail
cd "$(dirname "$0")/.."

# The recipe: change any of it and the root is built anew in a new directory.
suite=trixie
variant=apt
include=rauc,dbus,squashfs-tools
recipe="mmdebstrap --variant=$variant --include=$include $suite"

cache="$PWD/.cache/rauc-root"
hash="$(printf '%s\n' "$recipe" | sha256sum | cut -c1-12)"
root="$cache/$suite-$hash"

usage() {
  echo "usage: $0 build|path|clean" >&2
  exit 2
}

built() {
  [ -f "$root/.complete" ]
}

build() {
  if built; then
    echo "$root"
    return
  fi
  [ "$(id -u)" = 0 ] || { echo "$0 build: needs root (mmdebstrap, then chroot)" >&2; exit 1; }
  command -v mmdebstrap >/dev/null || { echo "$0 build: needs mmdebstrap (Debian: apt-get install mmdebstrap)" >&2; exit 1; }
  mkdir -p "$cache"
  # One build at a time: parallel test workers may all ask for the root at once.
  exec 9>"$cache/.lock"
  flock 9
  if built; then
    echo "$root"
    return
  fi
  local partial="$root.partial"
  rm -rf "$partial"
  echo "building the RAUC root: $recipe" >&2
  # shellcheck disable=SC2086 # the recipe's words are meant to split
  if ! $recipe "$partial" >"$cache/build.log" 2>&1; then
    tail -n 20 "$cache/build.log" >&2
    rm -rf "$partial"
    echo "$0 build: mmdebstrap failed (log: $cache/build.log)" >&2
    exit 1
  fi
  local version
  version="$(chroot "$partial" rauc --version)"
  printf '%s\n%s\n' "$recipe" "$version" >"$partial/.complete"
  # Roots of older recipes are of no use any more.
  find "$cache" -mindepth 1 -maxdepth 1 -type d -name "$suite-*" ! -name "$suite-$hash.partial" -exec rm -rf {} +
  mv "$partial" "$root"
  echo "built $root ($version)" >&2
  echo "$root"
}

case "${1:-}" in
  build) build ;;
  path)
    built || { echo "no RAUC root for this recipe at $root: run scripts/rauc-root.sh build (as root)" >&2; exit 1; }
    echo "$root"
    ;;
  clean) rm -rf "$cache" ;;
  *) usage ;;
esac
