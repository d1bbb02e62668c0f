"""Regular expressions of run filters, matched in linear time.

Python's `re` backtracks: `^(a+)+$` against 30 a's and a '!' runs for minutes, holding the GIL (and
with it the whole server). RE2 guarantees time linear in the input, so a filter's `$regex` is
compiled by RE2 to check it (both databases accept the same patterns) and, on SQLite, matched by it.
PostgreSQL matches with its own engine, under the read time limit (store/db.py).
RE2's syntax is Perl's without backreferences and lookaround.
"""

from __future__ import annotations

import functools
from typing import Any

import re2

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # a client's bad pattern is answered, not logged to stderr
_OPTIONS.max_mem = 8 << 20  # memory for one compiled pattern; a larger one fails to compile


class RegexError(ValueError):
    pass


@functools.lru_cache(maxsize=256)
def compile_regex(pattern: str) -> Any:
    try:
        return re2.compile(pattern, _OPTIONS)
    except re2.error as e:
        msg = e.args[0].decode(errors="replace") if e.args and isinstance(e.args[0], bytes) else str(e)
        raise RegexError(msg) from None


def regexp(pattern: str | None, value: Any) -> bool | None:
    """SQLite's `value REGEXP pattern` (SQL NULL when either is NULL): a search, as PostgreSQL's `~`."""
    if pattern is None or value is None:
        return None
    return compile_regex(pattern).search(str(value)) is not None
