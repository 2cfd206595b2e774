#!/usr/bin/env bash
# Install the editors tests/test_editors.py drives: Neovim, Emacs (no X) and eglot, from the
# distribution (Debian/Ubuntu apt). Idempotent: does nothing when all three are installed, and
# runs `apt-get update` only when a package cannot be installed from the current lists.
# Then it runs scripts/install-vscode.sh, which installs what tests/test_vscode_e2e.py drives
# (code-server, Chromium, playwright-core).
# Needs root (or sudo). CI runs it, then the tests with WISHFUL_REQUIRE_EDITORS=1.
set -euo pipefail
install_vscode="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/install-vscode.sh"

PACKAGES=(neovim emacs-nox elpa-eglot)

installed() {
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = "installed" ]
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  installed "$pkg" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "editors already installed: ${PACKAGES[*]}"
  exec "$install_vscode"
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-editors.sh needs apt-get (Debian/Ubuntu); install ${missing[*]} yourself" >&2
  exit 1
fi
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "run as root or install sudo" >&2; exit 1; }
  SUDO=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive

apt_install() {
  "${SUDO[@]}" apt-get install -y -q --no-install-recommends "$@"
}

has_candidate() {
  apt-cache policy "$1" 2>/dev/null | grep -q 'Candidate: [^(]'
}

# `apt-get update` only when needed: the lists lack a package (fresh containers have no lists),
# or they are stale (the install fails downloading); then update and try once more.
need_update=0
for pkg in "${missing[@]}"; do
  has_candidate "$pkg" || need_update=1
done
if [ $need_update -eq 1 ]; then
  echo "==> apt-get update (the package lists do not have all of: ${missing[*]})"
  "${SUDO[@]}" apt-get update -q
  apt_install "${missing[@]}"
elif ! apt_install "${missing[@]}"; then
  echo "==> apt-get update (installing from the current lists failed)"
  "${SUDO[@]}" apt-get update -q
  apt_install "${missing[@]}"
fi

for pkg in "${PACKAGES[@]}"; do
  installed "$pkg" || { echo "$pkg did not install" >&2; exit 1; }
done
echo "installed: ${missing[*]}"
nvim --version | head -n 1
emacs --version | head -n 1
exec "$install_vscode"
