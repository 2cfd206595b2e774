#!/usr/bin/env bash
# Install what tests/test_vscode_e2e.py drives: VS Code in the browser (code-server) and a
# headless Chromium controlled by playwright-core.
#
#   - apt (Debian/Ubuntu): chromium, ripgrep, libkrb5-dev, build-essential, only those missing
#     (`apt-get update` runs only when something has to be installed)
#   - npm: code-server and playwright-core, pinned, into .cache/vscode-e2e/ (skipped when both
#     are already there in the pinned versions)
#
# Idempotent; a second run takes a few seconds. Needs Node 20 and npm (code-server 4.100.3 is
# the newest release that runs on Node 20), and root or sudo for apt. Only the npm registry and
# the distribution's package archive are contacted: code-server's install steps that would
# download from GitHub are served locally (see the ripgrep step below).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/.cache/vscode-e2e"   # where tests/test_vscode_e2e.py looks
CODE_SERVER_VERSION=4.100.3
PLAYWRIGHT_VERSION=1.65.1
APT_PACKAGES=(chromium ripgrep libkrb5-dev build-essential)

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }
START=$(now)

# --- distribution packages -------------------------------------------------------------------
# chromium: the browser playwright-core drives (playwright's own browser download is not used)
# ripgrep: stands in for the ripgrep binary @vscode/ripgrep would download from GitHub
# libkrb5-dev, build-essential: code-server's native modules (kerberos, node-pty, argon2, ...)
#   are compiled from source, since their prebuilt binaries come from GitHub too
installed() {
  dpkg -s "$1" >/dev/null 2>&1 &&
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = "installed" ]
}
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  installed "$pkg" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "==> apt packages already installed: ${APT_PACKAGES[*]}"
else
  command -v apt-get >/dev/null 2>&1 || {
    echo "install-vscode.sh needs apt-get (Debian/Ubuntu); install ${missing[*]} yourself" >&2
    exit 1
  }
  SUDO=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "run as root or install sudo" >&2; exit 1; }
    SUDO=(sudo)
  fi
  t=$(now)
  echo "==> apt-get update, then install: ${missing[*]}"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}"
  for pkg in "${missing[@]}"; do
    installed "$pkg" || { echo "$pkg did not install" >&2; exit 1; }
  done
  echo "==> apt: $(since "$t")"
fi

# --- code-server and playwright-core ---------------------------------------------------------
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || {
  echo "install-vscode.sh needs Node.js 20 and npm" >&2
  exit 1
}
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" != 20 ]; then
  echo "code-server $CODE_SERVER_VERSION runs on Node 20 only; this is Node $(node --version)" >&2
  exit 1
fi

CODE_SERVER="$DEST/node_modules/.bin/code-server"
# Its version ("4.100.3 <commit> with Code 1.100.3"). code-server writes a default config file and
# its own logs on every start, even for --version: keep both inside $DEST, not in $HOME.
current_code_server() {
  [ -x "$CODE_SERVER" ] || return 0
  XDG_DATA_HOME="$DEST/data" "$CODE_SERVER" --config "$DEST/config.yaml" --version 2>/dev/null |
    grep -Eo '^[0-9]+\.[0-9]+\.[0-9]+' | head -n 1
}
current_playwright() {
  node -p "require('$DEST/node_modules/playwright-core/package.json').version" 2>/dev/null
}

if [ "$(current_code_server || true)" = "$CODE_SERVER_VERSION" ] &&
   [ "$(current_playwright || true)" = "$PLAYWRIGHT_VERSION" ]; then
  echo "==> code-server $CODE_SERVER_VERSION and playwright-core $PLAYWRIGHT_VERSION already in $DEST"
else
  t=$(now)
  mkdir -p "$DEST"
  # its own package.json, so npm installs here and not into the repository's npm workspace
  [ -f "$DEST/package.json" ] ||
    printf '{\n  "name": "wishful-vscode-e2e",\n  "private": true\n}\n' > "$DEST/package.json"

  # code-server's shrinkwrap pins @vscode/ripgrep 1.15.11, whose install step downloads ripgrep
  # 13.0.0 from GitHub after first looking for the archive in
  # "$TMPDIR/vscode-ripgrep-cache-1.15.11/". Put the distribution's rg (13.0.0 too) there.
  case "$(uname -m)" in
    x86_64) rg_target=x86_64-unknown-linux-musl ;;
    aarch64) rg_target=aarch64-unknown-linux-musl ;;
    *) echo "no ripgrep target known for $(uname -m)" >&2; exit 1 ;;
  esac
  npm_tmp=$(mktemp -d -t wishful-vscode-install.XXXXXX)
  trap 'rm -rf "$npm_tmp"' EXIT
  mkdir "$npm_tmp/vscode-ripgrep-cache-1.15.11" "$npm_tmp/rg"
  cp "$(command -v rg)" "$npm_tmp/rg/rg"
  tar -czf "$npm_tmp/vscode-ripgrep-cache-1.15.11/ripgrep-v13.0.0-10-$rg_target.tar.gz" \
    -C "$npm_tmp/rg" rg

  echo "==> npm install code-server@$CODE_SERVER_VERSION playwright-core@$PLAYWRIGHT_VERSION into $DEST"
  # npm_config_unsafe_perm: code-server's install script refuses to run as root otherwise
  # npm_config_yes: node-pty's install script runs `npx node-gyp`, which must not ask
  (cd "$DEST" &&
    TMPDIR="$npm_tmp" npm_config_unsafe_perm=true npm_config_yes=true \
      npm install --no-audit --no-fund --save-exact \
      "code-server@$CODE_SERVER_VERSION" "playwright-core@$PLAYWRIGHT_VERSION")
  got=$(current_code_server || true)
  [ "$got" = "$CODE_SERVER_VERSION" ] || {
    echo "code-server in $DEST reports version '${got}', expected $CODE_SERVER_VERSION" >&2
    exit 1
  }
  echo "==> npm: $(since "$t")"
fi

echo "code-server $(current_code_server) ($CODE_SERVER)"
echo "playwright-core $(current_playwright) ($DEST/node_modules/playwright-core)"
chromium --version 2>/dev/null || true
echo "==> install-vscode.sh: $(since "$START")"
