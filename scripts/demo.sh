#!/usr/bin/env bash
# The main job, offline: wish for functions, generate them (offline model), check, and run.
# Sets up .venv itself. No API key, no network: with no model configured, wishful uses its
# offline model, which answers the bundled examples with recorded, checked implementations.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
unset WISHFUL_MODEL DEFAULT_MODEL WISHFUL_CACHE_DIR

work="$ROOT/.cache/demo"
rm -rf "$work"
mkdir -p "$work"
cp -r "$ROOT/examples/quickstart/." "$work/"
cd "$work"

echo "== examples/quickstart/app.py (copied to $work)"
cat app.py

echo
echo "== wishful check   (nothing generated yet: exit 1 is expected)"
if wishful check; then
  echo "expected check to fail before generation" >&2
  exit 1
fi

echo
echo "== wishful generate"
wishful generate

echo
echo "== wishful check"
wishful check

echo
echo "== .wishful/text.py (plain Python: read it, edit it, commit it)"
cat .wishful/text.py

echo
echo "== wishful validate .wishful/text.py   (static allow-list + sandboxed examples, again)"
wishful validate .wishful/text.py

echo
echo "== python app.py   (imports wishful.text from the cache: no model, no network)"
python app.py

echo
echo "== python -m wishful inspect"
python -m wishful inspect

echo
echo "== the language server, driven the way an editor drives it (examples/editor_session.py)"
echo "   (a fresh copy of the project: diagnostics -> quick fix -> generation -> hover, definition)"
session="$ROOT/.cache/demo-editor"
rm -rf "$session"
mkdir -p "$session"
cp -r "$ROOT/examples/quickstart/." "$session/"
python "$ROOT/examples/editor_session.py" "$session" app.py
