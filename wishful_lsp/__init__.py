"""wishful-lsp: the generation engine, language server and CLI for wishful.

The cache these faces write is defined by the runtime package's contract, :mod:`wishful.cache`
(``Cache.for_workspace(folder)`` resolves a workspace's cache with the same rules the runtime
import hook uses).
"""

__version__ = "0.1.0"
