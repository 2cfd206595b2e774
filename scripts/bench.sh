#!/usr/bin/env bash
# Every benchmark in benchmarks/, in the project's venv (set up by _env.sh), then one summary
# table: each figure, its baseline measured in the same run, its target, met or not.
#
#   ./scripts/bench.sh [--quick] [--runs N] [--output-dir DIR] [more arguments for every benchmark]
#
# The arguments go to every benchmark. Results go to DIR/<benchmark>.json, default
# benchmarks/results (the stored results); with --quick (a smoke test, not a measurement) the
# default is .cache/bench-quick, so a smoke run leaves the stored results alone. The summary goes
# to DIR/summary.json and DIR/summary.md; a full run into benchmarks/results also renders the
# table in README.md (scripts/bench_table.py). The exit status is 1 when a benchmark failed to
# run; a missed target is reported, not an error.
# Files starting with _ are not benchmarks: _common.py (shared code), _echo_server.py (the
# minimal language server the server benchmark uses as its floor), _summary.py (the summary).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
cd "$ROOT"

quick=0
output_dir=""
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
    --quick) quick=1 ;;
    --output-dir) output_dir="${args[i + 1]:-}" ;;
    --output-dir=*) output_dir="${args[i]#--output-dir=}" ;;
    --output | --output=*)
      echo "bench.sh: --output names one file; use --output-dir DIR for the whole suite" >&2
      exit 2 ;;
  esac
done
if [ -z "$output_dir" ]; then
  if [ "$quick" = 1 ]; then output_dir="$ROOT/.cache/bench-quick"; else output_dir="$ROOT/benchmarks/results"; fi
  args+=(--output-dir "$output_dir")
fi
mkdir -p "$output_dir"

shopt -s nullglob
benches=()
for f in benchmarks/*.py; do [[ "$(basename "$f")" == _* ]] || benches+=("$f"); done
if [ ${#benches[@]} -eq 0 ]; then
  echo "no benchmarks found in $ROOT/benchmarks" >&2
  exit 1
fi

started="$(python -c 'import time; print(time.time())')"
python benchmarks/_summary.py --machine --output-dir "$output_dir"
echo "results: $output_dir$([ "$quick" = 1 ] && echo ' (quick: a smoke test, not a measurement)')"
failed=()
for bench in "${benches[@]}"; do
  name="$(basename "$bench" .py)"
  echo
  echo "==> $bench"
  code=0
  python "$bench" "${args[@]}" || code=$?
  if [ "$code" -ne 0 ]; then
    echo "bench.sh: $bench exited $code" >&2
    failed+=(--failed "$name=$code")
  fi
done

python benchmarks/_summary.py --output-dir "$output_dir" --since "$started" ${failed[@]+"${failed[@]}"}
if [ "$quick" = 0 ] && [ "$(cd "$output_dir" && pwd -P)" = "$(cd benchmarks/results && pwd -P)" ]; then
  python scripts/bench_table.py
fi
[ ${#failed[@]} -eq 0 ]
