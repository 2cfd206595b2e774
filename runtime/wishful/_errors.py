"""Exceptions raised by the wishful runtime and the cache contract."""


class WishfulError(Exception):
    """Base class of every error wishful raises on purpose."""


class InvalidWishName(WishfulError, ValueError):
    """A module name that cannot name a wish (keyword, reserved, traversal, ...)."""


class CacheError(WishfulError, OSError):
    """The cache could not be read or written; the message says what to do."""


class CacheConfigError(CacheError):
    """The configuration that locates the cache is unreadable or wrong."""


class CacheLockTimeout(CacheError, TimeoutError):
    """Another process held a module's lock for longer than the timeout."""


class ModuleConflictError(CacheError):
    """A wish would need one name to be both a module file and a package."""


class MetadataError(CacheError):
    """A metadata sidecar is unreadable (not JSON, wrong shape, newer schema)."""


class NotACacheError(CacheError):
    """A directory does not look like a wishful cache; refusing to clear it."""


class WishNotFoundError(ModuleNotFoundError, WishfulError):
    """A wish module has not been generated into the cache yet."""


class MissingNameError(ImportError, WishfulError):
    """A cached wish module exists but does not define the requested name."""


class DynamicWishError(ImportError, WishfulError):
    """``wishful.dynamic.*`` needs the generation engine at every call."""


# Tracebacks show the public spelling (wishful.WishNotFoundError), which is also where pickle
# finds them.
for _cls in list(globals().values()):
    if isinstance(_cls, type) and issubclass(_cls, WishfulError):
        _cls.__module__ = "wishful"
del _cls
