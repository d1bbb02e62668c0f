"""Base classes of the API models and the types several resources share."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

import msgspec


class Request(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A request body or a query: unknown fields are refused (a typo is an error, not ignored)."""


class Query(msgspec.Struct, kw_only=True):
    """Query parameters: converted from strings; parameters it does not name are ignored (proxies and
    caches add their own). A list field takes repeated or comma-separated values."""


class Answer(msgspec.Struct, kw_only=True):
    """A response body. Unknown fields are accepted when reading, so clients tolerate newer servers.
    The server may send only declared fields (tests check), unless the model is `open`."""

    open: ClassVar[bool] = False  # True: a record with some known fields and any others (metadata)


# The name rule (wire/names.py) as schemas; handlers still check names with that module, which
# also refuses "." and ".." (a JSON Schema pattern without look-ahead cannot).
EntityName = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[A-Za-z0-9._-]{1,128}$",
        description="a user or team: 1-128 characters: letters, digits, '-', '_', '.'",
    ),
]
Name = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[A-Za-z0-9._-]([A-Za-z0-9._ -]{0,126}[A-Za-z0-9._-])?$",
        description="a project or run id: 1-128 characters: letters, digits, '-', '_', '.' and inner spaces",
    ),
]
Sha256 = Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{64}$", description="sha256, 64 lowercase hex")]
Number = Annotated[
    float | Literal["NaN", "Infinity", "-Infinity"] | None,
    msgspec.Meta(description="a number; NaN and infinities as the strings NaN, Infinity, -Infinity"),
]
Json = dict[str, Any]
TITLE_MAX = 200
Title = Annotated[
    str,
    msgspec.Meta(
        pattern=r"\S",
        max_length=TITLE_MAX,
        description=f"a name people read (a report's title, a view's name): 1-{TITLE_MAX} characters, "
        "not only spaces",
    ),
]
# an integer a database column holds: larger ones are refused before any SQL (422 out_of_range)
Int64 = Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]


class DeletedId(Answer):
    """The answer of deleting something numbered (a view, report or comment)."""

    deleted: int
