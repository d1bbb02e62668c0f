"""Fixtures of the wandb-server suite: runyard's server fixtures plus the official client's venv.

The official client (wandb 0.31.0) runs in its own virtual environment (see tests/compat/conftest.py:
`~/.cache/peer-venvs/v_wandb`, else one created once); without it the end-to-end tests skip, unless
CI is set. Its network stays on loopback: it only ever talks to the test server on 127.0.0.1.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("graphql")

from tests.compat.conftest import wandb_python  # noqa: E402,F401
from tests.compat_server.test_official_client import client_run, wandb_env  # noqa: E402,F401
from tests.server.conftest import (  # noqa: E402,F401
    client,
    client_env,
    config,
    db_url,
    home,
    pg_database,
    server,
)


@pytest.fixture(params=["runyard", "wandb"])
def user_script(request, server, tmp_path):  # noqa: F811
    """Runs a script that starts with `import wandb` under the parametrized client, against `server`."""
    if request.param == "runyard":
        python, env = Path(sys.executable), request.getfixturevalue("client_env")
    else:
        python, env = request.getfixturevalue("wandb_python"), request.getfixturevalue("wandb_env")

    def run(code: str, cwd: Path, *args: str) -> dict:
        if request.param == "runyard":
            code = code.replace("import wandb\n", "import runyard as wandb\n", 1)
        cwd.mkdir()
        return client_run(python, env, cwd, code, *args)

    return run
