"""The wandb surface real scripts use, each test a user's script run twice: `import runyard as wandb`,
and the official wandb client (in its own venv) as the oracle: the same assertions hold for both."""

from __future__ import annotations

import pytest

from tests.conftest import run_script

from .conftest import run_wandb


@pytest.fixture(params=["runyard", "wandb"])
def user_script(request, tmp_path):
    """Runs a script that starts with `import wandb` under the parametrized client; it asserts itself."""

    def run(code: str) -> None:
        if request.param == "runyard":
            code = code.replace("import wandb\n", "import runyard as wandb\n", 1)
            p = run_script(code, tmp_path, env={"RUNYARD_HOME": str(tmp_path / "home")})
            assert p.returncode == 0, p.stdout + p.stderr
        else:
            run_wandb(request.getfixturevalue("wandb_python"), code, tmp_path, "script.py")

    return run


def test_logging_to_a_finished_run_raises(user_script):
    user_script(
        "import wandb\n"
        "run = wandb.init(project='p', mode='offline')\n"
        "run.log({'a': 1})\n"
        "run.finish()\n"
        "for call in (lambda: run.log({'a': 2}), lambda: run.define_metric('a', summary='max')):\n"
        "    try:\n"
        "        call()\n"
        "    except wandb.errors.UsageError as e:\n"
        "        assert f'Run ({run.id}) is finished' in str(e), e\n"
        "    else:\n"
        "        raise AssertionError('no error for a call on a finished run')\n"
        "try:\n"
        "    wandb.log({'a': 3})\n"
        "except wandb.Error as e:\n"
        "    assert 'wandb.init()' in str(e).replace('runyard.init()', 'wandb.init()'), e\n"
        "else:\n"
        "    raise AssertionError('wandb.log after finish() did not raise')\n"
    )


def test_create_new_runs_never_become_the_global_run(user_script):
    user_script(
        "import wandb\n"
        "a = wandb.init(project='p', mode='offline', reinit='create_new')\n"
        "assert wandb.run is None\n"
        "b = wandb.init(project='p', mode='offline', reinit='create_new')\n"
        "assert wandb.run is None and a.id != b.id\n"
        "a.log({'x': 1}); b.log({'x': 2})\n"
        "b.finish(); a.finish()\n"
        "c = wandb.init(project='p', mode='offline')\n"
        "d = wandb.init(project='p', mode='offline', reinit='create_new')\n"
        "assert wandb.run is c and d.id != c.id\n"
        "wandb.log({'x': 3})  # goes to c, the global run\n"
        "d.finish()\n"
        "assert wandb.run is c\n"
        "c.finish()\n"
        "assert wandb.run is None\n"
    )


def test_save_keeps_sub_directories_and_live_files_are_copied_again_at_finish(user_script):
    user_script(
        "import os\n"
        "import wandb\n"
        "os.makedirs('ckpt/sub')\n"
        "open('ckpt/a.pt', 'w').write('v1')\n"
        "open('ckpt/sub/b.pt', 'w').write('b')\n"
        "open('ckpt/sub/c.pt', 'w').write('c')\n"
        "run = wandb.init(project='p', mode='offline')\n"
        "rel = lambda paths: sorted(os.path.relpath(p, run.dir) for p in paths)\n"
        "assert rel(wandb.save('ckpt/*.pt')) == ['ckpt/a.pt']\n"
        "assert rel(run.save('ckpt/sub/*.pt', base_path='ckpt', policy='now')) == ['sub/b.pt', 'sub/c.pt']\n"
        "assert rel(run.save(os.path.abspath('ckpt/sub/c.pt'), policy='end')) == ['sub/c.pt']\n"
        "open('ckpt/a.pt', 'w').write('v2')\n"
        "files = run.dir\n"
        "run.finish()\n"
        "read = lambda p: open(os.path.join(files, p)).read()\n"
        "assert read('ckpt/a.pt') == 'v2' and read('sub/b.pt') == 'b' and read('sub/c.pt') == 'c'\n"
    )


