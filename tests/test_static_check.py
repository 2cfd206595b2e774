"""The static allow-list checker against the attack and benign corpora, HumanEval and each rule.

The corpora are only parsed here, never imported or run.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wishful_lsp.engine.policy import Policy
from wishful_lsp.engine.static_check import RULES, check_expression, check_source
from support.humaneval import humaneval_tasks

SHARED = Path(__file__).resolve().parent / "corpus" / "shared"
OWN = Path(__file__).resolve().parent / "corpus"

#: The rule that must reject each module of the shared attack corpus.
SHARED_EXPECTED = {
    "001": "import-not-allowed", "002": "import-not-allowed", "003": "banned-name",
    "004": "import-not-allowed", "005": "banned-name", "006": "import-not-allowed",
    "007": "banned-name", "008": "banned-name", "009": "banned-name", "010": "module-attribute",
    "011": "import-not-allowed", "012": "import-not-allowed", "013": "import-not-allowed",
    "014": "import-not-allowed", "015": "import-not-allowed", "016": "import-not-allowed",
    "017": "import-not-allowed", "018": "dunder-attribute", "019": "reflection",
    "020": "dunder-attribute", "021": "introspection", "022": "module-attribute",
    "023": "module-attribute", "024": "module-attribute", "025": "module-attribute",
    "026": "module-attribute", "027": "module-attribute", "028": "format-string",
    "029": "import-not-allowed", "030": "import-not-allowed", "031": "import-not-allowed",
    "032": "import-not-allowed", "033": "banned-name", "034": "import-not-allowed",
    "035": "import-not-allowed", "036": "import-not-allowed", "037": "import-not-allowed",
    "038": "import-not-allowed", "039": "banned-name", "040": "private-name",
    "041": "module-attribute", "042": "module-attribute", "043": "import-not-allowed",
    "044": "annotation",
}


def _attacks() -> list[tuple[Path, str]]:
    cases = []
    for path in sorted((SHARED / "attacks").glob("*.py")):
        cases.append((path, SHARED_EXPECTED[path.name[:3]]))
    for path in sorted((OWN / "attacks").glob("*.py")):
        match = re.search(r"^# expect-rule: ([\w-]+)", path.read_text(encoding="utf-8"), re.MULTILINE)
        assert match, f"{path.name} does not say which rule must reject it"
        cases.append((path, match.group(1)))
    return cases


def _benign() -> list[Path]:
    return sorted((SHARED / "benign").glob("*.py")) + sorted((OWN / "benign").glob("*.py"))


ATTACKS = _attacks()


def test_the_corpora_are_large_enough() -> None:
    assert len(ATTACKS) >= 60
    assert len(_benign()) >= 12


@pytest.mark.figure("attack modules rejected statically, by the expected rule")
@pytest.mark.parametrize(("path", "rule"), ATTACKS, ids=[p.name for p, _ in ATTACKS])
def test_every_attack_is_rejected_by_the_right_rule(path: Path, rule: str) -> None:
    assert rule in RULES, f"{path.name}: unknown rule {rule}"
    findings = check_source(path.read_text(encoding="utf-8"))
    assert findings, f"{path.name} was accepted"
    assert rule in {f.rule for f in findings}, [(f.rule, f.line, f.message) for f in findings]
    for finding in findings:
        assert finding.line and finding.column and finding.text and finding.hint, finding
        assert finding.kind in ("policy", "syntax")


@pytest.mark.figure("benign modules accepted statically")
@pytest.mark.parametrize("path", _benign(), ids=lambda p: p.name)
def test_every_benign_module_is_accepted(path: Path) -> None:
    findings = check_source(path.read_text(encoding="utf-8"))
    assert findings == [], [(f.rule, f.line, f.message) for f in findings]


def test_humaneval_references_only_the_eval_one_is_rejected() -> None:
    rejected = {}
    tasks = humaneval_tasks()
    for task in tasks:
        findings = check_source(task["prompt"] + task["canonical_solution"])
        if findings:
            rejected[task["task_id"]] = [(f.rule, f.text) for f in findings]
    assert len(tasks) == 164
    assert list(rejected) == ["HumanEval/160"]
    assert rejected["HumanEval/160"] == [("banned-name", "eval")]


def rules(code: str, policy: Policy | None = None) -> set[str]:
    return {f.rule for f in check_source(code, policy)}


@pytest.mark.parametrize(("code", "rule"), [
    ("import json\nX = json.decoder.re.enum.sys\n", "module-attribute"),
    ("from json import decoder\nX = decoder.re.enum.sys\n", "module-attribute"),
    ("import json\nM = json\n", "module-as-value"),
    ("import json\ndef f(g=json):\n    return g\n", "module-as-value"),
    ("import json\ndef f(x):\n    json.dumps = x\n", "module-write"),
    ("import json\ndef f(x):\n    del json.loads\n", "module-write"),
    ("import json\ndef f(x):\n    json.JSONEncoder.default = x\n", "module-write"),
    ("import json.decoder\ndef f():\n    json.decoder.BACKSLASH['x'] = 'y'\n", "module-write"),
    ("from . import x\n", "import-form"),
    ("from re import *\n", "import-form"),
    ("import _json\n", "import-form"),
    ("from re import _compile\n", "private-name"),
    ("import functools\ndef f(xs):\n    return functools.reduce(getattr, xs, ())\n", "reflection"),
    ("def f(o, n):\n    return getattr(o, n)\n", "reflection"),
    ("def f(o):\n    return getattr(o, '_secret')\n", "reflection"),
    ("import operator\ndef f(n):\n    return operator.attrgetter(n)\n", "module-attribute"),
    ("from operator import methodcaller\nF = methodcaller\n", "module-attribute"),
    ("FMT = '{:>10}'\ndef f(x):\n    FMT = '{0.__class__}'\n    return FMT.format(x)\n", "format-string"),
    ("FMT = '{:>10}'\nFMT += '{0.real}'\ndef f(x):\n    return FMT.format(x)\n", "format-string"),
    ("FMT = '{0.real}'\ndef f(x):\n    return FMT.format(x)\n", "format-string"),
    ("def f(x):\n    show = '{}'.format\n    return show(x)\n", "format-string"),
    ("import functools\ndef f(g, h):\n    return functools.wraps(g, assigned=('x',))(h)\n", "reflection"),
    ("import uuid\ndef f():\n    uuid.NAMESPACE_URL.__init__(int=0)\n", "module-write"),
    ("import random\ndef f():\n    random.SystemRandom().__class__.getrandbits = len\n", "module-write"),
    ("import json\ndef f(g):\n    type.__setattr__(json.JSONDecoder, 'decode', g)\n", "module-write"),
    ("import json\nEncoder = json.JSONEncoder\ndef f(g):\n    Encoder.encode = g\n", "module-write"),
    ("import numbers\ndef f():\n    numbers.Rational.register(float)\n", "module-write"),
    ("def f():\n    raise SystemExit(0)\n", "banned-name"),
    ("class M(type):\n    def __prepare__(name, bases):\n        return {}\n", "dunder-name"),
    ("import abc\ndef f(ns):\n    return abc.ABCMeta('X', (), ns)\n", "dynamic-class"),
    ("from dataclasses import dataclass\ndef f(cls):\n    return dataclass(cls)\n", "dynamic-class"),
    ("K = 'int'\ndef f(x: K):\n    pass\n", "annotation"),
    ("from typing import Literal\ndef f(x: Literal[print()]):\n    pass\n", "annotation"),
    ("# -*- coding: utf-7 -*-\nX = 1\n", "encoding"),
    ("def f(o, n, v):\n    object.__setattr__(o, n, v)\n", "reflection"),
    ("def f(o):\n    return o.__dict__\n", "dunder-attribute"),
    ("def f(e):\n    return e.__traceback__.tb_frame\n", "dunder-attribute"),
    ("def f(t):\n    return t.mro()\n", "introspection"),
    ("def f(d):\n    return '{x}'.format_map(d)\n", "introspection"),
    ("def f(s, o):\n    return s.format(o)\n", "format-string"),
    ("def f(o):\n    return str.format('{0.real}', o)\n", "format-string"),
    ("def f(o):\n    return ('{0.' + 'x}').format(o)\n", "format-string"),
    ("X = 'a' '__cl' 'ass__'\n", "dunder-string"),
    ("X = b'__globals__'\n", "dunder-string"),
    ("def f(x: 'list[int] if print() else int'):\n    pass\n", "annotation"),
    ("def f() -> 'not an expression (':\n    pass\n", "annotation"),
    ("X: 'int' = 1\ndef f(x: list[print()]):\n    pass\n", "annotation"),
    ("T = type('T', (), {})\n", "dynamic-class"),
    ("print('hello')\n", "module-shape"),
    ("raise SystemExit(1)\n", "module-shape"),
    ("for i in range(3):\n    pass\n", "module-shape"),
    ("class A:\n    print('side effect')\n", "module-shape"),
    ("X = globals()\n", "banned-name"),
    ("def f():\n    return __builtins__\n", "banned-name"),
    ("def f():\n    return __spec__\n", "banned-name"),
    ("def f():\n    return __file__\n", "dunder-name"),
    ("def f(p):\n    match p:\n        case object(__dict__=c):\n            return c\n", "dunder-attribute"),
    ('def f(n):\n    """Square.\n\n    >>> eval("1")\n    1\n    """\n    return n * n\n', "banned-name"),
])
def test_each_rule_catches_its_pattern(code: str, rule: str) -> None:
    assert rule in rules(code), check_source(code)


@pytest.mark.parametrize("code", [
    "def f(input, open=1):\n    return input, open\n",
    "class A:\n    def __init__(self):\n        super().__init__()\n        self._x = 1\n"
    "    def __eq__(self, other):\n        return self._x == other._x\n",
    "from dataclasses import dataclass\n@dataclass(frozen=True)\nclass P:\n    x: int\n"
    "    def __post_init__(self):\n        object.__setattr__(self, 'x', abs(self.x))\n",
    "def name(o):\n    return getattr(o, 'name', None), hasattr(o, 'title')\n",
    "from __future__ import annotations\nfrom typing import Literal\n"
    "def f(p: 'Point | None', mode: Literal['a b', 'c']) -> list['Point']:\n    return []\n"
    "class Point:\n    pass\n",
    "FMT = '{:>10}|{0[1]}'\ndef f(x):\n    return FMT.format(x) + '{} {}'.format(x, x)\n",
    "import operator\nKEY = operator.itemgetter(1)\n",
    "import functools\ndef deco(g):\n    @functools.wraps(g)\n    def inner(*a):\n        return g(*a)\n"
    "    return inner\n",
    "from typing import TypeVar\nVector = list[float]\nT = TypeVar('T')\nMaybe = int | None\n"
    "def f(v: Vector, t: T, m: Maybe) -> 'Vector':\n    return v\n",
    "class A:\n    def __init__(self):\n        super().__init__()\nclass B(A):\n    def __init__(self):\n"
    "        A.__init__(self)\n",
    "# -*- coding: utf-8 -*-\nX = 1\n",
    "import re\nPATTERN = re.compile('a+')\nclass A:\n    LIMIT = max(1, 2)\n",
    "import collections.abc\ndef f(x):\n    return isinstance(x, collections.abc.Mapping)\n",
    "import urllib.parse\ndef f(u):\n    return urllib.parse.urlsplit(u).netloc\n",
    "if __name__ == '__main__':\n    print(__name__)\n",
    "__all__ = ['f']\nclass A:\n    __slots__ = ('x',)\n    __hash__ = None\n",
    "def f(p):\n    match p:\n        case {'x': x, **rest}:\n            return x, rest\n        case [a, *others]:\n"
    "            return a\n",
    "import json as _json\ndef f(x):\n    return _json.dumps(x)\n",
])
def test_legitimate_code_is_accepted(code: str) -> None:
    assert check_source(code) == []


def test_findings_are_phrased_for_a_model() -> None:
    code = "import uuid\n\n\ndef f():\n    return uuid.os.getcwd()\n"
    [finding] = check_source(code)
    assert (finding.rule, finding.line, finding.column, finding.text) == ("module-attribute", 5, 12, "uuid.os")
    assert "os" in finding.message and finding.hint
    assert "rule: module-attribute" in finding.for_model() and "line: 5" in finding.for_model()


def test_a_syntax_error_is_one_finding_with_its_position() -> None:
    [finding] = check_source("def f(:\n    pass\n")
    assert (finding.rule, finding.kind, finding.line) == ("syntax", "syntax", 1)


def test_the_project_can_extend_and_shrink_the_allow_list() -> None:
    code = "import shlex\n\n\ndef f(s):\n    return shlex.split(s)\n"
    assert rules(code) == {"import-not-allowed"}
    extended = Policy.build(allow=["shlex"])
    assert rules(code, extended) == set()
    assert rules("import shlex\ndef f():\n    return shlex.os\n", extended) == {"module-attribute"}
    shrunk = Policy.build(deny=["json"])
    assert rules("import json\n", shrunk) == {"import-not-allowed"}
    assert extended.label == "default +shlex" and shrunk.label == "default -json"


def test_examples_are_checked_as_code_in_the_module_namespace() -> None:
    module = "def slug(s):\n    return s\n"
    assert check_expression("slug('a b')", module) == []
    assert {f.rule for f in check_expression("slug(open('x').read())", module)} == {"banned-name"}
    assert {f.rule for f in check_expression("slug.__globals__", module)} == {"dunder-attribute"}
    assert check_expression("slug(", module)[0].rule == "syntax"


@pytest.mark.parametrize(("code", "rule"), [
    ("import pprint\ndef f():\n    return pprint.PrettyPrinter()._stream\n", "private-name"),
    ("class A:\n    def get(self):\n        return self._stream\n", "private-name"),
    ("import typing\ndef f(t):\n    return typing.get_args(t)[0]._evaluate(None, None, frozenset())\n",
     "private-name"),
    ("import collections\ndef f(d):\n    return d._OrderedDict__root\n", "private-name"),
    ("import pprint\ndef f(p):\n    match p:\n        case pprint.PrettyPrinter(_stream=s):\n"
     "            return s\n", "private-name"),
    ("class A:\n    import uuid\n\ndef f():\n    return A.uuid.os\n", "import-form"),
])
def test_private_ways_out_of_library_objects_are_rejected(code: str, rule: str) -> None:
    assert rule in rules(code), check_source(code)


@pytest.mark.parametrize("code", [
    "import decimal\ndef f():\n    decimal.DefaultContext.traps[decimal.Inexact] = True\n",
    "from json.decoder import BACKSLASH\ndef f():\n    BACKSLASH.update({'n': 'x'})\n",
    "import keyword\ndef f():\n    keyword.kwlist.append('wish')\n",
    "import json.encoder\ndef f():\n    del json.encoder.ESCAPE_DCT['\\\\n']\n",
])
def test_library_data_is_never_modified(code: str) -> None:
    assert "module-write" in rules(code), check_source(code)


def test_local_copies_of_library_data_may_change() -> None:
    code = ("import keyword\nimport json\n\n\ndef f():\n    words = list(keyword.kwlist)\n"
            "    words.append('wish')\n    enc = json.JSONEncoder()\n    enc.indent = 2\n    return words\n")
    assert check_source(code) == []


@pytest.mark.parametrize("code", [
    "import keyword\ndef f():\n    words = keyword.kwlist\n    words.append('wish')\n",
    "from keyword import kwlist\ndef f(add):\n    add(kwlist)\n",
    "import json.decoder\ndef f():\n    return json.decoder.BACKSLASH\n",
])
def test_library_data_is_not_aliased(code: str) -> None:
    assert "module-write" in rules(code), check_source(code)


def test_library_data_can_be_read_and_copied() -> None:
    code = ("import keyword\nimport json.decoder\n\n\ndef f(word):\n"
            "    mine = list(keyword.kwlist)\n    n = len(keyword.softkwlist)\n"
            "    esc = json.decoder.BACKSLASH['n']\n"
            "    return word in keyword.kwlist, [w for w in keyword.kwlist], mine, n, esc,"
            " keyword.kwlist[0], keyword.kwlist.index('if')\n")
    assert check_source(code) == []
