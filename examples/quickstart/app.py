"""Quickstart: import a function that was wished for, generated once, and cached as plain Python.

Generate it with ``wishful generate`` (the offline model knows these two), then run ``python app.py``:
the runtime loads ``.wishful/text.py`` at the cost of a plain import (no model, no network).
"""

# desired: pull every e-mail address out of free text, lower-cased, in order of appearance
from wishful.text import extract_emails

# desired: turn a title into a URL slug: lower-case ASCII words joined by hyphens
from wishful.text import slugify

if __name__ == "__main__":
    print(extract_emails("Mail Bob@Example.com or team@demo.dev, not @nobody"))
    print(slugify("Wishful thinking, for Python!"))
