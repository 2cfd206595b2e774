"""``python -m wishful_lsp`` runs the ``wishful`` command."""

import sys

from .cli import main

sys.exit(main())
