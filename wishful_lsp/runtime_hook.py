"""Generation on import: the engine side of the runtime hook's miss seam.

When ``wishful_lsp`` is installed and generation is enabled (``WISHFUL_GENERATE`` is not ``0``),
``from wishful.text import f`` with no ``.wishful/text.py`` lands here. The wish is read from
the file that is importing (the real user file: frames of the runtime, the engine and importlib
are skipped), together with the rest of its project, so the module is generated once for every
name the project asks of it. Two processes that miss the same module at once produce one
generation: the second waits on the cache lock and then reads the first one's result.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import FrameType

import wishful
from wishful import WishNotFoundError
from wishful._errors import WishfulError
from wishful.cache import Cache

_SKIP_DIRS = tuple(
    str(Path(p).resolve()) + os.sep
    for p in (Path(wishful.__file__).parent, Path(__file__).parent)
)


def importing_file(frame: FrameType | None = None) -> Path | None:
    """The user file whose import statement caused the current import, if it is a real file."""
    frame = frame or sys._getframe(1)
    while frame is not None:
        name = frame.f_code.co_filename
        if not name.startswith("<"):
            resolved = str(Path(name).resolve())
            if not resolved.startswith(_SKIP_DIRS) and os.path.isfile(resolved):
                return Path(resolved)
        frame = frame.f_back
    return None


def _say(message: str) -> None:
    if os.environ.get("WISHFUL_QUIET", "") not in ("1", "true"):
        print(f"wishful: {message}", file=sys.stderr, flush=True)


def generate_on_miss(module: str, cache_dir: str) -> bool:
    """Generate ``module`` into ``cache_dir`` for the importing file; True once it is there.

    Returns False when there is nothing to go on (the import does not come from a file, or the
    file does not ask for any name). A failed generation raises :class:`WishNotFoundError`
    with the reason; nothing is written then.
    """
    from .engine.pipeline import GenerationError, generate, run_sync
    from .engine.project import scan
    from .engine.settings import load_settings, provider_environment

    source = importing_file()
    if source is None:
        return False
    runtime = wishful.settings
    overrides = {"model": runtime.model, "context_radius": runtime.context_radius}
    try:
        settings = load_settings(source.parent, overrides=overrides)
        cache = Cache(Path(cache_dir))
        root = settings.project_root
        paths = [root] if source.is_relative_to(root) else [root, source]
        workspace = scan(paths, root=root,
                         radius=settings.context_radius, skip=[cache.root])
        request = workspace.request(module)
        if not request.names:
            return False
        _say(f"generating {module} ({', '.join(request.requested)}) with {settings.model_label}...")
        for key, value in provider_environment(settings.project_root).items():
            os.environ.setdefault(key, value)
        result = run_sync(generate(cache, request, settings))
    except (GenerationError, WishfulError, OSError) as exc:
        raise WishNotFoundError(
            f"{module} is not in the cache and generating it failed: {exc}", name=module
        ) from None
    if result.placeholder:
        _say(f"{module} holds offline placeholders: configure a model (WISHFUL_MODEL) for real code")
    elif result.action != "unchanged":
        _say(f"wrote {result.status.path}")
    return True
