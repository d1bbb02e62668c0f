"""The server's logs: what they may not hold, and their JSON form.

Signed URLs' tokens grant access on their own: uvicorn's access log prints each request's path, and
signed URLs carry their token in the path (wandb clients send no credentials with them), so a filter
on that logger masks it before any handler runs.

With `ServerConfig.json_logs` (RUNYARD_JSON_LOGS=1, `runyard server --json-logs`) every record of
the server's loggers (runyard.*, uvicorn.*) is one JSON object per line on stderr: `ts` (epoch
seconds), `level`, `logger`, `message`, `pid` and, for a failure, `exc`; a log collector needs no
parsing rules.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys

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


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        doc = {
            "ts": round(record.created, 6),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "pid": os.getpid(),
        }
        if record.exc_info:
            doc["exc"] = self.formatException(record.exc_info)
        return json.dumps(doc, default=str)


_JSON_HANDLER = logging.StreamHandler(sys.stderr)
_JSON_HANDLER.setFormatter(JsonFormatter())
_JSON_HANDLER.addFilter(_FILTER)


def install(json_logs: bool = False) -> None:
    """Idempotent: the same filter object is added once to the access and error loggers; with
    `json_logs` the server's loggers write through one JSON handler instead of their own."""
    for name in ("uvicorn.access", "uvicorn.error"):
        logging.getLogger(name).addFilter(_FILTER)
    if not json_logs:
        return
    for name in ("runyard", "uvicorn", "uvicorn.access", "uvicorn.error"):
        lg = logging.getLogger(name)
        lg.handlers = [_JSON_HANDLER]
        lg.propagate = False
        if name == "runyard" and lg.level == logging.NOTSET:
            lg.setLevel(logging.INFO)
