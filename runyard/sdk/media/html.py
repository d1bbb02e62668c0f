"""`runyard.Html`: an HTML document stored as a file."""

from __future__ import annotations

import hashlib
import os
from typing import Any

from ._base import LogContext, Media, MediaError, is_path

# What inject=True adds. wandb links a stylesheet on its own servers; runyard is offline-first, so it
# inlines a few rules instead and opens links in a new tab (the document is shown in an iframe).
INJECT = (
    '<base target="_blank"><style>body{margin:0;font-family:system-ui,sans-serif;font-size:14px}'
    "table{border-collapse:collapse}td,th{padding:2px 6px}</style>"
)


class Html(Media):
    """`Html(data, inject=True, data_is_not_path=False)`: an HTML string, a path to an .html file, or a file object."""

    _log_type = "html-file"

    def __init__(self, data: Any, inject: bool = True, data_is_not_path: bool = False) -> None:
        if hasattr(data, "read"):
            text = data.read()
        elif is_path(data) and not data_is_not_path and _looks_like_path(os.fspath(data)):
            p = os.fspath(data)
            if not os.path.isfile(p):
                raise MediaError(
                    f"Html: file not found: {p!r} (pass data_is_not_path=True to log the string itself)"
                )
            with open(p, "rb") as f:
                text = f.read()
        elif isinstance(data, str):
            text = data
        else:
            raise MediaError(
                f"Html takes an HTML string, a path to an .html file or a file object, not {type(data).__name__}"
            )
        if isinstance(text, bytes):
            text = text.decode("utf-8", errors="replace")
        if not isinstance(text, str):
            raise MediaError("Html: the file object returned neither str nor bytes")
        self.html = inject_head(text) if inject else text
        self._data = self.html.encode("utf-8")
        self._sha256 = hashlib.sha256(self._data).hexdigest()

    def _to_json(self, ctx: LogContext) -> dict:
        d = ctx.put("html", "html", self._data, self._sha256)
        d["_type"] = "html-file"
        return d


def _looks_like_path(s: str) -> bool:
    return "<" not in s and (s.lower().endswith((".html", ".htm")) or os.path.isfile(s))


def inject_head(html: str) -> str:
    """Put INJECT at the start of <head>, creating <head> if there is none (as wandb does)."""
    low = html.lower()
    i = low.find("<head>")
    if i >= 0:
        j = i + len("<head>")
        return html[:j] + INJECT + html[j:]
    i = low.find("<html>")
    if i >= 0:
        j = i + len("<html>")
        return html[:j] + "<head>" + INJECT + "</head>" + html[j:]
    return "<head>" + INJECT + "</head>" + html
