"""Benign: a tokenizer and evaluator for arithmetic using match on class patterns and generators."""
import operator
import re
from dataclasses import dataclass
from typing import Iterator

_TOKEN = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<op>[-+*/()]))")
_OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}
_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}


@dataclass
class Token:
    kind: str
    text: str


def tokenize(text: str) -> Iterator[Token]:
    """Yield number and operator tokens.

    >>> [t.text for t in tokenize("2 * (3+4)")]
    ['2', '*', '(', '3', '+', '4', ')']
    """
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise SyntaxError(f"unexpected character at {pos}: {text[pos]!r}")
        kind = match.lastgroup or "op"
        yield Token(kind, match.group(kind))
        pos = match.end()


def to_rpn(tokens: Iterator[Token]) -> list[Token]:
    output: list[Token] = []
    stack: list[Token] = []
    for token in tokens:
        match token:
            case Token(kind="num"):
                output.append(token)
            case Token(kind="op", text="("):
                stack.append(token)
            case Token(kind="op", text=")"):
                while stack and stack[-1].text != "(":
                    output.append(stack.pop())
                if not stack:
                    raise SyntaxError("unbalanced parenthesis")
                stack.pop()
            case Token(kind="op", text=op):
                while stack and stack[-1].text in _PRECEDENCE and _PRECEDENCE[stack[-1].text] >= _PRECEDENCE[op]:
                    output.append(stack.pop())
                stack.append(token)
    while stack:
        token = stack.pop()
        if token.text == "(":
            raise SyntaxError("unbalanced parenthesis")
        output.append(token)
    return output


def calculate(text: str) -> float:
    """Evaluate an arithmetic expression without eval.

    >>> calculate("2 * (3 + 4) - 10 / 4")
    11.5
    """
    stack: list[float] = []
    for token in to_rpn(tokenize(text)):
        if token.kind == "num":
            stack.append(float(token.text))
        else:
            right, left = stack.pop(), stack.pop()
            stack.append(_OPS[token.text](left, right))
    if len(stack) != 1:
        raise SyntaxError("incomplete expression")
    return stack[0]
