"""Tools the end-to-end tests drive (editors, Node.js, code-server): skipped when absent on a
developer's machine, a failure when CI requires them (``WISHFUL_REQUIRE_EDITORS=1``)."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def missing_tool(what: str, installer: str = "scripts/install-editors.sh installs every editor") -> NoReturn:
    """Skip the test because ``what`` is missing, or fail it when CI requires the tools."""
    if os.environ.get("WISHFUL_REQUIRE_EDITORS") == "1":
        pytest.fail(f"{what} (WISHFUL_REQUIRE_EDITORS=1; {installer})", pytrace=False)
    pytest.skip(f"{what} (CI installs it)")
