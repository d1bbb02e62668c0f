"""Run files: `run.files()`, `run.file(name)`, `file.download(root=".")` (wandb's File)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..errors import UsageError
from ..wire.paths import BadPath, clean_path
from .http import Http, quote

if TYPE_CHECKING:
    from ..wire import api_models as m


class File:
    """A file of a run: `name`, `size`, `sha256`, `mimetype`, `updated_at`, `url`; `download()`."""

    def __init__(self, http: Http, run_url: str, doc: m.RunFile, base_url: str = ""):
        self._http, self._run_url = http, run_url
        self.name: str = doc.path
        self.size: int = doc.size
        self.sha256: str | None = doc.sha256
        self.mimetype: str | None = doc.content_type
        self.updated_at: float | None = doc.updated_at
        self.kind: str | None = doc.kind
        self._path = run_url + "/files/" + "/".join(quote(p) for p in self.name.split("/"))
        self.url = base_url + self._path
        self.direct_url = self.url

    def download(
        self, root: str | os.PathLike = ".", replace: bool = False, exist_ok: bool = False
    ) -> IO[str]:
        """Save the file under `root` (keeping its relative path); returns it opened for reading.

        As in wandb, an existing file raises ValueError unless `replace=True` (download again) or
        `exist_ok=True` (keep it).
        """
        try:  # the name comes from the server: it must not lead out of `root`
            name = clean_path(self.name)
        except BadPath as e:
            raise UsageError(f"refusing to download {self.name!r}: {e}") from None
        dest = Path(root, *name.split("/"))
        if dest.exists() and not replace:
            if exist_ok:
                return open(dest)
            raise ValueError(f"file {dest} already exists; pass replace=True to overwrite it")
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(dest.name + ".part")
        with open(tmp, "wb") as f:
            for chunk in self._http.stream(self._path, {"direct": 1}, signed=True):
                f.write(chunk)
        os.replace(tmp, dest)
        return open(dest)

    def __repr__(self) -> str:
        return f"<File {self.name} ({self.mimetype}) {self.size} bytes>"


class Files:
    """The files of a run, a list-like sequence of File."""

    def __init__(self, files: list[File]):
        self._files = files

    def __len__(self) -> int:
        return len(self._files)

    def __iter__(self) -> Iterator[File]:
        return iter(self._files)

    def __getitem__(self, i: Any) -> Any:
        return self._files[i]

    def __repr__(self) -> str:
        return f"<Files {len(self)}>"
