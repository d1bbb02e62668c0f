"""Reports from Python (docs/reports.md): create one at the end of a pipeline, read and change its
blocks. A report is a title and a list of blocks, each a dict with a `type` (runyard/wire/report_blocks.py):

    api = runyard.Api()
    r = api.create_report("me/proj", "Sweep 12", blocks=[
        {"type": "heading", "text": "Results"},
        {"type": "markdown", "text": "The **lr=3e-4** runs win."},
        {"type": "panels", "runset": {"projects": ["me/proj"], "filter": "tags contains sweep12"},
         "metrics": ["train/loss", "eval/acc"]},
        {"type": "runs", "runset": {"projects": ["me/proj"]}, "columns": ["config.lr", "summary.eval/acc"]},
    ])
    r.blocks.append({"type": "markdown", "text": "Updated."}); r.save()

Saving names the version the edit started from: when someone saved in between, `save()` raises
`ReportConflict` with the report as it now is (`.current`), and nothing is overwritten.
"""

from __future__ import annotations

import secrets

from ..errors import ApiError
from .http import Http


class ReportConflict(ApiError):
    """Someone else saved the report since this copy was read; `current` is the report now."""

    current: Report


def with_ids(blocks: list[dict]) -> list[dict]:
    """The blocks, each with an `id` (a new random one where it has none)."""
    return [b if b.get("id") else {**b, "id": secrets.token_hex(6)} for b in blocks]


class Report:
    def __init__(self, http: Http, base_url: str, doc: dict):
        self._http, self._base_url = http, base_url
        self._load(doc)

    def _load(self, doc: dict) -> None:
        self.id: int = doc["id"]
        self.entity: str = doc["entity"]
        self.project: str = doc["project"]
        self.title: str = doc["title"]
        self.blocks: list[dict] = doc["blocks"]
        self.version: int = doc["version"]
        self.updated_by: str | None = doc.get("updated_by")
        self.updated_at: float = doc["updated_at"]

    @property
    def url(self) -> str:
        """The report's page in the web UI."""
        return f"{self._base_url}/{self.entity}/{self.project}/reports/{self.id}"

    @property
    def _path(self) -> str:
        return f"/api/v1/reports/{self.id}"

    def reload(self) -> Report:
        self._load(self._http.call("GET", self._path))
        return self

    def save(self) -> Report:
        """Write `title` and `blocks` as the next version (ReportConflict when another save came first)."""
        body = {"version": self.version, "title": self.title, "blocks": with_ids(self.blocks)}
        try:
            doc = self._http.call("PATCH", self._path, body=body)
        except ApiError as e:
            if e.code != "version_conflict":
                raise
            err = ReportConflict(e.status, e.code, e.message, e.body)
            err.current = Report(self._http, self._base_url, e.body["error"]["current"])
            raise err from None
        self._load(doc)
        return self

    def add_blocks(self, *blocks: dict) -> Report:
        """Append blocks and save."""
        self.blocks = [*self.blocks, *blocks]
        return self.save()

    def versions(self) -> list[dict]:
        """Saved versions, newest first: `version`, `title`, `author`, `created_at`."""
        return self._http.call("GET", self._path + "/versions")["versions"]

    def restore(self, version: int) -> Report:
        """Save an older version's content as the newest version."""
        self._load(
            self._http.call(
                "POST", f"{self._path}/versions/{version}/restore", body={"version": self.version}
            )
        )
        return self

    def comments(self) -> list[dict]:
        """`id`, `author`, `body`, `created_at` of each comment, oldest first."""
        return self._http.call("GET", self._path + "/comments")["comments"]

    def comment(self, body: str) -> dict:
        return self._http.call("POST", self._path + "/comments", body={"body": body})

    def delete(self) -> None:
        self._http.call("DELETE", self._path)

    def __repr__(self) -> str:
        return f"<Report {self.entity}/{self.project} #{self.id} {self.title!r} v{self.version}>"
