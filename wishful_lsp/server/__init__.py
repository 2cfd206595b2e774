"""The wishful language server (pygls): diagnostics, code actions, generation, navigation."""

from .server import WishfulServer, create_server, main

__all__ = ["WishfulServer", "create_server", "main"]
