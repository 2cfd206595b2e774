#!/usr/bin/env bash
# Build the VS Code extension into a .vsix (type check, server wheels, bundle, package) and print
# its path as the last line. Installs the npm dependencies first when package-lock.json changed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"   # the .venv whose pip builds the server wheels
cd "$ROOT"
source "$ROOT/scripts/_npm.sh"
npm run --silent vsix >&2
ls -t "$ROOT"/vscode-extension/wishful-*.vsix | head -1
