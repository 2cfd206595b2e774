"""Benign: textwrap, string.Template, string constants, __all__ and a main guard."""
import string
import textwrap

__all__ = ["render_letter", "boxed", "initials"]

LETTER = string.Template(textwrap.dedent("""\
    Dear $name,

    your order #$order ships on $date.
    $signature
"""))


def render_letter(name: str, order: int, date: str, signature: str = "The team") -> str:
    """Fill the letter template.

    >>> render_letter("Ann", 7, "Monday").splitlines()[2]
    'your order #7 ships on Monday.'
    """
    return LETTER.substitute(name=name, order=order, date=date, signature=signature)


def preview(template: str, **values: object) -> str:
    return string.Template(template).safe_substitute(values)


def boxed(text: str, width: int = 20) -> str:
    """Wrap text into a box.

    >>> print(boxed("hello world", width=9))
    +---------+
    |hello    |
    |world    |
    +---------+
    """
    lines = textwrap.wrap(text, width=width) or [""]
    edge = "+" + "-" * width + "+"
    return "\n".join([edge, *(f"|{line:<{width}}|" for line in lines), edge])


def initials(full_name: str) -> str:
    """Upper-case initials of the words made of letters.

    >>> initials("ada  king-lovelace")
    'AK'
    """
    words = full_name.translate(str.maketrans("-", " ")).split()
    return "".join(w[0].upper() for w in words[:2] if w[0] in string.ascii_letters)


if __name__ == "__main__":
    print(render_letter("Ann", 1, "today"))
