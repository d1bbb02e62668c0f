"""`restore()` as a user's script uses it: a file saved by one run is fetched back by a later script."""

from __future__ import annotations

import subprocess
import sys


def _script(code: str, env: dict, cwd) -> str:
    cwd.mkdir(parents=True, exist_ok=True)
    p = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    assert p.returncode == 0, p.stdout + p.stderr
    return p.stdout.strip()


def test_restore_downloads_a_saved_file_keeping_its_folders(server, client_env, tmp_path):
    path = _script(
        "import os\n"
        "import runyard as wandb\n"
        "os.makedirs('ckpt')\n"
        "open('ckpt/a.pt', 'w').write('weights')\n"
        "run = wandb.init(project='p')\n"
        "wandb.save('ckpt/a.pt', policy='now')\n"
        "run.finish()\n"
        "print(run.path)\n",
        client_env,
        tmp_path / "train",
    )
    _script(
        "import os\n"
        "import runyard as wandb\n"
        "try:\n"
        "    wandb.restore('ckpt/a.pt')\n"
        "except ValueError as e:\n"
        "    assert 'run_path' in str(e)\n"
        "else:\n"
        "    raise AssertionError('restore before init without run_path')\n"
        f"f = wandb.restore('ckpt/a.pt', run_path={path!r}, root='out')\n"
        "assert f.read() == 'weights' and os.path.isfile('out/ckpt/a.pt')\n"
        "open('out/ckpt/a.pt', 'w').write('mine')\n"
        f"assert wandb.restore('ckpt/a.pt', run_path={path!r}, root='out').read() == 'mine'\n"
        f"assert wandb.restore('ckpt/a.pt', run_path={path!r}, root='out', replace=True).read() == 'weights'\n"
        # as wandb 0.31: a file the run lacks raises, naming it (tests/compat_server/test_restore.py)
        "try:\n"
        f"    wandb.restore('nope.txt', run_path={path!r}, root='out')\n"
        "    raise AssertionError('restore of a missing file returned')\n"
        "except ValueError as e:\n"
        "    assert 'nope.txt' in str(e)\n"
        "run = wandb.init(project='p')\n"
        f"assert wandb.restore('ckpt/a.pt', run_path={path!r}).read() == 'weights'\n"
        "assert os.path.isfile(os.path.join(run.dir, 'ckpt', 'a.pt'))\n"
        "run.finish()\n",
        client_env,
        tmp_path / "eval",
    )
