# shellcheck shell=bash
# Debian 12 packages Slotcast needs, by purpose, and an installer that only
# calls apt-get when something is missing. Sourced by tools/serve and
# tools/test.

SLOTCAST_BUILD_DEPS=(
  meson ninja-build pkg-config gcc
  libglib2.0-dev libsoup-3.0-dev libjson-glib-dev libsqlite3-dev libssl-dev
  glib-networking
)

SLOTCAST_TEST_DEPS=(
  curl jq sqlite3 clang libclang-rt-14-dev
)

slotcast_install () {
  local missing=()
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" \
      || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing: ${missing[*]}" >&2
  local sudo=
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}
