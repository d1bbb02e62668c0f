"""Record types of the run log and the encoding of their payloads.

Payloads are msgpack maps (see docs/run-log-format.md for every field). msgpack was chosen over JSON
because its C encoder is several times faster, it carries bytes natively (packed numeric columns need
no base64), and it keeps ints and floats apart.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

import msgpack


class RT(IntEnum):
    RUN = 1  # run start: identity and metadata
    CONFIG = 2  # config update/remove
    HISTORY = 3  # a batch of history fragments, columnar
    SUMMARY = 4  # explicit summary update/remove by the user
    SYSTEM = 5  # a batch of system-metric samples
    CONSOLE = 6  # a batch of console lines
    FILES = 7  # files saved into the run directory
    METRIC = 8  # define_metric
    ENVIRONMENT = 9  # captured environment (git, host, packages, ...)
    ALERT = 10
    EXIT = 11  # finish: exit code and final state
    RUN_UPDATE = 12  # name/tags/notes/flags changed after start
    ARTIFACT = 13  # an artifact logged by the run (name, type, digest, aliases)
    USE_ARTIFACT = 14  # an artifact the run used as input


# Steps are int64 wherever runs are read (the reader's arrays, the server's columns).
MAX_STEP = 2**63 - 1


def _default(obj: Any) -> Any:
    # Last resort for values that escaped normalisation: never let the writer die on them.
    if isinstance(obj, int):  # beyond 64 bits: keep the magnitude as a float rather than lose the value
        return float(obj)
    if isinstance(obj, (set, frozenset, tuple)):
        return list(obj)
    item = getattr(obj, "item", None)
    if callable(item):
        try:
            return item()
        except Exception:
            pass
    return repr(obj)


_packer_opts = {"default": _default, "use_bin_type": True, "strict_types": False}


def packb(obj: Any) -> bytes:
    return msgpack.packb(obj, **_packer_opts)


def packb_plain(obj: Any) -> bytes:
    """`packb` of data made only of str, int (64-bit), bytes, None, lists and str-keyed dicts (a
    HISTORY payload without `any` columns): the same bytes, twice as fast without the default hook."""
    return msgpack.packb(obj, use_bin_type=True)


def unpackb(data: bytes | memoryview) -> Any:
    return msgpack.unpackb(data, raw=False, strict_map_key=False)
