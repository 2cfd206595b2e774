"""The offline model: deterministic, no network, the default when no model is configured.

For the wishes in the bundled examples it answers with recorded implementations and examples
(``offline_fixtures/``). For anything else it answers with a placeholder whose functions raise
``NotImplementedError`` saying how to configure a model; modules containing one are written
with ``placeholder: true`` in their metadata, so every face can say so.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

from .merge import subset
from .model import EventSink, Message, Reply

NAME = "offline"
PLACEHOLDER_MARKER = "wishful offline placeholder"
FIXTURES = Path(__file__).parent / "offline_fixtures"


def placeholder(module: str, name: str, hints: Sequence[str] = ()) -> str:
    """Source of a placeholder function for ``module.name``."""
    # the hint goes into a docstring: no backslashes, no quote that could end it
    text = hints[0].replace("\\", "/").replace('"', "'") if hints else ""
    hint = f" Wished for: {text}" if hints else ""
    return (
        f"def {name}(*args, **kwargs):\n"
        f'    """{PLACEHOLDER_MARKER}: no model was configured to write {name}.{hint}"""\n'
        f"    raise NotImplementedError(\n"
        f'        "{module}.{name} is an offline placeholder: configure a model (WISHFUL_MODEL or "\n'
        f'        "[tool.wishful] model in pyproject.toml) and run `wishful generate` again"\n'
        f"    )\n"
    )


def _fixture(module: str) -> tuple[str | None, dict[str, list[dict[str, str]]]]:
    short = module.split(".", 1)[1].replace(".", "_") if "." in module else module
    code_path = FIXTURES / f"{short}.py"
    if not code_path.is_file():
        return None, {}
    examples_path = FIXTURES / f"{short}.json"
    examples = json.loads(examples_path.read_text()) if examples_path.is_file() else {}
    return code_path.read_text(), examples


def _defined(code: str) -> set[str]:
    import ast

    return {n.name for n in ast.parse(code).body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}


class OfflineModel:
    """Answers from fixtures or with placeholders; reads the wish from the prompt it is sent."""

    name = NAME
    offline = True

    async def complete(self, messages: Sequence[Message], *, on_event: EventSink | None = None) -> Reply:
        if on_event:
            on_event("using the offline model (no model configured)")
        request = next((m["content"] for m in messages if m.get("role") == "user"
                        and m["content"].startswith("Module: ")), "")
        module_match = re.search(r"^Module: (\S+)$", request, re.MULTILINE)
        names_match = re.search(r"^Names to implement: (.*)$", request, re.MULTILINE)
        if module_match is None or names_match is None:
            return Reply("The offline model only answers wishful prompts.", NAME, "stop")
        module = module_match.group(1)
        names = [n.strip() for n in names_match.group(1).split(",") if n.strip()]
        code, recorded = _fixture(module)
        known = [n for n in names if code is not None and n in _defined(code)]
        parts = [subset(code, known).rstrip("\n")] if code is not None and known else []
        for name in names:
            if name not in known:
                hints = re.findall(rf"^### {re.escape(name)}\n- hint: (.*)$", request, re.MULTILINE)
                parts.append(placeholder(module, name, hints).rstrip("\n"))
        body = "\n\n\n".join(parts) + "\n"
        examples = [e for n in known for e in recorded.get(n, [])]
        text = f"```python\n{body}```\n\n```json\n{json.dumps({'examples': examples}, indent=2)}\n```\n"
        return Reply(text, NAME, "stop")
