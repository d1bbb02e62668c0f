"""mode="disabled": every call works and nothing at all is written."""

from __future__ import annotations

import os

import runyard
from tests.conftest import run_script


def test_disabled_mode_writes_nothing(tmp_path):
    res = run_script(
        "import runyard\n"
        "run = runyard.init(project='p', mode='disabled', config={'lr': 0.1})\n"
        "assert run.disabled and run.config.lr == 0.1 and run.name.startswith('dummy-')\n"
        "run.config.update({'bs': 2}); run.config.lr = 0.2\n"
        "for i in range(10): runyard.log({'a': i})\n"
        "run.summary['x'] = 1; run.define_metric('a', summary='max'); run.save('*.py'); run.alert('t', 'x')\n"
        "runyard.finish()\nassert runyard.run is None\nprint('ok')\n",
        tmp_path,
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "ok"
    assert sorted(os.listdir(tmp_path)) == ["script.py"]


def test_wandb_mode_env_disables(workdir, monkeypatch):
    monkeypatch.setenv("WANDB_MODE", "disabled")
    run = runyard.init(project="p")
    run.log({"a": 1})
    run.finish()
    assert run.disabled and os.listdir(workdir) == []
