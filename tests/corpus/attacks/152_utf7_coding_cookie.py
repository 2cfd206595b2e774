# -*- coding: utf-7 -*-
"""Attack: a UTF-7 coding cookie hides a statement inside a comment

The checker and the sandbox see the text as given (a str: the cookie is ignored), but the cache
writes it to disk and SourceFileLoader decodes it as UTF-7, where +AAo- is a newline: the
comment's tail becomes a real statement in the user's process.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: encoding

VERSION = 1  # +AAo-import os+ADs- os.system(+ACI-touch pwned.txt+ACI-)


def answer():
    return 42
