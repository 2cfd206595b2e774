#!/usr/bin/env bash
# Run every benchmark in benchmarks/ in the project's venv (set up by _env.sh), passing the
# arguments through: ./scripts/bench.sh [--runs N] [--quick] [--python PATH] [--output FILE]
# Results go to benchmarks/results/<benchmark>.json unless --output says otherwise.
# Files starting with _ are helpers, not benchmarks: _common.py (shared code) and
# _echo_server.py (the minimal language server that benchmarks/server.py uses as its floor).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
cd "$ROOT"
shopt -s nullglob
benches=()
for f in benchmarks/*.py; do [[ "$(basename "$f")" == _* ]] || benches+=("$f"); done
if [ ${#benches[@]} -eq 0 ]; then
  echo "no benchmarks found in $ROOT/benchmarks" >&2
  exit 1
fi
status=0
for bench in "${benches[@]}"; do
  echo "==> $bench"
  python "$bench" "$@" || status=$?
done
exit "$status"
