"""``python -m wishful_lsp`` starts the language server on stdio (``--tcp HOST:PORT`` to debug).

The command-line tool is ``wishful`` (or ``python -m wishful_lsp.cli``).
"""

import sys

from .server import main

sys.exit(main())
