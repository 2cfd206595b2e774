#!/usr/bin/env bash
# Run every test. Sets up .venv itself; the compatibility tests build their own environments
# (the public wishful 0.4.0 under Python 3.12, the runtime alone under Python 3.10) in .cache/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
cd "$ROOT"
python -m pytest "$@"