def test_term_helpers_setup_require_and_config_persist(user_script):
    user_script(
        "import contextlib, io\n"
        "import wandb\n"
        "err = io.StringIO()\n"
        "with contextlib.redirect_stderr(err):\n"
        "    wandb.termlog('hello')\n"
        "    wandb.termwarn('careful')\n"
        "    wandb.termerror('broken')\n"
        "    wandb.termwarn('only once', repeat=False)\n"
        "    wandb.termwarn('only once', repeat=False)\n"
        "    wandb.termlog('bare', prefix=False)\n"
        "lines = err.getvalue().splitlines()\n"
        "prefix = lines[0].split('hello')[0]\n"
        "assert prefix in ('wandb: ', 'runyard: '), lines\n"
        "assert lines == [prefix + 'hello', prefix + 'WARNING careful', prefix + 'ERROR broken',\n"
        "                 prefix + 'WARNING only once', 'bare'], lines\n"
        "wandb.setup()\n"
        "wandb.require('core')\n"
        "try:\n"
        "    wandb.require('no-such-feature')\n"
        "except wandb.errors.UsageError as e:\n"
        "    assert 'no-such-feature' in str(e)\n"
        "else:\n"
        "    raise AssertionError('an unknown requirement was accepted')\n"
        "run = wandb.init(project='p', mode='offline', config={'lr': 0.1})\n"
        "run.config.update({'epochs': 3})\n"
        "run.config.persist()\n"
        "assert dict(run.config) == {'lr': 0.1, 'epochs': 3}\n"
        "run.finish()\n"
    )


def test_setup_settings_are_the_defaults_of_later_runs(user_script):
    user_script(
        "import os\n"
        "import wandb\n"
        "wandb.setup(settings=wandb.Settings(mode='offline', project='from-setup'))\n"
        "run = wandb.init()\n"
        "assert run.project == 'from-setup' and run.settings.mode == 'offline'\n"
        "run.finish()\n"
    )


def test_table_add_computed_columns(user_script):
    user_script(
        "import wandb\n"
        "t = wandb.Table(columns=['x', 'y'], data=[[3, 1], [4, 6]])\n"
        "assert t.add_computed_columns(lambda ndx, row: {'diff': row['x'] - row['y'], 'ndx': ndx}) is None\n"
        "assert t.columns == ['x', 'y', 'diff', 'ndx']\n"
        "assert t.data == [[3, 1, 2, 0], [4, 6, -2, 1]]\n"
    )


def test_log_code_logs_the_source_files_as_a_code_artifact(user_script):
    user_script(
        "import os\n"
        "import wandb\n"
        "for p in ('src/train.py', 'src/sub/model.py', 'requirements.txt', 'Dockerfile', 'notes.txt',\n"
        "          'wandb/stray.py', 'runyard/stray.py', 'cache/skip.py'):\n"
        "    os.makedirs(os.path.dirname(p) or '.', exist_ok=True)\n"
        "    open(p, 'w').write('# ' + p)\n"
        "run = wandb.init(project='p', mode='offline')\n"
        "files = lambda art: sorted(art.manifest.entries)\n"
        "art = run.log_code('src')\n"
        "assert art.type == 'code' and art.name.startswith('source-p-'), art.name\n"
        "assert files(art) == ['sub/model.py', 'train.py'], files(art)\n"
        "art = run.log_code('.', name='all-code', exclude_fn=lambda path, root: 'cache' in path)\n"
        "assert art.name.split(':')[0] == 'all-code'\n"
        "got = [f for f in files(art) if not f.startswith(('wandb/', 'runyard/'))]\n"
        "assert got == ['Dockerfile', 'requirements.txt', 'script.py', 'src/sub/model.py', 'src/train.py'], got\n"
        "art = run.log_code('.', name='txt', include_fn=lambda path: path.endswith('.txt'))\n"
        "assert files(art) == ['notes.txt', 'requirements.txt'], files(art)\n"
        "assert run.log_code('.', include_fn=lambda path: False) is None\n"
        "run.finish()\n"
    )


def test_login_does_nothing_offline_and_after_init(user_script):
    """A script that logs in first still trains offline: no key, no terminal, no error, nothing saved."""
    user_script(
        "import wandb\n"
        "import os\n"
        "os.environ['WANDB_MODE'] = 'offline'\n"
        "assert wandb.login() is False\n"
        "assert wandb.login(key='a' * 40, relogin=True, anonymous='must') is False\n"
        "run = wandb.init(project='p')\n"
        "assert wandb.login() is False\n"
        "run.log({'a': 1})\n"
        "run.finish()\n"
    )
