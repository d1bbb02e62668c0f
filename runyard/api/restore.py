"""`runyard.restore(name)`: fetch a file a run saved on the server, as `wandb.restore` does."""

from __future__ import annotations

import os
from typing import IO, Any

from ..sdk import state


def restore(
    name: str, run_path: str | None = None, replace: bool = False, root: str | None = None
) -> IO[str] | None:
    """Download file `name` of the run at `run_path` ("entity/project/run_id"; the current run's
    by default) into `root` (the current run's files folder, else the working directory), keeping
    its folders; returns it opened for reading. A run without such a file raises ValueError, as
    wandb.restore does (None only in a disabled run).

    A file already at the destination is opened as it is unless `replace=True`."""
    run: Any = state.current()
    disabled = run is not None and getattr(run, "disabled", False)
    if disabled:
        run = None
    if run_path is None:
        if run is None:
            raise ValueError("run_path required when calling restore before init")
        run_path = run.path
    if root is None and run is not None:
        root = run.dir
    root = root or os.getcwd()
    path = os.path.join(root, name)
    if os.path.exists(path) and not replace:
        return open(path)
    if disabled:
        return None
    from .api import Api

    files = Api().run(str(run_path)).files([name])
    if len(files) == 0:
        raise ValueError(f"File {name} not found in {run_path}.")
    return files[0].download(root=root, replace=True)
