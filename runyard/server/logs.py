"""What the server's logs may not hold: the tokens of signed URLs (they grant access on their own).

uvicorn's access log prints each request's path, and signed URLs carry their token in the path (wandb
clients send no credentials with them), so a filter on that logger masks it before any handler runs.
"""

from __future__ import annotations

import logging
import re

_SIGNED = re.compile(r"(/wandb/(?:upload|artifact)/)[^/?\s\"]+")


def redact(text: str) -> str:
    return _SIGNED.sub(r"\1<token>", text)


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


_FILTER = RedactTokens()


def install() -> None:
    """Idempotent: the same filter object is added once to the access and error loggers."""
    for name in ("uvicorn.access", "uvicorn.error"):
        logging.getLogger(name).addFilter(_FILTER)
