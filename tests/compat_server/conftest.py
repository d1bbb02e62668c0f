"""Fixtures of the wandb-server suite: runyard's server fixtures plus the official client's venv.

The official client (wandb 0.31.0) runs in its own virtual environment (see tests/compat/conftest.py:
`~/.cache/peer-venvs/v_wandb`, else one created once); without it the end-to-end tests skip, unless
CI is set. Its network stays on loopback: it only ever talks to the test server on 127.0.0.1.
"""

from __future__ import annotations

import pytest

pytest.importorskip("starlette")
pytest.importorskip("graphql")

from tests.compat.conftest import wandb_python  # noqa: E402,F401
from tests.server.conftest import client, config, db_url, home, pg_database, server  # noqa: E402,F401
