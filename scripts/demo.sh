#!/usr/bin/env bash
# The main job, offline: an application imports wished-for functions from the project's cache.
# Sets up .venv itself. No API key, no network, no model.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
cd "$ROOT/examples/quickstart"

echo
echo "== The cache of examples/quickstart (python -m wishful inspect)"
python -m wishful inspect

echo
echo "== python app.py  (imports wishful.text from .wishful/text.py: plain Python, no model)"
python app.py

echo
echo "== python not_generated_yet.py  (a wish nobody has generated: a clear error, exit 1)"
if err="$(python not_generated_yet.py 2>&1)"; then
  echo "expected an ImportError for a name that is not in the cache" >&2
  exit 1
fi
echo "${err##*$'\n'}"
echo
echo "Done. Edit examples/quickstart/.wishful/text.py freely: it is your code now."
