"""`wandb.restore(name, run_path=, replace=, root=)` as a user's script uses it, online against a real
server (SQLite and PostgreSQL): one script saves a checkpoint under a sub-directory, another fetches it
back. Run twice: `import runyard as wandb`, and the official client (0.31.0) as the oracle: the same
assertions hold for both."""

from __future__ import annotations

import textwrap

SAVE = textwrap.dedent("""
    import json, os
    import wandb
    os.makedirs("ckpt", exist_ok=True)
    open("ckpt/a.pt", "w").write("v1")
    run = wandb.init(project="rs")
    run.save("ckpt/a.pt", policy="now")
    run.finish()
    print("EXPECT " + json.dumps({"path": run.path}), flush=True)
""")

RESTORE = textwrap.dedent("""
    import os, sys
    import wandb
    path = sys.argv[1]
    try:
        wandb.restore("ckpt/a.pt")
    except ValueError as e:
        assert "run_path required" in str(e), e
    else:
        raise AssertionError("restore before init without run_path did not raise")
    f = wandb.restore("ckpt/a.pt", run_path=path, root="out")
    assert os.path.abspath(f.name) == os.path.abspath("out/ckpt/a.pt"), f.name
    assert f.read() == "v1"
    f.close()
    open("out/ckpt/a.pt", "w").write("local edit")
    with wandb.restore("ckpt/a.pt", run_path=path, root="out") as f:
        assert f.read() == "local edit"  # a file already there is kept unless replace=True
    with wandb.restore("ckpt/a.pt", run_path=path, root="out", replace=True) as f:
        assert f.read() == "v1"
    try:
        wandb.restore("no-such-file.pt", run_path=path, root="out")
    except ValueError as e:
        assert f"File no-such-file.pt not found in {path}" in str(e), e
    else:
        raise AssertionError("restore of a file the run lacks did not raise")
    run = wandb.init(project="rs")
    with wandb.restore("ckpt/a.pt", run_path=path) as f:  # into the current run's files folder
        assert os.path.abspath(f.name) == os.path.join(os.path.abspath(run.dir), "ckpt", "a.pt"), f.name
        assert f.read() == "v1"
    run.finish()
""")


def test_restore_fetches_a_saved_file_back(user_script, tmp_path):
    saved = user_script(SAVE, tmp_path / "train")
    user_script(RESTORE, tmp_path / "elsewhere", saved["path"])
