# shellcheck shell=bash
# Debian 12 packages Slotcast needs, by purpose, and an installer that only
# calls apt-get when something is missing. Sourced by tools/serve and
# tools/test.

SLOTCAST_BUILD_DEPS=(
  meson ninja-build pkg-config gcc
  libglib2.0-dev libsoup-3.0-dev libjson-glib-dev libsqlite3-dev libssl-dev
  glib-networking
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstrtspserver-1.0-dev
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly gstreamer1.0-rtsp gstreamer1.0-x
  desktop-file-utils shared-mime-info
)

SLOTCAST_TEST_DEPS=(
  curl jq sqlite3 clang libclang-rt-14-dev
  gstreamer1.0-tools gstreamer1.0-libav
  ffmpeg dbus-daemon
  chromium fonts-dejavu-core
)

# The browser suite runs playwright-core (tests/browser/package-lock.json)
# on the machine's Node.js (20 or newer, with npm) against Debian's
# chromium; no browser is ever downloaded.
slotcast_install_browser_tests () {
  local dir=$1
  if ! command -v npm >/dev/null; then
    slotcast_install nodejs npm
  fi
  [ -d "$dir/node_modules/playwright-core" ] && return 0
  echo "Installing playwright-core into $dir/node_modules" >&2
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$dir" --no-audit --no-fund >&2
}

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
