#!/usr/bin/env bash
# The proof suites, long: every test that produces a SECURITY.md figure (the attack and benign
# corpora, model faults, filesystem faults, secrets, prompt injection, concurrency, LSP fuzzing)
# with the long variants on (WISHFUL_PROOF_LONG=1: 10,000+ fuzz steps, more concurrency rounds,
# every injection pair), then the figures table in SECURITY.md rendered from their results.
# Extra arguments go to pytest (e.g. a single file; the table then updates only its rows).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
cd "$ROOT"
if [ "$#" -eq 0 ]; then
  rm -f .cache/proof/figures.json  # a whole run starts from a clean slate
fi
WISHFUL_PROOF_LONG=1 python -m pytest -m figure -p no:cacheprovider "$@"
python scripts/security_table.py
