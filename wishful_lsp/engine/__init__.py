"""The generation engine: discovery → prompt → model → validation → merge → cache.

Each stage is a module with plain functions and typed values; :mod:`.pipeline` strings them
together for every face (CLI, language server, runtime hook on a cache miss).
"""
