"""`runyard.login()` as a script uses it (`import runyard as wandb`), against a real server."""

from __future__ import annotations

import json
import subprocess
import sys

from runyard.sdk.http_client import CREDENTIALS_NAME


def test_login_saves_a_verified_key_that_later_runs_use(server, client_env, home, tmp_path):
    key = json.loads((home / CREDENTIALS_NAME).read_text())["api_key"]
    user_home = tmp_path / "user-home"
    user_home.mkdir()
    env = dict(client_env, RUNYARD_HOME=str(user_home))  # nothing configured for this user yet
    code = (
        "import runyard as wandb\n"
        "try:\n"
        "    wandb.login()\n"
        "except wandb.UsageError as e:\n"
        "    assert 'No API key configured' in str(e)\n"
        "else:\n"
        "    raise AssertionError('login() without a key nor a terminal succeeded')\n"
        "try:\n"
        f"    wandb.login(key='0' * 40, host={server.url!r}, verify=True)\n"
        "except wandb.CommError:\n"
        "    pass\n"
        "else:\n"
        "    raise AssertionError('a wrong key was accepted')\n"
        f"assert wandb.login(key={key!r}, host={server.url!r}, verify=True) is True\n"
        "assert wandb.login() is True  # configured now: nothing asked\n"
        "run = wandb.init(project='p')\n"
        "assert run.url and run.url.startswith(" + repr(server.url) + "), run.url\n"
        "run.log({'a': 1})\n"
        "run.finish()\n"
        "print(run.id)\n"
    )
    p = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 0, p.stdout + p.stderr
    run_id = p.stdout.strip().splitlines()[-1]
    assert (user_home / "settings").exists()
    r = subprocess.run(
        [sys.executable, "-c", f"import runyard; print(runyard.Api().run('admin/p/{run_id}').state)"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.stdout.strip() == "finished", r.stdout + r.stderr
