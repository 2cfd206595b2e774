# Shared by the scripts that need the extension's npm dependencies: `npm ci` when
# package-lock.json changed since the last install (or node_modules is missing).
if ! command -v npm >/dev/null; then
  echo "npm is needed for the VS Code extension (Node.js 20 or newer)" >&2
  exit 1
fi
npm_stamp="$ROOT/node_modules/.wishful-installed"
npm_want="$(sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1)"
if [ ! -f "$npm_stamp" ] || [ "$(cat "$npm_stamp")" != "$npm_want" ]; then
  echo "==> installing the extension's npm dependencies" >&2
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error >&2)
  echo "$npm_want" > "$npm_stamp"
fi
