"""The store refuses with one error type and a code; the server gives each code its status, once."""

from __future__ import annotations

import ast
from pathlib import Path

import runyard.store
from runyard.server.errors import STORE_STATUS, classify
from runyard.store import StoreError

STORE = Path(runyard.store.__file__).parent


def store_codes() -> dict[str, list[str]]:
    """Every code the store raises StoreError with -> where."""
    out: dict[str, list[str]] = {}
    for path in sorted(STORE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "StoreError":
                first = node.args[0]
                assert isinstance(first, ast.Constant) and isinstance(first.value, str), (
                    f"{path.name}:{node.lineno}: StoreError's first argument is its code (a literal string)"
                )
                out.setdefault(first.value, []).append(f"{path.name}:{node.lineno}")
    return out


def test_the_store_names_codes_not_statuses():
    codes = store_codes()
    assert {"offset_mismatch", "bad_run_log", "bad_name", "type_mismatch"} <= set(codes)
    assert set(STORE_STATUS) <= set(codes), "a status for a code the store never raises"


def test_a_refusal_keeps_its_code_and_extra_fields():
    err = classify(StoreError("offset_mismatch", "resend from 16", acked_offset=16))
    assert err is not None and (err.status, err.code, err.extra) == (
        409,
        "offset_mismatch",
        {"acked_offset": 16},
    )
    err = classify(StoreError("bad_run_log", "no RUN record"))
    assert err is not None and (err.status, err.code, err.message) == (400, "bad_run_log", "no RUN record")
